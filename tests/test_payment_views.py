"""Reading payments for the screens: a patient's history (an audited look), a receipt
looked up by its number, a drawer session's newest payments, the drawer's last session."""

from __future__ import annotations

import pytest

from frontdesk import audit, drawer, payments, schedule
from frontdesk.errors import InvalidInput, NotAllowed, NotFound

FLOAT = {2000: 5, 500: 10}


@pytest.fixture
def opened(clinic):
    return drawer.open(None, FLOAT, by=clinic.desk)


def _actions(patient_id: int) -> list[str]:
    return [e.action for e in audit.AuditEvent.select().where(
        audit.AuditEvent.patient_id == patient_id).order_by(audit.AuditEvent.id)]


def test_a_line_names_its_session_patient_and_the_receipt_it_refunds(clinic, opened):
    first = payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    plan = drawer.close_plan(opened)
    drawer.close(opened, cash_counts={1: plan.expected_cash_cents}, checks_ticked=[],
                 card_batch=0, version=plan.version, by=clinic.desk)
    later = drawer.open(None, FLOAT, by=clinic.desk)
    payments.refund(first, "25", "Copay waived", by=clinic.desk)
    refund, original = payments.history(clinic.maria)
    assert (original.session_id, original.session_open) == (opened.id, False)
    assert (refund.session_id, refund.session_open) == (later.id, True)
    assert original.patient_id == refund.patient_id == clinic.maria.id
    assert refund.refund_of_receipt == first.receipt_number and original.refund_of_receipt is None
    assert refund.refund_reason == "Copay waived" and refund.amount_cents == -2500


def test_the_history_shown_to_staff_is_an_audited_look(clinic, opened):
    payments.take(clinic.maria, "25", "copay", "card", card_brand="Visa", card_last4="4242",
                  auth_code="A1", by=clinic.desk)
    before = _actions(clinic.maria.id)
    payments.history(clinic.maria)  # another operation's own read: no look recorded
    assert _actions(clinic.maria.id) == before
    (line,) = payments.history(clinic.maria.id, by=clinic.desk)
    assert line.method_words == "Visa ••4242 auth A1" and line.taken_by == "Dana Desk"
    assert _actions(clinic.maria.id)[-1] == "payment.history_viewed"


@pytest.mark.parametrize("typed, error, words", [
    ("", InvalidInput, "Type the receipt number."),
    ("seventy", InvalidInput, "digits, such as 1042"),
    ("999", NotFound, "There is no receipt 999."),
])
def test_a_receipt_typed_wrong_is_refused_naming_the_box(clinic, opened, typed, error, words):
    payments.take(clinic.maria, "25", "copay", "cash", by=clinic.desk)
    with pytest.raises(error, match=words) as refused:
        payments.lookup(typed, by=clinic.desk)
    assert refused.value.field == "receipt"


def test_a_receipt_is_looked_up_as_typed_and_the_look_audited(clinic, opened):
    paid = payments.take(clinic.john, "40", "copay", "check", check_number="1042",
                         by=clinic.desk)
    found = payments.lookup(f" #{paid.receipt_number} ", by=clinic.desk)
    assert (found.id, found.patient_name, found.method_words) == (
        paid.id, "John O'Brien-Smith", "check 1042")
    assert _actions(clinic.john.id)[-1] == "payment.viewed"
    with pytest.raises(NotAllowed):
        payments.lookup(str(paid.receipt_number), by=clinic.admin)  # does not take money


def test_the_newest_of_a_session_oldest_first_and_the_count(clinic, opened):
    taken = [payments.take(clinic.maria, str(10 + n), "copay", "cash", by=clinic.desk)
             for n in range(5)]
    newest = payments.session_payments(opened, newest=2)
    assert [line.id for line in newest] == [taken[3].id, taken[4].id]
    assert [line.id for line in payments.session_payments(opened.id)] == [p.id for p in taken]
    assert payments.session_count(opened) == 5


def test_the_latest_session_of_a_drawer_open_or_closed(clinic):
    assert drawer.latest() is None
    first = drawer.open(None, FLOAT, by=clinic.desk)
    assert drawer.latest().id == first.id
    plan = drawer.close_plan(first)
    drawer.close(first, cash_counts={1: plan.expected_cash_cents}, checks_ticked=[],
                 card_batch=0, version=plan.version, by=clinic.desk)
    closed = drawer.latest("Front 1")
    assert closed.id == first.id and not closed.is_open and closed.drawer.name == "Front 1"
    assert drawer.latest("Front 9") is None
    assert schedule  # the clinic fixture's schedule is untouched by drawers
