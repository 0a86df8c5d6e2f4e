"""Storage: pragmas, write transactions, migrations, refusing files that are not ours."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee as pw
import pytest
from playhouse.schema_diff import diff_models

from frontdesk import db
from frontdesk.changes import ChangeFeedRow
from frontdesk.counters import Counter
from frontdesk.errors import StorageError
from frontdesk.patients import Patient, PatientPhone
from frontdesk.schema import MODELS

NEW_YORK = ZoneInfo("America/New_York")

ADD_NICKNAME = '''\
"""Patients may have a nickname."""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("patient", "nickname", CharField(max_length=50, default="")))
'''


def _pragma(name: str):
    return db.database.execute_sql(f"PRAGMA {name}").fetchone()[0]


def _counter_names() -> set[str]:
    return {c.name for c in Counter.select()}


def _newer_migrations(tmp_path: Path) -> Path:
    """The program's migrations plus a 0002 that a newer frontdesk would ship."""
    directory = tmp_path / "newer-migrations"
    shutil.copytree(db.MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "0002_x.py").write_text(ADD_NICKNAME, encoding="utf-8")
    return directory


# -- the connection -----------------------------------------------------------------


def test_pragmas_are_in_force(database):
    assert _pragma("journal_mode") == "wal"
    assert _pragma("foreign_keys") == 1
    assert _pragma("synchronous") == 2  # FULL: a committed payment survives a power cut
    assert _pragma("busy_timeout") > 0


def test_a_worker_thread_gets_its_own_connection_with_the_same_pragmas_and_data(database):
    with db.write():
        Counter.create(name="seen-by-thread", value=7)
    seen = {}

    def worker():
        with db.database.connection_context():
            seen["foreign_keys"] = _pragma("foreign_keys")
            seen["journal_mode"] = _pragma("journal_mode")
            seen["value"] = Counter.get_by_id("seen-by-thread").value

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == {"foreign_keys": 1, "journal_mode": "wal", "value": 7}


def test_foreign_keys_are_enforced(database):
    with pytest.raises(pw.IntegrityError):
        with db.write():
            PatientPhone.create(patient=9999, kind="mobile", number="+16175550142")


# -- write transactions -------------------------------------------------------------


def _try_to_take_write_lock(path: Path) -> str | None:
    """BEGIN IMMEDIATE from a second connection that will not wait; the error, or None."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return None
    except sqlite3.OperationalError as error:
        return str(error)
    finally:
        other.close()


def test_write_holds_the_write_lock_from_its_first_statement(database):
    assert _try_to_take_write_lock(database) is None  # nobody holds it yet
    with db.write():
        # Nothing has been read or written in this transaction yet.
        assert _try_to_take_write_lock(database) == "database is locked"
    assert _try_to_take_write_lock(database) is None


def test_nested_write_is_a_savepoint_that_rolls_back_alone(database):
    with db.write():
        Counter.create(name="outer", value=1)
        with pytest.raises(RuntimeError):
            with db.write():
                Counter.create(name="inner", value=1)
                raise RuntimeError("the inner step fails")
        Counter.create(name="after", value=1)
    assert _counter_names() == {"outer", "after"}


def test_a_failed_write_changes_nothing(database):
    with pytest.raises(RuntimeError):
        with db.write():
            Counter.create(name="first", value=1)
            Counter.create(name="second", value=2)
            raise RuntimeError("half way")
    assert _counter_names() == set()


def test_a_write_lock_held_elsewhere_becomes_a_message_for_staff(database):
    db.database.execute_sql("PRAGMA busy_timeout = 0")  # do not wait ten seconds
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError, match="another terminal is busy writing"):
            with db.write():
                Counter.create(name="blocked", value=1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _counter_names() == set()


# -- migrations ---------------------------------------------------------------------


def test_migrations_build_every_table_the_models_declare(database):
    tables = set(db.database.get_tables())
    assert {model._meta.table_name for model in MODELS} <= tables
    difference = diff_models(db.database.obj, MODELS)
    assert not difference, f"models and migrations disagree:\n{difference}"


def test_migrating_an_up_to_date_database_does_nothing(database):
    assert db.migrate() == []
    assert list(database.parent.glob("*.bak")) == []


def test_a_new_migration_backs_up_the_file_first_and_keeps_the_data(clinic, db_path, tmp_path):
    before = [(p.mrn, p.last_name) for p in Patient.select().order_by(Patient.id)]
    phones = [(p.patient_id, p.number) for p in PatientPhone.select().order_by(PatientPhone.id)]
    newer = _newer_migrations(tmp_path)

    assert db.migrate(newer) == ["0002_x"]

    backup = db_path.with_name(f"{db_path.name}.before-0002_x.bak")
    assert backup.exists()
    with sqlite3.connect(backup) as old:
        assert old.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert old.execute("SELECT mrn, last_name FROM patient ORDER BY id").fetchall() == before
        columns = {row[1] for row in old.execute("PRAGMA table_info(patient)")}
        assert "nickname" not in columns
    columns = {c.name for c in db.database.get_columns("patient")}
    assert "nickname" in columns
    assert [(p.mrn, p.last_name) for p in Patient.select().order_by(Patient.id)] == before
    # SQLite adds a NOT NULL column by rebuilding the table; the rows that point at
    # patients must survive it (no cascade), and foreign keys must be back on after.
    assert [(p.patient_id, p.number)
            for p in PatientPhone.select().order_by(PatientPhone.id)] == phones
    assert _pragma("foreign_keys") == 1
    assert db.migrate(newer) == []


def test_a_database_from_a_newer_program_is_refused_untouched(database, tmp_path):
    db.migrate(_newer_migrations(tmp_path))
    db.close_database()
    original = database.read_bytes()

    db.open_database(database)
    with pytest.raises(StorageError, match="0002_x") as refused:
        db.migrate()  # this program only knows 0001
    assert "newer version" in str(refused.value)
    db.close_database()
    assert database.read_bytes() == original


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "patients.xlsx"
    path.write_bytes(b"PK\x03\x04 a spreadsheet, not a database" * 20)
    original = path.read_bytes()
    with pytest.raises(StorageError, match="not a frontdesk database"):
        db.open_database(path)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["patients.xlsx"]


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "accounts.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)")
        other.execute("INSERT INTO ledger (amount) VALUES (1250)")
    other.close()
    original = path.read_bytes()
    with pytest.raises(StorageError, match="not a frontdesk one"):
        db.open_database(path)
    db.close_database()
    assert path.read_bytes() == original  # not even switched to WAL


def test_a_read_only_file_is_refused(database, monkeypatch):
    db.close_database()
    database.chmod(0o444)
    try:
        if os.geteuid() == 0:
            # root may write any file, so os.access says yes whatever the mode. Ask what
            # an ordinary clinic account would be told: no write permission on this file.
            real_access = os.access
            monkeypatch.setattr(db.os, "access", lambda path, mode: (
                False if Path(path) == database and mode & os.W_OK else real_access(path, mode)))
        with pytest.raises(StorageError, match="read-only for this account"):
            db.open_database(database)
    finally:
        database.chmod(0o644)


def test_a_read_only_folder_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:
            # As root the folder's mode is not enforced; simulate the ordinary account.
            real_access = os.access
            monkeypatch.setattr(db.os, "access", lambda path, mode: (
                False if Path(path) == folder and mode & os.W_OK else real_access(path, mode)))
        with pytest.raises(StorageError, match="folder .* is read-only"):
            db.open_database(folder / "clinic.db")
    finally:
        folder.chmod(0o755)
    assert not (folder / "clinic.db").exists()


def test_a_path_whose_folder_does_not_exist_is_refused(tmp_path):
    with pytest.raises(StorageError, match="does not exist"):
        db.open_database(tmp_path / "nowhere" / "clinic.db")
    assert not (tmp_path / "nowhere").exists()


def test_a_folder_is_not_a_database(tmp_path):
    with pytest.raises(StorageError, match="is a folder"):
        db.open_database(tmp_path)


# -- InstantField -------------------------------------------------------------------


def test_instant_field_refuses_a_naive_datetime(database):
    with pytest.raises(ValueError, match="naive"):
        with db.write():
            ChangeFeedRow.create(at=datetime(2026, 12, 1, 10, 20), topic="t", key="k")


def test_instant_field_stores_utc_and_reads_back_aware_utc(database):
    local = datetime(2026, 12, 1, 10, 20, 30, 123456, tzinfo=NEW_YORK)
    with db.write():
        row = ChangeFeedRow.create(at=local, topic="t", key="k")
    raw = db.database.execute_sql("SELECT at FROM change_feed WHERE id = ?", (row.id,)).fetchone()
    assert raw[0] == "2026-12-01 15:20:30.123456"
    back = ChangeFeedRow.get_by_id(row.id).at
    assert back == local
    assert back.utcoffset() == timedelta(0)


def test_instant_text_sorts_in_time_order_whatever_zone_it_came_in(database):
    earlier = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))  # 17:00 UTC
    later = datetime(2026, 12, 1, 13, 0, tzinfo=NEW_YORK)  # 18:00 UTC
    with db.write():
        ChangeFeedRow.create(at=later, topic="t", key="later")
        ChangeFeedRow.create(at=earlier, topic="t", key="earlier")
    keys = [r.key for r in ChangeFeedRow.select().order_by(ChangeFeedRow.at)]
    assert keys == ["earlier", "later"]


# -- Statement ----------------------------------------------------------------------


def test_statement_puts_each_named_value_in_its_column_when_peewee_reorders(clinic):
    update = db.Statement(lambda v: Patient.update({
        Patient.zip: v("zip"), Patient.city: v("city"), Patient.email: v("email"),
        Patient.address1: v("address1"),
    }).where(Patient.id == v("id")))
    with db.write():
        update.execute(zip="02118", email="maria@example.com", id=clinic.maria.id,
                       address1="12 Elm St", city="Boston")
    stored = Patient.get_by_id(clinic.maria.id)
    assert (stored.zip, stored.city, stored.email, stored.address1) == (
        "02118", "Boston", "maria@example.com", "12 Elm St")
    assert Patient.get_by_id(clinic.john.id).city == ""


def test_statement_reads_with_named_values(clinic):
    lookup = db.Statement(lambda v: Patient.select(Patient.last_name)
                          .where((Patient.mrn == v("mrn")) & (Patient.sex == v("sex"))))
    assert lookup.rows(sex="M", mrn=clinic.john.mrn) == [("O'Brien-Smith",)]
    assert lookup.rows(sex="F", mrn=clinic.john.mrn) == []


def test_statement_refuses_literal_values(database):
    literal = db.Statement(lambda v: Patient.select().where(Patient.mrn == "100001"))
    with pytest.raises(ValueError, match="literal values"):
        literal.sql  # noqa: B018


def test_insert_fills_defaults_and_returns_the_new_id(database):
    insert = db.Insert(ChangeFeedRow)
    instant = datetime(2026, 12, 1, 15, 20, tzinfo=timezone.utc)
    with db.write():
        first = insert.insert(**insert.values(at=instant, topic="a", key="1"))
        second = insert.insert(**insert.values(at=instant, topic="b", key="2"))
    assert second == first + 1
    assert ChangeFeedRow.get_by_id(second).topic == "b"


def test_a_damaged_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "clinic.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 84 + b"rest of a torn copy" * 50)
    original = path.read_bytes()
    with pytest.raises(StorageError, match="damaged; restore it from the last backup"):
        db.open_database(path)
    assert path.read_bytes() == original


def test_a_record_of_looking_skips_the_fsync_and_the_next_write_is_full_again(database):
    """write(durable=False) relaxes synchronous for that transaction only."""
    from frontdesk import db as storage

    def level() -> int:
        return storage.database.execute_sql("PRAGMA synchronous").fetchone()[0]

    assert level() == 2
    with storage.write(durable=False):
        assert level() == 1
    assert level() == 2
    with storage.write():
        with storage.write(durable=False):  # nested: the outer transaction decides
            assert level() == 2
    assert level() == 2
