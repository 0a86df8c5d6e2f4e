"""The clinic's clock: "now" as a UTC instant, and the clinic's wall clock.

Instants are stored in UTC; the clinic's zone turns them into the times staff
read. "Now" is injectable so tests and the demo builder can stand at any moment.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = [
    "UTC",
    "now",
    "today",
    "zone",
    "set_zone",
    "frozen",
    "local",
    "at_local",
    "day_bounds",
    "wall",
]

UTC = timezone.utc

_zone: ZoneInfo = ZoneInfo("America/New_York")
_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def zone() -> ZoneInfo:
    """The clinic's time zone."""
    return _zone


def set_zone(name: str | ZoneInfo) -> None:
    global _zone
    _zone = name if isinstance(name, ZoneInfo) else ZoneInfo(name)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return _source().astimezone(UTC)


def today() -> date:
    """Today's date on the clinic's wall clock."""
    return local(now()).date()


@contextlib.contextmanager
def frozen(instant: datetime | Callable[[], datetime]) -> Iterator[None]:
    """Stand at a fixed instant (or follow a given source) inside the block."""
    global _source
    previous = _source
    _source = instant if callable(instant) else (lambda: instant)
    try:
        yield
    finally:
        _source = previous


def local(instant: datetime) -> datetime:
    """An instant as the clinic's wall-clock time."""
    return instant.astimezone(_zone)


def at_local(day: date, wall: time) -> datetime:
    """The UTC instant of a wall-clock time on a clinic day.

    A time that does not exist (the hour skipped in spring) or exists twice (the
    hour repeated in autumn) raises `ValueError`; callers that book decide what to
    tell staff. Reading a stored appointment never comes here.
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=_zone, fold=0)
    second = naive.replace(tzinfo=_zone, fold=1)
    # The skipped hour is tested first: its two folds differ in offset too, so the
    # repeated-hour test alone would call it a time that "happens twice".
    round_trip = first.astimezone(UTC).astimezone(_zone)
    if round_trip.replace(tzinfo=None) != naive:
        raise ValueError(f"{wall:%H:%M} does not exist on {day:%m/%d/%Y} (clocks go forward)")
    if first.utcoffset() != second.utcoffset():
        raise ValueError(f"{wall:%H:%M} happens twice on {day:%m/%d/%Y} (clocks go back)")
    return first.astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where a clinic day starts and the next one starts.

    Midnight exists on every DST change in the zones a US clinic uses; the day is
    23, 24 or 25 hours long and both bounds say so.
    """
    start = datetime.combine(day, time(0), tzinfo=_zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=_zone).astimezone(UTC)
    return start, end


def wall(value: datetime | time) -> str:
    """A time as staff read it on the clinic clock: `9:30`, `13:00`.

    Instants are turned into the clinic's zone first; a plain time is taken as is.
    """
    if isinstance(value, datetime):
        value = local(value).time()
    return f"{value.hour}:{value.minute:02d}"
