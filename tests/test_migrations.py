"""A clinic's database made by an older frontdesk is brought up to date, data intact."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, time

from frontdesk import audit, db, patients, schedule, staff
from frontdesk.roles import Role
from tests.conftest import PASSWORD


def _older(tmp_path, upto: str):
    """The migrations an older program shipped: those up to and including `upto`."""
    older = tmp_path / "older-migrations"
    older.mkdir()
    shutil.copy(db.MIGRATIONS / "__init__.py", older)
    for script in sorted(db.MIGRATIONS.glob("[0-9]*.py")):
        shutil.copy(script, older)
        if script.stem == upto:
            break
    return older


def test_every_later_migration_runs_on_a_database_from_the_first(tmp_path):
    path = tmp_path / "clinic.db"
    db.open_database(path)
    db.migrate(_older(tmp_path, "0001_initial"))
    admin = staff.add_staff("admin", "Alex Admin", Role.ADMIN, PASSWORD, by=None)
    # Rows as the first schema held them (today's code writes columns it lacks).
    with db.write():
        db.database.execute_sql(
            "INSERT INTO patient (mrn, first_name, middle_name, last_name, first_key, last_key,"
            " dob, sex, email, address1, address2, city, state, zip, active, created_at,"
            " updated_at, version) VALUES ('100001', 'María', '', 'García-Smith', 'maria',"
            " 'garciasmith', '1980-03-04', 'F', '', '', '', '', '', '', 1,"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)")
        db.database.execute_sql(
            "INSERT INTO patient_phone (patient_id, kind, number) VALUES (1, 'mobile',"
            " '+12125550123')")
    applied_later = db.migrate()
    assert applied_later and applied_later[0] != "0001_initial"
    backup = path.with_name(f"{path.name}.before-{applied_later[0]}.bak")
    with sqlite3.connect(backup) as old:
        assert old.execute("select count(*) from patient").fetchone() == (1,)
    maria = patients.Patient.get_by_id(1)
    assert (maria.mrn, maria.last_sound, maria.deceased) == ("100001", "G622", False)
    assert audit.verify().whole
    # Patients already on file are found like new ones: by a later word, by sound, by last four.
    for query in ("smith maria", "garciasmyth", "0123"):
        assert [hit.mrn for hit in patients.search(query)] == ["100001"], query
    _, pending, unknown = db.schema_status()
    assert not pending and not unknown
    # And the program works on it: the new indexes serve the access report.
    indexes = {row[1] for row in db.database.execute_sql("PRAGMA index_list(audit_event)")}
    assert "audit_event_staff_id_at" in indexes and "audit_event_patient_id_at" in indexes
    patients.record(maria.id, by=admin)  # an audited look at a patient from before
    assert audit.report(by=admin, patient_mrn=maria.mrn)
    db.close_database()
