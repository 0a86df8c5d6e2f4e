"""Recurring series: the same visit every week or every few weeks, booked in one go.

Each occurrence is booked by `schedule.book` under the same rules as any booking,
in its own savepoint: an occurrence that cannot be booked (a holiday block, a
taken time) is reported with the reason and the rest are booked. The series is
known by its first booked appointment's id, kept on every appointment of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from frontdesk import audit, clock, db, schedule
from frontdesk.dates import describe
from frontdesk.errors import Conflict, InvalidInput
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment, AppointmentType
from frontdesk.staff import Staff

__all__ = ["MAX_COUNT", "MAX_EVERY_WEEKS", "Refused", "SeriesReport", "occurrences",
           "book_series"]

MAX_COUNT = 52
"""The most occurrences booked at once: a year of weekly visits."""
MAX_EVERY_WEEKS = 12


@dataclass(frozen=True)
class Refused:
    """An occurrence that could not be booked, and why, in staff words."""

    on: date
    at: time
    reason: str

    @property
    def line(self) -> str:
        return f"{describe(self.on)} {clock.wall(self.at)}: {self.reason}"


@dataclass(frozen=True)
class SeriesReport:
    series: int | None
    """The first booked appointment's id; None when nothing could be booked."""
    booked: list[Appointment] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    @property
    def summary(self) -> str:
        total = len(self.booked) + len(self.refused)
        if not self.refused:
            return f"All {total} booked."
        if not self.booked:
            return f"None of the {total} could be booked."
        return f"{len(self.booked)} of {total} booked; {len(self.refused)} could not be."


def occurrences(first_on: date, *, every_weeks: int = 1, count: int = 8) -> list[date]:
    """The days of a series, after checking the numbers staff gave."""
    if not 1 <= every_weeks <= MAX_EVERY_WEEKS:
        raise InvalidInput(f"Repeat every 1 to {MAX_EVERY_WEEKS} weeks.", field="every_weeks")
    if not 2 <= count <= MAX_COUNT:
        raise InvalidInput(f"A series has 2 to {MAX_COUNT} visits.", field="count")
    if first_on < clock.today():
        raise InvalidInput(f"{describe(first_on)} is past; start the series today or later.",
                           field="first_on")
    return [first_on + timedelta(weeks=every_weeks * n) for n in range(count)]


def book_series(patient: Patient, provider: Provider, kind: AppointmentType, first_on: date,
                at: time, *, every_weeks: int = 1, count: int = 8, by: Staff,
                reason: str = "") -> SeriesReport:
    """Book `count` visits, `every_weeks` apart from `first_on`, at the same wall-clock
    time; what cannot be booked is reported, the rest booked (none overbooked, none
    outside hours: those are single bookings for staff to decide one by one)."""
    require(by, Permission.SCHEDULE)
    days = occurrences(first_on, every_weeks=every_weeks, count=count)
    booked: list[Appointment] = []
    refused: list[Refused] = []
    with db.write():
        for on in days:
            try:
                with db.write():  # a savepoint: a refusal undoes only its own occurrence
                    appointment = schedule.book(patient, provider, kind, on, at, by=by,
                                                reason=reason,
                                                series=booked[0].id if booked else None)
            except (Conflict, InvalidInput) as error:
                if error.field == "reason":
                    raise  # the same for every occurrence: the form's to fix
                refused.append(Refused(on, at, str(error)))
            else:
                booked.append(appointment)
        if booked:
            first = booked[0]
            # The first learns its series only now that it has an id.
            Appointment.update(series=first.id).where(Appointment.id == first.id).execute()
            booked[0] = Appointment(**{**first.__data__, "series": first.id})
            booked[0]._dirty.clear()
        audit.record("appointment.series_booked", by=by, patient=patient,
                     subject=f"series {booked[0].id}" if booked else "series",
                     detail={"provider": provider.id, "type": kind.name,
                             "first_on": first_on.isoformat(), "at": clock.wall(at),
                             "every_weeks": every_weeks, "count": count,
                             "booked": [a.id for a in booked],
                             "refused": [r.on.isoformat() for r in refused]})
    return SeriesReport(booked[0].id if booked else None, booked, refused)
