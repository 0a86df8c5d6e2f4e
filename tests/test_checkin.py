"""Check-in and check-out at the window: the sheet, arriving (with the demographics
confirmed in the same transaction), departing, and the next visit offered."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from peewee import SQL

from frontdesk import audit, checkin, clock, forms, patients, schedule
from frontdesk.audit import AuditEvent
from frontdesk.errors import Conflict, StaleEdit
from frontdesk.patients import Patient
from frontdesk.schedule import Appointment, Status
from tests.conftest import TODAY

LATER_TODAY = time(11, 0)


def _book(clinic, *, on: date = TODAY, at: time = LATER_TODAY, patient=None, provider=None,
          kind=None) -> Appointment:
    return schedule.book(patient or clinic.maria, provider or clinic.patel,
                         kind or clinic.follow_up, on, at, by=clinic.desk)


def _fresh(appointment: Appointment) -> Appointment:
    return Appointment.get_by_id(appointment.id)


def _patient(clinic) -> Patient:
    return Patient.get_by_id(clinic.maria.id)


# -- the sheet ------------------------------------------------------------------------


def test_sheet_shows_what_the_window_goes_through(clinic) -> None:
    Patient.update(alerts="Needs a Spanish interpreter", balance_cents=4000, email="m@g.org",
                   address1="12 Main St", city="Boston", state="MA", zip="02110",
                   verified_at=datetime(2025, 3, 4, 15, 0, tzinfo=timezone.utc),
                   verified_by=clinic.desk.id).where(Patient.id == clinic.maria.id).execute()
    forms.record(clinic.maria, "privacy", date(2026, 6, 1), by=clinic.desk)
    appointment = _book(clinic)
    sheet = checkin.sheet(appointment.id, by=clinic.desk)
    assert sheet.patient == "García, María" and sheet.mrn == clinic.maria.mrn
    assert sheet.start.tzinfo is not None and sheet.start.hour == 11  # clinic wall clock
    assert sheet.provider == "Anita Patel, MD" and sheet.type_name == "Follow-up"
    assert sheet.status is Status.SCHEDULED and sheet.version == 1 and sheet.can_arrive
    assert sheet.phones == (("mobile", "+16175550142"),)
    assert sheet.address == ("12 Main St", "Boston, MA 02110")
    assert sheet.email == "m@g.org" and sheet.dob == date(1980, 3, 4)
    assert sheet.verified_at == datetime(2025, 3, 4, 10, 0, tzinfo=clock.zone())
    assert sheet.verified_by == "Dana Desk" and not sheet.verified_this_year
    (coverage,) = sheet.coverage
    assert (coverage.payer, coverage.plan_type, coverage.member_id,
            coverage.copay_cents) == ("Aetna", "PPO", "W123456789", 2500)
    assert "privacy" not in {form.kind for form in sheet.forms_due}
    assert {form.kind for form in sheet.forms_due} == set(forms.KINDS) - {"privacy"}
    assert sheet.balance_cents == 4000 and sheet.alerts == "Needs a Spanish interpreter"
    assert sheet.patient_version == _patient(clinic).version
    assert sheet.draft.phones == {"mobile": "(617) 555-0142"}
    assert (sheet.draft.dob, sheet.draft.city, sheet.draft.alerts) == (
        "03/04/1980", "Boston", "Needs a Spanish interpreter")


def test_sheet_of_a_patient_never_verified_without_insurance(clinic) -> None:
    appointment = _book(clinic, patient=clinic.john)
    sheet = checkin.sheet(appointment.id, by=clinic.desk)
    assert sheet.verified_at is None and sheet.verified_by == ""
    assert not sheet.verified_this_year
    assert sheet.coverage == () and sheet.balance_cents == 0 and sheet.alerts == ""


def test_reading_the_sheet_is_audited_as_a_view_of_the_patient(clinic) -> None:
    appointment = _book(clinic)
    checkin.sheet(appointment.id, by=clinic.desk)
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.patient_id, event.staff_id) == (
        "appointment.viewed", clinic.maria.id, clinic.desk.id)
    assert audit.verify().whole


def test_the_sheet_reads_in_a_few_queries(clinic) -> None:
    appointment = _book(clinic)
    from playhouse.test_utils import count_queries

    with count_queries() as counter:
        checkin.sheet(appointment.id, by=clinic.desk)
    # joined row, phones, coverage, forms, the audit write; the estimate (benefits, visit
    # codes, fees), what was paid for the visit, the patient's referrals
    assert counter.count <= 16


def test_tomorrow_cannot_be_arrived(clinic) -> None:
    appointment = _book(clinic, on=TODAY + timedelta(days=1))
    assert not checkin.sheet(appointment.id, by=clinic.desk).can_arrive
    version = _patient(clinic).version
    with pytest.raises(Conflict, match="only today's appointments"):
        checkin.arrive(appointment, verified=True, version_of_patient=version, by=clinic.desk)
    assert _fresh(appointment).status == Status.SCHEDULED
    assert _patient(clinic).verified_at is None  # the confirmation went with the refusal


# -- arriving -------------------------------------------------------------------------


def test_arrive_with_demographics_confirmed(clinic) -> None:
    appointment = _book(clinic)
    sheet = checkin.sheet(appointment.id, by=clinic.desk)
    arrived = checkin.arrive(sheet.appointment, verified=True,
                             version_of_patient=sheet.patient_version, by=clinic.desk)
    assert arrived.status == Status.ARRIVED
    stored = _fresh(appointment)
    assert stored.status == Status.ARRIVED and stored.arrived_at == clock.now()
    patient = _patient(clinic)
    assert patient.verified_at == clock.now() and patient.verified_by_id == clinic.desk.id
    assert checkin.sheet(appointment.id, by=clinic.desk).verified_this_year


def test_arrive_without_confirming_leaves_the_demographics_alone(clinic) -> None:
    appointment = _book(clinic)
    version = _patient(clinic).version
    checkin.arrive(appointment, verified=False, version_of_patient=version, by=clinic.desk)
    assert _fresh(appointment).status == Status.ARRIVED
    patient = _patient(clinic)
    assert patient.verified_at is None and patient.version == version


def test_a_refused_confirmation_leaves_the_appointment_as_it_was(clinic) -> None:
    appointment = _book(clinic)
    stale = _patient(clinic).version
    patients.verify(clinic.maria.id, version=stale, by=clinic.admin)  # another terminal
    with pytest.raises(StaleEdit):
        checkin.arrive(appointment, verified=True, version_of_patient=stale, by=clinic.desk)
    stored = _fresh(appointment)
    assert stored.status == Status.SCHEDULED and stored.arrived_at is None


def test_a_refused_arrival_takes_the_confirmation_back_with_it(clinic) -> None:
    """verify succeeds and check_in then fails: one transaction, so nothing stays."""
    appointment = _book(clinic)
    schedule.confirm(appointment, by=clinic.admin)  # the panel's copy is now stale
    version = _patient(clinic).version
    events = AuditEvent.select().count()
    with pytest.raises(StaleEdit):
        checkin.arrive(appointment, verified=True, version_of_patient=version, by=clinic.desk)
    patient = _patient(clinic)
    assert patient.verified_at is None and patient.version == version
    assert _fresh(appointment).status == Status.CONFIRMED
    assert AuditEvent.select().count() == events


def test_a_failing_verify_changes_nothing(clinic, monkeypatch) -> None:
    """Whatever verify fails with (here after it wrote), the arrival is not saved."""
    appointment = _book(clinic)

    def verify_then_fail(patient, *, version, by):
        Patient.update(verified_at=clock.now()).where(Patient.id == patient).execute()
        raise Conflict("verification refused")

    monkeypatch.setattr(patients, "verify", verify_then_fail)
    with pytest.raises(Conflict, match="verification refused"):
        checkin.arrive(appointment, verified=True, version_of_patient=1, by=clinic.desk)
    assert _patient(clinic).verified_at is None
    assert _fresh(appointment).status == Status.SCHEDULED


# -- departing ------------------------------------------------------------------------


def test_depart_marks_the_visit_done_with_the_time(clinic) -> None:
    appointment = _book(clinic)
    arrived = checkin.arrive(appointment, verified=False, version_of_patient=1, by=clinic.desk)
    done = checkin.depart(arrived, by=clinic.desk)
    assert done.status == Status.CHECKED_OUT
    stored = _fresh(appointment)
    assert stored.status == Status.CHECKED_OUT and stored.checked_out_at == clock.now()


@pytest.mark.parametrize("status", [Status.ROOMED, Status.WITH_PROVIDER])
def test_depart_from_the_room(clinic, status) -> None:
    appointment = _book(clinic)
    Appointment.update(status=status.value).where(Appointment.id == appointment.id).execute()
    checkin.depart(_fresh(appointment), by=clinic.desk)
    assert _fresh(appointment).status == Status.CHECKED_OUT


def test_a_patient_not_here_cannot_be_checked_out(clinic) -> None:
    appointment = _book(clinic)
    with pytest.raises(Conflict, match="scheduled"):
        checkin.depart(appointment, by=clinic.desk)


# -- the next visit -------------------------------------------------------------------


def test_offers_start_the_next_working_day_with_the_same_provider_and_type(clinic) -> None:
    appointment = _book(clinic)
    _book(clinic, on=date(2026, 12, 2), at=time(8, 0), patient=clinic.john)
    offers = checkin.next_visit_offers(appointment)
    assert [(o.on, o.at) for o in offers] == [
        (date(2026, 12, 2), time(8, 15)), (date(2026, 12, 2), time(8, 30)),
        (date(2026, 12, 2), time(8, 45))]
    assert {(o.provider_id, o.type_id, o.patient_id) for o in offers} == {
        (clinic.patel.id, clinic.follow_up.id, clinic.maria.id)}
    assert offers[0].provider == "Dr. Patel" and offers[0].type_name == "Follow-up"


def test_offers_from_friday_skip_the_weekend(clinic) -> None:
    with clock.frozen(datetime(2026, 12, 4, 15, 0, tzinfo=timezone.utc)):  # a Friday
        appointment = _book(clinic, on=date(2026, 12, 4))
        offers = checkin.next_visit_offers(appointment, count=1)
    assert [(o.on, o.at) for o in offers] == [(date(2026, 12, 7), time(8, 0))]


@pytest.mark.parametrize("interval, first_day", [
    ("1w", date(2026, 12, 8)), ("2w", date(2026, 12, 15)), ("1m", date(2027, 1, 1)),
    ("3m", date(2027, 3, 1)), ("6m", date(2027, 6, 1)), ("1y", date(2027, 12, 1)),
])
def test_offers_after_the_interval_staff_choose(clinic, interval, first_day) -> None:
    appointment = _book(clinic)
    (offer,) = checkin.next_visit_offers(appointment, count=1, interval=interval)
    assert offer.on == first_day and offer.at == time(8, 0)


def test_offers_keep_clear_of_the_patients_other_visits(clinic) -> None:
    appointment = _book(clinic)
    _book(clinic, on=date(2026, 12, 2), at=time(8, 0), provider=clinic.kim)
    (offer,) = checkin.next_visit_offers(appointment, count=1)
    assert (offer.on, offer.at) == (date(2026, 12, 2), time(8, 15))


def test_booking_an_offer_makes_the_appointment(clinic) -> None:
    appointment = _book(clinic)
    offer = checkin.next_visit_offers(appointment, count=1, interval="1w")[0]
    booked = checkin.book_offer(offer, by=clinic.desk)
    stored = _fresh(booked)
    assert (stored.patient_id, stored.provider_id, stored.type_id) == (
        clinic.maria.id, clinic.patel.id, clinic.follow_up.id)
    assert clock.local(stored.start) == offer.start
    with pytest.raises(Conflict):  # the same offer, taken: refused, not double-booked
        checkin.book_offer(offer, by=clinic.desk)
    assert Appointment.select().where(SQL("1")).count() == 2
