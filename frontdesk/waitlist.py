"""The waitlist: patients who would take an earlier slot, offered one when it frees up.

An entry says who, with whom (a provider, or anyone), for what (a visit type, or
any), between which days, on which days of the week and at which part of the day.
When an appointment is cancelled, `matches` lists the entries its time would suit,
first come first served, and `book_from` books one into it and marks the entry
booked in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

import peewee as pw

from frontdesk import audit, changes, clock, db, schedule
from frontdesk.calendar import typed_day
from frontdesk.dates import describe
from frontdesk.errors import Conflict, InvalidInput, NotFound, StaleEdit
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment, AppointmentType
from frontdesk.slots import PARTS_OF_DAY as PART_WORDS
from frontdesk.slots import in_part_of_day
from frontdesk.staff import Staff
from frontdesk.text import typed

__all__ = ["PARTS_OF_DAY", "STATES", "TOPIC", "WaitlistEntry", "Line", "add", "remove",
           "waiting", "matches", "book_from", "weekdays_text", "weekdays_words", "kind_for",
           "add_typed"]

PARTS_OF_DAY = tuple(PART_WORDS)
STATES = ("waiting", "booked", "removed")
TOPIC = "waitlist"
"""The change-feed topic: an open waitlist reloads on it."""

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class WaitlistEntry(db.Model):
    patient = pw.ForeignKeyField(Patient, backref="+", on_delete="RESTRICT")
    provider = pw.ForeignKeyField(Provider, null=True, backref="+", on_delete="RESTRICT")
    """None: any provider."""
    type = pw.ForeignKeyField(AppointmentType, null=True, backref="+", on_delete="RESTRICT")
    earliest = pw.DateField()
    latest = pw.DateField()
    weekdays = pw.CharField(max_length=7, default="")
    """Days the patient can come, as digits 0 (Monday) to 6; empty: any day."""
    part_of_day = pw.CharField(max_length=10, default="any")
    note = pw.CharField(max_length=200, default="")
    state = pw.CharField(max_length=10, default="waiting")
    created_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = db.InstantField()
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("state", "earliest"), False),)


# -- what staff give ----------------------------------------------------------------------


def weekdays_text(days: Iterable[int] | str) -> str:
    """Days of the week as stored: sorted digits, '' for any day (none or all seven)."""
    try:
        found = sorted({int(day) for day in days})
    except ValueError:
        raise InvalidInput("Days of the week are 0 (Monday) to 6 (Sunday).",
                           field="weekdays") from None
    if any(not 0 <= day <= 6 for day in found):
        raise InvalidInput("Days of the week are 0 (Monday) to 6 (Sunday).", field="weekdays")
    return "" if len(found) in (0, 7) else "".join(str(day) for day in found)


def weekdays_words(days: str) -> str:
    """Stored days as staff read them: `Mon, Wed` or `any day`."""
    return ", ".join(_DAY_NAMES[int(day)] for day in days) if days else "any day"


def _window(earliest: date, latest: date) -> tuple[date, date]:
    today = clock.today()
    if latest < earliest:
        raise InvalidInput(f"The last day ({describe(latest)}) is before the first "
                           f"({describe(earliest)}).", field="latest")
    if latest < today:
        raise InvalidInput(f"That window ended on {describe(latest)}; the waitlist is for "
                           "days still to come.", field="latest")
    return max(earliest, today), latest  # what is already past cannot be offered anyway


def add(patient: Patient, *, provider: Provider | None = None,
        kind: AppointmentType | None = None, earliest: date, latest: date,
        weekdays: Iterable[int] | str = "", part_of_day: str = "any", note: str = "",
        by: Staff) -> WaitlistEntry:
    """Put a patient on the waitlist for an earlier slot."""
    require(by, Permission.SCHEDULE)
    note = typed(note, field="note", label="Note", limit=200)
    earliest, latest = _window(earliest, latest)
    days = weekdays_text(weekdays)
    if part_of_day not in PARTS_OF_DAY:
        raise InvalidInput("Choose morning, afternoon or any time.", field="part_of_day")
    if patient.deceased or not patient.active:
        raise Conflict(f"{patient.full_name} is recorded as "
                       f"{'deceased' if patient.deceased else 'inactive'}.", field="patient")
    if provider is not None and not provider.active:
        raise Conflict(f"{provider.short_name} no longer sees patients here.", field="provider")
    now = clock.now()
    with db.write():
        _refuse_twice(patient, provider, kind)
        entry = WaitlistEntry.create(
            patient=patient.id, provider=provider.id if provider else None,
            type=kind.id if kind else None, earliest=earliest, latest=latest, weekdays=days,
            part_of_day=part_of_day, note=note, created_by=by.id, created_at=now,
            updated_at=now)
        audit.record("waitlist.added", by=by, patient=patient, subject=f"waitlist {entry.id}",
                     detail={"provider": entry.provider_id, "type": entry.type_id,
                             "earliest": earliest.isoformat(), "latest": latest.isoformat(),
                             "weekdays": days, "part_of_day": part_of_day})
        changes.record(TOPIC, str(entry.id))
    return entry


def _refuse_twice(patient: Patient, provider: Provider | None,
                  kind: AppointmentType | None) -> None:
    """One waiting entry per patient, provider and type: a second would be offered twice."""
    same = (WaitlistEntry.select()
            .where((WaitlistEntry.patient == patient.id) & (WaitlistEntry.state == "waiting")
                   & (WaitlistEntry.latest >= clock.today())
                   & (WaitlistEntry.provider.is_null() if provider is None
                      else WaitlistEntry.provider == provider.id)
                   & (WaitlistEntry.type.is_null() if kind is None
                      else WaitlistEntry.type == kind.id))
            .first())
    if same is not None:
        raise Conflict(f"{patient.full_name} is already waiting for that, "
                       f"{describe(same.earliest)} to {describe(same.latest)}; remove that "
                       "entry first to change it.", field="patient")


def remove(entry: WaitlistEntry | int, *, version: int, by: Staff) -> None:
    """Take a patient off the waitlist (kept, marked removed, for the record)."""
    require(by, Permission.SCHEDULE)
    entry_id = getattr(entry, "id", entry)
    with db.write():
        current = WaitlistEntry.get_or_none(WaitlistEntry.id == entry_id)
        if current is None:
            raise NotFound("That waitlist entry no longer exists.")
        if current.state != "waiting":
            raise StaleEdit(f"That entry was already {current.state}; look again.")
        _mark(entry_id, version, "removed")
        audit.record("waitlist.removed", by=by, patient=current.patient_id,
                     subject=f"waitlist {entry_id}")
        changes.record(TOPIC, str(entry_id))


def _mark(entry_id: int, version: int, state: str) -> None:
    updated = (WaitlistEntry.update(state=state, updated_at=clock.now(),
                                    version=WaitlistEntry.version + 1)
               .where((WaitlistEntry.id == entry_id) & (WaitlistEntry.version == version)
                      & (WaitlistEntry.state == "waiting"))
               .execute())
    if not updated:
        raise StaleEdit("That waitlist entry was changed by someone else since it was shown; "
                        "look again.")


# -- what staff see -------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One entry as the waitlist screen and the offers after a cancellation show it."""

    id: int
    version: int
    patient_id: int
    patient: str
    """Filed name: `García, María`."""
    mrn: str
    provider_id: int | None
    provider: str
    """`Dr. Patel`, or `any provider`."""
    type_id: int | None
    type_name: str
    """The visit type, or `any type`."""
    earliest: date
    latest: date
    weekdays: str
    part_of_day: str
    note: str
    created_at: object

    @property
    def days(self) -> str:
        return weekdays_words(self.weekdays)

    @property
    def when(self) -> str:
        """The part of the day as staff say it: `mornings`, `any time`."""
        return {"any": "any time", "morning": "mornings", "afternoon": "afternoons"}[
            self.part_of_day]


def _lines(where) -> list[Line]:
    # The joined ids too: without them peewee would forget the entry's own keys.
    query = (WaitlistEntry.select(WaitlistEntry, Patient.id, Patient.first_name,
                                  Patient.last_name, Patient.mrn, Provider.id,
                                  Provider.last_name, Provider.credentials, AppointmentType.id,
                                  AppointmentType.name)
             .join_from(WaitlistEntry, Patient)
             .join_from(WaitlistEntry, Provider, pw.JOIN.LEFT_OUTER)
             .join_from(WaitlistEntry, AppointmentType, pw.JOIN.LEFT_OUTER)
             .where(where)
             .order_by(WaitlistEntry.created_at, WaitlistEntry.id))
    lines = []
    for entry in query:
        patient, provider, kind = entry.patient, entry.provider, entry.type
        lines.append(Line(
            entry.id, entry.version, entry.patient_id, f"{patient.last_name}, {patient.first_name}",
            patient.mrn, entry.provider_id, provider.short_name if provider else "any provider",
            entry.type_id, kind.name if kind else "any type", entry.earliest, entry.latest,
            entry.weekdays, entry.part_of_day, entry.note, entry.created_at))
    return lines


def waiting(on: date | None = None) -> list[Line]:
    """Who is waiting for a slot whose window has not ended by `on` (default today),
    first come first served, in one query."""
    on = on or clock.today()
    return _lines((WaitlistEntry.state == "waiting") & (WaitlistEntry.latest >= on))


def matches(appointment: Appointment | int) -> list[Line]:
    """Waiting entries that the time of this (freed) appointment would suit, first come
    first served: the same provider or any; the same type, any, or one that fits the
    time freed; the day inside the window, on a day of the week and at a part of the
    day the patient can come; never the patient whose appointment it was."""
    freed = appointment if isinstance(appointment, Appointment) else schedule.get(appointment)
    start = clock.local(freed.start)
    on, at = start.date(), start.time()
    minutes = int((freed.end - freed.start).total_seconds() // 60)
    fits = AppointmentType.select(AppointmentType.id).where(AppointmentType.minutes <= minutes)
    lines = _lines((WaitlistEntry.state == "waiting")
                   & (WaitlistEntry.provider.is_null()
                      | (WaitlistEntry.provider == freed.provider_id))
                   & (WaitlistEntry.type.is_null() | WaitlistEntry.type.in_(fits))
                   & (WaitlistEntry.earliest <= on) & (WaitlistEntry.latest >= on)
                   & (WaitlistEntry.patient != freed.patient_id))
    weekday = str(on.weekday())
    return [line for line in lines
            if (not line.weekdays or weekday in line.weekdays)
            and in_part_of_day(at, line.part_of_day)]


def kind_for(line: Line, freed_type_id: int) -> int:
    """The visit type to book for an entry in a freed time: the entry's own, or (any
    type) the one that was cancelled."""
    return line.type_id if line.type_id is not None else freed_type_id


def add_typed(patient_id: int | None, *, provider_id: int | None, type_id: int | None,
              earliest: str, latest: str, weekdays: Iterable[int] | str = "",
              part_of_day: str = "any", note: str = "", by: Staff) -> WaitlistEntry:
    """`add` from what a form holds: the days as typed, each refusal naming its field."""
    require(by, Permission.SCHEDULE)
    if patient_id is None:
        raise InvalidInput("Find the patient first: type a name, birth date, phone or MRN.",
                           field="patient")
    first = typed_day(earliest, field="earliest", label="From")
    last = typed_day(latest, field="latest", label="To")
    return add(Patient.get_by_id(patient_id),
               provider=Provider.get_by_id(provider_id) if provider_id else None,
               kind=AppointmentType.get_by_id(type_id) if type_id else None,
               earliest=first, latest=last, weekdays=weekdays, part_of_day=part_of_day,
               note=note, by=by)


def book_from(entry: WaitlistEntry | Line | int, provider: Provider, on: date, at: time,
              kind: AppointmentType, *, by: Staff, version: int | None = None) -> Appointment:
    """Book a waiting patient into a time and mark their entry booked, in one
    transaction: if the booking is refused, the entry keeps waiting."""
    require(by, Permission.SCHEDULE)
    entry_id = getattr(entry, "id", entry)
    version = version if version is not None else getattr(entry, "version", None)
    with db.write():
        current = WaitlistEntry.get_or_none(WaitlistEntry.id == entry_id)
        if current is None:
            raise NotFound("That waitlist entry no longer exists.")
        if current.state != "waiting" or (version is not None and current.version != version):
            raise StaleEdit("That waitlist entry was changed by someone else since it was "
                            "shown; look again.")
        patient = Patient.get_by_id(current.patient_id)
        appointment = schedule.book(patient, provider, kind, on, at, by=by,
                                    note=current.note, reason="From the waitlist")
        _mark(entry_id, current.version, "booked")
        audit.record("waitlist.booked", by=by, patient=patient, subject=f"waitlist {entry_id}",
                     detail={"appointment": appointment.id})
        changes.record(TOPIC, str(entry_id))
    return appointment
