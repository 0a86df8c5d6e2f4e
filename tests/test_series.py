"""Recurring series: booked in one go, each occurrence refused on its own with the reason."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from frontdesk import audit, calendar, schedule, series
from frontdesk.errors import InvalidInput, NotAllowed
from frontdesk.schedule import Appointment, AppointmentChange
from frontdesk.staff import Role, add_staff
from tests.conftest import PASSWORD, TODAY

TOMORROW = TODAY + timedelta(days=1)  # Wednesday 2 December 2026


def test_eight_weekly_visits_in_one_go(clinic) -> None:
    report = series.book_series(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW,
                                time(9), by=clinic.desk, reason="physio review")
    assert report.refused == [] and report.summary == "All 8 booked."
    days = [a.start for a in report.booked]
    assert [schedule.clock.local(d).date() for d in days] == [
        TOMORROW + timedelta(weeks=n) for n in range(8)]
    stored = list(Appointment.select().where(Appointment.series == report.series)
                  .order_by(Appointment.start))
    assert len(stored) == 8 and stored[0].id == report.series
    assert all(a.reason == "physio review" and a.patient_id == clinic.maria.id for a in stored)
    assert all(a.series == report.series for a in report.booked)
    assert AppointmentChange.select().where(AppointmentChange.action == "booked").count() == 8
    event = audit.AuditEvent.select().where(
        audit.AuditEvent.action == "appointment.series_booked").get()
    assert event.patient_id == clinic.maria.id


def test_what_cannot_be_booked_is_reported_and_the_rest_booked(clinic) -> None:
    third = TOMORROW + timedelta(weeks=2)
    schedule.book(clinic.john, clinic.patel, clinic.follow_up, TOMORROW + timedelta(weeks=1),
                  time(9), by=clinic.desk)
    calendar.add_block(clinic.patel, "vacation", *calendar.ALL_DAY, starts_on=third,
                       by=clinic.admin)
    report = series.book_series(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW,
                                time(9), every_weeks=1, count=4, by=clinic.desk)
    assert report.summary == "2 of 4 booked; 2 could not be."
    assert [r.on for r in report.refused] == [TOMORROW + timedelta(weeks=1), third]
    assert "Dr. Patel already has John O'Brien-Smith at 9:00-9:15" in report.refused[0].reason
    assert "on vacation" in report.refused[1].reason
    assert report.refused[1].line.startswith("Wed, Dec 16, 2026 9:00: ")
    assert Appointment.select().where(Appointment.series == report.series).count() == 2
    assert Appointment.select().where(Appointment.patient == clinic.maria.id).count() == 2


def test_the_series_starts_at_the_first_occurrence_booked(clinic) -> None:
    schedule.book(clinic.john, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                  by=clinic.desk)
    report = series.book_series(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW,
                                time(9), every_weeks=2, count=3, by=clinic.desk)
    assert len(report.booked) == 2 and report.series == report.booked[0].id
    assert [schedule.clock.local(a.start).date() for a in report.booked] == [
        TOMORROW + timedelta(weeks=2), TOMORROW + timedelta(weeks=4)]


def test_nothing_booked_when_nothing_fits(clinic) -> None:
    report = series.book_series(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW,
                                time(19), count=2, by=clinic.desk)
    assert report.series is None and report.booked == []
    assert report.summary == "None of the 2 could be booked."
    assert "outside those hours" in report.refused[0].reason
    assert Appointment.select().count() == 0


def test_a_daylight_saving_gap_is_reported_too(clinic) -> None:
    from frontdesk import providers

    providers.set_hours(clinic.patel, {6: [(time(1), time(4))]}, by=clinic.admin)
    report = series.book_series(clinic.maria, clinic.patel, clinic.follow_up,
                                date(2027, 3, 7), time(2, 30), count=2, by=clinic.desk)
    assert len(report.booked) == 1
    assert "does not exist" in report.refused[0].reason


def test_bad_numbers_and_permissions_are_refused_before_anything_is_booked(clinic) -> None:
    with pytest.raises(InvalidInput, match="2 to 52") as refused:
        series.book_series(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                           count=1, by=clinic.desk)
    assert refused.value.field == "count"
    with pytest.raises(InvalidInput, match="every 1 to 12 weeks"):
        series.book_series(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                           every_weeks=0, by=clinic.desk)
    with pytest.raises(InvalidInput, match="is past"):
        series.book_series(clinic.maria, clinic.patel, clinic.follow_up,
                           TODAY - timedelta(days=1), time(9), by=clinic.desk)
    with pytest.raises(InvalidInput, match="Reason holds control"):
        series.book_series(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                           reason="bad\x1b[2J", by=clinic.desk)
    billing = add_staff("bill", "Bo Billing", Role.BILLING, PASSWORD, by=clinic.admin)
    with pytest.raises(NotAllowed):
        series.book_series(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                           by=billing)
    assert Appointment.select().count() == 0
