"""Referrals and prior authorisations: checked as typed, version-checked, used once per
checked-out visit, shown at check-in as visits left, warned about when booking a
specialist without one, and listed when they need a call."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from frontdesk import checkin, insurance, providers, referrals, schedule
from frontdesk.errors import InvalidInput, StaleEdit
from frontdesk.referrals import Referral, ReferralDraft, ReferralUse

from .conftest import TODAY, WEEKDAY_HOURS


@pytest.fixture
def hmo(clinic):
    """John on an HMO that requires referrals; Dr. Chen, a cardiologist."""
    aetna = insurance.Payer.get(insurance.Payer.name == "Aetna")
    insurance.add_coverage(clinic.john, aetna, plan_type="HMO", member_id="H100200300",
                           effective_on=date(2026, 1, 1), copay_cents=2000, by=clinic.desk)
    chen = providers.add_provider(first_name="Wei", last_name="Chen", credentials="MD",
                                  npi="1003000126", specialty="Cardiology", by=clinic.admin)
    providers.set_hours(chen, WEEKDAY_HOURS, by=clinic.admin)
    clinic.chen = chen
    return clinic


def _approved(clinic, **given) -> ReferralDraft:
    values = dict(kind="referral", status="approved", number="r4417",
                  to_provider_id=clinic.chen.id, from_name="Dr. Patel", units_authorised="6",
                  units_used="4", starts_on="10/1/2026", ends_on="3/1/2027")
    values.update(given)
    return ReferralDraft(**values)


def _visit(clinic, on=TODAY, at=time(11), provider=None) -> schedule.Appointment:
    return schedule.book(clinic.john, provider or clinic.chen, clinic.follow_up, on, at,
                         by=clinic.desk)


# -- as typed ---------------------------------------------------------------------------------


def test_an_approved_referral_is_stored_as_typed(hmo):
    referral = referrals.add_typed(hmo.john.id, _approved(hmo), by=hmo.desk)
    assert (referral.number, referral.units_authorised, referral.units_used) == ("R4417", 6, 4)
    assert (referral.starts_on, referral.ends_on) == (date(2026, 10, 1), date(2027, 3, 1))
    assert referral.visits_words == "2 of 6 visits left"
    assert referral.to_words == "Dr. Chen (Cardiology)"


@pytest.mark.parametrize("given, field, says", [
    (dict(number=""), "number", "has the payer's number"),
    (dict(units_authorised=""), "units_authorised", "How many visits"),
    (dict(units_authorised="six"), "units_authorised", "must be a whole number"),
    (dict(units_authorised="0"), "units_authorised", "at least 1"),
    (dict(units_authorised="5000"), "units_authorised", "cannot be right"),
    (dict(units_used="7"), "units_used", "7 visits used is more than the 6 authorized"),
    (dict(ends_on=""), "ends_on", "Until when is it approved"),
    (dict(ends_on="9/1/2026"), "ends_on", r"ends \(09/01/2026\) before it starts \(10/01/2026\)"),
    (dict(starts_on="31/31"), "starts_on", "From:"),
    (dict(to_provider_id=None), "to_provider", "Say where the patient is referred to"),
    (dict(kind="authorization", service=""), "service", "Say what is authorized"),
    (dict(status="lost"), "status", "Status is one of"),
    (dict(notes="a\x1b[31m"), "notes", "control characters"),
])
def test_every_bad_field_says_why_and_nothing_is_stored(hmo, given, field, says):
    with pytest.raises(InvalidInput, match=says) as refused:
        referrals.add_typed(hmo.john.id, _approved(hmo, **given), by=hmo.desk)
    assert refused.value.field == field
    assert not Referral.select().exists()


def test_a_request_gets_a_follow_up_date_a_week_out(hmo):
    asked = referrals.add_typed(hmo.john.id, ReferralDraft(
        kind="authorization", status="requested", service="Echocardiogram"), by=hmo.desk)
    assert asked.follow_up_on == TODAY + timedelta(days=referrals.FOLLOW_UP_DAYS)


def test_a_coverage_of_another_patient_is_refused(hmo):
    marias = insurance.coverage_on(hmo.maria, TODAY)[0]
    with pytest.raises(InvalidInput, match="not this patient's") as refused:
        referrals.add_typed(hmo.john.id, _approved(hmo, coverage_id=marias.id), by=hmo.desk)
    assert refused.value.field == "coverage"


def test_a_stale_edit_is_refused_and_changes_nothing(hmo):
    read = referrals.add_typed(hmo.john.id, _approved(hmo), by=hmo.desk)
    referrals.update_typed(read.id, replace(referrals.draft_of(read), units_used="5"),
                           version=read.version, by=hmo.desk)
    with pytest.raises(StaleEdit, match="Someone else changed this referral"):
        referrals.update_typed(read.id, replace(referrals.draft_of(read), number="X1"),
                               version=read.version, by=hmo.desk)
    assert (referrals.get(read.id).number, referrals.get(read.id).units_used) == ("R4417", 5)


# -- used by a checked-out visit -----------------------------------------------------------------


def _check_out(clinic, visit) -> schedule.Appointment:
    sheet = checkin.sheet(visit.id, by=clinic.desk)
    arrived = checkin.arrive(sheet.appointment, verified=False,
                             version_of_patient=sheet.patient_version, by=clinic.desk)
    return checkin.depart(arrived, by=clinic.desk)


def test_a_checked_out_visit_uses_one_visit_once(hmo):
    referral = referrals.add_typed(hmo.john.id, _approved(hmo), by=hmo.desk)
    visit = _visit(hmo)
    assert checkin.sheet(visit.id, by=hmo.desk).referral.text == (
        "2 of 6 visits left · R4417 · until 03/01/27")
    done = _check_out(hmo, visit)
    assert referrals.get(referral.id).units_used == 5
    assert referrals.use_for(done, by=hmo.desk) is None  # again: not counted twice
    assert referrals.get(referral.id).units_used == 5
    assert ReferralUse.select().count() == 1
    standing = checkin.sheet(visit.id, by=hmo.desk).referral
    assert standing.text == "1 of 6 visits left (this visit counted) · R4417 · until 03/01/27"
    assert not standing.warning


def test_a_visit_it_does_not_cover_uses_nothing(hmo):
    referral = referrals.add_typed(hmo.john.id, _approved(hmo), by=hmo.desk)
    _check_out(hmo, _visit(hmo, provider=hmo.patel))  # not the provider referred to
    assert referrals.get(referral.id).units_used == 4
    assert not ReferralUse.select().exists()


def test_an_ended_or_used_up_referral_is_not_used(hmo):
    ended = referrals.add_typed(hmo.john.id, _approved(hmo, ends_on="11/30/2026"), by=hmo.desk)
    full = referrals.add_typed(hmo.john.id, _approved(hmo, number="R2", units_used="6"),
                               by=hmo.desk)
    _check_out(hmo, _visit(hmo))
    assert (referrals.get(ended.id).units_used, referrals.get(full.id).units_used) == (4, 6)


def test_the_referral_ending_soonest_is_used_first(hmo):
    later = referrals.add_typed(hmo.john.id, _approved(hmo, to_provider_id=None,
                                                       to_specialty="cardiology"), by=hmo.desk)
    sooner = referrals.add_typed(hmo.john.id, _approved(hmo, number="R9", ends_on="1/15/2027",
                                                        to_provider_id=None,
                                                        to_specialty="Cardiology"), by=hmo.desk)
    _check_out(hmo, _visit(hmo))
    assert (referrals.get(sooner.id).units_used, referrals.get(later.id).units_used) == (5, 4)


# -- the warning when booking ------------------------------------------------------------------


def test_booking_a_specialist_without_a_referral_warns(hmo):
    warning = referrals.referral_warning(hmo.john, hmo.chen, TODAY)
    assert warning == ("Dr. Chen (Cardiology) is a specialist and John O'Brien-Smith's Aetna "
                       "HMO requires a referral; none is on file for 12/01/2026.")
    referrals.add_typed(hmo.john.id, _approved(hmo), by=hmo.desk)
    assert referrals.referral_warning(hmo.john, hmo.chen, TODAY) is None


def test_no_warning_for_primary_care_or_a_plan_without_referrals(hmo):
    assert referrals.referral_warning(hmo.john, hmo.patel, TODAY) is None
    assert referrals.referral_warning(hmo.maria, hmo.chen, TODAY) is None  # a PPO
    coverage = insurance.coverage_on(hmo.john, TODAY)[0]
    insurance.update_coverage(coverage, version=coverage.version, by=hmo.desk,
                              referrals_required=False)
    assert referrals.referral_warning(hmo.john, hmo.chen, TODAY) is None


def test_the_warning_says_what_is_wrong_with_the_referral_on_file(hmo):
    asked = referrals.add_typed(hmo.john.id, ReferralDraft(
        status="pending", to_provider_id=hmo.chen.id), by=hmo.desk)
    assert referrals.referral_warning(hmo.john, hmo.chen, TODAY).endswith(
        "the one asked for is still pending.")
    referrals.update_typed(asked.id, _approved(hmo, units_used="6"), version=asked.version,
                           by=hmo.desk)
    assert referrals.referral_warning(hmo.john, hmo.chen, TODAY).endswith(
        "referral R4417 has no visits left (6 of 6 used).")
    later = TODAY + timedelta(days=200)
    assert referrals.referral_warning(hmo.john, hmo.chen, later).endswith(
        "referral R4417 runs 10/01/2026 to 03/01/2027, not 06/19/2027.")


def test_check_in_shows_the_warning_when_none_applies(hmo):
    standing = checkin.sheet(_visit(hmo).id, by=hmo.desk).referral
    assert standing.warning
    assert standing.text == "Aetna HMO requires one; none is on file for 12/01/2026."


# -- the worklist ----------------------------------------------------------------------------


def test_the_worklist_lists_follow_ups_then_expiring_then_used_up(hmo):
    def add(days_ago: int, **given) -> Referral:
        from frontdesk import clock
        from .conftest import NOW
        with clock.frozen(NOW - timedelta(days=days_ago)):
            return referrals.add_typed(hmo.john.id, ReferralDraft(**given), by=hmo.desk)

    add(20, kind="authorization", status="pending", service="MRI", follow_up_on="11/28/2026")
    add(3, kind="authorization", status="requested", service="CT",
        follow_up_on="12/1/2026")
    add(0, kind="authorization", status="pending", service="Later", follow_up_on="12/9/2026")
    add(60, **_approved(hmo, ends_on="12/6/2026").__dict__)
    add(60, **_approved(hmo, number="R5", ends_on="2/1/2027").__dict__)  # not soon
    add(60, **_approved(hmo, number="R6", units_used="6").__dict__)
    add(90, **_approved(hmo, number="R7", ends_on="11/15/2026").__dict__)  # already over
    add(5, **_approved(hmo, status="denied").__dict__)
    items = referrals.worklist(by=hmo.desk)
    assert [(i.section, i.reason) for i in items] == [
        ("follow_up", "follow-up 3 days late"),
        ("follow_up", "follow-up due today"),
        ("expiring", "ends in 5 days"),
        ("used_up", "all 6 visits used"),
    ]
    assert items[0].patient == "O'Brien-Smith, John" and items[0].kind_label == "Auth"
    assert items[2].visits == "2 of 6 visits left"


def test_the_worklist_and_a_patient_s_list_read_in_a_few_queries(hmo):
    from playhouse.test_utils import count_queries

    for n in range(6):
        referrals.add_typed(hmo.john.id, _approved(hmo, number=f"R{n}", ends_on="12/9/2026",
                                                   to_provider_id=hmo.chen.id if n % 2 else None,
                                                   to_specialty="" if n % 2 else "Cardiology"),
                            by=hmo.desk)
    with count_queries() as counter:
        items = referrals.worklist(by=hmo.desk)
        [item.to for item in items]
    assert len(items) == 6 and counter.count <= 8  # one read, and the audit write
    with count_queries() as counter:
        found = referrals.for_patient(hmo.john.id, by=hmo.desk)
        [r.to_short for r in found.referrals]
    assert len(found.referrals) == 6 and counter.count <= 10
