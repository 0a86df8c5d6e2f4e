"""Chart preparation: a day's appointments and what each chart still misses."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from playhouse.test_utils import count_queries

from frontdesk import chartprep, forms, insurance, patients, schedule
from frontdesk.forms import KINDS
from frontdesk.patients import Patient

from .conftest import TODAY

TOMORROW = TODAY + timedelta(days=1)


def _sign_everything(patient, on=date(2026, 6, 1), *, by) -> None:
    for kind in KINDS:
        forms.record(patient, kind, on, by=by)


def _verified(patient, at: datetime) -> None:
    Patient.update(verified_at=at).where(Patient.id == patient.id).execute()


def _row(rows, appointment) -> chartprep.Gap:
    return next(r for r in rows if r.appointment_id == appointment.id)


def test_a_ready_chart_has_no_gap_and_a_bare_one_names_each(clinic):
    _sign_everything(clinic.maria, by=clinic.desk)
    _verified(clinic.maria, datetime(2026, 2, 1, 15, tzinfo=timezone.utc))
    ready = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                          by=clinic.desk)
    bare = schedule.book(clinic.john, clinic.kim, clinic.follow_up, TOMORROW, time(8, 30),
                         by=clinic.desk)
    rows = chartprep.worklist(TOMORROW)
    assert [r.appointment_id for r in rows] == [bare.id, ready.id]  # earliest first
    assert _row(rows, ready).ready and _row(rows, ready).gaps == []
    john = _row(rows, bare)
    assert not john.ready
    assert (john.patient, john.mrn, john.provider) == (
        "O'Brien-Smith, John", clinic.john.mrn, "Kim NP")
    assert john.start == datetime(2026, 12, 2, 8, 30, tzinfo=john.start.tzinfo)
    assert str(john.start.tzinfo) == "America/New_York"
    assert john.gaps == [
        "Registration form due", "Notice of privacy practices due", "Medical history due",
        "Consent to treat due", "Financial policy due", "Demographics never verified",
        "No insurance on file",
    ]
    assert john.short == ("Registration, Privacy notice, History, Consent, Financial policy, "
                          "Demographics, Insurance")


def test_forms_are_due_by_kind_as_of_the_appointment_day(clinic):
    _sign_everything(clinic.maria, on=date(2025, 12, 3), by=clinic.desk)
    forms.record(clinic.maria, "consent", date(2026, 11, 30), by=clinic.desk)
    later = TODAY + timedelta(days=7)
    visit = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, later, time(9),
                          by=clinic.desk)
    soon = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                         by=clinic.desk)
    assert _row(chartprep.worklist(TOMORROW), soon).forms_due == ()
    # Signed 12/3/2025, yearly: registration, history and financial run out on 12/3/2026.
    assert _row(chartprep.worklist(later), visit).forms_due == (
        "registration", "history", "financial")


def test_demographics_count_in_the_clinic_year_not_utc(clinic):
    _sign_everything(clinic.maria, by=clinic.desk)
    visit = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                          by=clinic.desk)
    # 03:00 UTC on New Year's Day is still 12/31 in New York: last year.
    _verified(clinic.maria, datetime(2026, 1, 1, 3, tzinfo=timezone.utc))
    assert _row(chartprep.worklist(TOMORROW), visit).gaps == [
        "Demographics last verified 12/31/2025"]
    _verified(clinic.maria, datetime(2026, 1, 1, 6, tzinfo=timezone.utc))
    assert _row(chartprep.worklist(TOMORROW), visit).ready


def test_coverage_ended_or_not_yet_started_is_a_gap(clinic):
    payer = insurance.Payer.get(insurance.Payer.name == "Aetna")
    cigna = insurance.add_payer("Cigna", "62308", by=clinic.admin)
    insurance.add_coverage(clinic.john, payer, plan_type="PPO", member_id="A1",
                           effective_on=date(2024, 1, 1), ends_on=date(2025, 12, 31),
                           by=clinic.desk)
    insurance.add_coverage(clinic.john, cigna, plan_type="HMO", member_id="C1",
                           effective_on=date(2026, 1, 1), ends_on=date(2026, 10, 31),
                           by=clinic.desk)
    visit = schedule.book(clinic.john, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                          by=clinic.desk)
    assert _row(chartprep.worklist(TOMORROW), visit).coverage == "Cigna coverage ended 10/31/2026"
    insurance.add_coverage(clinic.john, payer, plan_type="PPO", member_id="A2",
                           effective_on=date(2027, 1, 1), by=clinic.desk)
    assert _row(chartprep.worklist(TOMORROW), visit).coverage == "Cigna coverage ended 10/31/2026"
    # Until the one from 1/1/2027 starts: two primaries never overlap.
    insurance.add_coverage(clinic.john, payer, plan_type="PPO", member_id="A3",
                           effective_on=TOMORROW, ends_on=date(2026, 12, 31), by=clinic.desk)
    assert _row(chartprep.worklist(TOMORROW), visit).coverage == ""


def test_coverage_that_only_starts_later_is_named(clinic):
    payer = insurance.Payer.get(insurance.Payer.name == "Aetna")
    insurance.add_coverage(clinic.john, payer, plan_type="PPO", member_id="A1",
                           effective_on=date(2027, 1, 1), by=clinic.desk)
    visit = schedule.book(clinic.john, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                          by=clinic.desk)
    assert _row(chartprep.worklist(TOMORROW), visit).coverage == "Aetna coverage starts 1/1/2027"


def test_cancelled_and_no_show_visits_are_left_out(clinic):
    kept = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(8),
                         by=clinic.desk)
    missed = schedule.book(clinic.john, clinic.patel, clinic.follow_up, TODAY, time(8, 15),
                           by=clinic.desk)
    called_off = schedule.book(clinic.john, clinic.kim, clinic.follow_up, TODAY, time(11),
                               by=clinic.desk)
    schedule.mark_no_show(missed, by=clinic.desk)
    schedule.cancel(called_off, reason="Patient request", by=clinic.desk)
    assert [r.appointment_id for r in chartprep.worklist(TODAY)] == [kept.id]
    assert chartprep.worklist(TOMORROW) == []


def test_a_full_day_is_read_in_three_queries(clinic):
    ids = patients.register_many([patients.check(patients.Draft(
        first_name="Pat", last_name=f"Lee{chr(97 + i)}", dob="1/2/1990", sex="F"))
        for i in range(16)], by=clinic.desk)
    for index, patient_id in enumerate(ids):
        provider = clinic.patel if index % 2 else clinic.kim
        schedule.book(Patient.get_by_id(patient_id), provider, clinic.follow_up, TOMORROW,
                      time(8 + index // 4, (index // 2 % 2) * 15), by=clinic.desk)
    with count_queries() as counted:
        rows = chartprep.worklist(TOMORROW)
    assert len(rows) == 16
    assert counted.count == 3
