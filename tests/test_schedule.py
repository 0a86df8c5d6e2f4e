"""The appointment book: hours, clashes, DST, statuses, stale edits and the day's view."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from playhouse.test_utils import count_queries

from frontdesk import audit, changes, clock, db, patients, providers, schedule
from frontdesk.errors import Conflict, InvalidInput, NotFound, StaleEdit
from frontdesk.schedule import Appointment, Status

from .conftest import NOW, TODAY, WEEKDAY_HOURS

WED = date(2026, 12, 2)
SAT = date(2026, 12, 5)
SPRING_FORWARD = date(2027, 3, 14)  # a Sunday
FALL_BACK = date(2026, 11, 1)  # a Sunday


def _book(clinic, patient=None, provider=None, on=WED, at=time(9), kind=None, **extra):
    return schedule.book(patient or clinic.maria, provider or clinic.patel,
                         kind or clinic.follow_up, on, at, by=clinic.desk, **extra)


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def _count() -> int:
    return Appointment.select().count()


def _actions() -> list[str]:
    return [e.action for e in audit.AuditEvent.select().order_by(audit.AuditEvent.id)]


def _more_patients(clinic, count: int) -> list[patients.Patient]:
    return [patients.register(patients.Draft(first_name=f"Pat{chr(65 + i)}", last_name="Lee",
                                             dob="1/2/1990", sex="U"), by=clinic.desk)
            for i in range(count)]


# -- booking ------------------------------------------------------------------------


def test_book_within_hours_stores_the_visit(clinic):
    booked = _book(clinic, at=time(9), reason="Blood pressure check")
    stored = schedule.get(booked.id)
    assert (stored.start, stored.end) == (_utc(2026, 12, 2, 14, 0), _utc(2026, 12, 2, 14, 15))
    assert (stored.status, stored.version, stored.reason) == (
        "scheduled", 1, "Blood pressure check")
    assert (stored.patient_id, stored.provider_id, stored.booked_by_id) == (
        clinic.maria.id, clinic.patel.id, clinic.desk.id)
    assert stored.booked_at == NOW
    assert _actions()[-1] == "appointment.booked"


def test_a_visit_may_fill_a_stretch_to_its_last_minute(clinic):
    booked = _book(clinic, at=time(11, 15), kind=clinic.new_patient)  # 11:15-12:00
    assert clock.wall(booked.end) == "12:00"


@pytest.mark.parametrize(("at", "kind", "span"), [
    (time(12, 0), "follow_up", "12:00-12:15"),  # lunch
    (time(11, 30), "new_patient", "11:30-12:15"),  # runs into lunch
    (time(7, 45), "follow_up", "7:45-8:00"),  # before opening
    (time(16, 50), "follow_up", "16:50-17:05"),  # past closing
])
def test_booking_outside_hours_is_refused_naming_the_hours(clinic, at, kind, span):
    with pytest.raises(Conflict) as refused:
        _book(clinic, at=at, kind=getattr(clinic, kind))
    assert str(refused.value) == (
        f"Dr. Patel works 8:00-12:00, 13:00-17:00 (Wed, Dec 2, 2026); {span} is outside "
        "those hours.")
    assert _count() == 0


def test_booking_on_a_day_off_is_refused(clinic):
    with pytest.raises(Conflict, match=r"Dr. Patel does not work that day \(Sat, Dec 5, 2026\)"):
        _book(clinic, on=SAT)
    assert _count() == 0


def test_a_provider_cannot_be_booked_twice_at_once(clinic):
    _book(clinic, patient=clinic.maria, at=time(9), kind=clinic.new_patient)  # 9:00-9:45
    with pytest.raises(Conflict) as refused:
        _book(clinic, patient=clinic.john, at=time(9, 30))
    assert str(refused.value) == "Dr. Patel already has María García at 9:00-9:45."
    assert _count() == 1


def test_back_to_back_visits_do_not_clash(clinic):
    _book(clinic, patient=clinic.maria, at=time(9))
    _book(clinic, patient=clinic.john, at=time(9, 15))
    _book(clinic, patient=clinic.maria, at=time(9, 30))
    assert _count() == 3


def test_a_patient_cannot_be_with_two_providers_at_once(clinic):
    _book(clinic, patient=clinic.maria, provider=clinic.kim, at=time(9))
    with pytest.raises(Conflict) as refused:
        _book(clinic, patient=clinic.maria, provider=clinic.patel, at=time(9, 10))
    assert str(refused.value) == "María García is already booked with Kim NP at 9:00-9:15."
    assert _count() == 1


def test_the_provider_clash_is_named_before_the_patient_clash(clinic):
    _book(clinic, patient=clinic.maria, provider=clinic.kim, at=time(9))
    _book(clinic, patient=clinic.john, provider=clinic.patel, at=time(9))
    with pytest.raises(Conflict, match="Dr. Patel already has John O'Brien-Smith at 9:00-9:15"):
        _book(clinic, patient=clinic.maria, provider=clinic.patel, at=time(9))


@pytest.fixture
def sunday_night_hours(clinic):
    """Hours that cover the small hours of Sunday, where the clocks change."""
    providers.set_hours(clinic.patel, {**WEEKDAY_HOURS, 6: [(time(0), time(6))]}, by=clinic.admin)


def test_a_time_skipped_by_spring_forward_is_refused(clinic, sunday_night_hours):
    with pytest.raises(InvalidInput) as refused:
        _book(clinic, on=SPRING_FORWARD, at=time(2, 30))
    assert refused.value.field == "start"
    assert "02:30 does not exist on 03/14/2027 (clocks go forward)" in str(refused.value)
    assert _count() == 0


def test_a_time_repeated_by_fall_back_is_refused(clinic, sunday_night_hours):
    with pytest.raises(InvalidInput) as refused:
        _book(clinic, on=FALL_BACK, at=time(1, 30))
    assert refused.value.field == "start"
    assert "01:30 happens twice on 11/01/2026 (clocks go back)" in str(refused.value)
    assert _count() == 0


def test_a_visit_across_the_spring_change_ends_an_hour_later_on_the_wall(clinic,
                                                                      sunday_night_hours):
    booked = _book(clinic, on=SPRING_FORWARD, at=time(1, 45), kind=clinic.new_patient)
    assert booked.end - booked.start == timedelta(minutes=45)
    assert (clock.wall(booked.start), clock.wall(booked.end)) == ("1:45", "3:30")


def test_nine_stays_nine_across_dst(clinic):
    """The day after each change, a 9:00 visit is stored at that day's offset."""
    spring = _book(clinic, on=date(2027, 3, 15), at=time(9))
    autumn = _book(clinic, on=date(2026, 11, 2), at=time(9), patient=clinic.john)
    assert schedule.get(spring.id).start == _utc(2027, 3, 15, 13, 0)  # EDT, UTC-4
    assert schedule.get(autumn.id).start == _utc(2026, 11, 2, 14, 0)  # EST, UTC-5
    assert clock.wall(schedule.get(spring.id).start) == "9:00"
    assert clock.wall(schedule.get(autumn.id).start) == "9:00"
    assert [a.start.time() for a in schedule.day(date(2027, 3, 15)).appointments] == [time(9)]
    assert [a.start.time() for a in schedule.day(date(2026, 11, 2)).appointments] == [time(9)]


def test_a_cancelled_visit_frees_its_slot(clinic):
    first = _book(clinic, patient=clinic.maria, at=time(9))
    schedule.cancel(first, reason="Patient request", by=clinic.desk)
    second = _book(clinic, patient=clinic.john, at=time(9))
    again = _book(clinic, patient=clinic.maria, provider=clinic.kim, at=time(9))
    assert {schedule.get(a.id).status for a in (first, second, again)} == {
        "cancelled", "scheduled"}


def test_a_checked_out_visit_still_holds_its_slot(clinic):
    booked = _book(clinic, on=TODAY, at=time(8, 30))
    with clock.frozen(NOW.replace(hour=13, minute=25)):  # 8:25 in the clinic
        arrived = schedule.check_in(booked, by=clinic.desk)
    with clock.frozen(NOW.replace(hour=13, minute=50)):
        schedule.check_out(arrived, by=clinic.desk)
    with pytest.raises(Conflict, match="already has María García"):
        _book(clinic, patient=clinic.john, on=TODAY, at=time(8, 30))


def test_a_provider_who_left_cannot_be_booked(clinic):
    providers.Provider.update(active=False).where(providers.Provider.id == clinic.kim.id).execute()
    kim = providers.Provider.get_by_id(clinic.kim.id)
    with pytest.raises(Conflict, match="Kim NP no longer sees patients here"):
        _book(clinic, provider=kim)


def test_reason_and_note_refuse_control_characters(clinic):
    with pytest.raises(InvalidInput) as refused:
        _book(clinic, note="call back \x1b]0;pwned\x07")
    assert refused.value.field == "note"
    assert _count() == 0


# -- statuses -----------------------------------------------------------------------


def test_check_in_only_on_the_appointments_day(clinic):
    tomorrow = _book(clinic, on=WED, at=time(9))
    with pytest.raises(Conflict, match=r"on Wed, Dec 2, 2026; only today's appointments"):
        schedule.check_in(tomorrow, by=clinic.desk)
    assert schedule.get(tomorrow.id).status == "scheduled"


def test_check_in_marks_arrived_with_the_time(clinic):
    later_today = _book(clinic, on=TODAY, at=time(11))
    arrived = schedule.check_in(later_today, by=clinic.desk)  # early is fine
    stored = schedule.get(later_today.id)
    assert (stored.status, stored.arrived_at, stored.version) == ("arrived", NOW, 2)
    assert (arrived.status, arrived.version) == ("arrived", 2)
    assert _actions()[-1] == "appointment.checked_in"


def test_no_show_is_refused_before_the_start(clinic):
    later_today = _book(clinic, on=TODAY, at=time(11))
    with pytest.raises(Conflict, match="starts at 11:00; a patient cannot be a no-show before"):
        schedule.mark_no_show(later_today, by=clinic.desk)
    with clock.frozen(NOW.replace(hour=16, minute=15)):  # 11:15: the grace period is over
        assert schedule.mark_no_show(later_today, by=clinic.desk).status == "no_show"
    assert schedule.get(later_today.id).status == "no_show"


@pytest.mark.parametrize(("steps", "action", "words"), [
    ([], "check_out", "is scheduled; it cannot be marked checked out"),
    (["cancel"], "confirm", "is cancelled; it cannot be marked confirmed"),
    (["cancel"], "check_in", "is cancelled; it cannot be marked arrived"),
    (["check_in"], "cancel", "is arrived; it cannot be marked cancelled"),
    (["check_in"], "no_show", "is arrived; it cannot be marked no show"),
    (["check_in", "check_out"], "check_in", "is checked out; it cannot be marked arrived"),
    (["confirm"], "confirm", "is confirmed; it cannot be marked confirmed"),
])
def test_transitions_from_the_wrong_status_are_refused(clinic, steps, action, words):
    actions = {
        "confirm": lambda a: schedule.confirm(a, by=clinic.desk),
        "check_in": lambda a: schedule.check_in(a, by=clinic.desk),
        "check_out": lambda a: schedule.check_out(a, by=clinic.desk),
        "cancel": lambda a: schedule.cancel(a, reason="Patient request", by=clinic.desk),
        "no_show": lambda a: schedule.mark_no_show(a, by=clinic.desk),
    }
    appointment = _book(clinic, on=TODAY, at=time(10, 15))
    for step in steps:
        appointment = actions[step](appointment)
    before = schedule.get(appointment.id)
    with pytest.raises(Conflict, match=words):
        actions[action](appointment)
    after = schedule.get(appointment.id)
    assert (after.status, after.version) == (before.status, before.version)


def test_cancel_needs_a_reason(clinic):
    booked = _book(clinic)
    with pytest.raises(InvalidInput, match="Say why") as refused:
        schedule.cancel(booked, reason="  ", by=clinic.desk)
    assert refused.value.field == "reason"


def test_a_stale_edit_is_refused_naming_who_changed_it_and_when(clinic):
    booked = _book(clinic)
    mine, theirs = schedule.get(booked.id), schedule.get(booked.id)
    with clock.frozen(NOW + timedelta(minutes=5)):
        schedule.confirm(theirs, by=clinic.desk)
    actions_before, feed_before = _actions(), changes.latest()

    with pytest.raises(StaleEdit) as refused:
        schedule.cancel(mine, reason="Patient request", by=clinic.admin)

    assert str(refused.value) == ("This appointment was changed by Dana Desk at 10:25; look "
                                  "again before changing it.")
    stored = schedule.get(booked.id)
    assert (stored.status, stored.version, stored.cancel_reason) == ("confirmed", 2, "")
    assert stored.updated_by_id == clinic.desk.id
    assert _actions() == actions_before
    assert changes.latest() == feed_before


def test_the_copy_returned_by_a_change_can_be_changed_again(clinic):
    booked = _book(clinic, on=TODAY, at=time(10, 30))
    confirmed = schedule.confirm(booked, by=clinic.desk)
    arrived = schedule.check_in(confirmed, by=clinic.desk)
    done = schedule.check_out(arrived, by=clinic.desk)
    stored = schedule.get(booked.id)
    assert (stored.status, stored.version) == ("checked_out", 4)
    assert done.version == 4


def test_get_names_a_missing_appointment():
    with pytest.raises(NotFound, match="There is no appointment 999"):
        schedule.get(999)


# -- the day's view -----------------------------------------------------------------


def test_day_lists_that_days_appointments_in_time_then_provider_order(clinic):
    a, b, c = _more_patients(clinic, 3)
    _book(clinic, patient=a, provider=clinic.kim, at=time(10))
    _book(clinic, patient=b, provider=clinic.kim, at=time(9))
    _book(clinic, patient=c, provider=clinic.patel, at=time(9))
    _book(clinic, patient=clinic.maria, provider=clinic.patel, at=time(8))
    _book(clinic, patient=clinic.john, on=date(2026, 12, 3), at=time(8))
    _book(clinic, patient=clinic.john, on=TODAY, at=time(16))

    listed = schedule.day(WED).appointments

    assert [(clock.wall(x.start), x.provider_id) for x in listed] == [
        ("8:00", clinic.patel.id), ("9:00", clinic.patel.id), ("9:00", clinic.kim.id),
        ("10:00", clinic.kim.id)]
    assert listed[0].patient == "García, María" and listed[0].mrn == "100001"
    assert listed[0].start.tzinfo is not None and listed[0].start.utcoffset() == timedelta(hours=-5)
    assert listed[0].minutes == 15 and listed[0].type_code == "F/U"


def test_day_bounds_are_clinic_midnights_not_utc_ones(clinic):
    providers.set_hours(clinic.patel, {**WEEKDAY_HOURS, 2: [(time(8), time(12)),
                                                            (time(13), time(21))]},
                        by=clinic.admin)
    late = _book(clinic, patient=clinic.john, on=WED, at=time(20, 30))  # 01:30 UTC on Dec 3
    early = _book(clinic, patient=clinic.maria, on=date(2026, 12, 3), at=time(8))
    assert late.start.date() == date(2026, 12, 3)
    assert [x.id for x in schedule.day(WED).appointments] == [late.id]
    assert [x.id for x in schedule.day(date(2026, 12, 3)).appointments] == [early.id]


def test_day_shows_the_providers_and_their_hours(clinic):
    shown = schedule.day(WED)
    assert [(p.short_name, p.hours) for p in shown.providers] == [
        ("Dr. Patel", ((time(8), time(12)), (time(13), time(17)))),
        ("Kim NP", ((time(8), time(12)), (time(13), time(17))))]
    assert shown.span(15) == (time(8), time(17))


def test_day_runs_the_same_few_queries_however_full_the_day(clinic):
    _book(clinic)
    with count_queries() as one:
        assert len(schedule.day(WED).appointments) == 1
    crowd = _more_patients(clinic, 10)
    for i, patient in enumerate(crowd):
        _book(clinic, patient=patient, provider=(clinic.kim, clinic.patel)[i % 2],
              at=time(13 + i // 4, (i % 4) * 15))
    with count_queries() as eleven:
        assert len(schedule.day(WED).appointments) == 11
    assert eleven.count == one.count <= 4  # providers, hours, blocks, appointments


def test_detail_returns_the_patient_and_audits_the_view(clinic):
    booked = _book(clinic, reason="Cough")
    shown = schedule.detail(booked.id, by=clinic.admin)
    assert (shown.patient, shown.mrn, shown.dob, shown.sex) == (
        "García, María", "100001", date(1980, 3, 4), "F")
    assert shown.phones == (("mobile", "+16175550142"),)
    assert (shown.provider, shown.type_name, shown.minutes) == ("Anita Patel, MD", "Follow-up", 15)
    assert (shown.booked_by, shown.reason, shown.status) == ("Dana Desk", "Cough", Status.SCHEDULED)
    assert clock.wall(shown.start) == "9:00" and shown.start.utcoffset() == timedelta(hours=-5)
    viewed = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert (viewed.action, viewed.staff_id, viewed.patient_id, viewed.subject) == (
        "appointment.viewed", clinic.admin.id, clinic.maria.id, f"appointment {booked.id}")


def test_detail_of_a_missing_appointment_audits_nothing(clinic):
    before = _actions()
    with pytest.raises(NotFound):
        schedule.detail(404, by=clinic.desk)
    assert _actions() == before


def test_booking_inside_an_outer_write_rolls_back_with_it(clinic):
    with pytest.raises(RuntimeError):
        with db.write():
            _book(clinic)
            raise RuntimeError("the screen's larger change failed")
    assert _count() == 0


def test_day_carries_each_providers_blocks_so_the_grid_can_name_them(clinic):
    from frontdesk import calendar

    calendar.add_block(clinic.patel, "meeting", time(10), time(10, 30), starts_on=WED,
                       title="Quality review", by=clinic.admin)
    patel, kim = schedule.day(WED).providers
    assert [(b.kind, b.title, b.start, b.end) for b in patel.away] == [
        ("meeting", "Quality review", time(10), time(10, 30))]
    assert kim.away == ()
    assert patel.away_at(time(10, 15), time(10, 29, 59)).kind == "meeting"
    assert patel.away_at(time(9, 45), time(9, 59, 59)) is None
    assert patel.away_at(time(10, 30), time(10, 44, 59)) is None
