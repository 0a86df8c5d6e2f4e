"""The audit trail: who looked at or changed what, and when.

Events form a hash chain: each carries a SHA-256 over its own content and the
previous event's hash, and a one-row head records the newest event. An edited or
deleted event breaks the chain; events cut from the end disagree with the head.
Events are written in the same transaction as what they record, so a change that
cannot be audited does not happen.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import peewee as pw

from frontdesk import clock
from frontdesk.db import InstantField, Model

__all__ = ["AuditEvent", "AuditHead", "record", "verify", "ChainReport", "GENESIS"]

GENESIS = "0" * 64
"""The 'previous hash' of the first event."""

_SECRET_KEYS = ("password", "card", "ssn", "secret")


class AuditEvent(Model):
    at = InstantField(index=True)
    staff_id = pw.IntegerField(null=True, index=True)
    action = pw.CharField(max_length=60)
    patient_id = pw.IntegerField(null=True, index=True)
    subject = pw.CharField(max_length=120, default="")
    detail = pw.TextField(default="{}")
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)


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
