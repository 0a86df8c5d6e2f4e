"""The waiting room: rooming, the provider coming in, the clocks and the day's list."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from playhouse.test_utils import count_queries

from frontdesk import audit, changes, clock, config, patients, schedule, waiting
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, StaleEdit
from frontdesk.schedule import Status
from frontdesk.staff import Role, add_staff

from .conftest import NOW, PASSWORD, TODAY


def _arrived(clinic, patient=None, provider=None, at=time(10), *, minutes_ago: int = 0):
    booked = schedule.book(patient or clinic.maria, provider or clinic.patel,
                           clinic.follow_up, TODAY, at, by=clinic.desk)
    with clock.frozen(NOW - timedelta(minutes=minutes_ago)):
        return schedule.check_in(booked, by=clinic.desk)


def _later(minutes: int):
    return clock.frozen(NOW + timedelta(minutes=minutes))


def _last_action() -> audit.AuditEvent:
    return audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()


# -- rooming ------------------------------------------------------------------------


def test_rooming_records_the_room_the_time_an_audit_and_a_change(clinic):
    arrived = _arrived(clinic)
    feed = changes.latest()
    roomed = waiting.room(arrived, "  Exam   3 ", by=clinic.desk)
    stored = schedule.get(arrived.id)
    assert (stored.status, stored.room, stored.roomed_at) == ("roomed", "Exam 3", NOW)
    assert stored.version == roomed.version == arrived.version + 1
    event = _last_action()
    assert (event.action, event.staff_id, event.patient_id) == (
        "appointment.roomed", clinic.desk.id, clinic.maria.id)
    assert [(c.topic, c.key) for c in changes.since(feed)] == [("appointment", "2026-12-01")]


def test_moving_rooms_keeps_the_time_first_roomed(clinic):
    roomed = waiting.room(_arrived(clinic), "2", by=clinic.desk)
    with _later(10):
        moved = waiting.room(roomed, "Procedure", by=clinic.desk)
    stored = schedule.get(moved.id)
    assert (stored.room, stored.roomed_at, stored.status) == ("Procedure", NOW, "roomed")


def test_moving_to_the_same_room_is_refused(clinic):
    roomed = waiting.room(_arrived(clinic), "2", by=clinic.desk)
    with pytest.raises(Conflict, match="already in 2") as refused:
        waiting.room(roomed, "2", by=clinic.desk)
    assert refused.value.field == "room"


@pytest.mark.parametrize(("typed", "words"), [
    ("   ", "Room is required."),
    ("x" * 21, "Room is longer than 20 characters."),
    ("3\x1b[2J", "Room holds control characters; retype it."),
])
def test_a_bad_room_is_refused_naming_the_field(clinic, typed, words):
    arrived = _arrived(clinic)
    with pytest.raises(InvalidInput) as refused:
        waiting.room(arrived, typed, by=clinic.desk)
    assert (str(refused.value), refused.value.field) == (words, "room")
    assert schedule.get(arrived.id).status == "arrived"


def test_only_those_who_may_change_the_schedule_may_room(clinic):
    billing = add_staff("bill", "Bea Billing", Role.BILLING, PASSWORD, by=clinic.admin)
    arrived = _arrived(clinic)
    with pytest.raises(NotAllowed, match="may change the schedule"):
        waiting.room(arrived, "2", by=billing)
    with pytest.raises(NotAllowed):
        waiting.with_provider(arrived, by=billing)


# -- the provider ---------------------------------------------------------------------


def test_with_provider_after_rooming_keeps_the_rooming_time(clinic):
    roomed = waiting.room(_arrived(clinic), "2", by=clinic.desk)
    with _later(7):
        seen = waiting.with_provider(roomed, by=clinic.desk)
    stored = schedule.get(seen.id)
    assert (stored.status, stored.roomed_at, stored.seen_at, stored.room) == (
        "with_provider", NOW, NOW + timedelta(minutes=7), "2")
    assert _last_action().action == "appointment.with_provider"


def test_the_provider_may_take_a_patient_straight_from_the_waiting_room(clinic):
    arrived = _arrived(clinic, minutes_ago=12)
    seen = waiting.with_provider(arrived, by=clinic.desk)
    stored = schedule.get(seen.id)
    assert (stored.status, stored.roomed_at, stored.seen_at, stored.room) == (
        "with_provider", NOW, NOW, "")


@pytest.mark.parametrize(("steps", "change", "words"), [
    ([], "room", "This appointment is scheduled; it cannot be marked roomed."),
    (["check_in", "check_out"], "room",
     "This appointment is checked out; it cannot be marked roomed."),
    (["check_in", "seen"], "room",
     "This appointment is with provider; it cannot be marked roomed."),
    ([], "seen", "This appointment is scheduled; it cannot be marked with provider."),
    (["check_in", "seen"], "seen",
     "This appointment is with provider; it cannot be marked with provider."),
    (["check_in", "check_out"], "seen",
     "This appointment is checked out; it cannot be marked with provider."),
])
def test_changes_from_the_wrong_state_are_refused(clinic, steps, change, words):
    appointment = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(10),
                                by=clinic.desk)
    do = {"check_in": schedule.check_in, "check_out": schedule.check_out,
          "seen": waiting.with_provider}
    for step in steps:
        appointment = do[step](appointment, by=clinic.desk)
    with pytest.raises(Conflict) as refused:
        if change == "room":
            waiting.room(appointment, "2", by=clinic.desk)
        else:
            waiting.with_provider(appointment, by=clinic.desk)
    assert str(refused.value) == words


@pytest.mark.parametrize("steps", [[], ["room"], ["room", "seen"]])
def test_check_out_from_anywhere_in_the_building(clinic, steps):
    appointment = _arrived(clinic)
    for step in steps:
        appointment = (waiting.room(appointment, "2", by=clinic.desk) if step == "room"
                       else waiting.with_provider(appointment, by=clinic.desk))
    with _later(30):
        done = schedule.check_out(appointment, by=clinic.desk)
    assert done.status == "checked_out"
    assert schedule.get(done.id).checked_out_at == NOW + timedelta(minutes=30)


def test_a_stale_screen_cannot_room_naming_who_changed_it(clinic):
    arrived = _arrived(clinic)
    seen_by_me = schedule.get(arrived.id)
    with _later(3):
        waiting.room(arrived, "2", by=clinic.admin)
    feed = changes.latest()
    with pytest.raises(StaleEdit) as refused:
        waiting.room(seen_by_me, "5", by=clinic.desk)
    assert str(refused.value) == ("This appointment was changed by Alex Admin at 10:23; look "
                                  "again before changing it.")
    assert schedule.get(arrived.id).room == "2"
    assert changes.latest() == feed
    with pytest.raises(StaleEdit):
        waiting.with_provider(seen_by_me, by=clinic.desk)


# -- the clocks -------------------------------------------------------------------------


def _row(appointment_id: int) -> waiting.Waiting:
    return next(row for row in waiting.room_list(TODAY) if row.id == appointment_id)


def test_the_clock_counts_each_stretch_in_whole_minutes(clinic):
    arrived = _arrived(clinic, minutes_ago=12)
    row = _row(arrived.id)
    assert (row.minutes(NOW), row.waited(NOW)) == (12, 12)
    assert row.minutes(NOW + timedelta(seconds=59)) == 12
    assert row.minutes(NOW + timedelta(seconds=60)) == 13

    roomed = waiting.room(arrived, "2", by=clinic.desk)
    row = _row(roomed.id)
    later = NOW + timedelta(minutes=5)
    assert (row.state, row.minutes(later), row.waited(later)) == (Status.ROOMED, 5, 12)

    with _later(8):
        seen = waiting.with_provider(roomed, by=clinic.desk)
    row = _row(seen.id)
    later = NOW + timedelta(minutes=20)
    assert (row.minutes(later), row.waited(later)) == (12, 12)  # with the provider since 8

    with _later(25):
        done = schedule.check_out(seen, by=clinic.desk)
    row = _row(done.id)
    assert (row.minutes(NOW + timedelta(hours=1)), row.waited(NOW)) == (None, 12)


def test_a_clock_never_runs_backwards(clinic):
    row = _row(_arrived(clinic).id)
    assert row.minutes(NOW - timedelta(minutes=3)) == 0


def test_a_long_wait_is_flagged_at_the_configured_minutes_only_in_the_waiting_room(clinic):
    config.use(config.Config(timezone="America/New_York", long_wait_minutes=15))
    row = _row(_arrived(clinic, minutes_ago=14).id)
    assert not row.long_wait(NOW)
    assert row.long_wait(NOW + timedelta(minutes=1))
    roomed = waiting.room(row.appointment, "2", by=clinic.desk)
    assert not _row(roomed.id).long_wait(NOW + timedelta(hours=2))


def test_the_default_long_wait_is_twenty_minutes(clinic):
    row = _row(_arrived(clinic, minutes_ago=19).id)
    assert not row.long_wait(NOW)
    assert row.long_wait(NOW + timedelta(minutes=1))


# -- the day's list -----------------------------------------------------------------------


def _people(clinic, count: int) -> list[patients.Patient]:
    return [patients.register(patients.Draft(first_name=f"Pat{chr(65 + i)}", last_name="Lee",
                                             dob="1/2/1990", sex="U"), by=clinic.desk)
            for i in range(count)]


def test_the_list_puts_the_longest_wait_first_and_the_gone_last(clinic):
    a, b, c, d, e, f = _people(clinic, 6)
    recent = _arrived(clinic, a, clinic.patel, time(9), minutes_ago=2)
    longest = _arrived(clinic, b, clinic.patel, time(9, 15), minutes_ago=30)
    roomed = waiting.room(_arrived(clinic, c, clinic.kim, time(9), minutes_ago=40), "1",
                          by=clinic.desk)
    with_provider = waiting.with_provider(
        _arrived(clinic, d, clinic.kim, time(9, 15), minutes_ago=50), by=clinic.desk)
    with _later(-10):
        gone_first = schedule.check_out(_arrived(clinic, e, clinic.patel, time(8),
                                                 minutes_ago=60), by=clinic.desk)
    gone_last = schedule.check_out(_arrived(clinic, f, clinic.kim, time(8), minutes_ago=70),
                                   by=clinic.desk)
    not_here = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                             by=clinic.desk)
    tomorrow = schedule.book(clinic.john, clinic.patel, clinic.follow_up,
                             TODAY + timedelta(days=1), time(9), by=clinic.desk)

    rows = waiting.room_list(TODAY)

    assert [r.id for r in rows] == [longest.id, recent.id, roomed.id, with_provider.id,
                                    gone_last.id, gone_first.id]
    assert not {not_here.id, tomorrow.id} & {r.id for r in rows}
    first = rows[0]
    assert (first.patient, first.mrn, first.provider, first.state, first.room) == (
        "Lee, PatB", b.mrn, "Dr. Patel", Status.ARRIVED, "")
    assert first.start == clock.local(clock.at_local(TODAY, time(9, 15)))
    assert first.start.tzinfo is not None and first.start.hour == 9
    assert first.arrived_at == NOW - timedelta(minutes=30)
    assert first.version == first.appointment.version == 2
    assert rows[2].room == "1" and rows[2].provider == "Kim NP"


def test_the_list_is_one_query_however_many_are_here(clinic):
    for patient, at in zip(_people(clinic, 4), (time(8), time(8, 15), time(8, 30), time(9))):
        _arrived(clinic, patient, clinic.patel, at)
    with count_queries() as counted:
        rows = waiting.room_list(TODAY)
        [(r.patient, r.provider, r.mrn) for r in rows]
    assert len(rows) == 4
    assert counted.count == 1


def test_an_empty_day_has_an_empty_waiting_room(clinic):
    assert waiting.room_list(TODAY) == []
