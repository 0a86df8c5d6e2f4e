"""The waiting room (F4): today's arrived patients, how long each has been where
they are, and the keys to room them, mark them seen and check them out.

The minutes tick every 30 seconds from the times already read, without asking
the database; a change made at any terminal reloads the list through the
change feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Input, Label, Static

from frontdesk import clock, config, schedule, waiting
from frontdesk.changes import Change
from frontdesk.checkin import CAN_DEPART
from frontdesk.errors import FrontdeskError
from frontdesk.schedule import Appointment, Status
from frontdesk.text import one_line
from frontdesk.waiting import CAN_ROOM, CAN_SEE, ROOM_LIMIT, Waiting
from screens.actions import FORM, ROOM, WAITING, bindings
from screens.base import DeskModal, DeskScreen, FormFields, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["WaitingScreen", "RoomAsk", "TICK_SECONDS"]

TICK_SECONDS = 30
"""How often the minutes are redrawn; a minute clock needs no more."""

STATE_WIDTH = 15
RECENT_ROOMS = 8
"""Rooms remembered as suggestions, most recent first."""

_DONE = {"room": "in {room}", "seen": "with the provider"}


def _minutes(row: Waiting, now: datetime) -> Text:
    """The clock of the row's present stretch; a long wait says so in words as well
    as colour, so it shows in 16 colours and with NO_COLOR."""
    minutes = row.minutes(now)
    if minutes is None:
        return Text("—", style="dim", justify="right")
    shown = f"{minutes} min" if minutes < 100 else f"{minutes}m"  # the column is 8 wide
    if row.long_wait(now):
        return Text(f"⚠ {shown}", style="bold red", justify="right")
    return Text(shown, justify="right")


def _state(row: Waiting) -> Text:
    mark = row.state.mark
    if row.state is Status.ARRIVED:
        return Text(f"{mark} waiting room")
    if row.state is Status.ROOMED:
        room = one_line(row.room)
        if len(room) > STATE_WIDTH - 2:
            room = room[:STATE_WIDTH - 3] + "…"
        return Text(f"{mark} {room}")
    if row.state is Status.WITH_PROVIDER:
        return Text(f"{mark} with provider")
    out = clock.wall(row.checked_out_at) if row.checked_out_at else ""
    return Text(f"{mark} out {out}".rstrip(), style="dim")


def _cells(row: Waiting, now: datetime) -> tuple[Text, ...]:
    gone = row.state is Status.CHECKED_OUT
    style = "dim" if gone else ("bold" if row.long_wait(now) else "")
    arrived = clock.wall(row.arrived_at) if row.arrived_at else ""
    return (Text(f"{arrived:>5}", style="dim" if gone else ""), _minutes(row, now),
            Text(one_line(row.patient), style=style, overflow="ellipsis", no_wrap=True),
            Text(one_line(row.provider), style="dim" if gone else "", overflow="ellipsis",
                 no_wrap=True),
            Text(f"{clock.wall(row.start):>5}", style="dim" if gone else ""), _state(row))


def _story(row: Waiting, now: datetime) -> Text:
    """The row's whole visit on one line: when each step happened."""
    line = Text.assemble((one_line(row.patient), "bold"), f"  MRN {row.mrn}")
    steps = []
    if row.arrived_at:
        steps.append(f"arrived {clock.wall(row.arrived_at)}")
    waited = row.waited(now)
    if waited is not None:
        steps.append(f"waited {waited} min" if row.roomed_at else f"waiting {waited} min")
    if row.roomed_at and row.room:
        steps.append(f"roomed {clock.wall(row.roomed_at)} in {one_line(row.room)}")
    if row.seen_at:
        steps.append(f"seen {clock.wall(row.seen_at)}")
    if row.checked_out_at:
        steps.append(f"out {clock.wall(row.checked_out_at)}")
    line.append("  ·  " + " · ".join(steps))
    if row.long_wait(now):
        line.append(f"  ⚠ over {config.current().long_wait_minutes} min", style="bold red")
    line.no_wrap, line.overflow = True, "ellipsis"
    return line


class WaitingScreen(DeskScreen):
    CSS_PATH = "waiting.tcss"
    BINDINGS = bindings(WAITING)
    COMMANDS = {ScreenActions}
    AREA = "waiting"
    ACTIONS = WAITING

    @dataclass
    class Loaded(Message):
        day: date
        rows: list[Waiting]

    @dataclass
    class Changed(Message):
        appointment_id: int
        done: str
        refusal: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.day = clock.today()
        self._rows: list[Waiting] = []
        """The rows on screen, in table order."""
        self._loaded = False
        self._pending: set[int] = set()
        """Appointments with a change on its way: their keys wait for the answer."""
        self.recent_rooms: list[str] = []
        """Rooms typed here, most recent first: offered when rooming the next patient."""

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="title")
        yield DataTable(id="room-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="story")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Arrvd", width=5, key="arrived")
        table.add_column("Minutes", width=8, key="minutes")
        table.add_column("Patient", width=19, key="patient")
        table.add_column("Provider", width=14, key="provider")
        table.add_column(" Appt", width=5, key="start")
        table.add_column("Where", width=STATE_WIDTH, key="state")
        self._set_title()
        self._load()
        self.set_interval(TICK_SECONDS, self._tick)

    # -- loading ----------------------------------------------------------------------

    @db_work(group="waiting")
    def _load(self) -> None:
        day = clock.today()
        self.post_message(self.Loaded(day, waiting.room_list(day)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        keep = self.current.id if self.current else None
        self.day, self._rows, self._loaded = message.day, message.rows, True
        now = clock.now()
        table.clear()
        for row in self._rows:
            table.add_row(*_cells(row, now), key=str(row.id))
        index = next((i for i, r in enumerate(self._rows) if r.id == keep), 0)
        if self._rows:
            table.move_cursor(row=index, animate=False)
        self._set_title(now)
        self._show_story(now)
        self.refresh_bindings()

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when a terminal (this one too) changed something."""
        patients = {"*"} | {str(row.patient_id) for row in self._rows}
        if any((c.topic == "appointment" and c.key == schedule.day_key(self.day))
               or (c.topic == "patient" and c.key in patients) or c.topic == "provider"
               for c in changes):
            self._load()

    def on_screen_resume(self) -> None:
        # The change feed only reaches the area on screen: coming back, look again.
        if self._loaded:
            self._load()

    def _tick(self) -> None:
        """Redraw the minutes from the times already read; a new day reloads."""
        if clock.today() != self.day:
            self._load()
            return
        now = clock.now()
        table = self.query_one(DataTable)
        for row in self._rows:
            cells = _cells(row, now)
            table.update_cell(str(row.id), "minutes", cells[1])
            table.update_cell(str(row.id), "patient", cells[2])
        self._set_title(now)
        self._show_story(now)

    # -- what staff see ---------------------------------------------------------------

    def _set_title(self, now: datetime | None = None) -> None:
        # The header above already shows the date.
        text = Text("Waiting room   ", style="bold")
        if not self._loaded or now is None:
            text.append("loading…")
        elif not self._rows:
            text.append("nobody has arrived yet")
        else:
            count = {state: sum(1 for r in self._rows if r.state is state) for state in Status}
            text.append(f"{count[Status.ARRIVED]} waiting · {count[Status.ROOMED]} roomed · "
                        f"{count[Status.WITH_PROVIDER]} with provider · "
                        f"{count[Status.CHECKED_OUT]} out")
            long = sum(1 for r in self._rows if r.long_wait(now))
            if long:
                text.append(f"   ⚠ {long} long", style="bold red")
        self.query_one("#title", Static).update(text)

    def _show_story(self, now: datetime) -> None:
        row = self.current
        story = self.query_one("#story", Static)
        if row is None:
            story.update("Patients appear here when they are checked in (F2, then a)."
                         if self._loaded else "")
        else:
            story.update(_story(row, now))

    @property
    def current(self) -> Waiting | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self._rows)

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_story(clock.now())
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def _chosen(self) -> None:
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed_from = {"room": CAN_ROOM, "seen": CAN_SEE, "check_out": CAN_DEPART}
        if action == "open":
            return None if self.current is None else True
        if action in allowed_from:
            row = self.current
            if row is None or row.id in self._pending or row.state not in allowed_from[action]:
                return None
        return True

    # -- actions ----------------------------------------------------------------------

    def action_open(self) -> None:
        if self.current:
            from screens.appointment import AppointmentScreen  # not at start-up

            self.app.push_screen(AppointmentScreen(self.current.id))

    def action_room(self) -> None:
        row = self.current
        if row is None or not self.check_action("room", ()):
            return
        in_use = [one_line(r.room) for r in self._rows if r.state is Status.ROOMED and r.room]
        self.app.push_screen(RoomAsk(row, self.recent_rooms, in_use), self._roomed)

    def _roomed(self, changed: Appointment | None) -> None:
        if changed is None:
            return
        self.recent_rooms = ([changed.room]
                             + [r for r in self.recent_rooms if r != changed.room]
                             )[:RECENT_ROOMS]
        self.post_message(self.Changed(changed.id, _DONE["room"].format(room=changed.room)))

    def action_seen(self) -> None:
        self._change("seen")

    def action_check_out(self) -> None:
        """The same check-out as the schedule's: done, and the next visit offered."""
        row = self.current
        if row is None or not self.check_action("check_out", ()):
            return
        from screens.checkin import CheckOutPanel  # not at start-up

        self.app.push_screen(CheckOutPanel(row.id), lambda _: self._load())

    def _change(self, action: str) -> None:
        row = self.current
        if row is None or not self.check_action(action, ()):
            return
        self._pending.add(row.id)
        self.refresh_bindings()
        self._apply(action, row)

    @db_work(group="waiting-change", exclusive=False)
    def _apply(self, action: str, row: Waiting) -> None:
        try:
            waiting.with_provider(row.appointment, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Changed(row.id, "", str(error)))
        else:
            self.post_message(self.Changed(row.id, _DONE[action]))

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        self._pending.discard(message.appointment_id)
        row = next((r for r in self._rows if r.id == message.appointment_id), None)
        name = one_line(row.patient) if row else "The patient"
        if message.refusal:
            self.notify(message.refusal, severity="error", timeout=8, markup=False)
        else:
            self.notify(f"{name}: {one_line(message.done)}.", timeout=4, markup=False)
        # At once, not at the next change-feed poll: staff look for the row to move.
        self._load()


class RoomAsk(FormFields, DeskModal[Appointment | None]):
    """Which room the patient goes to. What was typed stays when the rooming is
    refused; dismissed with the changed appointment once it is saved."""

    CSS_PATH = "waiting.tcss"
    BINDINGS = [*bindings(ROOM), *bindings(FORM)]
    AREA = "room"
    ACTIONS = ROOM

    @dataclass
    class Answered(Message):
        changed: Appointment | None
        refusal: str = ""

    def __init__(self, row: Waiting, recent: list[str], in_use: list[str]) -> None:
        super().__init__()
        self.row = row
        self.recent = list(recent)
        self.in_use = in_use

    def compose(self) -> ComposeResult:
        where = "Move" if self.row.state is Status.ROOMED else "Room"
        with Vertical(id="box"):
            yield Static(Text.assemble(f"{where} · ", (one_line(self.row.patient), "bold"),
                                       f"   MRN {self.row.mrn}"), id="box-title")
            yield Label("Room")
            suggestions = self.recent + [r for r in self.in_use if r not in self.recent]
            yield Input(id="room", max_length=ROOM_LIMIT, placeholder="3, Exam 2, Lab",
                        suggester=SuggestFromList(suggestions, case_sensitive=False))
            yield Label(self._rooms_line(), id="rooms")
            yield Label("", id="refusal")
            yield Static("Enter rooms the patient · → takes the suggestion · Esc closes",
                         id="box-hint")

    def _rooms_line(self) -> Text:
        parts = []
        if self.recent:
            parts.append("Recent: " + ", ".join(one_line(r) for r in self.recent))
        if self.in_use:
            parts.append("In use: " + ", ".join(one_line(r) for r in self.in_use))
        return Text("   ".join(parts))

    def on_mount(self) -> None:
        self.query_one("#room", Input).focus()

    def submit(self) -> None:
        self.query_one("#refusal", Label).update("Saving…")
        self._save(self.query_one("#room", Input).value)

    @db_work(group="room")
    def _save(self, room: str) -> None:
        try:
            changed = waiting.room(self.row.appointment, room, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error)))
        else:
            self.post_message(self.Answered(changed))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.changed is not None:
            self.dismiss(message.changed)
            return
        self.query_one("#refusal", Label).update(Text(message.refusal))
        self.query_one("#room", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
