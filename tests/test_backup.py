"""Backups taken while staff keep writing, restores that refuse a bad file, rotation."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from frontdesk import audit, backup, cli, clock, db, patients
from frontdesk.errors import StorageError
from tests.conftest import NOW

REPO = Path(__file__).resolve().parents[1]

WRITER = r"""
import sys, time
from frontdesk import db, patients, staff

db.open_database(sys.argv[1])
desk = staff.Staff.get(staff.Staff.username == "desk")
count = 0
while True:
    patients.register(patients.Draft(first_name="Walk", last_name=f"In{count}",
                                     dob="1/2/1990", sex="F"), by=desk)
    count += 1
    if count == 1:
        print("ready", flush=True)
    time.sleep(0.002)
"""


def _rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


def _patients(path: Path) -> list[tuple]:
    return _rows(path, "SELECT id, mrn, last_name FROM patient ORDER BY id")


def _integrity(path: Path) -> list[tuple]:
    return _rows(path, "PRAGMA integrity_check")


def _events(path: Path) -> list[tuple[str, dict]]:
    return [(action, json.loads(detail)) for action, detail in
            _rows(path, "SELECT action, detail FROM audit_event ORDER BY id")]


def _damage(path: Path) -> None:
    """Garbage over a page in the middle, as a torn copy or a bad sector leaves it."""
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2 // 4096 * 4096)
        handle.write(b"\xde\xad\xbe\xef" * 1024)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def copy(clinic, db_path, tmp_path) -> Path:
    """A backup of the small clinic, the clinic database still open."""
    made = backup.backup(db_path, tmp_path / "copy.db")
    return made.dest


# -- backup -------------------------------------------------------------------------


def test_a_backup_is_checked_private_one_file_and_audited(clinic, db_path, tmp_path):
    dest = tmp_path / "backups" / "tonight.db"
    dest.parent.mkdir()
    made = backup.backup(db_path, dest)

    assert made.dest == dest and made.size == dest.stat().st_size
    assert str(made).startswith(f"Backed up {db_path} to {dest} (")
    assert _mode(dest) == 0o600
    assert sorted(p.name for p in dest.parent.iterdir()) == ["tonight.db"]  # no -wal, no leftovers
    assert _integrity(dest) == [("ok",)]
    assert _rows(dest, "PRAGMA journal_mode") == [("delete",)]
    assert _patients(dest) == _patients(db_path)
    action, detail = _events(db_path)[-1]
    assert action == "database.backed_up"
    assert detail["to"] == str(dest) and detail["os_user"] and detail["bytes"] == made.size
    assert audit.verify().whole


def test_a_backup_taken_while_staff_write_is_whole_and_restores(clinic, db_path, tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        before = len(_patients(db_path))
        # One page a step with a pause: the copy spans a second of the writer's commits.
        made = backup.backup(db_path, tmp_path / "copy.db", pages=1, pause=0.02)
        after = len(_patients(db_path))
    finally:
        writer.kill()
        writer.wait(timeout=30)
    copied = _patients(made.dest)
    assert made.steps > 20
    assert after > before + 10  # the writer was not held up for the copy's length
    assert before <= len(copied) < after  # one moment, between the two counts
    assert _integrity(made.dest) == [("ok",)]

    restored = backup.restore(tmp_path / "restored.db", made.dest)
    assert restored.set_aside is None
    assert _patients(restored.path) == copied
    assert [a for a, _ in _events(restored.path)] == [a for a, _ in _events(made.dest)] + [
        "database.restored"]
    assert audit.verify().whole  # restore() leaves the restored database open

    db.open_database(made.dest)  # frontdesk opens the copy as it is
    assert db.migrate() == []
    assert audit.verify().whole


def test_a_damaged_clinic_database_never_replaces_the_last_good_backup(clinic, db_path,
                                                                       tmp_path):
    dest = tmp_path / "nightly.db"
    backup.backup(db_path, dest)
    good = dest.read_bytes()
    db.close_database()
    _damage(db_path)
    with pytest.raises(StorageError, match="failed SQLite's checks .* probably damaged"):
        backup.backup(db_path, dest)
    assert dest.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if "nightly" in p.name) == ["nightly.db"]


def test_a_backup_will_not_overwrite_the_clinic_or_a_file_that_is_not_a_backup(
        clinic, db_path, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("the only copy of something\n")
    with pytest.raises(StorageError, match="is not a backup; nothing was written"):
        backup.backup(db_path, notes)
    assert notes.read_text() == "the only copy of something\n"
    with pytest.raises(StorageError, match="is the clinic database itself"):
        backup.backup(db_path, db_path)
    with pytest.raises(StorageError, match="is a folder"):
        backup.backup(db_path, tmp_path)
    with pytest.raises(StorageError, match="no database at"):
        backup.backup(tmp_path / "missing.db", tmp_path / "b.db")
    assert not (tmp_path / "missing.db").exists()


# -- rotation -----------------------------------------------------------------------


def test_rotate_keeps_exactly_the_newest_and_touches_nothing_else(clinic, db_path, tmp_path):
    folder = tmp_path / "rotating"
    folder.mkdir()
    strangers = ["notes.txt", "clinic-latest.db", "clinic-2020-01-01-0000.db.old"]
    for name in strangers:
        (folder / name).write_text("not ours\n")
    for day in range(5):
        with clock.frozen(NOW + timedelta(days=day, minutes=day)):
            result = backup.rotate(db_path, folder, keep=3)
    ours = sorted(p.name for p in folder.iterdir() if p.name not in strangers)
    assert ours == ["clinic-2026-12-03-1522.db", "clinic-2026-12-04-1523.db",
                    "clinic-2026-12-05-1524.db"]
    assert [p.name for p in result.kept] == ours
    assert [p.name for p in result.removed] == ["clinic-2026-12-02-1521.db"]
    assert all((folder / name).read_text() == "not ours\n" for name in strangers)
    assert _integrity(folder / ours[-1]) == [("ok",)]


# -- restore ------------------------------------------------------------------------


def test_restore_over_a_live_database_keeps_the_old_one_beside_it(clinic, db_path, copy):
    later = patients.register(patients.Draft(first_name="Late", last_name="Arrival",
                                             dob="1/2/1990", sex="M"), by=clinic.desk)
    with_later = _patients(db_path)
    reader = sqlite3.connect(db_path)  # a terminal that stays connected throughout
    try:
        assert reader.execute("SELECT count(*) FROM patient").fetchone()[0] == len(with_later)
        done = backup.restore(db_path, copy)
        assert reader.execute("SELECT count(*) FROM patient").fetchone()[0] == len(
            with_later) - 1
    finally:
        reader.close()

    assert done.set_aside == db_path.with_name(f"{db_path.name}.before-restore-"
                                               "20261201-152000.bak")
    assert "Restart frontdesk on every terminal" in str(done)
    assert _patients(done.set_aside) == with_later  # nothing is lost: it is kept aside
    assert _mode(done.set_aside) == 0o600
    assert later.mrn not in {mrn for _, mrn, _ in _patients(db_path)}
    assert _integrity(db_path) == [("ok",)]
    action, detail = _events(db_path)[-1]
    assert action == "database.restored"
    assert detail["from"] == str(copy) and detail["set_aside"] == str(done.set_aside)
    assert audit.verify().whole


def _refused_untouched(target: Path, source: Path, match: str) -> None:
    folder = sorted(p.name for p in target.parent.iterdir())
    original = target.read_bytes()
    with pytest.raises(StorageError, match=match):
        backup.restore(target, source)
    assert target.read_bytes() == original
    assert sorted(p.name for p in target.parent.iterdir()) == folder


def test_restore_refuses_a_damaged_backup(clinic, db_path, copy):
    _damage(copy)
    db.close_database()
    _refused_untouched(db_path, copy, "cannot be restored: it is damaged")


def test_restore_refuses_files_that_are_not_frontdesk_backups(clinic, db_path, tmp_path):
    db.close_database()
    other = tmp_path / "accounts.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)")
    conn.close()
    _refused_untouched(db_path, other, "an SQLite database, but not a frontdesk one")
    text = tmp_path / "backup.db"
    text.write_text("not a database at all\n" * 20)
    _refused_untouched(db_path, text, "it is not an SQLite database")
    _refused_untouched(db_path, tmp_path / "nowhere.db", "There is no backup file")


def test_restore_refuses_a_backup_from_a_newer_frontdesk(clinic, db_path, copy):
    with sqlite3.connect(copy) as conn:
        conn.execute("INSERT INTO schema_migration (name, applied) "
                     "VALUES ('0099_future', '2027-01-01')")
    conn.close()
    db.close_database()
    _refused_untouched(db_path, copy, "newer version of frontdesk .*0099_future")


def test_restore_will_not_replace_another_programs_database(copy, tmp_path):
    other = tmp_path / "accounts.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)")
    conn.close()
    _refused_untouched(other, copy, "not a frontdesk one. Nothing was changed")


def test_restore_replaces_a_clinic_database_sqlite_cannot_read(clinic, db_path, copy):
    expected = _patients(copy)
    db.close_database()
    with db_path.open("r+b") as handle:  # the header's page size and counts overwritten
        handle.seek(16)
        handle.write(b"\xff" * 84)
    damaged = db_path.read_bytes()
    done = backup.restore(db_path, copy)
    assert done.set_aside.read_bytes() == damaged  # moved aside as it was, for forensics
    assert _patients(db_path) == expected
    assert _integrity(db_path) == [("ok",)]


# -- the command line ---------------------------------------------------------------


def test_backup_and_restore_commands_say_what_they_did(clinic, db_path, tmp_path, capsys):
    dest = tmp_path / "cli.db"
    assert cli.main(["backup", "--db", str(db_path), str(dest)]) == 0
    assert "passed SQLite's integrity check" in capsys.readouterr().out
    folder = tmp_path / "nightly"
    folder.mkdir()
    assert cli.main(["backup", "--db", str(db_path), "--rotate", str(folder), "--keep",
                     "2"]) == 0
    assert "1 backup kept in" in capsys.readouterr().out
    assert cli.main(["restore", "--db", str(db_path), str(dest)]) == 0
    assert f"Restored {db_path} from {dest}" in capsys.readouterr().out

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00" * 4096)
    before = db_path.read_bytes()
    assert cli.main(["restore", "--db", str(db_path), str(junk)]) == 1
    err = capsys.readouterr().err
    assert "cannot be restored: it is not an SQLite database" in err
    assert "Traceback" not in err
    assert db_path.read_bytes() == before
    assert cli.main(["backup", "--db", str(db_path)]) == 2  # neither a file nor --rotate


def test_the_backup_command_runs_without_a_terminal_and_exits_nonzero_on_failure(tmp_path):
    result = subprocess.run([sys.executable, "-m", "frontdesk", "backup", "--db",
                             str(tmp_path / "missing.db"), str(tmp_path / "b.db")],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("frontdesk: There is no database at")
    assert "Traceback" not in result.stderr
