"""A recurring series, booked in one go from the booking form.

The booking form opens `SeriesForm` with what it holds (patient, provider, visit
type, first day and time); staff say how often and how many, see the days, and
book. What could not be booked is listed with the reason, and the rest stays
booked. Dismissed with the `SeriesReport`, or None when nothing was booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from frontdesk import clock, series
from frontdesk.dates import describe
from frontdesk.errors import FrontdeskError, InvalidInput
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.schedule import AppointmentType
from frontdesk.series import SeriesReport
from frontdesk.text import one_line
from screens.actions import FORM, SERIES, bindings
from screens.base import DeskModal, FormFields, db_work
from screens.widgets import KeyBar

__all__ = ["SeriesForm"]


def _numbers(every: str, count: str) -> tuple[int, int]:
    try:
        every_weeks = int(every.strip() or "0")
    except ValueError:
        raise InvalidInput("Every how many weeks: type a number, 1 for weekly.",
                           field="every_weeks") from None
    try:
        visits = int(count.strip() or "0")
    except ValueError:
        raise InvalidInput("How many visits: type a number.", field="count") from None
    return every_weeks, visits


class SeriesForm(FormFields, DeskModal[SeriesReport | None]):
    CSS_PATH = "series.tcss"
    BINDINGS = [*bindings(SERIES), *bindings(FORM)]
    AREA = "series"
    ACTIONS = SERIES

    @dataclass
    class Answered(Message):
        report: SeriesReport | None
        refusal: str = ""
        field: str = ""

    def __init__(self, *, patient_id: int, provider_id: int, type_id: int, first_on: date,
                 at: time, reason: str = "", patient: str = "", provider: str = "",
                 type_name: str = "") -> None:
        super().__init__()
        self.patient_id, self.provider_id, self.type_id = patient_id, provider_id, type_id
        self.first_on, self.at, self.reason = first_on, at, reason
        self.words = (patient, provider, type_name)
        self.report: SeriesReport | None = None

    def compose(self) -> ComposeResult:
        patient, provider, type_name = (one_line(word) for word in self.words)
        with Vertical(id="form"):
            yield Static(Text.assemble((patient or "The patient", "bold"),
                                       f" · {type_name} with {provider}" if provider else "",
                                       f"\nFrom {describe(self.first_on)} at "
                                       f"{clock.wall(self.at)}"), id="what")
            with Horizontal(classes="row"):
                yield Label("Every", classes="label")
                yield Input("1", id="every_weeks", compact=True, max_length=2)
                yield Label("week(s),", classes="after")
                yield Input("8", id="count", compact=True, max_length=2)
                yield Label("visits", classes="after")
            yield Static("", id="days")
            yield Label("", id="refusal")
            yield Static("", id="report")
            yield Static("⏎ next field, on the last books · esc closes", id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#form").border_title = "Book a series"
        self.query_one("#every_weeks", Input).focus()
        self._preview()

    @on(Input.Changed)
    def _preview(self) -> None:
        """The days it would take, said back as staff change the numbers."""
        days = self.query_one("#days", Static)
        try:
            every, count = _numbers(self.query_one("#every_weeks", Input).value,
                                    self.query_one("#count", Input).value)
            dates = series.occurrences(self.first_on, every_weeks=every, count=count)
        except FrontdeskError as error:
            days.update(Text(str(error), style="dim"))
            return
        shown = ", ".join(f"{d.month}/{d.day}" for d in dates[:12])
        more = f" and {len(dates) - 12} more" if len(dates) > 12 else ""
        days.update(f"{len(dates)} visits, {dates[0]:%A}s at {clock.wall(self.at)}: "
                    f"{shown}{more}")

    def submit(self) -> None:
        if self.report is not None:
            self.dismiss(self.report)
            return
        self.query_one("#refusal", Label).update("Booking…")
        self._book(self.query_one("#every_weeks", Input).value,
                   self.query_one("#count", Input).value)

    @db_work(group="series")
    def _book(self, every: str, count: str) -> None:
        try:
            every_weeks, visits = _numbers(every, count)
            report = series.book_series(
                Patient.get_by_id(self.patient_id), Provider.get_by_id(self.provider_id),
                AppointmentType.get_by_id(self.type_id), self.first_on, self.at,
                every_weeks=every_weeks, count=visits, by=self.app.signed_in,
                reason=self.reason)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error), error.field or ""))
        else:
            self.post_message(self.Answered(report))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        refusal = self.query_one("#refusal", Label)
        if message.report is None:
            refusal.update(message.refusal)
            if message.field and self.query(f"#{message.field}"):
                self.query_one(f"#{message.field}").focus()
            return
        self.report = message.report
        refusal.display = False
        for field in self.query(Input):
            field.disabled = True  # booked: the numbers are history now
        text = Text.assemble((message.report.summary, "bold"))
        for refused in message.report.refused:
            text.append(f"\n{refused.line}", style="red")
        self.query_one("#report", Static).update(text)
        self.query_one("#form-hint", Static).update("esc closes")

    def action_close(self) -> None:
        self.dismiss(self.report)
