"""Taking a phone message, and the short note that answers, forwards or reassigns one.

`TakeMessage(prefill)` is filled in from the line in hand (the calling number, the
patient matched, the caller's name) or opened empty from the inbox. While the reason
or the message is typed, the triage protocol is matched at once, on every change:
a red flag raises a banner with what to tell the caller, before the message is even
saved. The message box takes enter as a new line, so the form saves with ctrl+s from
any field. Whatever is refused, every field keeps what was typed and the field at
fault gets the focus. The rules live in frontdesk.messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static, TextArea

from frontdesk import messages, patients, telephone, triage
from frontdesk.dates import short
from frontdesk.errors import FrontdeskError
from frontdesk.lookup import Hit
from frontdesk.messages import REASONS, InboxRow, Prefill, Recipient
from frontdesk.text import one_line
from screens.actions import FORM, MESSAGE_NOTE, TAKE_MESSAGE, bindings
from screens.base import DeskModal, FormFields, db_work
from screens.widgets import KeyBar
from screens.widgets.daytoggle import DayToggle
from screens.widgets.patient_picker import Chosen, PatientPicker

__all__ = ["TakeMessage", "MessageNote", "banner_text", "recipient_choice"]

SEARCH_PAUSE = 0.15
"""Seconds of no typing before the patient box searches: one search per pause, not per key."""
PATIENT_HITS = 3


def banner_text(flags: list[triage.Flag]) -> Text:
    """What the banner says: each flag's name, loud, and what to do; readable in no colour."""
    banner = Text()
    for index, flag in enumerate(flags[:2]):
        if index:
            banner.append("\n")
        banner.append(f"⚠ {flag.name.upper()} — ", style="bold")
        banner.append(flag.instruction)
    if len(flags) > 2:
        banner.append(f"  (and {len(flags) - 2} more: "
                      + ", ".join(flag.name for flag in flags[2:]) + ")")
    return banner


def recipient_choice(key: Any) -> dict[str, Any]:
    """A recipient Select's value as messages.take wants it: to_staff or to_department."""
    if not isinstance(key, str) or ":" not in key:
        return {"to_staff": None, "to_department": ""}
    kind, _, value = key.partition(":")
    if kind == "staff":
        return {"to_staff": int(value), "to_department": ""}
    return {"to_staff": None, "to_department": value}


def _hit_line(hit: Hit) -> str:
    return f"{one_line(hit.filed_name)[:30]:<31}{short(hit.dob)}  MRN {hit.mrn}"


_FOCUS = {"caller_name": "#caller_name", "relationship": "#relationship", "patient": "#patient",
          "callback": "#callback", "best_time": "#best_time", "reason": "#reason",
          "text": "#text", "recipient": "#recipient", "note": "#note"}
"""The widget a domain refusal's field names."""


class TakeMessage(FormFields, DeskModal[int | None]):
    """Take a message; dismissed with the new message's id, or None when closed unsaved."""

    CSS_PATH = "message.tcss"
    BINDINGS = [*bindings(TAKE_MESSAGE), *bindings(FORM)]
    AREA = "message"
    ACTIONS = TAKE_MESSAGE

    @dataclass
    class Loaded(Message):
        recipients: list[Recipient]
        patient: Chosen | None
        """The prefilled patient."""

    @dataclass
    class Answered(Message):
        message_id: int | None
        refusal: str = ""
        field: str = ""

    def __init__(self, prefill: Prefill | None = None) -> None:
        super().__init__()
        self.prefill = prefill or Prefill()
        self._leaving = False
        self.flags: list[triage.Flag] = []

    def compose(self) -> ComposeResult:
        title = "Take a message"
        if self.prefill.call_id is not None and self.prefill.callback:
            title += f" · call from {telephone.display(self.prefill.callback)}"
        with VerticalScroll(id="form"):
            yield Static(title, id="form-title")
            yield Static("", id="banner")
            with Horizontal(classes="row gap"):
                yield Label("Caller", classes="first")
                yield Input(one_line(self.prefill.caller_name), id="caller_name",
                            max_length=100, classes="name", compact=True)
                yield Label("relation", classes="next")
                yield Input(id="relationship", max_length=40, placeholder="self",
                            classes="short", compact=True)
            yield PatientPicker(
                Input(id="patient", max_length=100, classes="name", compact=True,
                      placeholder="name, birth date, phone or MRN"),
                OptionList(id="patient-hits"), show=_hit_line, limit=PATIENT_HITS,
                pause=SEARCH_PAUSE, before=[Label("Patient", classes="first")],
                after=[Label("", id="patient-echo", classes="echo")], hide_when_empty=True)
            with Horizontal(classes="row gap"):
                yield Label("Call back", classes="first")
                yield Input(telephone.display(self.prefill.callback), id="callback",
                            max_length=30, classes="phone", compact=True)
                yield Label("best time", classes="next")
                yield Input(id="best_time", max_length=60, classes="short", compact=True)
            with Horizontal(classes="row"):
                yield Label("Reason", classes="first")
                yield Select([(label, key) for key, label in REASONS.items()], id="reason",
                             prompt="choose…", compact=True, classes="reason")
                # X only when ticked: focus alone must never look like "urgent".
                yield DayToggle("Urgent", id="urgent", compact=True)
            with Horizontal(classes="row"):
                yield Label("For", classes="first")
                yield Select([], id="recipient", prompt="a person or a department…",
                             compact=True, classes="recipient")
            with Horizontal(classes="row gap"):
                yield Label("Message", classes="first")
                yield Label("enter: a new line · Tab: next field", classes="echo")
            yield TextArea(id="text", compact=True, soft_wrap=True, show_line_numbers=False)
            yield Label("", id="refusal")
            yield Static("^s saves and sends · Tab next field · Esc closes", id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#banner", Static).display = False
        self.query_one("#text", TextArea).cursor_blink = False
        first = "#text" if self.prefill.caller_name else "#caller_name"
        self.query_one(first).focus()
        self._load(self.prefill.patient_id)

    @db_work(group="message-form-load")
    def _load(self, patient_id: int | None) -> None:
        known = None
        if patient_id is not None:
            found = patients.Patient.get_or_none(patients.Patient.id == patient_id)
            if found is not None:
                known = Chosen.of(found)
        self.post_message(self.Loaded(messages.recipients(), known))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        recipient = self.query_one("#recipient", Select)
        chosen = recipient.value
        recipient.set_options([(one_line(r.label), r.key) for r in message.recipients])
        if chosen != Select.BLANK:
            recipient.value = chosen
        if message.patient is not None and self.patient_id is None:
            self.query_one(PatientPicker).choose(message.patient)
            self._echo_chosen(message.patient)

    # -- the patient, found as typed ----------------------------------------------

    @property
    def patient_id(self) -> int | None:
        chosen = self.query_one(PatientPicker).chosen
        return chosen.patient_id if chosen else None

    @property
    def hits(self) -> list[Hit]:
        """The patients found for what is typed in the patient box."""
        return self.query_one(PatientPicker).hits

    def _echo_chosen(self, chosen: Chosen) -> None:
        self.query_one("#patient-echo", Label).update(f"MRN {chosen.mrn} · {short(chosen.dob)}")

    @on(Input.Changed, "#patient")
    def _patient_typed(self, event: Input.Changed) -> None:
        if self.patient_id is None:
            self.query_one("#patient-echo", Label).update("…" if event.value.strip() else "")

    @on(PatientPicker.Found)
    def _found(self, message: PatientPicker.Found) -> None:
        echo = self.query_one("#patient-echo", Label)
        if message.hits:
            echo.update("↑↓ choose · enter takes it")
        elif message.query.strip():
            echo.update("nobody found: leave empty if not a patient")
        else:
            echo.update("")

    @on(PatientPicker.Picked)
    def _picked(self, message: PatientPicker.Picked) -> None:
        self._echo_chosen(Chosen.of(message.hit))

    def action_next_field(self) -> None:
        if self.focused is self.query_one("#patient", Input):
            self.query_one(PatientPicker).take()
        super().action_next_field()

    # -- triage, at once --------------------------------------------------------------

    @on(TextArea.Changed, "#text")
    @on(Select.Changed, "#reason")
    def _triage(self) -> None:
        """Match the protocol on every change: it is fast and pure, and a banner that
        waits for a worker could come after the caller has hung up."""
        reason = self.query_one("#reason", Select).value
        said = REASONS.get(reason, "") if isinstance(reason, str) else ""
        self.flags = triage.match(f"{said}. {self.query_one('#text', TextArea).text}")
        banner = self.query_one("#banner", Static)
        banner.update(banner_text(self.flags))
        banner.display = bool(self.flags)
        if self.flags:
            self.query_one("#urgent", Checkbox).value = True

    # -- saving -----------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The form as typed, ready for messages.take."""
        field = {f.id: f.value for f in self.query(Input)}
        reason = self.query_one("#reason", Select).value
        return dict(
            caller_name=field["caller_name"], relationship=field["relationship"],
            patient=self.patient_id, callback=field["callback"], best_time=field["best_time"],
            reason=reason if isinstance(reason, str) else "",
            text=self.query_one("#text", TextArea).text,
            urgent=self.query_one("#urgent", Checkbox).value, call=self.prefill.call_id,
            **recipient_choice(self.query_one("#recipient", Select).value))

    def action_save(self) -> None:
        self._submit_after(self._fields())

    def submit(self) -> None:
        if self.query_one("#patient", Input).value.strip() and self.patient_id is None:
            self._say("Choose the patient from the list (↑↓, enter), or empty the box.")
            self.query_one("#patient", Input).focus()
            return
        self._say("Saving…", error=False)
        self._save(self.values())

    @db_work(group="message-form")
    def _save(self, values: dict[str, Any]) -> None:
        try:
            taken = messages.take(**values, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error), error.field or ""))
        else:
            self.post_message(self.Answered(taken.id))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.message_id is not None:
            self.dismiss(message.message_id)
            return
        self._say(message.refusal)
        target = _FOCUS.get(message.field)
        if target and self.query(target):
            self.query_one(target).focus()

    def _say(self, text: str, *, error: bool = True) -> None:
        refusal = self.query_one("#refusal", Label)
        refusal.update(text)
        refusal.set_class(error, "error")

    def _typed_anything(self) -> bool:
        return bool(self.query_one("#text", TextArea).text.strip()
                    or self.query_one("#best_time", Input).value.strip())

    def action_close(self) -> None:
        if self._typed_anything() and not self._leaving:
            self._leaving = True  # one Esc too many must not lose a caller's message
            self._say("Esc again closes and loses this message; ^s saves it.")
            return
        self.dismiss(None)


_NOTE_TITLES = {"reply": "Reply to the message from {caller}",
                "forward": "Forward the message from {caller}",
                "reassign": "Reassign the message from {caller}"}
_NOTE_LABELS = {"reply": "Reply", "forward": "Why (a note for them)",
                "reassign": "Note (optional)"}


class MessageNote(FormFields, DeskModal[bool]):
    """Reply to, forward or reassign one message: a recipient (not for a reply) and a
    note. Dismissed with True once done, False when closed."""

    CSS_PATH = "message.tcss"
    BINDINGS = [*bindings(MESSAGE_NOTE), *bindings(FORM)]

    @dataclass
    class Loaded(Message):
        recipients: list[Recipient]

    @dataclass
    class Answered(Message):
        done: bool
        refusal: str = ""
        field: str = ""

    def __init__(self, kind: str, row: InboxRow) -> None:
        super().__init__()
        self.kind, self.row = kind, row

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(_NOTE_TITLES[self.kind].format(caller=one_line(self.row.caller_name)),
                         id="box-title")
            if self.kind != "reply":
                yield Label("To")
                yield Select([], id="recipient", prompt="a person or a department…",
                             compact=True)
            yield Label(_NOTE_LABELS[self.kind])
            yield Input(id="note", max_length=messages.NOTE_MAX, compact=True)
            yield Label("", id="refusal")
            yield Static("enter sends · Esc closes", id="box-hint")

    def on_mount(self) -> None:
        if self.kind != "reply":
            self.query_one("#recipient", Select).focus()
            self._load()
        else:
            self.query_one("#note", Input).focus()

    @db_work(group="message-note-load")
    def _load(self) -> None:
        self.post_message(self.Loaded(messages.recipients()))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        current = (f"staff:{self.row.to_staff_id}" if self.row.to_staff_id
                   else f"dept:{self.row.to_department}")
        self.query_one("#recipient", Select).set_options(
            [(one_line(r.label), r.key) for r in message.recipients if r.key != current])

    @on(Select.Changed, "#recipient")
    def _chosen(self) -> None:
        self.query_one("#note", Input).focus()  # the next thing to type

    def submit(self) -> None:
        self.query_one("#refusal", Label).update("Sending…")
        note = self.query_one("#note", Input).value
        to = (recipient_choice(self.query_one("#recipient", Select).value)
              if self.kind != "reply" else {})
        self._send(note, to)

    @db_work(group="message-note")
    def _send(self, note: str, to: dict[str, Any]) -> None:
        by, row = self.app.signed_in, self.row
        try:
            if self.kind == "reply":
                messages.reply(row, note, version=row.version, by=by)
            elif self.kind == "forward":
                messages.forward(row, note=note, version=row.version, by=by, **to)
            else:
                messages.reassign(row, note=note, version=row.version, by=by, **to)
        except FrontdeskError as error:
            self.post_message(self.Answered(False, str(error), error.field or ""))
        else:
            self.post_message(self.Answered(True))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.done:
            self.dismiss(True)
            return
        self.query_one("#refusal", Label).update(message.refusal)
        target = _FOCUS.get(message.field)
        if target and self.query(target):
            self.query_one(target).focus()

    def action_close(self) -> None:
        self.dismiss(False)
