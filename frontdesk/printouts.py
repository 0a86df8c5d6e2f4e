"""Receipts and drawer reports saved as PDF files, for mailing or printing elsewhere.

A saved receipt or report carries patients' names and money out of the database,
so the folder is the owner's alone (0700), each file too (0600), nothing is ever
overwritten, and who saved what is in the audit trail.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from frontdesk import audit, db, paths
from frontdesk.errors import StorageError
from frontdesk.text import one_line

__all__ = ["save"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
TRIES = 1000
"""receipt-73.pdf, receipt-73-2.pdf, ... before giving up."""


def _file_name(name: str) -> str:
    stem = _UNSAFE.sub("-", Path(name).stem).strip("-.") or "printout"
    return stem[:80]


def _create(folder: Path, stem: str, data: bytes) -> Path:
    for attempt in range(1, TRIES + 1):
        target = folder / (f"{stem}.pdf" if attempt == 1 else f"{stem}-{attempt}.pdf")
        try:
            # O_EXCL: a second save of the same receipt never writes over the first.
            handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return target
    raise StorageError(f"{folder} already holds {TRIES} files called {stem}; "
                       "move some elsewhere.")


def save(name: str, data: bytes, *, by, patient: int | None = None,
         folder: Path | None = None) -> Path:
    """Write `data` (a PDF) as `name` in the printouts folder; the path written."""
    folder = folder or paths.printouts_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        written = _create(folder, _file_name(name), data)
    except OSError as error:
        raise StorageError(f"The PDF could not be saved in {folder}: "
                           f"{one_line(error.strerror or str(error))}.") from None
    with db.write(durable=False):  # a copy leaving the database: who, when, where
        audit.record("printout.saved", by=by, patient=patient, subject=written.name,
                     detail={"path": str(written)})
    return written
