"""Intake forms: recording a signing, and which forms are due on a day."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from frontdesk import audit, changes, config, forms, patients, staff
from frontdesk.errors import InvalidInput, NotAllowed
from frontdesk.forms import KINDS, IntakeForm

from .conftest import TODAY


def _events(action: str) -> list[audit.AuditEvent]:
    return list(audit.AuditEvent.select().where(audit.AuditEvent.action == action))


def test_a_signing_is_stored_audited_with_the_patient_and_announced(clinic):
    last_change = changes.latest()
    form = forms.record(clinic.maria, "consent", date(2026, 11, 20), by=clinic.desk)
    stored = IntakeForm.get_by_id(form.id)
    assert (stored.patient_id, stored.kind, stored.signed_on) == (
        clinic.maria.id, "consent", date(2026, 11, 20))
    assert stored.recorded_by_id == clinic.desk.id
    (event,) = _events("form.signed")
    assert event.patient_id == clinic.maria.id and event.staff_id == clinic.desk.id
    assert json.loads(event.detail) == {"form": "consent", "signed_on": "2026-11-20"}
    assert ("patient", str(clinic.maria.id)) in {(c.topic, c.key)
                                                 for c in changes.since(last_change)}


def test_the_same_signing_twice_is_one_signing(clinic):
    first = forms.record(clinic.maria, "consent", TODAY, by=clinic.desk)
    again = forms.record(clinic.maria, "consent", TODAY, by=clinic.desk)
    assert again.id == first.id
    assert IntakeForm.select().count() == 1
    assert len(_events("form.signed")) == 1


@pytest.mark.parametrize(("kind", "signed_on", "field", "words"), [
    ("consnet", TODAY, "kind", "is not an intake form"),
    ("consent", TODAY + timedelta(days=1), "signed_on", "is in the future"),
    ("consent", date(1980, 3, 3), "signed_on", "before María García was born (03/04/1980)"),
])
def test_a_bad_signing_is_refused_naming_the_field(clinic, kind, signed_on, field, words):
    with pytest.raises(InvalidInput, match=words.replace("(", r"\(").replace(")", r"\)")) as no:
        forms.record(clinic.maria, kind, signed_on, by=clinic.desk)
    assert no.value.field == field
    assert IntakeForm.select().count() == 0
    assert _events("form.signed") == []


def test_the_day_of_birth_itself_is_allowed(clinic):
    forms.record(clinic.maria, "privacy", date(1980, 3, 4), by=clinic.desk)


def test_recording_needs_the_right_to_edit_patients(clinic):
    gone = staff.deactivate(clinic.desk, by=clinic.admin)
    with pytest.raises(NotAllowed):
        forms.record(clinic.maria, "consent", TODAY, by=gone)


def test_a_form_never_signed_is_due_and_one_signed_runs_out_after_its_period(clinic):
    forms.record(clinic.maria, "consent", date(2025, 12, 1), by=clinic.desk)
    forms.record(clinic.maria, "consent", date(2025, 1, 10), by=clinic.desk)  # older
    forms.record(clinic.maria, "history", date(2026, 3, 31), by=clinic.desk)
    forms.record(clinic.maria, "privacy", date(2001, 1, 1), by=clinic.desk)
    by_kind = {s.kind: s for s in forms.states(clinic.maria.id, TODAY)}
    assert list(by_kind) == list(KINDS)
    assert by_kind["registration"] == forms.FormState(
        "registration", "Registration form", None, True, None)
    # Signed 12/1/2025, yearly: runs out on 12/1/2026 and is due that very day.
    assert by_kind["consent"].signed_on == date(2025, 12, 1)
    assert by_kind["consent"].renew_on == date(2026, 12, 1)
    assert by_kind["consent"].due
    assert not forms.states(clinic.maria.id, TODAY - timedelta(days=1))[3].due
    assert by_kind["history"].renew_on == date(2027, 3, 31) and not by_kind["history"].due
    # The privacy notice is signed once for good (0 months).
    assert by_kind["privacy"].renew_on is None and not by_kind["privacy"].due


def test_the_renewal_periods_come_from_the_configuration(clinic, clinic_settings):
    forms.record(clinic.maria, "history", date(2026, 5, 31), by=clinic.desk)
    assert not forms.states(clinic.maria.id, TODAY)[2].due
    months = {**clinic_settings.form_renewal_months, "history": 3, "registration": 0}
    config.use(replace(clinic_settings, form_renewal_months=months))
    history = forms.states(clinic.maria.id, TODAY)[2]
    assert history.due and history.renew_on == date(2026, 8, 31)
    forms.record(clinic.maria, "registration", date(2010, 2, 3), by=clinic.desk)
    assert not forms.states(clinic.maria.id, TODAY)[0].due


def test_the_end_of_a_month_renews_on_the_last_day_of_a_shorter_one(clinic, clinic_settings):
    config.use(replace(clinic_settings, form_renewal_months={
        **clinic_settings.form_renewal_months, "consent": 1}))
    forms.record(clinic.maria, "consent", date(2026, 1, 31), by=clinic.desk)
    assert forms.states(clinic.maria.id, TODAY)[3].renew_on == date(2026, 2, 28)


def test_due_answers_for_many_patients_in_one_query(clinic):
    ids = [clinic.maria.id, clinic.john.id]
    for index in range(18):
        ids += patients.register_many([patients.check(patients.Draft(
            first_name="Pat", last_name=f"Lee{'x' * index}", dob="1/2/1990", sex="F"))],
            by=clinic.desk)
    for kind in KINDS:
        forms.record(clinic.maria, kind, date(2026, 6, 1), by=clinic.desk)
    forms.record(clinic.john, "consent", date(2026, 6, 1), by=clinic.desk)
    with count_queries() as counted:
        found = forms.due(ids, TODAY)
    assert counted.count == 1
    assert found[clinic.maria.id] == []
    assert found[clinic.john.id] == ["registration", "privacy", "history", "financial"]
    assert all(found[i] == list(KINDS) for i in ids[2:])
    assert list(found) == ids


def test_due_for_nobody_is_empty(clinic):
    assert forms.due([], TODAY) == {}


def test_many_signings_are_checked_alike_and_recorded_in_one_batch(clinic):
    last_change = changes.latest()
    forms.record(clinic.maria, "consent", date(2026, 1, 5), by=clinic.desk)
    signings = [(clinic.maria, "consent", date(2026, 1, 5)),  # on file already: skipped
                (clinic.maria, "history", date(2026, 1, 5)),
                (clinic.john, "consent", date(2025, 4, 4)),
                (clinic.john, "consent", date(2025, 4, 4))]  # twice in the batch: once
    assert forms.record_many(signings, by=clinic.desk) == 2
    assert IntakeForm.select().count() == 3
    (event,) = _events("form.signed_many")
    assert json.loads(event.detail)["count"] == 2
    assert ("patient", "*") in {(c.topic, c.key) for c in changes.since(last_change)}
    assert forms.states(clinic.john.id, TODAY)[3].signed_on == date(2025, 4, 4)


def test_one_bad_signing_refuses_the_whole_batch(clinic):
    with pytest.raises(InvalidInput, match="in the future"):
        forms.record_many([(clinic.maria, "consent", TODAY),
                           (clinic.john, "consent", TODAY + timedelta(days=3))], by=clinic.desk)
    assert IntakeForm.select().count() == 0


def test_the_demo_clinic_has_most_forms_signed_some_run_out_and_a_few_never(desk_user):
    from frontdesk import chartprep, insurance, schedule

    booked = {a.patient_id for a in schedule.Appointment.select(schedule.Appointment.patient)}
    found = forms.due(sorted(booked), TODAY)
    none_due = sum(1 for kinds in found.values() if not kinds)
    everything_due = sum(1 for kinds in found.values() if kinds == list(KINDS))
    renewals_due = sum(1 for kinds in found.values() if kinds and "privacy" not in kinds)
    assert none_due > 0.6 * len(booked)
    assert 0 < everything_due < 0.15 * len(booked)
    assert renewals_due > 0.05 * len(booked)
    assert not IntakeForm.select().where(IntakeForm.patient.not_in(sorted(booked))).exists()
    assert insurance.Coverage.select().where(insurance.Coverage.ends_on < TODAY).exists()
    words = [gap for row in chartprep.worklist(TODAY) for gap in row.gaps]
    assert any(gap == "Consent to treat due" for gap in words)
