"""Booking, moving, cancelling and no-shows: the dialogs the schedule opens.

The rules are frontdesk.schedule's; these dialogs gather what staff type and show
what the domain says. Two refusals can be answered on the spot: a provider who may
see more than one at once (staff confirm the overbooking) and a time outside the
provider's hours (a manager gives a reason). `answer_refusal` asks and tries again;
anything else is shown where staff are, with what they typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from frontdesk import calendar, clock, config, referrals, schedule, waitlist
from frontdesk.dates import Kind, describe, parse_date, short
from frontdesk.errors import Conflict, FrontdeskError, InvalidInput
from frontdesk.lookup import Hit
from frontdesk.patients import Patient
from frontdesk.providers import Provider, active_providers
from frontdesk.roles import Permission, allowed
from frontdesk.schedule import CANCEL_CATEGORIES, AppointmentType, OutsideHours, OverbookPossible
from frontdesk.text import one_line
from screens.actions import (BOOK_FORM, BOOKING_CONFIRM, CANCEL_FORM, FORM, MOVE_TIME,
                             OVERRIDE_FORM, bindings)
from screens.base import DeskModal, FormFields, db_work
from screens.widgets import KeyBar
from screens.widgets.patient_picker import Chosen, PatientPicker

__all__ = ["Refusal", "Answers", "Place", "answer_refusal", "BookForm", "Confirm",
           "OverrideReason", "MoveTime", "CancelForm", "Cancelled", "slots_filled"]

PAUSE = 0.12
"""Seconds of no typing before the patient search runs: a fast typist's word is searched once."""
HITS = 3
"""Patients listed under the search box: the best few; typing more narrows them."""


# -- refusals the desk can answer ----------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A domain refusal as a dialog shows it, with what kind of answer it allows."""

    message: str
    kind: str = "refused"
    """overbook (staff may confirm), outside (a manager may override), taken (something
    is in the way: the day is read again), referral (a warning: staff may go on),
    refused (anything else)."""
    field: str = ""

    @classmethod
    def of(cls, error: FrontdeskError) -> Refusal:
        if isinstance(error, OverbookPossible):
            kind = "overbook"
        elif isinstance(error, OutsideHours):
            kind = "outside"
        elif isinstance(error, Conflict):
            kind = "taken"
        else:
            kind = "refused"
        return cls(str(error), kind, error.field or "")

    @property
    def in_the_way(self) -> bool:
        """Something on the day may look different now than on screen."""
        return self.kind in ("overbook", "outside", "taken")


@dataclass
class Answers:
    """What staff answered to the refusals of one booking or move, for the retry."""

    overbook: bool = False
    override_reason: str = ""
    referral_ok: bool = False
    """Staff were told the plan wants a referral that is not on file, and went on."""


@dataclass(frozen=True)
class Place:
    """Where a booking or a move put an appointment, for the schedule to go to."""

    provider_id: int
    on: date
    at: time


def answer_refusal(screen: Screen, refusal: Refusal, answers: Answers,
                   retry: Callable[[], None], show: Callable[[Refusal], None]) -> None:
    """Ask staff what the refusal allows (overbook? a manager's reason?) and try again
    with the answer; show any other refusal, or the same one when the answer is no."""
    app = screen.app
    if refusal.kind == "referral" and not answers.referral_ok:
        def going_on(yes: bool | None) -> None:
            if yes:
                answers.referral_ok = True
                retry()
            else:
                show(Refusal("Not booked: nothing was changed.", "refused"))

        app.push_screen(Confirm(refusal.message + " Book anyway?", yes="y books anyway",
                                no="n or Esc: not now"), going_on)
    elif refusal.kind == "overbook" and not answers.overbook:
        def confirmed(yes: bool | None) -> None:
            if yes:
                answers.overbook = True
                retry()
            else:
                show(Refusal("Not overbooked: nothing was changed.", "refused"))

        app.push_screen(Confirm(refusal.message, yes="y overbooks", no="n or Esc: no"),
                        confirmed)
    elif (refusal.kind == "outside" and not answers.override_reason
          and allowed(app.signed_in, Permission.OVERRIDE_SCHEDULE)):
        def given(reason: str | None) -> None:
            if reason:
                answers.override_reason = reason
                retry()
            else:
                show(refusal)

        app.push_screen(OverrideReason(refusal.message), given)
    else:
        show(refusal)


def slots_filled(minutes: int) -> int:
    slot = config.current().slot_minutes
    return max(1, -(-minutes // slot))


def _slots_words(minutes: int) -> str:
    filled = slots_filled(minutes)
    return f"{minutes} min, {filled} slot{'s' if filled > 1 else ''}"


# -- booking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Picked:
    """The patient chosen for the booking."""

    patient_id: int
    name: str
    """Filed name: `García, María`."""
    about: str
    """Born and MRN, to tell two of one name apart."""

    @classmethod
    def of(cls, chosen: Chosen) -> Picked:
        return cls(chosen.patient_id, chosen.filed_name,
                   f"born {short(chosen.dob)}  MRN {chosen.mrn}")


@dataclass(frozen=True)
class _Kind:
    id: int
    name: str
    minutes: int


@dataclass(frozen=True)
class _Typed:
    """The booking form as typed: resolved to a booking in the worker."""

    patient_id: int
    type_id: int
    provider_id: int | None
    on: date | None
    at: time | None
    day_text: str
    time_text: str
    reason: str
    note: str


def _when(typed: _Typed) -> tuple[Provider, date, time]:
    """The provider, day and time of a booking, as given by the slot or as typed."""
    if typed.provider_id is None:
        raise InvalidInput("Choose the provider.", field="provider")
    on, at = typed.on, typed.at
    if on is None:
        try:
            on = parse_date(typed.day_text, today=clock.today(), kind=Kind.ANY)
        except InvalidInput as error:
            raise InvalidInput(str(error), field="day") from None
    if at is None:
        at = calendar.parse_time(typed.time_text, field="at", label="Time")
    return Provider.get_by_id(typed.provider_id), on, at


class BookForm(FormFields, DeskModal[int | None]):
    """Book a visit. From the schedule, `BookForm(provider_id=…, on=…, at=…)`: the
    provider and time are the free slot's, staff find the patient as they type. From a
    patient, `BookForm(patient_id=…, patient_name=…)`: staff choose the provider and
    type the day and time. Dismissed with the new appointment's id, or None.

    `when_taken` is called when the domain says something is in the way, so the
    schedule underneath shows it at once rather than at the next look at the feed."""

    CSS_PATH = "booking.tcss"
    BINDINGS = [*bindings(BOOK_FORM), *bindings(FORM)]
    AREA = "book"
    ACTIONS = BOOK_FORM

    @dataclass
    class Ready(Message):
        providers: list[tuple[str, int]]
        kinds: list[_Kind]

    @dataclass
    class Registered(Message):
        patient: Chosen

    @dataclass
    class Answered(Message):
        appointment_id: int | None
        words: str = ""
        """What was booked, said back."""
        refusal: Refusal | None = None

    def __init__(self, *, provider_id: int | None = None, provider_name: str = "",
                 on: date | None = None, at: time | None = None,
                 patient_id: int | None = None, patient_name: str = "", patient_about: str = "",
                 when_taken: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.provider_id, self.provider_name = provider_id, provider_name
        self.on, self.at = on, at
        self.from_slot = provider_id is not None and on is not None and at is not None
        self.picked = (Picked(patient_id, patient_name, patient_about)
                       if patient_id is not None else None)
        self.when_taken = when_taken
        self.kinds: list[_Kind] = []
        self.providers: dict[int, str] = {}
        self.answers = Answers()
        self._typed: _Typed | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            if self.picked is None or self.from_slot:
                yield PatientPicker(
                    Input(id="patient", compact=True, max_length=100,
                          placeholder="name, birth date, phone or MRN"),
                    OptionList(id="hits"), show=_hit_line, limit=HITS, pause=PAUSE,
                    before=[Label("Patient", classes="label")], nobody=_nobody,
                    chosen_line=_chosen_line)
            else:
                yield Static(Text.assemble((one_line(self.picked.name), "bold"),
                                           f"  {self.picked.about}"), id="chosen")
            if not self.from_slot:
                with Horizontal(classes="row"):
                    yield Label("With", classes="label")
                    yield Select([], id="provider", compact=True, prompt="…")
                with Horizontal(classes="row"):
                    yield Label("Day", classes="label")
                    yield Input(short(clock.today()), id="day", compact=True, max_length=40)
                    yield Label("", id="day-echo", classes="echo")
                with Horizontal(classes="row"):
                    yield Label("Time", classes="label")
                    yield Input(id="at", compact=True, max_length=10,
                                placeholder="9:30 or 14:15")
            with Horizontal(classes="row"):
                yield Label("Type", classes="label")
                yield Select([], id="type", compact=True, prompt="…")
                yield Label("", id="fills", classes="echo")
            with Horizontal(classes="row"):
                yield Label("Reason", classes="label")
                yield Input(id="reason", compact=True, max_length=200)
            with Horizontal(classes="row"):
                yield Label("Note", classes="label")
                yield Input(id="note", compact=True, max_length=500)
            yield Label("", id="refusal")
            yield Static("⏎ next field, on the last books · ↑↓ choose the patient found",
                         id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        form = self.query_one("#form")
        if self.from_slot:
            form.border_title = (f"Book {one_line(self.provider_name)} · "
                                 f"{describe(self.on)} at {clock.wall(self.at)}")
        else:
            form.border_title = "Book an appointment"
        if self.query("#day"):
            self._echo_day(self.query_one("#day", Input).value)
        first = "#patient" if self.query("#patient") else "#provider"
        self.query_one(first).focus()
        self._setup()

    @db_work(group="book-form-setup")
    def _setup(self) -> None:
        kinds = (AppointmentType.select().where(AppointmentType.active)
                 .order_by(AppointmentType.id))
        self.post_message(self.Ready([(one_line(p.short_name), p.id) for p in active_providers()],
                                     [_Kind(k.id, k.name, k.minutes) for k in kinds]))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        self.kinds = message.kinds
        self.providers = {provider_id: name for name, provider_id in message.providers}
        kinds = self.query_one("#type", Select)
        kinds.set_options([(f"{one_line(k.name)} · {_slots_words(k.minutes)}", k.id)
                           for k in message.kinds])
        if message.kinds:
            kinds.value = message.kinds[0].id
        if self.query("#provider"):
            providers = self.query_one("#provider", Select)
            providers.set_options(message.providers)
            if message.providers:
                providers.value = message.providers[0][1]

    # -- what the form says back ---------------------------------------------------------

    @on(Select.Changed, "#type")
    def _echo_fills(self) -> None:
        kind = self._kind()
        fills = self.query_one("#fills", Label)
        if kind is None:
            fills.update("")
        elif self.from_slot:
            start = datetime.combine(self.on, self.at)
            fills.update(f"{clock.wall(self.at)}-"
                         f"{clock.wall((start + timedelta(minutes=kind.minutes)).time())}")
        else:
            fills.update("")

    @on(Input.Changed, "#day")
    def _day_changed(self, event: Input.Changed) -> None:
        self._echo_day(event.value)

    def _echo_day(self, text: str) -> None:
        """Say back the day understood, so "next tue" is seen as the date it is."""
        echo = self.query_one("#day-echo", Label)
        try:
            echo.update(f"→ {describe(parse_date(text, today=clock.today()))}")
        except InvalidInput:
            echo.update("3/4, 12/1/2026, tomorrow or next tue" if not text.strip() else "…")

    def _kind(self) -> _Kind | None:
        value = self.query_one("#type", Select).value
        return next((k for k in self.kinds if k.id == value), None)

    # -- the patient, found as staff type ----------------------------------------------

    @property
    def hits(self) -> list[Hit]:
        """The patients found for what is typed in the patient box."""
        return self.query_one(PatientPicker).hits if self.query(PatientPicker) else []

    @on(Input.Changed, "#patient")
    def _typed_name(self) -> None:
        if self.query_one(PatientPicker).chosen is None:
            self.picked = None  # the box no longer shows the one picked

    @on(PatientPicker.Picked)
    def _picked(self, message: PatientPicker.Picked) -> None:
        self._pick(Chosen.of(message.hit))
        box = self.query_one("#patient", Input)
        if box.has_focus:  # picked when found, or by a click: on to the next field
            self._next_after(box)

    def _pick(self, chosen: Chosen) -> None:
        self.picked = Picked.of(chosen)
        self._say("")

    @on(Registered)
    def _registered(self, message: Registered) -> None:
        self.query_one(PatientPicker).choose(message.patient)
        self._pick(message.patient)
        self._next_after(self.query_one("#patient", Input))

    def action_register(self) -> None:
        from screens.patients import _draft_from  # the same reading of a search as F3's
        from screens.register import RegisterForm

        typed = self.query_one("#patient", Input).value if self.query("#patient") else ""
        self.app.push_screen(RegisterForm(_draft_from(typed)), self._after_registration)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "register":
            return bool(self.query("#patient")) and allowed(self.app.signed_in,
                                                            Permission.REGISTER_PATIENTS)
        return True

    def _after_registration(self, patient_id: int | None) -> None:
        if patient_id is not None:
            self._read_patient(patient_id)

    @db_work(group="book-form-patient")
    def _read_patient(self, patient_id: int) -> None:
        self.post_message(self.Registered(Chosen.of(Patient.get_by_id(patient_id))))

    # -- moving through the form -------------------------------------------------------

    def action_next_field(self) -> None:
        focused = self.focused
        if focused is not None and focused.id == "patient" and self.picked is None:
            picker = self.query_one(PatientPicker)
            if (hit := picker.take()) is not None:
                self._pick(Chosen.of(hit))  # at once: the next keys are for the next field
                self._next_after(focused)
            elif picker.waiting:
                picker.take_when_found()  # typed fast: take the best once it is found
            else:
                self._say("Find the patient: type a name, birth date, phone or MRN and "
                          "choose with ↑↓; ^n registers someone new.")
            return
        if isinstance(focused, Select):
            self._next_after(focused)  # down or space opens the list; enter goes on
            return
        super().action_next_field()

    def _next_after(self, widget) -> None:
        fields = self._fields()
        if widget in fields and fields.index(widget) + 1 < len(fields):
            self.set_focus(fields[fields.index(widget) + 1])
        else:
            self._submit_after(fields)

    # -- booking -------------------------------------------------------------------------

    def _read_form(self) -> _Typed:
        if self.picked is None:
            raise InvalidInput("Find the patient first: type a name, birth date, phone or "
                               "MRN and choose with ↑↓; ^n registers someone new.",
                               field="patient")
        kind = self._kind()
        if kind is None:
            raise InvalidInput("Choose the type of visit.", field="type")
        provider = (self.provider_id if self.from_slot
                    else self.query_one("#provider", Select).value)
        value = {field.id: field.value for field in self.query(Input)}
        return _Typed(
            patient_id=self.picked.patient_id, type_id=kind.id,
            provider_id=provider if isinstance(provider, int) else None,
            on=self.on if self.from_slot else None, at=self.at if self.from_slot else None,
            day_text=value.get("day", ""), time_text=value.get("at", ""),
            reason=value["reason"], note=value["note"])

    def submit(self) -> None:
        if self._busy:
            return
        try:
            self._typed = self._read_form()
        except InvalidInput as error:
            self._refused(Refusal.of(error))
            return
        self.answers = Answers()  # a new try: earlier answers were for what was then typed
        self._send()

    def _send(self) -> None:
        self._busy = True
        self._say("Booking…", error=False)
        self._book(self._typed, self.answers)

    @db_work(group="book-form")
    def _book(self, typed: _Typed, answers: Answers) -> None:
        try:
            provider, on, at = _when(typed)
            patient = Patient.get_by_id(typed.patient_id)
            if not answers.referral_ok:
                warning = referrals.referral_warning(patient, provider, on)
                if warning:
                    self.post_message(self.Answered(None, refusal=Refusal(warning, "referral")))
                    return
            appointment = schedule.book(
                patient, provider,
                AppointmentType.get_by_id(typed.type_id), on, at, by=self.app.signed_in,
                reason=typed.reason, note=typed.note, overbook=answers.overbook,
                override_reason=answers.override_reason)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, refusal=Refusal.of(error)))
        else:
            self.post_message(self.Answered(
                appointment.id, f"{provider.short_name}, {describe(on)} at {clock.wall(at)}"))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._busy = False
        if message.appointment_id is not None:
            name = one_line(self.picked.name) if self.picked else "The patient"
            self.notify(f"Booked {name} with {one_line(message.words)}.", timeout=5)
            self.dismiss(message.appointment_id)
            return
        if message.refusal.in_the_way and self.when_taken is not None:
            self.when_taken()  # show what is in the way now, not at the next look
        answer_refusal(self, message.refusal, self.answers, self._send, self._refused)

    def _refused(self, refusal: Refusal) -> None:
        self._say(refusal.message)
        target = {"start": "at" if self.query("#at") else ""}.get(refusal.field, refusal.field)
        if target and self.query(f"#{target}"):
            self.query_one(f"#{target}").focus()

    def _say(self, text: str, *, error: bool = True) -> None:
        refusal = self.query_one("#refusal", Label)
        refusal.update(text)
        refusal.set_class(error, "error")

    # -- a series, and closing -----------------------------------------------------------

    def action_series(self) -> None:
        from screens.series import SeriesForm

        try:
            typed = self._read_form()
            if not self.from_slot:  # the first day and time, said back in the series form
                on = parse_date(typed.day_text, today=clock.today())
                at = calendar.parse_time(typed.time_text, field="at", label="Time")
            else:
                on, at = self.on, self.at
        except InvalidInput as error:
            self._refused(Refusal.of(error))
            return
        if typed.provider_id is None:
            self._refused(Refusal("Choose the provider.", field="provider"))
            return
        provider = (self.provider_name if self.from_slot
                    else self.providers.get(typed.provider_id, ""))
        kind = self._kind()
        self.app.push_screen(
            SeriesForm(patient_id=typed.patient_id, provider_id=typed.provider_id,
                       type_id=typed.type_id, first_on=on, at=at, reason=typed.reason,
                       patient=self.picked.name, provider=provider, type_name=kind.name),
            self._series_booked)

    def _series_booked(self, report) -> None:
        if report is not None and report.booked:
            self.dismiss(report.booked[0].id)

    def action_close(self) -> None:
        self.dismiss(None)


def _nobody(query: str) -> str:
    return f"Nobody fits \"{one_line(query)}\": ^n registers a new patient."


def _chosen_line(chosen: Chosen) -> Text:
    picked = Picked.of(chosen)
    return Text.assemble(("✓ ", "green"), (one_line(picked.name), "bold"), f"  {picked.about}")


def _hit_line(hit: Hit) -> Text:
    text = Text.assemble((one_line(hit.filed_name), "bold"),
                         f"  born {short(hit.dob)}  MRN {hit.mrn}")
    if hit.deceased:
        text.append("  deceased", style="bold red")
    elif not hit.active:
        text.append("  inactive", style="dim")
    return text


# -- small questions --------------------------------------------------------------------------


class Confirm(DeskModal[bool]):
    """A yes-or-no question; y says yes, n or Esc no."""

    CSS_PATH = "booking.tcss"
    BINDINGS = bindings(BOOKING_CONFIRM)
    AREA = "question"
    ACTIONS = BOOKING_CONFIRM

    def __init__(self, question: str, *, yes: str = "y yes", no: str = "n or Esc: no") -> None:
        super().__init__()
        self.question, self.hint = question, f"{yes} · {no}"

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(f"{one_line(self.question)} (y/n)", id="question")
            yield Static(self.hint, id="form-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class OverrideReason(FormFields, DeskModal[str | None]):
    """A manager books outside the provider's hours (or in a block) anyway, saying why."""

    CSS_PATH = "booking.tcss"
    BINDINGS = [*bindings(OVERRIDE_FORM), *bindings(FORM)]
    AREA = "override"
    ACTIONS = OVERRIDE_FORM

    def __init__(self, why_not: str) -> None:
        super().__init__()
        self.why_not = why_not

    def compose(self) -> ComposeResult:
        with Vertical(id="override"):
            yield Static(one_line(self.why_not), id="question")
            yield Label("Book it anyway? Say why (kept with the appointment):")
            yield Input(id="override_reason", compact=True, max_length=200)
            yield Label("", id="refusal")
            yield Static("⏎ books it anyway · Esc leaves it", id="form-hint")

    def on_mount(self) -> None:
        self.query_one("#override").border_title = "Outside the provider's hours"
        self.query_one(Input).focus()

    def submit(self) -> None:
        reason = self.query_one(Input).value.strip()
        if not reason:
            self.query_one("#refusal", Label).update("Give the reason, or Esc to leave it.")
            return
        self.dismiss(reason)

    def action_close(self) -> None:
        self.dismiss(None)


class MoveTime(FormFields, DeskModal[tuple[date, time] | None]):
    """The day and time to move an appointment to, typed; dismissed with them."""

    CSS_PATH = "booking.tcss"
    BINDINGS = [*bindings(MOVE_TIME), *bindings(FORM)]
    AREA = "move to"
    ACTIONS = MOVE_TIME

    def __init__(self, what: str, with_whom: str, on: date, at: time | None) -> None:
        super().__init__()
        self.what, self.with_whom, self.on, self.at = what, with_whom, on, at

    def compose(self) -> ComposeResult:
        with Vertical(id="move-time"):
            yield Static(Text.assemble((one_line(self.what), "bold"),
                                       f" to {one_line(self.with_whom)}:"), id="question")
            with Horizontal(classes="row"):
                yield Label("Day", classes="label")
                yield Input(short(self.on), id="day", compact=True, max_length=40)
                yield Label("", id="day-echo", classes="echo")
            with Horizontal(classes="row"):
                yield Label("Time", classes="label")
                yield Input(clock.wall(self.at) if self.at else "", id="at", compact=True,
                            max_length=10)
            yield Label("", id="refusal")
            yield Static("⏎ next field, on the last moves it · Esc keeps it picked up",
                         id="form-hint")

    def on_mount(self) -> None:
        self.query_one("#move-time").border_title = "Move to a day and time"
        self._echo_day(self.query_one("#day", Input).value)
        self.query_one("#at", Input).focus()

    @on(Input.Changed, "#day")
    def _day_changed(self, event: Input.Changed) -> None:
        self._echo_day(event.value)

    def _echo_day(self, text: str) -> None:
        echo = self.query_one("#day-echo", Label)
        try:
            echo.update(f"→ {describe(parse_date(text, today=clock.today()))}")
        except InvalidInput:
            echo.update("…")

    def submit(self) -> None:
        values = {field.id: field.value for field in self.query(Input)}
        try:
            try:
                on = parse_date(values["day"], today=clock.today())
            except InvalidInput as error:
                raise InvalidInput(str(error), field="day") from None
            at = calendar.parse_time(values["at"], field="at", label="Time")
        except InvalidInput as error:
            self.query_one("#refusal", Label).update(str(error))
            self.query_one(f"#{error.field}", Input).focus()
            return
        self.dismiss((on, at))

    def action_close(self) -> None:
        self.dismiss(None)


# -- cancelling ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cancelled:
    """What the cancel dialog did, for the schedule to say and follow up."""

    appointment_id: int
    words: str
    late: bool
    offers: bool
    """Someone on the waitlist would take the time: offer it."""


_CATEGORY_KEYS = {category: str(n) for n, category in enumerate(CANCEL_CATEGORIES, 1)}


class CancelForm(FormFields, DeskModal[Cancelled | None]):
    """Cancel an appointment: who or what cancelled (one key each), and why. Says before
    saving whether it will count as a late cancellation."""

    CSS_PATH = "booking.tcss"
    BINDINGS = [*bindings(CANCEL_FORM), *bindings(FORM)]
    AREA = "cancel"
    ACTIONS = CANCEL_FORM

    @dataclass
    class Loaded(Message):
        appointment: schedule.Appointment
        words: str

    @dataclass
    class Answered(Message):
        done: Cancelled | None
        refusal: Refusal | None = None

    def __init__(self, appointment_id: int) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.appointment: schedule.Appointment | None = None
        self.words = ""
        self.category: str | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="cancel"):
            yield Static("Reading the appointment…", id="what")
            yield Label("Who or what cancelled? One key:", classes="ask")
            yield OptionList(*[Option(f"{_CATEGORY_KEYS[c]}  {words}", id=c)
                               for c, words in CANCEL_CATEGORIES.items()], id="categories")
            yield Static("", id="late")
            with Horizontal(classes="row"):
                yield Label("Reason", classes="label")
                yield Input(id="reason", compact=True, max_length=200,
                            placeholder="needed when the cause is other")
            yield Label("", id="refusal")
            yield Static("1-4 who cancelled · ⏎ on the reason cancels · Esc keeps it",
                         id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#cancel").border_title = "Cancel the appointment"
        self.query_one("#categories", OptionList).focus()
        self._load()

    @db_work(group="cancel-form")
    def _load(self) -> None:
        appointment = schedule.get(self.appointment_id)
        start = clock.local(appointment.start)
        words = (f"{appointment.patient.filed_name} · {appointment.type.name} with "
                 f"{appointment.provider.short_name}, {describe(start.date())} at "
                 f"{clock.wall(start)}")
        self.post_message(self.Loaded(appointment, words))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.appointment, self.words = message.appointment, message.words
        patient, _, visit = message.words.partition(" · ")
        self.query_one("#what", Static).update(Text.assemble(
            (one_line(patient), "bold"), "\n", one_line(visit)))
        self._preview_late()

    def action_category(self, category: str) -> None:
        self.category = category
        options = self.query_one("#categories", OptionList)
        options.highlighted = list(CANCEL_CATEGORIES).index(category)
        self._preview_late()
        self.query_one("#reason", Input).focus()

    @on(OptionList.OptionSelected, "#categories")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_category(event.option.id)

    def _preview_late(self) -> None:
        """Whether this cancel will be marked late, as the domain counts it."""
        late = self.query_one("#late", Static)
        if self.appointment is None or self.category is None:
            late.update("")
            return
        if schedule.is_late_cancel(self.appointment, self.category):
            hours = config.current().late_cancel_hours
            late.update(Text(f"Late cancel: within {hours} hours of the visit.",
                             style="bold yellow"))
        else:
            late.update(Text(f"Cancelled by: {CANCEL_CATEGORIES[self.category].lower()}; "
                             "not a late cancel.", style="dim"))

    def submit(self) -> None:
        if self._busy or self.appointment is None:
            return
        if self.category is None:
            self._refused(Refusal("Say who or what cancelled: 1 patient, 2 provider, "
                                  "3 weather, 4 other.", field="categories"))
            return
        self._busy = True
        self.query_one("#refusal", Label).update("Cancelling…")
        self._cancel(self.appointment, self.category, self.query_one("#reason", Input).value)

    @db_work(group="cancel")
    def _cancel(self, appointment: schedule.Appointment, category: str, reason: str) -> None:
        try:
            cancelled = schedule.cancel(appointment, category=category, reason=reason,
                                        by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, Refusal.of(error)))
            return
        offers = bool(waitlist.matches(cancelled.id))
        self.post_message(self.Answered(Cancelled(cancelled.id, self.words,
                                                  bool(cancelled.late_cancel), offers)))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._busy = False
        if message.done is not None:
            self.dismiss(message.done)
        else:
            self._refused(message.refusal)

    def _refused(self, refusal: Refusal) -> None:
        self.query_one("#refusal", Label).update(refusal.message)
        target = "categories" if refusal.field == "category" else refusal.field
        if target and self.query(f"#{target}"):
            self.query_one(f"#{target}").focus()

    def action_close(self) -> None:
        self.dismiss(None)
