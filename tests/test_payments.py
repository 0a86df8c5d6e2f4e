"""Taking payments, voiding and refunding them, what they do to the balance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontdesk import audit, changes, clock, db, drawer, payments, staff
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, StaleEdit
from frontdesk.payments import Payment
from frontdesk.patients import Patient
from frontdesk.roles import Role
from tests.conftest import NOW, PASSWORD

FLOAT = {2000: 5, 500: 10, 100: 20, 25: 40}  # $100 + $50 + $20 + $10 = $180


@pytest.fixture
def opened(clinic):
    return drawer.open(None, FLOAT, by=clinic.desk)


@pytest.fixture
def billing(clinic):
    return staff.add_staff("bill", "Bea Billing", Role.BILLING, PASSWORD, by=clinic.admin)


def _owe(patient, cents):
    with db.write():
        Patient.update(balance_cents=cents).where(Patient.id == patient.id).execute()


def _close(session, by, **overrides):
    plan = drawer.close_plan(session)
    values = dict(cash_counts={1: plan.expected_cash_cents},
                  checks_ticked=[c.payment_id for c in plan.checks],
                  card_batch=plan.expected_card_cents, version=plan.version, by=by)
    values.update(overrides)
    return drawer.close(session, **values)


# -- amounts ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, cents", [
    ("25", 2500), ("25.5", 2550), ("$1,234.56", 123456), (".75", 75), ("  40.00 ", 4000),
    (1250, 1250)])
def test_amounts_are_read_as_staff_type_them(typed, cents):
    assert payments.parse_amount(typed) == cents


@pytest.mark.parametrize("typed, words", [
    ("0", "more than zero"), ("0.00", "more than zero"), ("-5", "negative"),
    ("$-5.00", "negative"), ("12.345", "more than two decimals"), ("abc", "amount such as"),
    ("", "required"), ("100000", "more than the desk takes"), (0, "more than zero"),
    (-1, "negative")])
def test_bad_amounts_are_refused_with_a_reason(typed, words):
    with pytest.raises(InvalidInput, match=words) as refused:
        payments.parse_amount(typed)
    assert refused.value.field == "amount"


def test_change_due_and_tendered_less_than_the_amount():
    assert payments.change_due("25", "40") == 1500
    with pytest.raises(InvalidInput, match="less than the amount") as refused:
        payments.change_due("25", "20")
    assert refused.value.field == "tendered"


@pytest.mark.parametrize("text", ["4111 1111 1111 1111", "4111-1111-1111-1111",
                                  "378282246310005", "ref 6011111111111117 ok"])
def test_full_card_numbers_are_recognised(text):
    assert payments.looks_like_card_number(text)


@pytest.mark.parametrize("text", ["1234", "4111 1111 1111 1112", "A1B2C3", "1042", ""])
def test_other_digits_are_not_card_numbers(text):
    assert not payments.looks_like_card_number(text)


# -- taking -------------------------------------------------------------------------------

def test_a_cash_payment_with_change_is_recorded_audited_and_announced(clinic, opened):
    last = changes.latest()
    paid = payments.take(clinic.maria, "25.00", "copay", "cash", tendered="40", by=clinic.desk)
    assert (paid.amount_cents, paid.tendered_cents, paid.change_cents) == (2500, 4000, 1500)
    assert paid.session_id == opened.id and paid.taken_at == NOW
    assert paid.receipt_number == 1
    assert payments.take(clinic.john, 10, "prepayment", "cash", by=clinic.desk).receipt_number == 2
    topics = {(c.topic, c.key) for c in changes.since(last)}
    assert ("payment", str(clinic.maria.id)) in topics and ("drawer", "Front 1") in topics
    event = audit.AuditEvent.select().where(audit.AuditEvent.action == "payment.taken").first()
    assert event.patient_id == clinic.maria.id
    assert audit.plain_action("payment.taken") == "took a payment"


def test_cash_without_tendered_is_taken_exact(clinic, opened):
    paid = payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    assert (paid.tendered_cents, paid.change_cents) == (2500, 0)


@pytest.mark.parametrize("fields, field, words", [
    (dict(amount="0"), "amount", "more than zero"),
    (dict(amount="-3"), "amount", "negative"),
    (dict(amount="3.999"), "amount", "two decimals"),
    (dict(method="cash", tendered="20"), "tendered", "less than the amount"),
    (dict(method="check"), "check_number", "needs the check's number"),
    (dict(method="card", card_brand="Visa", card_last4="4111111111111111", auth_code="A1"),
     "card_last4", "full card number"),
    (dict(method="card", card_brand="Visa", card_last4="1111", auth_code="4111111111111111"),
     "auth_code", "full card number"),
    (dict(method="check", check_number="4111 1111 1111 1111"), "check_number",
     "full card number"),
    (dict(method="card", card_brand="Visa", card_last4="111", auth_code="A1"), "card_last4",
     "exactly four"),
    (dict(method="card", card_brand="Visa", card_last4="1111", auth_code=""), "auth_code",
     "required"),
    (dict(method="card", card_brand="Diners Club", card_last4="1111", auth_code="A1"),
     "card_brand", "one of"),
    (dict(purpose="parking"), "purpose", "what the payment is for"),
    (dict(method="bitcoin"), "method", "how the patient pays"),
])
def test_bad_payments_are_refused_naming_the_field(clinic, opened, fields, field, words):
    values = dict(amount="25", purpose="copay", method="cash")
    values.update(fields)
    with pytest.raises(InvalidInput, match=words) as refused:
        payments.take(clinic.maria, values.pop("amount"), values.pop("purpose"),
                      values.pop("method"), by=clinic.desk, **values)
    assert refused.value.field == field
    assert Payment.select().count() == 0


def test_a_card_payment_keeps_only_brand_last_four_and_auth(clinic, opened):
    paid = payments.take(clinic.maria, "125", "deductible", "card", card_brand="visa",
                         card_last4="4242", auth_code="a1b2c3", by=clinic.desk)
    assert (paid.card_brand, paid.card_last4, paid.auth_code) == ("Visa", "4242", "A1B2C3")
    assert paid.method_words == "Visa ••4242 auth A1B2C3"
    assert paid.tendered_cents is None


def test_no_open_drawer_is_its_own_error_naming_the_drawer(clinic):
    with pytest.raises(drawer.NoOpenDrawer) as refused:
        payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    assert refused.value.drawer_name == "Front 1"
    drawer.open("Front 2", {}, by=clinic.desk)
    with pytest.raises(drawer.NoOpenDrawer):
        payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    assert payments.take(clinic.maria, "25", "copay", "cash", drawer="Front 2",
                         by=clinic.desk).session.drawer.name == "Front 2"


def test_an_administrator_may_not_take_money(clinic, opened):
    with pytest.raises(NotAllowed):
        payments.take(clinic.maria, "25", "copay", "cash", by=clinic.admin)


def test_only_a_prior_balance_payment_lowers_the_balance(clinic, opened):
    _owe(clinic.maria, 6000)
    payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    assert Patient.get_by_id(clinic.maria.id).balance_cents == 6000
    paid = payments.take(clinic.maria, "40", "prior_balance", "cash", by=clinic.desk)
    assert paid.balance_after_cents == 2000 == Patient.get_by_id(clinic.maria.id).balance_cents
    with pytest.raises(InvalidInput, match=r"owes \$20.00") as refused:
        payments.take(clinic.maria, "25", "prior_balance", "cash", by=clinic.desk)
    assert refused.value.field == "amount"
    with pytest.raises(InvalidInput, match="owes no prior balance"):
        payments.take(clinic.john, "5", "prior_balance", "cash", by=clinic.desk)


def test_a_payment_does_not_make_an_open_patient_edit_stale(clinic, opened):
    _owe(clinic.maria, 6000)
    before = Patient.get_by_id(clinic.maria.id).version
    payments.take(clinic.maria, "40", "prior_balance", "cash", by=clinic.desk)
    assert Patient.get_by_id(clinic.maria.id).version == before


def test_the_appointment_must_be_the_patients(clinic, opened):
    from frontdesk import schedule
    from tests.conftest import TODAY
    from datetime import time

    johns = schedule.book(clinic.john, clinic.patel, clinic.follow_up, TODAY, time(11),
                          by=clinic.desk)
    with pytest.raises(InvalidInput, match="another patient's"):
        payments.take(clinic.maria, "25", "copay", "cash", appointment=johns, by=clinic.desk)


# -- voids --------------------------------------------------------------------------------

def test_a_void_keeps_the_payment_marked_and_gives_back_the_balance(clinic, opened):
    _owe(clinic.maria, 6000)
    paid = payments.take(clinic.maria, "40", "prior_balance", "cash", by=clinic.desk)
    with pytest.raises(InvalidInput, match="Say why"):
        payments.void(paid, "  ", version=paid.version, by=clinic.desk)
    voided = payments.void(paid, "Wrong patient", version=paid.version, by=clinic.desk)
    assert voided.voided and voided.void_reason == "Wrong patient"
    assert voided.voided_by_id == clinic.desk.id and voided.voided_at == NOW
    assert Patient.get_by_id(clinic.maria.id).balance_cents == 6000
    assert Payment.select().count() == 1
    with pytest.raises(Conflict, match="already voided by Dana Desk"):
        payments.void(voided, "again", version=voided.version, by=clinic.desk)


def test_a_stale_void_is_refused(clinic, opened):
    paid = payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    with pytest.raises(StaleEdit):
        payments.void(paid, "oops", version=paid.version + 1, by=clinic.desk)


def test_who_may_void_whose_payment_comes_from_the_role(clinic, opened, billing):
    other_desk = staff.add_staff("desk2", "Drew Desk", Role.FRONT_DESK, PASSWORD, by=clinic.admin)
    paid = payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    with pytest.raises(NotAllowed, match="another person's payment"):
        payments.void(paid, "oops", version=paid.version, by=other_desk)
    assert payments.void(paid, "oops", version=paid.version, by=billing).voided


def test_yesterdays_payment_cannot_be_voided(clinic, opened):
    with clock.frozen(NOW - timedelta(days=1)):
        paid = payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    with pytest.raises(Conflict, match="only today's payments"):
        payments.void(paid, "oops", version=paid.version, by=clinic.desk)


def test_after_close_only_a_refund(clinic, opened):
    paid = payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    with pytest.raises(Conflict, match="void it instead"):
        payments.refund(paid, "5", "overcharged", by=clinic.desk)
    _close(opened, clinic.desk)
    with pytest.raises(Conflict, match="refund it instead"):
        payments.void(paid, "oops", version=paid.version, by=clinic.desk)
    with pytest.raises(drawer.NoOpenDrawer):
        payments.refund(paid, "5", "overcharged", by=clinic.desk)


# -- refunds ------------------------------------------------------------------------------

def test_refunds_are_negative_payments_never_more_than_what_is_left(clinic, opened):
    _owe(clinic.maria, 6000)
    paid = payments.take(clinic.maria, "40", "prior_balance", "cash", by=clinic.desk)
    _close(opened, clinic.desk)
    tomorrow = drawer.open(None, FLOAT, by=clinic.desk)
    with pytest.raises(InvalidInput, match="Say why"):
        payments.refund(paid, "10", "", by=clinic.desk)
    back = payments.refund(paid, "15", "paid twice", by=clinic.desk)
    assert (back.amount_cents, back.refund_of_id, back.session_id) == (-1500, paid.id, tomorrow.id)
    assert back.purpose == "prior_balance" and back.refund_reason == "paid twice"
    assert Patient.get_by_id(clinic.maria.id).balance_cents == 2000 + 1500
    assert payments.refundable_cents(paid) == 2500
    with pytest.raises(InvalidInput, match=r"Only \$25.00 .* left") as refused:
        payments.refund(paid, "25.01", "again", by=clinic.desk)
    assert refused.value.field == "amount"
    with pytest.raises(Conflict, match="checks are refunded by the billing office"):
        payments.refund(paid, "5", "x", "check", by=clinic.desk)
    with pytest.raises(InvalidInput, match="Only a card payment"):
        payments.refund(paid, "5", "x", "card", auth_code="A1", by=clinic.desk)
    with pytest.raises(Conflict, match="itself a refund"):
        payments.refund(back, "1", "x", by=clinic.desk)
    payments.refund(paid, "25", "the rest", by=clinic.desk)
    assert payments.refundable_cents(paid) == 0


def test_a_card_refund_goes_back_to_the_same_card(clinic, opened):
    paid = payments.take(clinic.maria, "50", "copay", "card", card_brand="Visa",
                         card_last4="4242", auth_code="X1", by=clinic.desk)
    _close(opened, clinic.desk)
    drawer.open(None, FLOAT, by=clinic.desk)
    back = payments.refund(paid, "20", "copay was 30", "card", auth_code="R9", by=clinic.desk)
    assert (back.method, back.card_brand, back.card_last4, back.amount_cents) == (
        "card", "Visa", "4242", -2000)


# -- nothing is deleted ---------------------------------------------------------------------

def test_the_database_refuses_to_delete_or_rewrite_money(clinic, opened):
    import peewee as pw

    paid = payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    with pytest.raises(pw.IntegrityError, match="cannot be removed"):
        with db.write():
            Payment.delete().where(Payment.id == paid.id).execute()
    with pytest.raises(pw.IntegrityError, match="cannot be changed"):
        with db.write():
            Payment.update(amount_cents=1).where(Payment.id == paid.id).execute()
    _close(opened, clinic.desk)
    with pytest.raises(pw.IntegrityError, match="closed"):
        with db.write():
            Payment.update(void_reason="x").where(Payment.id == paid.id).execute()
    with pytest.raises(pw.IntegrityError, match="closed drawer session"):
        with db.write():
            drawer.DrawerSession.update(reason="x").execute()
    with pytest.raises(pw.IntegrityError, match="cannot be removed"):
        with db.write():
            drawer.DrawerSession.delete().execute()


# -- history and collect today ------------------------------------------------------------

def test_history_is_newest_first_with_voids_marked(clinic, opened):
    first = payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    with clock.frozen(NOW + timedelta(minutes=5)):
        payments.take(clinic.maria, "10", "prepayment", "check", check_number="1042",
                      by=clinic.desk)
        payments.void(first, "wrong amount", version=first.version, by=clinic.desk)
    lines = payments.history(clinic.maria)
    assert [(l.amount_cents, l.method_words, l.voided) for l in lines] == [
        (1000, "check 1042", False), (2500, "cash", True)]
    assert lines[1].void_reason == "wrong amount" and lines[0].taken_by == "Dana Desk"
    assert lines[0].mrn == clinic.maria.mrn and lines[0].session_open
    assert payments.history(clinic.john) == []


def test_collect_today_asks_for_the_copay_then_the_balance(clinic, opened):
    from datetime import time
    from frontdesk import schedule
    from tests.conftest import TODAY

    visit = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                          by=clinic.desk)
    _owe(clinic.maria, 4000)
    due = payments.collect_today(clinic.maria)
    assert (due.balance_cents, due.copay_cents, due.copay_due_cents) == (4000, 2500, 2500)
    assert (due.suggested_cents, due.suggested_purpose) == (2500, "copay")
    payments.take(clinic.maria, "25", "copay", "cash", appointment=visit, by=clinic.desk)
    due = payments.collect_today(clinic.maria, visit)
    assert (due.copay_paid_cents, due.copay_due_cents, due.paid_today_cents) == (2500, 0, 2500)
    assert (due.suggested_cents, due.suggested_purpose) == (4000, "prior_balance")
    john = payments.collect_today(clinic.john.id)
    assert (john.copay_cents, john.copay_due_cents, john.suggested_cents) == (None, None, 0)


def test_collect_today_asks_for_what_check_in_shows_once_benefits_are_verified(clinic, opened):
    """The card says $25; the payer's portal said $30. The payment form must suggest the
    figure check-in shows ($30, the estimate), not the card's."""
    from datetime import time

    from frontdesk import checkin, eligibility, insurance, schedule
    from tests.conftest import TODAY

    visit = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                          by=clinic.desk)
    primary = insurance.coverage_on(clinic.maria, TODAY)[0]
    eligibility.verify_by_hand(primary, active="y", office_copay="30", by=clinic.desk)
    due = payments.collect_today(clinic.maria, visit)
    shown = checkin.sheet(visit.id, by=clinic.desk).collect
    assert (due.copay_cents, due.copay_due_cents, due.visit_words) == (3000, 3000, "estimate")
    assert due.copay_due_cents == shown.visit_due_cents
    assert (due.suggested_cents, due.suggested_purpose) == (3000, "copay")
