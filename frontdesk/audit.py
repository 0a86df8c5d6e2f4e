"""The audit trail: who looked at or changed what, and when.

Events form a hash chain: each carries a SHA-256 over its own content and the
previous event's hash, and a one-row head records the newest event. An edited or
deleted event breaks the chain; events cut from the end disagree with the head.
Events are written in the same transaction as what they record, so a change that
cannot be audited does not happen.

`report` is the access report: who looked at or changed a patient, or what one
staff member looked at or did, over clinic days. Reading it is itself audited.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import peewee as pw

from frontdesk import clock, db
from frontdesk.dates import short
from frontdesk.db import InstantField, Model
from frontdesk.errors import InvalidInput, NotFound
from frontdesk.roles import Permission, require

__all__ = ["AuditEvent", "AuditHead", "record", "verify", "ChainReport", "GENESIS",
           "ReportRow", "report", "plain_action", "REPORT_LIMIT", "COMMAND_LINE", "os_user"]

GENESIS = "0" * 64
"""The 'previous hash' of the first event."""

_SECRET_KEYS = ("password", "card", "ssn", "secret")


class AuditEvent(Model):
    at = InstantField(index=True)
    staff_id = pw.IntegerField(null=True)
    action = pw.CharField(max_length=60)
    patient_id = pw.IntegerField(null=True)
    subject = pw.CharField(max_length=120, default="")
    detail = pw.TextField(default="{}")
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)

    class Meta:
        # The access reports ask "this person, these days" and "this patient, these days".
        indexes = ((("staff_id", "at"), False), (("patient_id", "at"), False))


class AuditHead(Model):
    """The newest event's id and hash: what makes truncation visible."""

    last_id = pw.IntegerField()
    last_hash = pw.CharField(max_length=64)


def _digest(event_id: int, at: str, staff_id: int | None, action: str,
            patient_id: int | None, subject: str, detail: str, prev_hash: str) -> str:
    body = json.dumps(
        [event_id, at, staff_id, action, patient_id, subject, detail, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _scrub(detail: Any) -> Any:
    """Drop anything that looks like a secret before it can reach the log, at any depth."""
    if isinstance(detail, dict):
        return {
            key: ("[withheld]" if any(word in str(key).lower() for word in _SECRET_KEYS)
                  else _scrub(value))
            for key, value in detail.items()
        }
    if isinstance(detail, (list, tuple)):
        return [_scrub(value) for value in detail]
    return detail


def record(action: str, *, by: Any = None, patient: Any = None, subject: str = "",
           detail: dict[str, Any] | None = None) -> int:
    """Append one event and return its id; call inside the `db.write()` of what it records.

    `by` and `patient` take a model instance or an id (or None).
    """
    staff_id = getattr(by, "id", by)
    patient_id = getattr(patient, "id", patient)
    detail_text = json.dumps(_scrub(detail or {}), ensure_ascii=False, sort_keys=True,
                             default=str)
    database = AuditEvent._meta.database
    # Hand-written SQL: every write in the program passes here, and building
    # these statements through the query builder costs more than running them.
    head = database.execute_sql(_sql(database, "head")).fetchone()
    event_id, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    at_text = AuditEvent.at.db_value(clock.now())
    digest = _digest(event_id, at_text, staff_id, action, patient_id, subject, detail_text,
                     prev_hash)
    database.execute_sql(_sql(database, "insert"), (
        event_id, at_text, staff_id, action, patient_id, subject, detail_text, prev_hash, digest))
    database.execute_sql(_sql(database, "move_head" if head else "start_head"),
                         (event_id, digest))
    return event_id


def _sql(database, name: str) -> str:
    p = database.param
    return {
        "head": "SELECT last_id, last_hash FROM audit_head WHERE id = 1",
        "insert": "INSERT INTO audit_event (id, at, staff_id, action, patient_id, subject, "
                  f"detail, prev_hash, hash) VALUES ({', '.join([p] * 9)})",
        "move_head": f"UPDATE audit_head SET last_id = {p}, last_hash = {p} WHERE id = 1",
        "start_head": f"INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, {p}, {p})",
    }[name]


@dataclass(frozen=True)
class ChainReport:
    whole: bool
    events: int
    broken_at: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.whole:
            return f"The audit chain is whole: {self.events} events."
        return f"The audit chain is broken at event {self.broken_at}: {self.reason}."


def verify(batch: int = 50_000) -> ChainReport:
    """Walk the chain from the first event and name the first one that is wrong."""
    expected_id, prev_hash, count = 1, GENESIS, 0
    # Raw rows: the hash was taken over the stored text, not over converted values.
    db = AuditEvent._meta.database
    sql = ("SELECT id, at, staff_id, action, patient_id, subject, detail, prev_hash, hash "
           f"FROM audit_event WHERE id > {db.param} ORDER BY id LIMIT {db.param}")
    last_seen = 0
    while True:
        chunk = db.execute_sql(sql, (last_seen, batch)).fetchall()
        if not chunk:
            break
        for event_id, at, staff_id, action, patient_id, subject, detail, prev, digest in chunk:
            if event_id != expected_id:
                return ChainReport(False, count, expected_id, "this event is missing")
            if prev != prev_hash:
                return ChainReport(False, count, event_id, "it does not follow the event before it")
            if _digest(event_id, at, staff_id, action, patient_id, subject, detail, prev) != digest:
                return ChainReport(False, count, event_id, "its content was changed")
            prev_hash, expected_id, count = digest, expected_id + 1, count + 1
        last_seen = chunk[-1][0]
    head = AuditHead.get_or_none(AuditHead.id == 1)
    if head is None:
        if count:
            return ChainReport(False, count, count, "the chain's head record is missing")
        return ChainReport(True, 0)
    if head.last_id != count or head.last_hash != prev_hash:
        return ChainReport(False, count, count + 1 if head.last_id > count else head.last_id,
                           f"events after {count} were removed (the head says {head.last_id})")
    return ChainReport(True, count)


# -- the access report ---------------------------------------------------------------

REPORT_LIMIT = 1000
"""The newest events a report shows unless asked for more (None asks for all)."""

_PLAIN = {
    "appointment.viewed": "opened an appointment",
    "appointment.booked": "booked an appointment",
    "appointment.confirmed": "confirmed an appointment",
    "appointment.checked_in": "checked a patient in",
    "appointment.checked_out": "checked a patient out",
    "appointment.roomed": "took a patient to a room",
    "appointment.with_provider": "marked a patient with the provider",
    "appointment.cancelled": "cancelled an appointment",
    "appointment.no_show": "marked a no-show",
    "appointment_type.created": "added a visit type",
    "patient.created": "registered a patient",
    "patient.searched": "searched for patients",
    "appointment.moved": "moved an appointment",
    "appointment.series_booked": "booked a series of appointments",
    "calendar.on_call_removed": "removed an on-call turn",
    "calendar.on_call_set": "set who is on call",
    "message.taken": "took a phone message",
    "message.triaged": "a phone message raised a red flag",
    "message.viewed": "read a phone message",
    "phone.patient": "noted who a caller is",
    "staff.departments": "changed someone's departments",
    "waitlist.added": "put a patient on the waitlist",
    "waitlist.booked": "booked a patient from the waitlist",
    "waitlist.removed": "took a patient off the waitlist",
    "phone.rang": "a line rang",
    "phone.answered": "answered a call",
    "phone.held": "put a call on hold",
    "phone.resumed": "took a call off hold",
    "phone.ended": "ended a call",
    "phone.hung_up": "the caller hung up",
    "patients.imported": "imported patients from a file",
    "patient.created_many": "registered patients in bulk",
    "patient.viewed": "opened a patient's record",
    "patient.updated": "changed a patient's demographics",
    "patient.status_set": "marked a patient inactive or deceased (or undid it)",
    "patient.verified": "verified demographics with the patient",
    "patient.contact_added": "added a contact to a patient",
    "patient.contact_removed": "removed a contact from a patient",
    "patient.duplicates_shown": "was shown possible duplicate patients",
    "coverage.added": "added insurance coverage",
    "coverage.changed": "changed insurance coverage",
    "coverage.ended": "ended insurance coverage",
    "coverage.viewed": "looked at a patient's coverages",
    "referral.added": "added a referral",
    "referral.changed": "changed a referral",
    "referral.used": "a checked-out visit used a referral",
    "authorization.added": "added a prior authorization",
    "authorization.changed": "changed a prior authorization",
    "authorization.used": "a checked-out visit used a prior authorization",
    "referrals.viewed": "looked at a patient's referrals and authorizations",
    "referrals.worklist_viewed": "read the referral and authorization worklist",
    "payer.changed": "changed a payer",
    "payer.activated": "brought a payer back on the list",
    "payer.deactivated": "deactivated a payer",
    "fee.added": "added a procedure code to the fee schedule",
    "fee.changed": "changed an allowed amount in the fee schedule",
    "visit_codes.set": "set the procedure codes of a visit type",
    "coverage.verified": "recorded what the payer said of a coverage (eligibility)",
    "coverage.verification_viewed": "opened an eligibility answer",
    "eligibility.requested": "asked a payer about a coverage (270)",
    "form.signed": "recorded a signed intake form",
    "form.signed_many": "recorded signed intake forms in bulk",
    "payer.created": "added a payer",
    "provider.created": "added a provider",
    "provider.hours_set": "set a provider's hours",
    "signin": "signed in",
    "signin.failed": "failed sign-in",
    "signin.locked": "account locked after failed sign-ins",
    "signin.refused_locked": "sign-in refused while locked",
    "signout": "signed out",
    "screen.locked": "locked the screen",
    "screen.unlocked": "unlocked the screen",
    "staff.created": "added a staff account",
    "staff.deactivated": "deactivated a staff account",
    "staff.reactivated": "reactivated a staff account",
    "staff.role_changed": "changed a staff member's role",
    "staff.password_reset": "reset a password",
    "staff.password_changed": "changed their password",
    "audit.report": "read the audit report",
    "database.backed_up": "backed up the database",
    "database.restored": "restored the database",
    "payment.taken": "took a payment",
    "payment.voided": "voided a payment",
    "payment.refunded": "refunded a payment",
    "payment.receipt_reprinted": "reprinted a receipt",
    "payment.history_viewed": "looked at a patient's payments",
    "payment.viewed": "looked up a payment by its receipt number",
    "printout.saved": "saved a receipt or drawer report as a PDF file",
    "drawer.opened": "opened a cash drawer",
    "drawer.closed": "closed a cash drawer",
    "drawer.report_read": "read the end-of-day drawer report",
    "balances.imported": "imported balances from the billing system",
}


def plain_action(code: str) -> str:
    """An action code as staff would say it; a code nobody has worded yet, as is."""
    return _PLAIN.get(code, code)


@dataclass(frozen=True)
class ReportRow:
    """One event of an access report, ready to show (text still needs cleaning to draw)."""

    id: int
    at: datetime
    """Aware, on the clinic's wall clock."""
    staff: str
    """The person's name, "command line (os user X)" or "unknown user"."""
    username: str
    """Empty when nobody signed in did it."""
    action: str
    """In plain words: "opened an appointment"."""
    code: str
    """The stored action code: "appointment.viewed"."""
    mrn: str
    """Empty when the event is about no patient."""
    patient: str
    """Filed name: `García, María`; empty when the event is about no patient."""
    subject: str
    detail: str
    """A short line; the full detail stays in the trail."""


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password file
        return "unknown"


def _who(staff_id: int | None, name: str | None, detail: dict[str, Any]) -> str:
    if staff_id is None:
        user = detail.get("os_user")
        return f"command line (os user {user})" if user else "unknown user"
    return name if name is not None else f"staff {staff_id} (no longer on file)"


def _as_staff_read(text: str) -> str | None:
    """A stored ISO day or instant ("2026-12-14T18:45:00+00:00") as staff read it, or None."""
    if len(text) < 10 or text[4:5] != "-":
        return None
    try:
        if len(text) == 10:
            return short(date.fromisoformat(text))
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return f"{short(clock.local(moment).date())} {clock.wall(moment)}"


def _short(value: Any) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
        text = _as_staff_read(text) or text
    return text if len(text) <= 40 else text[:39] + "…"


def _short_detail(detail: dict[str, Any]) -> str:
    """The gist of an event's detail on one line: a change as "from X to Y"."""
    if detail.keys() == {"from", "to"}:
        return f"from {_short(detail['from'])} to {_short(detail['to'])}"
    if isinstance(detail.get("before"), dict) and isinstance(detail.get("after"), dict):
        return ", ".join(f"{key}: {_short(detail['before'].get(key))} → {_short(value)}"
                         for key, value in detail["after"].items())
    return ", ".join(f"{key.replace('_', ' ')}: {_short(value)}"
                     for key, value in detail.items() if key != "os_user")


def _criteria(patient_mrn: str | None, staff_username: str | None,
              start: date | None, end: date | None) -> None:
    if (patient_mrn is None) == (staff_username is None):
        raise InvalidInput("Give a patient's MRN or a staff member's username (one of them).")
    if start and end and start > end:
        raise InvalidInput(f"The report cannot start ({start:%m/%d/%Y}) after it ends "
                           f"({end:%m/%d/%Y}).", field="start")


def _report_query(*, patient_id: int | None, staff_id: int | None, start: date | None,
                  end: date | None, limit: int | None) -> pw.Query:
    # Imported here: staff and patients record audit events, so they import this module.
    from frontdesk.patients import Patient
    from frontdesk.staff import Staff

    query = (AuditEvent
             .select(AuditEvent.id, AuditEvent.at, AuditEvent.staff_id, Staff.name,
                     Staff.username, AuditEvent.action, Patient.mrn, Patient.last_name,
                     Patient.first_name, AuditEvent.subject, AuditEvent.detail)
             .join(Staff, pw.JOIN.LEFT_OUTER, on=(AuditEvent.staff_id == Staff.id))
             .join_from(AuditEvent, Patient, pw.JOIN.LEFT_OUTER,
                        on=(AuditEvent.patient_id == Patient.id)))
    # One equality on an indexed column (patient_id or staff_id) leads the search and
    # the day bounds filter what it finds. Newest first, so a limit keeps the latest.
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    else:
        query = query.where(AuditEvent.staff_id == staff_id)
    if start is not None:
        query = query.where(AuditEvent.at >= clock.day_bounds(start)[0])
    if end is not None:
        query = query.where(AuditEvent.at < clock.day_bounds(end)[1])
    # In chain order (id), which is the order events were written: SQLite reads it
    # straight off the single-column index (its entries end in the row id), where
    # ordering by `at` sorted every event of the person first (0.5 s for a desk
    # person's 250,000 events, 5 ms this way). It also stays true if a clock steps back.
    query = query.order_by(AuditEvent.id.desc())
    return query.limit(limit) if limit is not None else query


def _row(values: tuple) -> ReportRow:
    (event_id, at, staff_id, name, username, code, mrn, last, first, subject,
     detail_text) = values
    try:
        detail = json.loads(detail_text)
    except ValueError:  # written by hand into the file: show it, do not fail the report
        detail = {"text": detail_text}
    detail = detail if isinstance(detail, dict) else {"value": detail}
    return ReportRow(
        id=event_id, at=clock.local(at), staff=_who(staff_id, name, detail),
        username=username or "", action=plain_action(code), code=code, mrn=mrn or "",
        patient=f"{last}, {first}" if mrn else "", subject=subject,
        detail=_short_detail(detail),
    )


def _find(patient_mrn: str | None, staff_username: str | None) -> tuple[Any, Any]:
    """(patient, None) or (None, staff member) named by the criteria, or `NotFound`."""
    from frontdesk.patients import Patient
    from frontdesk.staff import Staff

    if patient_mrn is not None:
        patient = Patient.get_or_none(Patient.mrn == patient_mrn)
        if patient is None:
            raise NotFound(f"There is no patient with MRN {patient_mrn}.", field="mrn")
        return patient, None
    person = Staff.get_or_none(Staff.username == staff_username)
    if person is None:
        raise NotFound(f"There is no staff member with the username {staff_username}.",
                       field="username")
    return None, person


class _CommandLine:
    """Who acts when nobody is signed in: the command line on the clinic server, run by
    someone who can already read the database file. Named, not None, so that a screen
    that lost its signed-in person is refused rather than let through."""

    id = None

    def __repr__(self) -> str:
        return "COMMAND_LINE"


COMMAND_LINE = _CommandLine()


def report(*, by: Any, patient_mrn: str | None = None, staff_username: str | None = None,
           start: date | None = None, end: date | None = None,
           limit: int | None = REPORT_LIMIT) -> list[ReportRow]:
    """Who looked at or changed a patient, or what a staff member looked at or did.

    Days are the clinic's, both ends included. Newest first, in the order the
    events were written (the chain's, which a clock set back cannot disturb).
    `by` is the person signed in, or COMMAND_LINE, whose operating-system user is
    recorded instead. Reading the report is itself an
    audited event: if it cannot be recorded, the report is not shown.
    """
    if by is not COMMAND_LINE:
        require(by, Permission.READ_AUDIT)
    patient_mrn = (patient_mrn or "").strip() or None
    staff_username = (staff_username or "").strip().lower() or None
    _criteria(patient_mrn, staff_username, start, end)
    patient, person = _find(patient_mrn, staff_username)
    query = _report_query(patient_id=patient and patient.id, staff_id=person and person.id,
                          start=start, end=end, limit=limit)
    rows = [_row(values) for values in query.tuples()]
    criteria = {"mrn": patient_mrn, "username": staff_username,
                "from": start and start.isoformat(), "to": end and end.isoformat(),
                "rows": len(rows), "os_user": os_user() if by is COMMAND_LINE else None}
    with db.write(durable=False):  # a look, not a change
        record("audit.report", by=None if by is COMMAND_LINE else by, patient=patient,
               subject=f"MRN {patient_mrn}" if patient else f"staff {person.id}",
               detail={key: value for key, value in criteria.items() if value is not None})
    return rows
