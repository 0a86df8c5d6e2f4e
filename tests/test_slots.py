"""Free time in a provider's book: hours, appointments held, the past, DST."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from frontdesk import clock, providers, schedule
from frontdesk.schedule import Appointment
from frontdesk.slots import free_slots
from tests.conftest import TODAY

TOMORROW = TODAY + timedelta(days=1)  # Wednesday 2 December 2026


def _book(clinic, on: date, at: time, *, patient=None, provider=None, kind=None):
    return schedule.book(patient or clinic.john, provider or clinic.patel,
                         kind or clinic.follow_up, on, at, by=clinic.desk)


def test_slots_follow_the_providers_hours(clinic) -> None:
    found = free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=1, count=40)
    assert found[0] == (TOMORROW, time(8, 0))
    assert (TOMORROW, time(11, 45)) in found and (TOMORROW, time(12, 0)) not in found
    assert (TOMORROW, time(13, 0)) in found and found[-1] == (TOMORROW, time(16, 45))
    assert len(found) == 32  # 4 + 4 hours of 15-minute visits


def test_a_long_visit_ends_within_the_stretch(clinic) -> None:
    found = free_slots(clinic.patel, clinic.new_patient, start=TOMORROW, days=1, count=40)
    times = [at for _, at in found]
    assert time(11, 15) in times and time(11, 30) not in times  # 11:30 + 45 > 12:00
    assert times[-1] == time(16, 15)


def test_slots_skip_what_is_held_and_not_what_is_cancelled(clinic) -> None:
    _book(clinic, TOMORROW, time(8, 0))
    _book(clinic, TOMORROW, time(8, 15), kind=clinic.new_patient, patient=clinic.maria)
    cancelled = _book(clinic, TOMORROW, time(9, 0))
    schedule.cancel(cancelled, reason="moved away", by=clinic.desk)
    found = free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=1, count=2)
    assert found == [(TOMORROW, time(9, 0)), (TOMORROW, time(9, 15))]


def test_another_providers_appointments_do_not_matter_unless_it_is_the_patients(clinic) -> None:
    _book(clinic, TOMORROW, time(8, 0), provider=clinic.kim)
    assert free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=1,
                      count=1) == [(TOMORROW, time(8, 0))]
    assert free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=1, count=1,
                      patient_id=clinic.john.id) == [(TOMORROW, time(8, 15))]


def test_a_visit_that_overlaps_a_longer_one_is_not_free(clinic) -> None:
    _book(clinic, TOMORROW, time(8, 30), kind=clinic.new_patient)  # 8:30-9:15
    found = free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=1, count=4)
    assert found == [(TOMORROW, time(8, 0)), (TOMORROW, time(8, 15)),
                     (TOMORROW, time(9, 15)), (TOMORROW, time(9, 30))]


def test_today_starts_after_now_and_weekends_are_skipped(clinic) -> None:
    # Now is 10:20 on Tuesday 1 December.
    assert free_slots(clinic.patel, clinic.follow_up, start=TODAY, days=1,
                      count=1) == [(TODAY, time(10, 30))]
    friday = date(2026, 12, 4)
    found = free_slots(clinic.patel, clinic.follow_up, start=friday + timedelta(days=1),
                       days=3, count=1)
    assert found == [(date(2026, 12, 7), time(8, 0))]


def test_count_and_days_bound_the_answer(clinic) -> None:
    assert len(free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=5,
                          count=3)) == 3
    saturday = date(2026, 12, 5)
    assert free_slots(clinic.patel, clinic.follow_up, start=saturday, days=2, count=3) == []
    assert free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=1, count=0) == []


def test_an_inactive_provider_has_no_free_time(clinic) -> None:
    providers.Provider.update(active=False).where(
        providers.Provider.id == clinic.patel.id).execute()
    patel = providers.Provider.get_by_id(clinic.patel.id)
    assert free_slots(patel, clinic.follow_up, start=TOMORROW, days=5, count=3) == []


def test_wall_clock_times_survive_the_spring_change(clinic) -> None:
    """Monday 15 March 2027 is the first day of EDT: 9:00 is 13:00 UTC, not 14:00, and
    an appointment at 9:00 that day blocks 9:00."""
    monday = date(2027, 3, 15)
    booked = _book(clinic, monday, time(9, 0))
    assert booked.start == datetime(2027, 3, 15, 13, 0, tzinfo=timezone.utc)
    found = free_slots(clinic.patel, clinic.follow_up, start=date(2027, 3, 12), days=4,
                       count=40)
    friday = [at for on, at in found if on == date(2027, 3, 12)]
    after = [at for on, at in found if on == monday]
    assert time(9, 0) in friday and time(9, 0) not in after
    assert time(8, 45) in after and time(9, 15) in after
    # Every offer books cleanly, before and after the change.
    for on, at in [(date(2027, 3, 12), time(9, 0)), (monday, time(9, 15))]:
        _book(clinic, on, at, patient=clinic.maria)


def test_the_skipped_and_repeated_hours_are_never_offered(clinic) -> None:
    night = {6: [(time(0, 30), time(4, 0))]}  # a Sunday night shift
    providers.set_hours(clinic.kim, night, by=clinic.admin)
    spring, autumn = date(2027, 3, 14), date(2026, 11, 1)
    forward = [at for _, at in free_slots(clinic.kim, clinic.follow_up, start=spring, days=1,
                                          count=40, not_before=clock.at_local(spring,
                                                                              time(0)))]
    assert time(1, 45) in forward and time(3, 0) in forward
    assert not [at for at in forward if time(2, 0) <= at < time(3, 0)]
    # 1:45 + 15 minutes ends at 3:00 on the wall: it fits, as schedule.book agrees.
    schedule.book(clinic.maria, clinic.kim, clinic.follow_up, spring, time(1, 45),
                  by=clinic.desk)
    back = [at for _, at in free_slots(clinic.kim, clinic.follow_up, start=autumn, days=1,
                                       count=40, not_before=clock.at_local(autumn, time(0)))]
    assert time(0, 45) in back and time(2, 0) in back
    assert not [at for at in back if time(1, 0) <= at < time(2, 0)]
    assert Appointment.select().count() == 1
