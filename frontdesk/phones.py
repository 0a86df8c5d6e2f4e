"""The desk's phone lines, as every terminal sees them: who rings, who has which line.

frontdesk does not carry the audio (the desk phone or the PBX does); it carries
the state. A line's row is shared through the database, so every terminal shows
the same lines; each change is a compare-and-set on the line's version, so two
people pressing "answer" at once cannot both get the caller. Every call is kept
in the call log with its times and how it ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import peewee as pw

from frontdesk import audit, changes, clock, config, db, telephone
from frontdesk.errors import Conflict, InvalidInput, NotFound
from frontdesk.patients import Patient, PatientPhone
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff
from frontdesk.text import typed

__all__ = ["LineState", "Disposition", "PhoneLine", "Call", "Line", "Caller", "lines", "ring",
           "ring_by_hand", "answer", "hold", "hang_up", "end", "callers", "attach_patient",
           "UNKNOWN"]

UNKNOWN = ""
"""A caller whose number did not come through (withheld, or a line without caller ID)."""


class LineState(StrEnum):
    IDLE = "idle"
    RINGING = "ringing"
    ON_CALL = "on_call"
    ON_HOLD = "on_hold"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Disposition(StrEnum):
    RESOLVED = "resolved"
    MESSAGE = "message"
    BOOKED = "booked"
    TRANSFERRED = "transferred"
    URGENT = "urgent"
    MISSED = "missed"
    """Nobody answered before the caller hung up."""

    @property
    def label(self) -> str:
        return _DISPOSITIONS[self]


_DISPOSITIONS = {
    Disposition.RESOLVED: "resolved",
    Disposition.MESSAGE: "message taken",
    Disposition.BOOKED: "appointment booked",
    Disposition.TRANSFERRED: "transferred",
    Disposition.URGENT: "triaged urgent",
    Disposition.MISSED: "missed",
}


class Call(db.Model):
    """One call, from the first ring to the end: the call log."""

    line = pw.SmallIntegerField()
    caller = pw.CharField(max_length=16, default=UNKNOWN)
    """E.164, or empty when the number did not come through."""
    patient = pw.ForeignKeyField(Patient, null=True, backref="+", on_delete="RESTRICT")
    """Who the caller turned out to be (or was calling about), once staff know."""
    rang_at = db.InstantField(index=True)
    answered_at = db.InstantField(null=True)
    answered_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    ended_at = db.InstantField(null=True)
    disposition = pw.CharField(max_length=20, default="")
    note = pw.CharField(max_length=200, default="")


class PhoneLine(db.Model):
    number = pw.SmallIntegerField(unique=True)
    state = pw.CharField(max_length=10, default=LineState.IDLE.value)
    call = pw.ForeignKeyField(Call, null=True, backref="+", on_delete="RESTRICT")
    staff = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    """Who has the line (on call or holding it)."""
    since = db.InstantField(null=True)
    """When the line entered its state: how long it has rung, or been on hold."""
    version = pw.IntegerField(default=1)


@dataclass(frozen=True)
class Line:
    """A line as the phone bar draws it."""

    number: int
    state: LineState
    since: datetime | None
    caller: str
    """E.164 or UNKNOWN."""
    call_id: int | None
    staff_id: int | None
    staff_name: str
    patient_id: int | None
    patient_name: str
    version: int


@dataclass(frozen=True)
class Caller:
    """A patient who has the calling number."""

    patient_id: int
    mrn: str
    name: str
    """Filed: last, first."""
    dob: object
    kind: str
    """mobile, home or work: which of their numbers it is."""


# -- reading ------------------------------------------------------------------------------

def _line_rows() -> list[tuple]:
    StaffOnLine = Staff.alias()
    return list(
        PhoneLine.select(PhoneLine.number, PhoneLine.state, PhoneLine.since, Call.caller,
                         PhoneLine.call, PhoneLine.staff, StaffOnLine.name, Call.patient,
                         Patient.last_name, Patient.first_name, PhoneLine.version)
        .join(Call, pw.JOIN.LEFT_OUTER, on=(PhoneLine.call == Call.id))
        .join(Patient, pw.JOIN.LEFT_OUTER, on=(Call.patient == Patient.id))
        .switch(PhoneLine)
        .join(StaffOnLine, pw.JOIN.LEFT_OUTER, on=(PhoneLine.staff == StaffOnLine.id))
        .order_by(PhoneLine.number).tuples())


def lines() -> list[Line]:
    """Every line of the desk, in order, as they are now (how many: config phone_lines)."""
    found = {row[0]: row for row in _line_rows()}
    result = []
    for number in range(1, config.current().phone_lines + 1):
        if number not in found:  # never rung yet: its row is made on first use
            result.append(Line(number, LineState.IDLE, None, UNKNOWN, None, None, "", None,
                               "", 1))
            continue
        (_, state, since, caller, call_id, staff_id, staff_name, patient_id, last, first,
         version) = found[number]
        result.append(Line(number, LineState(state), since, caller or UNKNOWN, call_id,
                           staff_id, staff_name or "", patient_id,
                           f"{last}, {first}" if last else "", version))
    return result


def line(number: int) -> Line:
    _check_number(number)
    return next(found for found in lines() if found.number == number)


def _check_number(number: int) -> None:
    count = config.current().phone_lines
    if not 1 <= number <= count:
        raise NotFound(f"There is no line {number}: the desk has lines 1 to {count} "
                       "(phone_lines in the configuration).")


_callers = db.Statement(
    lambda v: PatientPhone.select(PatientPhone.patient, Patient.mrn, Patient.last_name,
                                  Patient.first_name, Patient.dob, PatientPhone.kind)
    .join(Patient, on=(PatientPhone.patient == Patient.id))
    .where((PatientPhone.number == v("number")) & Patient.active)
    .order_by(Patient.last_key, Patient.first_key))


def callers(number: str) -> list[Caller]:
    """The patients a calling number belongs to (a family may share one), by name."""
    if not number:
        return []
    return [Caller(pid, mrn, f"{last}, {first}", Patient.dob.python_value(dob), kind)
            for pid, mrn, last, first, dob, kind in _callers.rows(number=number)]


# -- changing -----------------------------------------------------------------------------

def _row(number: int) -> PhoneLine:
    """The line's row, made on first use (inside the caller's write)."""
    found = PhoneLine.get_or_none(PhoneLine.number == number)
    if found is None:
        found = PhoneLine.create(number=number, state=LineState.IDLE.value)
    return found


def _set(row: PhoneLine, seen_version: int | None, **values) -> None:
    """Compare-and-set: the line must still be as the terminal saw it."""
    expected = row.version if seen_version is None else seen_version
    values.update(version=expected + 1)
    updated = (PhoneLine.update(**values)
               .where((PhoneLine.id == row.id) & (PhoneLine.version == expected)).execute())
    if not updated:
        raise Conflict(f"Line {row.number} changed a moment ago; look at the phone bar again.")
    changes.record("phone", str(row.number))


def ring(number: int, caller: str, *, by: Staff | None = None) -> Line:
    """The PBX (or staff) says line `number` is ringing, from `caller` as it arrived.

    A number that cannot be read is kept out (the line rings as "unknown caller")
    rather than refused: the phone rings either way.
    """
    _check_number(number)
    try:
        e164 = telephone.normalize(caller) if caller.strip() else UNKNOWN
    except InvalidInput:
        e164 = UNKNOWN
    now = clock.now()
    with db.write():
        row = _row(number)
        if row.state != LineState.IDLE.value:
            _close_call(row, Disposition.MISSED if row.state == LineState.RINGING.value
                        else Disposition.RESOLVED, now)
        matched = callers(e164)
        call = Call.create(line=number, caller=e164, rang_at=now,
                           patient=matched[0].patient_id if len(matched) == 1 else None)
        _set(row, None, state=LineState.RINGING.value, call=call.id, staff=None, since=now)
        audit.record("phone.rang", by=by, patient=call.patient_id,
                     subject=f"line {number}", detail={"caller": e164 or "unknown"})
    return line(number)


def ring_by_hand(number: int, caller: str, *, by: Staff) -> Line:
    """Staff mark a line ringing themselves (no caller ID): the number if they have it."""
    require(by, Permission.ANSWER_PHONES)
    if caller.strip():
        telephone.normalize(caller, field="caller")  # typed by staff: a bad number is said
    return ring(number, caller, by=by)


def answer(number: int, *, version: int, by: Staff) -> Line:
    """Take a ringing line, or pick up one's own held line."""
    require(by, Permission.ANSWER_PHONES)
    _check_number(number)
    now = clock.now()
    with db.write():
        row = _row(number)
        state = LineState(row.state)
        if state is LineState.IDLE:
            raise Conflict(f"Line {number} is not ringing.")
        if state is LineState.ON_CALL and row.staff_id != by.id:
            raise Conflict(f"Line {number} is already answered by {_name(row.staff_id)}.")
        if state is LineState.ON_CALL:
            return line(number)  # already ours
        _set(row, version, state=LineState.ON_CALL.value, staff=by.id, since=now)
        if state is LineState.RINGING:
            Call.update(answered_at=now, answered_by=by.id).where(Call.id == row.call_id).execute()
        audit.record("phone.answered" if state is LineState.RINGING else "phone.resumed",
                     by=by, subject=f"line {number}")
    return line(number)


def hold(number: int, *, version: int, by: Staff) -> Line:
    require(by, Permission.ANSWER_PHONES)
    _check_number(number)
    with db.write():
        row = _row(number)
        if row.state != LineState.ON_CALL.value:
            raise Conflict(f"Line {number} is not on a call.")
        _set(row, version, state=LineState.ON_HOLD.value, since=clock.now())
        audit.record("phone.held", by=by, subject=f"line {number}")
    return line(number)


def end(number: int, disposition: Disposition | str, *, version: int, by: Staff,
        note: str = "", patient: Patient | int | None = None) -> None:
    """Staff end the call on their line, saying how it ended."""
    require(by, Permission.ANSWER_PHONES)
    _check_number(number)
    disposition = _disposition(disposition)
    note = typed(note, field="note", label="Note", limit=200)
    with db.write():
        row = _row(number)
        if row.state not in (LineState.ON_CALL.value, LineState.ON_HOLD.value):
            raise Conflict(f"Line {number} has no call to end.")
        if patient is not None:
            Call.update(patient=getattr(patient, "id", patient)).where(
                Call.id == row.call_id).execute()
        _close_call(row, disposition, clock.now(), note=note)
        _set(row, version, state=LineState.IDLE.value, call=None, staff=None, since=None)
        audit.record("phone.ended", by=by, subject=f"line {number}",
                     detail={"disposition": disposition.value})


def attach_patient(number: int, patient: Patient | int, *, by: Staff) -> Line:
    """Staff say who the caller on their line is (or is calling about): the call log
    keeps it, and every phone bar shows the name. The line's state is unchanged, so
    its version is too: nobody's next answer or hold is refused for it."""
    require(by, Permission.ANSWER_PHONES)
    _check_number(number)
    patient_id = getattr(patient, "id", patient)
    with db.write():
        row = _row(number)
        if row.state not in (LineState.ON_CALL.value, LineState.ON_HOLD.value):
            raise Conflict(f"Line {number} has no call to note a patient on.")
        if not Patient.select().where(Patient.id == patient_id).exists():
            raise NotFound("That patient is no longer on file.")
        Call.update(patient=patient_id).where(Call.id == row.call_id).execute()
        changes.record("phone", str(number))
        audit.record("phone.patient", by=by, patient=patient_id, subject=f"line {number}")
    return line(number)


def hang_up(number: int, *, by: Staff | None = None) -> None:
    """The caller (or the PBX) hung up: the line is free, whatever it was doing."""
    _check_number(number)
    with db.write():
        row = _row(number)
        if row.state == LineState.IDLE.value:
            return
        ringing = row.state == LineState.RINGING.value
        _close_call(row, Disposition.MISSED if ringing else Disposition.RESOLVED, clock.now())
        _set(row, None, state=LineState.IDLE.value, call=None, staff=None, since=None)
        audit.record("phone.hung_up", by=by, subject=f"line {number}")


def _close_call(row: PhoneLine, disposition: Disposition, now: datetime, note: str = "") -> None:
    if row.call_id is not None:
        (Call.update(ended_at=now, disposition=disposition.value, note=note)
         .where((Call.id == row.call_id) & Call.ended_at.is_null()).execute())


def _disposition(value: Disposition | str) -> Disposition:
    try:
        chosen = Disposition(value)
    except ValueError:
        raise InvalidInput("Say how the call ended: " + ", ".join(
            d.label for d in Disposition if d is not Disposition.MISSED) + ".",
            field="disposition") from None
    if chosen is Disposition.MISSED:
        raise InvalidInput("An answered call cannot end as missed.", field="disposition")
    return chosen


def _name(staff_id: int | None) -> str:
    return Staff.get_by_id(staff_id).name if staff_id else "someone"
