"""Provider calendars beyond weekly hours: blocks (lunch, meetings, vacation...) that
may repeat by an RFC 5545 rule, and the on-call rota.

Block times are the clinic's wall clock: a lunch at 12:00 is at 12:00 on the day
clocks change too. A rule is expanded on dates alone (DTSTART is the first day at
the block's start time, no zone), so daylight saving never moves an occurrence.
A rule's COUNT or UNTIL is turned into `ends_on` when the block is saved, which
keeps every stored rule open-ended and cheap to expand from any day.
"""

from __future__ import annotations

import calendar as month_names
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import peewee as pw
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from frontdesk import audit, changes, clock, db, providers
from frontdesk.dates import describe, parse_date
from frontdesk.errors import Conflict, InvalidInput, NotFound, StaleEdit
from frontdesk.providers import Provider, ProviderHours
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff
from frontdesk.text import one_line, typed

__all__ = [
    "BLOCK_KINDS", "Block", "OnCall", "Busy", "ALL_DAY", "PRESETS", "preset_rule",
    "busy_between", "busy_on", "add_block", "remove_block", "BlockLine", "blocks_of",
    "describe_rule", "on_call", "set_on_call", "remove_on_call", "RotaLine", "rota",
    "parse_time", "parse_stretches", "week_of", "TOPIC", "BlockDraft", "add_typed_block",
    "set_typed_on_call", "typed_day",
]

BLOCK_KINDS = {
    "lunch": "Lunch",
    "admin": "Admin time",
    "meeting": "Meeting",
    "vacation": "Vacation",
    "rounds": "Hospital rounds",
    "other": "Blocked",
}
"""Kind -> what staff call it."""

_BUSY_WORDS = {
    "lunch": "at lunch",
    "admin": "in admin time",
    "meeting": "in a meeting",
    "vacation": "on vacation",
    "rounds": "on hospital rounds",
    "other": "blocked",
}
"""Kind -> how a refusal says it: "Dr. Patel is at lunch 12:00-13:00"."""

ALL_DAY = (time(0, 0), time(23, 59))
"""A block's times when it takes the whole day (vacation, a conference)."""

TOPIC = "calendar"
"""The change-feed topic of blocks and the rota; open schedules reload on it."""


class Block(db.Model):
    """Time a provider does not see patients, in the clinic's wall-clock time."""

    provider = pw.ForeignKeyField(Provider, backref="blocks", on_delete="RESTRICT")
    kind = pw.CharField(max_length=20)
    title = pw.CharField(max_length=80, default="")
    starts_on = pw.DateField()
    """The first day it happens."""
    start_time = pw.TimeField()
    end_time = pw.TimeField()
    rule = pw.CharField(max_length=300, default="")
    """An RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=MO,WE"), or empty for once."""
    ends_on = pw.DateField(null=True)
    """The last day it may happen (a rule's UNTIL, kept as a plain day); None: no end."""
    active = pw.BooleanField(default=True)
    created_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("provider", "starts_on"), False),)


class OnCall(db.Model):
    """Who is on call, day by day: from `starts_on` to `ends_on`, both included."""

    provider = pw.ForeignKeyField(Provider, backref="+", on_delete="RESTRICT")
    starts_on = pw.DateField()
    ends_on = pw.DateField()
    note = pw.CharField(max_length=120, default="")
    created_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = db.InstantField()

    class Meta:
        indexes = ((("starts_on", "ends_on"), False),)


@dataclass(frozen=True, slots=True)
class Busy:
    """One occurrence of a block: a provider away from patients on a day."""

    provider_id: int
    on: date
    start: time
    end: time
    kind: str
    title: str
    label: str
    """How staff say it: "at lunch 12:00-13:00", "on vacation all day"."""


# -- typed times ------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*([ap])?\.?m?\.?$")


def parse_time(text: str, *, field: str = "time", label: str = "Time") -> time:
    """A time as staff type it: `8`, `8:30`, `0830`, `1:30pm`, `13:00`, `noon`."""
    value = text.strip().lower()
    if value == "noon":
        return time(12)
    match = _TIME.match(value)
    if not match:
        raise InvalidInput(f"{label} \"{one_line(text)}\" is not a time; type it as 8:30 or "
                           "13:00.", field=field)
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half and not 1 <= hour <= 12:
        raise InvalidInput(f"{label} \"{one_line(text)}\": {hour} is not an hour of the "
                           "twelve-hour clock.", field=field)
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"{label} \"{one_line(text)}\" is not a time of day.", field=field)
    return time(hour, minute)


def _has_half(text: str) -> bool:
    return text.strip().lower().rstrip(".").endswith(("am", "pm", "a", "p"))


def _afternoon_hour(typed_text: str, at: time) -> bool:
    return 1 <= at.hour <= 6 and not _has_half(typed_text) and not typed_text.startswith("0")


def _stretch(text: str, field: str) -> tuple[time, time]:
    if "-" not in text:
        raise InvalidInput(f"\"{one_line(text)}\" needs a start and an end, as 8:00-12:00.",
                           field=field)
    first, second = (part.strip() for part in text.split("-", 1))
    start = parse_time(first, field=field, label="Start")
    end = parse_time(second, field=field, label="End")
    if _afternoon_hour(first, start):  # "1-5": nobody's clinic opens at one in the morning
        start = time(start.hour + 12, start.minute)
    # "12-1" and "8-5" mean the afternoon: nobody works backwards through the night.
    if end <= start and not _has_half(second) and end.hour + 12 <= 23:
        later = time(end.hour + 12, end.minute)
        if later > start:
            end = later
    if end <= start:
        raise InvalidInput(f"{clock.wall(start)}-{clock.wall(end)} ends before it starts.",
                           field=field)
    return start, end


def parse_stretches(text: str, *, field: str = "hours") -> list[tuple[time, time]]:
    """A day's hours as typed: `8:00-12:00, 13:00-17:00`; empty or `off`: no hours."""
    if text.strip().lower() in ("", "off", "none", "closed", "-"):
        return []
    stretches = sorted(_stretch(part, field) for part in re.split(r"[,;]", text) if part.strip())
    for (_, end), (start, _) in zip(stretches, stretches[1:]):
        if start < end:
            raise InvalidInput("Those hours overlap; type each stretch once.", field=field)
    return stretches


def set_day_hours(provider: Provider, weekday: int, typed: str, *,
                  by: Staff) -> list[tuple[time, time]]:
    """Replace one weekday's hours, typed as "8:00-12:00, 13:00-17:00"; the rest of the
    week stays as it is. Returns the day's stretches as saved."""
    stretches = parse_stretches(typed)
    week = week_of(provider)
    week[weekday] = stretches
    providers.set_hours(provider, week, by=by)
    return stretches


def week_of(provider: Provider) -> dict[int, list[tuple[time, time]]]:
    """A provider's whole working week, weekday -> stretches, in one query."""
    week: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
    query = (ProviderHours.select(ProviderHours.weekday, ProviderHours.starts, ProviderHours.ends)
             .where(ProviderHours.provider == provider.id)
             .order_by(ProviderHours.weekday, ProviderHours.starts).tuples())
    for weekday, starts, ends in query:
        week[weekday].append((starts, ends))
    return week


# -- repeat rules -----------------------------------------------------------------------

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}

PRESETS = {
    "once": "Once",
    "daily": "Every day",
    "weekdays": "Every weekday (Mon-Fri)",
    "weekly": "Every week, on the start date's weekday",
    "fortnightly": "Every other week, on the start date's weekday",
    "monthly": "Every month, on the same weekday (e.g. first Tue)",
    "custom": "Custom repeat rule (RRULE)",
}
"""Repeats staff choose from, so nobody has to write RRULE by hand."""


def _nth_weekday(day: date) -> str:
    nth = (day.day - 1) // 7 + 1
    return f"{-1 if nth == 5 else nth}{_DAYS[day.weekday()]}"


def preset_rule(preset: str, starts_on: date) -> str:
    """The RRULE of a preset, anchored on the first day."""
    weekday = _DAYS[starts_on.weekday()]
    rules = {
        "once": "",
        "daily": "FREQ=DAILY",
        "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "weekly": f"FREQ=WEEKLY;BYDAY={weekday}",
        "fortnightly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}",
        "monthly": f"FREQ=MONTHLY;BYDAY={_nth_weekday(starts_on)}",
    }
    if preset not in rules:
        raise InvalidInput("Choose how often it repeats.", field="repeat")
    return rules[preset]


_ALLOWED = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST", "COUNT",
            "UNTIL"}
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def _not_understood(why: str) -> InvalidInput:
    return InvalidInput(f"The repeat rule is not understood: {why}.", field="rule")


def _parts(rule: str) -> dict[str, str]:
    """NAME=VALUE parts of a rule, checked for what a block may use."""
    parts: dict[str, str] = {}
    for piece in filter(None, rule.split(";")):
        name, equals, value = piece.partition("=")
        if not equals or not name or not value:
            raise _not_understood(f"\"{piece}\" should read NAME=VALUE, as FREQ=WEEKLY")
        if name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            raise _not_understood(f"{name}: the times come from the block's own start and end")
        if name not in _ALLOWED:
            raise _not_understood(f"{name} is not used for blocks")
        if name in parts:
            raise _not_understood(f"{name} is given twice")
        parts[name] = value
    if parts.get("FREQ") not in _FREQS:
        raise _not_understood("it must say how often, as FREQ=DAILY, WEEKLY, MONTHLY or "
                              "YEARLY")
    if "BYSETPOS" in parts and parts["FREQ"] in ("DAILY", "WEEKLY"):
        raise _not_understood("BYSETPOS is for monthly and yearly repeats")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _not_understood("give COUNT or UNTIL, not both")
    count = parts.get("COUNT", "1")
    if not count.isdigit() or not 1 <= int(count) <= 1000:
        raise _not_understood("COUNT must be a number from 1 to 1000")
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= 99:
        raise _not_understood("INTERVAL must be a number from 1 to 99")
    return parts


def _until(value: str) -> date:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise _not_understood(f"UNTIL={value} is not a date (as 20270131)") from None


def _month_days_impossible(parts: dict[str, str]) -> bool:
    """A day of the month no chosen month has (Feb 30): dateutil would search forever."""
    if "BYMONTHDAY" not in parts:
        return False
    try:
        days = [int(d) for d in parts["BYMONTHDAY"].split(",")]
        months = [int(m) for m in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else []
    except ValueError:
        return False  # dateutil names the bad value
    longest = max((month_names.monthrange(2028, m)[1] for m in months if 1 <= m <= 12),
                  default=31)
    return all(abs(d) > longest for d in days)


def _checked_rule(rule: str, starts_on: date, start_time: time,
                  ends_on: date | None) -> tuple[str, date | None]:
    """A typed rule as stored (COUNT and UNTIL folded into the last day), and that day."""
    text = rule.strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:"):].strip()
    if not text:
        return "", ends_on
    if any(word in text for word in ("DTSTART", "EXDATE", "RDATE", "\n", " ")):
        raise _not_understood("give only the rule itself, as FREQ=WEEKLY;BYDAY=TU; the first "
                              "day comes from the start date")
    parts = _parts(text)
    if _month_days_impossible(parts):
        raise _not_understood("no month chosen has that day, so it would never happen")
    last = _until(parts.pop("UNTIL")) if "UNTIL" in parts else None
    count = parts.pop("COUNT", None)
    stored = ";".join(f"{name}={value}" for name, value in parts.items())
    first_start = datetime.combine(starts_on, start_time)
    try:
        parsed = rrulestr(stored + (f";COUNT={count}" if count else ""), dtstart=first_start)
    except (ValueError, TypeError, KeyError) as error:
        raise _not_understood(str(error) or "a value is wrong") from None
    first = parsed.after(first_start, inc=True)
    if first is None or (last is not None and first.date() > last):
        raise _not_understood("by that rule it would never happen")
    if count:
        last = min(last or date.max, list(parsed)[-1].date())
    if ends_on is not None and last is not None:
        return stored, min(ends_on, last)
    return stored, ends_on or last


@dataclass(frozen=True)
class _Plain:
    """A rule simple enough for date arithmetic: most blocks (a lunch every weekday, a
    meeting on the first Tuesday), found at a fraction of dateutil's cost."""

    freq: str
    interval: int
    weekdays: frozenset[int]
    """For DAILY and WEEKLY: the weekdays (0 is Monday); empty: any."""
    nths: tuple[tuple[int, int], ...] = ()
    """For MONTHLY: (n, weekday) pairs, n from 1 to 4 or -1 for the last."""


@functools.lru_cache(maxsize=4096)
def _pattern(rule: str, starts_on: date, start_time: time) -> _Plain | rrule:
    """How to find a stored rule's days, cached on the rule and its start, so a block
    is parsed once while it stays the same; dateutil for whatever is not plain."""
    parts = dict(piece.split("=", 1) for piece in rule.split(";"))
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    plain = set(parts) <= {"FREQ", "INTERVAL", "BYDAY", "WKST"} and parts.get("WKST", "MO") == "MO"
    if plain and freq in ("DAILY", "WEEKLY") and all(d in _DAYS for d in days):
        weekdays = frozenset(_DAYS.index(d) for d in days)
        if freq == "WEEKLY" and not weekdays:
            weekdays = frozenset({starts_on.weekday()})
        return _Plain(freq, interval, weekdays)
    nths = [(d[:-2], d[-2:]) for d in days]
    if plain and freq == "MONTHLY" and nths and all(
            day in _DAYS and n in ("1", "2", "3", "4", "-1", "+1", "+2", "+3", "+4")
            for n, day in nths):
        return _Plain(freq, interval, frozenset(),
                      tuple((int(n), _DAYS.index(day)) for n, day in nths))
    return rrulestr(rule, dtstart=datetime.combine(starts_on, start_time))


def _plain_days(pattern: _Plain, starts_on: date, first: date, last: date) -> list[date]:
    """The days of a plain rule from `first` to `last`, counted from `starts_on`."""
    low, high = max(first, starts_on).toordinal(), last.toordinal()
    if pattern.freq == "DAILY":
        origin = starts_on.toordinal()
        begin = low + (origin - low) % pattern.interval
        days = (date.fromordinal(o) for o in range(begin, high + 1, pattern.interval))
        return [d for d in days if not pattern.weekdays or d.weekday() in pattern.weekdays]
    if pattern.freq == "WEEKLY":
        monday = starts_on.toordinal() - starts_on.weekday()
        step = 7 * pattern.interval
        week = monday + (low - monday) // step * step
        found = []
        for week in range(week, high + 1, step):
            found += [week + day for day in sorted(pattern.weekdays) if low <= week + day <= high]
        return [date.fromordinal(o) for o in found]
    return _monthly_days(pattern, starts_on, low, high)


def _monthly_days(pattern: _Plain, starts_on: date, low: int, high: int) -> list[date]:
    found = []
    origin = starts_on.year * 12 + starts_on.month - 1
    first_day = date.fromordinal(low)
    month = first_day.year * 12 + first_day.month - 1
    month += (origin - month) % pattern.interval
    while True:
        year, index = divmod(month, 12)
        opening = date(year, index + 1, 1)
        if opening.toordinal() > high:
            return sorted(found)
        length = month_names.monthrange(year, index + 1)[1]
        for n, weekday in pattern.nths:
            if n > 0:
                day = 1 + (weekday - opening.weekday()) % 7 + 7 * (n - 1)
            else:
                closing = opening.replace(day=length)
                day = length - (closing.weekday() - weekday) % 7
            if day <= length and low <= opening.toordinal() + day - 1 <= high:
                found.append(opening.replace(day=day))
        month += pattern.interval


def _explicit(parts: dict[str, str], start: datetime) -> dict:
    """The BY parts dateutil takes from DTSTART when a rule leaves them out; given
    explicitly, DTSTART can move forward by whole periods without changing the days."""
    if any(name in parts for name in ("BYDAY", "BYMONTHDAY")):
        return {}
    freq = parts["FREQ"]
    if freq == "WEEKLY":
        return {"byweekday": start.weekday()}
    if freq == "MONTHLY":
        return {"bymonthday": start.day}
    if freq == "YEARLY":
        return {"bymonthday": start.day, "bymonth": int(parts.get("BYMONTH", start.month))}
    return {}


def _rule_days(rule: rrule, text: str, start: datetime, first: date, last: date) -> list[date]:
    """dateutil's days in a range, starting its search near the range, not years back."""
    parts = dict(piece.split("=", 1) for piece in text.split(";"))
    starts_on = start.date()
    interval = int(parts.get("INTERVAL", "1"))
    step = {"DAILY": relativedelta(days=interval), "WEEKLY": relativedelta(weeks=interval),
            "MONTHLY": relativedelta(months=interval),
            "YEARLY": relativedelta(years=interval)}[parts["FREQ"]]
    periods = 0
    if first > starts_on:
        per_period = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}[parts["FREQ"]]
        periods = max(0, (first - starts_on).days // (per_period * interval) - 1)
    if periods:
        moved = start + step * periods
        rule = rule.replace(dtstart=moved, **_explicit(parts, start))
    window = rule.between(datetime.combine(first, time.min), datetime.combine(last, time.max),
                          inc=True)
    return [moment.date() for moment in window]


def _days(rule: str, starts_on: date, start_time: time, ends_on: date | None,
          first: date, last: date) -> list[date]:
    """The days a block happens between `first` and `last`, both included."""
    if ends_on is not None:
        last = min(last, ends_on)
    if last < first or last < starts_on:
        return []
    if not rule:
        return [starts_on] if first <= starts_on <= last else []
    pattern = _pattern(rule, starts_on, start_time)
    if isinstance(pattern, _Plain):
        return _plain_days(pattern, starts_on, first, last)
    return _rule_days(pattern, rule, datetime.combine(starts_on, start_time),
                      max(first, starts_on), last)


def _label(kind: str, title: str, start: time, end: time) -> str:
    words = _BUSY_WORDS.get(kind, "blocked")
    if title:
        words += f" ({one_line(title)})"
    if (start, end) == ALL_DAY:
        return f"{words} all day"
    return f"{words} {clock.wall(start)}-{clock.wall(end)}"


# -- when providers are away ------------------------------------------------------------

_BLOCK_COLUMNS = (Block.provider, Block.kind, Block.title, Block.starts_on, Block.start_time,
                  Block.end_time, Block.rule, Block.ends_on)


@functools.lru_cache(maxsize=2048)
def _occurrences(row: tuple, first: date, last: date) -> tuple[Busy, ...]:
    """One block's occurrences in a window; cached on everything the block holds, so
    a changed block is expanded afresh and an unchanged one costs nothing again (the
    next-available search asks for the same window many times)."""
    provider_id, kind, title, starts_on, start, end, rule, ends_on = row
    label = _label(kind, title, start, end)
    return tuple(Busy(provider_id, day, start, end, kind, title, label)
                 for day in _days(rule, starts_on, start, ends_on, first, last))


def busy_between(provider_ids: Iterable[int], first: date, last: date
                 ) -> dict[tuple[int, date], list[Busy]]:
    """Every block occurrence of these providers from `first` to `last` (both included),
    keyed (provider id, day), each list by start time; days with none are left out.
    One query, whatever the number of providers and days."""
    ids = list(provider_ids)
    found: dict[tuple[int, date], list[Busy]] = {}
    if not ids or last < first:
        return found
    query = (Block.select(*_BLOCK_COLUMNS)
             .where(Block.provider.in_(ids) & Block.active & (Block.starts_on <= last)
                    & (Block.ends_on.is_null() | (Block.ends_on >= first)))
             .tuples())
    for row in query:
        for busy in _occurrences(row, first, last):
            found.setdefault((busy.provider_id, busy.on), []).append(busy)
    for busy in found.values():
        busy.sort(key=lambda b: (b.start, b.end))
    return found


def busy_on(provider_id: int, day: date) -> list[Busy]:
    """One provider's blocks on one day, by start time."""
    return busy_between([provider_id], day, day).get((provider_id, day), [])


# -- changing blocks --------------------------------------------------------------------


def _record(action: str, provider_id: int, by: Staff, detail: dict) -> None:
    audit.record(action, by=by, subject=f"provider {provider_id}", detail=detail)
    changes.record(TOPIC, str(provider_id))


def add_block(provider: Provider, kind: str, start_time: time, end_time: time, *,
              starts_on: date, rule: str = "", ends_on: date | None = None, title: str = "",
              by: Staff) -> Block:
    """A block on a provider's calendar, once or repeating by an RFC 5545 rule."""
    require(by, Permission.EDIT_SETUP)
    if kind not in BLOCK_KINDS:
        raise InvalidInput(f"Choose what kind of block it is ({', '.join(BLOCK_KINDS.values())}).",
                           field="kind")
    title = typed(title, field="title", label="Title", limit=80)
    if end_time <= start_time:
        raise InvalidInput(f"The block {clock.wall(start_time)}-{clock.wall(end_time)} ends "
                           "before it starts.", field="end")
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput(f"The last day ({describe(ends_on)}) is before the first "
                           f"({describe(starts_on)}).", field="ends_on")
    if len(rule) > 300:
        raise _not_understood("it is longer than 300 characters")
    rule, ends_on = _checked_rule(rule, starts_on, start_time, ends_on)
    if not rule and ends_on not in (None, starts_on):
        raise InvalidInput("A block that happens once has no last day; choose \"Every day\" "
                           "for a run of days.", field="ends_on")
    with db.write():
        block = Block.create(provider=provider.id, kind=kind, title=title, starts_on=starts_on,
                             start_time=start_time, end_time=end_time, rule=rule,
                             ends_on=None if not rule else ends_on, created_by=by.id,
                             created_at=clock.now())
        _record("calendar.block_added", provider.id, by, {
            "block": block.id, "kind": kind, "starts_on": starts_on.isoformat(),
            "start": clock.wall(start_time), "end": clock.wall(end_time), "rule": rule,
            "ends_on": ends_on.isoformat() if ends_on else None})
    return block


def remove_block(block: Block | int, *, version: int, by: Staff) -> None:
    """Take a block off the calendar (kept, inactive, for the record)."""
    require(by, Permission.EDIT_SETUP)
    block_id = block if isinstance(block, int) else block.id
    with db.write():
        current = Block.get_or_none(Block.id == block_id)
        if current is None or not current.active:
            raise StaleEdit("That block was already removed; look again.")
        updated = (Block.update(active=False, version=Block.version + 1)
                   .where((Block.id == block_id) & (Block.version == version)).execute())
        if not updated:
            raise StaleEdit("That block was changed by someone else since it was shown; "
                            "look again before removing it.")
        _record("calendar.block_removed", current.provider_id, by, {
            "block": block_id, "kind": current.kind, "rule": current.rule})


@dataclass(frozen=True)
class BlockLine:
    """One block as the calendar screen lists it."""

    id: int
    version: int
    kind: str
    title: str
    start: time
    end: time
    starts_on: date
    ends_on: date | None
    repeat: str
    """In words: "every weekday", "every other week on Tuesday"."""
    next_on: date | None
    """The next day it happens, from today; None when all of it is past."""

    @property
    def times(self) -> str:
        if (self.start, self.end) == ALL_DAY:
            return "all day"
        return f"{clock.wall(self.start)}-{clock.wall(self.end)}"


def describe_rule(rule: str, starts_on: date, ends_on: date | None = None) -> str:
    """A stored rule in staff words; a rule nobody has worded yet, as written."""
    if not rule:
        return f"once, {starts_on:%a} {_numeric(starts_on)}"
    words = _rule_words(rule) or rule
    return f"{words} until {_numeric(ends_on)}" if ends_on else words


def _numeric(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def _rule_words(rule: str) -> str | None:
    parts = dict(piece.split("=", 1) for piece in rule.split(";"))
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    others = set(parts) - {"FREQ", "INTERVAL", "BYDAY", "WKST"}
    days = parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []
    if others:
        return None
    every = {1: "every", 2: "every other"}.get(interval, f"every {interval}")
    if freq == "DAILY" and not days:
        return "every day" if interval == 1 else f"{every} days"
    if freq == "WEEKLY" and all(d in _DAYS for d in days):
        if days == list(_DAYS[:5]) and interval == 1:
            return "every weekday"
        names = ", ".join(month_names.day_abbr[_DAYS.index(d)] for d in days)
        unit = "week" if interval <= 2 else "weeks"
        return f"{every} {unit} on {names}" if days else f"{every} {unit}"
    if freq == "MONTHLY" and len(days) == 1 and days[0][-2:] in _DAYS:
        nth = days[0][:-2]
        if nth.lstrip("-").isdigit() and int(nth) in _ORDINALS:
            name = month_names.day_abbr[_DAYS.index(days[0][-2:])]
            unit = "month" if interval <= 2 else "months"
            return f"{every} {unit} on the {_ORDINALS[int(nth)]} {name}"
    return None


def blocks_of(provider_id: int, *, today: date | None = None) -> list[BlockLine]:
    """A provider's blocks that still happen, soonest first."""
    today = today or clock.today()
    # Today's occurrence is "next" until it is over.
    now = clock.local(clock.now()).time() if today == clock.today() else time.min
    query = (Block.select(Block.id, Block.version, *_BLOCK_COLUMNS[1:])
             .where((Block.provider == provider_id) & Block.active
                    & (Block.ends_on.is_null() | (Block.ends_on >= today)))
             .tuples())
    lines = []
    for block_id, version, kind, title, starts_on, start, end, rule, ends_on in query:
        ahead = _days(rule, starts_on, start, ends_on, today, today + timedelta(days=400))
        if ahead and ahead[0] == today and end <= now:
            ahead = ahead[1:]
        if not ahead:
            continue
        lines.append(BlockLine(block_id, version, kind, title, start, end, starts_on, ends_on,
                               describe_rule(rule, starts_on, ends_on), ahead[0]))
    return sorted(lines, key=lambda line: (line.next_on, line.start, line.id))


# -- the on-call rota ---------------------------------------------------------------------


def on_call(day: date) -> Provider | None:
    """Who is on call on a clinic day, if anyone."""
    return (Provider.select().join(OnCall, on=(OnCall.provider == Provider.id))
            .where((OnCall.starts_on <= day) & (OnCall.ends_on >= day)).first())


def set_on_call(provider: Provider, starts_on: date, ends_on: date, *, note: str = "",
                by: Staff) -> OnCall:
    """Put a provider on call for a run of days; one provider at a time."""
    require(by, Permission.EDIT_SETUP)
    note = typed(note, field="note", label="Note", limit=120)
    if ends_on < starts_on:
        raise InvalidInput(f"The last day ({describe(ends_on)}) is before the first "
                           f"({describe(starts_on)}).", field="ends_on")
    with db.write():
        other = (OnCall.select(OnCall, Provider).join(Provider)
                 .where((OnCall.starts_on <= ends_on) & (OnCall.ends_on >= starts_on))
                 .order_by(OnCall.starts_on).first())
        if other is not None:
            raise Conflict(f"{other.provider.short_name} is already on call "
                           f"{_span(other.starts_on, other.ends_on)}; change that first.",
                           field="starts_on")
        entry = OnCall.create(provider=provider.id, starts_on=starts_on, ends_on=ends_on,
                              note=note, created_by=by.id, created_at=clock.now())
        audit.record("calendar.on_call_set", by=by, subject=f"provider {provider.id}",
                     detail={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
        changes.record(TOPIC, "on_call")
    return entry


def remove_on_call(entry_id: int, *, by: Staff) -> None:
    """Take a run of days off the rota (a mistake, a swap about to be entered)."""
    require(by, Permission.EDIT_SETUP)
    with db.write():
        entry = OnCall.get_or_none(OnCall.id == entry_id)
        if entry is None:
            raise NotFound("That on-call entry was already removed; look again.")
        entry.delete_instance()
        audit.record("calendar.on_call_removed", by=by, subject=f"provider {entry.provider_id}",
                     detail={"starts_on": entry.starts_on.isoformat(),
                             "ends_on": entry.ends_on.isoformat()})
        changes.record(TOPIC, "on_call")


def _span(first: date, last: date) -> str:
    if first == last:
        return f"on {first:%a} {_numeric(first)}"
    return f"{first:%a} {_numeric(first)} to {last:%a} {_numeric(last)}"


@dataclass(frozen=True)
class RotaLine:
    id: int
    provider_id: int
    provider: str
    starts_on: date
    ends_on: date
    note: str


def rota(first: date, last: date) -> list[RotaLine]:
    """The rota's runs that touch `first`..`last`, earliest first, in one query."""
    query = (OnCall.select(OnCall.id, Provider.id, Provider.last_name, Provider.credentials,
                           OnCall.starts_on, OnCall.ends_on, OnCall.note)
             .join(Provider)
             .where((OnCall.starts_on <= last) & (OnCall.ends_on >= first))
             .order_by(OnCall.starts_on).tuples())
    return [RotaLine(entry_id, provider_id,
                     Provider(last_name=last_name, credentials=credentials).short_name,
                     starts_on, ends_on, note)
            for entry_id, provider_id, last_name, credentials, starts_on, ends_on, note in query]


# -- what a form holds, as typed ----------------------------------------------------------


def typed_day(text: str, *, field: str, label: str, required: bool = True) -> date | None:
    """A day as staff type it (`12/1`, `tomorrow`, `next tue`), or None when left empty
    and not required; a refusal names the field."""
    if not text.strip():
        if required:
            raise InvalidInput(f"{label} is required.", field=field)
        return None
    try:
        return parse_date(text, today=clock.today())
    except InvalidInput as error:
        raise InvalidInput(f"{label}: {error}", field=field) from None


@dataclass(frozen=True)
class BlockDraft:
    """A block as typed in a form: every value text, the repeat a preset or a rule."""

    kind: str = "lunch"
    title: str = ""
    starts_on: str = ""
    start: str = ""
    end: str = ""
    """Both times empty: all day."""
    repeat: str = "once"
    """A key of PRESETS; "custom" takes `rule` as typed."""
    rule: str = ""
    ends_on: str = ""


def add_typed_block(provider: Provider, draft: BlockDraft, *, by: Staff) -> Block:
    """`add_block` from what a form holds, each refusal naming the field at fault."""
    require(by, Permission.EDIT_SETUP)
    starts_on = typed_day(draft.starts_on, field="starts_on", label="First day")
    if not draft.start.strip() and not draft.end.strip():
        start, end = ALL_DAY
    else:
        start = parse_time(draft.start, field="start", label="From")
        end = parse_time(draft.end, field="end", label="To")
    ends_on = typed_day(draft.ends_on, field="ends_on", label="Last day", required=False)
    if draft.repeat == "custom":
        if not draft.rule.strip():
            raise InvalidInput("Type the repeat rule, as FREQ=WEEKLY;BYDAY=TU, or choose a "
                               "repeat from the list.", field="rule")
        rule = draft.rule
    else:
        rule = preset_rule(draft.repeat, starts_on)
    return add_block(provider, draft.kind, start, end, starts_on=starts_on, rule=rule,
                     ends_on=ends_on, title=draft.title, by=by)


def set_typed_on_call(provider: Provider, starts_on: str, ends_on: str, *, note: str = "",
                      by: Staff) -> OnCall:
    """`set_on_call` from what a form holds; an empty last day means the first day only."""
    require(by, Permission.EDIT_SETUP)
    first = typed_day(starts_on, field="starts_on", label="From")
    last = typed_day(ends_on, field="ends_on", label="To", required=False) or first
    return set_on_call(provider, first, last, note=note, by=by)
