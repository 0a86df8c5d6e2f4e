"""The patient record: what it shows, who looked, edits guarded by the version,
verification with the patient, contacts, and the duplicate check before registering."""

from __future__ import annotations

import json
import threading
from datetime import date, time

import pytest
from playhouse.test_utils import count_queries

from frontdesk import audit, changes, db, forms, patients, schedule
from frontdesk.errors import InvalidInput, StaleEdit
from frontdesk.patients import (Draft, Patient, PatientContact, PatientNamePart, PatientPhone,
                                check)

from .conftest import NOW, TODAY


def _events(action: str) -> list[audit.AuditEvent]:
    return list(audit.AuditEvent.select().where(audit.AuditEvent.action == action)
                .order_by(audit.AuditEvent.id))


def _in_another_terminal(work) -> None:
    """Run `work` on its own thread, hence its own database connection (peewee keeps one
    per thread): what another terminal does between this one's read and its save."""
    failure: list[BaseException] = []

    def body() -> None:
        try:
            with db.database.connection_context():
                work()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            failure.append(error)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _maria_draft(clinic, **changes_typed) -> Draft:
    draft = patients.record(clinic.maria.id, by=clinic.desk).draft()
    for name, value in changes_typed.items():
        setattr(draft, name, value)
    return draft


# -- record ---------------------------------------------------------------------------


def test_the_record_holds_everything_the_screen_shows(clinic):
    tomorrow, yesterday = date(2026, 12, 2), date(2026, 11, 30)
    schedule.book(clinic.maria, clinic.patel, clinic.follow_up, tomorrow, time(9, 30),
                  by=clinic.desk)
    schedule.book(clinic.maria, clinic.kim, clinic.new_patient, yesterday, time(14),
                  by=clinic.desk)
    forms.record(clinic.maria, "privacy", date(2026, 11, 2), by=clinic.desk)
    patients.add_contact(clinic.maria, "Jorge García", "husband", "617 555 0111",
                         by=clinic.desk)

    found = patients.record(clinic.maria.id, by=clinic.desk)

    assert (found.mrn, found.filed_name, found.dob, found.age) == (
        clinic.maria.mrn, "García, María", date(1980, 3, 4), 46)
    assert found.phones == (("mobile", "+16175550142"),)
    assert [(c.name, c.relationship, c.phone) for c in found.contacts] == [
        ("Jorge García", "husband", "+16175550111")]
    (cover,) = found.coverages
    assert (cover.payer, cover.rank, cover.plan_type, cover.member_id, cover.copay_cents,
            cover.in_force) == ("Aetna", 1, "PPO", "W123456789", 2500, True)
    assert [(v.start.date(), v.provider, v.type_name, v.status) for v in found.upcoming] == [
        (tomorrow, "Dr. Patel", "Follow-up", "scheduled")]
    assert [(v.start.date(), v.provider, v.type_name) for v in found.past] == [
        (yesterday, "Kim NP", "New patient")]
    assert found.upcoming[0].start.hour == 9  # the clinic's wall clock, not UTC
    assert [f.kind for f in found.forms] == list(forms.KINDS)
    privacy = next(f for f in found.forms if f.kind == "privacy")
    assert privacy.signed_on == date(2026, 11, 2)
    assert (found.alerts, found.deceased, found.active, found.verified_at) == ("", False, True,
                                                                              None)


def test_past_visits_are_capped_newest_first(clinic):
    for day in range(2, 30):  # weekdays of November: more than the record lists
        on = date(2026, 11, day)
        if on.weekday() < 5:
            schedule.book(clinic.john, clinic.patel, clinic.follow_up, on, time(9),
                          by=clinic.desk)
    past = patients.record(clinic.john.id, by=clinic.desk).past
    assert len(past) == patients.PAST_SHOWN
    assert past[0].start.date() == date(2026, 11, 27)
    assert [v.start for v in past] == sorted((v.start for v in past), reverse=True)


def test_the_record_is_read_in_a_few_queries(clinic):
    for n in range(3):
        schedule.book(clinic.maria, clinic.patel, clinic.follow_up, date(2026, 12, 2),
                      time(9, 15 * n), by=clinic.desk)
    with count_queries() as counter:
        patients.record(clinic.maria.id, by=clinic.desk)
    assert counter.count <= 12  # reads (7) plus the audit event's few statements


def test_every_opening_is_audited_as_a_view_of_that_patient(clinic):
    patients.record(clinic.maria.id, by=clinic.desk)
    patients.record(clinic.maria.id, by=clinic.desk)
    viewed = _events("patient.viewed")
    assert len(viewed) == 2
    assert {(e.staff_id, e.patient_id) for e in viewed} == {(clinic.desk.id, clinic.maria.id)}
    assert audit.verify().whole


def test_a_missing_patient_is_not_found(clinic):
    from frontdesk.errors import NotFound

    with pytest.raises(NotFound):
        patients.record(999_999, by=clinic.desk)


# -- update ---------------------------------------------------------------------------


def test_an_edit_changes_only_what_differs_and_audits_before_and_after(clinic):
    version = clinic.maria.version
    feed = changes.latest()
    draft = _maria_draft(clinic, last_name="García-Ruiz", alerts="Needs a Spanish interpreter")
    draft.phones = {"mobile": "(617) 555-0142", "home": "617 555 0177"}
    changed = patients.update(clinic.maria, draft, version=version, by=clinic.admin)

    assert changed.version == version + 1
    assert (changed.last_name, changed.alerts) == ("García-Ruiz", "Needs a Spanish interpreter")
    assert changed.updated_by_id == clinic.admin.id and changed.updated_at == NOW
    (event,) = _events("patient.updated")
    detail = json.loads(event.detail)
    assert detail == {
        "before": {"last_name": "García", "alerts": "", "phone_home": ""},
        "after": {"last_name": "García-Ruiz", "alerts": "Needs a Spanish interpreter",
                  "phone_home": "+16175550177"},
    }
    assert event.patient_id == clinic.maria.id and event.staff_id == clinic.admin.id
    assert [c.key for c in changes.since(feed)] == [str(clinic.maria.id)]


def test_an_edit_keeps_the_name_and_phone_keys_in_step(clinic):
    draft = _maria_draft(clinic, first_name="Ana Sofía", last_name="de la Cruz")
    draft.phones = {"work": "212-555-0123"}
    patients.update(clinic.maria, draft, version=clinic.maria.version, by=clinic.desk)

    stored = Patient.get_by_id(clinic.maria.id)
    assert (stored.first_key, stored.last_key) == ("anasofia", "delacruz")
    assert (stored.first_sound, stored.last_sound) == ("A521", "D426")
    parts = {(p.key, p.last) for p in
             PatientNamePart.select().where(PatientNamePart.patient == stored.id)}
    assert parts == {("sofia", False), ("la", True), ("cruz", True)}
    phones = [(p.kind, p.number, p.last4) for p in
              PatientPhone.select().where(PatientPhone.patient == stored.id)]
    assert phones == [("work", "+12125550123", "0123")]
    assert [hit.patient_id for hit in patients.search("cruz")][:1] == [stored.id]


def test_an_edit_that_changes_nothing_writes_nothing(clinic):
    patients.update(clinic.maria, _maria_draft(clinic), version=clinic.maria.version,
                    by=clinic.desk)
    assert Patient.get_by_id(clinic.maria.id).version == clinic.maria.version
    assert _events("patient.updated") == []


def test_a_refused_edit_names_the_field_and_changes_nothing(clinic):
    draft = _maria_draft(clinic, last_name="Nuevo", zip="0211")
    with pytest.raises(InvalidInput) as refused:
        patients.update(clinic.maria, draft, version=clinic.maria.version, by=clinic.desk)
    assert refused.value.field == "zip"
    assert Patient.get_by_id(clinic.maria.id).last_name == "García"


def test_a_stale_edit_is_refused_naming_who_changed_it_and_when(clinic):
    seen = patients.record(clinic.maria.id, by=clinic.desk)  # this terminal reads...
    ours = seen.draft()
    ours.email = "maria@example.com"

    def theirs() -> None:  # ...another saves first
        other = patients.record(clinic.maria.id, by=clinic.admin).draft()
        other.city = "Boston"
        patients.update(clinic.maria.id, other, version=seen.version, by=clinic.admin)

    _in_another_terminal(theirs)
    with pytest.raises(StaleEdit) as refused:
        patients.update(clinic.maria.id, ours, version=seen.version, by=clinic.desk)
    assert str(refused.value) == ("María García's record was changed by Alex Admin at 10:20; "
                                  "look again before changing it.")
    stored = Patient.get_by_id(clinic.maria.id)
    assert (stored.city, stored.email) == ("Boston", "")  # their work kept, ours not half-saved


def test_deceased_and_inactive_are_set_on_their_own(clinic):
    changed = patients.set_status(clinic.john, active=True, deceased=True,
                                  version=clinic.john.version, by=clinic.desk)
    assert (changed.deceased, changed.active) == (True, False)
    (event,) = _events("patient.status_set")
    assert json.loads(event.detail)["after"] == {"active": False, "deceased": True}
    with pytest.raises(StaleEdit):
        patients.set_status(clinic.john, active=True, deceased=False,
                            version=clinic.john.version, by=clinic.desk)


# -- verify ---------------------------------------------------------------------------


def test_verifying_records_who_and_when(clinic):
    verified = patients.verify(clinic.maria, version=clinic.maria.version, by=clinic.desk)
    assert (verified.verified_at, verified.verified_by_id) == (NOW, clinic.desk.id)
    found = patients.record(clinic.maria.id, by=clinic.desk)
    assert found.verified_by == "Dana Desk" and found.verified_at.date() == TODAY
    (event,) = _events("patient.verified")
    assert event.patient_id == clinic.maria.id
    assert json.loads(event.detail) == {"from": None, "to": "2026-12-01"}


def test_verifying_a_stale_read_is_refused(clinic):
    patients.verify(clinic.maria, by=clinic.desk)  # the version of the patient given
    with pytest.raises(StaleEdit):
        patients.verify(clinic.maria, version=clinic.maria.version, by=clinic.desk)


# -- contacts -------------------------------------------------------------------------


def test_contacts_are_added_and_removed_with_an_audit(clinic):
    contact = patients.add_contact(clinic.maria, "Rosa  García", "sister", "", by=clinic.desk)
    assert (contact.name, contact.phone) == ("Rosa García", "")
    patients.remove_contact(contact, by=clinic.desk)
    assert PatientContact.select().count() == 0
    assert [e.action for e in audit.AuditEvent.select().where(
        audit.AuditEvent.action.startswith("patient.contact"))] == [
        "patient.contact_added", "patient.contact_removed"]


@pytest.mark.parametrize(("name", "relationship", "phone", "field"), [
    ("", "sister", "", "contact_name"),
    ("Rosa", "", "", "relationship"),
    ("Rosa", "sister", "555", "contact_phone"),
    ("Rosa\x1b[2J", "sister", "", "contact_name"),
])
def test_a_bad_contact_is_refused_naming_the_field(clinic, name, relationship, phone, field):
    with pytest.raises(InvalidInput) as refused:
        patients.add_contact(clinic.maria, name, relationship, phone, by=clinic.desk)
    assert refused.value.field == field
    assert PatientContact.select().count() == 0


# -- duplicates -----------------------------------------------------------------------


def _checked(first: str, last: str, dob: str, phone: str = "") -> patients.Checked:
    return check(Draft(first_name=first, last_name=last, dob=dob, sex="F",
                       phones={"mobile": phone} if phone else {}), today=TODAY)


def _ids(found) -> list[int]:
    return [p.id for p in found]


def test_same_birthday_and_a_similar_name_is_a_possible_duplicate(clinic):
    for first, last in [("Maria", "Garcia"), ("Marya", "Garsia"), ("MARÍA", "GARCÍA"),
                        ("Garcia", "Maria"), ("María", "Lopez")]:
        assert _ids(patients.possible_duplicates(_checked(first, last, "3/4/1980"))) == [
            clinic.maria.id], (first, last)


def test_the_same_phone_and_a_similar_name_is_a_possible_duplicate(clinic):
    found = patients.possible_duplicates(_checked("Maria", "Garcia", "3/4/1981",
                                                  "617-555-0142"))
    assert _ids(found) == [clinic.maria.id]


def test_different_people_are_not_duplicates(clinic):
    assert patients.possible_duplicates(_checked("Helen", "Park", "3/4/1980")) == []
    # The same family's phone: another person.
    assert patients.possible_duplicates(_checked("Jorge", "García", "5/6/1978",
                                                 "617-555-0142")) == []
    # A similar name born another day, with another phone.
    assert patients.possible_duplicates(_checked("Maria", "Garcia", "3/5/1980",
                                                 "617-555-0100")) == []


def test_duplicates_can_leave_out_the_patient_being_edited_and_are_audited(clinic):
    checked = _checked("Maria", "Garcia", "3/4/1980")
    assert patients.possible_duplicates(checked, excluding=clinic.maria.id) == []
    patients.possible_duplicates(checked, by=clinic.desk)
    (event,) = _events("patient.duplicates_shown")
    assert json.loads(event.detail) == {"mrns": [clinic.maria.mrn]}


def test_the_duplicate_check_reads_indexes_only(clinic):
    """Fast on a million patients: both lookups are index searches, never a scan."""
    database = db.database
    dob = Patient.select(Patient.id).where(Patient.dob == date(1980, 3, 4))
    phone = (Patient.select(Patient.id).join(PatientPhone,
                                             on=(PatientPhone.patient == Patient.id))
             .where(PatientPhone.number.in_(["+16175550142"])))
    for query in (dob, phone):
        sql, params = query.sql()
        plan = " ".join(str(row[-1]) for row in
                        database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        assert "SCAN patient " not in plan + " " and "SCAN patient_phone" not in plan, plan
        assert "INDEX" in plan, plan


def test_alerts_are_kept_at_registration_and_checked(clinic):
    patient = patients.register(Draft(first_name="Ana", last_name="Silva", dob="5/6/1990",
                                      sex="F", alerts="Hard of hearing"), by=clinic.desk)
    assert patient.alerts == "Hard of hearing"
    with pytest.raises(InvalidInput) as refused:
        check(Draft(first_name="Ana", last_name="Silva", dob="5/6/1990", sex="F",
                    alerts="x" * 201), today=TODAY)
    assert refused.value.field == "alerts"
