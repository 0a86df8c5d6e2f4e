"""Bringing records over from the system a clinic leaves, one CSV file at a time.

Two layers. The reader (`open_rows`, giving `Row`s and `Refusal`s, and `Refusals`
to count and report them) knows CSV files as a spreadsheet shows them; any kind
of import sits on top of it. `import_patients` is the first kind; balances will
be a second on the same reader, with the same bad-row reporting.

Row numbers are the spreadsheet's, because that is where staff fix a refused
row: the header is row 1, and a quoted cell holding a line break is still one
row (the spreadsheet shows one row with a two-line cell), so the number is not
the line a text editor shows. A blank line is a row too, and skipped.
"""

from __future__ import annotations

import codecs
import csv
import getpass
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from frontdesk import audit, clock, db, patients
from frontdesk.errors import FrontdeskError, InvalidInput
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff
from frontdesk.text import fold, has_control, one_line

__all__ = [
    "UnreadableFile",
    "Row",
    "Refusal",
    "Refusals",
    "Rows",
    "open_rows",
    "column_key",
    "BATCH",
    "SHOWN",
    "PATIENT_COLUMNS",
    "PATIENT_REQUIRED",
    "Outcome",
    "import_patients",
]

BATCH = 2000
"""Rows per transaction: each holds the write lock about a tenth of a second (measured
here), so a terminal that writes meanwhile waits that, not the minutes a million-row
file takes."""
SHOWN = 50
"""Refused rows kept to show on screen; a report file gets them all."""

Progress = Callable[[str, int, int], None]


class UnreadableFile(FrontdeskError):
    """The file cannot be imported at all; nothing was read from it."""


# -- the reader ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of the file, by the columns the import knows."""

    number: int
    """As a spreadsheet shows it: the header is row 1."""
    cells: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        """The cell's text as written; empty when the file has no such column."""
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Refusal:
    """A row that was not imported, and why."""

    row: int
    column: str
    """The column at fault, by the import's name for it; empty for the whole row."""
    reason: str

    def __str__(self) -> str:
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.reason}"


class Refusals:
    """Every refused row of a run: counted, the first `keep` kept to show, and all of
    them written to `report` (a CSV file to open beside the original) when given."""

    def __init__(self, *, keep: int = SHOWN, report: TextIO | None = None) -> None:
        self.count = 0
        self.shown: list[Refusal] = []
        self._keep = keep
        self._writer = csv.writer(report) if report is not None else None
        if self._writer:
            self._writer.writerow(["row", "column", "reason"])

    def add(self, refusal: Refusal) -> None:
        self.count += 1
        if len(self.shown) < self._keep:
            self.shown.append(refusal)
        if self._writer:
            self._writer.writerow([refusal.row, refusal.column, refusal.reason])

    def __len__(self) -> int:
        return self.count


def column_key(header: str) -> str:
    """How a header is matched: no case, no spaces, underscores or dashes, so
    "First Name", "first_name" and "FIRSTNAME" are one column."""
    return re.sub(r"[\s_\-]+", "", header).casefold()


def _letter(index: int) -> str:
    """A column's spreadsheet letter: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class Rows:
    """An open CSV file whose header is understood; iterate for its rows."""

    name: str
    columns: tuple[str, ...]
    """The known columns the file has."""
    warnings: list[str]
    """Columns ignored, said once for the whole file."""
    expected: int
    """Rows after the header, counted as lines: more than there are when cells hold
    line breaks. Good for a progress bar, not for a total."""
    _records: Iterator[list[str]]
    _places: tuple[tuple[int, str], ...]
    _width: int

    def __iter__(self) -> Iterator[Row | Refusal]:
        number = 1
        try:
            for record in self._records:
                number += 1
                if any(cell.strip() for cell in record):
                    yield self._row(number, record)
        except csv.Error as error:
            yield Refusal(number + 1, "", f"The file cannot be read from this row on ({error}); "
                                          "nothing after it was looked at.")

    def _row(self, number: int, record: list[str]) -> Row | Refusal:
        if any(cell.strip() for cell in record[self._width:]):
            return Refusal(number, "", f"The row has {len(record)} cells but the header names "
                                       f"{self._width} columns: a cell may hold an unquoted "
                                       "comma.")
        cells = {}
        for index, column in self._places:
            text = record[index] if index < len(record) else ""
            if has_control(text):
                return Refusal(number, column, "The cell holds control characters; retype it.")
            cells[column] = text
        return Row(number, cells)


def _not_utf8(path: Path, error: UnicodeDecodeError, line: int) -> UnreadableFile:
    if error.object[:2] in (b"\xff\xfe", b"\xfe\xff"):
        found = "it is UTF-16 text"
    else:
        found = (f"line {line} holds the byte 0x{error.object[error.start]:02X}, "
                 "which UTF-8 does not allow")
    return UnreadableFile(f"{path.name} is not UTF-8 text: {found}. Save it from the "
                          "spreadsheet as \"CSV UTF-8\" and import that; nothing was imported.")


def _survey(path: Path) -> tuple[int, str]:
    """(rows after the header, counted as lines; the delimiter), having checked that
    the whole file is UTF-8 before a row is imported: a bad byte found halfway
    would leave half a file imported."""
    try:
        file = path.open("rb")
    except FileNotFoundError:
        raise UnreadableFile(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path} is a folder, not a CSV file.") from None
    except OSError as error:
        raise UnreadableFile(f"{path} cannot be read: {error.strerror or error}.") from None
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines, first_line, last = 0, b"", b"\n"
    with file:
        try:
            while chunk := file.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    line = newlines + error.object[:error.start].count(b"\n") + 1
                    raise _not_utf8(path, error, line) from None
                if newlines == 0:
                    first_line += chunk.split(b"\n", 1)[0][:65536]
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise _not_utf8(path, error, newlines + 1) from None
        except OSError as error:
            raise UnreadableFile(f"{path} cannot be read: {error.strerror or error}.") from None
    header = first_line.decode("utf-8", "replace")
    # Spreadsheets set to a European locale save with semicolons; some systems export tabs.
    delimiter = max(",;\t", key=lambda mark: (header.count(mark), mark == ","))
    return max(newlines - (last == b"\n"), 0), delimiter


def _header(path: Path, header: list[str] | None, columns: Sequence[str],
            required: Sequence[str]) -> tuple[tuple[tuple[int, str], ...], list[str]]:
    """((cell index, column) for the known columns, warnings), or refuse the file."""
    if not header or not any(cell.strip() for cell in header):
        raise UnreadableFile(f"{path.name} is empty: its first row must name the columns "
                             f"({', '.join(columns)}).")
    known = {column_key(column): column for column in columns}
    places: dict[str, int] = {}
    warnings = []
    for index, text in enumerate(header):
        column = known.get(column_key(text))
        if column is None:
            if text.strip():
                warnings.append(f"Column {_letter(index)} \"{one_line(text)}\" is not one "
                                "frontdesk imports; its cells are ignored.")
            continue
        if column in places:
            raise UnreadableFile(f"{path.name}: columns {_letter(places[column])} and "
                                 f"{_letter(index)} are both {column}; keep one.")
        places[column] = index
    missing = [column for column in required if column not in places]
    if missing:
        raise UnreadableFile(
            f"{path.name} has no {' or '.join(missing)} column, so nothing was imported. "
            f"Its first row must name the columns, in any order: {', '.join(columns)} "
            f"({', '.join(required)} required).")
    return tuple((index, column) for column, index in places.items()), warnings


@contextmanager
def open_rows(path: str | Path, *, columns: Sequence[str],
              required: Sequence[str]) -> Iterator[Rows]:
    """The rows of a CSV file (UTF-8, with or without a byte order mark), read lazily.

    `columns` are the names the import knows, matched however the header spells
    them (`column_key`); any other column is ignored with a warning. A file that
    is not UTF-8, is empty, or lacks a `required` column raises `UnreadableFile`
    before a row is read.
    """
    path = Path(path)
    expected, delimiter = _survey(path)
    with path.open(encoding="utf-8-sig", newline="") as file:
        records = csv.reader(file, delimiter=delimiter)
        try:
            header = next(records, None)
        except csv.Error as error:
            raise UnreadableFile(f"{path.name}: its first row cannot be read ({error}).") from None
        places, warnings = _header(path, header, columns, required)
        yield Rows(name=path.name, columns=tuple(column for _, column in places),
                   warnings=warnings, expected=expected, _records=records, _places=places,
                   _width=len(header))


# -- patients -----------------------------------------------------------------------

PATIENT_COLUMNS = ("mrn", "first_name", "middle_name", "last_name", "dob", "sex", "phone",
                   "phone_home", "phone_work", "email", "address1", "address2", "city",
                   "state", "zip")
PATIENT_REQUIRED = ("first_name", "last_name", "dob", "sex")
"""Registration refuses a patient without any of these, so a file without the column
would be refused row by row; one message for the file is kinder."""

_PHONES = {"phone": "mobile", "phone_home": "home", "phone_work": "work"}
_COLUMN_OF = {f"phone_{kind}": column for column, kind in _PHONES.items()}
"""`check` names a phone field by its kind; the file names it by its column."""
_MRN = re.compile(r"^[A-Za-z0-9-]*[A-Za-z0-9][A-Za-z0-9-]*$")
MRN_MAX = 20
# A file is not staff typing: no two-digit years, no "next tue", no guessing.
_DOB = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}/\d{1,2}/\d{4}$")


@dataclass
class Outcome:
    """What a run did, so far as it went."""

    refusals: Refusals
    imported: int = 0
    already: int = 0
    """Rows whose patient was there before: the same MRN, or with none, the same name
    and date of birth."""
    warnings: list[str] = field(default_factory=list)
    last_row: int = 1
    """The last row looked at; every row up to it is committed or refused."""
    stopped: str = ""
    """Why the run ended before the end of the file (empty when it did not)."""

    @property
    def refused(self) -> int:
        return self.refusals.count


@dataclass(frozen=True)
class _Candidate:
    row: int
    checked: patients.Checked
    mrn: str | None
    key: tuple[str, str, date]
    """Folded first and last name and date of birth: who the patient is when no MRN says."""


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


def _chunks(items: Sequence, size: int = 500) -> Iterator[Sequence]:
    """Pieces small enough for any database's limit on query parameters."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _batches(rows: Iterable[Row | Refusal], size: int) -> Iterator[list[Row | Refusal]]:
    batch: list[Row | Refusal] = []
    for item in rows:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _row_number(item: Row | Refusal) -> int:
    return item.number if isinstance(item, Row) else item.row


class _PatientImport:
    """One run's memory: which MRNs and which people earlier rows of the file held."""

    def __init__(self, by: Staff, outcome: Outcome) -> None:
        self.by = by
        self.outcome = outcome
        self.today = clock.today()
        self.mrn_rows: dict[str, int] = {}
        self.person_rows: dict[tuple[str, str, date], int] = {}

    def look(self, row: Row) -> _Candidate | Refusal:
        """The row checked as registration checks a patient, or why not."""
        mrn = row["mrn"].strip()
        if mrn:
            if len(mrn) > MRN_MAX or not _MRN.match(mrn):
                return Refusal(row.number, "mrn", f"MRN \"{mrn}\" may hold only letters, digits "
                                                  f"and dashes, {MRN_MAX} at most.")
            earlier = self.mrn_rows.setdefault(mrn, row.number)
            if earlier != row.number:
                return Refusal(row.number, "mrn", f"MRN \"{mrn}\" is already on row {earlier} "
                                                  "of this file.")
        dob = row["dob"].strip()
        if dob and not _DOB.match(dob):
            return Refusal(row.number, "dob", f"Date of birth \"{dob}\" must be written "
                                              "YYYY-MM-DD or MM/DD/YYYY, with the whole year.")
        try:
            checked = patients.check(self._draft(row), today=self.today)
        except InvalidInput as error:
            return Refusal(row.number, _COLUMN_OF.get(error.field, error.field or ""),
                           error.message)
        key = (fold(checked.first_name), fold(checked.last_name), checked.dob)
        earlier = self.person_rows.setdefault(key, row.number)
        if not mrn and earlier != row.number:
            # Without an MRN, name and birth date are who the patient is: the same pair
            # twice is one patient twice, or two that staff must tell apart.
            return Refusal(row.number, "mrn", f"Same name and date of birth as row {earlier}, "
                                              "and no MRN to tell them apart.")
        return _Candidate(row.number, checked, mrn or None, key)

    @staticmethod
    def _draft(row: Row) -> patients.Draft:
        return patients.Draft(
            first_name=row["first_name"], middle_name=row["middle_name"],
            last_name=row["last_name"], dob=row["dob"].strip(), sex=row["sex"],
            phones={kind: row[column] for column, kind in _PHONES.items()
                    if row[column].strip()},
            email=row["email"], address1=row["address1"], address2=row["address2"],
            city=row["city"], state=row["state"], zip=row["zip"])

    def commit(self, batch: list[Row | Refusal]) -> None:
        """Check a batch of rows and store the new patients in one transaction."""
        refusals: list[Refusal] = []
        candidates: list[_Candidate] = []
        for item in batch:
            looked = self.look(item) if isinstance(item, Row) else item
            (refusals if isinstance(looked, Refusal) else candidates).append(looked)
        # The checks above parse phone numbers and dates, the slow part: outside the lock.
        with db.write():
            new, already, clashes = _against_database(candidates)
            patients.register_many([c.checked for c in new], by=self.by,
                                   mrns=[c.mrn for c in new])
        self.outcome.imported += len(new)
        self.outcome.already += already
        for refusal in sorted(refusals + clashes, key=lambda r: r.row):
            self.outcome.refusals.add(refusal)


def _against_database(candidates: list[_Candidate]
                      ) -> tuple[list[_Candidate], int, list[Refusal]]:
    """(patients to add, how many were already there, rows whose MRN is someone else's)."""
    P = patients.Patient
    by_mrn: dict[str, tuple[str, str, date]] = {}
    for mrns in _chunks([c.mrn for c in candidates if c.mrn]):
        query = P.select(P.mrn, P.first_key, P.last_key, P.dob).where(P.mrn.in_(list(mrns)))
        by_mrn.update((mrn, (first, last, dob)) for mrn, first, last, dob in query.tuples())
    people: set[tuple[str, str, date]] = set()
    for piece in _chunks([c.key for c in candidates if not c.mrn]):
        firsts, lasts, dobs = (list({key[i] for key in piece}) for i in range(3))
        query = P.select(P.first_key, P.last_key, P.dob).where(
            P.last_key.in_(lasts) & P.first_key.in_(firsts) & P.dob.in_(dobs))
        people.update(query.tuples())
    new, clashes, already = [], [], 0
    for c in candidates:
        there = by_mrn.get(c.mrn) if c.mrn else (c.key if c.key in people else None)
        if there is None:
            new.append(c)
        elif there == c.key:
            already += 1
        else:
            # Its name is not said: the importer has not opened that patient's record.
            clashes.append(Refusal(c.row, "mrn", f"MRN \"{c.mrn}\" already belongs to another "
                                                 "patient here (another name or date of birth)."))
    return new, already, clashes


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _record_run(path: Path, outcome: Outcome, by: Staff) -> None:
    detail = {"imported": outcome.imported, "already": outcome.already,
              "refused": outcome.refused, "last_row": outcome.last_row,
              "os_user": _os_user()}
    if outcome.stopped:
        detail["stopped"] = outcome.stopped
    with db.write():
        audit.record("patients.imported", by=by, subject=one_line(path.name)[:120],
                     detail=detail)


def import_patients(path: str | Path, *, by: Staff, report: TextIO | None = None,
                    batch: int | None = None, progress: Progress = _no_progress,
                    cancelled: Callable[[], bool] = lambda: False) -> Outcome:
    """Register the patients of a CSV file exported from another system.

    Every row gets the checks of registration; a bad row is refused with its row
    number, column and reason, and stops nothing else. Rows whose patient is
    already here (the same MRN, or with none, the same name and date of birth)
    are counted, not added twice, so a run can be repeated. MRNs in the file are
    kept. Batches of `batch` rows are committed one by one; `cancelled` is asked
    between batches, and a run that stops says where in `Outcome.stopped`.
    """
    require(by, Permission.REGISTER_PATIENTS)
    path = Path(path)
    size = batch or BATCH
    outcome = Outcome(refusals=Refusals(report=report))
    run = _PatientImport(by, outcome)
    with open_rows(path, columns=PATIENT_COLUMNS, required=PATIENT_REQUIRED) as rows:
        outcome.warnings.extend(rows.warnings)
        progress("patients", 0, rows.expected)
        for index, chunk in enumerate(_batches(rows, size)):
            first = _row_number(chunk[0])
            if index and cancelled():
                outcome.stopped = f"Stopped at your request before row {first}."
                break
            try:
                run.commit(chunk)
            except FrontdeskError as error:
                outcome.stopped = f"Stopped before row {first}: {error.message}"
                break
            outcome.last_row = _row_number(chunk[-1])
            done = outcome.last_row - 1
            progress("patients", done, max(rows.expected, done))
    _record_run(path, outcome, by)
    return outcome
