"""Patients: what staff type is checked field by field; registering hands out MRNs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from frontdesk import audit, changes, config, counters, patients
from frontdesk.errors import InvalidInput
from frontdesk.patients import Draft, Patient, PatientPhone, age, check
from frontdesk.text import fold

from .conftest import TODAY, ZONE

GOOD = Draft(first_name="Ana", last_name="Silva", dob="5/6/1990", sex="F",
             phones={"mobile": "(617) 555-0100"})


def _refused(draft: Draft) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        check(draft, today=TODAY)
    return refused.value


def _audit_count() -> int:
    return audit.AuditEvent.select().count()


# -- check(): names -----------------------------------------------------------------


@pytest.mark.parametrize(("first", "last"), [
    ("María", "García"), ("Ngọc", "Nguyễn"), ("Seán", "O'Brien-Smith"), ("Zoë", "D'Angelo"),
    ("Łukasz", "Đặng"), ("小龙", "李"), ("Jo", "St. John"),
])
def test_names_keep_every_letter_as_typed(first, last):
    checked = check(replace(GOOD, first_name=first, last_name=last), today=TODAY)
    assert (checked.first_name, checked.last_name) == (first, last)


def test_names_are_trimmed_and_inner_space_collapsed():
    checked = check(replace(GOOD, first_name="  Mary   Ann ", middle_name=" Q "), today=TODAY)
    assert (checked.first_name, checked.middle_name) == ("Mary Ann", "Q")


@pytest.mark.parametrize(("field", "value"), [
    ("first_name", "Bob\x1b[31m"),
    ("last_name", "\x1b]0;pwned\x07Smith"),
    ("middle_name", "J\x00"),
    ("last_name", "Smith\u202e"),
])
def test_control_characters_in_a_name_are_refused_naming_the_field(field, value):
    error = _refused(replace(GOOD, **{field: value}))
    assert error.field == field
    assert "control characters" in error.message


@pytest.mark.parametrize(("field", "label"), [("first_name", "First name"),
                                              ("last_name", "Last name")])
def test_first_and_last_names_are_required(field, label):
    error = _refused(replace(GOOD, **{field: "   "}))
    assert (error.field, error.message) == (field, f"{label} is required.")


def test_middle_name_is_optional():
    assert check(replace(GOOD, middle_name=""), today=TODAY).middle_name == ""


def test_a_name_is_at_most_50_characters():
    assert check(replace(GOOD, last_name="A" * 50), today=TODAY).last_name == "A" * 50
    error = _refused(replace(GOOD, last_name="A" * 51))
    assert error.field == "last_name" and "longer than 50" in error.message


def test_a_name_without_letters_is_refused():
    error = _refused(replace(GOOD, first_name="123"))
    assert error.field == "first_name" and "no letters" in error.message


# -- check(): date of birth and sex -------------------------------------------------


@pytest.mark.parametrize("typed", ["3/4/1980", "03041980", "1980-03-04", "3/4/80", "030480"])
def test_date_of_birth_takes_the_forms_staff_type(typed):
    assert check(replace(GOOD, dob=typed), today=TODAY).dob == date(1980, 3, 4)


@pytest.mark.parametrize(("typed", "words"), [
    ("", "Date of birth is required."),
    ("12/25/2026", "in the future"),
    ("2027-01-01", "in the future"),
    ("1/1/1890", "over 120 years ago"),
    ("3/4", "year of birth"),
    ("2/30/1980", "February has only 29 days in 1980"),
    ("someday", "Cannot read"),
])
def test_a_bad_date_of_birth_is_refused_naming_the_field(typed, words):
    error = _refused(replace(GOOD, dob=typed))
    assert error.field == "dob"
    assert words in error.message


@pytest.mark.parametrize(("typed", "code"), [
    ("F", "F"), ("f", "F"), ("female", "F"), ("M", "M"), (" Male ", "M"), ("X", "X"),
    ("non-binary", "X"), ("U", "U"), ("unknown", "U"),
])
def test_sex_takes_the_codes_and_their_words(typed, code):
    assert check(replace(GOOD, sex=typed), today=TODAY).sex == code


@pytest.mark.parametrize("typed", ["", "Q", "Mango", "Fred", "unspecified"])
def test_anything_else_for_sex_is_refused(typed):
    """A word that merely starts with a code letter ("Mango") is a typo, not an answer."""
    error = _refused(replace(GOOD, sex=typed))
    assert error.field == "sex"
    assert "F (female), M (male), X (non-binary) or U (unknown)" in error.message


# -- check(): phones, email, address ------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("(617) 555-0142", "+16175550142"),
    ("617.555.0142", "+16175550142"),
    ("1 617 555 0142", "+16175550142"),
    ("+44 20 7946 0958", "+442079460958"),
])
def test_phones_are_stored_in_e164(typed, stored):
    checked = check(replace(GOOD, phones={"mobile": typed}), today=TODAY)
    assert checked.phones == (("mobile", stored),)


def test_phones_without_a_country_code_take_the_clinic_region():
    config.use(config.Config(timezone=ZONE, phone_region="GB"))
    checked = check(replace(GOOD, phones={"home": "020 7946 0958"}), today=TODAY)
    assert checked.phones == (("home", "+442079460958"),)


def test_blank_phones_are_left_out():
    checked = check(replace(GOOD, phones={"mobile": "617-555-0142", "home": "  "}), today=TODAY)
    assert checked.phones == (("mobile", "+16175550142"),)


@pytest.mark.parametrize(("kind", "typed", "reason"), [
    ("mobile", "(123) 456-7890", "no such number can exist"),
    ("home", "12", "too short"),
    ("work", "call me maybe", "not a phone number"),
    ("mobile", "617 555 0142 9999 12", "too long"),
])
def test_an_invalid_phone_is_refused_naming_the_field_and_reason(kind, typed, reason):
    error = _refused(replace(GOOD, phones={kind: typed}))
    assert error.field == f"phone_{kind}"
    assert typed in error.message and reason in error.message


def test_an_unknown_kind_of_phone_is_refused():
    assert _refused(replace(GOOD, phones={"fax": "617-555-0142"})).field == "phone"


@pytest.mark.parametrize("typed", ["", "maria@example.com", "m.garcia+clinic@mail.example.org"])
def test_good_emails_are_kept(typed):
    assert check(replace(GOOD, email=typed), today=TODAY).email == typed


@pytest.mark.parametrize("typed", ["maria@example", "maria example.com", "@example.com",
                                   "maria@@example.com", "maria@.com"])
def test_bad_emails_are_refused(typed):
    error = _refused(replace(GOOD, email=typed))
    assert error.field == "email" and "not an email address" in error.message


def test_state_is_a_us_code_in_capitals():
    assert check(replace(GOOD, state="ny"), today=TODAY).state == "NY"
    assert check(replace(GOOD, state="PR"), today=TODAY).state == "PR"
    error = _refused(replace(GOOD, state="ZZ"))
    assert error.field == "state" and "not a US state code" in error.message


@pytest.mark.parametrize("typed", ["02118", "02118-1234", ""])
def test_zip_takes_5_digits_or_5_plus_4(typed):
    assert check(replace(GOOD, zip=typed), today=TODAY).zip == typed


@pytest.mark.parametrize("typed", ["2118", "021181234", "ABCDE", "02118-12"])
def test_a_malformed_zip_is_refused(typed):
    error = _refused(replace(GOOD, zip=typed))
    assert error.field == "zip" and "5 digits" in error.message


def test_address_lines_refuse_control_characters_and_overlong_text():
    assert _refused(replace(GOOD, address1="12 Elm\x1b[2J")).field == "address1"
    assert _refused(replace(GOOD, address2="x" * 101)).field == "address2"
    assert _refused(replace(GOOD, city="B" * 61)).field == "city"


def test_age_counts_whole_years():
    assert age(date(1980, 3, 4), TODAY) == 46
    assert age(date(1980, 12, 2), TODAY) == 45
    assert age(date(1980, 12, 1), TODAY) == 46


# -- register -----------------------------------------------------------------------


def test_mrns_are_sequential_from_100001(clinic):
    assert (clinic.maria.mrn, clinic.john.mrn) == ("100001", "100002")
    third = patients.register(GOOD, by=clinic.desk)
    assert third.mrn == "100003"


def test_register_stores_the_checked_values_phones_and_search_keys(clinic):
    stored = Patient.get_by_id(clinic.maria.id)
    assert (stored.first_name, stored.last_name, stored.dob, stored.sex) == (
        "María", "García", date(1980, 3, 4), "F")
    assert (stored.first_key, stored.last_key) == ("maria", "garcia")
    assert [(p.kind, p.number) for p in stored.phones] == [("mobile", "+16175550142")]
    assert [(p.kind, p.number) for p in clinic.john.phones] == [("home", "+16175550199")]
    assert stored.updated_by_id == clinic.desk.id


def test_register_is_audited_and_announced(clinic):
    last_change = changes.latest()
    patient = patients.register(GOOD, by=clinic.desk)
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert (event.action, event.patient_id, event.staff_id) == (
        "patient.created", patient.id, clinic.desk.id)
    assert event.subject == f"MRN {patient.mrn}"
    assert [(c.topic, c.key) for c in changes.since(last_change)] == [("patient", "*")]


def test_register_many_stores_exactly_what_check_made_with_one_audit_event(clinic):
    drafts = [
        replace(GOOD, first_name="Ana"),
        replace(GOOD, first_name="Zoë", last_name="Núñez", phones={"home": "617 555 0177",
                                                                   "work": "+44 20 7946 0958"}),
        replace(GOOD, first_name="Bo", phones={}),
    ]
    checked = [check(d, today=TODAY) for d in drafts]
    before = _audit_count()

    ids = patients.register_many(checked, by=clinic.desk)

    stored = [Patient.get_by_id(i) for i in ids]
    assert [p.mrn for p in stored] == ["100003", "100004", "100005"]
    for patient, made in zip(stored, checked):
        for column, value in made.columns().items():
            assert getattr(patient, column) == value, column
        assert tuple((p.kind, p.number) for p in
                     patient.phones.order_by(PatientPhone.id)) == made.phones
    assert _audit_count() == before + 1
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert event.action == "patient.created_many"
    assert event.subject == "MRN 100003-100005"
    assert json.loads(event.detail) == {"count": 3}


def test_register_many_with_nothing_writes_nothing(clinic):
    before = _audit_count()
    assert patients.register_many([], by=clinic.desk) == []
    assert _audit_count() == before


def test_a_refused_patient_leaves_no_trace(clinic):
    before = (Patient.select().count(), PatientPhone.select().count(), _audit_count(),
              changes.latest())
    bad = replace(GOOD, phones={"mobile": "617-555-0100", "home": "(123) 456-7890"})
    with pytest.raises(InvalidInput):
        patients.register(bad, by=clinic.desk)
    after = (Patient.select().count(), PatientPhone.select().count(), _audit_count(),
             changes.latest())
    assert after == before
    assert patients.register(GOOD, by=clinic.desk).mrn == "100003"  # no MRN was used up


def test_a_batch_that_fails_while_writing_saves_nothing(clinic, monkeypatch):
    checked = [check(replace(GOOD, first_name=name), today=TODAY) for name in ("Ana", "Bea")]
    before = (Patient.select().count(), PatientPhone.select().count(), _audit_count())

    def broken(*args, **kwargs):
        raise RuntimeError("the audit trail cannot be written")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        patients.register_many(checked, by=clinic.desk)
    monkeypatch.undo()

    assert (Patient.select().count(), PatientPhone.select().count(), _audit_count()) == before
    assert counters.Counter.get_by_id("mrn").value == 100002


def test_search_keys_let_plain_typing_find_accented_names(clinic):
    found = Patient.select().where(Patient.last_key == fold("garcia"))
    assert [p.id for p in found] == [clinic.maria.id]
