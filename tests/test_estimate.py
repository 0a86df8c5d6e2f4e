"""The estimate of what a patient owes for a visit, by the rules of shared/x12/NOTES.md:
a copay alone; the deductible, partly met; coinsurance after it; the out-of-pocket
maximum capping it; and what the payer did not say kept unknown, never taken as 0."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date, datetime, time, timezone
from decimal import Decimal

import pytest

from frontdesk import estimate, insurance, providers, schedule
from frontdesk.errors import InvalidInput, NotAllowed, StaleEdit
from frontdesk.estimate import Benefits, Fee

from .conftest import TODAY, WEEKDAY_HOURS

VERIFIED = datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)
NOTHING_SAID = Benefits(active=True, office_copay_cents=None, specialist_copay_cents=None,
                        deductible_total_cents=None, deductible_remaining_cents=None,
                        coinsurance_percent=None, oop_max_cents=None, oop_remaining_cents=None,
                        source="by hand", verified_at=VERIFIED)


def said(**values) -> Benefits:
    return replace(NOTHING_SAID, **values)


@pytest.fixture
def fees(clinic):
    estimate.load_fee_schedule(by=clinic.admin)  # Follow-up: 99213 at $150.00
    return clinic


def _visit(clinic, provider=None, kind=None, patient=None) -> schedule.Appointment:
    return schedule.book(patient or clinic.maria, provider or clinic.patel,
                         kind or clinic.follow_up, TODAY, time(11), by=clinic.desk)


def _no_card_copay(clinic) -> None:
    coverage = insurance.coverage_on(clinic.maria, TODAY)[0]
    insurance.update_coverage(coverage, version=coverage.version, by=clinic.desk,
                              copay_cents=None)


def test_a_copay_is_all_the_patient_pays(fees):
    found = estimate.estimate(_visit(fees), said(office_copay_cents=2500,
                                                 deductible_remaining_cents=40000))
    assert found.patient_cents == 2500 and found.parts == (("copay", 2500),)
    assert found.working[0] == "Allowed $150.00 (99213)"
    assert "Copay $25.00" in found.working
    assert found.headline == "Estimate $25.00"
    assert not any("Deductible" in line for line in found.working)


def test_the_deductible_partly_met_takes_the_whole_visit(fees):
    _no_card_copay(fees)
    found = estimate.estimate(_visit(fees), said(deductible_total_cents=100000,
                                                 deductible_remaining_cents=40000,
                                                 coinsurance_percent=Decimal("20")))
    assert found.patient_cents == 15000
    assert "Deductible: $150.00 of $400.00 remaining" in found.working
    assert "Coinsurance 20% of $0.00" in found.working
    assert found.parts == (("deductible", 15000),)


def test_what_the_deductible_leaves_is_shared_by_coinsurance(fees):
    _no_card_copay(fees)
    found = estimate.estimate(_visit(fees), said(deductible_remaining_cents=10000,
                                                 coinsurance_percent=Decimal("20")))
    # $100 to the deductible, then 20 % of the $50 left.
    assert found.patient_cents == 11000
    assert "Deductible: $100.00 of $100.00 remaining" in found.working
    assert "Coinsurance 20% of $50.00: $10.00" in found.working
    assert found.parts == (("deductible", 10000), ("coinsurance", 1000))


def test_coinsurance_alone_once_the_deductible_is_met(fees):
    _no_card_copay(fees)
    found = estimate.estimate(_visit(fees), said(deductible_remaining_cents=0,
                                                 coinsurance_percent=Decimal("12.5")))
    assert found.patient_cents == 1875  # 12.5 % of $150.00
    assert "Coinsurance 12.5% of $150.00: $18.75" in found.working


def test_the_out_of_pocket_maximum_met_means_nothing_to_pay(fees):
    found = estimate.estimate(_visit(fees), said(office_copay_cents=2500, oop_max_cents=300000,
                                                 oop_remaining_cents=0))
    assert found.patient_cents == 0 and found.parts == ()
    assert found.working[-1] == "Out-of-pocket max reached: $0"


def test_the_out_of_pocket_remaining_caps_the_share(fees):
    _no_card_copay(fees)
    found = estimate.estimate(_visit(fees), said(deductible_remaining_cents=10000,
                                                 coinsurance_percent=Decimal("20"),
                                                 oop_remaining_cents=5000))
    assert found.patient_cents == 5000
    assert "Capped at the out-of-pocket remaining: $50.00" in found.working
    assert found.parts == (("deductible", 5000),)  # the cap comes off coinsurance first


def test_an_unknown_deductible_is_not_taken_as_zero(fees):
    _no_card_copay(fees)
    found = estimate.estimate(_visit(fees), said(coinsurance_percent=Decimal("20"),
                                                 oop_remaining_cents=9000))
    assert found.patient_cents is None and not found.known
    assert found.unknown == ("the deductible remaining",)
    assert "Deductible remaining: not known" in found.working
    assert found.most_cents == 9000  # never more than the out-of-pocket still to reach
    assert found.headline == ("Estimate not known: the deductible remaining not known; "
                              "at most $90.00")


def test_an_unknown_coinsurance_is_said_when_something_is_left_to_share(fees):
    _no_card_copay(fees)
    visit = _visit(fees)
    found = estimate.estimate(visit, said(deductible_remaining_cents=5000))
    assert found.patient_cents is None
    assert found.unknown == ("the coinsurance",)
    assert "Coinsurance on $100.00: not known" in found.working
    assert found.most_cents == 15000
    # ...but not when the deductible takes it all.
    whole = estimate.estimate(visit, said(deductible_remaining_cents=90000))
    assert whole.patient_cents == 15000


def test_a_plan_without_a_deductible_has_none_left(fees):
    _no_card_copay(fees)
    found = estimate.estimate(_visit(fees), said(deductible_total_cents=0,
                                                 coinsurance_percent=Decimal("10")))
    assert found.patient_cents == 1500


def test_never_verified_uses_the_card_copay_and_says_so(fees):
    found = estimate.estimate(_visit(fees), None)
    assert found.patient_cents == 2500 and not found.verified
    assert "Not verified with Aetna: the card's copay" in found.working
    assert "Copay $25.00 (as on the card)" in found.working


def test_never_verified_and_no_copay_on_the_card_is_unknown(fees):
    _no_card_copay(fees)
    found = estimate.estimate(_visit(fees), None)
    assert found.patient_cents is None
    assert found.unknown == ("the copay",)
    assert found.most_cents == 15000
    assert "Copay: not on the card; verify with the payer" in found.working


def test_a_specialist_visit_takes_the_specialist_copay(fees):
    cardio = providers.add_provider(first_name="Wei", last_name="Chen", credentials="MD",
                                    npi="1003000126", specialty="Cardiology", by=fees.admin)
    providers.set_hours(cardio, WEEKDAY_HOURS, by=fees.admin)
    visit = _visit(fees, provider=cardio)
    found = estimate.estimate(visit, said(office_copay_cents=2500, specialist_copay_cents=6000))
    assert found.patient_cents == 6000 and "Specialist copay $60.00" in found.working
    unknown = estimate.estimate(visit, said(office_copay_cents=2500))
    assert unknown.patient_cents is None
    assert unknown.unknown == ("the specialist copay",)
    assert "Specialist copay: not known (the office copay is $25.00)" in unknown.working


def test_no_coverage_is_self_pay_at_the_allowed_amount(fees):
    found = estimate.estimate(_visit(fees, patient=fees.john), None)
    assert found.patient_cents == 15000 and found.self_pay
    assert "No coverage in force on 12/01/2026: self-pay, the allowed amount" in found.working


def test_an_inactive_coverage_is_self_pay(fees):
    found = estimate.estimate(_visit(fees), said(active=False, office_copay_cents=2500))
    assert found.patient_cents == 15000 and found.self_pay
    assert any("says the coverage is not active" in line for line in found.working)


def test_a_visit_type_without_codes_has_no_allowed_amount_but_a_copay_is_still_known(fees):
    kind = schedule.add_type("Counselling", "CNSL", 30, by=fees.admin)
    visit = _visit(fees, kind=kind)
    found = estimate.estimate(visit, said(office_copay_cents=2000))
    assert found.patient_cents == 2000 and found.allowed_cents is None
    assert "Allowed amount: not known (no procedure codes set for Counselling)" in found.working
    _no_card_copay(fees)
    unknown = estimate.estimate(visit, said(deductible_remaining_cents=0,
                                            coinsurance_percent=Decimal("20")))
    assert unknown.patient_cents is None and unknown.most_cents is None
    assert unknown.unknown == ("the allowed amount",)


def test_a_secondary_coverage_is_named(fees):
    cigna = insurance.add_payer("Cigna", "62308", by=fees.admin)
    insurance.add_coverage(fees.maria, cigna, plan_type="PPO", member_id="C55", rank=2,
                           effective_on=date(2026, 1, 1), by=fees.desk)
    found = estimate.estimate(_visit(fees), said(office_copay_cents=2500))
    assert found.working[-1] == "Cigna (secondary) may pay part of this"


def test_several_codes_add_up_and_are_listed(fees):
    estimate.set_visit_codes("Follow-up", "99213 36415", by=fees.admin)
    found = estimate.estimate(_visit(fees), said(office_copay_cents=2500))
    assert found.allowed_cents == 16200
    assert found.working[0] == "Allowed $162.00 (99213 $150.00 + 36415 $12.00)"


def test_the_estimate_uses_the_latest_verification(fees):
    from frontdesk import eligibility

    visit = _visit(fees)
    assert estimate.for_appointment(visit).patient_cents == 2500  # the card
    coverage = insurance.coverage_on(fees.maria, TODAY)[0]
    eligibility.verify_by_hand(coverage, active=True, office_copay="40", by=fees.desk)
    found = estimate.for_appointment(visit.id)
    assert found.patient_cents == 4000 and found.verified
    assert "Aetna benefits verified by hand 12/01/2026" in found.working
    assert "Copay $40.00" in found.working  # the payer's word over the card's


# -- the fee schedule ---------------------------------------------------------------------------


def test_the_shipped_schedule_loads_once_and_maps_the_clinic_s_types(clinic):
    assert estimate.load_fee_schedule(by=clinic.admin) == (25, 2)  # Follow-up, New patient
    assert estimate.load_fee_schedule(by=clinic.admin) == (0, 0)
    mapped = estimate.visit_codes()
    assert mapped[clinic.follow_up.id].code_list == ["99213"]
    assert mapped[clinic.new_patient.id].code_list == ["99204"]


def test_a_fee_is_changed_with_its_version_and_only_by_setup(fees):
    fee = Fee.get(Fee.code == "99213")
    changed = estimate.set_fee("99213", description=fee.description, allowed="162.50",
                               version=fee.version, by=fees.admin)
    assert changed.allowed_cents == 16250
    with pytest.raises(StaleEdit):
        estimate.set_fee("99213", description=fee.description, allowed="1",
                         version=fee.version, by=fees.admin)
    with pytest.raises(NotAllowed):
        estimate.set_fee("99214", description="x", allowed="1", version=1, by=fees.desk)


@pytest.mark.parametrize("code, allowed, field, says", [
    ("9921", "10", "code", "is not a procedure code"),
    ("99x13", "10", "code", "is not a procedure code"),
    ("99299", "-4", "allowed", "cannot be negative"),
    ("99299", "lots", "allowed", "must be an amount"),
])
def test_a_bad_fee_says_why(fees, code, allowed, field, says):
    with pytest.raises(InvalidInput, match=says) as refused:
        estimate.set_fee(code, description="Test", allowed=allowed, by=fees.admin)
    assert refused.value.field == field


def test_a_visit_type_maps_only_to_codes_in_the_schedule(fees):
    with pytest.raises(InvalidInput, match="99499 is not in the fee schedule"):
        estimate.set_visit_codes(fees.new_patient, "99204 99499", by=fees.admin)
    assert estimate.visit_codes()[fees.new_patient.id].codes == "99204"


# -- from the command line -----------------------------------------------------------------------


def test_fees_from_the_command_line(demo_db, capsys):
    from frontdesk import cli

    assert cli.main(["fees", "list", "--db", str(demo_db), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"code": "99213", "description": "Established patient visit, low complexity",
            "allowed_cents": 15000, "active": True} in listed["fees"]
    assert listed["visit_types"]["Well child"] == ["99392", "90471"]
    assert cli.main(["fees", "set", "99213", "155", "--db", str(demo_db), "--as", "manager"]) == 0
    assert "99213 Established patient visit, low complexity: allowed $155.00." in (
        capsys.readouterr().out)
    assert cli.main(["fees", "map", "Telehealth", "99212", "--db", str(demo_db),
                     "--as", "manager"]) == 0
    assert cli.main(["fees", "set", "99213", "155", "--db", str(demo_db), "--as", "desk"]) == 1
    assert "Only a manager or administrator may" in capsys.readouterr().err
    assert cli.main(["fees", "map", "Telehealth", "12345", "--db", str(demo_db),
                     "--as", "manager"]) == 1
    assert "12345 is not in the fee schedule" in capsys.readouterr().err
    assert Fee.get(Fee.code == "99213").allowed_cents == 15500


def test_init_loads_the_payers_and_the_fee_schedule(tmp_path, capsys):
    from frontdesk import cli

    secret = tmp_path / "password"
    secret.write_text("a long enough secret\n")
    target = tmp_path / "new.db"
    assert cli.main(["init", "--db", str(target), "--username", "boss", "--name", "Pat Boss",
                     "--password-file", str(secret)]) == 0
    assert "10 payers and 25 procedure codes from data/" in capsys.readouterr().out
    with sqlite3.connect(target) as check:
        assert check.execute("select count(*) from payer").fetchone() == (10,)
        assert check.execute("select allowed_cents from fee where code = '99213'").fetchone() == (
            15000,)
