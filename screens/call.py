"""A line in hand: who is calling, and one key to the patient the call is about.

The CallScreen is the base of the line's own mode (screens.lines): the patient's
record, a search or a half-written message opened from here stack on that line
and wait there, exactly as they are, while staff take another line. The dialogs
of the phone keys live here too: ending a call, marking a line ringing by hand,
and choosing a line by its number.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk import clock, patients, phones, telephone
from frontdesk.dates import short
from frontdesk.errors import FrontdeskError
from frontdesk.phones import Disposition, LineState
from frontdesk.text import one_line
from screens.actions import (CALL, END_CALL, FIND_CALLER, FORM, LINE_PICKER, RING_BY_HAND,
                             bindings)
from screens.base import DeskModal, DeskScreen, FormFields, db_work
from screens.commands import ScreenActions
from screens.lines import PhonesSeen, load_lines
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.phonebar import LineView, caller_label, elapsed, first_name, key_for

__all__ = ["CallScreen", "FindCaller", "EndCall", "RingByHand", "LinePicker"]

SEARCH_PAUSE = 0.15
"""Seconds of no typing before the caller search runs (as on the Patients screen)."""


def _state(view: LineView, me: int | None) -> str:
    line = view.line
    if line.state is LineState.ON_CALL:
        who = "you" if line.staff_id == me else first_name(line.staff_name)
        return f"on call with {who}"
    if line.state is LineState.ON_HOLD:
        return f"on hold {elapsed(line.since, clock.now())}"
    if line.state is LineState.RINGING:
        return "ringing"
    return "the caller has hung up"


def _caller_row(index: int, caller: phones.Caller, chosen: bool) -> Text:
    row = Text(f"{index} ", style="bold")
    row.append(f"{one_line(caller.name)[:28]:<28} ", style="bold" if chosen else "")
    row.append(f"{short(caller.dob) if caller.dob else '':<10}  MRN {caller.mrn:<10} "
               f"{caller.kind:<6}")
    row.append(" ✓ this call" if chosen else "", style="bold")
    return row


class CallScreen(DeskScreen):
    """`CallScreen(number)`: the base screen of line `number`'s mode."""

    CSS_PATH = "call.tcss"
    BINDINGS = bindings(CALL)
    COMMANDS = {ScreenActions}
    AREA = "call"
    ACTIONS = CALL
    AUTO_FOCUS = "#callers"

    @dataclass
    class Attached(Message):
        patient_id: int
        refusal: str = ""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number
        self.view: LineView | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="title")
        yield Static("", id="about")
        yield OptionList(id="callers")
        yield Static("", id="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.app.phones_signal.subscribe(self, self._lines_changed)
        self._lines_changed(self.app.phone_lines)

    def on_unmount(self) -> None:
        self.app.phones_signal.unsubscribe(self)

    @property
    def callers(self) -> tuple[phones.Caller, ...]:
        return self.view.callers if self.view else ()

    def _lines_changed(self, lines: tuple[LineView, ...]) -> None:
        view = next((v for v in lines if v.number == self.number), None)
        if view is None:
            return
        before, self.view = self.view, view
        self._show_title()
        if before is None or (before.callers, before.line.patient_id) != (
                view.callers, view.line.patient_id) or view.line.state is LineState.IDLE:
            self._show_callers()
        self.refresh_bindings()

    def _show_title(self) -> None:
        line = self.view.line
        me = self.app.signed_in.id if self.app.signed_in else None
        number = telephone.display(line.caller) if line.caller else "number not shown"
        self.query_one("#title", Static).update(Text.assemble(
            (f"Line {self.number} ({key_for(self.number)})", "bold"), "  ", number,
            "  · ", _state(self.view, me)))

    def _show_callers(self) -> None:
        listing = self.query_one("#callers", OptionList)
        keep = listing.highlighted
        listing.clear_options()
        attached = self.view.line.patient_id
        for index, caller in enumerate(self.callers, 1):
            listing.add_option(Option(_caller_row(index, caller, caller.patient_id == attached),
                                      id=str(caller.patient_id)))
        if self.callers:
            listing.highlighted = keep if keep is not None and keep < len(self.callers) else 0
        self.query_one("#about", Static).update(self._about())
        self.query_one("#hint", Static).update(self._hint())

    def _about(self) -> Text:
        line = self.view.line
        if line.patient_name:
            return Text.assemble("Calling about ", (one_line(line.patient_name), "bold"), ".")
        count = len(self.callers)
        if count > 1:
            return Text(f"{count} patients share this number: who is calling?", style="bold")
        if count == 1:
            return Text("One patient has this number: is it them?", style="bold")
        if not line.caller:
            return Text("The number did not come through.", style="yellow")
        return Text(f"No patient has {telephone.display(line.caller)} on file.",
                    style="yellow")

    def _hint(self) -> str:
        count = len(self.callers)
        keys = "1" if count == 1 else f"1-{min(count, 9)}"
        picks = f"{keys} or ⏎ opens the patient · " if count else ""
        return f"{picks}/ finds another patient · ^n registers the caller"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":
            return int(parameters[0]) <= len(self.callers) if parameters else None
        if action == "open":
            return True if self.callers else None
        return True

    # -- who is calling ---------------------------------------------------------------

    def action_pick(self, index: int) -> None:
        if 1 <= index <= len(self.callers):
            self.choose(self.callers[index - 1].patient_id)

    def action_open(self) -> None:
        listing = self.query_one("#callers", OptionList)
        if self.callers and listing.highlighted is not None:
            self.choose(self.callers[listing.highlighted].patient_id)

    @on(OptionList.OptionSelected, "#callers")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(int(event.option.id))

    def action_search(self) -> None:
        self.app.push_screen(FindCaller(), self._found)

    def action_register(self) -> None:
        from screens.register import RegisterForm

        caller = self.view.line.caller if self.view else ""
        prefill = patients.Draft(phones={"mobile": telephone.display(caller)} if caller else {})
        self.app.push_screen(RegisterForm(prefill), self._found)

    def _found(self, patient_id: int | None) -> None:
        if patient_id is not None:
            self.choose(patient_id)

    def choose(self, patient_id: int) -> None:
        """The call is about this patient: note it on the call, then open their record."""
        self._note_patient(patient_id)

    @db_work(group="call-attach")
    def _note_patient(self, patient_id: int) -> None:
        try:
            phones.attach_patient(self.number, patient_id, by=self.app.signed_in)
        except FrontdeskError as error:  # the record still opens: staff are talking to them
            self.post_message(self.Attached(patient_id, str(error)))
        else:
            self.post_message(self.Attached(patient_id))
        self.app.post_message(PhonesSeen(load_lines()))

    @on(Attached)
    def _patient_noted(self, message: Attached) -> None:
        from screens.patient import PatientScreen  # the record is large: loaded when needed

        if message.refusal:
            self.notify(message.refusal, severity="warning", timeout=6)
        if self.app.screen is self:
            self.app.push_screen(PatientScreen(message.patient_id))


class FindCaller(DeskModal[int | None]):
    """Search for the patient a call is about (the same search as F3); ⏎ picks."""

    CSS_PATH = "call.tcss"
    BINDINGS = bindings(FIND_CALLER)
    AUTO_FOCUS = "#query"
    LIMIT = 9

    @dataclass
    class Found(Message):
        query: str
        hits: list

    def __init__(self) -> None:
        super().__init__()
        self.hits: list = []
        self._pending: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static("Who is the call about?", id="box-title")
            yield Input(id="query", max_length=100,
                        placeholder="name, birth date, phone, last four or MRN")
            yield OptionList(id="found")
            yield Static("↑↓ choose · ⏎ this one · esc closes", id="box-hint")

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(SEARCH_PAUSE, self._search_now)

    def _search_now(self) -> None:
        self._pending = None
        self._search(self.query_one("#query", Input).value, self.app.signed_in)

    @db_work(group="caller-search")
    def _search(self, query: str, person) -> None:
        hits = patients.search(query, self.LIMIT, by=person) if query.strip() else []
        self.post_message(self.Found(query, hits))

    @on(Found)
    def _show(self, message: Found) -> None:
        if message.query != self.query_one("#query", Input).value:
            return  # typed on: a newer search is coming
        self.hits = message.hits
        found = self.query_one("#found", OptionList)
        found.clear_options()
        for hit in self.hits:
            found.add_option(Option(f"{one_line(hit.filed_name)[:30]:<30} {short(hit.dob)}  "
                                    f"MRN {hit.mrn}", id=str(hit.patient_id)))
        if self.hits:
            found.highlighted = 0

    def action_move(self, step: int) -> None:
        found = self.query_one("#found", OptionList)
        if self.hits:
            found.highlighted = max(0, min(len(self.hits) - 1, (found.highlighted or 0) + step))

    def action_pick(self) -> None:
        found = self.query_one("#found", OptionList)
        if self.hits and found.highlighted is not None:
            self.dismiss(self.hits[found.highlighted].patient_id)

    @on(OptionList.OptionSelected, "#found")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_close(self) -> None:
        self.dismiss(None)


class EndCall(DeskModal[str | None]):
    """How did the call end? One key each; the dialog is dismissed with the disposition."""

    CSS_PATH = "call.tcss"
    BINDINGS = bindings(END_CALL)
    CHOICES = (("r", Disposition.RESOLVED), ("m", Disposition.MESSAGE),
               ("b", Disposition.BOOKED), ("t", Disposition.TRANSFERRED),
               ("u", Disposition.URGENT))

    def __init__(self, view: LineView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(Text.assemble("End the call on line ", str(self.view.number), ": ",
                                       (caller_label(self.view, with_number=True), "bold")),
                         id="box-title")
            yield Static("How did it end?")
            for key, disposition in self.CHOICES:
                yield Static(Text.assemble((f" {key} ", "reverse bold"), f"  {disposition.label}"),
                             classes="choice")
            yield Static("esc keeps the call going", id="box-hint")

    def action_end(self, disposition: str) -> None:
        self.dismiss(disposition)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RingByHand(FormFields, DeskModal[int | None]):
    """A line rang without caller ID (or the feed is down): staff say which, and the
    number if the caller gives it."""

    CSS_PATH = "call.tcss"
    BINDINGS = [*bindings(RING_BY_HAND), *bindings(FORM)]
    AUTO_FOCUS = "#line"

    @dataclass
    class Answered(Message):
        number: int | None
        refusal: str = ""
        field: str = ""

    def __init__(self, lines: tuple[LineView, ...]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        idle = next((v.number for v in self.lines if v.line.state is LineState.IDLE), 1)
        with Vertical(id="box"):
            yield Static("Mark a line ringing", id="box-title")
            yield Label(f"Line (1 to {len(self.lines) or 1})")
            yield Input(str(idle), id="line", max_length=2)
            yield Label("Caller's number (leave empty if it did not come through)")
            yield Input(id="caller", max_length=30)
            yield Label("", id="refusal")
            yield Static("⏎ next, and marks it on the last · esc closes", id="box-hint")

    def submit(self) -> None:
        typed = self.query_one("#line", Input).value.strip()
        if not typed.isdigit():
            self._refuse(f"Type the line's number, 1 to {len(self.lines)}.", "line")
            return
        self._ring(int(typed), self.query_one("#caller", Input).value)

    @db_work(group="ring-by-hand")
    def _ring(self, number: int, caller: str) -> None:
        try:
            phones.ring_by_hand(number, caller, by=self.app.signed_in)
        except FrontdeskError as error:
            field = error.field or ("line" if "line" in str(error).lower() else "")
            self.post_message(self.Answered(None, str(error), field))
        else:
            self.post_message(self.Answered(number))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.number is not None:
            self.dismiss(message.number)
        else:
            self._refuse(message.refusal, message.field)

    def _refuse(self, text: str, field: str) -> None:
        self.query_one("#refusal", Label).update(text)
        target = self.query(f"#{field}") if field in ("line", "caller") else None
        if target:
            target.first().focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _picker_row(view: LineView, me: int | None) -> str:
    if view.line.state is LineState.IDLE:
        return f"{view.number}  idle"
    return f"{view.number}  {caller_label(view)} · {_state(view, me)}"


class LinePicker(DeskModal[int | None]):
    """Every line, to choose by its number: the way to lines 5 and up."""

    CSS_PATH = "call.tcss"
    BINDINGS = bindings(LINE_PICKER)
    AUTO_FOCUS = "#lines"

    def __init__(self, lines: tuple[LineView, ...]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        me = self.app.signed_in.id if self.app.signed_in else None
        with Vertical(id="box"):
            yield Static("Which line?", id="box-title")
            yield OptionList(*[Option(_picker_row(v, me), id=str(v.number))
                               for v in self.lines], id="lines")
            yield Static("1-9 or ⏎ goes to the line · esc closes", id="box-hint")

    def action_choose(self, number: int) -> None:
        if any(v.number == number for v in self.lines):
            self.dismiss(number)

    def action_choose_highlighted(self) -> None:
        listing = self.query_one("#lines", OptionList)
        if listing.highlighted is not None:
            self.dismiss(self.lines[listing.highlighted].number)

    @on(OptionList.OptionSelected, "#lines")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_close(self) -> None:
        self.dismiss(None)
