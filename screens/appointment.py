"""One appointment, read-only: who, what, when, and who booked it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from frontdesk import clock, schedule, telephone
from frontdesk.dates import describe, short
from frontdesk.patients import SEXES, age
from frontdesk.text import one_line
from screens.actions import DETAIL, bindings
from screens.widgets.keybar import KeyBar
from screens.base import DeskModal, db_work

__all__ = ["AppointmentScreen"]


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    day = moment.date()
    return clock.wall(moment) if day == clock.today() else f"{short(day)} {clock.wall(moment)}"


class AppointmentScreen(DeskModal):
    CSS_PATH = "appointment.tcss"
    BINDINGS = bindings(DETAIL)
    AREA = "appointment"
    ACTIONS = DETAIL

    @dataclass
    class Loaded(Message):
        detail: schedule.Detail

    def __init__(self, appointment_id: int) -> None:
        super().__init__()
        self.appointment_id = appointment_id

    def compose(self) -> ComposeResult:
        with Vertical(id="card"):
            yield Static("Loading…", id="body")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load(self.app.signed_in)

    @db_work(group="appointment")
    def _load(self, person) -> None:
        self.post_message(self.Loaded(schedule.detail(self.appointment_id, by=person)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        d = message.detail
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        born = f"{short(d.dob)} (age {age(d.dob, clock.today())}), {SEXES.get(d.sex, d.sex)}"
        rows = [
            ("Patient", Text(f"{one_line(d.patient)}   MRN {d.mrn}", style="bold")),
            ("Born", born),
            ("Phone", ", ".join(f"{telephone.display(n)} ({k})" for k, n in d.phones) or "none"),
            ("When", f"{describe(d.start.date())}, {clock.wall(d.start)}-{clock.wall(d.end)} "
                     f"({d.minutes} min)"),
            ("With", one_line(d.provider)),
            ("Visit", one_line(d.type_name)),
            ("Status", f"{d.status.mark} {d.status.label}"),
        ]
        if d.reason:
            rows.append(("Reason", one_line(d.reason)))
        if d.note:
            rows.append(("Note", one_line(d.note)))
        if d.arrived_at:
            rows.append(("Arrived", _when(d.arrived_at)))
        if d.checked_out_at:
            rows.append(("Checked out", _when(d.checked_out_at)))
        if d.cancelled_at:
            rows.append(("Cancelled", f"{_when(d.cancelled_at)}: {one_line(d.cancel_reason)}"))
        rows.append(("Booked", f"{_when(d.booked_at)} by {one_line(d.booked_by)}"))
        if d.updated_at != d.booked_at:
            rows.append(("Last change", f"{_when(d.updated_at)} by {one_line(d.updated_by)}"))
        for label, value in rows:
            grid.add_row(label, value)
        self.query_one("#body", Static).update(grid)

    def action_close(self) -> None:
        self.dismiss(None)
