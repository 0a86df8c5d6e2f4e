"""Free time in the providers' books: where a visit of a given type would fit.

A slot is free when the provider works then (their weekly hours), is not away
(a block on their calendar: lunch, a meeting, vacation) and none of their
appointments that hold time overlaps it. Candidates step through each working
stretch on the clinic's slot grid, in wall-clock time, so 9:00 stays 9:00 across
a DST change; a time the clocks skip or repeat is never offered (booking it would
be refused).

The search reads in windows of days, a few queries each (appointments held,
blocks), after one for the providers and one for their hours, and stops as soon
as it has found enough: the first week usually answers, so a search over 30
providers and 90 days reads one week of the book, not a quarter of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from frontdesk import calendar, clock, config
from frontdesk.dates import describe
from frontdesk.errors import InvalidInput
from frontdesk.providers import Provider, ProviderHours
from frontdesk.schedule import HOLDS_SLOT, MAX_MINUTES, Appointment, AppointmentType

__all__ = ["Slot", "PARTS_OF_DAY", "NOON", "MAX_DAYS", "free_slots", "next_available",
           "in_part_of_day"]

PARTS_OF_DAY = {"any": "Any time", "morning": "Morning (before noon)",
                "afternoon": "Afternoon (from noon)"}
"""Part of day -> what staff call it."""

NOON = time(12)
"""Morning visits start before it, afternoon ones at or after it."""

MAX_DAYS = 366
"""The longest range searched at once."""

_FIRST_WINDOW = 5
"""Days read at first (a working week); each read after that is twice as long, up to
_LONGEST_WINDOW."""
_LONGEST_WINDOW = 40
_HOLDING = [status.value for status in HOLDS_SLOT]
_DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Slot:
    """A free time: a provider, a clinic day and a wall-clock time."""

    provider_id: int
    provider_name: str
    """As the schedule names them: `Dr. Patel`."""
    on: date
    at: time
    start: datetime
    """The UTC instant it starts."""


@dataclass(frozen=True, slots=True)
class _Column:
    id: int
    name: str


def in_part_of_day(at: time, part_of_day: str) -> bool:
    """Whether a visit starting at `at` suits "morning", "afternoon" or "any"."""
    if part_of_day == "morning":
        return at < NOON
    if part_of_day == "afternoon":
        return at >= NOON
    return True


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _weeks(provider_ids: list[int]) -> dict[int, dict[int, list[tuple[int, int]]]]:
    """Every provider's stretches per weekday, in minutes of the day, in one query."""
    weeks: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    query = (ProviderHours.select(ProviderHours.provider, ProviderHours.weekday,
                                  ProviderHours.starts, ProviderHours.ends)
             .where(ProviderHours.provider.in_(provider_ids))
             .order_by(ProviderHours.starts).tuples())
    for provider_id, weekday, starts, ends in query:
        weeks[provider_id][weekday].append((_minutes(starts), _minutes(ends)))
    return weeks


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Days joined into runs of consecutive days: (first, last) each."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _held(provider_ids: list[int], patient_id: int | None, days: list[date]
          ) -> tuple[dict[tuple[int, date], list[tuple[datetime, datetime]]],
                     dict[date, list[tuple[datetime, datetime]]]]:
    """Time already held on these days: by (provider, day) the providers', and by day the
    patient's (who cannot be in two rooms either), in one query."""
    lowest = clock.day_bounds(days[0])[0] - timedelta(minutes=MAX_MINUTES)
    highest = clock.day_bounds(days[-1])[1]
    # The whole span bounds the index range; the runs then pick the days within it.
    when = (Appointment.start > lowest) & (Appointment.start < highest)
    runs = None
    for first, last in _runs(days):
        start, end = clock.day_bounds(first)[0], clock.day_bounds(last)[1]
        # A lower bound on start (minus the longest visit), as for the span.
        run = ((Appointment.start > start - timedelta(minutes=MAX_MINUTES))
               & (Appointment.start < end) & (Appointment.end > start))
        runs = run if runs is None else runs | run
    when &= runs
    whose = Appointment.provider.in_(provider_ids)
    if patient_id is not None:
        whose = whose | (Appointment.patient == patient_id)
    query = (Appointment.select(Appointment.provider, Appointment.patient, Appointment.start,
                                Appointment.end)
             .where(whose & when & Appointment.status.in_(_HOLDING)))
    # Plain rows: peewee's row building was most of the time on a busy quarter.
    rows = Appointment._meta.database.execute_sql(*query.sql()).fetchall()
    theirs: dict[tuple[int, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    patients: dict[date, list[tuple[datetime, datetime]]] = defaultdict(list)
    zone, as_instant = clock.zone(), Appointment.start.python_value
    for provider_id, held_patient, held_start, held_end in rows:
        held_start, held_end = as_instant(held_start), as_instant(held_end)
        day = held_start.astimezone(zone).date()
        last_day = held_end.astimezone(zone).date()
        while True:
            theirs[(provider_id, day)].append((held_start, held_end))
            if held_patient == patient_id:
                patients[day].append((held_start, held_end))
            if day >= last_day:
                break
            day += timedelta(days=1)
    return theirs, patients


def _merged(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans joined where they overlap, in order: a walk then needs one pass."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class _Day:
    """One clinic day's clock: wall-clock minutes to minutes from the day's start."""

    def __init__(self, on: date) -> None:
        self.on = on
        self.start, end = clock.day_bounds(on)
        # A day without a clock change (all but two a year) needs no zone lookups.
        self.plain = end - self.start == timedelta(days=1)

    def offset(self, instant: datetime) -> float:
        return (instant - self.start).total_seconds() / 60

    def span(self, minute: int, length: int) -> tuple[float, int] | None:
        """(minutes from the day's start, wall-clock end minute) of a visit, or None for a
        time a clock change skips or repeats."""
        if self.plain:
            return minute, minute + length
        try:
            start = clock.at_local(self.on, time(minute // 60, minute % 60))
        except ValueError:
            return None
        local_end = clock.local(start + timedelta(minutes=length))
        # Judged the way schedule.book judges it, so an offer is never refused for its hours.
        end_wall = (_minutes(local_end.time()) if local_end.date() == self.on
                    else _DAY_MINUTES)
        return self.offset(start), end_wall


def _free_on(day: _Day, stretches: list[tuple[int, int]], length: int, step: int,
             held: list[tuple[float, float]], away: list[tuple[int, int]], part_of_day: str,
             not_before: float) -> list[tuple[int, float]]:
    """(wall-clock minute, minutes from the day's start) of each free start of one
    provider's day, earliest first."""
    found = []
    index = 0
    for starts, ends in stretches:
        for minute in range(starts, ends - length + 1, step):
            if not in_part_of_day(time(minute // 60, minute % 60), part_of_day):
                continue
            span = day.span(minute, length)
            if span is None:
                continue
            offset, end_wall = span
            if offset < not_before or end_wall > ends:
                continue
            if any(minute < away_end and end_wall > away_start for away_start, away_end in away):
                continue
            while index < len(held) and held[index][1] <= offset:
                index += 1  # starts only grow, so what ended before this never matters again
            if index < len(held) and held[index][0] < offset + length:
                continue
            found.append((minute, offset))
    return found


def _walk(columns: list[_Column], length: int, first: date, last: date, *,
          weekdays: frozenset[int] | None, part_of_day: str, count: int,
          patient_id: int | None, not_before: datetime) -> list[Slot]:
    """The first `count` free slots of these providers, day by day, earliest first, ties
    in the providers' order."""
    ids = [column.id for column in columns]
    weeks = _weeks(ids)
    step = config.current().slot_minutes
    # Only days someone works and the patient can come are read: Friday afternoons
    # over a quarter read thirteen Fridays, Sundays nothing at all.
    working = {weekday for week in weeks.values() for weekday, stretches in week.items()
               if any(_suits(stretch, length, part_of_day) for stretch in stretches)}
    if weekdays is not None:
        working &= weekdays
    on = max(first, clock.local(not_before).date())
    days = []
    while on <= last:
        if on.weekday() in working:
            days.append(on)
        on += timedelta(days=1)
    found: list[Slot] = []
    window, taken = _FIRST_WINDOW, 0
    while taken < len(days) and len(found) < count:
        chunk = days[taken:taken + window]
        theirs, patients = _held(ids, patient_id, chunk)
        blocks = calendar.busy_between(ids, chunk[0], chunk[-1])
        for on in chunk:
            found.extend(_day_slots(on, columns, weeks, theirs, patients, blocks, length,
                                    step, part_of_day, not_before, count - len(found)))
            if len(found) >= count:
                break
        taken += len(chunk)
        window = min(window * 2, _LONGEST_WINDOW)
    return found


def _suits(stretch: tuple[int, int], length: int, part_of_day: str) -> bool:
    """Whether a visit could start in this stretch at the part of the day asked for."""
    starts, ends = stretch
    if ends - starts < length:
        return False
    noon = _minutes(NOON)
    if part_of_day == "morning":
        return starts < noon
    if part_of_day == "afternoon":
        return ends - length >= noon
    return True


def _day_slots(on: date, columns: list[_Column], weeks, theirs, patients, blocks,
               length: int, step: int, part_of_day: str, not_before: datetime,
               wanted: int) -> list[Slot]:
    weekday = on.weekday()
    if not any(weeks[column.id].get(weekday) for column in columns):
        return []
    day = _Day(on)
    floor = day.offset(not_before)
    patient_held = [(day.offset(s), day.offset(e)) for s, e in patients.get(on, ())]
    candidates: list[tuple[float, int, int]] = []
    for order, column in enumerate(columns):
        stretches = weeks[column.id].get(weekday)
        if not stretches:
            continue
        held = _merged([(day.offset(s), day.offset(e)) for s, e in theirs.get((column.id, on), ())]
                       + patient_held)
        away = [(_minutes(b.start), _minutes(b.end)) for b in blocks.get((column.id, on), ())]
        for minute, offset in _free_on(day, stretches, length, step, held, away, part_of_day,
                                       floor):
            candidates.append((offset, order, minute))
    candidates.sort()
    return [Slot(columns[order].id, columns[order].name, on, time(minute // 60, minute % 60),
                 day.start + timedelta(minutes=offset))
            for offset, order, minute in candidates[:wanted]]


def free_slots(provider: Provider, kind: AppointmentType, *, start: date, days: int, count: int,
               patient_id: int | None = None,
               not_before: datetime | None = None) -> list[tuple[date, time]]:
    """The first `count` free (day, wall-clock time) for a visit of `kind` with
    `provider`, from `start` over `days` clinic days, earliest first.

    `patient_id` also keeps clear of that patient's other appointments; nothing
    starts before `not_before` (default: now), so today's past is never offered.
    """
    if not provider.active or count <= 0 or days <= 0:
        return []
    found = _walk([_Column(provider.id, provider.short_name)], kind.minutes, start,
                  start + timedelta(days=days - 1), weekdays=None, part_of_day="any",
                  count=count, patient_id=patient_id,
                  not_before=clock.now() if not_before is None else not_before)
    return [(slot.on, slot.at) for slot in found]


def _candidates(provider: Provider | int | None, specialty: str | None) -> list[_Column]:
    """The active providers searched, in the schedule's order, in one query."""
    query = (Provider.select(Provider.id, Provider.first_name, Provider.last_name,
                             Provider.credentials)
             .where(Provider.active).order_by(Provider.position, Provider.id))
    if provider is not None:
        query = query.where(Provider.id == getattr(provider, "id", provider))
    elif specialty:
        query = query.where(Provider.specialty == specialty)
    return [_Column(row.id, row.short_name) for row in query]


def _checked_weekdays(weekdays: Iterable[int] | str | None) -> frozenset[int] | None:
    if weekdays is None:
        return None
    days = frozenset(int(day) for day in weekdays)
    if not days <= set(range(7)):
        raise InvalidInput("Days of the week run from 0 (Monday) to 6 (Sunday).",
                           field="weekdays")
    return days if days and len(days) < 7 else None  # none ticked: any day will do


def next_available(kind: AppointmentType, *, provider: Provider | int | None = None,
                   specialty: str | None = None, start: date, end: date,
                   weekdays: Iterable[int] | str | None = None, part_of_day: str = "any",
                   count: int = 10, patient_id: int | None = None) -> list[Slot]:
    """The first `count` free slots for a visit of `kind` from `start` to `end` (both
    included), earliest first across the providers searched: one provider, any active
    provider of a specialty, or (neither given) any active provider.

    `weekdays` (0 Monday to 6 Sunday; None or empty: any day) and `part_of_day`
    ("any", "morning", "afternoon") narrow it to when the patient can come;
    `patient_id` keeps clear of that patient's other appointments. Nothing before
    now is offered.
    """
    if end < start:
        raise InvalidInput(f"The last day ({describe(end)}) is before the first "
                           f"({describe(start)}).", field="end")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"Search at most {MAX_DAYS} days at once.", field="end")
    if part_of_day not in PARTS_OF_DAY:
        raise InvalidInput("Choose morning, afternoon or any time.", field="part_of_day")
    days = _checked_weekdays(weekdays)
    columns = _candidates(provider, specialty)
    if not columns or count <= 0:
        return []
    return _walk(columns, kind.minutes, start, end, weekdays=days, part_of_day=part_of_day,
                 count=count, patient_id=patient_id, not_before=clock.now())
