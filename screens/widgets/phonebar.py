"""The phone lines, always in sight: one cell per line, what it is doing and with whom.

Every terminal draws the same lines (they live in the database); the app loads
them in a worker and publishes them on `app.phones_signal`, and every bar of
every screen redraws from that. A bar never reads the database itself.

Each state has its own mark as well as its own look, so the bar reads the same
in 16 colours, with NO_COLOR, or on a monochrome thin client:
`F5 ☎ García, Ma… 12s` rings (reversed), `F6 ● Perez, L · you` is on a call,
`F7 ‖ (617) 555-0142 1:05` waits on hold, with `!` once it has waited too long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from frontdesk import clock, config, telephone
from frontdesk.phones import Caller, Line, LineState
from frontdesk.text import one_line

__all__ = ["PhoneBar", "LineView", "cell", "caller_label", "key_for", "elapsed",
           "first_name"]


@dataclass(frozen=True)
class LineView:
    """A line as loaded for the bar and the call screen: its row and who may be calling."""

    line: Line
    callers: tuple[Caller, ...] = ()
    """The patients the calling number belongs to (a family may share one)."""

    @property
    def number(self) -> int:
        return self.line.number


MARKS = {LineState.IDLE: "·", LineState.RINGING: "☎", LineState.ON_CALL: "●",
         LineState.ON_HOLD: "‖"}


def key_for(number: int) -> str:
    """The key that reaches a line, as the bar names it (lines 5 and up: alt+l, then N)."""
    return f"F{number + 4}" if number <= 4 else f"L{number}"


def elapsed(since: datetime | None, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds())) if since else 0
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def first_name(staff_name: str) -> str:
    return one_line(staff_name).split(" ")[0] if staff_name else "someone"


def caller_label(view: LineView, *, with_number: bool = False) -> str:
    """Who is calling, in the words the bar and the call screen use."""
    line = view.line
    number = telephone.display(line.caller) if line.caller else ""
    if line.patient_name:
        name = one_line(line.patient_name)
        return f"{name} {number}" if with_number and number else name
    if len(view.callers) > 1:
        count = f"{len(view.callers)} patients"
        return f"{count} {number}" if with_number else count
    if len(view.callers) == 1:
        name = one_line(view.callers[0].name)
        return f"{name} {number}" if with_number and number else name
    return number or "unknown caller"


def _fit(head: str, who: str, tail: str, width: int) -> str:
    room = width - len(head) - len(tail)
    if room <= 0:
        return (head + tail)[:width]
    if len(who) > room:
        who = who[:max(room - 1, 0)] + "…" if room > 1 else who[:room]
    return head + who + tail


def cell(view: LineView, *, me: int | None, now: datetime, warn_minutes: int,
         width: int) -> Text:
    """One line's cell, at most `width` characters."""
    line = view.line
    head = f"{key_for(line.number)} {MARKS[line.state]} "
    if line.state is LineState.IDLE:
        return Text(_fit(head, "idle", "", width).ljust(width), style="dim")
    wide = width >= 40
    who = caller_label(view, with_number=wide)
    if who == "unknown caller" and not wide:
        who = "unknown"  # whole, rather than "unknown c…"
    elif not wide and who == telephone.display(line.caller) and len(who) > width - 10:
        who = who.rsplit(" ", 1)[-1]  # "555-0142": a cut-off area code says nothing
    if line.state is LineState.RINGING:  # seconds, short: the caller's name needs the room
        rung = elapsed(line.since, now)
        text = _fit(head, who, f" {rung[2:].lstrip('0') or '0'}s" if rung.startswith("0:")
                    else f" {rung}", width)
        return Text(text.ljust(width), style="reverse bold")
    if line.state is LineState.ON_CALL:
        holder = "you" if line.staff_id == me else first_name(line.staff_name)
        return Text(_fit(head, who, f" · {holder}", width).ljust(width), style="bold")
    waited = elapsed(line.since, now)
    late = line.since is not None and (now - line.since).total_seconds() >= warn_minutes * 60
    text = _fit(head, who, f" !{waited}" if late else f" {waited}", width)
    return Text(text.ljust(width), style="bold red" if late else "yellow")


class PhoneBar(Static):
    """One row of cells, one per line of the desk (config phone_lines)."""

    DEFAULT_CSS = """
    PhoneBar {
        dock: bottom;
        height: 1;
        width: 100%;
        background: $surface;
    }
    """

    def on_mount(self) -> None:
        signal = getattr(self.app, "phones_signal", None)
        if signal is not None:
            signal.subscribe(self, self._changed)
        self._changed()
        self.set_interval(1, self._tick)  # ringing and hold times are read in seconds

    def on_unmount(self) -> None:
        signal = getattr(self.app, "phones_signal", None)
        if signal is not None:
            signal.unsubscribe(self)

    def on_resize(self) -> None:
        self._changed()

    def _tick(self) -> None:
        lines = getattr(self.app, "phone_lines", ())
        if self.screen.is_current and any(
                v.line.state in (LineState.RINGING, LineState.ON_HOLD) for v in lines):
            self._changed()

    def _changed(self, *_: object) -> None:
        self.update(self.cells())

    def cells(self) -> Text:
        lines: tuple[LineView, ...] = getattr(self.app, "phone_lines", ())
        if not lines:
            return Text("")
        width = self.size.width or self.app.size.width
        each = max(width // len(lines), 4)
        me = getattr(getattr(self.app, "signed_in", None), "id", None)
        now = clock.now()
        warn = config.current().hold_warn_minutes
        bar = Text(no_wrap=True, end="")
        for view in lines:
            bar.append_text(cell(view, me=me, now=now, warn_minutes=warn, width=each - 1))
            bar.append(" ")
        bar.rstrip()
        return bar
