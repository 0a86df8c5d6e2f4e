"""Storage: the connection, its pragmas, write transactions and migrations.

Every write goes through `write()`, which takes SQLite's write lock up front
(BEGIN IMMEDIATE): a deferred transaction that reads and then writes fails at
once with "database is locked" instead of waiting its turn.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import peewee as pw

from frontdesk.clock import UTC
from frontdesk.errors import StorageError

__all__ = [
    "database",
    "Model",
    "InstantField",
    "Statement",
    "Insert",
    "open_database",
    "close_database",
    "create_private_file",
    "refuse_network_drive",
    "filesystem_type",
    "plain_error",
    "write",
    "migrate",
    "schema_status",
    "MIGRATIONS",
]

database = pw.DatabaseProxy()
"""The clinic database; `open_database` points it at a file or server."""

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

PRAGMAS = {
    "journal_mode": "wal",  # readers never wait for the writer
    "synchronous": "full",  # a committed payment survives a power cut
    "foreign_keys": 1,
    "busy_timeout": 10_000,  # wait for another terminal's write, do not fail
    "cache_size": -16_000,  # 16 MB of page cache per connection
}

_SQLITE_MAGIC = b"SQLite format 3\x00"

NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p", "afs", "coda", "ceph",
    "glusterfs", "davfs", "fuse.sshfs", "fuse.ceph", "fuse.ceph-fuse", "fuse.glusterfs",
    "fuse.rclone", "fuse.s3fs", "fuse.davfs2", "fuse.gcsfuse",
})
"""File systems whose locks SQLite cannot trust (the types /proc/self/mountinfo names)."""


class Model(pw.Model):
    """Base of every table: snake_case table names, the shared database."""

    class Meta:
        database = database
        legacy_table_names = False


class InstantField(pw.Field):
    """A moment in time, stored as UTC text that sorts in time order.

    Values going in must be timezone-aware; values coming out are aware UTC
    datetimes. A naive datetime is refused: it would mean a wall clock nobody
    named, and the bug would surface months later on a DST change.
    """

    field_type = "DATETIME"
    _format = "%Y-%m-%d %H:%M:%S.%f"

    def db_value(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"{self.name}: a naive datetime has no zone: {value!r}")
        return value.astimezone(UTC).strftime(self._format)

    def python_value(self, value: str | datetime | None) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):  # PostgreSQL hands back datetimes
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        # fromisoformat is C and reads this format; strptime was most of a day's load.
        return datetime.fromisoformat(value).replace(tzinfo=UTC)


class Statement:
    """A query written with peewee, compiled once, run many times with new values.

    Peewee spends about half a millisecond turning a query into SQL here, more
    than SQLite takes to run it, so the statements on hot paths (every booking,
    every audit event, bulk loads) are compiled once per placeholder style.
    `build(value)` returns the query with `value("name")` wherever a parameter
    goes; run it with those names as keywords, in stored form (instants through
    `InstantField.db_value`, for example). Peewee may reorder columns; names keep
    each value in its place.
    """

    _MARK = "\x00{}\x00"

    def __init__(self, build: Callable[[Callable[[str], pw.Node]], pw.Query]) -> None:
        self._build = build
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}

    def _compile(self) -> tuple[str, tuple[str, ...]]:
        param = database.param
        if param not in self._compiled:
            sql, params = self._build(lambda name: pw.SQL(self._MARK.format(name))).sql()
            if params:
                raise ValueError(f"a Statement must not carry literal values: {params!r}")
            parts = sql.split("\x00")
            names = tuple(parts[1::2])
            self._compiled[param] = (param.join(parts[0::2]), names)
        return self._compiled[param]

    @property
    def sql(self) -> str:
        return self._compile()[0]

    def _ordered(self, values: dict[str, object]) -> tuple[object, ...]:
        return tuple(values[name] for name in self._compile()[1])

    def execute(self, **values: object):
        """Run it; returns the DB-API cursor."""
        return database.execute_sql(self.sql, self._ordered(values))

    def insert(self, **values: object) -> int:
        """Run an INSERT and return the new row's id."""
        cursor = self.execute(**values)
        if cursor.description:  # the backend answered with RETURNING
            return cursor.fetchone()[0]
        return cursor.lastrowid

    def rows(self, **values: object) -> list[tuple]:
        return self.execute(**values).fetchall()

    def many(self, rows: Iterable[dict[str, object]]) -> None:
        """Run it once per row of values (an INSERT for a bulk load)."""
        database.cursor().executemany(self.sql, (self._ordered(row) for row in rows))


class Insert(Statement):
    """A compiled INSERT of every column of a model; `values` fills the defaults."""

    def __init__(self, model: type[pw.Model]) -> None:
        self.fields = [f for f in model._meta.sorted_fields if not isinstance(f, pw.AutoField)]
        super().__init__(lambda v: model.insert({f: v(f.name) for f in self.fields}))

    def values(self, stored: dict[str, object] | None = None, **given: object
               ) -> dict[str, object]:
        """One row in stored form; columns not given take their default.

        `stored` holds values already in stored form (the same timestamp for a
        whole batch, say), so a bulk load converts them once, not once a row.
        """
        row = dict(stored or {})
        for field in self.fields:
            if field.name in row:
                continue
            if field.name in given:
                value = given[field.name]
            else:
                value = field.default() if callable(field.default) else field.default
            row[field.name] = field.db_value(value)
        return row


def _is_url(target: str) -> bool:
    return "://" in target


def _check_sqlite_file(path: Path) -> None:
    """Refuse, before SQLite touches it, a path that cannot be the clinic's file."""
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file.")
    if path.exists():
        try:
            with path.open("rb") as handle:
                head = handle.read(len(_SQLITE_MAGIC))
        except PermissionError:
            raise StorageError(
                f"Cannot read {path}: permission denied. Ask whoever looks after the "
                "clinic server to give your account access to it."
            ) from None
        if head and head != _SQLITE_MAGIC:
            raise StorageError(f"{path} is not a frontdesk database. Nothing was changed.")
        if not os.access(path, os.W_OK):
            raise StorageError(
                f"{path} is read-only for this account, and frontdesk must be able to "
                "write to it. Nothing was changed."
            )
        folder = path.parent
    else:
        folder = path.parent
        if not folder.exists():
            raise StorageError(f"Cannot create {path}: the folder {folder} does not exist.")
    refuse_network_drive(path)
    # WAL mode keeps two files beside the database; SQLite must be able to make them.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(
            f"The folder {folder} is read-only for this account; frontdesk needs to "
            "write its journal beside the database. Nothing was changed."
        )
    if path.exists() and path.stat().st_size:
        # Last: the peek itself needs the folder (SQLite makes a WAL file's -shm there).
        _refuse_foreign_file(path)


def _refuse_foreign_file(path: Path) -> None:
    """Refuse another program's SQLite file by looking at it read-only.

    Connecting with PRAGMAS would already change it (journal_mode=wal rewrites
    the header), so the look happens before, through a read-only connection.
    """
    try:
        peek = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in
                      peek.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            peek.close()
    except sqlite3.DatabaseError as error:
        raise StorageError(f"Cannot open the database {path}: {plain_error(error)}.") from None
    if tables and "schema_migration" not in tables:
        raise StorageError(
            f"{path} is an SQLite database, but not a frontdesk one. Nothing was changed."
        )


def open_database(target: str | os.PathLike[str]) -> pw.Database:
    """Point `database` at a SQLite file (created if new) or a database URL."""
    target = os.fspath(target)
    created = False
    if _is_url(target):
        from playhouse.db_url import connect

        try:
            db = connect(target)
        except (RuntimeError, ValueError) as error:
            raise StorageError(f"Cannot use the database address {target}: {error}") from None
    else:
        path = Path(target).expanduser()
        _check_sqlite_file(path)
        # An existing file keeps its mode, even one that group or others may read: an
        # administrator may have chosen that (a backup account's group), and changing
        # it behind their back would surprise them. Only new files are made private.
        created = create_private_file(path)
        db = pw.SqliteDatabase(str(path), pragmas=PRAGMAS, timeout=10)
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        if _is_url(target):
            _refuse_foreign_server(db)
    except pw.DatabaseError as error:
        db.close()
        if created and path.stat().st_size == 0:
            path.unlink()  # leave nothing behind for a database that never was
        raise StorageError(f"Cannot open the database {target}: {plain_error(error)}") from None
    return db


def create_private_file(path: Path) -> bool:
    """Create `path` empty, readable and writable by this account only; False if it exists.

    Patients' records must not be readable by every account on the server. SQLite
    gives the -wal, -shm and journal files it makes later the main file's mode, so
    those are private too. The file is made here, before SQLite opens it, rather
    than under a tightened umask: the umask belongs to the whole process, every
    thread of it, and a folder's default ACL would override it anyway.
    """
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False  # made a moment ago by another terminal; its mode is theirs
    os.close(handle)
    os.chmod(path, 0o600)  # whatever a default ACL on the folder granted
    return True


def _mount_table() -> str | None:
    """The kernel's table of mounted file systems; None where there is none to read."""
    try:
        return Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux, or /proc not mounted: nothing to go on
        return None


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash in paths as octal escapes.
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def filesystem_type(folder: Path) -> tuple[str, str] | None:
    """(type, mount point) of the file system holding `folder`; None if unknown.

    The longest mount point that contains the folder wins; of two mounts on the
    same point, the later one (on top) does.
    """
    table = _mount_table()
    if table is None:
        return None
    where = os.path.realpath(folder)
    found: tuple[str, str] | None = None
    for line in table.splitlines():
        fields = line.split(" ")
        if " - " not in line or len(fields) < 5:
            continue
        mount = _unescape(fields[4])
        kind = line.split(" - ", 1)[1].split(" ", 1)[0]
        inside = mount == "/" or where == mount or where.startswith(mount.rstrip("/") + "/")
        if inside and (found is None or len(mount) >= len(found[1])):
            found = (kind, mount)
    return found


def refuse_network_drive(path: Path) -> None:
    """Refuse a database on a network file system, where SQLite's locks do not hold.

    Two terminals could then both believe they hold the write lock, and the file
    is corrupted quietly. The SQLite documentation says so; we say it at start-up.
    """
    found = filesystem_type(path.parent)
    if found is None or found[0] not in NETWORK_FILESYSTEMS:
        return
    kind, mount = found
    where = ("NFS" if kind.startswith("nfs") else
             "Windows (SMB) shares" if kind in {"cifs", "smb3", "smbfs"} else "network drives")
    raise StorageError(
        f"{path} is on a network drive ({kind}, mounted at {mount}). SQLite's file "
        f"locking is not safe on {where}; keep the clinic database on the server's own "
        "disk. Nothing was changed."
    )


def _refuse_foreign_server(db: pw.Database) -> None:
    """A server database with tables but no migration history belongs to someone else.

    (SQLite files are looked at read-only before connecting: `_refuse_foreign_file`.)
    """
    tables = set(db.get_tables())
    if tables and "schema_migration" not in tables:
        db.close()
        raise StorageError(f"{db.database} holds another program's tables, not frontdesk's. "
                           "Nothing was changed.")


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


def plain_error(error: Exception) -> str:
    """SQLite's error text, said the way staff can act on it."""
    text = str(error)
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return "the database is read-only for this account"
    if "disk is full" in lowered:  # SQLITE_FULL says "database or disk is full"
        return "the disk is full; ask for space to be freed, then try again"
    if "disk i/o error" in lowered:
        return ("the disk could not be written (it may be full or failing); ask whoever "
                "looks after the clinic server")
    if "locked" in lowered or "busy" in lowered:
        return "another terminal is busy writing; try again in a moment"
    if "malformed" in lowered or "not a database" in lowered:
        return "the database file is damaged; restore it from the last backup"
    if "unable to open" in lowered:
        return "the database file cannot be opened"
    return text


@contextlib.contextmanager
def write(*, durable: bool = True) -> Iterator[None]:
    """One write transaction, holding the write lock from its first statement.

    Nested calls become savepoints of the outer transaction. Storage failures
    (read-only, disk full, a lock held too long) surface as `StorageError` with
    a message for staff; everything written in the block is rolled back.

    `durable=False` is for records of someone looking (a patient opened, a report
    read), which change nothing: the commit skips its fsync (WAL, synchronous
    NORMAL), becoming durable with the next durable commit or checkpoint. A power
    cut may lose the last few such records, never a change, a payment or the
    chain's integrity; a look then costs ~0.4 ms instead of ~1.4 ms.
    """
    db = database.obj
    lock = "IMMEDIATE" if isinstance(db, pw.SqliteDatabase) else None
    top = db.transaction_depth() == 0
    transaction = db.atomic(lock) if lock and top else db.atomic()
    relaxed = lock is not None and top and not durable
    if relaxed:
        db.execute_sql("PRAGMA synchronous = NORMAL")
    try:
        with transaction:
            yield
    except _DATABASE_ERRORS as error:  # SQLite's own too: Statement.many uses a raw cursor
        cause = _first_cause(error)
        if isinstance(cause, _INTEGRITY_ERRORS) or not isinstance(cause, _DATABASE_ERRORS):
            raise cause from None
        raise StorageError(f"The change was not saved: {plain_error(cause)}.") from None
    finally:
        if relaxed:
            db.execute_sql("PRAGMA synchronous = FULL")


_DATABASE_ERRORS = (pw.DatabaseError, sqlite3.DatabaseError)
_INTEGRITY_ERRORS = (pw.IntegrityError, sqlite3.IntegrityError)


_ALREADY_ROLLED_BACK = ("no transaction is active", "no such savepoint")


def _first_cause(error: BaseException) -> BaseException:
    """The error that failed the write, not peewee's failed rollback after it.

    On a full disk or an I/O error SQLite rolls the whole transaction back itself;
    peewee's own ROLLBACK then fails ("cannot rollback - no transaction is
    active") and would hide the error staff can act on.
    """
    while (error.__context__ is not None
           and any(words in str(error) for words in _ALREADY_ROLLED_BACK)):
        error = error.__context__
    return error


def _runner(directory: Path):
    from playhouse.migrations import Runner  # only needed at start-up, and not cheap

    return Runner(database.obj, str(directory))


def _numbered(name: str) -> tuple[int, str]:
    digits = name[: len(name) - len(name.lstrip("0123456789"))]
    return (int(digits) if digits else -1, name)


def schema_status(directory: Path = MIGRATIONS) -> tuple[list[str], list[str], list[str]]:
    """(applied, pending, unknown) migration names for the open database.

    Read directly, in the runner's order, rather than through playhouse's Runner:
    this runs at every start and the runner's import alone costs more than the
    query. The runner is loaded only when there is something to apply.
    """
    known = sorted((p.stem for p in directory.glob("[0-9]*.py")), key=_numbered)
    done: set[str] = set()
    if "schema_migration" in database.get_tables():
        done = {row[0] for row in database.execute_sql("SELECT name FROM schema_migration")}
    applied = [name for name in known if name in done]
    pending = [name for name in known if name not in done]
    unknown = sorted(done - set(known), key=_numbered)
    return applied, pending, unknown


def _backup_path(path: Path, before: str) -> Path:
    return path.with_name(f"{path.name}.before-{before}.bak")


def _backup_sqlite(path: Path, before: str) -> Path:
    """Copy the live database with SQLite's online backup, before a migration."""
    dest = _backup_path(path, before)
    create_private_file(dest)  # private while it fills; then the clinic file's own mode
    source = sqlite3.connect(str(path))
    try:
        target = sqlite3.connect(str(dest))
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    shutil.copymode(path, dest)
    return dest


def migrate(directory: Path = MIGRATIONS) -> list[str]:
    """Bring the open database to the program's schema; return what was applied.

    A database made by a newer program is refused untouched. An existing file
    is copied aside before anything changes it.
    """
    applied, pending, unknown = schema_status(directory)
    if unknown:
        raise StorageError(
            "This database was last used by a newer version of frontdesk (it has "
            f"schema changes this program does not know: {', '.join(unknown)}). "
            "Install the newer frontdesk; nothing was changed."
        )
    if not pending:
        return []
    db = database.obj
    if applied and isinstance(db, pw.SqliteDatabase):
        _backup_sqlite(Path(db.database), pending[0])
    runner = _runner(directory)
    if not isinstance(db, pw.SqliteDatabase):
        with write():
            # Another terminal may have migrated while this one waited for the lock.
            return runner.up()
    # SQLite changes a column by rebuilding its table: the old one is dropped, and
    # with foreign keys on that drop deletes (CASCADE) or refuses (RESTRICT) every
    # row pointing at it. The pragma only takes effect outside a transaction, so it
    # is switched here rather than inside the runner's savepoint, and the keys are
    # checked before the migration commits.
    db.execute_sql("PRAGMA foreign_keys = 0")
    try:
        with write():
            # Another terminal may have migrated while this one waited for the lock.
            done = runner.up()
            broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StorageError(
                    f"The schema change {', '.join(done)} would leave {len(broken)} broken "
                    f"references (first in table {broken[0][0]}); nothing was changed."
                )
            return done
    finally:
        db.execute_sql("PRAGMA foreign_keys = 1")
