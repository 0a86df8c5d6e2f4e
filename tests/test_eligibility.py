"""Verification by hand, what the estimate reads (benefits_on), and the insurance worklist."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from frontdesk import audit, changes, clock, eligibility, insurance, schedule
from frontdesk.eligibility import Verification, benefits_on, last_verified, verify_by_hand
from frontdesk.errors import InvalidInput, NotAllowed
from frontdesk.estimate import Benefits
from tests.conftest import NOW, TODAY


def _coverage(clinic) -> insurance.Coverage:
    return insurance.Coverage.get(insurance.Coverage.patient == clinic.maria)


def _by_hand(clinic, **typed) -> Verification:
    fields = {"active": True, "office_copay": "$25", "specialist_copay": "50.00",
              "deductible_total": "1,500", "deductible_remaining": "400.50",
              "coinsurance": "20%", "oop_max": "$5,000.00", "oop_remaining": "3000",
              "reference": "REF-778812", "representative": "Kelly at Aetna"}
    return verify_by_hand(_coverage(clinic), **{**fields, **typed}, by=clinic.desk)


# -- by hand ------------------------------------------------------------------------


def test_amounts_typed_as_staff_type_money_are_stored_in_cents(clinic) -> None:
    saved = Verification.get_by_id(_by_hand(clinic).id)
    assert (saved.office_copay_cents, saved.specialist_copay_cents) == (2500, 5000)
    assert (saved.deductible_total_cents, saved.deductible_remaining_cents) == (150000, 40050)
    assert saved.coinsurance_percent == Decimal("20")
    assert (saved.oop_max_cents, saved.oop_remaining_cents) == (500000, 300000)
    assert (saved.status, saved.source) == ("active", "by hand")
    assert (saved.reference, saved.representative) == ("REF-778812", "Kelly at Aetna")
    assert saved.verified_at == NOW and saved.verified_by_id == clinic.desk.id


def test_a_blank_amount_is_unknown_never_zero_and_zero_stays_zero(clinic) -> None:
    saved = Verification.get_by_id(_by_hand(
        clinic, office_copay="0", specialist_copay="", deductible_total="  ",
        deductible_remaining=None, coinsurance="", oop_max="", oop_remaining="").id)
    assert saved.office_copay_cents == 0
    assert saved.specialist_copay_cents is None
    assert saved.deductible_total_cents is None and saved.deductible_remaining_cents is None
    assert saved.coinsurance_percent is None
    assert saved.oop_max_cents is None and saved.oop_remaining_cents is None


@pytest.mark.parametrize(("typed", "field", "words"), [
    ({"office_copay": "twenty"}, "office_copay", 'Office copay must be an amount such as 25.00'),
    ({"specialist_copay": "-5"}, "specialist_copay", "Specialist copay cannot be negative"),
    ({"deductible_total": "12.345"}, "deductible_total", "more than two decimals"),
    ({"deductible_total": "100", "deductible_remaining": "150"}, "deductible_remaining",
     r"The deductible remaining \(\$150.00\) cannot be more than the total \(\$100.00\)"),
    ({"oop_max": "1000", "oop_remaining": "1,000.01"}, "oop_remaining",
     "out-of-pocket remaining"),
    ({"coinsurance": "120"}, "coinsurance", "from 0 to 100; 120 is more than 100"),
    ({"coinsurance": "a fifth"}, "coinsurance", 'percent from 0 to 100, such as 20, not "a fifth"'),
    ({"coinsurance": "12.555"}, "coinsurance", "at most two decimals"),
    ({"coinsurance": "-10"}, "coinsurance", "percent from 0 to 100"),
    ({"active": None}, "active", r"coverage active: y \(active\) or n \(not active\)"),
    ({"active": "maybe"}, "active", 'type y \\(active\\) or n \\(not active\\), not "maybe"'),
    ({"reference": "R" * 51}, "reference", "Reference number is longer than 50"),
    ({"representative": "Kelly\x1b[2J"}, "representative", "control characters"),
])
def test_each_wrong_field_says_why_and_nothing_is_saved(clinic, typed, field, words) -> None:
    events = audit.AuditEvent.select().count()
    with pytest.raises(InvalidInput, match=words) as refused:
        _by_hand(clinic, **typed)
    assert refused.value.field == field
    assert Verification.select().count() == 0
    assert audit.AuditEvent.select().count() == events


@pytest.mark.parametrize(("typed", "status"), [
    ("y", "active"), ("Yes", "active"), ("active", "active"), (True, "active"),
    ("n", "inactive"), ("not  active", "inactive"), (False, "inactive")])
def test_active_is_typed_as_staff_type_it(clinic, typed, status) -> None:
    assert _by_hand(clinic, active=typed).status == status


def test_the_days_typed_for_the_worklist() -> None:
    assert eligibility.parse_days("12/3", today=TODAY) == (date(2026, 12, 3), date(2026, 12, 3))
    assert eligibility.parse_days("12/3 to 12/8", today=TODAY) == (date(2026, 12, 3),
                                                                   date(2026, 12, 8))
    assert eligibility.parse_days("tomorrow..next fri", today=TODAY) == (
        date(2026, 12, 2), date(2026, 12, 4))
    with pytest.raises(InvalidInput, match="last day comes before the first"):
        eligibility.parse_days("12/8 - 12/3", today=TODAY)
    with pytest.raises(InvalidInput, match="at most a month"):
        eligibility.parse_days("12/1 to 2/1/2027", today=TODAY)


def test_the_benefits_line_leaves_out_what_was_not_said(clinic) -> None:
    said = _by_hand(clinic, specialist_copay="", oop_max="", coinsurance="12.5")
    assert eligibility.benefits_line(said) == (
        "copay $25 · deductible $1,500 ($400.50 left) · out-of-pocket ? ($3,000 left) · "
        "coinsurance 12.5%")
    assert eligibility.benefits_line(_by_hand(
        clinic, office_copay="", specialist_copay="", deductible_total="",
        deductible_remaining="", coinsurance="", oop_max="", oop_remaining="")) == \
        "no amounts given"


def test_coinsurance_forms_staff_type() -> None:
    assert eligibility.parse_coinsurance("20") == Decimal("20")
    assert eligibility.parse_coinsurance(" 12.5 % ") == Decimal("12.5")
    assert eligibility.parse_coinsurance("0") == Decimal("0")
    assert eligibility.parse_coinsurance("100%") == Decimal("100")
    assert eligibility.parse_coinsurance(30) == Decimal("30")
    assert eligibility.parse_coinsurance("") is None


def test_a_verification_by_hand_is_audited_and_other_terminals_hear_of_it(clinic) -> None:
    seen = changes.latest()
    verification = _by_hand(clinic, active=False)
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).get()
    assert (event.action, event.patient_id, event.staff_id) == (
        "coverage.verified", clinic.maria.id, clinic.desk.id)
    assert f"coverage {verification.coverage_id}" == event.subject
    assert {(c.topic, c.key) for c in changes.since(seen)} == {
        ("eligibility", str(clinic.maria.id)), ("patient", str(clinic.maria.id))}
    assert verification.status == "inactive"


def test_someone_who_may_not_register_patients_cannot_verify(clinic) -> None:
    from frontdesk import staff

    staff.deactivate(clinic.desk, by=clinic.admin)
    gone = staff.Staff.get_by_id(clinic.desk.id)
    with pytest.raises(NotAllowed):
        verify_by_hand(_coverage(clinic), active=True, by=gone)


def test_a_verification_is_never_changed_or_removed(clinic) -> None:
    from peewee import IntegrityError

    verification = _by_hand(clinic)
    with pytest.raises(IntegrityError, match="cannot be changed"):
        Verification.update(office_copay_cents=0).where(
            Verification.id == verification.id).execute()
    with pytest.raises(IntegrityError, match="cannot be removed"):
        Verification.delete().execute()


# -- what the estimate reads ------------------------------------------------------------


def test_benefits_on_is_none_until_verified_then_the_newest_usable(clinic) -> None:
    coverage = _coverage(clinic)
    assert benefits_on(coverage, TODAY) is None
    with clock.frozen(NOW - timedelta(days=10)):
        _by_hand(clinic, office_copay="30")
    _by_hand(clinic, office_copay="25", coinsurance="", oop_max="")
    found = benefits_on(coverage, TODAY)
    assert found == Benefits(active=True, office_copay_cents=2500, specialist_copay_cents=5000,
                             deductible_total_cents=150000, deductible_remaining_cents=40050,
                             coinsurance_percent=None, oop_max_cents=None,
                             oop_remaining_cents=300000, source="by hand", verified_at=NOW)


def test_a_rejected_check_falls_back_to_the_last_answer_and_plan_dates_count(clinic) -> None:
    coverage = _coverage(clinic)
    with clock.frozen(NOW - timedelta(days=3)):
        _by_hand(clinic, active=False, office_copay="")
    with eligibility.db.write():
        Verification.create(coverage=coverage, verified_at=NOW, source="271",
                            status="rejected", rejection_code="72")
    assert benefits_on(coverage, TODAY).active is False
    # An answer whose plan ended before the day does not speak for the day.
    with eligibility.db.write():
        Verification.create(coverage=coverage, verified_at=NOW + timedelta(minutes=1),
                            source="271", status="active", plan_end=TODAY - timedelta(days=1),
                            office_copay_cents=1000)
    assert benefits_on(coverage, TODAY).active is False
    assert benefits_on(coverage, TODAY - timedelta(days=2)).office_copay_cents == 1000


def test_last_verified_gives_each_coverage_its_newest(clinic) -> None:
    coverage = _coverage(clinic)
    other = insurance.add_coverage(clinic.john, insurance.Payer.get(), plan_type="HMO",
                                   member_id="H1", effective_on=date(2026, 1, 1), by=clinic.desk)
    with clock.frozen(NOW - timedelta(days=2)):
        _by_hand(clinic)
    newest = _by_hand(clinic, active=False)
    assert {k: v.id for k, v in last_verified([coverage.id, other.id]).items()} == {
        coverage.id: newest.id}


# -- the worklist -------------------------------------------------------------------------


def _book(clinic, patient, day: date, at: time, provider=None):
    return schedule.book(patient, provider or clinic.patel, clinic.follow_up, day, at,
                         by=clinic.desk)


def test_the_worklist_puts_exceptions_first_each_group_in_time_order(clinic) -> None:
    tomorrow = TODAY + timedelta(days=1)
    ann = eligibility.Patient.get_by_id(clinic.john.id)  # John has no insurance
    maria_later = _book(clinic, clinic.maria, tomorrow, time(9))
    maria_first = _book(clinic, clinic.maria, TODAY, time(14))
    john = _book(clinic, ann, tomorrow, time(8))
    items = eligibility.worklist(TODAY, tomorrow)
    assert [i.appointment_id for i in items] == [maria_first.id, john.id, maria_later.id]
    assert [i.problem for i in items] == ["Never verified", "No insurance on file",
                                          "Never verified"]
    _by_hand(clinic)
    items = eligibility.worklist(TODAY, tomorrow)
    assert [i.appointment_id for i in items] == [john.id, maria_first.id, maria_later.id]
    assert [i.exception for i in items] == [True, False, False]
    first = items[1]
    assert (first.payer, first.plan_type, first.member_id) == ("Aetna", "PPO", "W123456789")
    assert (first.status, first.source, first.verified_by) == ("active", "by hand", "Dana Desk")
    assert first.provider == "Dr. Patel" and first.patient == "García, María"


@pytest.mark.parametrize(("status", "extra", "problem"), [
    ("rejected", {"rejection_reason": "member ID missing or not valid",
                  "rejection_follow_up": "correct and resubmit"},
     "Rejected: member ID missing or not valid"),
    ("inactive", {}, "Not active"),
    ("unknown", {}, "Payer did not say"),
    ("active", {"plan_end": TODAY}, "Plan ended 12/1/2026"),
])
def test_what_the_payer_said_makes_the_exception(clinic, status, extra, problem) -> None:
    visit = _book(clinic, clinic.maria, TODAY + timedelta(days=1), time(10))
    with eligibility.db.write():
        Verification.create(coverage=_coverage(clinic), verified_at=NOW, source="271",
                            status=status, **extra)
    (item,) = eligibility.worklist(TODAY, TODAY + timedelta(days=3))
    assert (item.appointment_id, item.problem, item.exception) == (visit.id, problem, True)
    if status == "rejected":
        assert item.rejection == "member ID missing or not valid; correct and resubmit"


def test_a_check_older_than_the_setting_and_an_ended_plan_are_exceptions(clinic) -> None:
    _book(clinic, clinic.maria, TODAY, time(15))
    with clock.frozen(NOW - timedelta(days=31)):
        _by_hand(clinic)
    (item,) = eligibility.worklist(TODAY, TODAY)
    assert item.problem == "Verified 31 days ago"
    _by_hand(clinic)
    coverage = _coverage(clinic)
    insurance.Coverage.update(ends_on=TODAY - timedelta(days=1)).where(
        insurance.Coverage.id == coverage.id).execute()
    (item,) = eligibility.worklist(TODAY, TODAY)
    assert (item.problem, item.coverage_id) == ("Aetna ended 11/30/2026", None)


def test_cancelled_and_checked_out_visits_are_off_the_list(clinic) -> None:
    gone = _book(clinic, clinic.maria, TODAY, time(15))
    schedule.cancel(gone, category="patient", by=clinic.desk)
    assert eligibility.worklist(TODAY, TODAY) == []


def test_the_default_window_follows_the_setting(clinic, clinic_settings) -> None:
    from dataclasses import replace

    from frontdesk import config

    assert eligibility.window() == (TODAY, TODAY + timedelta(days=3))
    config.use(replace(clinic_settings, eligibility_days_ahead=5))
    assert eligibility.window(TODAY + timedelta(days=1)) == (
        TODAY + timedelta(days=1), TODAY + timedelta(days=6))


def test_the_worklist_reads_a_busy_week_in_a_few_queries(demo_db) -> None:
    from playhouse.test_utils import count_queries

    first, last = eligibility.window()
    with count_queries() as counted:
        items = eligibility.worklist(first, last)
    patients_days = {(i.patient_id, i.start.date()) for i in items}
    assert len(items) > 50
    # One query per patient and day for coverage_on (the contract's function), and a
    # fixed few for the rest, whatever the number of appointments.
    assert counted.count <= len(patients_days) + 6
