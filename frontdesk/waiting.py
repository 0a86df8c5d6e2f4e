"""The waiting room: today's patients from arrival to check-out.

A patient arrives (check-in), waits, is taken to a room, is seen by the
provider and leaves by the desk. Each step is a status change of the
appointment, made through `schedule._transition`, so it is checked against the
version staff saw, audited, and sent down the change feed like any other.

The clock each row shows counts the stretch the patient is in now: in the
waiting room from arrival until roomed, in the room from rooming until the
provider comes in, with the provider from then until check-out. A wait is
long when a patient is still in the waiting room past the clinic's
`long_wait_minutes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from frontdesk import clock, config
from frontdesk.errors import Conflict
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment, Status, _transition
from frontdesk.staff import Staff
from frontdesk.text import typed

__all__ = ["Waiting", "room", "with_provider", "room_list", "CAN_ROOM", "CAN_SEE", "HERE",
           "ROOM_LIMIT"]

ROOM_LIMIT = 20
"""Longest room name: what the appointment's room column holds."""

HERE = (Status.ARRIVED, Status.ROOMED, Status.WITH_PROVIDER, Status.CHECKED_OUT)
"""The statuses the waiting room lists: arrived today, whether gone yet or not."""

CAN_ROOM = (Status.ARRIVED, Status.ROOMED)
"""From the waiting room, or from one room to another."""

CAN_SEE = (Status.ARRIVED, Status.ROOMED)
"""The provider may fetch a patient straight from the waiting room."""

_ORDER = {Status.ARRIVED: 0, Status.ROOMED: 1, Status.WITH_PROVIDER: 2, Status.CHECKED_OUT: 3}


def room(appointment: Appointment, room: str, *, by: Staff) -> Appointment:
    """Take the patient to a room, or move them to another one."""
    require(by, Permission.SCHEDULE)
    room = typed(room, field="room", label="Room", limit=ROOM_LIMIT, required=True)
    values: dict[str, object] = {"room": room}
    if Status(appointment.status) is Status.ROOMED and room == appointment.room:
        raise Conflict(f"This patient is already in {room}.", field="room")
    if Status(appointment.status) is Status.ARRIVED:
        # A move keeps the time first roomed: the clock counts the time since the
        # patient left the waiting room, not since the last change of door.
        values["roomed_at"] = clock.now()
    return _transition(appointment, Status.ROOMED, CAN_ROOM, by=by,
                       action="appointment.roomed", **values)


def with_provider(appointment: Appointment, *, by: Staff) -> Appointment:
    """The provider has come in to see the patient.

    Allowed straight from the waiting room: in a small practice the provider often
    calls the patient in themselves, and refusing would make staff invent a room to
    press two keys. The rooming time is then the same instant, so the wait in the
    waiting room ends when the provider took the patient.
    """
    now = clock.now()
    values: dict[str, object] = {"seen_at": now}
    if Status(appointment.status) is Status.ARRIVED:
        values["roomed_at"] = now
    return _transition(appointment, Status.WITH_PROVIDER, CAN_SEE, by=by,
                       action="appointment.with_provider", **values)


@dataclass(frozen=True)
class Waiting:
    """One patient in today's waiting room, as the desk sees them."""

    appointment: Appointment
    """The row as read: its version guards a change against a stale screen."""
    id: int
    version: int
    patient_id: int
    patient: str
    """Filed name: `García, María`."""
    mrn: str
    provider: str
    """Short name: `Dr. Patel`."""
    start: datetime
    """When the appointment was booked for; aware, in the clinic's zone."""
    state: Status
    room: str
    arrived_at: datetime | None
    """Instants, UTC."""
    roomed_at: datetime | None
    seen_at: datetime | None
    checked_out_at: datetime | None

    @property
    def since(self) -> datetime | None:
        """When the stretch the patient is in now began; None once they have left."""
        return {Status.ARRIVED: self.arrived_at, Status.ROOMED: self.roomed_at,
                Status.WITH_PROVIDER: self.seen_at}.get(self.state)

    def minutes(self, now: datetime) -> int | None:
        """Whole minutes in the present stretch (waiting room, room or with the
        provider); None once checked out."""
        return _minutes(self.since, now)

    def waited(self, now: datetime) -> int | None:
        """Whole minutes in the waiting room: from arrival to rooming, or to now."""
        return _minutes(self.arrived_at, self.roomed_at or now)

    def long_wait(self, now: datetime) -> bool:
        """Still in the waiting room, for the clinic's long-wait minutes or more."""
        if self.state is not Status.ARRIVED:
            return False
        minutes = self.minutes(now)
        return minutes is not None and minutes >= config.current().long_wait_minutes

    @property
    def order(self) -> tuple:
        """Waiting first, the longest wait on top; then roomed, then with the provider,
        each longest first; the checked out last, the latest to leave first."""
        if self.state is Status.CHECKED_OUT:
            left = self.checked_out_at.timestamp() if self.checked_out_at else 0.0
            return (_ORDER[self.state], -left, self.id)
        since = self.since.timestamp() if self.since else 0.0
        return (_ORDER[self.state], since, self.id)


def _minutes(start: datetime | None, end: datetime) -> int | None:
    if start is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))


def room_list(on: date) -> list[Waiting]:
    """Everyone who arrived for an appointment on a clinic day, in one query."""
    start, end = clock.day_bounds(on)
    query = (Appointment
             .select(Appointment, Patient.id, Patient.first_name, Patient.last_name,
                     Patient.mrn, Provider.id, Provider.first_name, Provider.last_name,
                     Provider.credentials)
             .join_from(Appointment, Patient)
             .join_from(Appointment, Provider)
             .where((Appointment.start >= start) & (Appointment.start < end)
                    & Appointment.status.in_([status.value for status in HERE])))
    zone = clock.zone()
    rows = [
        Waiting(appointment=row, id=row.id, version=row.version, patient_id=row.patient.id,
                patient=row.patient.filed_name, mrn=row.patient.mrn,
                provider=row.provider.short_name, start=row.start.astimezone(zone),
                state=Status(row.status), room=row.room, arrived_at=row.arrived_at,
                roomed_at=row.roomed_at, seen_at=row.seen_at,
                checked_out_at=row.checked_out_at)
        for row in query
    ]
    return sorted(rows, key=lambda waiting: waiting.order)
