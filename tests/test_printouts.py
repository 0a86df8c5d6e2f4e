"""Receipts and reports saved as PDF: the owner's alone, never overwritten, audited."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from frontdesk import audit, paths, printouts
from frontdesk.errors import StorageError

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "frontdesk" / "printouts"


def test_a_pdf_goes_under_the_user_data_directory_for_the_owner_only(clinic, data_home):
    assert paths.printouts_dir() == data_home
    written = printouts.save("receipt-12", PDF, by=clinic.desk, patient=clinic.maria.id)
    assert written == data_home / "receipt-12.pdf" and written.read_bytes() == PDF
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_home.stat().st_mode) == 0o700
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert (event.action, event.patient_id, event.subject) == (
        "printout.saved", clinic.maria.id, "receipt-12.pdf")


def test_a_second_save_never_overwrites_the_first(clinic, data_home):
    first = printouts.save("receipt-12", PDF, by=clinic.desk)
    second = printouts.save("receipt-12.pdf", b"%PDF-other", by=clinic.desk)
    assert (first.name, second.name) == ("receipt-12.pdf", "receipt-12-2.pdf")
    assert first.read_bytes() == PDF


def test_a_name_cannot_climb_out_of_the_folder(clinic, data_home):
    written = printouts.save("../../etc/drawer close/Front 1", PDF, by=clinic.desk)
    assert written.parent == data_home and written.name == "Front-1.pdf"
    assert printouts.save("..", PDF, by=clinic.desk).name == "printout.pdf"


def test_a_folder_that_cannot_be_written_says_so(clinic, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(StorageError, match="could not be saved"):
        printouts.save("receipt-1", PDF, by=clinic.desk, folder=blocked / "printouts")
    assert not audit.AuditEvent.select().where(
        audit.AuditEvent.action == "printout.saved").exists()
