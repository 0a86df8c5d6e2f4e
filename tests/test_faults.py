"""Faults a clinic server meets: a process killed mid-write, a full disk, a database on a
network drive, and other accounts on the same server who must not read the records.

(A read-only database file is in tests/test_db.py.)
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from frontdesk import audit, db, patients
from frontdesk.counters import Counter
from frontdesk.errors import StorageError
from frontdesk.patients import Patient

REPO = Path(__file__).resolve().parents[1]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


# -- who may read the file ----------------------------------------------------------


def test_a_new_database_and_its_wal_are_readable_by_this_account_only(tmp_path):
    path = tmp_path / "clinic.db"
    previous = os.umask(0o022)  # the usual umask: new files readable by everyone
    try:
        db.open_database(path)
        db.migrate()
        modes = {p.name: _mode(p) for p in (path, _side(path, "-wal"), _side(path, "-shm"))}
    finally:
        os.umask(previous)
        db.close_database()
    assert modes == {"clinic.db": 0o600, "clinic.db-wal": 0o600, "clinic.db-shm": 0o600}


def test_an_existing_database_keeps_the_mode_it_was_given(database):
    # An administrator may have opened it to a group on purpose (a backup account).
    db.close_database()
    database.chmod(0o640)
    db.open_database(database)
    db.migrate()
    assert _mode(database) == 0o640
    assert _mode(_side(database, "-wal")) == 0o640  # SQLite copies the main file's mode


def test_a_database_that_cannot_be_opened_leaves_no_empty_file(tmp_path, monkeypatch):
    path = tmp_path / "clinic.db"
    monkeypatch.setitem(db.PRAGMAS, "journal_mode", "wal)")  # SQLite refuses the connection
    with pytest.raises(StorageError):
        db.open_database(path)
    assert not path.exists()


# -- network drives -----------------------------------------------------------------


def _mounts(*lines: tuple[str, str]) -> str:
    """A /proc/self/mountinfo with these (mount point, type) lines, "/" on ext4 first."""
    rows = [("/", "ext4"), *lines]
    return "".join(f"{n} 1 0:{n} / {point} rw,relatime shared:{n} - {kind} src rw\n"
                   for n, (point, kind) in enumerate(rows, start=20))


def _escaped(path: Path) -> str:
    return str(path).replace(" ", "\\040")


@pytest.mark.parametrize("kind", ["nfs", "nfs4"])
def test_a_database_on_nfs_is_refused_at_start(tmp_path, monkeypatch, kind):
    folder = tmp_path / "server share"
    folder.mkdir()
    monkeypatch.setattr(db, "_mount_table", lambda: _mounts((_escaped(folder), kind)))
    with pytest.raises(StorageError) as refused:
        db.open_database(folder / "clinic.db")
    message = str(refused.value)
    assert "SQLite's file locking is not safe on NFS; keep the clinic database on the " \
           "server's own disk" in message
    assert f"mounted at {folder}" in message
    assert list(folder.iterdir()) == []


def test_an_existing_database_on_a_windows_share_is_refused_untouched(database, monkeypatch):
    db.close_database()
    original = database.read_bytes()
    monkeypatch.setattr(db, "_mount_table", lambda: _mounts((str(database.parent), "cifs")))
    with pytest.raises(StorageError, match=r"\(cifs, .*not safe on Windows \(SMB\) shares"):
        db.open_database(database)
    assert database.read_bytes() == original


@pytest.mark.parametrize("kind", ["fuse.sshfs", "9p", "smb3", "ceph", "fuse.glusterfs"])
def test_other_network_file_systems_are_refused(tmp_path, monkeypatch, kind):
    monkeypatch.setattr(db, "_mount_table", lambda: _mounts((str(tmp_path), kind)))
    with pytest.raises(StorageError, match="network drive"):
        db.open_database(tmp_path / "clinic.db")


def test_the_closest_mount_decides(tmp_path, monkeypatch):
    # The server's disk mounted inside a network share's tree: the disk is what counts.
    local = tmp_path / "local"
    local.mkdir()
    monkeypatch.setattr(db, "_mount_table", lambda: _mounts(
        (str(tmp_path.parent), "nfs4"), (str(local), "ext4"), (str(tmp_path) + "-other", "nfs")))
    db.open_database(local / "clinic.db")
    db.close_database()
    assert db.filesystem_type(tmp_path) == ("nfs4", str(tmp_path.parent))


def test_a_mount_table_that_cannot_be_read_refuses_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "_mount_table", lambda: None)  # not Linux, or no /proc
    db.open_database(tmp_path / "clinic.db")
    db.close_database()
    assert db.filesystem_type(tmp_path) is None


def test_the_real_mount_table_is_read(tmp_path):
    if not Path("/proc/self/mountinfo").exists():
        pytest.skip("no /proc/self/mountinfo here")
    kind, mount = db.filesystem_type(tmp_path)
    assert kind and Path(mount).is_dir()


# -- a writer killed mid-transaction ------------------------------------------------

KILLED_WRITER = r"""
import os, sys, time
from frontdesk import db, patients, staff

path, committed = sys.argv[1], int(sys.argv[2])
db.open_database(path)
desk = staff.Staff.get(staff.Staff.username == "desk")
for i in range(committed):
    patients.register(patients.Draft(first_name="Kept", last_name=f"Row{i}", dob="1/2/1990",
                                     sex="F"), by=desk)
wal = path + "-wal"
print(os.path.getsize(wal), flush=True)
# A small page cache, so the rows below spill into the WAL before any commit: recovery
# after the kill has to recognise them as never committed.
db.database.execute_sql("PRAGMA cache_size = 10")
with db.write():
    patients.register_many([patients.check(patients.Draft(
        first_name="Lost", last_name=f"Row{i}", dob="1/2/1990", sex="M")) for i in range(5000)],
        by=desk)
    print("ready", os.path.getsize(wal), flush=True)
    time.sleep(120)
"""


def test_a_writer_killed_mid_transaction_loses_only_what_it_had_not_committed(clinic, db_path):
    before = Patient.select().count()
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(db_path), "25"],
                              cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        wal_committed = int(writer.stdout.readline())
        ready, wal_at_kill = writer.stdout.readline().split()
        assert ready == "ready"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert int(wal_at_kill) > wal_committed  # uncommitted pages really were on disk

    db.close_database()
    db.open_database(db_path)  # as the next start would
    assert db.database.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    names = [p.first_name for p in Patient.select()]
    assert len(names) == before + 25
    assert names.count("Kept") == 25 and "Lost" not in names
    assert audit.verify().whole
    # The dead process's lock went with it: the desk can write at once.
    patients.register(patients.Draft(first_name="Next", last_name="Patient", dob="5/6/1970",
                                     sex="F"), by=clinic.desk)


# -- a full disk --------------------------------------------------------------------


def test_a_full_disk_is_a_message_for_staff_and_nothing_is_half_written(clinic):
    pages = db.database.execute_sql("PRAGMA page_count").fetchone()[0]
    # SQLite answers a page it may not add exactly as it answers a disk with no room.
    db.database.execute_sql(f"PRAGMA max_page_count = {pages + 3}")
    saved = []
    with pytest.raises(StorageError) as refused:
        for i in range(500):
            saved.append(patients.register(patients.Draft(
                first_name="Ana", last_name=f"Full{i}", dob="1/2/1990", sex="F",
                phones={"mobile": "(617) 555-0142"}), by=clinic.desk))
    assert str(refused.value) == ("The change was not saved: the disk is full; ask for space "
                                  "to be freed, then try again.")
    assert saved  # some fitted before the disk filled; they must all still be there

    people = list(Patient.select().order_by(Patient.id))
    assert [p.last_name for p in people[2:]] == [f"Full{i}" for i in range(len(saved))]
    assert Counter.get_by_id("mrn").value == int(saved[-1].mrn)  # no MRN used up
    assert audit.verify().whole  # and no event for a registration that did not happen
    assert db.database.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]

    db.database.execute_sql("PRAGMA max_page_count = 1073741823")  # space freed
    again = patients.register(patients.Draft(first_name="Ana", last_name="Again",
                                             dob="1/2/1990", sex="F"), by=clinic.desk)
    assert int(again.mrn) == int(saved[-1].mrn) + 1


def test_a_disk_that_fails_a_write_is_said_plainly():
    said = db.plain_error(sqlite3.OperationalError("disk I/O error"))
    assert said.startswith("the disk could not be written (it may be full or failing)")
