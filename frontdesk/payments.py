"""Payments at the desk: taking them, voiding and refunding them, balances and history.

Money is integer cents. Nothing about money is deleted or rewritten: a mistake is
voided (same day, drawer still open, with a reason), a closed day's payment is
refunded by a new negative payment; the database refuses deletes and any change to
a payment once its drawer session is closed (triggers of migration 0009).

What each purpose does to `Patient.balance_cents` (the balance the billing system
last sent): only a prior-balance payment pays it down, and a void or a refund of
one puts the amount back. Copay, deductible and coinsurance are for today's visit
and prepayments for care to come: the billing system posts those against the
claim, and the balance it sends next includes them, so the desk leaves it alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TextIO

import peewee as pw

from frontdesk import audit, changes, clock, counters, db
from frontdesk import drawer as drawers
from frontdesk.drawer import DrawerSession, Method, NoOpenDrawer, money
from frontdesk.errors import Conflict, InvalidInput, NotFound, StaleEdit
from frontdesk.patients import Patient
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment
from frontdesk.staff import Staff
from frontdesk.text import one_line, typed

__all__ = [
    "Purpose", "Method", "CARD_BRANDS", "NoOpenDrawer", "Payment", "MAX_CENTS",
    "parse_amount", "change_due", "refuse_card_numbers", "looks_like_card_number",
    "take", "void", "refund", "refundable_cents", "payment", "by_receipt", "lookup",
    "PaymentLine", "history", "session_payments", "session_count", "CollectToday",
    "collect_today",
    "BalanceOutcome", "import_balances",
]

MAX_CENTS = 9_999_999
"""$99,999.99: more than that at a front desk is a typing slip."""
CARD_BRANDS = ("Visa", "Mastercard", "American Express", "Discover", "Other")
RECEIPT_COUNTER = "receipt"


class Purpose(StrEnum):
    COPAY = "copay"
    DEDUCTIBLE = "deductible"
    COINSURANCE = "coinsurance"
    PRIOR_BALANCE = "prior_balance"
    PREPAYMENT = "prepayment"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Payment(db.Model):
    patient = pw.ForeignKeyField(Patient, backref="payments", on_delete="RESTRICT")
    appointment = pw.ForeignKeyField(Appointment, null=True, backref="payments",
                                     on_delete="RESTRICT")
    session = pw.ForeignKeyField(DrawerSession, backref="payments", on_delete="RESTRICT")
    amount_cents = pw.IntegerField()
    """Negative for a refund."""
    purpose = pw.CharField(max_length=20)
    method = pw.CharField(max_length=8)
    tendered_cents = pw.IntegerField(null=True)
    """Cash handed over; the change given back is tendered less the amount."""
    change_cents = pw.IntegerField(default=0)
    check_number = pw.CharField(max_length=20, default="")
    card_brand = pw.CharField(max_length=20, default="")
    card_last4 = pw.CharField(max_length=4, default="")
    auth_code = pw.CharField(max_length=12, default="")
    taken_at = db.InstantField(index=True)
    taken_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    receipt_number = pw.IntegerField(unique=True)
    balance_after_cents = pw.IntegerField()
    """The patient's balance right after, as the receipt prints it (and a reprint too)."""
    voided_at = db.InstantField(null=True)
    voided_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    void_reason = pw.CharField(max_length=200, default="")
    refund_of = pw.ForeignKeyField("self", null=True, backref="refunds", on_delete="RESTRICT")
    refund_reason = pw.CharField(max_length=200, default="")
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("session", "method"), False), (("patient", "taken_at"), False))

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def method_words(self) -> str:
        """`cash`, `check 1042`, `Visa ••1234 auth A1B2C3`."""
        return _method_words(self.method, self.check_number, self.card_brand,
                             self.card_last4, self.auth_code)


def _method_words(method: str, check_number: str, card_brand: str, card_last4: str,
                  auth_code: str) -> str:
    if method == Method.CHECK:
        return f"check {one_line(check_number)}"
    if method == Method.CARD:
        auth = f" auth {one_line(auth_code)}" if auth_code else ""
        return f"{one_line(card_brand)} ••{card_last4}{auth}"
    return "cash"


# -- what staff type --------------------------------------------------------------------

_AMOUNT = re.compile(r"^(\d+)(?:\.(\d*))?$|^\.(\d+)$")


def parse_amount(value: str | int, *, field: str = "amount", label: str = "Amount",
                 zero: bool = False) -> int:
    """Cents from what staff typed (`$1,234.50`, `12`, `.5`) or from cents given as an int.

    Refused: empty, not a number, negative, more than two decimals, too large, and
    zero unless `zero` (a count that may be nothing, like a card batch).
    """
    if isinstance(value, bool):
        raise InvalidInput(f"{label} must be an amount such as 25.00.", field=field)
    if isinstance(value, int):
        cents = value
    else:
        text = value.strip().replace(",", "").replace(" ", "")
        negative = text.startswith("-") or text.startswith("$-")
        text = text.lstrip("-").lstrip("$").lstrip("-")
        if not text:
            if zero and not negative:
                return 0
            raise InvalidInput(f"{label} is required.", field=field)
        match = _AMOUNT.match(text)
        if not match:
            raise InvalidInput(f"{label} must be an amount such as 25.00, not \"{one_line(value)[:20]}\".",
                               field=field)
        whole, decimals = match.group(1) or "0", match.group(2) or match.group(3) or ""
        if len(decimals) > 2:
            raise InvalidInput(f"{label} has more than two decimals (cents).", field=field)
        cents = int(whole) * 100 + int(decimals.ljust(2, "0"))
        if negative and cents:
            cents = -cents
    if cents < 0:
        raise InvalidInput(f"{label} cannot be negative.", field=field)
    if cents == 0 and not zero:
        raise InvalidInput(f"{label} must be more than zero.", field=field)
    if cents > MAX_CENTS:
        raise InvalidInput(f"{label} of {money(cents)} is more than the desk takes "
                           f"({money(MAX_CENTS)}).", field=field)
    return cents


def change_due(amount: str | int, tendered: str | int) -> int:
    """The change to hand back; refused when the cash tendered is less than the amount."""
    cents = parse_amount(amount)
    given = parse_amount(tendered, field="tendered", label="Cash tendered")
    if given < cents:
        raise InvalidInput(f"The cash tendered ({money(given)}) is less than the amount "
                           f"({money(cents)}).", field="tendered")
    return given - cents


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def looks_like_card_number(text: str) -> bool:
    """13 to 19 digits passing the Luhn check, spaces and dashes ignored."""
    # Whole runs only: any 13 digits inside a longer run pass Luhn one time in ten.
    return any(13 <= len(run) <= 19 and _luhn(run)
               for run in re.findall(r"\d+", re.sub(r"[\s\-]", "", text)))


def refuse_card_numbers(**fields: str | int | None) -> None:
    """Refuse any field holding what looks like a full card number: never stored."""
    for name, value in fields.items():
        if isinstance(value, str) and looks_like_card_number(value):
            raise InvalidInput("That looks like a full card number, which is never kept here; "
                               "type only the last four digits.", field=name)


def _choice(enum: type[StrEnum], value: str, field: str, words: str) -> StrEnum:
    try:
        return enum(str(value).strip().lower().replace(" ", "_"))
    except ValueError:
        raise InvalidInput(f"Choose {words}: " + ", ".join(e.value.replace("_", " ")
                                                            for e in enum) + ".",
                           field=field) from None


def _brand(value: str) -> str:
    typed_brand = typed(value, field="card_brand", label="Card brand", limit=20, required=True)
    for brand in CARD_BRANDS:
        if brand.casefold() == typed_brand.casefold() or (
                brand == "American Express" and typed_brand.casefold() == "amex"):
            return brand
    raise InvalidInput("Card brand is one of " + ", ".join(CARD_BRANDS) + ".",
                       field="card_brand")


def _last4(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"\d{4}", value):
        raise InvalidInput("Type the last four digits of the card, exactly four.",
                           field="card_last4")
    return value


def _auth(value: str) -> str:
    value = typed(value, field="auth_code", label="Authorisation code", limit=12,
                  required=True)
    if not re.fullmatch(r"[A-Za-z0-9]{1,12}", value):
        raise InvalidInput("The authorisation code is the letters and digits the card "
                           "terminal printed (up to 12).", field="auth_code")
    return value.upper()


@dataclass(frozen=True)
class _Tender:
    tendered_cents: int | None = None
    change_cents: int = 0
    check_number: str = ""
    card_brand: str = ""
    card_last4: str = ""
    auth_code: str = ""


def _tender(method: Method, amount: int, tendered: str | int | None, check_number: str,
            card_brand: str, card_last4: str, auth_code: str) -> _Tender:
    if method == Method.CASH:
        given = amount if tendered in (None, "") else parse_amount(
            tendered, field="tendered", label="Cash tendered")
        return _Tender(tendered_cents=given, change_cents=change_due(amount, given))
    if method == Method.CHECK:
        number = typed(check_number, field="check_number", label="Check number", limit=20)
        if not number:
            raise InvalidInput("A check payment needs the check's number.", field="check_number")
        if not re.fullmatch(r"[A-Za-z0-9\-]+", number):
            raise InvalidInput("A check number is letters and digits.", field="check_number")
        return _Tender(check_number=number)
    return _Tender(card_brand=_brand(card_brand), card_last4=_last4(card_last4),
                   auth_code=_auth(auth_code))


# -- taking a payment -------------------------------------------------------------------


def _open_session(drawer: str | None) -> DrawerSession:
    name = drawers.drawer_name(drawer)
    found = drawers.current(name)
    if found is None:
        raise NoOpenDrawer(name)
    return found


def _balance(patient_id: int) -> int:
    return Patient.select(Patient.balance_cents).where(Patient.id == patient_id).scalar()


def _move_balance(patient_id: int, by_cents: int) -> int:
    """Add to the patient's balance (negative pays it down); the new balance.

    The version is left alone: the balance is the billing system's figure, not
    something the demographics form edits, so a payment must not make an open
    edit of the patient stale.
    """
    if by_cents:
        Patient.update(balance_cents=Patient.balance_cents + by_cents).where(
            Patient.id == patient_id).execute()
    return _balance(patient_id)


def _refuse_overpaying(patient: Patient, amount: int, owed: int) -> None:
    if owed <= 0:
        raise InvalidInput(f"{one_line(patient.full_name)} owes no prior balance; take it as a "
                           "prepayment.", field="amount")
    if amount > owed:
        raise InvalidInput(f"{one_line(patient.full_name)} owes {money(owed)} of prior balance; "
                           "take the rest as a prepayment.", field="amount")


def take(patient: Patient, amount: str | int, purpose: Purpose | str, method: Method | str, *,
         tendered: str | int | None = None, check_number: str = "", card_brand: str = "",
         card_last4: str = "", auth_code: str = "", appointment: Appointment | None = None,
         drawer: str | None = None, by: Staff) -> Payment:
    """Take a payment into this terminal's open drawer and give it a receipt number."""
    require(by, Permission.TAKE_PAYMENTS)
    refuse_card_numbers(amount=amount, tendered=tendered, check_number=check_number,
                        card_brand=card_brand, card_last4=card_last4, auth_code=auth_code)
    cents = parse_amount(amount)
    purpose = _choice(Purpose, purpose, "purpose", "what the payment is for")
    method = _choice(Method, method, "method", "how the patient pays")
    tender = _tender(method, cents, tendered, check_number, card_brand, card_last4, auth_code)
    if appointment is not None and appointment.patient_id != patient.id:
        raise InvalidInput("That appointment is another patient's.", field="appointment")
    with db.write():
        session = _open_session(drawer)
        if purpose == Purpose.PRIOR_BALANCE:
            _refuse_overpaying(patient, cents, _balance(patient.id))
        balance = _move_balance(patient.id, -cents if purpose == Purpose.PRIOR_BALANCE else 0)
        taken = Payment.create(
            patient=patient.id, appointment=appointment.id if appointment else None,
            session=session.id, amount_cents=cents, purpose=purpose.value, method=method.value,
            taken_at=clock.now(), taken_by=by.id,
            receipt_number=counters.next_value(RECEIPT_COUNTER), balance_after_cents=balance,
            **tender.__dict__)
        audit.record("payment.taken", by=by, patient=patient.id,
                     subject=f"payment {taken.id}",
                     detail={"receipt": taken.receipt_number, "amount_cents": cents,
                             "purpose": purpose.value, "method": method.value,
                             "drawer": session.drawer.name})
        _announce(patient.id, session, balance_moved=purpose == Purpose.PRIOR_BALANCE)
    return taken


def _announce(patient_id: int, session: DrawerSession, *, balance_moved: bool) -> None:
    changes.record("payment", str(patient_id))
    changes.record("drawer", session.drawer.name)
    if balance_moved:
        changes.record("patient", str(patient_id))


# -- voids and refunds ------------------------------------------------------------------


def payment(payment_id: int) -> Payment:
    found = Payment.get_or_none(Payment.id == payment_id)
    if found is None:
        raise NotFound(f"There is no payment {payment_id}.")
    return found


def by_receipt(number: int) -> Payment:
    found = Payment.get_or_none(Payment.receipt_number == number)
    if found is None:
        raise NotFound(f"There is no receipt {number}.")
    return found


def _payment(value: Payment | int) -> Payment:
    return payment(value if isinstance(value, int) else value.id)


def _may_undo(found: Payment, by: Staff) -> None:
    require(by, Permission.VOID_OWN_PAYMENT if found.taken_by_id == by.id
            else Permission.VOID_ANY_PAYMENT)


def _already_voided(found: Payment) -> Conflict:
    who = one_line(Staff.get_by_id(found.voided_by_id).name)
    return Conflict(f"Receipt {found.receipt_number} was already voided by {who} at "
                    f"{clock.wall(found.voided_at)}.")


def void(payment: Payment | int, reason: str, *, version: int, by: Staff) -> Payment:  # noqa: F811
    """Mark a payment void, keeping it: same day, its drawer still open, with a reason."""
    reason = typed(reason, field="reason", label="Reason", limit=200)
    if not reason:
        raise InvalidInput("Say why the payment is voided.", field="reason")
    found = _payment(payment)
    _may_undo(found, by)
    with db.write():
        found = _payment(found.id)
        if found.voided:
            raise _already_voided(found)
        if not drawers.session(found.session_id).is_open:
            raise Conflict(f"The drawer that took receipt {found.receipt_number} is closed; "
                           "refund it instead.")
        if clock.local(found.taken_at).date() != clock.today():
            raise Conflict(f"Receipt {found.receipt_number} was taken on "
                           f"{clock.local(found.taken_at):%m/%d/%Y}; only today's payments "
                           "can be voided. Refund it instead.")
        if found.version != version:
            raise StaleEdit(f"Receipt {found.receipt_number} changed since it was read; "
                            "look again.")
        now = clock.now()
        updated = Payment.update(voided_at=now, voided_by=by.id, void_reason=reason,
                                 version=Payment.version + 1).where(
            (Payment.id == found.id) & (Payment.version == version)).execute()
        if not updated:
            raise StaleEdit(f"Receipt {found.receipt_number} changed since it was read.")
        moved = found.purpose == Purpose.PRIOR_BALANCE
        _move_balance(found.patient_id, found.amount_cents if moved else 0)
        audit.record("payment.voided", by=by, patient=found.patient_id,
                     subject=f"payment {found.id}",
                     detail={"receipt": found.receipt_number, "amount_cents": found.amount_cents,
                             "reason": reason})
        session = drawers.session(found.session_id)
        _announce(found.patient_id, session, balance_moved=moved)
    return _payment(found.id)


def refundable_cents(payment: Payment | int) -> int:  # noqa: F811
    """What is left of a payment to refund: the amount less its refunds not voided."""
    found = _payment(payment)
    if found.voided or found.amount_cents <= 0:
        return 0
    refunded = (Payment.select(pw.fn.SUM(Payment.amount_cents))
                .where((Payment.refund_of == found.id) & Payment.voided_at.is_null())
                .scalar() or 0)
    return found.amount_cents + refunded


def refund(payment: Payment | int, amount: str | int, reason: str,  # noqa: F811
           method: Method | str = Method.CASH, *, card_last4: str = "", auth_code: str = "",
           drawer: str | None = None, by: Staff) -> Payment:
    """Give money back on a payment whose drawer is closed: a new negative payment."""
    require(by, Permission.TAKE_PAYMENTS)
    refuse_card_numbers(amount=amount, card_last4=card_last4, auth_code=auth_code)
    reason = typed(reason, field="reason", label="Reason", limit=200)
    if not reason:
        raise InvalidInput("Say why the money is given back.", field="reason")
    original = _payment(payment)
    _may_undo(original, by)
    cents = parse_amount(amount)
    method = _choice(Method, method, "method", "how the money goes back")
    if method == Method.CHECK:
        raise Conflict("The desk refunds in cash or to the card; checks are refunded by the "
                       "billing office.", field="method")
    if method == Method.CARD and original.method != Method.CARD:
        raise InvalidInput("Only a card payment can be refunded to a card.", field="method")
    if original.refund_of_id is not None or original.amount_cents < 0:
        raise Conflict(f"Receipt {original.receipt_number} is itself a refund.")
    tender = (_Tender(card_brand=original.card_brand,
                      card_last4=_last4(card_last4 or original.card_last4),
                      auth_code=_auth(auth_code)) if method == Method.CARD else _Tender())
    with db.write():
        original = _payment(original.id)
        if original.voided:
            raise Conflict(f"Receipt {original.receipt_number} was voided; there is nothing "
                           "to refund.")
        if drawers.session(original.session_id).is_open:
            raise Conflict(f"The drawer that took receipt {original.receipt_number} is still "
                           "open: void it instead.")
        left = refundable_cents(original)
        if cents > left:
            raise InvalidInput(f"Only {money(left)} of receipt {original.receipt_number} is left "
                               "to refund.", field="amount")
        session = _open_session(drawer)
        moved = original.purpose == Purpose.PRIOR_BALANCE
        balance = _move_balance(original.patient_id, cents if moved else 0)
        given = Payment.create(
            patient=original.patient_id, appointment=original.appointment_id,
            session=session.id, amount_cents=-cents, purpose=original.purpose,
            method=method.value, taken_at=clock.now(), taken_by=by.id,
            receipt_number=counters.next_value(RECEIPT_COUNTER), balance_after_cents=balance,
            refund_of=original.id, refund_reason=reason, **tender.__dict__)
        audit.record("payment.refunded", by=by, patient=original.patient_id,
                     subject=f"payment {given.id}",
                     detail={"receipt": given.receipt_number, "of_receipt":
                             original.receipt_number, "amount_cents": cents,
                             "method": method.value, "reason": reason})
        _announce(original.patient_id, session, balance_moved=moved)
    return given


# -- history and what to collect --------------------------------------------------------


@dataclass(frozen=True)
class PaymentLine:
    id: int
    receipt_number: int
    taken_at: datetime
    amount_cents: int
    purpose: str
    method: str
    method_words: str
    taken_by: str
    patient_name: str
    mrn: str
    voided: bool
    void_reason: str
    refund_of_receipt: int | None
    refund_reason: str
    session_id: int
    session_open: bool
    version: int
    patient_id: int = 0


def _lines(where: pw.Expression, order: Iterable, limit: int | None = None
           ) -> list[PaymentLine]:
    Original = Payment.alias()
    # Plain rows, not models: a busy drawer's day is thousands of lines, and building a
    # model per row costs more than the query (measured: 5,000 lines in ~0.6 s as
    # models). A model graph would also blank the ids of the joined rows it builds.
    query = (Payment.select(
        Payment.id, Payment.receipt_number, Payment.taken_at, Payment.amount_cents,
        Payment.purpose, Payment.method, Payment.check_number, Payment.card_brand,
        Payment.card_last4, Payment.auth_code, Staff.name, Patient.first_name,
        Patient.last_name, Patient.mrn, Payment.voided_at, Payment.void_reason,
        Payment.refund_of, Original.receipt_number, Payment.refund_reason, Payment.session,
        DrawerSession.state, Payment.version, Payment.patient)
             .join(Staff, on=Payment.taken_by == Staff.id).switch(Payment)
             .join(Patient).switch(Payment)
             .join(DrawerSession).switch(Payment)
             .join(Original, pw.JOIN.LEFT_OUTER, on=Payment.refund_of == Original.id)
             .where(where).order_by(*order).tuples())
    if limit:
        query = query.limit(limit)
    names: dict[str, str] = {}  # a few people take every payment: clean each name once
    lines = []
    for (pid, receipt, taken_at, cents, purpose, method, check_number, brand, last4, auth,
         staff_name, first, last, mrn, voided_at, void_reason, refund_of, original, reason,
         session_id, state, version, patient_id) in query:
        if staff_name not in names:
            names[staff_name] = one_line(staff_name)
        lines.append(PaymentLine(
            pid, receipt, taken_at, cents, purpose, method,
            _method_words(method, check_number, brand, last4, auth), names[staff_name],
            one_line(f"{first} {last}"), mrn, voided_at is not None, one_line(void_reason),
            original if refund_of else None, one_line(reason), session_id, state == "open",
            version, patient_id))
    return lines


def history(patient: Patient | int, *, limit: int = 200, by: Staff | None = None
            ) -> list[PaymentLine]:
    """The patient's payments, newest first, voided ones included and marked.

    With `by`, the look is audited (a screen showing it); without, it is a read for
    another operation's own use.
    """
    patient_id = patient if isinstance(patient, int) else patient.id
    lines = _lines(Payment.patient == patient_id, (Payment.taken_at.desc(), Payment.id.desc()),
                   limit)
    if by is not None:
        require(by, Permission.VIEW_PATIENTS)
        with db.write(durable=False):  # a look, not a change
            audit.record("payment.history_viewed", by=by, patient=patient_id,
                         detail={"payments": len(lines)})
    return lines


def lookup(receipt: str | int, *, by: Staff) -> PaymentLine:
    """The payment with a receipt number as staff type it (`73`, `#73`); audited."""
    text = str(receipt).strip().lstrip("#").strip()
    if not text:
        raise InvalidInput("Type the receipt number.", field="receipt")
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput(f"A receipt number is digits, such as 1042, not "
                           f"\"{one_line(str(receipt))[:20]}\".", field="receipt")
    require(by, Permission.TAKE_PAYMENTS)
    found = _lines(Payment.receipt_number == int(text), (Payment.id,), 1)
    if not found:
        raise NotFound(f"There is no receipt {int(text)}.", field="receipt")
    with db.write(durable=False):
        audit.record("payment.viewed", by=by, patient=found[0].patient_id,
                     subject=f"payment {found[0].id}", detail={"receipt": found[0].receipt_number})
    return found[0]


def session_payments(session: DrawerSession | int, *, newest: int | None = None
                     ) -> list[PaymentLine]:
    """What a drawer session took, oldest first; with `newest`, only the last so many."""
    session_id = session if isinstance(session, int) else session.id
    if newest is None:
        return _lines(Payment.session == session_id, (Payment.id,))
    return _lines(Payment.session == session_id, (Payment.id.desc(),), newest)[::-1]


def session_count(session: DrawerSession | int) -> int:
    """How many payments (voided and refunds included) a drawer session holds."""
    session_id = session if isinstance(session, int) else session.id
    return Payment.select().where(Payment.session == session_id).count()


@dataclass(frozen=True)
class CollectToday:
    balance_cents: int
    copay_cents: int | None
    """The office-visit copay of the primary coverage; None when unknown."""
    copay_paid_cents: int
    copay_due_cents: int | None
    paid_today_cents: int
    suggested_cents: int
    suggested_purpose: str
    visit_words: str = "copay"
    """What the visit's amount is: "copay" (as on the card, no visit in hand) or
    "estimate" (the visit's estimated share, the same figure check-in shows)."""


def _todays_appointment(patient_id: int) -> Appointment | None:
    start, end = clock.day_bounds(clock.today())
    return (Appointment.select().where(
        (Appointment.patient == patient_id) & (Appointment.start >= start)
        & (Appointment.start < end) & (Appointment.status != "cancelled"))
        .order_by(Appointment.start).first())


def collect_today(patient: Patient | int, appointment: Appointment | int | None = None
                  ) -> CollectToday:
    """What the desk should ask for at check-in: the visit's estimated share still due
    (the card's copay when there is no visit today), else the prior balance."""
    from frontdesk import insurance

    patient = Patient.get_by_id(patient if isinstance(patient, int) else patient.id)
    if isinstance(appointment, int):
        appointment = Appointment.get_or_none(Appointment.id == appointment)
    appointment = appointment or _todays_appointment(patient.id)
    start, end = clock.day_bounds(clock.today())
    kept = (Payment.patient == patient.id) & Payment.voided_at.is_null()
    paid_today = (Payment.select(pw.fn.SUM(Payment.amount_cents))
                  .where(kept & (Payment.taken_at >= start) & (Payment.taken_at < end))
                  .scalar() or 0)
    visit_purposes = (Purpose.COPAY, Purpose.DEDUCTIBLE, Purpose.COINSURANCE)
    copays = kept & (Payment.purpose.in_([
        p.value for p in (visit_purposes if appointment is not None else (Purpose.COPAY,))])) & (
        (Payment.appointment == appointment.id) if appointment is not None
        else ((Payment.taken_at >= start) & (Payment.taken_at < end)))
    copay_paid = Payment.select(pw.fn.SUM(Payment.amount_cents)).where(copays).scalar() or 0
    words, purpose_of_visit = "copay", Purpose.COPAY
    if appointment is not None:  # the visit's estimate: what check-in shows, to the cent
        from frontdesk import estimate

        expected = estimate.for_appointment(appointment)
        copay, words = expected.patient_cents, "estimate"
        if expected.parts:
            purpose_of_visit = Purpose(max(expected.parts, key=lambda part: part[1])[0])
    else:
        coverages = insurance.coverage_on(patient, clock.today())
        copay = coverages[0].copay_cents if coverages else None
    due = None if copay is None else max(0, copay - copay_paid)
    if due:
        suggested, purpose = due, purpose_of_visit
    elif patient.balance_cents > 0:
        suggested, purpose = patient.balance_cents, Purpose.PRIOR_BALANCE
    else:
        suggested, purpose = 0, Purpose.COPAY
    return CollectToday(patient.balance_cents, copay, copay_paid, due, paid_today, suggested,
                        purpose.value, words)


# -- balances from the billing system ---------------------------------------------------

BALANCE_COLUMNS = ("mrn", "balance", "as_of")
_BALANCE = re.compile(r"^-?\$?-?[\d,]*(\.\d*)?$")


@dataclass
class BalanceOutcome:
    refusals: object
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] | None = None

    @property
    def refused(self) -> int:
        return self.refusals.count


def _balance_cents(text: str) -> int:
    """A balance in dollars: may be negative (a credit), never more than two decimals."""
    text = text.strip()
    negative = text.startswith("-") or text.startswith("$-") or (
        text.startswith("(") and text.endswith(")"))
    body = text.strip("()").replace("-", "", 1) if negative else text
    cents = parse_amount(body, field="balance", label="Balance", zero=True)
    return -cents if negative else cents


def _as_of(text: str) -> date:
    # A file is not staff typing: two written forms, no guessing.
    for form in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            pass
    raise InvalidInput(f"\"{one_line(text)[:20]}\" is not a date (YYYY-MM-DD or MM/DD/YYYY).",
                       field="as_of")


def import_balances(path: str | Path, *, by: Staff, report: TextIO | None = None
                    ) -> BalanceOutcome:
    """Set patients' balances from the billing system's CSV (mrn, balance in dollars).

    A bad row (unknown MRN, a balance that is not an amount, a bad date) is refused
    with its row and reason and stops nothing else; a later as_of than today is refused
    too, since the billing system cannot know tomorrow.
    """
    from frontdesk import importing

    require(by, Permission.TAKE_PAYMENTS)  # money, not demographics: not the administrator
    path = Path(path)
    outcome = BalanceOutcome(refusals=importing.Refusals(report=report), warnings=[])
    found: list[tuple[int, str, int]] = []
    with importing.open_rows(path, columns=BALANCE_COLUMNS, required=("mrn", "balance")) as rows:
        outcome.warnings.extend(rows.warnings)
        for row in rows:
            if isinstance(row, importing.Refusal):
                outcome.refusals.add(row)
                continue
            try:
                cents = _balance_cents(row["balance"])
                if row["as_of"].strip():
                    if _as_of(row["as_of"]) > clock.today():
                        raise InvalidInput("The date is after today.", field="as_of")
            except (InvalidInput, ValueError) as error:
                column = getattr(error, "field", None) or "as_of"
                outcome.refusals.add(importing.Refusal(row.number, column, str(error)))
                continue
            found.append((row.number, row["mrn"].strip(), cents))
    known = {}
    mrns = [mrn for _, mrn, _ in found]
    for start in range(0, len(mrns), 500):
        chunk = mrns[start:start + 500]
        known.update({m: (i, b) for m, i, b in
                      Patient.select(Patient.mrn, Patient.id, Patient.balance_cents)
                      .where(Patient.mrn.in_(chunk)).tuples()})
    with db.write():
        for number, mrn, cents in found:
            if not mrn:
                outcome.refusals.add(importing.Refusal(number, "mrn", "The MRN is empty."))
                continue
            if mrn not in known:
                outcome.refusals.add(importing.Refusal(number, "mrn",
                                                       f"No patient has MRN {one_line(mrn)}."))
                continue
            patient_id, before = known[mrn]
            if before == cents:
                outcome.unchanged += 1
                continue
            Patient.update(balance_cents=cents).where(Patient.id == patient_id).execute()
            changes.record("patient", str(patient_id))
            outcome.updated += 1
        audit.record("balances.imported", by=by, subject=one_line(path.name)[:120],
                     detail={"updated": outcome.updated, "unchanged": outcome.unchanged,
                             "refused": outcome.refused, "os_user": audit.os_user()})
    return outcome
