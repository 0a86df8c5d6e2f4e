"""A patient's payments (`h` on the record): receipts, reprints, voids and refunds.

Opening it is an audited look (payments.history with `by`). The cells and the line
under the list are shared with the Drawer area, which lists a drawer's payments the
same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from frontdesk import clock, payments
from frontdesk.changes import Change
from frontdesk.drawer import money
from frontdesk.patients import Patient
from frontdesk.payments import PaymentLine, Purpose
from frontdesk.roles import Permission, allowed
from frontdesk.text import one_line
from screens.actions import PAYMENT_HISTORY, bindings
from screens.base import DeskScreen, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.payment import show_receipt, take_payment
from screens.refund import VoidForm, refund_then_receipt
from screens.widgets import DeskHeader, KeyBar

__all__ = ["PaymentHistory", "purpose_words", "short_name", "payment_row", "about_line",
           "undo_state"]

_SHORT_PURPOSE = {"copay": "copay", "deductible": "deductible", "coinsurance": "coinsur.",
                  "prior_balance": "prior bal.", "prepayment": "prepaid"}


def purpose_words(purpose: str) -> str:
    """Short enough for a list column: `prior bal.`."""
    return _SHORT_PURPOSE.get(purpose, purpose)


def short_name(name: str) -> str:
    """`Dana W.`: who took a payment, in a narrow column (the about line says it whole)."""
    words = one_line(name).split()
    return f"{words[0]} {words[-1][0]}." if len(words) > 1 else " ".join(words)


def payment_row(line: PaymentLine) -> tuple[Text, ...]:
    """The cells a list of payments shares: what it was for (or its mark), how, how much."""
    style = "dim strike" if line.voided else ""
    if line.voided:
        what = Text("✗ void", style="bold")
    elif line.refund_of_receipt is not None:
        what = Text(f"↩ #{line.refund_of_receipt}", style="bold")
    else:
        what = Text(purpose_words(line.purpose))
    # The card's authorisation code is for the about line: the column has no room.
    method = one_line(line.method_words).split(" auth ")[0]
    return (what, Text(method, overflow="ellipsis", no_wrap=True, style=style),
            Text(money(line.amount_cents), justify="right", style=style))


def about_line(line: PaymentLine) -> Text:
    """The highlighted payment in full, under a list."""
    text = Text.assemble((f"#{line.receipt_number} ", "bold"),
                         f"{Purpose(line.purpose).label} · {one_line(line.method_words)} · "
                         f"by {one_line(line.taken_by)}")
    if line.voided:
        text.append(f" · VOID: {one_line(line.void_reason)}", style="bold")
    elif line.refund_of_receipt is not None:
        text.append(f" · refund of #{line.refund_of_receipt}: {one_line(line.refund_reason)}",
                    style="bold")
    return text


@dataclass(frozen=True)
class _History:
    filed_name: str
    mrn: str
    balance_cents: int
    lines: list[PaymentLine]


class PaymentHistory(DeskScreen):
    """`PaymentHistory(patient_id)`: the patient's payments, newest first (an audited look)."""

    CSS_PATH = "payment_history.tcss"
    BINDINGS = bindings(PAYMENT_HISTORY)
    COMMANDS = {ScreenActions}
    AREA = "payments"
    ACTIONS = PAYMENT_HISTORY

    @dataclass
    class Loaded(Message):
        history: _History

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.lines: list[PaymentLine] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Reading the payments…", id="title")
        table = DataTable(id="payments", cursor_type="row", zebra_stripes=True)
        for label, width in (("Taken", 11), ("#", 5), ("For", 10), ("Method", 14),
                             ("Amount", 10), ("By", 12)):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="about")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @db_work(group="payment-history")
    def _load(self) -> None:
        patient = Patient.get_by_id(self.patient_id)
        lines = payments.history(patient, by=self.app.signed_in)
        self.post_message(self.Loaded(_History(patient.filed_name, patient.mrn,
                                               patient.balance_cents, lines)))

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when a terminal (this one too) changed something."""
        if any(c.topic in ("payment", "patient") and c.key in ("*", str(self.patient_id))
               for c in changes):
            self._load()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        history = message.history
        balance = (f"owes {money(history.balance_cents)}" if history.balance_cents > 0
                   else "no balance" if history.balance_cents == 0
                   else f"credit {money(-history.balance_cents)}")
        self.query_one("#title", Static).update(Text.assemble(
            ("Payments · ", "bold"), (one_line(history.filed_name), "bold"),
            f" · MRN {one_line(history.mrn)} · {balance}"))
        table = self.query_one(DataTable)
        keep = self.current.id if self.current else None
        table.clear()
        self.lines = history.lines
        for line in self.lines:
            taken = clock.local(line.taken_at)
            table.add_row(f"{taken:%m/%d} {clock.wall(taken):>5}", str(line.receipt_number),
                          *payment_row(line),
                          Text(one_line(line.taken_by), overflow="ellipsis", no_wrap=True),
                          key=str(line.id))
        if self.lines:
            row = next((i for i, line in enumerate(self.lines) if line.id == keep), 0)
            table.move_cursor(row=row, animate=False)
        self._moved()

    @property
    def current(self) -> PaymentLine | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self.lines)

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        line = self.current
        self.query_one("#about", Static).update(
            about_line(line) if line else Text("No payments yet. p takes one.", style="dim"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return undo_state(self.app, action, self.current)

    def action_pay(self) -> None:
        take_payment(self.app, patient_id=self.patient_id, then=lambda _: self._load())

    def action_reprint(self) -> None:
        if self.current is not None:
            show_receipt(self.app, self.current.id, reprint=True)

    def action_void(self) -> None:
        if self.current is not None:
            self.app.push_screen(VoidForm(self.current), lambda done: done and self._load())

    def action_refund(self) -> None:
        if self.current is not None:
            refund_then_receipt(self.app, self.current.receipt_number, lambda _: self._load())

    def action_close(self) -> None:
        self.dismiss()


def undo_state(app: App, action: str, line: PaymentLine | None) -> bool | None:
    """Whether pay, reprint, void and refund apply to the payment under the cursor.

    Greyed, not refused: the domain has the last word and says why.
    """
    person = app.signed_in
    if action in ("pay", "refund", "void") and not allowed(person, Permission.TAKE_PAYMENTS):
        return False
    if action == "reprint":
        return None if line is None else True
    if action == "void":
        return None if line is None or line.voided or not line.session_open else True
    if action == "refund":
        return None if (line is None or line.voided or line.session_open
                        or line.amount_cents <= 0) else True
    return True
