"""The audit trail: append-only, hash-chained, written with what it records."""

from __future__ import annotations

import json
import sqlite3
from datetime import time
from pathlib import Path

import peewee as pw
import pytest

from frontdesk import audit, changes, db, schedule, staff
from frontdesk.audit import AuditEvent, AuditHead
from frontdesk.schedule import Appointment

from .conftest import NOW, PASSWORD, TODAY


@pytest.fixture
def busy_clinic(clinic):
    """The small clinic after a morning's work: bookings, a check-in, views, sign-ins."""
    booked = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                           by=clinic.desk)
    schedule.confirm(booked, by=clinic.desk)
    schedule.detail(booked.id, by=clinic.desk)
    schedule.book(clinic.john, clinic.kim, clinic.new_patient, TODAY, time(14), by=clinic.desk)
    staff.sign_in("desk", PASSWORD)
    return clinic


def _tamper(path: Path, *statements: str) -> None:
    """What someone with the file and the sqlite3 shell could do: drop the guards, then edit."""
    raw = sqlite3.connect(path)
    try:
        raw.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        raw.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        for statement in statements:
            raw.execute(statement)
        raw.commit()
    finally:
        raw.close()


def _events() -> int:
    return AuditEvent.select().count()


def test_the_chain_is_whole_after_ordinary_work(busy_clinic):
    report = audit.verify()
    assert report.whole
    assert report.events == _events() > 10
    assert str(report) == f"The audit chain is whole: {report.events} events."
    assert AuditHead.get_by_id(1).last_id == report.events


def test_verify_reads_in_batches_with_the_same_answer(busy_clinic):
    assert audit.verify(batch=3) == audit.verify()


def test_events_record_who_when_and_which_patient(busy_clinic):
    viewed = AuditEvent.get(AuditEvent.action == "appointment.viewed")
    assert (viewed.at, viewed.staff_id, viewed.patient_id) == (
        NOW, busy_clinic.desk.id, busy_clinic.maria.id)


def test_events_cannot_be_updated_through_the_program(busy_clinic):
    original = AuditEvent.get_by_id(3).detail
    with pytest.raises(pw.IntegrityError, match="audit events cannot be changed"):
        with db.write():
            AuditEvent.update(detail="{}").where(AuditEvent.id == 3).execute()
    with pytest.raises(pw.IntegrityError, match="audit events cannot be changed"):
        db.database.execute_sql("UPDATE audit_event SET staff_id = NULL")
    assert AuditEvent.get_by_id(3).detail == original
    assert audit.verify().whole


def test_events_cannot_be_deleted_through_the_program(busy_clinic):
    count = _events()
    with pytest.raises(pw.IntegrityError, match="audit events cannot be removed"):
        with db.write():
            AuditEvent.delete().where(AuditEvent.id > 5).execute()
    with pytest.raises(pw.IntegrityError, match="audit events cannot be removed"):
        AuditEvent.get_by_id(1).delete_instance()
    assert _events() == count


def test_an_edited_event_is_named(busy_clinic, db_path):
    _tamper(db_path, """UPDATE audit_event SET detail = '{"name": "someone else"}' WHERE id = 3""")
    report = audit.verify()
    assert not report.whole
    assert (report.broken_at, report.events) == (3, 2)
    assert str(report) == "The audit chain is broken at event 3: its content was changed."


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(busy_clinic, db_path):
    row = AuditEvent.get_by_id(4)
    forged = audit._digest(4, AuditEvent.at.db_value(row.at), None, row.action, row.patient_id,
                           row.subject, row.detail, row.prev_hash)
    _tamper(db_path, f"UPDATE audit_event SET staff_id = NULL, hash = '{forged}' WHERE id = 4")
    report = audit.verify()
    assert (report.whole, report.broken_at) == (False, 5)
    assert "does not follow the event before it" in str(report)


def test_a_deleted_event_in_the_middle_is_named(busy_clinic, db_path):
    _tamper(db_path, "DELETE FROM audit_event WHERE id = 6")
    report = audit.verify()
    assert (report.whole, report.broken_at, report.events) == (False, 6, 5)
    assert str(report) == "The audit chain is broken at event 6: this event is missing."


def test_events_cut_from_the_end_are_detected_through_the_head(busy_clinic, db_path):
    total = _events()
    _tamper(db_path, f"DELETE FROM audit_event WHERE id > {total - 3}")
    report = audit.verify()
    assert not report.whole
    assert (report.events, report.broken_at) == (total - 3, total - 2)
    assert f"were removed (the head says {total})" in str(report)


def test_a_missing_head_is_detected(busy_clinic, db_path):
    _tamper(db_path, "DELETE FROM audit_head")
    report = audit.verify()
    assert not report.whole and "head record is missing" in report.reason


def test_an_empty_trail_is_whole(database):
    assert audit.verify() == audit.ChainReport(True, 0)


def test_a_change_that_cannot_be_audited_does_not_happen(clinic, monkeypatch):
    feed = changes.latest()
    events = _events()

    def unwritable(*args, **kwargs):
        raise RuntimeError("the audit table is full")

    monkeypatch.setattr(audit, "record", unwritable)
    with pytest.raises(RuntimeError, match="audit table is full"):
        schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                      by=clinic.desk)
    monkeypatch.undo()

    assert Appointment.select().count() == 0
    assert changes.latest() == feed
    assert _events() == events
    assert audit.verify().whole


def test_secrets_in_detail_are_withheld(clinic):
    with db.write():
        event_id = audit.record("test.secrets", by=clinic.desk, detail={
            "password": "hunter2hunter2",
            "card_number": "4111 1111 1111 1111",
            "SSN": "123-45-6789",
            "client_secret": "s3cr3t",
            "amount_cents": 2500,
            "payment": {"card": "4111111111111111", "last4": "1111"},
        })
    text = AuditEvent.get_by_id(event_id).detail
    for secret in ("hunter2", "4111", "123-45-6789", "s3cr3t"):
        assert secret not in text
    assert json.loads(text) == {
        "password": "[withheld]", "card_number": "[withheld]", "SSN": "[withheld]",
        "client_secret": "[withheld]", "amount_cents": 2500,
        "payment": {"card": "[withheld]", "last4": "1111"},
    }
    assert audit.verify().whole
