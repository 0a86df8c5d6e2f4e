"""Booking, moving, cancelling and no-shows: the rules of issue 5, each refusal leaving
the book exactly as it was."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from frontdesk import audit, calendar, changes, clock, config, providers, schedule, staff
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, StaleEdit
from frontdesk.schedule import (Appointment, AppointmentChange, OutsideHours,
                                OverbookPossible)

from .conftest import NOW, PASSWORD, TODAY, WEEKDAY_HOURS, ZONE

WED = date(2026, 12, 2)
THU = date(2026, 12, 3)
SPRING_FORWARD = date(2027, 3, 14)  # a Sunday: 2:00 jumps to 3:00
FALL_BACK = date(2026, 11, 1)  # a Sunday: 2:00 goes back to 1:00


def _book(clinic, patient=None, provider=None, on=WED, at=time(9), kind=None, by=None,
          **extra) -> Appointment:
    return schedule.book(patient or clinic.maria, provider or clinic.patel,
                         kind or clinic.follow_up, on, at, by=by or clinic.desk, **extra)


def _book_state() -> tuple:
    """Everything a refused change must leave as it was."""
    rows = [tuple(row) for row in Appointment.select().order_by(Appointment.id).tuples()]
    history = AppointmentChange.select().count()
    return rows, history, audit.AuditEvent.select().count(), changes.latest()


@pytest.fixture
def manager(clinic) -> staff.Staff:
    return staff.add_staff("mgr", "Morgan Manager", staff.Role.MANAGER, PASSWORD,
                           by=clinic.admin)


def _allow(provider: providers.Provider, at_once: int) -> providers.Provider:
    providers.Provider.update(max_at_once=at_once).where(
        providers.Provider.id == provider.id).execute()
    return providers.Provider.get_by_id(provider.id)


@pytest.fixture
def sunday_night_hours(clinic):
    """Hours over the small hours of Sunday, where the clocks change."""
    providers.set_hours(clinic.patel, {**WEEKDAY_HOURS, 6: [(time(0), time(6))]},
                        by=clinic.admin)


# -- overlaps and overbooking -----------------------------------------------------------


def test_a_taken_time_is_refused_naming_what_is_there_and_changes_nothing(clinic):
    _book(clinic, patient=clinic.maria, at=time(9), kind=clinic.new_patient)
    before = _book_state()
    with pytest.raises(Conflict) as refused:
        _book(clinic, patient=clinic.john, at=time(9, 30))
    assert not isinstance(refused.value, OverbookPossible)
    assert str(refused.value) == "Dr. Patel already has María García at 9:00-9:45."
    assert _book_state() == before


def test_overbook_true_does_not_lift_an_allowance_of_one(clinic):
    _book(clinic, patient=clinic.maria, at=time(9))
    with pytest.raises(Conflict) as refused:
        _book(clinic, patient=clinic.john, at=time(9), overbook=True)
    assert not isinstance(refused.value, OverbookPossible)


def test_within_the_allowance_staff_are_asked_then_may_overbook(clinic):
    patel = _allow(clinic.patel, 2)
    _book(clinic, patient=clinic.maria, provider=patel, at=time(9))
    before = _book_state()
    with pytest.raises(OverbookPossible) as asked:
        _book(clinic, patient=clinic.john, provider=patel, at=time(9))
    assert str(asked.value) == ("Dr. Patel already has María García at 9:00-9:15; Dr. Patel "
                                "may see up to 2 at once. Overbook?")
    assert _book_state() == before

    second = _book(clinic, patient=clinic.john, provider=patel, at=time(9), overbook=True)

    booked = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert booked.action == "appointment.booked" and '"overbooked": true' in booked.detail
    history = AppointmentChange.get(AppointmentChange.appointment == second.id)
    assert (history.action, history.note) == ("booked", "overbooked")


def test_over_the_allowance_is_refused_naming_everyone_in_the_way(clinic):
    patel = _allow(clinic.patel, 2)
    (third,) = _more_patients(clinic, 1)
    _book(clinic, patient=clinic.maria, provider=patel, at=time(9))
    _book(clinic, patient=clinic.john, provider=patel, at=time(9), overbook=True)
    before = _book_state()
    with pytest.raises(Conflict) as refused:
        _book(clinic, patient=third, provider=patel, at=time(9), overbook=True)
    assert not isinstance(refused.value, OverbookPossible)
    assert str(refused.value) == ("Dr. Patel already has María García at 9:00-9:15, John "
                                  "O'Brien-Smith at 9:00-9:15, and sees at most 2 at once.")
    assert _book_state() == before


def test_the_allowance_counts_visits_at_the_same_moment_not_all_in_the_span(clinic):
    """Two back-to-back visits under a half-hour one: never more than two at once."""
    patel = _allow(clinic.patel, 2)
    a, b = _more_patients(clinic, 2)
    _book(clinic, patient=a, provider=patel, at=time(9))
    _book(clinic, patient=b, provider=patel, at=time(9, 15))
    with pytest.raises(OverbookPossible):
        _book(clinic, patient=clinic.maria, provider=patel, at=time(9), kind=clinic.new_patient)
    _book(clinic, patient=clinic.maria, provider=patel, at=time(9), kind=clinic.new_patient,
          overbook=True)
    assert Appointment.select().count() == 3


def test_the_patient_cannot_be_in_two_places_even_where_overbooking_is_allowed(clinic):
    patel = _allow(clinic.patel, 3)
    _book(clinic, patient=clinic.maria, provider=clinic.kim, at=time(9))
    before = _book_state()
    with pytest.raises(Conflict) as refused:
        _book(clinic, patient=clinic.maria, provider=patel, at=time(9, 10), overbook=True)
    assert str(refused.value) == "María García is already booked with Kim NP at 9:00-9:15."
    assert not isinstance(refused.value, OverbookPossible)
    assert _book_state() == before


def test_a_patient_booked_twice_with_the_same_overbookable_provider_is_refused(clinic):
    patel = _allow(clinic.patel, 2)
    _book(clinic, patient=clinic.maria, provider=patel, at=time(9))
    with pytest.raises(Conflict, match="María García is already booked with Dr. Patel"):
        _book(clinic, patient=clinic.maria, provider=patel, at=time(9), overbook=True)


def _more_patients(clinic, count: int):
    from frontdesk import patients

    return [patients.register(patients.Draft(first_name=f"Pat{chr(65 + i)}", last_name="Lee",
                                             dob="1/2/1990", sex="U"), by=clinic.desk)
            for i in range(count)]


# -- hours, blocks and the manager's override -------------------------------------------


def test_outside_hours_is_refused_as_outside_hours(clinic):
    before = _book_state()
    with pytest.raises(OutsideHours) as refused:
        _book(clinic, at=time(12, 0))
    assert isinstance(refused.value, Conflict)
    assert str(refused.value) == ("Dr. Patel works 8:00-12:00, 13:00-17:00 (Wed, Dec 2, 2026); "
                                  "12:00-12:15 is outside those hours.")
    assert _book_state() == before


def test_a_visit_inside_a_block_is_refused_naming_the_block(clinic):
    calendar.add_block(clinic.patel, "meeting", time(10), time(10, 30), starts_on=WED,
                       by=clinic.admin)
    before = _book_state()
    with pytest.raises(OutsideHours) as refused:
        _book(clinic, at=time(9, 45), kind=clinic.new_patient)  # 9:45-10:30 runs into it
    assert str(refused.value) == "Dr. Patel is in a meeting 10:00-10:30 (Wed, Dec 2, 2026)."
    assert _book_state() == before
    _book(clinic, at=time(9, 45))  # 9:45-10:00 ends as it starts
    _book(clinic, at=time(10, 30), patient=clinic.john)
    assert Appointment.select().count() == 2


def test_a_repeating_lunch_inside_the_hours_is_refused_on_every_weekday(clinic):
    providers.set_hours(clinic.patel, {d: [(time(8), time(17))] for d in range(5)},
                        by=clinic.admin)
    calendar.add_block(clinic.patel, "lunch", time(12), time(13), starts_on=TODAY,
                       rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", by=clinic.admin)
    for on in (WED, date(2026, 12, 10), date(2027, 2, 3)):
        with pytest.raises(OutsideHours, match=r"^Dr. Patel is at lunch 12:00-13:00 \("):
            _book(clinic, on=on, at=time(12, 15))
    _book(clinic, on=WED, at=time(11, 45))
    assert Appointment.select().count() == 1


def test_a_manager_may_book_outside_hours_with_a_reason_stored_and_audited(clinic, manager):
    booked = _book(clinic, at=time(12, 15), by=manager, override_reason="Post-op check, urgent")
    stored = schedule.get(booked.id)
    assert stored.override_reason == "Post-op check, urgent"
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert (event.action, event.staff_id) == ("appointment.booked", manager.id)
    assert "Post-op check, urgent" in event.detail
    history = AppointmentChange.get(AppointmentChange.appointment == booked.id)
    assert history.note == "override: Post-op check, urgent"


def test_an_administrator_may_override_a_block_too(clinic):
    calendar.add_block(clinic.patel, "admin", time(9), time(10), starts_on=WED, by=clinic.admin)
    booked = _book(clinic, at=time(9), by=clinic.admin, override_reason="Only free morning")
    assert schedule.get(booked.id).override_reason == "Only free morning"


def test_front_desk_cannot_override_even_with_a_reason(clinic):
    before = _book_state()
    with pytest.raises(NotAllowed) as refused:
        _book(clinic, at=time(12, 15), override_reason="Patient insists")
    assert str(refused.value).endswith(
        "Only a manager or administrator may book outside a provider's hours or in a block.")
    assert str(refused.value).startswith("Dr. Patel works 8:00-12:00")
    assert _book_state() == before


def test_an_override_reason_given_when_none_is_needed_is_not_kept(clinic, manager):
    booked = _book(clinic, at=time(9), by=manager, override_reason="Just in case")
    assert schedule.get(booked.id).override_reason == ""


def test_an_override_does_not_lift_a_clash(clinic, manager):
    _book(clinic, patient=clinic.john, at=time(12, 15), by=manager, override_reason="Urgent")
    with pytest.raises(Conflict, match="Dr. Patel already has John O'Brien-Smith at 12:15"):
        _book(clinic, at=time(12, 15), by=manager, override_reason="Urgent too")


# -- daylight saving ------------------------------------------------------------------


def test_spring_forward_refuses_the_skipped_hour_and_keeps_real_durations(clinic,
                                                                       sunday_night_hours):
    before = _book_state()
    with pytest.raises(InvalidInput, match="02:30 does not exist on 03/14/2027"):
        _book(clinic, on=SPRING_FORWARD, at=time(2, 30))
    assert _book_state() == before
    early = _book(clinic, on=SPRING_FORWARD, at=time(1, 45), kind=clinic.new_patient)
    assert (clock.wall(early.start), clock.wall(early.end)) == ("1:45", "3:30")
    # 3:00 is real (EDT) and lies inside the 45 minutes that began at 1:45 EST.
    with pytest.raises(Conflict, match="Dr. Patel already has María García at 1:45-3:30"):
        _book(clinic, patient=clinic.john, on=SPRING_FORWARD, at=time(3))
    later = _book(clinic, patient=clinic.john, on=SPRING_FORWARD, at=time(3, 30))
    assert later.start == datetime(2027, 3, 14, 7, 30, tzinfo=timezone.utc)


def test_fall_back_refuses_the_repeated_hour_and_books_around_it(clinic, sunday_night_hours):
    before = _book_state()
    for at in (time(1), time(1, 30), time(1, 45)):
        with pytest.raises(InvalidInput, match="happens twice on 11/01/2026"):
            _book(clinic, on=FALL_BACK, at=at)
    assert _book_state() == before
    early = _book(clinic, on=FALL_BACK, at=time(0, 30), kind=clinic.new_patient)  # to 1:15 EDT
    after = _book(clinic, patient=clinic.john, on=FALL_BACK, at=time(2))  # 2:00 EST
    assert after.start - early.end == timedelta(hours=1, minutes=45)
    assert clock.local(early.end).utcoffset() == timedelta(hours=-4)
    assert clock.local(after.start).utcoffset() == timedelta(hours=-5)


def test_a_move_onto_a_time_the_clocks_skip_is_refused(clinic, sunday_night_hours):
    booked = _book(clinic, on=SPRING_FORWARD, at=time(1))
    before = _book_state()
    with pytest.raises(InvalidInput, match="does not exist"):
        schedule.move(booked, clinic.patel, SPRING_FORWARD, time(2, 15), version=1,
                      by=clinic.desk)
    assert _book_state() == before


# -- moving ---------------------------------------------------------------------------


def test_a_move_keeps_both_places_in_the_history(clinic):
    booked = _book(clinic, at=time(9))
    with clock.frozen(NOW + timedelta(minutes=3)):
        moved = schedule.move(booked, clinic.kim, THU, time(14, 30), version=booked.version,
                              by=clinic.admin)
    stored = schedule.get(booked.id)
    assert (stored.provider_id, clock.wall(stored.start), clock.wall(stored.end)) == (
        clinic.kim.id, "14:30", "14:45")
    assert clock.local(stored.start).date() == THU
    assert (stored.version, stored.updated_by_id, stored.updated_at) == (
        2, clinic.admin.id, NOW + timedelta(minutes=3))
    assert (moved.version, moved.provider_id, moved.start) == (2, clinic.kim.id, stored.start)
    history = list(AppointmentChange.select().where(AppointmentChange.appointment == booked.id)
                   .order_by(AppointmentChange.id))
    assert [h.action for h in history] == ["booked", "moved"]
    assert (history[1].from_provider_id, history[1].from_start) == (clinic.patel.id,
                                                                    booked.start)
    assert (history[1].to_provider_id, history[1].to_start) == (clinic.kim.id, stored.start)
    assert (history[1].by_id, history[1].at) == (clinic.admin.id, NOW + timedelta(minutes=3))
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert (event.action, event.patient_id) == ("appointment.moved", clinic.maria.id)


def test_a_move_announces_both_clinic_days(clinic):
    booked = _book(clinic, at=time(9))
    last = changes.latest()
    schedule.move(booked, clinic.patel, THU, time(9), version=1, by=clinic.desk)
    assert sorted((c.topic, c.key) for c in changes.since(last)) == [
        ("appointment", "2026-12-02"), ("appointment", "2026-12-03")]


def test_a_visit_may_move_over_its_own_old_time(clinic):
    booked = _book(clinic, at=time(9), kind=clinic.new_patient)  # 9:00-9:45
    schedule.move(booked, clinic.patel, WED, time(9, 15), version=1, by=clinic.desk)
    assert clock.wall(schedule.get(booked.id).end) == "10:00"


def test_a_move_into_a_taken_time_is_refused_and_changes_nothing(clinic):
    booked = _book(clinic, at=time(9))
    _book(clinic, patient=clinic.john, at=time(10))
    before = _book_state()
    with pytest.raises(Conflict, match="Dr. Patel already has John O'Brien-Smith at 10:00"):
        schedule.move(booked, clinic.patel, WED, time(10), version=1, by=clinic.desk)
    with pytest.raises(OutsideHours):
        schedule.move(booked, clinic.patel, WED, time(12, 30), version=1, by=clinic.desk)
    with pytest.raises(NotAllowed):
        schedule.move(booked, clinic.patel, WED, time(12, 30), version=1, by=clinic.desk,
                      override_reason="please")
    assert _book_state() == before


def test_a_move_can_be_overbooked_or_overridden_like_a_booking(clinic, manager):
    patel = _allow(clinic.patel, 2)
    booked = _book(clinic, provider=patel, at=time(9))
    _book(clinic, patient=clinic.john, provider=patel, at=time(10))
    with pytest.raises(OverbookPossible):
        schedule.move(booked, patel, WED, time(10), version=1, by=clinic.desk)
    moved = schedule.move(booked, patel, WED, time(10), version=1, by=clinic.desk,
                          overbook=True)
    moved = schedule.move(moved, patel, WED, time(12, 15), version=2, by=manager,
                          override_reason="Lunch visit, agreed")
    assert schedule.get(booked.id).override_reason == "Lunch visit, agreed"
    schedule.move(moved, patel, WED, time(9), version=3, by=clinic.desk)
    assert schedule.get(booked.id).override_reason == ""  # back in hours: nothing to explain


def test_a_move_from_a_stale_read_is_refused(clinic):
    booked = _book(clinic, at=time(9))
    schedule.confirm(booked, by=clinic.admin)
    before = _book_state()
    with pytest.raises(StaleEdit, match="changed by Alex Admin"):
        schedule.move(booked, clinic.patel, WED, time(11), version=1, by=clinic.desk)
    assert _book_state() == before


def test_only_a_visit_still_to_come_can_be_moved(clinic):
    booked = _book(clinic, on=TODAY, at=time(10, 30))
    arrived = schedule.check_in(booked, by=clinic.desk)
    with pytest.raises(Conflict, match="This appointment is arrived; it cannot be moved"):
        schedule.move(arrived, clinic.patel, WED, time(9), version=arrived.version,
                      by=clinic.desk)
    with pytest.raises(InvalidInput, match="already then"):
        other = _book(clinic, patient=clinic.john, at=time(9))
        schedule.move(other, clinic.patel, WED, time(9), version=1, by=clinic.desk)


# -- cancelling and no-shows -----------------------------------------------------------


@pytest.mark.parametrize(("on", "at", "category", "late"), [
    (TODAY, time(15), "patient", True),  # this afternoon
    (WED, time(10, 15), "patient", True),  # 23h55 from now
    (WED, time(10, 30), "patient", False),  # 24h10 from now
    (WED, time(9), "other", True),
    (TODAY, time(15), "provider", False),  # not the patient's doing
    (TODAY, time(15), "weather", False),
])
def test_cancel_marks_late_inside_the_window_when_it_is_the_patients_doing(clinic, on, at,
                                                                            category, late):
    booked = _book(clinic, on=on, at=at)
    cancelled = schedule.cancel(booked, category=category, reason="Called in", by=clinic.desk)
    stored = schedule.get(booked.id)
    assert (stored.status, stored.cancel_category, stored.late_cancel) == (
        "cancelled", category, late)
    assert (stored.cancel_reason, stored.cancelled_at, stored.updated_by_id) == (
        "Called in", NOW, clinic.desk.id)
    assert cancelled.late_cancel == late
    history = AppointmentChange.select().where(AppointmentChange.appointment == booked.id
                                               ).order_by(AppointmentChange.id.desc()).first()
    assert (history.action, history.by_id, history.at) == ("cancelled", clinic.desk.id, NOW)
    assert history.note.startswith(category)


def test_the_late_window_comes_from_config(clinic, clinic_settings):
    booked = _book(clinic, at=time(9))  # 22h40 from now
    config.use(config.Config(timezone=ZONE, late_cancel_hours=2))
    assert schedule.cancel(booked, category="patient", by=clinic.desk).late_cancel is False


def test_cancel_refuses_an_unknown_category_or_other_without_a_reason(clinic):
    booked = _book(clinic)
    before = _book_state()
    with pytest.raises(InvalidInput) as refused:
        schedule.cancel(booked, category="boredom", reason="x", by=clinic.desk)
    assert refused.value.field == "category"
    with pytest.raises(InvalidInput, match="Say why") as refused:
        schedule.cancel(booked, category="other", by=clinic.desk)
    assert refused.value.field == "reason"
    assert _book_state() == before
    schedule.cancel(booked, category="weather", by=clinic.desk)  # the reason is optional
    assert schedule.get(booked.id).status == "cancelled"


def test_a_cancelled_visit_frees_its_time_for_the_next_booking(clinic):
    booked = _book(clinic, at=time(9))
    schedule.cancel(booked, category="patient", by=clinic.desk)
    _book(clinic, patient=clinic.john, at=time(9))


def test_no_show_waits_for_the_grace_period(clinic):
    booked = _book(clinic, on=TODAY, at=time(10, 10))  # started ten minutes ago
    before = _book_state()
    with pytest.raises(Conflict) as refused:
        schedule.mark_no_show(booked, by=clinic.desk)
    assert str(refused.value) == ("The appointment starts at 10:10; a patient cannot be a "
                                  "no-show before 10:25 (15 minutes' grace).")
    assert _book_state() == before
    with clock.frozen(NOW + timedelta(minutes=5)):
        missed = schedule.mark_no_show(booked, by=clinic.desk)
    assert (missed.status, schedule.get(booked.id).status) == ("no_show", "no_show")
    history = AppointmentChange.select().order_by(AppointmentChange.id.desc()).first()
    assert (history.action, history.by_id, history.at) == (
        "no_show", clinic.desk.id, NOW + timedelta(minutes=5))


def test_the_grace_period_comes_from_config(clinic):
    booked = _book(clinic, on=TODAY, at=time(10, 10))
    config.use(config.Config(timezone=ZONE, no_show_grace_minutes=5))
    assert schedule.mark_no_show(booked, by=clinic.desk).status == "no_show"


def test_no_show_names_the_status_before_the_time(clinic):
    booked = _book(clinic, on=TODAY, at=time(10, 15))
    arrived = schedule.check_in(booked, by=clinic.desk)
    with pytest.raises(Conflict, match="is arrived; it cannot be marked no show"):
        schedule.mark_no_show(arrived, by=clinic.desk)


def test_every_change_records_who_and_when(clinic):
    booked = _book(clinic, on=TODAY, at=time(11))
    with clock.frozen(NOW + timedelta(minutes=1)):
        confirmed = schedule.confirm(booked, by=clinic.admin)
    with clock.frozen(NOW + timedelta(minutes=2)):
        schedule.move(confirmed, clinic.kim, TODAY, time(11, 30), version=2, by=clinic.desk)
    rows = list(AppointmentChange.select().order_by(AppointmentChange.id).tuples())
    assert [(r[2], r[3], r[4]) for r in rows] == [
        (NOW, clinic.desk.id, "booked"),
        (NOW + timedelta(minutes=1), clinic.admin.id, "confirmed"),
        (NOW + timedelta(minutes=2), clinic.desk.id, "moved")]
