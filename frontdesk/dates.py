"""Dates as staff type them, and as the program says them back.

Staff type `3/4`, `3/4/80`, `03041980`, `1980-03-04`, `tomorrow`, `next tue`,
`+2w`. Month-first, the US habit. What was understood is always echoed back
with the weekday and the month in words, so a misreading is seen at once.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from enum import Enum

from frontdesk.errors import InvalidInput

__all__ = ["Kind", "parse_date", "describe", "short"]


class Kind(Enum):
    ANY = "any"
    """A day to look at or book: a year left out means the nearest such day."""
    BIRTH = "birth"
    """A date of birth: never in the future; the year must be given."""


_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
_WEEKDAYS.update({"tues": 1, "thur": 3, "thurs": 3, "weds": 2})
_RELATIVE = {"today": 0, "tod": 0, "now": 0, "tomorrow": 1, "tmrw": 1, "tom": 1,
             "yesterday": -1, "yest": -1}
_OFFSET = re.compile(r"^([+-])\s*(\d{1,3})\s*([dwm]?)$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DIGITS = re.compile(r"^\d{6}$|^\d{8}$")

HINT = "type it as 3/4/1980, 1980-03-04, tomorrow or next tue"


def describe(day: date) -> str:
    """A date nobody can misread: `Tue, Dec 1, 2026`."""
    return f"{day:%a, %b} {day.day}, {day.year}"


def short(day: date) -> str:
    """The numeric form US staff write: `12/01/2026`."""
    return f"{day:%m/%d/%Y}"


def _make(year: int, month: int, day: int, typed: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= month <= 12:
            last = calendar.monthrange(year, month)[1]
            raise InvalidInput(
                f"\"{typed}\": {calendar.month_name[month]} has only {last} days in {year}."
            ) from None
        raise InvalidInput(f"\"{typed}\": there is no month {month} (month comes first).") from None


def _year_less(month: int, day: int, typed: str) -> None:
    """Refuse a month and day that no year has, without naming a year nobody typed."""
    if not 1 <= month <= 12:
        raise InvalidInput(f"\"{typed}\": there is no month {month} (month comes first).")
    most = 29 if month == 2 else calendar.monthrange(2027, month)[1]
    if not 1 <= day <= most:
        raise InvalidInput(f"\"{typed}\": {calendar.month_name[month]} has at most {most} days.")


def _nearest_year(month: int, day: int, today: date, typed: str) -> date:
    """The occurrence of a month and day closest to today (2/29 may be years off)."""
    _year_less(month, day, typed)
    candidates = []
    for year in range(today.year - 4, today.year + 5):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def _century(two_digits: int, today: date, kind: Kind, month: int, day: int) -> int:
    if kind is Kind.BIRTH:
        # The whole date decides, not the year alone: on Dec 1, 2026, "12/25/26" is 1926.
        year = 2000 + two_digits
        return year if (year, month, day) <= (today.year, today.month, today.day) else year - 100
    options = (1900 + two_digits, 2000 + two_digits, 2100 + two_digits)
    return min(options, key=lambda y: abs(y - today.year))


def _weekday(words: list[str], today: date) -> date | None:
    direction = "next"
    if words and words[0] in ("next", "this", "last", "coming"):
        direction, words = words[0], words[1:]
    if len(words) != 1 or words[0] not in _WEEKDAYS:
        return None
    target = _WEEKDAYS[words[0]]
    if direction == "last":
        return today - timedelta(days=(today.weekday() - target - 1) % 7 + 1)
    if direction == "this":
        return today + timedelta(days=target - today.weekday())
    return today + timedelta(days=(target - today.weekday() - 1) % 7 + 1)


def _from_words(text: str, today: date, kind: Kind) -> date | None:
    words = text.replace(",", " ").split()
    if len(words) == 1 and words[0] in _RELATIVE:
        return today + timedelta(days=_RELATIVE[words[0]])
    if kind is Kind.ANY:
        day = _weekday(words, today)
        if day:
            return day
    offset = _OFFSET.match(text)
    if offset and kind is Kind.ANY:
        sign = 1 if offset[1] == "+" else -1
        unit = {"": 1, "d": 1, "w": 7, "m": 30}[offset[3]]
        if offset[3] == "m":
            from dateutil.relativedelta import relativedelta

            return today + relativedelta(months=sign * int(offset[2]))
        return today + timedelta(days=sign * int(offset[2]) * unit)
    return None


def _from_numbers(text: str, today: date, kind: Kind) -> date | None:
    if match := _ISO.match(text):
        return _make(int(match[1]), int(match[2]), int(match[3]), text)
    if _DIGITS.match(text):
        month, day, year = int(text[:2]), int(text[2:4]), text[4:]
        full = int(year) if len(year) == 4 else _century(int(year), today, kind, month, day)
        return _make(full, month, day, text)
    if match := _NUMERIC.match(text):
        month, day, year = int(match[1]), int(match[2]), match[3]
        if year is None:
            if kind is Kind.BIRTH:
                raise InvalidInput(f"\"{text}\": type the year of birth too, as in 3/4/1980.")
            return _nearest_year(month, day, today, text)
        full = int(year) if len(year) == 4 else _century(int(year), today, kind, month, day)
        return _make(full, month, day, text)
    return None


def _from_month_names(text: str, today: date, kind: Kind) -> date | None:
    if not re.search(r"[a-z]{3}", text):
        return None
    from dateutil import parser

    try:
        # dateutil fills what was left out from `default`: the program's today, not the
        # machine's, so a frozen clock (tests, the demo) is honoured.
        parsed = parser.parse(text, dayfirst=False, fuzzy=False,
                              default=datetime.combine(today, datetime.min.time()))
    except (parser.ParserError, ValueError, OverflowError):
        return None
    has_year = bool(re.search(r"\d{4}", text)) or bool(re.search(r"'\d{2}\b", text))
    if not has_year:
        if kind is Kind.BIRTH:
            raise InvalidInput(f"\"{text}\": type the year of birth too.")
        return _nearest_year(parsed.month, parsed.day, today, text)
    return parsed.date()


def parse_date(typed: str, *, today: date, kind: Kind = Kind.ANY) -> date:
    """The date staff meant by `typed`, or `InvalidInput` saying why not."""
    text = " ".join(typed.strip().lower().split())
    if not text:
        raise InvalidInput(f"Type a date: {HINT}.")
    result = (_from_words(text, today, kind) or _from_numbers(text, today, kind)
              or _from_month_names(text, today, kind))
    if result is None:
        raise InvalidInput(f"Cannot read \"{typed.strip()}\" as a date; {HINT}.")
    if kind is Kind.BIRTH:
        if result > today:
            raise InvalidInput(f"{describe(result)} is in the future; a date of birth cannot be.")
        if result.year < today.year - 120:
            raise InvalidInput(f"{describe(result)} is over 120 years ago; check the year.")
    elif not 1900 <= result.year <= 2200:
        raise InvalidInput(f"\"{typed.strip()}\" is too far away: {describe(result)}.")
    return result
