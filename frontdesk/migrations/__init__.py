"""Numbered schema migrations, run in order by playhouse.migrations (see frontdesk.db)."""

from __future__ import annotations

import peewee as pw

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events cannot be removed'); END""",
]

_POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events cannot be changed or removed'; END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]


def protect_audit_trail(db: pw.Database) -> None:
    """Make the audit table append-only for every ordinary code path."""
    statements = _SQLITE_TRIGGERS if isinstance(db, pw.SqliteDatabase) else _POSTGRES_TRIGGERS
    for statement in statements:
        db.execute_sql(statement)
