"""Phone messages: taken on a call, sent to a person or a department, worked to done.

A message is checked like any form (the field at fault is named), run through the
triage protocol (a red flag makes it urgent, and says why), and given a time by
which it is overdue. Everything that happens to it afterwards (read, replied,
forwarded, reassigned, done) is a MessageEvent, so the history stays; each change
is a compare-and-set on the message's version, so two people working one message
cannot overwrite each other. People belong to departments (StaffDepartment): the
inbox holds messages to the person and to their departments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee as pw

from frontdesk import audit, changes, clock, config, db, telephone, triage
from frontdesk.errors import InvalidInput, NotFound, StaleEdit
from frontdesk.patients import Patient
from frontdesk.phones import Call
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff
from frontdesk.text import has_control, one_line, typed

__all__ = ["REASONS", "DEPARTMENTS", "STATES", "Message", "MessageEvent", "StaffDepartment",
           "Prefill", "Recipient", "InboxRow", "EventRow", "take", "recipients",
           "set_departments", "departments_of", "everyone_departments", "inbox", "unread_count", "row", "history",
           "opened",
           "mark", "reply", "forward", "reassign", "URGENT_DUE", "TEXT_MAX", "NOTE_MAX"]

URGENT_DUE = timedelta(hours=1)
"""An urgent message is overdue after this; others after config message_due_hours."""
TEXT_MAX = 2000
NOTE_MAX = 500
_INBOX_LIMIT = 500
"""Rows one inbox shows at most (done ones included): a screenful many times over."""

REASONS = {
    "appointment": "Appointment",
    "refill": "Prescription refill",
    "results": "Test results",
    "billing": "Billing",
    "referral": "Referral",
    "records": "Records",
    "other": "Other",
}
DEPARTMENTS = {
    "nursing": "Nursing",
    "billing": "Billing",
    "records": "Medical records",
    "referrals": "Referrals",
    "front_desk": "Front desk",
}
STATES = ("new", "read", "in_progress", "done")
STATE_LABELS = {"new": "new", "read": "read", "in_progress": "in progress", "done": "done"}


class Message(db.Model):
    taken_at = db.InstantField(index=True)
    taken_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    call = pw.ForeignKeyField(Call, null=True, backref="+", on_delete="RESTRICT")
    caller_name = pw.CharField(max_length=100)
    relationship = pw.CharField(max_length=40, default="self")
    patient = pw.ForeignKeyField(Patient, null=True, backref="+", on_delete="RESTRICT")
    callback = pw.CharField(max_length=16, default="")
    """E.164."""
    best_time = pw.CharField(max_length=60, default="")
    reason = pw.CharField(max_length=20)
    text = pw.TextField()
    urgent = pw.BooleanField(default=False)
    red_flags = pw.CharField(max_length=200, default="")
    """Triage flags the text matched (ids, comma-separated): why it is urgent."""
    to_staff = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    to_department = pw.CharField(max_length=20, default="")
    state = pw.CharField(max_length=12, default="new")
    due_at = db.InstantField(null=True)
    """When it is overdue if not done."""
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = (
            (("to_staff", "state"), False),
            (("to_department", "state"), False),
        )


class MessageEvent(db.Model):
    """Everything that happened to a message, kept: read, replied, forwarded, reassigned."""

    message = pw.ForeignKeyField(Message, backref="events", on_delete="RESTRICT")
    at = db.InstantField()
    by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    action = pw.CharField(max_length=20)
    note = pw.TextField(default="")
    to_staff = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    to_department = pw.CharField(max_length=20, default="")


class StaffDepartment(db.Model):
    """A person works in a department: its messages are in their inbox."""

    staff = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    department = pw.CharField(max_length=20)

    class Meta:
        indexes = ((("staff", "department"), True), (("department",), False))


@dataclass(frozen=True)
class Prefill:
    """What a line knows when staff take a message on it."""

    call_id: int | None = None
    callback: str = ""
    """E.164 (the calling number), or empty."""
    patient_id: int | None = None
    caller_name: str = ""


@dataclass(frozen=True)
class Recipient:
    """Someone a message can be sent to: a person ("staff:12") or a department ("dept:billing")."""

    key: str
    label: str


@dataclass(frozen=True)
class InboxRow:
    """A message as the inbox lists and shows it."""

    id: int
    taken_at: datetime
    taken_by: str
    caller_name: str
    relationship: str
    patient_id: int | None
    patient_name: str
    """Filed: last, first; empty when the message is about nobody on file."""
    callback: str
    """E.164."""
    best_time: str
    reason: str
    text: str
    urgent: bool
    red_flags: tuple[str, ...]
    to_staff_id: int | None
    to_staff_name: str
    to_department: str
    state: str
    due_at: datetime | None
    version: int
    overdue: bool

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def recipient(self) -> str:
        return self.to_staff_name or DEPARTMENTS.get(self.to_department, self.to_department)


@dataclass(frozen=True)
class EventRow:
    """One thing that happened to a message, for its history."""

    at: datetime
    by: str
    action: str
    note: str
    to: str
    """Who it went to, for forwards and reassignments."""


# -- departments ------------------------------------------------------------------------

def _department(value: str, *, field: str = "department") -> str:
    if value not in DEPARTMENTS:
        raise InvalidInput(f"\"{value}\" is not a department (departments: "
                           f"{', '.join(DEPARTMENTS)}).", field=field)
    return value


def departments_of(person: Staff | int) -> list[str]:
    """The departments a person works in, in DEPARTMENTS order."""
    staff_id = getattr(person, "id", person)
    found = {row[0] for row in StaffDepartment.select(StaffDepartment.department)
             .where(StaffDepartment.staff == staff_id).tuples()}
    return [key for key in DEPARTMENTS if key in found]


def everyone_departments() -> dict[int, list[str]]:
    """Each person's departments, in DEPARTMENTS order, in one query (the staff list)."""
    found: dict[int, set[str]] = {}
    for staff_id, department in StaffDepartment.select(StaffDepartment.staff,
                                                       StaffDepartment.department).tuples():
        found.setdefault(staff_id, set()).add(department)
    return {staff_id: [key for key in DEPARTMENTS if key in kept]
            for staff_id, kept in found.items()}


def set_departments(person: Staff, departments: Iterable[str], *, by: Staff) -> list[str]:
    """Say which departments a person works in (replacing what was said before)."""
    require(by, Permission.MANAGE_STAFF)
    chosen = sorted({_department(d, field="departments") for d in departments},
                    key=list(DEPARTMENTS).index)
    with db.write():
        before = departments_of(person)
        StaffDepartment.delete().where(StaffDepartment.staff == person.id).execute()
        for department in chosen:
            StaffDepartment.create(staff=person.id, department=department)
        audit.record("staff.departments", by=by, subject=f"staff {person.id}",
                     detail={"before": before, "after": chosen})
        changes.record("message", "*")  # whose inbox holds what has changed
    return chosen


def recipients() -> list[Recipient]:
    """Everyone a message can be sent to: the departments, then the active staff by name."""
    people = Staff.select(Staff.id, Staff.name).where(Staff.active).order_by(Staff.name)
    return ([Recipient(f"dept:{key}", label) for key, label in DEPARTMENTS.items()]
            + [Recipient(f"staff:{pid}", one_line(name)) for pid, name in people.tuples()])


# -- taking a message -------------------------------------------------------------------

def _callback(value: str) -> str:
    if not value.strip():
        raise InvalidInput("Type the number to call back.", field="callback")
    return telephone.normalize(value, field="callback")


def _text(value: str) -> str:
    """The message itself: several lines allowed, control characters refused."""
    if has_control(value.replace("\r", "")):
        raise InvalidInput("The message holds control characters; retype it.", field="text")
    lines = [" ".join(line.split()) for line in value.replace("\r", "").split("\n")]
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise InvalidInput("Type the message: what the caller wants.", field="text")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"The message is longer than {TEXT_MAX} characters.", field="text")
    return text


def _reason(value: str) -> str:
    if value not in REASONS:
        raise InvalidInput("Choose the reason for the call: " + ", ".join(
            label.lower() for label in REASONS.values()) + ".", field="reason")
    return value


def _recipient(to_staff: Staff | int | None, to_department: str) -> tuple[int | None, str]:
    """The one person or department a message goes to."""
    if to_staff is None and not to_department:
        raise InvalidInput("Say who the message is for: a person or a department.",
                           field="recipient")
    if to_staff is not None and to_department:
        raise InvalidInput("Send the message to a person or a department, not both.",
                           field="recipient")
    if to_department:
        return None, _department(to_department, field="recipient")
    staff_id = getattr(to_staff, "id", to_staff)
    if not Staff.select().where((Staff.id == staff_id) & Staff.active).exists():
        raise InvalidInput("That person no longer works here; choose someone else.",
                           field="recipient")
    return staff_id, ""


def _patient_id(patient: Patient | int | None) -> int | None:
    if patient is None:
        return None
    patient_id = getattr(patient, "id", patient)
    if not Patient.select().where(Patient.id == patient_id).exists():
        raise NotFound("That patient is no longer on file; search again.", field="patient")
    return patient_id


def take(*, caller_name: str, relationship: str, patient: Patient | int | None,
         callback: str, best_time: str, reason: str, text: str, urgent: bool,
         to_staff: Staff | int | None = None, to_department: str = "",
         call: Call | int | None = None, by: Staff) -> Message:
    """Take a message for someone; a red flag in the reason or text makes it urgent."""
    require(by, Permission.ANSWER_PHONES)
    caller_name = typed(caller_name, field="caller_name", label="The caller's name", limit=100,
                        required=True)
    relationship = typed(relationship, field="relationship", label="Relationship",
                         limit=40) or "self"
    patient_id = _patient_id(patient)
    callback = _callback(callback)
    best_time = typed(best_time, field="best_time", label="Best time to call", limit=60)
    reason = _reason(reason)
    text = _text(text)
    staff_id, department = _recipient(to_staff, to_department)
    call_id = getattr(call, "id", call)
    flags = triage.match(f"{REASONS[reason]}. {text}")
    urgent = bool(urgent or flags)
    now = clock.now()
    due = now + (URGENT_DUE if urgent else timedelta(hours=config.current().message_due_hours))
    red_flags = ",".join(flag.id for flag in flags)[:200]
    with db.write():
        if call_id is not None and not Call.select().where(Call.id == call_id).exists():
            call_id = None  # the call log is a convenience here; the message matters more
        message = Message.create(
            taken_at=now, taken_by=by.id, call=call_id, caller_name=caller_name,
            relationship=relationship, patient=patient_id, callback=callback,
            best_time=best_time, reason=reason, text=text, urgent=urgent, red_flags=red_flags,
            to_staff=staff_id, to_department=department, state="new", due_at=due,
            updated_at=now, version=1)
        MessageEvent.create(message=message.id, at=now, by=by.id, action="taken",
                            to_staff=staff_id, to_department=department)
        subject = f"message {message.id}"
        audit.record("message.taken", by=by, patient=patient_id, subject=subject,
                     detail={"reason": reason, "urgent": urgent,
                             "to": f"staff {staff_id}" if staff_id else department})
        if flags:
            audit.record("message.triaged", by=by, patient=patient_id, subject=subject,
                         detail={"flags": [flag.id for flag in flags],
                                 "urgency": flags[0].urgency})
        changes.record("message", str(message.id))
    return message


# -- the inbox --------------------------------------------------------------------------

def _mine(person: Staff | int) -> pw.Expression:
    """Messages to the person, or to a department they work in (one query, no loop)."""
    staff_id = getattr(person, "id", person)
    theirs = StaffDepartment.select(StaffDepartment.department).where(
        StaffDepartment.staff == staff_id)
    return (Message.to_staff == staff_id) | Message.to_department.in_(theirs)


def _overdue(now: datetime) -> pw.Node:
    return pw.Case(None, [((Message.due_at < now) & (Message.state != "done"), 1)], 0)


def _rows(where: pw.Expression, now: datetime, *, limit: int = _INBOX_LIMIT) -> list[InboxRow]:
    TakenBy, To = Staff.alias(), Staff.alias()
    query = (Message.select(Message.id, Message.taken_at, TakenBy.name, Message.caller_name,
                            Message.relationship, Message.patient, Patient.last_name,
                            Patient.first_name, Message.callback, Message.best_time,
                            Message.reason, Message.text, Message.urgent, Message.red_flags,
                            Message.to_staff, To.name, Message.to_department, Message.state,
                            Message.due_at, Message.version)
             .join(TakenBy, on=(Message.taken_by == TakenBy.id))
             .switch(Message).join(Patient, pw.JOIN.LEFT_OUTER, on=(Message.patient == Patient.id))
             .switch(Message).join(To, pw.JOIN.LEFT_OUTER, on=(Message.to_staff == To.id))
             .where(where)
             .order_by(pw.Case(None, [(Message.state == "done", 1)], 0), Message.urgent.desc(),
                       _overdue(now).desc(), Message.taken_at.desc(), Message.id.desc())
             .limit(limit).tuples())
    rows = []
    for (mid, taken_at, taken_by, caller, relationship, patient_id, last, first, callback,
         best_time, reason, text, urgent, flags, to_id, to_name, department, state, due,
         version) in query:
        taken_at, due = Message.taken_at.python_value(taken_at), Message.due_at.python_value(due)
        rows.append(InboxRow(
            mid, taken_at, taken_by, caller, relationship, patient_id,
            f"{last}, {first}" if last else "", callback, best_time, reason, text, bool(urgent),
            tuple(f for f in flags.split(",") if f), to_id, to_name or "", department, state,
            due, version, bool(due and due < now and state != "done")))
    return rows


def inbox(person: Staff | int, *, include_done: bool = False) -> list[InboxRow]:
    """Messages to the person and to their departments: open before done, urgent first,
    then overdue, then newest."""
    where = _mine(person)
    if not include_done:
        where &= Message.state != "done"
    return _rows(where, clock.now())


def unread_count(person: Staff | int) -> int:
    """How many messages to the person or their departments nobody has opened yet."""
    return Message.select().where(_mine(person) & (Message.state == "new")).count()


def row(message_id: int) -> InboxRow:
    """One message as the inbox shows it."""
    found = _rows(Message.id == message_id, clock.now(), limit=1)
    if not found:
        raise NotFound("That message is no longer on file.")
    return found[0]


def history(message_id: int) -> list[EventRow]:
    """What happened to a message, oldest first."""
    By, To = Staff.alias(), Staff.alias()
    query = (MessageEvent.select(MessageEvent.at, By.name, MessageEvent.action,
                                 MessageEvent.note, To.name, MessageEvent.to_department)
             .join(By, on=(MessageEvent.by == By.id))
             .switch(MessageEvent).join(To, pw.JOIN.LEFT_OUTER, on=(MessageEvent.to_staff == To.id))
             .where(MessageEvent.message == message_id)
             .order_by(MessageEvent.at, MessageEvent.id).tuples())
    return [EventRow(MessageEvent.at.python_value(at), by, action, note,
                     to_name or DEPARTMENTS.get(department, department))
            for at, by, action, note, to_name, department in query]


# -- working a message ------------------------------------------------------------------

def _stale(message_id: int) -> StaleEdit:
    last = (MessageEvent.select(MessageEvent.at, Staff.name)
            .join(Staff, on=(MessageEvent.by == Staff.id))
            .where(MessageEvent.message == message_id)
            .order_by(MessageEvent.id.desc()).limit(1).tuples().first())
    if last is None:
        return StaleEdit("That message is no longer on file.")
    at, name = last
    return StaleEdit(f"This message was changed by {one_line(name)} at "
                     f"{clock.wall(MessageEvent.at.python_value(at))}; look again before "
                     "changing it.")


def _change(message: Message | InboxRow | int, *, version: int, by: Staff, action: str,
            note: str = "", **values: object) -> Message:
    """Change a message if it is still the version staff saw, and keep what happened."""
    require(by, Permission.ANSWER_PHONES)
    message_id = getattr(message, "id", message)
    now = clock.now()
    with db.write():
        updated = (Message.update(**values, updated_at=now, version=Message.version + 1)
                   .where((Message.id == message_id) & (Message.version == version)).execute())
        if not updated:
            raise _stale(message_id)
        to_staff, to_department = values.get("to_staff"), values.get("to_department", "")
        MessageEvent.create(message=message_id, at=now, by=by.id, action=action, note=note,
                            to_staff=to_staff, to_department=to_department)
        patient_id = Message.select(Message.patient).where(Message.id == message_id).scalar()
        detail: dict[str, object] = {"state": values["state"]} if "state" in values else {}
        if to_staff or to_department:
            detail["to"] = f"staff {to_staff}" if to_staff else to_department
        audit.record(f"message.{action}", by=by, patient=patient_id,
                     subject=f"message {message_id}", detail=detail)
        changes.record("message", str(message_id))
    return Message.get_by_id(message_id)


def _state(value: str) -> str:
    if value not in STATES:
        raise InvalidInput(f"\"{value}\" is not a message state ({', '.join(STATES)}).",
                           field="state")
    return value


def mark(message: Message | InboxRow | int, state: str, *, version: int, by: Staff) -> Message:
    """Mark a message new, read, in progress or done."""
    state = _state(state)
    return _change(message, version=version, by=by, action=state, state=state)


def opened(message_id: int, *, by: Staff) -> InboxRow:
    """Staff open a message: its first opening marks it read. The look is audited."""
    require(by, Permission.ANSWER_PHONES)
    found = row(message_id)
    if found.state == "new":
        try:
            _change(found, version=found.version, by=by, action="read", state="read")
        except StaleEdit:
            pass  # someone else opened or changed it a moment ago: show it as it is now
        return row(message_id)
    with db.write(durable=False):  # a look, not a change
        audit.record("message.viewed", by=by, patient=found.patient_id,
                     subject=f"message {message_id}")
    return found


def _note(note: str, *, required: bool, label: str = "The note") -> str:
    return typed(note, field="note", label=label, limit=NOTE_MAX, required=required)


def reply(message: Message | InboxRow | int, note: str, *, version: int, by: Staff) -> Message:
    """Answer a message (what was done, what was said back); it stays where it is."""
    note = _note(note, required=True, label="The reply")
    return _change(message, version=version, by=by, action="replied", note=note)


def _send(message, *, action: str, to_staff, to_department: str, note: str, version: int,
          by: Staff) -> Message:
    staff_id, department = _recipient(to_staff, to_department)
    return _change(message, version=version, by=by, action=action, note=note, state="new",
                   to_staff=staff_id, to_department=department)


def forward(message: Message | InboxRow | int, *, to_staff: Staff | int | None = None,
            to_department: str = "", note: str, version: int, by: Staff) -> Message:
    """Pass a message to someone else with a word on why; it is new in their inbox."""
    note = _note(note, required=True, label="A note on why it is forwarded")
    return _send(message, action="forwarded", to_staff=to_staff, to_department=to_department,
                 note=note, version=version, by=by)


def reassign(message: Message | InboxRow | int, *, to_staff: Staff | int | None = None,
             to_department: str = "", note: str = "", version: int, by: Staff) -> Message:
    """Send a message to whom it should have gone (a routing fix; the note is optional)."""
    note = _note(note, required=False)
    return _send(message, action="reassigned", to_staff=to_staff, to_department=to_department,
                 note=note, version=version, by=by)
