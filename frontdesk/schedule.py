"""The appointment book: types of visit, appointments and the day's view.

Appointment times are stored as UTC instants computed with the clinic zone's
rules for the appointment's own date, so 9:00 stays 9:00 across a DST change.
Each change of an appointment is checked against its version: a change based on
a stale read is refused and names who changed it first.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

import peewee as pw

from frontdesk import audit, calendar, changes, clock, config, db
from frontdesk.dates import describe
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, NotFound, StaleEdit
from frontdesk.patients import Patient
from frontdesk.roles import Permission, allowed, require, who_may
from frontdesk.providers import Provider, active_providers, hours_on, stretches
from frontdesk.staff import Staff
from frontdesk.text import one_line, typed

__all__ = [
    "Status",
    "AppointmentType",
    "Appointment",
    "add_type",
    "AppointmentChange",
    "CANCEL_CATEGORIES",
    "OverbookPossible",
    "OutsideHours",
    "book",
    "move",
    "is_late_cancel",
    "confirm",
    "check_in",
    "check_out",
    "cancel",
    "mark_no_show",
    "Day",
    "DayAppointment",
    "day",
    "day_key",
    "Detail",
    "detail",
    "get",
]

MAX_MINUTES = 8 * 60
"""The longest appointment; bounds the overlap search to an index range."""


class Status(StrEnum):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    ARRIVED = "arrived"
    ROOMED = "roomed"
    WITH_PROVIDER = "with_provider"
    CHECKED_OUT = "checked_out"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def mark(self) -> str:
        """One character for a crowded grid; F1 help has the legend."""
        return _MARKS[self]


_MARKS = {
    Status.SCHEDULED: "·",
    Status.CONFIRMED: "✓",
    Status.ARRIVED: "▶",
    Status.ROOMED: "◆",
    Status.WITH_PROVIDER: "●",
    Status.CHECKED_OUT: "■",
    Status.NO_SHOW: "✗",
    Status.CANCELLED: "⊘",
}

HOLDS_SLOT = (Status.SCHEDULED, Status.CONFIRMED, Status.ARRIVED, Status.ROOMED,
              Status.WITH_PROVIDER, Status.CHECKED_OUT)
"""Statuses of appointments that take up their provider's time."""


class AppointmentType(db.Model):
    name = pw.CharField(max_length=40, unique=True)
    code = pw.CharField(max_length=5)
    """What fits beside a name in a narrow column: NEW, F/U, PHYS."""
    minutes = pw.IntegerField()
    colour = pw.CharField(max_length=12, default="blue")
    active = pw.BooleanField(default=True)


class Appointment(db.Model):
    patient = pw.ForeignKeyField(Patient, backref="appointments", on_delete="RESTRICT")
    provider = pw.ForeignKeyField(Provider, backref="appointments", on_delete="RESTRICT")
    type = pw.ForeignKeyField(AppointmentType, backref="+", on_delete="RESTRICT")
    start = db.InstantField()
    end = db.InstantField()
    status = pw.CharField(max_length=20, default=Status.SCHEDULED.value)
    reason = pw.CharField(max_length=200, default="")
    note = pw.CharField(max_length=500, default="")
    booked_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    booked_at = db.InstantField()
    arrived_at = db.InstantField(null=True)
    roomed_at = db.InstantField(null=True)
    room = pw.CharField(max_length=20, default="")
    seen_at = db.InstantField(null=True)
    """When the provider came in."""
    checked_out_at = db.InstantField(null=True)
    cancelled_at = db.InstantField(null=True)
    cancel_reason = pw.CharField(max_length=200, default="")
    cancel_category = pw.CharField(max_length=20, default="")
    """patient, provider, weather or other."""
    late_cancel = pw.BooleanField(default=False)
    """Cancelled inside the window from config (late_cancel_hours)."""
    override_reason = pw.CharField(max_length=200, default="")
    """Why a manager allowed it outside the provider's hours or inside a block."""
    series = pw.IntegerField(null=True, index=True)
    """The recurring series it was booked in (its first appointment's id), if any."""
    updated_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = (
            (("provider", "start"), False),
            (("patient", "start"), False),
            (("start",), False),
        )


class AppointmentChange(db.Model):
    """The history of an appointment as staff read it: booked, moved from and to,
    cancelled; the audit trail holds the same facts for the record."""

    appointment = pw.ForeignKeyField(Appointment, backref="changes", on_delete="RESTRICT")
    at = db.InstantField()
    by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    action = pw.CharField(max_length=20)
    from_provider = pw.ForeignKeyField(Provider, null=True, backref="+", on_delete="RESTRICT")
    from_start = db.InstantField(null=True)
    to_provider = pw.ForeignKeyField(Provider, null=True, backref="+", on_delete="RESTRICT")
    to_start = db.InstantField(null=True)
    note = pw.CharField(max_length=200, default="")


def as_instant(stored: str | datetime) -> datetime:
    """An instant as read from a hand-run statement."""
    return Appointment.start.python_value(stored)


def day_key(day: date) -> str:
    """The change-feed key of a clinic day."""
    return day.isoformat()


def add_type(name: str, code: str, minutes: int, *, colour: str = "blue",
             by: Staff) -> AppointmentType:
    require(by, Permission.EDIT_SETUP)
    name, code = one_line(name), one_line(code).upper()
    if not name or len(name) > 40:
        raise InvalidInput("A visit type needs a name of up to 40 characters.", field="name")
    if not code or len(code) > 5:
        raise InvalidInput("A visit type needs a short code of up to 5 characters.", field="code")
    if not 5 <= minutes <= MAX_MINUTES or minutes % 5:
        raise InvalidInput(f"Minutes must be a multiple of 5 up to {MAX_MINUTES}.",
                           field="minutes")
    with db.write():
        if AppointmentType.select().where(AppointmentType.name == name).exists():
            raise Conflict(f"There is already a visit type called {name}.", field="name")
        kind = AppointmentType.create(name=name, code=code, minutes=minutes, colour=colour)
        audit.record("appointment_type.created", by=by, subject=f"type {kind.id}",
                     detail={"name": name, "minutes": minutes})
    return kind


def _span(on: date, at: time, minutes: int) -> tuple[datetime, datetime]:
    try:
        start = clock.at_local(on, at)
    except ValueError as error:
        raise InvalidInput(f"Cannot book then: {error}.", field="start") from None
    return start, start + timedelta(minutes=minutes)


class OverbookPossible(Conflict):
    """The provider's time is taken, but they may see more than one patient at once:
    staff confirm, then book again with `overbook=True`."""


class OutsideHours(Conflict):
    """Outside the provider's hours or inside one of their blocks: a manager may book
    it anyway, giving a reason (`override_reason`)."""


CANCEL_CATEGORIES = {"patient": "Patient", "provider": "Provider", "weather": "Weather",
                     "other": "Other"}
"""Who or what cancelled -> what staff call it."""

_NOT_THE_PATIENTS_DOING = frozenset({"provider", "weather"})
"""A late cancellation counts against the patient; these never do."""

_HOLDING = ", ".join(f"'{status.value}'" for status in HOLDS_SLOT)
_clashes = db.Statement(lambda v: (
    Appointment.select(Appointment.provider, Appointment.patient, Appointment.start,
                       Appointment.end, Patient.first_name, Patient.last_name,
                       Provider.last_name, Provider.credentials)
    .join_from(Appointment, Patient).join_from(Appointment, Provider)
    .where(((Appointment.provider == v("provider")) | (Appointment.patient == v("patient")))
           & (Appointment.start < v("end")) & (Appointment.end > v("start"))
           # A lower bound on start (minus the longest visit) keeps this an index range.
           & (Appointment.start > v("earliest"))
           & Appointment.status.in_(pw.SQL(f"({_HOLDING})")) & (Appointment.id != v("ignore")))
    .order_by(Appointment.start)
))


@dataclass(frozen=True)
class _Held:
    """An appointment in the way, as a refusal names it."""

    provider_id: int
    patient_id: int
    start: datetime
    end: datetime
    patient: str
    provider: str

    @property
    def words(self) -> str:
        return f"{self.patient} at {clock.wall(self.start)}-{clock.wall(self.end)}"


def _in_the_way(patient: Patient, provider: Provider, start: datetime, end: datetime,
                ignore: int | None) -> list[_Held]:
    as_stored = Appointment.start.db_value
    rows = _clashes.rows(provider=provider.id, patient=patient.id, end=as_stored(end),
                         start=as_stored(start),
                         earliest=as_stored(start - timedelta(minutes=MAX_MINUTES)),
                         ignore=ignore or 0)
    return [_Held(provider_id, patient_id, as_instant(held_start), as_instant(held_end),
                  f"{first} {last}", Provider(last_name=other_last,
                                              credentials=other_credentials).short_name)
            for (provider_id, patient_id, held_start, held_end, first, last, other_last,
                 other_credentials) in rows]


def _most_at_once(held: list[_Held], start: datetime, end: datetime) -> int:
    """The most of `held` running at the same moment between `start` and `end`."""
    edges = sorted([(max(h.start, start), 1) for h in held]
                   + [(min(h.end, end), -1) for h in held])  # an end sorts before a start
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def _refuse_conflicts(patient: Patient, provider: Provider, start: datetime, end: datetime,
                      *, allowance: int = 1, overbook: bool = False,
                      ignore: int | None = None) -> bool:
    """Refuse a time the provider or the patient already has taken, naming what is
    there; True when the visit is booked over another within the provider's allowance."""
    held = _in_the_way(patient, provider, start, end, ignore)
    theirs = [h for h in held if h.provider_id == provider.id]
    if theirs and _most_at_once(theirs, start, end) >= allowance:
        if allowance <= 1:
            raise Conflict(f"{provider.short_name} already has {theirs[0].words}.")
        raise Conflict(f"{provider.short_name} already has "
                       f"{', '.join(h.words for h in theirs)}, and sees at most {allowance} "
                       "at once.")
    for other in held:
        if other.patient_id == patient.id:
            raise Conflict(f"{patient.full_name} is already booked with {other.provider} at "
                           f"{clock.wall(other.start)}-{clock.wall(other.end)}.")
    if theirs and not overbook:
        raise OverbookPossible(
            f"{provider.short_name} already has {', '.join(h.words for h in theirs)}; "
            f"{provider.short_name} may see up to {allowance} at once. Overbook?")
    return bool(theirs)


def _away(provider: Provider, on: date, at: time, end: datetime) -> str:
    """Why the provider is not seeing patients then, or '' if they are."""
    local_end = clock.local(end)
    end_wall = local_end.time() if local_end.date() == on else time(23, 59, 59)
    working = stretches(provider, on)
    if not any(starts <= at and end_wall <= ends for starts, ends in working):
        if not working:
            hours = "does not work that day"
        else:
            hours = "works " + ", ".join(f"{clock.wall(s)}-{clock.wall(e)}" for s, e in working)
        return (f"{provider.short_name} {hours} ({describe(on)}); "
                f"{clock.wall(at)}-{clock.wall(end_wall)} is outside those hours.")
    for busy in calendar.busy_on(provider.id, on):
        if at < busy.end and end_wall > busy.start:
            return f"{provider.short_name} is {busy.label} ({describe(on)})."
    return ""


def _refuse_outside_hours(provider: Provider, on: date, at: time, end: datetime, *,
                          override_reason: str = "", by: Staff | None = None) -> str:
    """Refuse a time outside the provider's hours or in a block, unless a manager gave a
    reason; returns the reason when it was needed, '' when it was not."""
    why = _away(provider, on, at, end)
    if not why:
        return ""
    if not override_reason:
        raise OutsideHours(why)
    if not allowed(by, Permission.OVERRIDE_SCHEDULE):
        raise NotAllowed(f"{why} Only a {who_may(Permission.OVERRIDE_SCHEDULE)} may "
                         f"{Permission.OVERRIDE_SCHEDULE.words}.")
    return override_reason


_provider_now = db.Statement(lambda v: (
    Provider.select(Provider.active, Provider.max_at_once).where(Provider.id == v("id"))
))


def _bookable(provider: Provider) -> int:
    """The provider's overbooking allowance as stored now, refusing one who left."""
    found = _provider_now.rows(id=provider.id)
    if not found or not found[0][0]:
        raise Conflict(f"{provider.short_name} no longer sees patients here.")
    return max(found[0][1] or 1, 1)


_insert_appointment = db.Insert(Appointment)
_insert_change = db.Insert(AppointmentChange)


def _history(appointment_id: int, action: str, *, by: Staff, at: datetime,
             from_provider: int | None = None, from_start: datetime | None = None,
             to_provider: int | None = None, to_start: datetime | None = None,
             note: str = "") -> None:
    _insert_change.execute(**_insert_change.values(
        appointment=appointment_id, at=at, by=by.id, action=action, from_provider=from_provider,
        from_start=from_start, to_provider=to_provider, to_start=to_start, note=note[:200]))


def _override_words(override: str, overbooked: bool) -> str:
    notes = ([f"override: {override}"] if override else []) + (["overbooked"] if overbooked
                                                               else [])
    return "; ".join(notes)


def book(patient: Patient, provider: Provider, kind: AppointmentType, on: date, at: time, *,
         by: Staff, reason: str = "", note: str = "", overbook: bool = False,
         override_reason: str = "", series: int | None = None) -> Appointment:
    """Book a visit at a wall-clock time on a clinic day.

    Refused, changing nothing, when the provider is away then (`OutsideHours`, unless a
    manager gives `override_reason`), when the provider's time is taken
    (`OverbookPossible` when their allowance lets staff confirm with `overbook=True`,
    else `Conflict`), or when the patient is booked elsewhere then. Every check runs
    inside the write transaction, so two terminals cannot both take the same time.
    """
    require(by, Permission.SCHEDULE)
    reason = typed(reason, field="reason", label="Reason", limit=200)
    note = typed(note, field="note", label="Note", limit=500)
    override_reason = typed(override_reason, field="override_reason", label="Override reason",
                            limit=200)
    start, end = _span(on, at, kind.minutes)
    with db.write():
        allowance = _bookable(provider)
        override = _refuse_outside_hours(provider, on, at, end, override_reason=override_reason,
                                         by=by)
        overbooked = _refuse_conflicts(patient, provider, start, end, allowance=allowance,
                                       overbook=overbook)
        now = clock.now()
        values = {
            "patient": patient.id, "provider": provider.id, "type": kind.id, "start": start,
            "end": end, "status": Status.SCHEDULED.value, "reason": reason, "note": note,
            "booked_by": by.id, "booked_at": now, "updated_by": by.id, "updated_at": now,
            "version": 1, "override_reason": override, "series": series,
        }
        appointment_id = _insert_appointment.insert(**_insert_appointment.values(**values))
        appointment = Appointment(id=appointment_id, **values)
        appointment._dirty.clear()
        _history(appointment_id, "booked", by=by, at=now, to_provider=provider.id,
                 to_start=start, note=_override_words(override, overbooked))
        detail = {"provider": provider.id, "start": start.isoformat(), "type": kind.name}
        if override:
            detail["override_reason"] = override
        if overbooked:
            detail["overbooked"] = True
        audit.record("appointment.booked", by=by, patient=patient,
                     subject=f"appointment {appointment.id}", detail=detail)
        changes.record("appointment", day_key(on))
    return appointment


_MOVABLE = (Status.SCHEDULED, Status.CONFIRMED)
_version_now = db.Statement(lambda v: (
    Appointment.select(Appointment.version).where(Appointment.id == v("id"))
))


def move(appointment: Appointment, provider: Provider, on: date, at: time, *, version: int,
         by: Staff, overbook: bool = False, override_reason: str = "") -> Appointment:
    """Reschedule to another time, day or provider, under the same rules as a booking.

    The history keeps where it was and where it went. `version` is the one staff saw:
    a move based on a stale read is refused.
    """
    require(by, Permission.SCHEDULE)
    if Status(appointment.status) not in _MOVABLE:
        raise Conflict(f"This appointment is {Status(appointment.status).label}; it cannot be "
                       "moved.")
    override_reason = typed(override_reason, field="override_reason", label="Override reason",
                            limit=200)
    start, end = _span(on, at, int((appointment.end - appointment.start).total_seconds() // 60))
    if provider.id == appointment.provider_id and start == appointment.start:
        raise InvalidInput("The appointment is already then, with that provider.",
                           field="start")
    patient = Patient.get_by_id(appointment.patient_id)
    with db.write():
        if _version_now.rows(id=appointment.id) != [(version,)]:
            raise _stale(appointment)
        allowance = _bookable(provider)
        override = _refuse_outside_hours(provider, on, at, end, override_reason=override_reason,
                                         by=by)
        overbooked = _refuse_conflicts(patient, provider, start, end, allowance=allowance,
                                       overbook=overbook, ignore=appointment.id)
        now = clock.now()
        values = {"provider": provider.id, "start": start, "end": end,
                  "override_reason": override, "updated_by": by.id, "updated_at": now}
        stored = {name: getattr(Appointment, name).db_value(value)
                  for name, value in values.items()}
        if not _status_update(tuple(values)).execute(**stored, id=appointment.id,
                                                     version=version).rowcount:
            raise _stale(appointment)
        _history(appointment.id, "moved", by=by, at=now, from_provider=appointment.provider_id,
                 from_start=appointment.start, to_provider=provider.id, to_start=start,
                 note=_override_words(override, overbooked))
        detail = {"from_provider": appointment.provider_id,
                  "from_start": appointment.start.isoformat(), "provider": provider.id,
                  "start": start.isoformat()}
        if override:
            detail["override_reason"] = override
        if overbooked:
            detail["overbooked"] = True
        audit.record("appointment.moved", by=by, patient=appointment.patient_id,
                     subject=f"appointment {appointment.id}", detail=detail)
        for key in sorted({day_key(clock.local(appointment.start).date()), day_key(on)}):
            changes.record("appointment", key)
    moved = Appointment(**{**appointment.__data__, **values, "version": version + 1})
    moved._dirty.clear()
    return moved


def _stale(appointment: Appointment) -> StaleEdit:
    current = Appointment.get_or_none(Appointment.id == appointment.id)
    if current is None:
        return StaleEdit("That appointment no longer exists.")
    return StaleEdit(
        f"This appointment was changed by {current.updated_by.name} at "
        f"{clock.wall(current.updated_at)}; look again before changing it."
    )


def _refuse_status(appointment: Appointment, to: Status, allowed_from: tuple[Status, ...]
                   ) -> None:
    if Status(appointment.status) not in allowed_from:
        raise Conflict(
            f"This appointment is {Status(appointment.status).label}; it cannot be marked "
            f"{to.label}."
        )


def _transition(appointment: Appointment, to: Status, allowed_from: tuple[Status, ...], *,
                by: Staff, action: str, history_note: str = "", **values: object
                ) -> Appointment:
    """Move an appointment to a new status, if it is still what the caller saw."""
    require(by, Permission.SCHEDULE)
    _refuse_status(appointment, to, allowed_from)
    now = clock.now()
    values.update(status=to.value, updated_by=by.id, updated_at=now)
    with db.write():
        statement = _status_update(tuple(values))
        stored = {name: getattr(Appointment, name).db_value(value)
                  for name, value in values.items()}
        if not statement.execute(**stored, id=appointment.id, version=appointment.version).rowcount:
            raise _stale(appointment)
        _history(appointment.id, action.removeprefix("appointment."), by=by, at=now,
                 from_provider=appointment.provider_id, from_start=appointment.start,
                 note=history_note)
        audit.record(action, by=by, patient=appointment.patient_id,
                     subject=f"appointment {appointment.id}",
                     detail={"from": appointment.status, "to": to.value,
                             **({"note": history_note} if history_note else {})})
        changes.record("appointment", day_key(clock.local(appointment.start).date()))
    changed = Appointment(**{**appointment.__data__, **values,
                             "version": appointment.version + 1})
    changed._dirty.clear()
    return changed


@functools.cache
def _status_update(columns: tuple[str, ...]) -> db.Statement:
    """UPDATE of the given columns plus the version, guarded by the version read."""
    return db.Statement(lambda v: (
        Appointment.update({**{getattr(Appointment, name): v(name) for name in columns},
                            Appointment.version: Appointment.version + pw.SQL("1")})
        .where((Appointment.id == v("id")) & (Appointment.version == v("version")))
    ))


def confirm(appointment: Appointment, *, by: Staff) -> Appointment:
    return _transition(appointment, Status.CONFIRMED, (Status.SCHEDULED,), by=by,
                       action="appointment.confirmed")


def check_in(appointment: Appointment, *, by: Staff) -> Appointment:
    """The patient is here: mark the appointment arrived, with the time."""
    if clock.local(appointment.start).date() != clock.today():
        raise Conflict(
            f"This appointment is on {describe(clock.local(appointment.start).date())}; only "
            "today's appointments can be checked in."
        )
    return _transition(appointment, Status.ARRIVED, (Status.SCHEDULED, Status.CONFIRMED),
                       by=by, action="appointment.checked_in", arrived_at=clock.now())


def check_out(appointment: Appointment, *, by: Staff) -> Appointment:
    # From the room too: the patient leaves by the desk whether or not the rooming was marked.
    return _transition(appointment, Status.CHECKED_OUT,
                       (Status.ARRIVED, Status.ROOMED, Status.WITH_PROVIDER), by=by,
                       action="appointment.checked_out", checked_out_at=clock.now())


def is_late_cancel(appointment: Appointment, category: str) -> bool:
    """Whether cancelling now, for this cause, falls inside the late-cancel window."""
    window = timedelta(hours=config.current().late_cancel_hours)
    return (category not in _NOT_THE_PATIENTS_DOING
            and clock.now() > appointment.start - window)


def cancel(appointment: Appointment, *, category: str = "other", reason: str = "",
           by: Staff) -> Appointment:
    """Cancel, saying who or what cancelled (CANCEL_CATEGORIES) and, for "other", why.

    Inside the late-cancel window from config the appointment is marked late, unless
    the provider or the weather cancelled it.
    """
    reason = typed(reason, field="reason", label="Reason", limit=200)
    if category not in CANCEL_CATEGORIES:
        raise InvalidInput("Say who or what cancelled: the patient, the provider, the "
                           "weather or other.", field="category")
    if category == "other" and not reason:
        raise InvalidInput("Say why the appointment is cancelled.", field="reason")
    late = is_late_cancel(appointment, category)
    note = f"{category}{' (late)' if late else ''}{': ' + reason if reason else ''}"
    return _transition(appointment, Status.CANCELLED, (Status.SCHEDULED, Status.CONFIRMED),
                       by=by, action="appointment.cancelled", history_note=note,
                       cancelled_at=clock.now(), cancel_reason=reason,
                       cancel_category=category, late_cancel=late)


def mark_no_show(appointment: Appointment, *, by: Staff) -> Appointment:
    """The patient did not come: only once the start plus the grace period has passed."""
    require(by, Permission.SCHEDULE)
    _refuse_status(appointment, Status.NO_SHOW, (Status.SCHEDULED, Status.CONFIRMED))
    grace = config.current().no_show_grace_minutes
    from_then = appointment.start + timedelta(minutes=grace)
    if clock.now() < from_then:
        raise Conflict(
            f"The appointment starts at {clock.wall(appointment.start)}; a patient cannot be a "
            f"no-show before {clock.wall(from_then)} ({grace} minutes' grace)."
        )
    return _transition(appointment, Status.NO_SHOW, (Status.SCHEDULED, Status.CONFIRMED),
                       by=by, action="appointment.no_show")


def get(appointment_id: int) -> Appointment:
    found = Appointment.get_or_none(Appointment.id == appointment_id)
    if found is None:
        raise NotFound(f"There is no appointment {appointment_id}.")
    return found


# -- the day's view -----------------------------------------------------------------


@dataclass(frozen=True)
class DayAppointment:
    """One line of the day, with what the screen and scripts show of it."""

    id: int
    provider_id: int
    start: datetime
    """Aware, in the clinic's zone."""
    end: datetime
    status: Status
    patient_id: int
    patient: str
    """Filed name: `García, Maria`."""
    mrn: str
    type_name: str
    type_code: str

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class Column:
    """A provider as the schedule shows them that day."""

    id: int
    short_name: str
    display_name: str
    specialty: str
    colour: str
    hours: tuple[tuple[time, time], ...]
    away: tuple[calendar.Busy, ...] = ()
    """The provider's blocks that day (lunch, meetings, vacation...), by start time."""

    def works_at(self, at: time, until: time) -> bool:
        return any(start <= at and until <= end for start, end in self.hours)

    def away_at(self, at: time, until: time) -> calendar.Busy | None:
        """The block that covers any of `at` to `until`, if there is one."""
        return next((b for b in self.away if b.start <= until and at < b.end), None)


@dataclass(frozen=True)
class Day:
    date: date
    providers: tuple[Column, ...]
    appointments: tuple[DayAppointment, ...]
    """Sorted by start, then provider."""

    def span(self, slot_minutes: int) -> tuple[time, time]:
        """The rows to draw: from the earliest start to the latest end, on the slot grid."""
        starts = [s for p in self.providers for s, _ in p.hours]
        ends = [e for p in self.providers for _, e in p.hours]
        starts += [a.start.time() for a in self.appointments]
        ends += [a.end.time() if a.end.date() == self.date else time(23, 59)
                 for a in self.appointments]
        first = min(starts, default=time(8, 0))
        last = max(ends, default=time(17, 0))
        first_minute = (first.hour * 60 + first.minute) // slot_minutes * slot_minutes
        last_minute = -(-(last.hour * 60 + last.minute) // slot_minutes) * slot_minutes
        last_minute = min(max(last_minute, first_minute + slot_minutes), 24 * 60 - slot_minutes)
        return (time(first_minute // 60, first_minute % 60),
                time(last_minute // 60, last_minute % 60))


_day_rows = db.Statement(lambda v: (
    Appointment.select(
        Appointment.id, Appointment.provider, Appointment.start, Appointment.end,
        Appointment.status, Patient.id, Patient.last_name, Patient.first_name, Patient.mrn,
        AppointmentType.name, AppointmentType.code,
    )
    .join_from(Appointment, Patient)
    .join_from(Appointment, AppointmentType)
    .where((Appointment.start >= v("start")) & (Appointment.start < v("end")))
    .order_by(Appointment.start, Appointment.provider)
))


def day(on: date) -> Day:
    """Every active provider's hours, blocks and appointments on a clinic day."""
    providers = active_providers()
    hours = hours_on(on, providers)
    away = calendar.busy_between([p.id for p in providers], on, on)
    columns = tuple(
        Column(p.id, p.short_name, p.display_name, p.specialty, p.colour, tuple(hours[p.id]),
               tuple(away.get((p.id, on), ())))
        for p in providers
    )
    start, end = clock.day_bounds(on)
    as_stored, as_instant = Appointment.start.db_value, Appointment.start.python_value
    zone = clock.zone()
    statuses = {status.value: status for status in Status}
    appointments = tuple(
        DayAppointment(
            id=row[0], provider_id=row[1], start=as_instant(row[2]).astimezone(zone),
            end=as_instant(row[3]).astimezone(zone), status=statuses[row[4]], patient_id=row[5],
            patient=f"{row[6]}, {row[7]}", mrn=row[8], type_name=row[9], type_code=row[10],
        )
        for row in _day_rows.rows(start=as_stored(start), end=as_stored(end))
    )
    return Day(on, columns, appointments)


# -- one appointment, as the detail view shows it -------------------------------------


@dataclass(frozen=True)
class Detail:
    """Everything the appointment view shows, read in one go and audited."""

    id: int
    status: Status
    start: datetime
    end: datetime
    provider: str
    type_name: str
    minutes: int
    patient_id: int
    patient: str
    mrn: str
    dob: date
    sex: str
    phones: tuple[tuple[str, str], ...]
    reason: str
    note: str
    booked_by: str
    booked_at: datetime
    updated_by: str
    updated_at: datetime
    arrived_at: datetime | None
    checked_out_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    version: int


def detail(appointment_id: int, *, by: Staff) -> Detail:
    """Read one appointment with its patient for viewing; the view is audited."""
    require(by, Permission.VIEW_PATIENTS)
    from frontdesk.patients import phones_of

    booker = Staff.alias()
    changer = Staff.alias()
    row = (Appointment.select(Appointment, Patient, Provider, AppointmentType, booker, changer)
           .join_from(Appointment, Patient)
           .join_from(Appointment, Provider)
           .join_from(Appointment, AppointmentType)
           .join_from(Appointment, booker, on=(Appointment.booked_by == booker.id))
           .join_from(Appointment, changer, on=(Appointment.updated_by == changer.id))
           .where(Appointment.id == appointment_id).first())
    if row is None:
        raise NotFound(f"There is no appointment {appointment_id}.")
    with db.write(durable=False):  # a look, not a change
        audit.record("appointment.viewed", by=by, patient=row.patient_id,
                     subject=f"appointment {row.id}")
    zone = clock.zone()
    local = (lambda value: value.astimezone(zone) if value else None)  # noqa: E731
    return Detail(
        id=row.id, status=Status(row.status), start=local(row.start), end=local(row.end),
        provider=row.provider.display_name, type_name=row.type.name, minutes=row.type.minutes,
        patient_id=row.patient.id, patient=row.patient.filed_name, mrn=row.patient.mrn,
        dob=row.patient.dob, sex=row.patient.sex,
        phones=tuple(phones_of([row.patient]).get(row.patient.id, [])),
        reason=row.reason, note=row.note, booked_by=row.booked_by.name,
        booked_at=local(row.booked_at), updated_by=row.updated_by.name,
        updated_at=local(row.updated_at), arrived_at=local(row.arrived_at),
        checked_out_at=local(row.checked_out_at), cancelled_at=local(row.cancelled_at),
        cancel_reason=row.cancel_reason, version=row.version,
    )
