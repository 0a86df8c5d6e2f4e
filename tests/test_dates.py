"""Dates as staff type them (month first), and as the program says them back."""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.dates import Kind, describe, parse_date, short
from frontdesk.errors import InvalidInput

from .conftest import TODAY  # Tuesday, December 1, 2026


def _day(typed: str, kind: Kind = Kind.ANY, today: date = TODAY) -> date:
    return parse_date(typed, today=today, kind=kind)


@pytest.mark.parametrize(("typed", "meant"), [
    ("3/4/1980", date(1980, 3, 4)),
    ("3/4/80", date(1980, 3, 4)),
    ("03041980", date(1980, 3, 4)),
    ("030480", date(1980, 3, 4)),
    ("1980-03-04", date(1980, 3, 4)),
    ("3-4-1980", date(1980, 3, 4)),
    ("3.4.1980", date(1980, 3, 4)),
    ("12/9/2026", date(2026, 12, 9)),
    ("today", date(2026, 12, 1)),
    ("tomorrow", date(2026, 12, 2)),
    ("  Tomorrow ", date(2026, 12, 2)),
    ("yesterday", date(2026, 11, 30)),
    ("next tue", date(2026, 12, 8)),
    ("last tue", date(2026, 11, 24)),
    ("next fri", date(2026, 12, 4)),
    ("friday", date(2026, 12, 4)),
    ("last mon", date(2026, 11, 30)),
    ("+2w", date(2026, 12, 15)),
    ("+3", date(2026, 12, 4)),
    ("-3d", date(2026, 11, 28)),
    ("+1m", date(2027, 1, 1)),
    ("dec 1", date(2026, 12, 1)),
    ("December 1, 2026", date(2026, 12, 1)),
    ("Jan 5", date(2027, 1, 5)),
    ("nov 20", date(2026, 11, 20)),
])
def test_the_forms_staff_type(typed, meant):
    assert _day(typed) == meant


@pytest.mark.parametrize(("typed", "meant"), [
    ("3/4", date(2027, 3, 4)),  # 93 days ahead beats 272 days ago
    ("11/20", date(2026, 11, 20)),  # 11 days ago beats a year ahead
    ("6/1", date(2027, 6, 1)),  # 182 days ahead beats 183 days ago
    ("6/2", date(2026, 6, 2)),  # 182 days ago beats 183 days ahead
    ("12/1", date(2026, 12, 1)),
])
def test_a_date_without_a_year_is_the_nearest_such_day(typed, meant):
    assert _day(typed) == meant


def test_feb_29_without_a_year_is_found_in_the_nearest_leap_year():
    assert _day("2/29", today=date(2027, 12, 1)) == date(2028, 2, 29)


@pytest.mark.parametrize(("typed", "born"), [
    ("3/4/80", date(1980, 3, 4)),
    ("3/4/26", date(2026, 3, 4)),  # a baby born this year
    ("3/4/30", date(1930, 3, 4)),
    ("12/25/26", date(1926, 12, 25)),  # Christmas 2026 has not come yet
    ("122526", date(1926, 12, 25)),
    ("11/30/26", date(2026, 11, 30)),  # yesterday
])
def test_two_digit_birth_years_are_never_in_the_future(typed, born):
    assert _day(typed, Kind.BIRTH) == born


def test_a_birth_date_needs_its_year():
    with pytest.raises(InvalidInput, match="year of birth"):
        _day("3/4", Kind.BIRTH)
    with pytest.raises(InvalidInput, match="year of birth"):
        _day("march 4", Kind.BIRTH)


@pytest.mark.parametrize("typed", ["12/25/2026", "2027-01-01", "tomorrow"])
def test_a_birth_date_in_the_future_is_refused(typed):
    with pytest.raises(InvalidInput, match="in the future; a date of birth cannot be"):
        _day(typed, Kind.BIRTH)


def test_a_birth_date_over_120_years_ago_is_refused():
    with pytest.raises(InvalidInput, match=r"Mon, Jan 1, 1900 is over 120 years ago"):
        _day("1/1/1900", Kind.BIRTH)
    assert _day("1/1/1910", Kind.BIRTH) == date(1910, 1, 1)


@pytest.mark.parametrize(("typed", "month"), [
    ("2/30", "February"),
    ("2/30/2027", "February has only 28 days in 2027"),
    ("2/29/2027", "February has only 28 days in 2027"),
    ("4/31/1980", "April has only 30 days in 1980"),
    ("04311980", "April has only 30 days"),
])
def test_an_impossible_date_names_the_month(typed, month):
    with pytest.raises(InvalidInput, match=month):
        _day(typed)


def test_a_month_past_12_is_explained():
    with pytest.raises(InvalidInput, match="no month 13 \\(month comes first\\)"):
        _day("13/4/1980")


@pytest.mark.parametrize("typed", ["", "   ", "soon", "3//4", "next blursday"])
def test_unreadable_text_is_refused_with_the_forms_that_work(typed):
    with pytest.raises(InvalidInput, match="3/4/1980"):
        _day(typed)


def test_a_day_centuries_away_is_refused():
    with pytest.raises(InvalidInput, match="too far away"):
        _day("3/4/2301")


def test_describe_names_weekday_month_and_full_year():
    assert describe(date(2026, 12, 1)) == "Tue, Dec 1, 2026"
    assert describe(date(1980, 3, 4)) == "Tue, Mar 4, 1980"
    assert short(date(2026, 3, 4)) == "03/04/2026"


@pytest.mark.parametrize("day", [date(2026, 12, 1), date(1980, 3, 4), date(2027, 2, 28)])
def test_what_is_echoed_back_reads_back_as_the_same_day(day):
    assert _day(describe(day)) == day
    assert _day(short(day)) == day
