"""Taking a payment: the form, then the receipt.

`take_payment(app, ...)` is the one way in, from check-in, check-out, the patient's
record and the Drawer area: the form (the patient found first when none is given),
then the receipt. The form is filled in from payments.collect_today (the copay still
due, else the balance); one letter chooses what the payment is for and how it is
paid, and the form moves on. Cash shows the change due as the tendered amount is
typed. Every refusal is the domain's own message, under the field at fault, and the
form keeps what was typed. With no drawer open, staff are offered to open it (the
float counted), and the payment then goes through.

Voids and refunds are in screens/refund.py, a patient's payments in
screens/payment_history.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static

from frontdesk import clock, drawer, payments
from frontdesk.dates import short
from frontdesk.drawer import NoOpenDrawer, money
from frontdesk.errors import FrontdeskError
from frontdesk.lookup import Hit
from frontdesk.patients import Patient
from frontdesk.schedule import Appointment
from frontdesk.text import one_line
from screens.actions import (CARD_BRAND, FORM, PAYMENT_FORM, PAYMENT_METHOD, PAYMENT_PURPOSE,
                             bindings)
from screens.base import DeskModal, FormFields, db_work
from screens.receipt import Printout, receipt_sheet
from screens.widgets import KeyBar
from screens.widgets.key_choice import KeyChoice
from screens.widgets.patient_picker import PatientPicker

__all__ = ["take_payment", "PaymentForm", "PurposeChoice", "MethodChoice", "BrandChoice",
           "show_receipt", "offer_to_open", "FieldsForm", "field_error", "amount_text"]

PAUSE = 0.12
"""Seconds of no typing before the patient search runs."""
HITS = 3


class PurposeChoice(KeyChoice):
    ACTIONS = PAYMENT_PURPOSE
    BINDINGS = bindings(PAYMENT_PURPOSE)


class MethodChoice(KeyChoice):
    ACTIONS = PAYMENT_METHOD
    BINDINGS = bindings(PAYMENT_METHOD)


class BrandChoice(KeyChoice):
    ACTIONS = CARD_BRAND
    BINDINGS = bindings(CARD_BRAND)


def _shown(widget: Widget) -> bool:
    """On screen: neither it nor a container holding it is hidden."""
    node: Any = widget
    while node is not None and isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


class FieldsForm(FormFields):
    """Enter moves on from a line of choices too, and hidden rows are skipped."""

    def _fields(self) -> list[Widget]:
        return [field for field in self.query("Input, KeyChoice")
                if _shown(field) and not field.disabled]

    def action_next_field(self) -> None:
        if isinstance(self.focused, KeyChoice):
            self._after(self.focused)
            return
        super().action_next_field()

    def _after(self, field: Widget) -> None:
        """Focus the field after `field`; after the last, send the form."""
        fields = self._fields()
        if field in fields and fields.index(field) + 1 < len(fields):
            self.set_focus(fields[fields.index(field) + 1])
        else:
            self._submit_after(fields)

    def _show_refusal(self, text: str, field: str | None) -> None:
        """The message under the field at fault (and the focus there), else at the foot."""
        for label in self.query(".field-error"):
            label.update("")
            label.display = False
        target = self.query(f"#{field}-error") if field else None
        if target and _shown(target.first().parent):
            label = target.first(Label)
            label.update(text)
            label.display = True
            self.query_one("#refusal", Label).update("")
            box = self.query(f"#{field}")
            if box and _shown(box.first()):
                box.first().focus()
        else:
            self.query_one("#refusal", Label).update(text)


def field_error(field: str) -> Label:
    label = Label("", id=f"{field}-error", classes="field-error")
    label.display = False
    return label


@dataclass(frozen=True)
class _Payer:
    """Who pays and what to ask for, read when the form opens or a patient is found."""

    patient_id: int
    filed_name: str
    mrn: str
    appointment_id: int | None
    collect: payments.CollectToday
    drawer_name: str
    drawer_state: str
    """"open since 7:45 (Dana Whitfield)", or "" when the drawer is shut."""


def _read_payer(patient_id: int | None, appointment_id: int | None) -> _Payer:
    appointment = None
    if appointment_id is not None:
        appointment = Appointment.get_by_id(appointment_id)
        patient_id = appointment.patient_id
    patient = Patient.get_by_id(patient_id)
    name = drawer.drawer_name()
    session = drawer.current(name)
    state = (f"open since {clock.wall(session.opened_at)} ({one_line(session.opened_by.name)})"
             if session is not None else "")
    return _Payer(patient.id, patient.filed_name, patient.mrn,
                  appointment.id if appointment else None,
                  payments.collect_today(patient, appointment), name, state)


def _collect_line(collect: payments.CollectToday) -> Text:
    parts: list[Text] = []
    words = collect.visit_words
    if collect.copay_cents is None:
        parts.append(Text(f"{words} unknown", style="yellow"))
    elif collect.copay_due_cents:
        parts.append(Text(f"{words} {money(collect.copay_due_cents)} due", style="bold"))
    else:
        parts.append(Text(f"{words} {money(collect.copay_cents)} paid"))
    if collect.balance_cents > 0:
        parts.append(Text(f"prior balance {money(collect.balance_cents)}", style="bold"))
    elif collect.balance_cents < 0:
        parts.append(Text(f"credit {money(-collect.balance_cents)}"))
    else:
        parts.append(Text("no balance"))
    if collect.paid_today_cents:
        parts.append(Text(f"paid today {money(collect.paid_today_cents)}"))
    return Text.assemble(("Collect today: ", "dim"), Text(" · ").join(parts))


def amount_text(cents: int) -> str:
    """Cents as staff type amounts: `25.00`."""
    return f"{cents // 100}.{cents % 100:02d}"


def _hit_line(hit: Hit) -> Text:
    owes = f"  owes {money(hit.balance_cents)}" if hit.balance_cents > 0 else ""
    return Text.assemble((one_line(hit.filed_name), "bold"),
                         f"  born {short(hit.dob)}  MRN {hit.mrn}{owes}")


class PaymentForm(FieldsForm, DeskModal[int | None]):
    """Take a payment; dismissed with the payment's id, or None when closed."""

    CSS_PATH = "payment.tcss"
    BINDINGS = [*bindings(PAYMENT_FORM), *bindings(FORM)]
    AREA = "payment"
    ACTIONS = PAYMENT_FORM

    @dataclass
    class Loaded(Message):
        payer: _Payer

    @dataclass
    class Answered(Message):
        payment_id: int | None
        refusal: str = ""
        field: str | None = None
        no_drawer: str = ""
        """The drawer's name when it is shut: staff are offered to open it."""

    def __init__(self, *, patient_id: int | None = None,
                 appointment_id: int | None = None) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.appointment_id = appointment_id
        self.payer: _Payer | None = None
        self._busy = False
        self._found_for: str | None = None
        """The box's text the patients listed were found for."""
        self._take_for: str | None = None
        """Enter came for this text before its search answered."""

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            if self.patient_id is None and self.appointment_id is None:
                yield PatientPicker(
                    Input(id="patient", compact=True, max_length=100,
                          placeholder="name, birth date, phone or MRN"),
                    OptionList(id="hits"), show=_hit_line, limit=HITS, pause=PAUSE,
                    before=[Label("Patient", classes="label")], hide_when_empty=True,
                    nobody=lambda query: f"Nobody fits \"{one_line(query)}\".")
                yield field_error("patient")
            yield Static("", id="collect")
            with Horizontal(classes="row"):
                yield Label("Amount", classes="label")
                yield Input(id="amount", compact=True, max_length=14)
                yield Label("", id="amount-echo", classes="echo")
            yield field_error("amount")
            with Horizontal(classes="row"):
                yield Label("For", classes="label")
                yield PurposeChoice(id="purpose")
            yield field_error("purpose")
            with Horizontal(classes="row"):
                yield Label("Pays by", classes="label")
                yield MethodChoice(id="method")
            yield field_error("method")
            with Vertical(id="cash-rows", classes="method-rows"):
                with Horizontal(classes="row"):
                    yield Label("Tendered", classes="label")
                    yield Input(id="tendered", compact=True, max_length=14,
                                placeholder="the amount")
                    yield Label("", id="change", classes="echo")
                yield field_error("tendered")
            with Vertical(id="check-rows", classes="method-rows"):
                with Horizontal(classes="row"):
                    yield Label("Check no.", classes="label")
                    yield Input(id="check_number", compact=True, max_length=20)
                yield field_error("check_number")
            with Vertical(id="card-rows", classes="method-rows"):
                with Horizontal(classes="row"):
                    yield Label("Card", classes="label")
                    yield BrandChoice(id="card_brand")
                yield field_error("card_brand")
                with Horizontal(classes="row"):
                    yield Label("Last four", classes="label")
                    yield Input(id="card_last4", compact=True, max_length=25)
                    yield Label("Auth code", classes="next")
                    yield Input(id="auth_code", compact=True, max_length=25)
                yield field_error("card_last4")
                yield field_error("auth_code")
            yield Static("", id="drawer-line")
            yield Label("", id="refusal")
            yield Static("⏎ next field, on the last takes it · ^s takes it · Esc closes",
                         id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#form").border_title = "Take a payment"
        self._show_method(None)
        if self.patient_id is None and self.appointment_id is None:
            self.query_one("#patient", Input).focus()
            self.query_one("#collect", Static).update(
                Text("Find the patient: type a name, birth date, phone or MRN.", style="dim"))
        else:
            self.query_one("#amount", Input).focus()
            self._load(self.patient_id, self.appointment_id)

    # -- who pays ---------------------------------------------------------------------

    @db_work(group="payment-form-load")
    def _load(self, patient_id: int | None, appointment_id: int | None) -> None:
        self.post_message(self.Loaded(_read_payer(patient_id, appointment_id)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        payer = self.payer = message.payer
        self.patient_id = payer.patient_id
        self.query_one("#form").border_title = (
            f"Take a payment · {one_line(payer.filed_name)} · MRN {one_line(payer.mrn)}")
        self.query_one("#collect", Static).update(_collect_line(payer.collect))
        amount = self.query_one("#amount", Input)
        if payer.collect.suggested_cents and not amount.value.strip():
            amount.value = amount_text(payer.collect.suggested_cents)
            if amount.has_focus:
                amount.select_all()
        purpose = self.query_one("#purpose", PurposeChoice)
        if purpose.value is None:
            purpose.value = payer.collect.suggested_purpose
        self._show_drawer(payer)

    def _show_drawer(self, payer: _Payer) -> None:
        line = self.query_one("#drawer-line", Static)
        if payer.drawer_state:
            line.update(Text.assemble(("Into ", "dim"), one_line(payer.drawer_name),
                                      (f", {payer.drawer_state}", "dim")))
        else:
            line.update(Text(f"{one_line(payer.drawer_name)} is not open: you will be asked "
                             "to open it, with its float, first.", style="bold yellow"))

    @on(PatientPicker.Picked)
    def _picked(self, message: PatientPicker.Picked) -> None:
        self._show_refusal("", None)
        self.set_focus(self.query_one("#amount", Input))  # at once: the amount is typed next
        self._load(message.hit.patient_id, None)

    @on(PatientPicker.Found)
    def _found(self, message: PatientPicker.Found) -> None:
        self._found_for = message.query
        if self._take_for is not None and self._take_for == message.query:
            self._take_for = None
            if message.hits:
                self.query_one(PatientPicker).take()
                return
        if self.payer is not None:
            return
        collect = self.query_one("#collect", Static)
        if message.hits:
            collect.update(Text("↑↓ choose · ⏎ takes the patient highlighted", style="dim"))
        elif message.query.strip():
            collect.update(Text("Nobody found: type more of the name, a birth date, a phone "
                                "or the MRN.", style="dim"))
        else:
            collect.update(Text("Find the patient: type a name, birth date, phone or MRN.",
                                style="dim"))

    @on(Input.Changed, "#patient")
    def _retyped(self) -> None:
        picker = self.query_one(PatientPicker)
        if picker.chosen is None and self.payer is not None:
            self.payer = None  # typing another name: the one found before no longer pays
            self.patient_id = None

    # -- live: the amount said back, the change due ------------------------------------

    @on(Input.Changed, "#amount")
    @on(Input.Changed, "#tendered")
    def _typed_money(self) -> None:
        amount = self.query_one("#amount", Input).value
        echo = self.query_one("#amount-echo", Label)
        try:
            echo.update(money(payments.parse_amount(amount)))
        except FrontdeskError:
            echo.update("")
        self._show_change()

    def _show_change(self) -> None:
        change = self.query_one("#change", Label)
        tendered = self.query_one("#tendered", Input).value
        error = self.query_one("#tendered-error", Label)
        error.update("")
        error.display = False
        if not tendered.strip():
            change.update(Text("empty: the exact amount", style="dim"))
            return
        try:
            due = payments.change_due(self.query_one("#amount", Input).value, tendered)
        except FrontdeskError as refused:
            change.update("")
            if refused.field == "tendered":
                error.update(str(refused))
                error.display = True
            return
        change.update(Text.assemble("Change due ", (money(due), "bold reverse")))

    def key_chosen(self, choice: KeyChoice) -> None:
        """A choice made by its key: the rows it needs, then the next field, at once."""
        if choice.id == "method":
            self._show_method(choice.value)
        self._after(choice)

    @on(KeyChoice.Changed)
    def _chose(self, message: KeyChoice.Changed) -> None:
        if message.choice.id == "method" and not message.by_key:
            self._show_method(message.value)

    def _show_method(self, method: str | None) -> None:
        for rows in self.query(".method-rows"):
            rows.display = rows.id == f"{method}-rows"
        self.query_one("#method-error", Label).display = False

    # -- taking it --------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The form as typed, for payments.take."""
        field = {f.id: f.value for f in self.query(Input)}
        method = self.query_one("#method", MethodChoice).value or ""
        brand = self.query_one("#card_brand", BrandChoice).value or ""
        values: dict[str, Any] = {
            "amount": field["amount"],
            "purpose": self.query_one("#purpose", PurposeChoice).value or "",
            "method": method}
        if method == "cash":
            values["tendered"] = field["tendered"] or None
        elif method == "check":
            values["check_number"] = field["check_number"]
        elif method == "card":
            values.update(card_brand=brand, card_last4=field["card_last4"],
                          auth_code=field["auth_code"])
        return values

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return None if self._busy else True
        return True

    def action_save(self) -> None:
        self._submit_after(self._fields())

    def action_next_field(self) -> None:
        if self.query("#patient") and self.focused is self.query_one("#patient", Input):
            box = self.query_one("#patient", Input)
            # After the box has taken the keys typed before this enter.
            box.call_later(self._take_patient)
            return
        super().action_next_field()

    def _take_patient(self) -> None:
        picker = self.query_one(PatientPicker)
        typed = picker.box.value
        if picker.chosen is not None:
            self.set_focus(self.query_one("#amount", Input))
        elif picker.hits and self._found_for == typed:
            picker.take()
        elif typed.strip():
            self._take_for = typed  # enter came before the search answered: take the best

    def submit(self) -> None:
        if self._busy:
            return
        if self.patient_id is None or self.payer is None:
            self._show_refusal("Find the patient first: type a name and take them from the "
                               "list (↑↓, enter).", "patient")
            return
        self._busy = True
        self._show_refusal("", None)
        self.query_one("#refusal", Label).update("Taking the payment…")
        self.refresh_bindings()
        self._take(self.payer, self.values())

    @db_work(group="payment-form")
    def _take(self, payer: _Payer, values: dict[str, Any]) -> None:
        patient = Patient.get_by_id(payer.patient_id)
        appointment = (Appointment.get_by_id(payer.appointment_id)
                       if payer.appointment_id is not None else None)
        try:
            taken = payments.take(patient, **values, appointment=appointment,
                                  by=self.app.signed_in)
        except NoOpenDrawer as error:
            self.post_message(self.Answered(None, str(error), no_drawer=error.drawer_name))
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error), error.field))
        else:
            self.post_message(self.Answered(taken.id))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._busy = False
        self.refresh_bindings()
        if message.payment_id is not None:
            self.dismiss(message.payment_id)
            return
        self._show_refusal(message.refusal, message.field)
        if message.no_drawer:
            offer_to_open(self.app, message.no_drawer, self._drawer_opened)

    def _drawer_opened(self, opened: bool) -> None:
        if opened:
            self._show_refusal("", None)
            self.submit()  # what staff asked for in the first place
        else:
            self.query_one("#refusal", Label).update(
                "Nothing was taken: the drawer is not open.")

    def action_close(self) -> None:
        self.dismiss(None)


def offer_to_open(app: App, drawer_name: str, then: Callable[[bool], None]) -> None:
    """Ask to open the shut drawer; `then(True)` once it is open."""
    from screens.booking import Confirm  # the yes-or-no question the schedule asks
    from screens.drawer import OpenDrawer

    def answered(yes: bool | None) -> None:
        if yes:
            app.push_screen(OpenDrawer(), lambda opened: then(bool(opened)))
        else:
            then(False)

    app.push_screen(Confirm(f"{one_line(drawer_name)} is not open. Open it now, counting its "
                            "float?", yes="y opens it"), answered)


def show_receipt(app: App, payment_id: int, *, reprint: bool = False,
                 then: Callable[[], None] | None = None) -> None:
    app.push_screen(Printout(partial(receipt_sheet, payment_id, reprint=reprint),
                             title="Receipt"),
                    lambda _: then() if then else None)


def take_payment(app: App, *, patient_id: int | None = None, appointment_id: int | None = None,
                 then: Callable[[int | None], None] | None = None) -> None:
    """The payment form, then the receipt; `then(payment_id or None)` at the end."""

    def taken(payment_id: int | None) -> None:
        if payment_id is None:
            if then:
                then(None)
            return
        show_receipt(app, payment_id, then=lambda: then(payment_id) if then else None)

    app.push_screen(PaymentForm(patient_id=patient_id, appointment_id=appointment_id), taken)
