"""Free time in a provider's book: where a visit of a given type would fit.

A slot is free when the provider works then (their weekly hours) and none of
their appointments that hold time overlaps it. Candidates step through each
working stretch on the clinic's slot grid, in wall-clock time, so 9:00 stays
9:00 across a DST change; a time the clocks skip or repeat is never offered
(booking it would be refused). Two queries, whatever the number of days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from frontdesk import clock, config
from frontdesk.providers import Provider, ProviderHours
from frontdesk.schedule import HOLDS_SLOT, Appointment, AppointmentType

__all__ = ["free_slots"]


def _week(provider: Provider) -> dict[int, list[tuple[time, time]]]:
    """The provider's stretches per weekday, in one query."""
    week: dict[int, list[tuple[time, time]]] = defaultdict(list)
    query = (ProviderHours.select(ProviderHours.weekday, ProviderHours.starts, ProviderHours.ends)
             .where(ProviderHours.provider == provider.id)
             .order_by(ProviderHours.weekday, ProviderHours.starts).tuples())
    for weekday, starts, ends in query:
        week[weekday].append((starts, ends))
    return week


def _taken(provider: Provider, patient_id: int | None, start: datetime,
           end: datetime) -> dict[date, list[tuple[datetime, datetime]]]:
    """Time already held between two instants, by the clinic days it touches."""
    whose = Appointment.provider == provider.id
    if patient_id is not None:  # the patient cannot be in two rooms either
        whose = whose | (Appointment.patient == patient_id)
    query = (Appointment.select(Appointment.start, Appointment.end)
             .where(whose & (Appointment.start < end) & (Appointment.end > start)
                    & Appointment.status.in_([status.value for status in HOLDS_SLOT]))
             .tuples())
    taken: dict[date, list[tuple[datetime, datetime]]] = defaultdict(list)
    for held_start, held_end in query:
        first, last = clock.local(held_start).date(), clock.local(held_end).date()
        for offset in range((last - first).days + 1):
            taken[first + timedelta(days=offset)].append((held_start, held_end))
    return taken


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _fits(on: date, at: time, minutes: int, until: time) -> tuple[datetime, datetime] | None:
    """The instants of a visit at a wall-clock time, if it exists and ends by `until`."""
    try:
        start = clock.at_local(on, at)
    except ValueError:  # skipped or repeated by a DST change: never offered
        return None
    end = start + timedelta(minutes=minutes)
    local_end = clock.local(end)
    # Judged the way schedule.book judges it, so an offer is never refused for its hours.
    end_wall = local_end.time() if local_end.date() == on else time(23, 59, 59)
    return (start, end) if end_wall <= until else None


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
    not_before = clock.now() if not_before is None else not_before
    step = config.current().slot_minutes
    week = _week(provider)
    window_start = clock.day_bounds(start)[0]
    window_end = clock.day_bounds(start + timedelta(days=days - 1))[1]
    taken = _taken(provider, patient_id, window_start, window_end)
    found: list[tuple[date, time]] = []
    for offset in range(days):
        on = start + timedelta(days=offset)
        for starts, ends in week.get(on.weekday(), ()):
            for minute in range(_minutes(starts), _minutes(ends) - kind.minutes + 1, step):
                at = time(minute // 60, minute % 60)
                span = _fits(on, at, kind.minutes, ends)
                if span is None or span[0] < not_before:
                    continue
                if any(held_start < span[1] and held_end > span[0]
                       for held_start, held_end in taken.get(on, ())):
                    continue
                found.append((on, at))
                if len(found) == count:
                    return found
    return found
