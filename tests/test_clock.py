"""The clinic clock: UTC instants, the clinic's wall clock, and the two DST days a year."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from frontdesk import clock

from .conftest import NOW

SPRING_FORWARD = date(2027, 3, 14)  # 2:00 -> 3:00 in New York
FALL_BACK = date(2026, 11, 1)  # 2:00 -> 1:00 in New York


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_at_local_refuses_the_hour_skipped_in_spring():
    with pytest.raises(ValueError,
                       match=r"02:30 does not exist on 03/14/2027 \(clocks go forward\)"):
        clock.at_local(SPRING_FORWARD, time(2, 30))


def test_at_local_refuses_the_hour_repeated_in_autumn():
    with pytest.raises(ValueError, match=r"01:30 happens twice on 11/01/2026 \(clocks go back\)"):
        clock.at_local(FALL_BACK, time(1, 30))


def test_at_local_takes_the_clinic_offset_of_that_very_day():
    assert clock.at_local(SPRING_FORWARD, time(1, 59)) == _utc(2027, 3, 14, 6, 59)  # EST
    assert clock.at_local(SPRING_FORWARD, time(3, 0)) == _utc(2027, 3, 14, 7, 0)  # EDT
    assert clock.at_local(FALL_BACK, time(2, 0)) == _utc(2026, 11, 1, 7, 0)  # EST
    assert clock.at_local(FALL_BACK, time(0, 59)) == _utc(2026, 11, 1, 4, 59)  # EDT


def test_at_local_returns_aware_utc():
    instant = clock.at_local(date(2026, 12, 1), time(9, 30))
    assert instant == datetime(2026, 12, 1, 14, 30, tzinfo=timezone.utc)
    assert instant.utcoffset() == timedelta(0)


def test_day_bounds_give_a_23_hour_day_in_spring_and_25_in_autumn():
    start, end = clock.day_bounds(SPRING_FORWARD)
    assert end - start == timedelta(hours=23)
    start, end = clock.day_bounds(FALL_BACK)
    assert end - start == timedelta(hours=25)
    start, end = clock.day_bounds(date(2026, 12, 1))
    assert (start, end - start) == (_utc(2026, 12, 1, 5), timedelta(hours=24))


def test_day_bounds_follow_the_clinic_zone():
    clock.set_zone("America/Los_Angeles")  # the autouse settings fixture sets it back
    start, _ = clock.day_bounds(date(2026, 12, 1))
    assert start == datetime(2026, 12, 1, 8, tzinfo=timezone.utc)


def test_wall_formats_times_as_staff_read_them():
    assert clock.wall(time(9, 5)) == "9:05"
    assert clock.wall(time(13, 0)) == "13:00"
    assert clock.wall(time(0, 0)) == "0:00"


def test_wall_turns_an_instant_into_clinic_time():
    assert clock.wall(NOW) == "10:20"
    assert clock.wall(datetime(2026, 7, 1, 15, 20, tzinfo=timezone.utc)) == "11:20"  # EDT


def test_now_is_frozen_by_the_fixture_and_always_utc():
    assert clock.now() == NOW
    assert clock.now().tzinfo == timezone.utc
    assert clock.today() == date(2026, 12, 1)


def test_frozen_stands_at_an_instant_and_restores_the_previous_one():
    later = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    with clock.frozen(later):
        assert clock.now() == later
        assert clock.now().tzinfo == timezone.utc
        assert clock.today() == date(2026, 12, 2)
    assert clock.now() == NOW


def test_frozen_restores_even_after_an_error():
    with pytest.raises(RuntimeError):
        with clock.frozen(NOW + timedelta(days=3)):
            raise RuntimeError
    assert clock.now() == NOW


def test_frozen_follows_a_callable_source():
    ticks = iter([NOW, NOW + timedelta(minutes=1)])
    with clock.frozen(lambda: next(ticks)):
        assert clock.now() == NOW
        assert clock.now() == NOW + timedelta(minutes=1)


def test_today_is_the_clinic_date_not_the_utc_date():
    # 02:00 UTC on Dec 2 is still the evening of Dec 1 in New York.
    with clock.frozen(datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)):
        assert clock.today() == date(2026, 12, 1)
