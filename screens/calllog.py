"""The call log: the day's calls, and calls per hour drawn as bars for staffing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from frontdesk import calllog, clock, telephone
from frontdesk.calllog import CallRow
from frontdesk.dates import describe
from frontdesk.text import one_line
from screens.actions import CALL_LOG, bindings
from screens.base import DeskScreen, db_work
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["CallLogScreen", "chart"]

BAR_HEIGHT = 4
"""Rows of the chart: at 80x24 the calls' list needs the rest."""
_OPEN_HOURS = range(7, 19)
"""Hours always drawn, calls or not, so one day's chart reads like another's."""


def chart(counts: dict[int, int], height: int = BAR_HEIGHT) -> Text:
    """Calls per hour as text bars, one column of three characters per hour."""
    busy = [hour for hour, count in counts.items() if count]
    first = min([*busy, _OPEN_HOURS.start])
    last = max([*busy, _OPEN_HOURS.stop - 1])
    hours = range(first, last + 1)
    most = max([counts.get(hour, 0) for hour in hours] + [1])
    blocks = " ▁▂▃▄▅▆▇█"
    text = Text()
    for level in range(height, 0, -1):
        for hour in hours:
            # How much of this row the bar fills, in eighths.
            filled = counts.get(hour, 0) * height * 8 // most - (level - 1) * 8
            text.append(" " + blocks[max(0, min(8, filled))] * 2, style="bold")
        text.append(f"  {most} an hour" if level == height else "")
        text.append("\n")
    for hour in hours:
        text.append(f"{hour:>3}", style="dim")
    text.append("\n")
    for hour in hours:
        count = counts.get(hour, 0)
        text.append(f"{count:>3}" if count else "  ·", style="" if count else "dim")
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _duration(span: timedelta | None) -> str:
    if span is None:
        return ""
    seconds = int(span.total_seconds())
    return f"{seconds // 60}:{seconds % 60:02d}"


class CallLogScreen(DeskScreen):
    CSS_PATH = "calllog.tcss"
    BINDINGS = bindings(CALL_LOG)
    COMMANDS = {ScreenActions}
    AREA = "call log"
    ACTIONS = CALL_LOG

    @dataclass
    class Loaded(Message):
        day: date
        calls: list[CallRow]
        per_hour: dict[int, int]

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self.day = day or clock.today()

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="title")
        yield Static("", id="chart")
        yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("Ln", 2), ("Rang", 5), ("Wait", 4), ("Talk", 5),
                             ("Caller", 14), ("Patient", 14), ("Staff", 7), ("Ended as", 11)):
            table.add_column(label, width=width)
        self._load(self.day)

    @db_work(group="call-log")
    def _load(self, day: date) -> None:
        self.post_message(self.Loaded(day, calllog.calls(day, by=self.app.signed_in),
                                      calllog.per_hour(day)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        if message.day != self.day:
            return  # paged on: the newer day's answer is coming
        answered = sum(1 for call in message.calls if call.answered)
        self.query_one("#title", Static).update(Text.assemble(
            ("Calls", "bold"), f" · {describe(self.day)} · {_count(len(message.calls), 'call')}"
            f", {answered} answered, {len(message.calls) - answered} missed"))
        self.query_one("#chart", Static).update(chart(message.per_hour))
        table = self.query_one(DataTable)
        table.clear()
        for call in message.calls:
            table.add_row(
                str(call.line), clock.wall(call.rang), _duration(call.waited),
                _duration(call.length), telephone.display(call.caller) or "unknown",
                one_line(call.patient_name) or "—", one_line(call.staff).split(" ")[0] or "—",
                call.disposition or ("on line" if call.answered else "ringing"))

    def refresh_day(self, changes) -> None:
        if any(change.topic == "phone" for change in changes):
            self._load(self.day)

    def action_day(self, step: int) -> None:
        self.day += timedelta(days=step)
        self._load(self.day)

    def action_today(self) -> None:
        self.day = clock.today()
        self._load(self.day)

    def action_close(self) -> None:
        self.dismiss()
