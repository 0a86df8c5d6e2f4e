"""Payers and coverages: what staff type is checked and said back, edits are version-checked,
a coverage is ended and never deleted, and a patient never has two primaries at once."""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk import audit, insurance
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, StaleEdit
from frontdesk.insurance import Coverage, CoverageDraft, Payer

from .conftest import TODAY


def _aetna() -> Payer:
    return Payer.get(Payer.name == "Aetna")


def _maria_coverage(clinic) -> Coverage:
    return Coverage.get(Coverage.patient == clinic.maria.id)


# -- the Medicare number and member IDs ------------------------------------------------------


@pytest.mark.parametrize("mbi", ["1EG4TE5MK73", "1eg4-te5-mk73", "9AA0A00AA00", "2C09X61QR58"])
def test_a_medicare_number_in_the_cms_format_is_taken(mbi):
    assert insurance.mbi_problem(mbi) is None


@pytest.mark.parametrize("mbi, says", [
    ("1EG4TE5MK7", "has 11 characters; \"1EG4TE5MK7\" has 10"),
    ("0EG4TE5MK73", "character 1 must be a digit from 1 to 9, not \"0\""),
    ("1SG4TE5MK73", "character 2 must be a letter other than S, L, O, I, B or Z, not \"S\""),
    ("1E04TE5MK73", None),  # position 3 may be a digit
    ("1EGATE5MK73", "character 4 must be a digit, not \"A\""),
    ("1EG4TE5M173", "character 9 must be a letter other than S, L, O, I, B or Z, not \"1\""),
    ("1EG4TEOMK73", "character 7 must be a digit, not \"O\""),
    ("1EG4TE5MK7B", "character 11 must be a digit, not \"B\""),
])
def test_a_wrong_medicare_number_says_which_character_is_wrong(mbi, says):
    problem = insurance.mbi_problem(mbi)
    if says is None:
        assert problem is None
    else:
        assert problem is not None and says in problem


@pytest.mark.parametrize("member_id, says", [
    ("W12 3456", "has a space in it"),
    ("W", "must be 2 to 30 characters"),
    ("W" * 31, "must be 2 to 30 characters"),
    ("W123#456", "letters, digits and dashes only, not \"#\""),
])
def test_a_member_id_that_cannot_be_right_says_why(member_id, says):
    assert says in insurance.member_id_problem(member_id)


def test_a_medicare_coverage_checks_the_mbi_and_stores_it_without_dashes(clinic):
    medicare = insurance.add_payer("Medicare Part B", "14212", by=clinic.admin)
    with pytest.raises(InvalidInput, match="character 2 must be a letter") as refused:
        insurance.add_coverage(clinic.john, medicare, plan_type="Medicare",
                               member_id="1ZG4TE5MK73", effective_on=date(2026, 1, 1),
                               by=clinic.desk)
    assert refused.value.field == "member_id"
    assert not Coverage.select().where(Coverage.patient == clinic.john.id).exists()
    stored = insurance.add_coverage(clinic.john, medicare, plan_type="Medicare",
                                    member_id="1eg4-te5-mk73", effective_on=date(2026, 1, 1),
                                    by=clinic.desk)
    assert stored.member_id == "1EG4TE5MK73"


def test_a_member_id_with_a_control_character_is_refused(clinic):
    with pytest.raises(InvalidInput, match="control characters") as refused:
        insurance.add_coverage(clinic.john, _aetna(), plan_type="PPO", member_id="W1\x1b[2J",
                               effective_on=date(2026, 1, 1), by=clinic.desk)
    assert refused.value.field == "member_id"


# -- adding from the form ---------------------------------------------------------------------


def _draft(**given) -> CoverageDraft:
    values = dict(payer_id=Payer.get(Payer.name == "Aetna").id, plan_type="HMO",
                  member_id="A987654321", group_number="G100", rank=2, effective_on="1/1/2026",
                  copay="25", specialist_copay="$50.00")
    values.update(given)
    return CoverageDraft(**values)


def test_the_form_adds_a_coverage_with_a_subscriber(clinic):
    coverage = insurance.add_typed(clinic.maria.id, _draft(
        relationship="child", subscriber_first_name="Carlos", subscriber_last_name="García",
        subscriber_dob="5/6/1950"), by=clinic.desk)
    assert (coverage.rank, coverage.plan_type, coverage.copay_cents,
            coverage.specialist_copay_cents) == (2, "HMO", 2500, 5000)
    assert coverage.effective_on == date(2026, 1, 1)
    assert coverage.subscriber_name == "Carlos García"
    assert coverage.subscriber_dob == date(1950, 5, 6)
    assert coverage.referrals_required  # an HMO's usual
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert (event.action, event.patient_id) == ("coverage.added", clinic.maria.id)


def test_an_empty_copay_is_unknown_and_zero_is_zero(clinic):
    unknown = insurance.add_typed(clinic.john.id, _draft(rank=1, copay="", specialist_copay=""),
                                  by=clinic.desk)
    assert unknown.copay_cents is None and unknown.specialist_copay_cents is None
    zero = insurance.add_typed(clinic.john.id, _draft(rank=2, member_id="A2", copay="0"),
                               by=clinic.desk)
    assert zero.copay_cents == 0


@pytest.mark.parametrize("given, field, says", [
    (dict(payer_id=None), "payer", "Choose the payer"),
    (dict(plan_type="Gold"), "plan_type", "is not one of HMO, PPO"),
    (dict(plan_type="Self-pay"), "plan_type", "Self-pay is not a coverage"),
    (dict(member_id=""), "member_id", "Member ID is required"),
    (dict(member_id="A98 7654"), "member_id", "has a space"),
    (dict(effective_on=""), "effective_on", "Effective date is required"),
    (dict(effective_on="13/45/2026"), "effective_on",
     "Effective date: \"13/45/2026\": there is no month 13"),
    (dict(ends_on="12/31/2025"), "ends_on", "ends (12/31/2025) before it starts (01/01/2026)"),
    (dict(copay="-5"), "copay", "Copay cannot be negative"),
    (dict(copay="ten"), "copay", "Copay must be an amount"),
    (dict(specialist_copay="12.345"), "specialist_copay", "more than two decimals"),
    (dict(relationship="spouse"), "subscriber_first_name", "Subscriber's first name is required"),
    (dict(relationship="spouse", subscriber_first_name="Ana", subscriber_last_name="Ruiz"),
     "subscriber_dob", "date of birth is required"),
    (dict(relationship="spouse", subscriber_first_name="Ana", subscriber_last_name="Ruiz",
          subscriber_dob="1/1/2090"), "subscriber_dob", "in the future"),
    (dict(relationship="cousin"), "relationship", "self"),
])
def test_every_bad_field_says_why_and_nothing_is_stored(clinic, given, field, says):
    before = Coverage.select().count()
    with pytest.raises(InvalidInput) as refused:
        insurance.add_typed(clinic.john.id, _draft(**given), by=clinic.desk)
    assert says in str(refused.value)
    assert refused.value.field == field
    assert Coverage.select().count() == before


def test_a_deactivated_payer_takes_no_new_coverage(clinic):
    aetna = _aetna()
    insurance.set_payer_active(aetna, False, version=aetna.version, by=clinic.admin)
    with pytest.raises(InvalidInput, match="no longer on the payer list"):
        insurance.add_typed(clinic.john.id, _draft(), by=clinic.desk)
    # The coverage already with it can still be corrected.
    maria = _maria_coverage(clinic)
    changed = insurance.update_coverage(maria, version=maria.version, by=clinic.desk,
                                        copay_cents=3000)
    assert changed.copay_cents == 3000


def test_billing_may_add_coverage_but_a_role_without_it_may_not(clinic):
    from frontdesk import staff

    from .conftest import PASSWORD
    billing = staff.add_staff("bill", "Bo Billing", staff.Role.BILLING, PASSWORD, by=clinic.admin)
    insurance.add_typed(clinic.john.id, _draft(), by=billing)
    with pytest.raises(NotAllowed):
        insurance.add_payer("Cigna", "62308", by=billing)


# -- editing -----------------------------------------------------------------------------------


def test_an_edit_based_on_a_stale_read_is_refused_and_changes_nothing(clinic):
    read_by_two = _maria_coverage(clinic)
    first = insurance.update_typed(read_by_two.id, insurance.draft_of(read_by_two).__class__(
        **{**insurance.draft_of(read_by_two).__dict__, "copay": "30"}),
        version=read_by_two.version, by=clinic.desk)
    assert first.copay_cents == 3000 and first.version == read_by_two.version + 1
    stale = CoverageDraft(**{**insurance.draft_of(read_by_two).__dict__, "member_id": "W999"})
    with pytest.raises(StaleEdit, match="Someone else changed Aetna coverage"):
        insurance.update_typed(read_by_two.id, stale, version=read_by_two.version,
                               by=clinic.desk)
    now = _maria_coverage(clinic)
    assert (now.member_id, now.copay_cents) == ("W123456789", 3000)


def test_the_draft_of_a_coverage_saves_back_unchanged(clinic):
    coverage = insurance.add_typed(clinic.maria.id, _draft(
        relationship="spouse", subscriber_first_name="Luis", subscriber_last_name="García",
        subscriber_dob="2/3/1978", copay="", ends_on="12/31/2027"), by=clinic.desk)
    saved = insurance.update_typed(coverage.id, insurance.draft_of(coverage),
                                   version=coverage.version, by=clinic.desk)
    for name in ("payer_id", "plan_type", "member_id", "rank", "effective_on", "ends_on",
                 "copay_cents", "specialist_copay_cents", "subscriber_relationship",
                 "subscriber_first_name", "subscriber_dob", "referrals_required"):
        assert getattr(saved, name) == getattr(coverage, name), name


def test_the_edit_is_audited_with_what_changed(clinic):
    coverage = _maria_coverage(clinic)
    insurance.update_coverage(coverage, version=coverage.version, by=clinic.desk,
                              member_id="W123456780", referrals_required=True)
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert event.action == "coverage.changed"
    assert "W123456780" in event.detail and "referrals_required" in event.detail


def test_ending_a_coverage_keeps_it_and_it_no_longer_covers(clinic):
    coverage = _maria_coverage(clinic)
    ended = insurance.end_coverage(coverage, date(2026, 11, 30), version=coverage.version,
                                   by=clinic.desk)
    assert ended.ends_on == date(2026, 11, 30)
    assert insurance.coverage_on(clinic.maria, TODAY) == []
    assert [c.id for c in insurance.coverages_of(clinic.maria.id)] == [coverage.id]
    with pytest.raises(InvalidInput, match="cannot end before that"):
        insurance.end_coverage(ended, date(2024, 1, 1), version=ended.version, by=clinic.desk)
    with pytest.raises(StaleEdit):
        insurance.end_coverage(ended, date(2026, 12, 31), version=coverage.version,
                               by=clinic.desk)


# -- ranks ---------------------------------------------------------------------------------------


def test_no_two_primaries_over_the_same_days(clinic):
    with pytest.raises(Conflict, match="Aetna PPO is already primary from 01/01/2025 with no "
                                       "end") as refused:
        insurance.add_typed(clinic.maria.id, _draft(rank=1), by=clinic.desk)
    assert refused.value.field == "rank"
    assert Coverage.select().where(Coverage.patient == clinic.maria.id).count() == 1
    # After the old one ends, a new primary may start.
    old = _maria_coverage(clinic)
    insurance.end_coverage(old, date(2025, 12, 31), version=old.version, by=clinic.desk)
    new = insurance.add_typed(clinic.maria.id, _draft(rank=1), by=clinic.desk)
    assert [c.id for c in insurance.coverage_on(clinic.maria, TODAY)] == [new.id]


def test_an_edit_cannot_make_a_second_primary(clinic):
    second = insurance.add_typed(clinic.maria.id, _draft(rank=2), by=clinic.desk)
    with pytest.raises(Conflict, match="already primary"):
        insurance.update_coverage(second, version=second.version, by=clinic.desk, rank=1)
    assert Coverage.get_by_id(second.id).rank == 2


def test_making_the_secondary_primary_moves_the_primary_down(clinic):
    primary = _maria_coverage(clinic)
    second = insurance.add_typed(clinic.maria.id, _draft(rank=2), by=clinic.desk)
    insurance.set_rank(second, 1, version=second.version, by=clinic.desk)
    ranks = {c.id: c.rank for c in Coverage.select()}
    assert ranks[second.id] == 1 and ranks[primary.id] == 2
    assert [c.id for c in insurance.coverage_on(clinic.maria, TODAY)] == [second.id, primary.id]
    with pytest.raises(StaleEdit):  # the version read before the swap
        insurance.set_rank(second, 2, version=second.version, by=clinic.desk)


# -- payers ----------------------------------------------------------------------------------


def test_the_shipped_payers_load_once_and_keep_the_clinic_s_edits(clinic):
    aetna = _aetna()
    insurance.update_payer(aetna, name="Aetna Better Health", payer_id="60054",
                           version=aetna.version, by=clinic.admin)
    added = insurance.load_payers(by=clinic.admin)
    names = {p.name for p in insurance.payers()}
    assert "Aetna" in {p.name for p in added}  # the shipped name is not on the list any more
    assert {"Cigna", "Tufts Health Plan", "MassHealth (Medicaid)"} <= names
    humana = Payer.get(Payer.name == "Humana")
    assert humana.plans == ["Medicare Advantage"]
    assert insurance.load_payers(by=clinic.admin) == []


def test_a_payer_is_renamed_given_an_id_and_deactivated_with_version_checks(clinic):
    aetna = _aetna()
    renamed = insurance.update_payer(aetna, name="Aetna Inc", payer_id="60054",
                                     plan_types="PPO, hmo", version=aetna.version, by=clinic.admin)
    assert (renamed.name, renamed.plans) == ("Aetna Inc", ["PPO", "HMO"])
    with pytest.raises(StaleEdit):
        insurance.update_payer(aetna, name="Aetna", payer_id="60054", version=aetna.version,
                               by=clinic.admin)
    with pytest.raises(InvalidInput, match="letters and digits only") as refused:
        insurance.update_payer(renamed, name="Aetna Inc", payer_id="60 054",
                               version=renamed.version, by=clinic.admin)
    assert refused.value.field == "payer_id"
    cigna = insurance.add_payer("Cigna", "62308", by=clinic.admin)
    with pytest.raises(Conflict, match="Cigna is already on the payer list"):
        insurance.update_payer(renamed, name="cigna", payer_id="60054", version=renamed.version,
                               by=clinic.admin)
    gone = insurance.set_payer_active(cigna, False, version=cigna.version, by=clinic.admin)
    assert not gone.active and gone in insurance.payers()
    assert gone not in insurance.payers(active_only=True)
    with pytest.raises(NotAllowed):
        insurance.set_payer_active(gone, True, version=gone.version, by=clinic.desk)


def test_specialists_and_who_needs_a_referral():
    assert not insurance.is_specialist("Family Medicine")
    assert insurance.is_specialist("Cardiology")
    assert insurance.needs_referral("Dermatology")
    assert insurance.is_specialist("Obstetrics & Gynecology")
    assert not insurance.needs_referral("Obstetrics & Gynecology")  # direct access


# -- a clinic's coverages from before --------------------------------------------------------


def test_coverages_on_file_before_keep_their_meaning(tmp_path):
    import shutil
    import sqlite3

    from frontdesk import db, staff

    from .conftest import PASSWORD
    older = tmp_path / "older-migrations"
    older.mkdir()
    shutil.copy(db.MIGRATIONS / "__init__.py", older)
    for script in sorted(db.MIGRATIONS.glob("[0-9]*.py")):
        if script.stem >= "0010":
            break
        shutil.copy(script, older)
    path = tmp_path / "clinic.db"
    db.open_database(path)
    db.migrate(older)
    admin = staff.add_staff("admin", "Alex Admin", staff.Role.ADMIN, PASSWORD, by=None)
    with db.write():  # rows as the older schema held them
        db.database.execute_sql(
            "INSERT INTO patient (mrn, first_name, middle_name, last_name, first_key, last_key,"
            " dob, sex, email, address1, address2, city, state, zip, active, created_at,"
            " updated_at, version, first_sound, last_sound, deceased, alerts, balance_cents)"
            " VALUES ('100001', 'Ana', '', 'Ruiz', 'ana', 'ruiz', '1980-03-04', 'F', '', '', '',"
            " '', '', '', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1, '', '', 0, '', 0)")
        db.database.execute_sql("INSERT INTO payer (name, payer_id, active) VALUES "
                                "('Tufts Health Plan', '04245', 1)")
        for plan, member in (("HMO", "T1"), ("PPO", "T2")):
            db.database.execute_sql(
                "INSERT INTO coverage (patient_id, payer_id, rank, plan_type, member_id,"
                " group_number, effective_on, copay_cents, updated_by_id, updated_at, version)"
                f" VALUES (1, 1, {1 if plan == 'HMO' else 2}, '{plan}', '{member}', '',"
                f" '2025-01-01', 2500, {admin.id}, '2026-01-01 00:00:00', 1)")
    assert "0010_coverage_referrals" in db.migrate()
    hmo, ppo = Coverage.select().order_by(Coverage.id)
    assert (hmo.referrals_required, ppo.referrals_required) == (True, False)
    assert hmo.subscriber_is_patient and hmo.specialist_copay_cents is None
    assert hmo.copay_cents == 2500 and Payer.get_by_id(1).version == 1
    # And it is edited like a new one.
    changed = insurance.update_coverage(hmo, version=hmo.version, by=admin, copay_cents=3000)
    assert changed.copay_cents == 3000
    db.close_database()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
