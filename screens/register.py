"""Registering a patient, and editing one's demographics: the same form.

A new patient is checked, then looked for among the patients on file (same
birthday or phone, similar name); staff open the one found or register anyway.
An edit saves against the version the form was filled from. Whatever is refused,
the form keeps what was typed and the field at fault gets the focus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk import clock, patients, telephone
from frontdesk.dates import Kind, describe, parse_date, short
from frontdesk.errors import FrontdeskError, InvalidInput
from frontdesk.patients import Draft, age
from frontdesk.text import one_line
from screens.actions import DUPLICATES, FORM, REGISTER, bindings
from screens.base import DeskModal, FormFields, db_work
from screens.widgets import KeyBar

__all__ = ["RegisterForm", "DuplicateWarning", "Candidate", "open_registration"]

_SEX_HINT = "F female · M male · X non-binary · U unknown"

# (label, field id, max length, css class): one row of the form each, or a pair.
_ROWS: tuple[tuple[tuple[str, str, int, str], ...], ...] = (
    (("First name", "first_name", 50, "wide"), ("Middle", "middle_name", 50, "short")),
    (("Last name", "last_name", 50, "full"),),
    (("Born", "dob", 20, "date"),),
    (("Sex", "sex", 12, "code"),),
    (("Mobile", "phone_mobile", 30, "phone"), ("Home", "phone_home", 30, "phone")),
    (("Work", "phone_work", 30, "phone"),),
    (("Email", "email", 120, "full"),),
    (("Address", "address1", 100, "full"),),
    (("", "address2", 100, "full"),),
    (("City", "city", 60, "wide"), ("State", "state", 2, "state"), ("ZIP", "zip", 10, "zip")),
    (("Alerts", "alerts", patients.ALERTS_MAX, "alerts"),),
)


_GROUP_STARTS = {"dob", "phone_mobile", "email", "alerts"}
"""A blank line before each: fields of one size stacked would read as one block."""


def _draft_values(draft: Draft) -> dict[str, str]:
    values = {name: getattr(draft, name) for name in (
        "first_name", "middle_name", "last_name", "dob", "sex", "email", "address1",
        "address2", "city", "state", "zip", "alerts")}
    values.update({f"phone_{kind}": draft.phones.get(kind, "") for kind in patients.PHONE_KINDS})
    return values


@dataclass(frozen=True)
class Candidate:
    """A patient on file who may be the one being registered, as the warning lists them."""

    patient_id: int
    name: str
    """Filed name."""
    dob: date
    phone: str
    """The first number on file, as staff write it; empty if none."""
    mrn: str

    def line(self, today: date) -> Text:
        return Text.assemble(
            (f"{one_line(self.name)[:24]:<25}", "bold"),
            f"{short(self.dob)} {f'({age(self.dob, today)})':<6}",
            f"{self.phone or '—':<15} ", f"MRN {self.mrn}")


class RegisterForm(FormFields, DeskModal[int | None]):
    """`RegisterForm(prefill)` registers a new patient; dismissed with the patient's
    id (new, or the possible duplicate staff chose to open instead) or None.
    With `patient_id` and `version` it edits that patient's demographics."""

    CSS_PATH = "register.tcss"
    BINDINGS = [*bindings(REGISTER), *bindings(FORM)]
    AREA = "patient form"
    ACTIONS = REGISTER

    @dataclass
    class Answered(Message):
        patient_id: int | None
        refusal: str = ""
        field: str = ""

    @dataclass
    class MaybeKnown(Message):
        """Patients on file who may be the one typed: staff choose."""

        candidates: list[Candidate]

    def __init__(self, prefill: Draft | None = None, *, patient_id: int | None = None,
                 version: int | None = None, title: str = "") -> None:
        super().__init__()
        self.prefill = prefill or Draft()
        self.patient_id, self.version = patient_id, version
        self.title_text = title or ("Edit demographics" if patient_id else
                                    "Register a new patient")

    @property
    def editing(self) -> bool:
        return self.patient_id is not None

    def compose(self) -> ComposeResult:
        values = _draft_values(self.prefill)
        with VerticalScroll(id="form"):
            yield Static(self.title_text, id="form-title")
            for row in _ROWS:
                gap = " gap" if row[0][1] in _GROUP_STARTS else ""
                with Horizontal(classes="row" + gap):
                    for index, (label, field_id, limit, width) in enumerate(row):
                        yield Label(label, classes="first" if index == 0 else "next")
                        yield Input(values[field_id], id=field_id, max_length=limit,
                                    classes=width, compact=True)
                    if row[0][1] == "dob":
                        yield Label("", id="dob-echo", classes="echo")
                    if row[0][1] == "sex":
                        yield Label(_SEX_HINT, classes="echo")
            yield Label("", id="refusal")
            yield Static("Enter: next field, saves on the last · ^s saves · Esc closes",
                         id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self._echo_dob(self.query_one("#dob", Input).value)
        self.query_one("#first_name", Input).focus()

    # -- what the typed date means ----------------------------------------------------

    @on(Input.Changed, "#dob")
    def _dob_changed(self, event: Input.Changed) -> None:
        self._echo_dob(event.value)

    def _echo_dob(self, text: str) -> None:
        """Say back the date understood, so 3/4/26 read as 1926 is seen at once."""
        echo = self.query_one("#dob-echo", Label)
        if not text.strip():
            echo.update("3/4/1980 or 1980-03-04")
            return
        try:
            born = parse_date(text, today=clock.today(), kind=Kind.BIRTH)
        except InvalidInput:
            echo.update("…")
            return
        echo.update(f"→ {describe(born)} · age {age(born, clock.today())}")

    # -- saving -----------------------------------------------------------------------

    def draft(self) -> Draft:
        """The form as typed, every field as text."""
        value = {field.id: field.value for field in self.query(Input)}
        return Draft(
            first_name=value["first_name"], middle_name=value["middle_name"],
            last_name=value["last_name"], dob=value["dob"], sex=value["sex"],
            phones={kind: value[f"phone_{kind}"] for kind in patients.PHONE_KINDS},
            email=value["email"], address1=value["address1"], address2=value["address2"],
            city=value["city"], state=value["state"], zip=value["zip"], alerts=value["alerts"])

    def action_save(self) -> None:
        self._submit_after(self._fields())

    def submit(self) -> None:
        self._say("Saving…", error=False)
        self._save(self.draft(), anyway=False)

    @db_work(group="register-form")
    def _save(self, draft: Draft, *, anyway: bool) -> None:
        by = self.app.signed_in
        try:
            if self.editing:
                patients.update(self.patient_id, draft, version=self.version, by=by)
                self.post_message(self.Answered(self.patient_id))
                return
            checked = patients.check(draft)
            if not anyway:
                found = patients.possible_duplicates(checked, by=by)
                if found:
                    self.post_message(self.MaybeKnown(_candidates(found)))
                    return
            self.post_message(self.Answered(patients.register(draft, by=by).id))
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error), error.field or ""))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.patient_id is not None:
            self.dismiss(message.patient_id)
            return
        self._say(message.refusal)
        field = _field_for(message.field)
        if field and self.query(f"#{field}"):
            self.query_one(f"#{field}", Input).focus()

    @on(MaybeKnown)
    def _maybe_known(self, message: MaybeKnown) -> None:
        self._say("Possible duplicates: open one, or register anyway.", error=False)
        self.app.push_screen(DuplicateWarning(message.candidates), self._chosen)

    def _chosen(self, choice: int | str | None) -> None:
        if isinstance(choice, int):
            self.dismiss(choice)
        elif choice == "register":
            self._say("Saving…", error=False)
            self._save(self.draft(), anyway=True)
        else:
            self._say("Not registered yet: change what is needed and save again.",
                      error=False)

    def _say(self, text: str, *, error: bool = True) -> None:
        refusal = self.query_one("#refusal", Label)
        refusal.update(text)
        refusal.set_class(error, "error")

    def action_close(self) -> None:
        self.dismiss(None)


def _field_for(field: str) -> str:
    """The form field a domain refusal names ("phone" alone: the first phone box)."""
    return "phone_mobile" if field == "phone" else field


def _candidates(found: list[patients.Patient]) -> list[Candidate]:
    numbers = patients.phones_of(found)
    return [Candidate(p.id, p.filed_name, p.dob,
                      telephone.display(numbers[p.id][0][1]) if numbers.get(p.id) else "",
                      p.mrn) for p in found]


class DuplicateWarning(DeskModal[int | str | None]):
    """Patients on file who may be the one being registered. Dismissed with the id of
    the one to open, "register" to register anyway, or None to go back to the form."""

    CSS_PATH = "register.tcss"
    BINDINGS = bindings(DUPLICATES)
    AREA = "possible duplicates"
    ACTIONS = DUPLICATES

    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__()
        self.candidates = candidates

    def compose(self) -> ComposeResult:
        today = clock.today()
        with Vertical(id="box"):
            noun = "patient" if len(self.candidates) == 1 else "patients"
            yield Static(f"Already registered? {len(self.candidates)} {noun} on file "
                         "with the same birth date or phone and a similar name:",
                         id="box-title")
            yield OptionList(*[Option(c.line(today), id=str(c.patient_id))
                               for c in self.candidates], id="candidates")
            yield Static("⏎ open that patient instead · r register anyway · Esc back "
                         "to the form", id="box-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def action_open(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(self.candidates[index].patient_id)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_register_anyway(self) -> None:
        self.dismiss("register")

    def action_back(self) -> None:
        self.dismiss(None)


def open_registration(screen: Screen, prefill: Draft | None = None) -> None:
    """The registration form, then the record of the patient registered or chosen."""
    from screens.patient import PatientScreen  # the record imports this module

    def opened(patient_id: int | None) -> None:
        if patient_id is not None:
            screen.app.push_screen(PatientScreen(patient_id))

    screen.app.push_screen(RegisterForm(prefill), opened)
