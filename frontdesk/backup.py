"""Backups and restores of the clinic's SQLite file, made while staff keep working.

A backup is SQLite's online backup of one consistent moment, written beside its
destination under a temporary name, checked (integrity and foreign keys), then
renamed into place: a backup file that exists is one that passed its checks. A
restore checks the file it is given before touching the clinic's, keeps the
current database beside it, and copies the backup in through SQLite, so a WAL
and any terminal still connected see one whole database, the old or the new.

Both are recorded in the audit trail of the database they act on. A database
server (PostgreSQL) is backed up with its own tools (pg_dump).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from frontdesk import audit, clock, db
from frontdesk.errors import InvalidInput, StorageError

__all__ = ["BackupResult", "RotateResult", "RestoreResult", "backup", "rotate", "restore",
           "PAGES_PER_STEP", "PAUSE", "ROTATED_NAME"]

PAGES_PER_STEP = 1024
"""Pages copied per step of a backup: 4 MB at SQLite's default page size."""

PAUSE = 0.005
"""Seconds between steps, leaving the disk to the staff's writes for a moment."""

ROTATED_NAME = re.compile(r"clinic-\d{4}-\d{2}-\d{2}-\d{4}\.db")
"""The names `rotate` writes, and the only files it ever removes."""

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupResult:
    source: Path
    dest: Path
    size: int
    """Bytes in the copy."""
    seconds: float
    """Copying and checking together."""
    checking: float
    """Seconds of those spent on SQLite's integrity and foreign-key checks."""
    steps: int
    """Steps of SQLite's backup: each copies `PAGES_PER_STEP` pages, then pauses."""

    def __str__(self) -> str:
        return (f"Backed up {self.source} to {self.dest} ({_size(self.size)}) in "
                f"{self.seconds:.1f} s; the copy passed SQLite's integrity check.")


@dataclass(frozen=True)
class RotateResult:
    made: BackupResult
    removed: tuple[Path, ...]
    """Older backups deleted, oldest first."""
    kept: tuple[Path, ...]
    """The backups left in the folder, oldest first; the new one last."""

    def __str__(self) -> str:
        lines = [str(self.made)]
        if self.removed:
            lines.append(f"Removed {_counted(len(self.removed), 'older backup')}: "
                         f"{', '.join(p.name for p in self.removed)}.")
        lines.append(f"{_counted(len(self.kept), 'backup')} kept in {self.made.dest.parent}.")
        return "\n".join(lines)


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    source: Path
    set_aside: Path | None
    """The clinic database as it was before; None when there was none."""
    size: int
    seconds: float

    def __str__(self) -> str:
        kept = (f" The database as it was before is kept as {self.set_aside}."
                if self.set_aside else "")
        return (f"Restored {self.path} from {self.source} ({_size(self.size)}) in "
                f"{self.seconds:.1f} s.{kept} Restart frontdesk on every terminal.")


# -- backup -------------------------------------------------------------------------


def backup(database: str | os.PathLike[str], dest: str | os.PathLike[str], *,
           pages: int = PAGES_PER_STEP, pause: float = PAUSE) -> BackupResult:
    """Copy the clinic database to `dest` while staff keep working, and check the copy.

    `dest` is replaced only by a copy that passed SQLite's integrity and
    foreign-key checks, and is readable by this account only. An existing file
    there that is not an SQLite database is refused, never overwritten.
    """
    source = _sqlite_path(database)
    dest = Path(dest).expanduser()
    _check_dest(source, dest)
    _use_clinic(source, "nothing was backed up")
    started = time.perf_counter()
    with _failing_as(f"The backup to {dest} was not made"):
        steps, checking = _copy_checked(source, dest, pages=pages, pause=pause)
    made = BackupResult(source, dest, dest.stat().st_size, time.perf_counter() - started,
                        checking, steps)
    with db.write():
        audit.record("database.backed_up", by=None, detail={
            "os_user": audit.os_user(), "to": os.path.abspath(dest), "bytes": made.size})
    return made


def rotate(database: str | os.PathLike[str], folder: str | os.PathLike[str], *, keep: int,
           pages: int = PAGES_PER_STEP, pause: float = PAUSE) -> RotateResult:
    """Back up into `folder` under a dated name, then remove the oldest beyond `keep`.

    Names are clinic-YYYY-MM-DD-HHMM.db in UTC, so they sort in time order across
    daylight-saving changes. Only files named so are ever removed, and only after
    the new backup passed its checks.
    """
    if keep < 1:
        raise InvalidInput("Keep at least one backup.", field="keep")
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise StorageError(f"The backup folder {folder} does not exist; create it first.")
    made = backup(database, folder / f"clinic-{clock.now():%Y-%m-%d-%H%M}.db",
                  pages=pages, pause=pause)
    ours = sorted(p for p in folder.iterdir() if ROTATED_NAME.fullmatch(p.name))
    # The new backup stays even if a clock set back gives it an older-looking name.
    old = [p for p in ours[:-keep] if p != made.dest]
    kept = [p for p in ours if p not in old]
    for stale in old:
        with _failing_as(f"The backup was made, but the old backup {stale} was not removed"):
            stale.unlink()
    return RotateResult(made, tuple(old), tuple(kept))


def _check_dest(source: Path, dest: Path) -> None:
    if dest.is_dir():
        raise StorageError(f"{dest} is a folder; name the backup file inside it.")
    if not dest.parent.is_dir():
        raise StorageError(f"Cannot write {dest}: the folder {dest.parent} does not exist.")
    clinic = source.resolve()
    if dest.resolve() in {clinic, *(_beside(clinic, s) for s in _SIDE_FILES)}:
        raise StorageError(f"{dest} is the clinic database itself; back it up to another file.")
    if dest.exists() and dest.stat().st_size and _head(dest) != _SQLITE_MAGIC:
        raise StorageError(f"{dest} already exists and is not a backup; nothing was written.")


def _copy_checked(source: Path, dest: Path, *, pages: int, pause: float
                  ) -> tuple[int, float]:
    """Back up into a new file beside `dest`, check it, then rename it into place.

    Returns the steps the copy took and the seconds the checks took.
    """
    handle, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.",
                                    suffix=".partial")
    os.close(handle)  # mkstemp made it 0600; the journal SQLite adds copies that mode
    partial = Path(name)
    try:
        with _reading(source) as reader:
            steps = _copy(reader, partial, pages=pages, pause=pause)
        checked_from = time.perf_counter()
        _check_copy(partial, source, dest)
        checking = time.perf_counter() - checked_from
        _flush(partial)
        os.replace(partial, dest)
        _flush(dest.parent)  # the rename itself must survive a power cut too
    except BaseException:
        _remove(partial)
        raise
    return steps, checking


def _check_copy(copy: Path, source: Path, dest: Path) -> None:
    with contextlib.closing(sqlite3.connect(copy)) as checking:
        problems = _problems(checking)
    if problems:
        # The copy is page for page one moment of the clinic's file: its faults are the file's.
        raise StorageError(
            f"The copy of {source} failed SQLite's checks ({problems}), so the clinic "
            f"database itself is probably damaged. {dest} was not written; keep the last "
            "good backup and ask whoever looks after the clinic server.")


# -- restore ------------------------------------------------------------------------


def restore(database: str | os.PathLike[str], source: str | os.PathLike[str]) -> RestoreResult:
    """Replace the clinic database with a checked backup, keeping the current one beside it.

    `source` must be an undamaged frontdesk database whose schema this program
    knows; otherwise nothing is touched. The copy goes in through SQLite's backup
    (not a file copy), so the clinic file's WAL cannot replay stale pages over it.
    """
    path = _sqlite_path(database)
    source = Path(source).expanduser()
    _check_target(path, source)
    _refuse_unless_sqlite(source)
    started = time.perf_counter()
    with contextlib.ExitStack() as held:
        with _failing_as(f"Cannot read {source}; {path} was not changed"):
            reader = held.enter_context(_reading(source))  # what is checked is what is copied
        refusal = _refusal(reader)
        if refusal:
            raise StorageError(f"{source} cannot be restored: {refusal}. {path} was not changed.")
        _refuse_foreign_target(path)  # only now: looking opens the clinic's WAL files
        if _open_on(path):
            db.close_database()  # this process's connection may be to a file moved aside
        with _failing_as(f"Could not keep a copy of {path}; nothing was changed"):
            aside = _set_aside(path)
        _copy_in(reader, path)
    restored = RestoreResult(path, source, aside, path.stat().st_size,
                             time.perf_counter() - started)
    db.open_database(path)
    with db.write():
        audit.record("database.restored", by=None, detail={
            "os_user": audit.os_user(), "from": os.path.abspath(source),
            "set_aside": os.path.abspath(aside) if aside else None})
    return restored


def _check_target(path: Path, source: Path) -> None:
    """Refuse, before anything changes, a clinic path that a restore must not replace."""
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file. Nothing was changed.")
    if not path.parent.is_dir():
        raise StorageError(f"Cannot restore into {path}: the folder {path.parent} does not "
                           "exist.")
    if path.exists() and source.exists() and os.path.samefile(path, source):
        raise StorageError(f"{source} is the clinic database itself; nothing was changed.")
    db.refuse_network_drive(path)
    if path.exists() and path.stat().st_size and _head(path) != _SQLITE_MAGIC:
        raise StorageError(f"{path} is not a frontdesk database. Nothing was changed.")


def _refuse_foreign_target(path: Path) -> None:
    """Refuse to replace another program's SQLite database; a damaged clinic one is fine."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with _reading(path) as reader:
            tables = _tables(reader)
    except sqlite3.DatabaseError:
        return  # damaged: exactly what a restore is for; it is kept aside first
    if tables and "schema_migration" not in tables:
        raise StorageError(f"{path} is an SQLite database, but not a frontdesk one. "
                           "Nothing was changed.")


def _refuse_unless_sqlite(source: Path) -> None:
    if not source.is_file():
        raise StorageError(f"There is no backup file {source}. Nothing was changed.")
    if _head(source) != _SQLITE_MAGIC:
        raise StorageError(f"{source} cannot be restored: it is not an SQLite database. "
                           "Nothing was changed.")


def _refusal(reader: sqlite3.Connection) -> str | None:
    """Why the database behind `reader` must not become the clinic's; None if it may."""
    try:
        if "schema_migration" not in _tables(reader):
            return "it is an SQLite database, but not a frontdesk one"
        problems = _problems(reader)
        if problems:
            return f"it is damaged ({problems})"
        done = {row[0] for row in reader.execute("SELECT name FROM schema_migration")}
    except sqlite3.DatabaseError as error:
        return f"it is damaged ({error})"
    newer = sorted(done - {p.stem for p in db.MIGRATIONS.glob("[0-9]*.py")})
    if newer:
        return (f"it was made by a newer version of frontdesk (schema changes "
                f"{', '.join(newer)}); install that version first")
    return None


def _set_aside(path: Path) -> Path | None:
    """Keep the clinic database as it is now, beside it; None if there is nothing to keep."""
    if not any(f.exists() and f.stat().st_size for f in (path, _beside(path, "-wal"))):
        return None
    aside = _unused(path.with_name(
        f"{path.name}.before-restore-{clock.now():%Y%m%d-%H%M%S}.bak"))
    try:
        with _reading(path) as reader:
            db.create_private_file(aside)
            _copy(reader, aside, pages=-1, pause=0)
    except sqlite3.DatabaseError as error:
        _remove(aside)
        if not _unreadable(error):
            raise
        # SQLite cannot read it as a database: move the files themselves aside, its WAL
        # with them, so that WAL can never be replayed onto the restored file.
        for suffix in ("", "-wal", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(_beside(path, suffix), _beside(aside, suffix))
        _beside(path, "-shm").unlink(missing_ok=True)
    return aside


def _copy_in(reader: sqlite3.Connection, path: Path) -> None:
    """Copy the reader's database over the clinic's, or into a new file where there is none."""
    if path.exists():
        # One step, so one write transaction: a failure leaves the file as it was, and
        # terminals still connected see the restored database whole or not at all.
        with _failing_as(f"The restore did not finish; {path} is as it was"), \
                contextlib.closing(sqlite3.connect(path, timeout=10)) as target:
            target.execute("PRAGMA synchronous = FULL")
            reader.backup(target)
        return
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                    suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        with _failing_as(f"The restore did not finish; {path} was not written"):
            _copy(reader, partial, pages=-1, pause=0)
        _flush(partial)
        os.replace(partial, path)
        _flush(path.parent)
    except BaseException:
        _remove(partial)
        raise


# -- shared -------------------------------------------------------------------------


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection holding one snapshot of `path` until the block ends.

    The held snapshot is what lets a stepwise backup finish: SQLite starts a
    backup over from its first page whenever another connection commits between
    two steps, and with a writer committing every few milliseconds a paced copy
    of a 40 MB file started over 238 times in 20 s and never finished (measured
    here); holding the snapshot, it took half a second. In WAL mode a reader
    holds no writer up, so staff keep writing meanwhile.
    """
    reader = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                             isolation_level=None, timeout=10)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts
        yield reader
    finally:
        reader.close()


def _copy(reader: sqlite3.Connection, target: Path, *, pages: int, pause: float) -> int:
    """Copy the reader's snapshot into the empty file `target`; return the steps taken.

    Each step's pages are pushed to the disk as it ends. Left to the final commit,
    hundreds of megabytes went to the disk at once, and a terminal's commit, which
    waits for the disk, waited 0.7 s behind them (measured on the million-patient
    demo); flushed step by step, no single flush is big.
    """
    steps, left = 0, None
    handle = os.open(target, os.O_RDONLY)  # fsync flushes the file, whichever handle asks

    def breathe(status: int, remaining: int, total: int) -> None:
        nonlocal steps, left
        if left is not None and remaining > left:
            # Only a lost snapshot (see `_reading`) lets SQLite start over, and then it
            # could start over forever: stop instead.
            raise StorageError("The database changed under the backup and the copy started "
                               "over; nothing was written.")
        steps, left = steps + 1, remaining
        if remaining:
            os.fsync(handle)
            time.sleep(pause)

    try:
        with contextlib.closing(sqlite3.connect(target, isolation_level=None)) as writer:
            reader.backup(writer, pages=pages, progress=breathe)
            # The copy carries the clinic's WAL flag; a backup is better one whole file.
            writer.execute("PRAGMA journal_mode = DELETE")
    finally:
        os.close(handle)
    return steps


def _problems(conn: sqlite3.Connection) -> str:
    """What SQLite's integrity and foreign-key checks find, in a line; empty if nothing."""
    try:
        found = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        if found != ["ok"]:
            return "; ".join(found)
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as error:  # damage bad enough to stop the check itself
        return str(error)
    if broken:
        return f"{len(broken)} broken references, the first in table {broken[0][0]}"
    return ""


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _unreadable(error: sqlite3.DatabaseError) -> bool:
    """SQLite cannot read the file as a database at all (as opposed to busy or full)."""
    text = str(error).lower()
    return any(words in text for words in ("not a database", "malformed", "unable to open"))


def _sqlite_path(target: str | os.PathLike[str]) -> Path:
    text = os.fspath(target)
    if "://" in text:
        raise StorageError("frontdesk backs up and restores SQLite files; back up a database "
                           "server with its own tools (pg_dump for PostgreSQL).")
    return Path(text).expanduser()


def _open_on(path: Path) -> bool:
    """Is `db.database` open on `path` in this thread?"""
    current = db.database.obj
    return (isinstance(current, pw.SqliteDatabase) and not current.is_closed()
            and Path(current.database).resolve() == path.resolve())


def _use_clinic(path: Path, otherwise: str) -> None:
    """Point `db.database` at the clinic file (reusing an open connection to it)."""
    if not path.is_file():
        raise StorageError(f"There is no database at {path}; {otherwise}.")
    if not _open_on(path):
        db.open_database(path)  # the checks of every start: ours, not on a network drive
    if "schema_migration" not in db.database.get_tables():
        raise StorageError(f"{path} holds no clinic yet; {otherwise}.")


@contextlib.contextmanager
def _failing_as(message: str) -> Iterator[None]:
    """Turn SQLite's and the file system's errors into a StorageError for staff."""
    try:
        yield
    except sqlite3.Error as error:
        raise StorageError(f"{message}: {db.plain_error(error)}.") from None
    except OSError as error:
        raise StorageError(f"{message}: {(error.strerror or str(error)).lower()}.") from None


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_MAGIC))


def _unused(path: Path) -> Path:
    """`path`, or the same name with -2, -3... if it is taken (two restores in a second)."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _flush(path: Path) -> None:
    """Push a file, or a folder's entries (a rename), to the disk before saying it is done."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; there a rename is as durable as it gets
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _beside(path: Path, suffix: str) -> Path:
    """SQLite's companion file of a database: `_beside(path, "-wal")`."""
    return path.with_name(path.name + suffix)


def _remove(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        _beside(path, suffix).unlink(missing_ok=True)


def _counted(count: int, thing: str) -> str:
    return f"{count} {thing}{'' if count == 1 else 's'}"


def _size(count: int) -> str:
    return f"{count / 2**20:,.1f} MB" if count >= 2**20 else f"{count / 1024:,.0f} KB"
