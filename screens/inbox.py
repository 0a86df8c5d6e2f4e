"""The inbox: phone messages to me and to my departments, worked to done.

Urgent messages come first (⚠), then overdue ones ("late" in the age), then the
newest. The pane under the list shows the message under the cursor in full with
its history. Opening a message (enter) marks it read; every change goes through
frontdesk.messages, against the version on screen, and other terminals' inboxes
follow through the change feed ("message", id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from frontdesk import clock, messages, telephone, triage
from frontdesk.changes import Change
from frontdesk.errors import FrontdeskError
from frontdesk.messages import DEPARTMENTS, EventRow, InboxRow
from frontdesk.text import clean, one_line
from screens.actions import INBOX, bindings
from screens.base import DeskScreen, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["InboxScreen", "age", "detail_text"]

_EVENT_WORDS = {"taken": "taken by", "read": "read by", "in_progress": "in progress with",
                "done": "done by", "new": "marked new by", "replied": "reply from",
                "forwarded": "forwarded by", "reassigned": "reassigned by"}


_SHORT_REASONS = {"refill": "Refill"}
"""Reasons too long for the list's column (the pane below says them in full)."""


def age(taken_at: datetime, now: datetime) -> str:
    """How long a message has waited, as staff say it: 40m, 3h, 2d."""
    minutes = max(0, int((now - taken_at).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"


def _flag_names(ids: tuple[str, ...]) -> list[triage.Flag]:
    known = {flag.id: flag for flag in triage.protocol()}
    return [known[i] for i in ids if i in known]


def _when(instant: datetime, now: datetime) -> str:
    """`9:30` today, `11/28 21:24` on another day: history spans days."""
    if clock.local(instant).date() == clock.local(now).date():
        return clock.wall(instant)
    return f"{clock.local(instant):%m/%d} {clock.wall(instant)}"


def _event_line(event: EventRow, now: datetime) -> Text:
    line = Text(f"{_when(event.at, now):>5} ", style="dim")
    line.append(f"{_EVENT_WORDS.get(event.action, event.action)} {one_line(event.by)}")
    if event.to and event.action in ("forwarded", "reassigned", "taken"):
        line.append(f" → {one_line(event.to)}")
    if event.note:
        line.append(f": {one_line(event.note)}", style="italic")
    return line


def detail_text(row: InboxRow, events: list[EventRow], now: datetime) -> Text:
    """The message in full, for the pane under the list."""
    text = Text()
    for flag in _flag_names(row.red_flags):
        text.append(f"⚠ {flag.name.upper()} — {flag.instruction}\n", style="bold reverse")
    text.append(one_line(row.caller_name), style="bold")
    text.append(f" ({one_line(row.relationship)})")
    if row.patient_name:
        text.append(" about ")
        text.append(one_line(row.patient_name), style="bold")
    text.append(f" · call back {telephone.display(row.callback)}")
    if row.best_time:
        text.append(f" {one_line(row.best_time)}")
    text.append(f"\n{row.reason_label} · for {one_line(row.recipient)} · {row.state_label}")
    if row.due_at is not None:
        text.append(f" · due {_when(row.due_at, now)}")
        if row.overdue:
            text.append(" OVERDUE", style="bold")
    text.append("\n")
    text.append(clean(row.text, keep_newlines=True))
    if events:
        text.append("\n")
        for event in events:
            text.append("\n")
            text.append_text(_event_line(event, now))
    return text


class InboxScreen(DeskScreen):
    CSS_PATH = "inbox.tcss"
    BINDINGS = bindings(INBOX)
    COMMANDS = {ScreenActions}
    AREA = "inbox"
    ACTIONS = INBOX

    @dataclass
    class Loaded(Message):
        rows: list[InboxRow]
        departments: list[str]

    @dataclass
    class History(Message):
        message_id: int
        events: list[EventRow]

    @dataclass
    class Changed(Message):
        message_id: int
        refusal: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[InboxRow] = []
        self.show_done = False
        self._departments: list[str] = []
        self._events: dict[int, list[EventRow]] = {}
        self._loaded = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Inbox", id="title")
        yield DataTable(id="messages", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="detail-pane"):
            yield Static("", id="detail")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", width=1, key="flag")
        table.add_column("State", width=11, key="state")
        table.add_column("From", width=14, key="from")
        table.add_column("Patient", width=16, key="patient")
        table.add_column("Reason", width=12, key="reason")
        table.add_column("Waited", width=9, key="age")
        self._load()

    # -- loading ------------------------------------------------------------------------

    @db_work(group="inbox")
    def _load(self) -> None:
        person = self.app.signed_in
        self.post_message(self.Loaded(messages.inbox(person, include_done=self.show_done),
                                      messages.departments_of(person)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self._loaded = True
        table = self.query_one(DataTable)
        keep = self.current.id if self.current else None
        self.rows, self._departments = message.rows, message.departments
        self._events = {}
        now = clock.now()
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row, now), key=str(row.id))
        if self.rows:
            index = next((i for i, r in enumerate(self.rows) if r.id == keep), 0)
            table.move_cursor(row=index, animate=False)
        self._title()
        self._show_detail()
        self.refresh_bindings()

    @staticmethod
    def _cells(row: InboxRow, now: datetime) -> tuple[Text, ...]:
        new = row.state == "new"
        waited = age(row.taken_at, now)
        return (
            Text("⚠", style="bold red") if row.urgent else Text(""),
            Text(row.state_label, style="bold" if new else ("dim" if row.state == "done" else "")),
            Text(one_line(row.caller_name), style="bold" if new else ""),
            Text(one_line(row.patient_name) or "—"),
            Text(_SHORT_REASONS.get(row.reason, row.reason_label)),
            Text(f"{waited}, late", style="bold red") if row.overdue else Text(waited),
        )

    def _title(self) -> None:
        unread = sum(1 for row in self.rows if row.state == "new")
        where = ", ".join(DEPARTMENTS.get(d, d) for d in self._departments) or "no department"
        shown = "all, done ones too" if self.show_done else f"{len(self.rows)} open"
        self.query_one("#title", Static).update(
            Text.assemble(("Inbox", "bold"), f" · you and {where} · {shown} · {unread} new"))

    @property
    def current(self) -> InboxRow | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self.rows)

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_detail()
        self.refresh_bindings()
        row = self.current
        if row is not None and row.id not in self._events:
            self._history(row.id)

    @db_work(group="inbox-history")
    def _history(self, message_id: int) -> None:
        self.post_message(self.History(message_id, messages.history(message_id)))

    @on(History)
    def _history_loaded(self, message: History) -> None:
        self._events[message.message_id] = message.events
        if self.current and self.current.id == message.message_id:
            self._show_detail()

    def _show_detail(self) -> None:
        row = self.current
        detail = self.query_one("#detail", Static)
        if row is None:
            detail.update("Nothing here. n takes a new message; h shows the done ones.")
            return
        detail.update(detail_text(row, self._events.get(row.id, []), clock.now()))

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when a terminal (this one too) changed something."""
        if any(change.topic == "message" for change in changes):
            self._load()

    def on_screen_resume(self) -> None:
        # The change feed only reaches the area on screen: coming back, look again.
        if self._loaded:
            self._load()

    # -- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "mark", "note"):
            row = self.current
            if row is None:
                return None
            if action == "mark" and parameters and row.state == parameters[0]:
                return None
        return True

    def action_open(self) -> None:
        if self.current:
            self._open(self.current.id)

    @db_work(group="inbox-change")
    def _open(self, message_id: int) -> None:
        messages.opened(message_id, by=self.app.signed_in)
        self.post_message(self.Changed(message_id))

    def action_mark(self, state: str) -> None:
        if self.current:
            self._mark(self.current, state)

    @db_work(group="inbox-change")
    def _mark(self, row: InboxRow, state: str) -> None:
        try:
            messages.mark(row, state, version=row.version, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Changed(row.id, str(error)))
        else:
            self.post_message(self.Changed(row.id))

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        if message.refusal:
            self.notify(message.refusal, severity="error", timeout=8)
        self._events.pop(message.message_id, None)
        self._load()

    def action_note(self, kind: str) -> None:
        from screens.message import MessageNote

        row = self.current
        if row is not None:
            self.app.push_screen(MessageNote(kind, row), self._noted)

    def _noted(self, done: bool | None) -> None:
        if done:
            self._load()

    def action_new_message(self) -> None:
        from screens.message import TakeMessage

        self.app.push_screen(TakeMessage(None), self._taken)

    def _taken(self, message_id: int | None) -> None:
        if message_id is not None:
            self.notify("Message saved and sent.", timeout=3)
            self._load()

    def action_toggle_done(self) -> None:
        self.show_done = not self.show_done
        self._load()

    def action_call_log(self) -> None:
        from screens.calllog import CallLogScreen

        self.app.push_screen(CallLogScreen())

