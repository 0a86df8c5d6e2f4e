"""Voiding a payment and refunding one, each with the reason kept with it.

A void (`v` in the Drawer area and in a patient's payments) marks a payment of today,
its drawer still open; a refund (`f`) gives money back on a receipt whose drawer has
closed, as a new negative payment with its own receipt. Who may do either, and when,
is frontdesk.payments' to say; its refusal is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from frontdesk import clock, payments
from frontdesk.dates import short
from frontdesk.drawer import NoOpenDrawer, money
from frontdesk.errors import FrontdeskError
from frontdesk.payments import PaymentLine, Purpose
from frontdesk.text import one_line
from screens.actions import FORM, REFUND_FORM, REFUND_METHOD, VOID_FORM, bindings
from screens.base import DeskModal, FormFields, db_work
from screens.payment import FieldsForm, amount_text, field_error, offer_to_open, show_receipt
from screens.widgets import KeyBar
from screens.widgets.key_choice import KeyChoice

__all__ = ["RefundMethodChoice", "VoidForm", "RefundForm", "refund_then_receipt"]


class RefundMethodChoice(KeyChoice):
    ACTIONS = REFUND_METHOD
    BINDINGS = bindings(REFUND_METHOD)


def _line_words(line: PaymentLine) -> Text:
    return Text.assemble(
        (f"Receipt #{line.receipt_number}", "bold"),
        f" · {one_line(line.patient_name)} · {money(line.amount_cents)} "
        f"{Purpose(line.purpose).label} · {one_line(line.method_words)}\n",
        (f"taken {short(clock.local(line.taken_at).date())} {clock.wall(line.taken_at)} by "
         f"{one_line(line.taken_by)}", "dim"))


class VoidForm(FormFields, DeskModal[bool]):
    """Void one payment, saying why; dismissed True once voided."""

    CSS_PATH = "refund.tcss"
    BINDINGS = [*bindings(VOID_FORM), *bindings(FORM)]
    AREA = "void"
    ACTIONS = VOID_FORM

    @dataclass
    class Answered(Message):
        refusal: str = ""

    def __init__(self, line: PaymentLine) -> None:
        super().__init__()
        self.line = line
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(_line_words(self.line), id="what")
            yield Label("Why is it voided? (kept with the payment)")
            yield Input(id="reason", compact=True, max_length=200)
            yield Label("", id="refusal")
            yield Static("⏎ voids it · Esc keeps it", id="form-hint")

    def on_mount(self) -> None:
        self.query_one("#box").border_title = "Void a payment"
        self.query_one("#reason", Input).focus()

    def submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.query_one("#refusal", Label).update("Voiding…")
        self._void(self.query_one("#reason", Input).value)

    @db_work(group="void-form")
    def _void(self, reason: str) -> None:
        try:
            payments.void(self.line.id, reason, version=self.line.version, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(str(error)))
        else:
            self.post_message(self.Answered())

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._busy = False
        if not message.refusal:
            self.dismiss(True)
            return
        self.query_one("#refusal", Label).update(message.refusal)
        self.query_one("#reason", Input).focus()

    def action_close(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True)
class _Refundable:
    line: PaymentLine
    left_cents: int


class RefundForm(FieldsForm, DeskModal[int | None]):
    """Give money back on a receipt from a closed drawer: a new negative payment.
    Dismissed with the refund's id, or None."""

    CSS_PATH = "refund.tcss"
    BINDINGS = [*bindings(REFUND_FORM), *bindings(FORM)]
    AREA = "refund"
    ACTIONS = REFUND_FORM

    @dataclass
    class Found(Message):
        typed: str
        found: _Refundable | None
        refusal: str = ""

    @dataclass
    class Answered(Message):
        payment_id: int | None
        refusal: str = ""
        field: str | None = None
        no_drawer: str = ""

    def __init__(self, receipt: int | None = None) -> None:
        super().__init__()
        self.receipt = receipt
        self.found: _Refundable | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            with Horizontal(classes="row"):
                yield Label("Receipt #", classes="label")
                yield Input(str(self.receipt or ""), id="receipt", compact=True, max_length=14)
            yield field_error("receipt")
            yield Static("Type the receipt number and ⏎.", id="original")
            with Horizontal(classes="row"):
                yield Label("Amount", classes="label")
                yield Input(id="amount", compact=True, max_length=14)
                yield Label("", id="amount-echo", classes="echo")
            yield field_error("amount")
            with Horizontal(classes="row"):
                yield Label("Back", classes="label")
                yield RefundMethodChoice(id="method")
            yield field_error("method")
            with Vertical(id="card-rows", classes="method-rows"):
                with Horizontal(classes="row"):
                    yield Label("Auth code", classes="label")
                    yield Input(id="auth_code", compact=True, max_length=25,
                                placeholder="the card terminal's, for the refund")
                yield field_error("auth_code")
                yield field_error("card_last4")
            with Horizontal(classes="row"):
                yield Label("Why", classes="label")
                yield Input(id="reason", compact=True, max_length=200)
            yield field_error("reason")
            yield Label("", id="refusal")
            yield Static("⏎ next field, on the last refunds · ^s refunds · Esc closes",
                         id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#form").border_title = "Refund"
        self.query_one("#card-rows").display = False
        if self.receipt is not None:
            self._look_up(str(self.receipt))
            self.query_one("#amount", Input).focus()
        else:
            self.query_one("#receipt", Input).focus()

    # -- the receipt refunded ---------------------------------------------------------

    @db_work(group="refund-lookup")
    def _look_up(self, typed: str) -> None:
        try:
            line = payments.lookup(typed, by=self.app.signed_in)
            found = _Refundable(line, payments.refundable_cents(line.id))
        except FrontdeskError as error:
            self.post_message(self.Found(typed, None, str(error)))
        else:
            self.post_message(self.Found(typed, found))

    @on(Found)
    def _found(self, message: Found) -> None:
        if message.typed.strip() != self.query_one("#receipt", Input).value.strip():
            return  # typed on since
        self.found = message.found
        original = self.query_one("#original", Static)
        if message.found is None:
            original.update("")
            self._show_refusal(message.refusal, "receipt")
            return
        self._show_refusal("", None)
        line, left = message.found.line, message.found.left_cents
        words = _line_words(line)
        words.append(f"\n{money(left)} left to refund" if left else "\nNothing left to refund",
                     style="bold")
        original.update(words)
        amount = self.query_one("#amount", Input)
        if not amount.value.strip() and left:
            amount.value = amount_text(left)
        method = self.query_one("#method", RefundMethodChoice)
        if method.value is None:
            method.value = "card" if line.method == "card" else "cash"
            self._show_card(method.value)

    @on(Input.Changed, "#receipt")
    def _receipt_retyped(self) -> None:
        self.found = None

    @on(Input.Changed, "#amount")
    def _typed_amount(self, event: Input.Changed) -> None:
        try:
            self.query_one("#amount-echo", Label).update(money(payments.parse_amount(event.value)))
        except FrontdeskError:
            self.query_one("#amount-echo", Label).update("")

    def key_chosen(self, choice: KeyChoice) -> None:
        """A choice made by its key: the rows it needs, then the next field, at once."""
        self._show_card(choice.value)
        self._after(choice)

    @on(KeyChoice.Changed)
    def _chose(self, message: KeyChoice.Changed) -> None:
        if not message.by_key:
            self._show_card(message.value)

    def _show_card(self, method: str | None) -> None:
        self.query_one("#card-rows").display = method == "card"

    def action_next_field(self) -> None:
        receipt = self.query_one("#receipt", Input)
        if self.focused is receipt:
            # After the box has taken the keys typed before this enter.
            receipt.call_later(self._look_up_typed)
        super().action_next_field()

    def _look_up_typed(self) -> None:
        typed = self.query_one("#receipt", Input).value
        if self.found is None or str(self.found.line.receipt_number) != typed.strip().lstrip("#"):
            self._look_up(typed)

    # -- refunding --------------------------------------------------------------------

    def action_save(self) -> None:
        self._submit_after(self._fields())

    def submit(self) -> None:
        if self._busy:
            return
        if self.found is None:
            self._show_refusal("Type the receipt number of the payment to refund, and ⏎.",
                               "receipt")
            return
        field = {f.id: f.value for f in self.query(Input)}
        values = {"amount": field["amount"], "reason": field["reason"],
                  "method": self.query_one("#method", RefundMethodChoice).value or "",
                  "auth_code": field["auth_code"]}
        self._busy = True
        self._show_refusal("", None)
        self.query_one("#refusal", Label).update("Refunding…")
        self._refund(self.found.line.id, values)

    @db_work(group="refund-form")
    def _refund(self, payment_id: int, values: dict[str, Any]) -> None:
        try:
            given = payments.refund(payment_id, values["amount"], values["reason"],
                                    values["method"], auth_code=values["auth_code"],
                                    by=self.app.signed_in)
        except NoOpenDrawer as error:
            self.post_message(self.Answered(None, str(error), no_drawer=error.drawer_name))
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error), error.field))
        else:
            self.post_message(self.Answered(given.id))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._busy = False
        if message.payment_id is not None:
            self.dismiss(message.payment_id)
            return
        self._show_refusal(message.refusal, message.field)
        if message.no_drawer:
            offer_to_open(self.app, message.no_drawer,
                          lambda opened: opened and self.submit())

    def action_close(self) -> None:
        self.dismiss(None)


def refund_then_receipt(app: App, receipt: int | None,
                        then: Callable[[int | None], None]) -> None:
    """The refund form, then the refund's own receipt; `then(refund_id or None)`."""

    def refunded(payment_id: int | None) -> None:
        if payment_id is None:
            then(None)
        else:
            show_receipt(app, payment_id, then=lambda: then(payment_id))

    app.push_screen(RefundForm(receipt), refunded)
