"""Chart prep: `c` on the schedule. The day's appointments whose charts miss
something (forms due, demographics, insurance), to step through and clear.

A row cleared stays where it was, marked ready, so the cursor never jumps while
staff work down the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk import chartprep, clock, forms, patients, schedule
from frontdesk.changes import Change
from frontdesk.chartprep import Gap
from frontdesk.dates import describe, parse_date, short
from frontdesk.errors import FrontdeskError, InvalidInput
from frontdesk.text import one_line
from screens.actions import CHART_PREP, FORM, SIGN_FORMS, bindings
from screens.base import DeskModal, DeskScreen, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["ChartPrepScreen", "SignForms"]

READY = Text("ready ✓", style="bold green")


def _verify():
    """The demographics check-off, where this build of the patient record has one."""
    return getattr(patients, "verify", None)


class ChartPrepScreen(DeskScreen):
    CSS_PATH = "chartprep.tcss"
    BINDINGS = bindings(CHART_PREP)
    COMMANDS = {ScreenActions}
    AREA = "chart prep"
    ACTIONS = CHART_PREP

    @dataclass
    class Loaded(Message):
        rows: list[Gap]

    @dataclass
    class Verified(Message):
        patient: str

    def __init__(self, day: date) -> None:
        super().__init__()
        self.day = day
        self._rows: list[Gap] = []
        """The rows on screen, in table order."""
        self._listed: set[int] = set()
        """Appointments listed once: kept (marked ready) after they are cleared."""
        self._loaded = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="title")
        yield DataTable(id="worklist", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Time", width=5, key="time")
        table.add_column("Patient", width=22, key="patient")
        table.add_column("With", width=12, key="provider")
        table.add_column("Needs", width=27, key="needs")
        self._set_title()
        self._load()

    # -- loading ----------------------------------------------------------------------

    @db_work(group="chart-prep")
    def _load(self) -> None:
        self.post_message(self.Loaded(chartprep.worklist(self.day)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        keep = self.current.appointment_id if self.current else None
        listed = [row for row in message.rows
                  if not row.ready or row.appointment_id in self._listed]
        self._listed.update(row.appointment_id for row in listed)
        self._rows = listed
        table.clear()
        for row in listed:
            table.add_row(Text(f"{clock.wall(row.start):>5}"), Text(one_line(row.patient)),
                          Text(one_line(row.provider)),
                          READY if row.ready else Text(row.short, overflow="ellipsis"),
                          key=str(row.appointment_id))
        index = next((i for i, r in enumerate(listed) if r.appointment_id == keep), 0)
        if listed:
            table.move_cursor(row=index, animate=False)
        self._loaded = True
        self._set_title(message.rows)
        self._show_detail()
        self.refresh_bindings()

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when a terminal (this one too) changed something."""
        patient_keys = {"*"} | {str(row.patient_id) for row in self._rows}
        if any((c.topic == "appointment" and c.key == schedule.day_key(self.day))
               or (c.topic == "patient" and c.key in patient_keys) or c.topic == "provider"
               for c in changes):
            self._load()

    # -- what staff see ---------------------------------------------------------------

    def _set_title(self, rows: list[Gap] | None = None) -> None:
        offset = (self.day - clock.today()).days
        when = {0: " (today)", 1: " (tomorrow)", -1: " (yesterday)"}.get(offset, "")
        text = f"Chart prep · {describe(self.day)}{when}   "
        if not self._loaded or rows is None:
            text += "loading…"
        elif not rows:
            text += "no appointments"
        else:
            needing = sum(1 for row in rows if not row.ready)
            noun = "appointment" if len(rows) == 1 else "appointments"
            text += f"{needing} of {len(rows)} {noun} need something"
        self.query_one("#title", Static).update(text)

    def _show_detail(self) -> None:
        row = self.current
        detail = self.query_one("#detail", Static)
        if row is None:
            detail.update("Every chart for this day is ready." if self._loaded else "")
            return
        lines = Text.assemble(
            (one_line(row.patient), "bold"), f"   MRN {row.mrn}   ",
            f"{clock.wall(row.start)} with {one_line(row.provider)}")
        # Forms on one line: with demographics and insurance the box never outgrows 5 lines.
        due = ", ".join(forms.KINDS[kind] for kind in row.forms_due)
        for gap in [f"Forms due: {due}" if due else "", row.demographics, row.coverage]:
            if gap:
                lines.append(f"\n • {gap}")
        if row.ready:
            lines.append("\n ✓ Ready: nothing missing.", "green")
        detail.update(lines)

    @property
    def current(self) -> Gap | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self._rows)

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def _chosen(self) -> None:
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self.current
        if action == "verify":
            if _verify() is None:
                return False
            return None if row is None or not row.demographics else True
        if action == "sign":
            return None if row is None or not row.forms_due else True
        if action in ("open", "next_gap"):
            return None if row is None else True
        return True

    # -- actions ----------------------------------------------------------------------

    def action_open(self) -> None:
        if self.current:
            from screens.appointment import AppointmentScreen  # not at start-up

            self.app.push_screen(AppointmentScreen(self.current.appointment_id))

    def action_next_gap(self) -> None:
        """The next row below the cursor that still needs something, round to the top."""
        if not self._rows:
            return
        start = self.query_one(DataTable).cursor_row
        count = len(self._rows)
        for step in range(1, count + 1):
            index = (start + step) % count
            if not self._rows[index].ready:
                self.query_one(DataTable).move_cursor(row=index)
                return
        self.notify("Every chart on the list is ready.", timeout=4)

    def action_sign(self) -> None:
        row = self.current
        if row is not None and row.forms_due:
            self.app.push_screen(SignForms(row), self._signed)

    def _signed(self, recorded: bool | None) -> None:
        if recorded:
            self._load()

    def action_verify(self) -> None:
        row = self.current
        if row is not None and row.demographics and _verify() is not None:
            self._mark_verified(row)

    @db_work(group="chart-prep-verify")
    def _mark_verified(self, row: Gap) -> None:
        _verify()(patients.Patient.get_by_id(row.patient_id), by=self.app.signed_in)
        self.post_message(self.Verified(row.patient))

    @on(Verified)
    def _verified(self, message: Verified) -> None:
        self.notify(f"{one_line(message.patient)}: demographics verified.", timeout=4)
        self._load()

    def action_close(self) -> None:
        self.dismiss()


class SignForms(DeskModal[bool]):
    """The forms due for one appointment's patient, one key each, and the day they
    were signed (today unless changed). Each key records its form at once; the
    dialog closes when every form listed is recorded."""

    CSS_PATH = "chartprep.tcss"
    BINDINGS = [*bindings(SIGN_FORMS), *bindings(FORM)]
    AREA = "forms signed"
    ACTIONS = SIGN_FORMS

    @dataclass
    class Answered(Message):
        kind: str
        signed_on: date | None
        refusal: str = ""
        field: str = ""

    def __init__(self, row: Gap) -> None:
        super().__init__()
        self.row = row
        self._recorded: dict[str, date] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(Text.assemble("Forms signed · ", (one_line(self.row.patient), "bold"),
                                       f"   MRN {self.row.mrn}"), id="box-title")
            yield Label("Signed on")
            yield Input(short(clock.today()), id="signed_on", max_length=40)
            yield Label(describe(clock.today()), id="echo")
            yield OptionList(*[Option(self._line(kind), id=kind) for kind in self.row.forms_due],
                             id="due")
            yield Label("", id="refusal")
            yield Static("A form's key records it · Tab: the date · Esc closes",
                         id="box-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _line(self, kind: str) -> Text:
        if kind in self._recorded:
            return Text(f"✓  {forms.KINDS[kind]}: signed {short(self._recorded[kind])}",
                        style="green")
        return Text.assemble((f"{kind[0]}", "bold"), f"  {forms.KINDS[kind]}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sign":
            kind = str(parameters[0]) if parameters else ""
            return kind in self.row.forms_due and kind not in self._recorded
        return True

    # -- the date ---------------------------------------------------------------------

    def _date(self) -> date:
        return parse_date(self.query_one("#signed_on", Input).value, today=clock.today())

    @on(Input.Changed)
    def _echo(self) -> None:
        """Say back the day understood, so 3/4 read as the wrong year shows at once."""
        echo = self.query_one("#echo", Label)
        try:
            echo.update(describe(self._date()))
        except InvalidInput:
            echo.update("…")

    def action_next_field(self) -> None:
        """Enter in the date goes back to the forms at once, so the next key typed is
        a form's key, not a letter in the date."""
        if not isinstance(self.focused, Input):
            raise SkipAction()  # on the list, Enter picks the highlighted form
        try:
            self._date()
        except InvalidInput as error:
            self._refuse(str(error), "signed_on")
            return
        self.query_one("#refusal", Label).update("")
        self.query_one(OptionList).focus()

    # -- recording --------------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and self.check_action("sign", (event.option.id,)):
            self.action_sign(event.option.id)

    def action_sign(self, kind: str) -> None:
        if not self.check_action("sign", (kind,)):
            return
        try:
            signed_on = self._date()
        except InvalidInput as error:
            self._refuse(str(error), "signed_on")
            return
        self.query_one("#refusal", Label).update("Saving…")
        self._record(kind, signed_on)

    @db_work(group="sign-forms", exclusive=False)
    def _record(self, kind: str, signed_on: date) -> None:
        try:
            patient = patients.Patient.get_by_id(self.row.patient_id)
            forms.record(patient, kind, signed_on, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(kind, None, str(error), error.field or ""))
        else:
            self.post_message(self.Answered(kind, signed_on))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.signed_on is None:
            self._refuse(message.refusal, message.field)
            return
        self._recorded[message.kind] = message.signed_on
        self.query_one("#refusal", Label).update("")
        options = self.query_one(OptionList)
        options.replace_option_prompt(message.kind, self._line(message.kind))
        options.disable_option(message.kind)
        if all(kind in self._recorded for kind in self.row.forms_due):
            self.dismiss(True)
            return
        left = next(i for i, kind in enumerate(self.row.forms_due) if kind not in self._recorded)
        options.highlighted = left
        self.refresh_bindings()

    def _refuse(self, message: str, field: str) -> None:
        self.query_one("#refusal", Label).update(message)
        if field == "signed_on":
            self.query_one("#signed_on", Input).focus()

    def action_close(self) -> None:
        self.dismiss(bool(self._recorded))
