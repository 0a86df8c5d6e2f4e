"""The waitlist: entries with their checks, what a freed slot matches, booking from it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from frontdesk import audit, changes, schedule, waitlist
from frontdesk.errors import Conflict, InvalidInput, StaleEdit
from frontdesk.patients import Draft, register
from frontdesk.waitlist import WaitlistEntry
from tests.conftest import TODAY

TOMORROW = TODAY + timedelta(days=1)  # Wednesday 2 December 2026
FRIDAY = date(2026, 12, 4)


def _add(clinic, patient=None, **kwargs):
    kwargs.setdefault("earliest", TODAY)
    kwargs.setdefault("latest", TODAY + timedelta(days=14))
    return waitlist.add(patient or clinic.maria, by=clinic.desk, **kwargs)


def _freed(clinic, on=TOMORROW, at=time(9), *, kind=None, provider=None, patient=None):
    booked = schedule.book(patient or clinic.john, provider or clinic.patel,
                           kind or clinic.follow_up, on, at, by=clinic.desk)
    return schedule.cancel(booked, category="patient", by=clinic.desk)


def test_an_entry_is_stored_audited_and_announced(clinic) -> None:
    last = changes.latest()
    entry = _add(clinic, provider=clinic.patel, kind=clinic.follow_up, weekdays=[4, 0, 4],
                 part_of_day="morning", note="can come at short notice")
    stored = WaitlistEntry.get_by_id(entry.id)
    assert (stored.weekdays, stored.part_of_day, stored.state) == ("04", "morning", "waiting")
    assert [(c.topic, c.key) for c in changes.since(last)] == [("waitlist", str(entry.id))]
    event = audit.AuditEvent.select().where(audit.AuditEvent.action == "waitlist.added").get()
    assert event.patient_id == clinic.maria.id
    line, = waitlist.waiting()
    assert (line.patient, line.provider, line.type_name) == ("García, María", "Dr. Patel",
                                                             "Follow-up")
    assert line.days == "Mon, Fri" and line.when == "mornings"


def test_any_provider_and_type_read_as_such(clinic) -> None:
    _add(clinic, weekdays="0123456")
    line, = waitlist.waiting()
    assert (line.provider, line.type_name, line.days, line.weekdays) == (
        "any provider", "any type", "any day", "")


def test_bad_windows_and_values_are_refused_with_reasons(clinic) -> None:
    with pytest.raises(InvalidInput, match="before the first") as refused:
        _add(clinic, earliest=FRIDAY, latest=TOMORROW)
    assert refused.value.field == "latest"
    with pytest.raises(InvalidInput, match="days still to come"):
        _add(clinic, earliest=TODAY - timedelta(days=9), latest=TODAY - timedelta(days=2))
    with pytest.raises(InvalidInput, match="0 \\(Monday\\) to 6"):
        _add(clinic, weekdays="7")
    with pytest.raises(InvalidInput, match="morning, afternoon"):
        _add(clinic, part_of_day="evening")
    with pytest.raises(InvalidInput, match="Note holds control"):
        _add(clinic, note="\x1b]0;x\x07")
    # A window begun already is kept from today: the past cannot be offered.
    entry = _add(clinic, earliest=TODAY - timedelta(days=5))
    assert WaitlistEntry.get_by_id(entry.id).earliest == TODAY
    with pytest.raises(Conflict, match="already waiting for that"):
        _add(clinic)
    assert WaitlistEntry.select().count() == 1


def test_the_deceased_are_not_put_on_the_waitlist(clinic) -> None:
    clinic.maria.deceased = True
    with pytest.raises(Conflict, match="deceased"):
        _add(clinic)


def test_remove_checks_the_version(clinic) -> None:
    entry = _add(clinic)
    with pytest.raises(StaleEdit):
        waitlist.remove(entry, version=entry.version + 1, by=clinic.desk)
    waitlist.remove(entry, version=entry.version, by=clinic.desk)
    assert WaitlistEntry.get_by_id(entry.id).state == "removed"
    assert waitlist.waiting() == []
    with pytest.raises(StaleEdit, match="already removed"):
        waitlist.remove(entry, version=entry.version + 1, by=clinic.desk)


def test_a_freed_slot_matches_what_it_suits_first_come_first_served(clinic) -> None:
    ana = register(Draft(first_name="Ana", last_name="Silva", dob="1/2/1990", sex="F"),
                   by=clinic.desk)
    first = _add(clinic)  # María: anyone, anything, any day
    second = _add(clinic, ana, provider=clinic.patel, kind=clinic.follow_up)
    freed = _freed(clinic)  # John's 9:00 follow-up with Dr. Patel, Wednesday
    assert [line.id for line in waitlist.matches(freed)] == [first.id, second.id]
    assert [line.id for line in waitlist.matches(freed.id)] == [first.id, second.id]


@pytest.mark.parametrize("criteria", [
    {"provider": "kim"},
    {"kind": "new_patient"},  # 45 minutes do not fit in 15
    {"earliest": FRIDAY},
    {"latest": TODAY},
    {"weekdays": "0134"},
    {"part_of_day": "afternoon"},
])
def test_a_freed_slot_does_not_match_what_it_does_not_suit(clinic, criteria) -> None:
    given = {key: getattr(clinic, value) if key in ("provider", "kind") else value
             for key, value in criteria.items()}
    _add(clinic, **given)
    assert waitlist.matches(_freed(clinic)) == []


def test_a_shorter_type_fits_a_longer_time_and_the_freed_patient_is_left_out(clinic) -> None:
    entry = _add(clinic, kind=clinic.follow_up, part_of_day="morning", weekdays="2")
    _add(clinic, clinic.john)
    freed = _freed(clinic, kind=clinic.new_patient)
    assert [line.id for line in waitlist.matches(freed)] == [entry.id]
    removed = _add(clinic, provider=clinic.kim)
    waitlist.remove(removed, version=1, by=clinic.desk)
    assert [line.id for line in waitlist.matches(freed)] == [entry.id]


def test_book_from_books_and_marks_the_entry_in_one_go(clinic) -> None:
    entry = _add(clinic, note="prefers mornings")
    freed = _freed(clinic)
    line, = waitlist.matches(freed)
    appointment = waitlist.book_from(line, clinic.patel, TOMORROW, time(9),
                                     schedule.AppointmentType.get_by_id(
                                         waitlist.kind_for(line, freed.type_id)),
                                     by=clinic.desk)
    assert appointment.patient_id == clinic.maria.id and appointment.note == "prefers mornings"
    stored = WaitlistEntry.get_by_id(entry.id)
    assert (stored.state, stored.version) == ("booked", 2)
    assert waitlist.waiting() == [] and waitlist.matches(freed) == []
    assert audit.AuditEvent.select().where(audit.AuditEvent.action == "waitlist.booked").exists()
    with pytest.raises(StaleEdit):
        waitlist.book_from(line, clinic.patel, TOMORROW, time(10), clinic.follow_up,
                           by=clinic.desk)


def test_a_refused_booking_leaves_the_entry_waiting(clinic) -> None:
    entry = _add(clinic)
    freed = _freed(clinic)
    schedule.book(clinic.john, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                  by=clinic.desk)  # someone took the time meanwhile
    with pytest.raises(Conflict, match="already has John"):
        waitlist.book_from(entry, clinic.patel, TOMORROW, time(9), clinic.follow_up,
                           by=clinic.desk)
    assert WaitlistEntry.get_by_id(entry.id).state == "waiting"
    assert schedule.Appointment.select().where(
        schedule.Appointment.patient == clinic.maria.id).count() == 0
    assert freed.status == "cancelled"
