"""Next available: blocks respected, across providers earliest first, by specialty,
weekday and part of day, and the checks on what staff ask for."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from frontdesk import calendar, clock, providers, schedule
from frontdesk.errors import InvalidInput
from frontdesk.slots import Slot, free_slots, next_available
from tests.conftest import TODAY

TOMORROW = TODAY + timedelta(days=1)  # Wednesday 2 December 2026
FRIDAY = date(2026, 12, 4)


def _book(clinic, on: date, at: time, *, patient=None, provider=None, kind=None):
    return schedule.book(patient or clinic.john, provider or clinic.patel,
                         kind or clinic.follow_up, on, at, by=clinic.desk)


def _lunch(clinic, provider, start=time(11), end=time(11, 30), **kwargs):
    return calendar.add_block(provider, "lunch", start, end, starts_on=TOMORROW,
                              rule=kwargs.pop("rule", "FREQ=DAILY"), by=clinic.admin, **kwargs)


def test_free_slots_skip_a_block(clinic) -> None:
    _lunch(clinic, clinic.patel)
    found = free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=1, count=40)
    times = [at for _, at in found]
    assert time(10, 45) in times and time(11, 30) in times
    assert time(11) not in times and time(11, 15) not in times
    # A 45-minute visit may not run into it either.
    long = [at for _, at in free_slots(clinic.patel, clinic.new_patient, start=TOMORROW,
                                       days=1, count=40)]
    assert time(10, 15) in long and time(10, 30) not in long and time(11, 15) not in long


def test_an_all_day_block_takes_the_whole_day(clinic) -> None:
    calendar.add_block(clinic.patel, "vacation", *calendar.ALL_DAY, starts_on=TOMORROW,
                       by=clinic.admin)
    found = free_slots(clinic.patel, clinic.follow_up, start=TOMORROW, days=2, count=1)
    assert found == [(TOMORROW + timedelta(days=1), time(8))]


def test_every_free_slot_offered_can_be_booked(clinic) -> None:
    _lunch(clinic, clinic.patel, time(12, 30), time(13, 30))
    _book(clinic, TOMORROW, time(9))
    for slot in next_available(clinic.new_patient, provider=clinic.patel, start=TOMORROW,
                               end=TOMORROW, count=40):
        booked = schedule.book(clinic.maria, clinic.patel, clinic.new_patient, slot.on,
                               slot.at, by=clinic.desk)  # never refused: hours, blocks, held
        schedule.cancel(booked, category="patient", by=clinic.desk)


def test_earliest_first_across_providers_in_the_schedules_order(clinic) -> None:
    _book(clinic, TOMORROW, time(8), provider=clinic.patel)
    found = next_available(clinic.follow_up, start=TOMORROW, end=TOMORROW, count=3)
    assert [(s.provider_name, s.at) for s in found] == [
        ("Kim NP", time(8)), ("Dr. Patel", time(8, 15)), ("Kim NP", time(8, 15))]
    assert found[0] == Slot(clinic.kim.id, "Kim NP", TOMORROW, time(8),
                            clock.at_local(TOMORROW, time(8)))


def test_one_provider_or_a_specialty(clinic) -> None:
    lee = providers.add_provider(first_name="Sam", last_name="Lee", credentials="MD",
                                 npi="1003000126", specialty="Cardiology", by=clinic.admin)
    providers.set_hours(lee, {2: [(time(7), time(9))]}, by=clinic.admin)
    only_kim = next_available(clinic.follow_up, provider=clinic.kim, start=TOMORROW,
                              end=TOMORROW, count=5)
    assert {s.provider_id for s in only_kim} == {clinic.kim.id}
    cardiology = next_available(clinic.follow_up, specialty="Cardiology", start=TOMORROW,
                                end=TOMORROW + timedelta(days=7), count=10)
    assert {s.provider_id for s in cardiology} == {lee.id}
    assert cardiology[0].at == time(7) and len(cardiology) == 8 + 2  # two Wednesdays
    everyone = next_available(clinic.follow_up, start=TOMORROW, end=TOMORROW, count=2)
    assert everyone[0].provider_name == "Dr. Lee" and everyone[0].at == time(7)


def test_weekdays_and_part_of_day(clinic) -> None:
    fridays = next_available(clinic.follow_up, provider=clinic.patel, start=TOMORROW,
                             end=TOMORROW + timedelta(days=14), weekdays=[4],
                             part_of_day="afternoon", count=40)
    assert {s.on for s in fridays} == {FRIDAY, FRIDAY + timedelta(days=7)}
    assert all(s.at >= time(12) for s in fridays)
    mornings = next_available(clinic.new_patient, provider=clinic.patel, start=TOMORROW,
                              end=TOMORROW, part_of_day="morning", count=40)
    assert mornings[-1].at == time(11, 15) and all(s.at < time(12) for s in mornings)


def test_count_the_past_and_the_patients_own_visits(clinic) -> None:
    _book(clinic, TOMORROW, time(8), provider=clinic.kim, patient=clinic.maria)
    found = next_available(clinic.follow_up, provider=clinic.patel, start=TODAY - timedelta(
        days=3), end=TOMORROW, count=100, patient_id=clinic.maria.id)
    assert found[0].on == TODAY and found[0].at == time(10, 30)  # now is 10:20
    assert (TOMORROW, time(8)) not in [(s.on, s.at) for s in found]
    assert len(next_available(clinic.follow_up, start=TOMORROW, end=TOMORROW + timedelta(
        days=30), count=7)) == 7


def test_a_blocked_day_of_the_week_and_a_daylight_saving_day(clinic) -> None:
    _lunch(clinic, clinic.patel, time(8), time(12), rule="FREQ=WEEKLY;BYDAY=WE")
    found = next_available(clinic.follow_up, provider=clinic.patel, start=TOMORROW,
                           end=TOMORROW, count=40)
    assert found[0].at == time(13) and len(found) == 16
    # Sunday 14 March 2027, clocks forward at 2:00: 1:45 and 3:00 exist, 2:30 does not.
    spring = date(2027, 3, 14)
    providers.set_hours(clinic.kim, {6: [(time(1), time(4))]}, by=clinic.admin)
    times = [s.at for s in next_available(clinic.follow_up, provider=clinic.kim, start=spring,
                                          end=spring, count=40)]
    assert time(1, 45) in times and time(3) in times
    assert not any(time(2) <= at < time(3) for at in times)
    assert found[0].start == clock.at_local(TOMORROW, time(13))


def test_what_cannot_be_searched_is_refused_with_a_reason(clinic) -> None:
    with pytest.raises(InvalidInput, match="before the first") as refused:
        next_available(clinic.follow_up, start=TOMORROW, end=TODAY)
    assert refused.value.field == "end"
    with pytest.raises(InvalidInput, match="at most 366 days"):
        next_available(clinic.follow_up, start=TODAY, end=TODAY + timedelta(days=400))
    with pytest.raises(InvalidInput, match="morning, afternoon"):
        next_available(clinic.follow_up, start=TODAY, end=TODAY, part_of_day="evening")
    with pytest.raises(InvalidInput, match="0 \\(Monday\\) to 6"):
        next_available(clinic.follow_up, start=TODAY, end=TODAY, weekdays=[7])
    assert next_available(clinic.follow_up, specialty="Dentistry", start=TODAY,
                          end=TODAY) == []


def test_the_search_reads_only_the_days_it_needs(clinic) -> None:
    from peewee import SqliteDatabase  # noqa: F401 - the clinic's own database below
    from frontdesk import db

    executed: list[str] = []
    original = db.database.obj.execute_sql

    def counted(sql, params=None, *args, **kwargs):
        executed.append(sql)
        return original(sql, params, *args, **kwargs)

    db.database.obj.execute_sql = counted
    try:
        next_available(clinic.follow_up, start=TOMORROW, end=TOMORROW + timedelta(days=89),
                       count=10)
        first = len(executed)
        executed.clear()
        # Sundays: nobody works, so no appointment or block is read at all.
        assert next_available(clinic.follow_up, start=TOMORROW,
                              end=TOMORROW + timedelta(days=89), weekdays=[6]) == []
    finally:
        db.database.obj.execute_sql = original
    assert first == 4  # providers, hours, one window of appointments, its blocks
    assert len(executed) == 2
