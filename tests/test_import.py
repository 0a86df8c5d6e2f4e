"""Importing patients from the system a clinic leaves: `frontdesk import patients`."""

from __future__ import annotations

import csv
import io
import os
import signal
from pathlib import Path

import pytest

from frontdesk import audit, cli, db, importing, patients, staff
from frontdesk.importing import Refusal, Row, UnreadableFile, import_patients, open_rows

HEADER = "mrn,first_name,middle_name,last_name,dob,sex,phone,phone_home,phone_work,email," \
         "address1,address2,city,state,zip"


def write(path: Path, *lines: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\n".join(lines) + "\n").encode())
    return path


def person(**cells: str) -> str:
    """One row in HEADER's order; a good patient unless a cell says otherwise."""
    row = {"mrn": "", "first_name": "Ana", "middle_name": "", "last_name": "Silva",
           "dob": "1980-03-04", "sex": "F", "phone": "", "phone_home": "", "phone_work": "",
           "email": "", "address1": "", "address2": "", "city": "", "state": "", "zip": ""}
    row.update(cells)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row.values())
    return out.getvalue()[:-1]


def by_mrn(mrn: str) -> patients.Patient:
    return patients.Patient.get(patients.Patient.mrn == mrn)


# -- a good file --------------------------------------------------------------------


def test_a_good_file_registers_every_row_with_the_checks_of_registration(clinic, tmp_path):
    path = write(tmp_path / "old.csv", HEADER,
                 person(mrn="OLD-77", first_name="Ana", middle_name="Lucia", last_name="Silva",
                        phone="(617) 555-0101", phone_home="617-555-0102",
                        phone_work="617.555.0103", email="ana@example.com",
                        address1="1 Main St", address2="Apt 2", city="Boston", state="ma",
                        zip="02110"),
                 person(first_name="Ben", last_name="Okafor", dob="07/09/1975", sex="male"))
    outcome = import_patients(path, by=clinic.desk)
    assert (outcome.imported, outcome.already, outcome.refused) == (2, 0, 0)
    assert outcome.stopped == "" and outcome.warnings == []
    ana = by_mrn("OLD-77")  # kept as the other system wrote it
    assert (ana.first_name, ana.middle_name, ana.last_name, ana.dob.isoformat(), ana.sex) == \
        ("Ana", "Lucia", "Silva", "1980-03-04", "F")
    assert (ana.email, ana.address1, ana.address2, ana.city, ana.state, ana.zip) == \
        ("ana@example.com", "1 Main St", "Apt 2", "Boston", "MA", "02110")
    assert sorted((p.kind, p.number) for p in ana.phones) == [
        ("home", "+16175550102"), ("mobile", "+16175550101"), ("work", "+16175550103")]
    ben = patients.Patient.get(patients.Patient.last_name == "Okafor")
    assert ben.mrn == "100003"  # no MRN in the file: the next of ours (the clinic has 2)
    assert (ben.dob.isoformat(), ben.sex) == ("1975-07-09", "M")


def test_a_bom_and_headers_in_any_case_and_spacing_are_understood(clinic, tmp_path):
    path = write(tmp_path / "excel.csv",
                 "MRN, First Name ,LAST_NAME,Date Of Birth,DOB,Sex,Phone Home,ZIP",
                 "X1,Ana,Silva,whatever,1980-03-04,F,617-555-0102,02110", bom=True)
    outcome = import_patients(path, by=clinic.desk)
    assert (outcome.imported, outcome.refused) == (1, 0)
    assert outcome.warnings == [
        'Column D "Date Of Birth" is not one frontdesk imports; its cells are ignored.']
    ana = by_mrn("X1")  # not "\ufeffX1": the byte order mark is not part of the first header
    assert ana.zip == "02110" and [p.number for p in ana.phones] == ["+16175550102"]


def test_semicolons_from_a_european_spreadsheet_are_read_too(clinic, tmp_path):
    path = write(tmp_path / "semi.csv", "first_name;last_name;dob;sex", "Ana;Silva;1980-03-04;F")
    assert import_patients(path, by=clinic.desk).imported == 1


# -- bad rows -----------------------------------------------------------------------

BAD_ROWS = [
    ({"dob": "3/4/80"}, "dob", 'Date of birth "3/4/80" must be written YYYY-MM-DD or '
                               "MM/DD/YYYY, with the whole year."),
    ({"dob": "next tue"}, "dob", "must be written YYYY-MM-DD"),
    ({"dob": "02/30/1980"}, "dob", "February has only 29 days in 1980"),
    ({"dob": "2030-01-01"}, "dob", "in the future"),
    ({"dob": ""}, "dob", "Date of birth is required."),
    ({"phone": "555"}, "phone", 'Phone number "555": it is too short.'),
    ({"phone_work": "617-555-01"}, "phone_work", "Phone number"),
    ({"state": "ZZ"}, "state", 'State "ZZ" is not a US state code'),
    ({"zip": "0211"}, "zip", 'ZIP "0211" must be 5 digits'),
    ({"first_name": ""}, "first_name", "First name is required."),
    ({"last_name": "  "}, "last_name", "Last name is required."),
    ({"sex": "Mango"}, "sex", "Sex must be F (female)"),
    ({"email": "ana@"}, "email", 'Email "ana@" is not an email address.'),
    ({"mrn": "AB 12"}, "mrn", 'MRN "AB 12" may hold only letters, digits and dashes'),
    ({"mrn": "AB#12"}, "mrn", "may hold only letters, digits and dashes"),
    ({"mrn": "A" * 21}, "mrn", "20 at most"),
    ({"mrn": "---"}, "mrn", "may hold only letters, digits and dashes"),
    ({"city": "Bos\x1b[2Jton"}, "city", "control characters"),
]


@pytest.mark.parametrize(("cells", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_refused_with_its_row_column_and_reason_and_the_rest_imported(
        clinic, tmp_path, cells, column, reason):
    path = write(tmp_path / "bad.csv", HEADER, person(first_name="Good", last_name="One"),
                 person(**cells), person(first_name="Good", last_name="Two"))
    outcome = import_patients(path, by=clinic.desk)
    assert (outcome.imported, outcome.refused) == (2, 1)
    (refusal,) = outcome.refusals.shown
    assert (refusal.row, refusal.column) == (3, column)
    assert reason in refusal.reason
    assert patients.Patient.select().count() == 4  # Maria, John and the two good rows


def test_a_refused_mrn_is_not_kept_nor_handed_out(clinic, tmp_path):
    path = write(tmp_path / "bad.csv", HEADER, person(mrn="K-1", dob="3/4/80"))
    import_patients(path, by=clinic.desk)
    assert not patients.Patient.select().where(patients.Patient.mrn == "K-1").exists()


def test_a_duplicate_mrn_in_the_file_refuses_the_later_row(clinic, tmp_path):
    path = write(tmp_path / "dup.csv", HEADER, person(mrn="A-1", first_name="Ana"),
                 person(mrn="A-2", first_name="Bea"), person(mrn="A-1", first_name="Cy"))
    outcome = import_patients(path, by=clinic.desk)
    assert [str(r) for r in outcome.refusals.shown] == [
        'Row 4, mrn: MRN "A-1" is already on row 2 of this file.']
    assert by_mrn("A-1").first_name == "Ana"


def test_the_same_person_twice_without_an_mrn_refuses_the_later_row(clinic, tmp_path):
    path = write(tmp_path / "twice.csv", HEADER, person(), person(first_name="Bea"),
                 person(first_name="ANA", last_name="silva"))
    outcome = import_patients(path, by=clinic.desk)
    assert [str(r) for r in outcome.refusals.shown] == [
        "Row 4, mrn: Same name and date of birth as row 2, and no MRN to tell them apart."]
    assert outcome.imported == 2


def test_an_mrn_that_is_another_patient_here_is_refused_without_naming_them(clinic, tmp_path):
    path = write(tmp_path / "clash.csv", HEADER, person(mrn=clinic.maria.mrn))
    outcome = import_patients(path, by=clinic.desk)
    (refusal,) = outcome.refusals.shown
    assert refusal.column == "mrn" and "belongs to another patient here" in refusal.reason
    assert "García" not in refusal.reason and "Maria" not in refusal.reason
    assert by_mrn(clinic.maria.mrn).first_name == "María"


def test_a_row_with_more_cells_than_the_header_is_refused(clinic, tmp_path):
    path = write(tmp_path / "wide.csv", "first_name,last_name,dob,sex",
                 "Ana,Silva,1980-03-04,F,,", "Bea,Smith, Jr,1980-03-04,F")
    outcome = import_patients(path, by=clinic.desk)
    assert outcome.imported == 1  # empty trailing cells are nothing to worry about
    (refusal,) = outcome.refusals.shown
    assert refusal.row == 3 and refusal.column == ""
    assert "5 cells but the header names 4 columns" in refusal.reason


# -- row numbers --------------------------------------------------------------------


def test_row_numbers_are_the_spreadsheets_even_when_a_cell_holds_a_line_break(clinic, tmp_path):
    """A quoted cell with a line break is one row in a spreadsheet, so it counts as one;
    a blank line is a row too (skipped). Line numbers would say 6 and 8 here."""
    path = write(tmp_path / "rows.csv", HEADER,
                 person(first_name="Ana", address1="1 Main St\nBuilding B"),
                 person(first_name="Bea", address2="Suite 4\nFloor 2\nBack door"),
                 "",
                 person(first_name="Cy", state="ZZ"),
                 person(first_name="Di", zip="1"))
    outcome = import_patients(path, by=clinic.desk)
    assert [(r.row, r.column) for r in outcome.refusals.shown] == [(5, "state"), (6, "zip")]
    assert outcome.imported == 2
    ana = patients.Patient.get(patients.Patient.first_name == "Ana")
    assert ana.address1 == "1 Main St Building B"  # one line, as the form keeps it


def test_the_reader_gives_rows_and_refusals_for_any_kind_of_import(tmp_path):
    path = write(tmp_path / "balances.csv", "MRN,Balance,Note", "A-1,12.50,", ",,",
                 "A-2,3,x,y", bom=True)
    with open_rows(path, columns=("mrn", "balance"), required=("mrn",)) as rows:
        assert rows.columns == ("mrn", "balance")
        assert rows.expected == 3  # lines after the header
        assert list(rows) == [Row(2, {"mrn": "A-1", "balance": "12.50"}),
                              Refusal(4, "", "The row has 4 cells but the header names 3 "
                                             "columns: a cell may hold an unquoted comma.")]
        assert rows.warnings == ['Column C "Note" is not one frontdesk imports; its cells '
                                 "are ignored."]


# -- files that cannot be imported at all -------------------------------------------


def test_a_file_that_is_not_utf8_is_refused_whole_with_the_line(clinic, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\n{person()}\n{person(first_name='José')}\n".encode("latin-1"))
    with pytest.raises(UnreadableFile) as refused:
        import_patients(path, by=clinic.desk)
    assert str(refused.value) == (
        'latin1.csv is not UTF-8 text: line 3 holds the byte 0xE9, which UTF-8 does not '
        'allow. Save it from the spreadsheet as "CSV UTF-8" and import that; nothing was '
        "imported.")
    assert patients.Patient.select().count() == 2  # the good row 2 was not imported either


def test_a_utf16_file_is_named_as_such(clinic, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(f"{HEADER}\n{person()}\n".encode("utf-16"))
    with pytest.raises(UnreadableFile, match="it is UTF-16 text"):
        import_patients(path, by=clinic.desk)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b",,,\n"])
def test_an_empty_file_is_refused(clinic, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match="empty.csv is empty: its first row must name"):
        import_patients(path, by=clinic.desk)


def test_a_header_without_a_required_column_refuses_the_file(clinic, tmp_path):
    path = write(tmp_path / "short.csv", "first_name,last_name,sex", "Ana,Silva,F")
    with pytest.raises(UnreadableFile, match="short.csv has no dob column, so nothing was "
                                             "imported"):
        import_patients(path, by=clinic.desk)


def test_a_column_named_twice_refuses_the_file(clinic, tmp_path):
    path = write(tmp_path / "twice.csv", "first_name,last_name,dob,sex,First Name")
    with pytest.raises(UnreadableFile, match="columns A and E are both first_name"):
        import_patients(path, by=clinic.desk)


def test_a_header_only_file_imports_nothing_and_refuses_nothing(clinic, tmp_path):
    outcome = import_patients(write(tmp_path / "h.csv", HEADER), by=clinic.desk)
    assert (outcome.imported, outcome.already, outcome.refused) == (0, 0, 0)


# -- running it again ---------------------------------------------------------------


def test_running_it_twice_adds_nothing_twice(clinic, tmp_path):
    path = write(tmp_path / "again.csv", HEADER, person(mrn="Z-1", first_name="Ana"),
                 person(first_name="Bea"), person(first_name="Cy", dob="3/4/80"))
    first = import_patients(path, by=clinic.desk)
    second = import_patients(path, by=clinic.desk)
    assert (first.imported, first.already, first.refused) == (2, 0, 1)
    assert (second.imported, second.already, second.refused) == (0, 2, 1)
    assert patients.Patient.select().count() == 4


def test_a_patient_registered_at_the_desk_is_already_there_by_name_and_birth(clinic, tmp_path):
    path = write(tmp_path / "desk.csv", HEADER,
                 person(first_name="MARIA", last_name="Garcia", dob="03/04/1980"))
    outcome = import_patients(path, by=clinic.desk)
    assert (outcome.imported, outcome.already) == (0, 1)


# -- MRNs ---------------------------------------------------------------------------


def test_a_numeric_mrn_above_our_sequence_is_never_handed_out_again(clinic, tmp_path):
    path = write(tmp_path / "numbers.csv", HEADER, person(mrn="100500"),
                 person(first_name="Bea"))
    import_patients(path, by=clinic.desk)
    assert int(patients.Patient.get(patients.Patient.first_name == "Bea").mrn) > 100500
    walk_in = patients.register(patients.Draft(first_name="Walk", last_name="In",
                                               dob="1/2/1990", sex="F"), by=clinic.desk)
    assert int(walk_in.mrn) > 100500
    assert by_mrn("100500").first_name == "Ana"


# -- batches, progress, stopping, audit ---------------------------------------------


def many(path: Path, count: int, **cells: str) -> Path:
    return write(path, HEADER, *(person(first_name=f"Pat{n:04d}", **cells)
                                 for n in range(count)))


def test_batches_are_committed_one_by_one_with_progress(clinic, tmp_path):
    calls = []
    outcome = import_patients(many(tmp_path / "big.csv", 25), by=clinic.desk, batch=10,
                              progress=lambda *args: calls.append(args))
    assert outcome.imported == 25 and outcome.last_row == 26
    assert calls == [("patients", 0, 25), ("patients", 10, 25), ("patients", 20, 25),
                     ("patients", 25, 25)]
    batches = audit.AuditEvent.select().where(audit.AuditEvent.action == "patient.created_many")
    assert batches.count() == 3  # one event per batch, each in its own transaction


def test_cancelling_leaves_whole_batches_and_says_how_far_it_got(clinic, tmp_path):
    path = many(tmp_path / "big.csv", 25)
    asked = iter([False, True])
    outcome = import_patients(path, by=clinic.desk, batch=10, cancelled=lambda: next(asked))
    assert outcome.imported == 20 and outcome.last_row == 21
    assert outcome.stopped == "Stopped at your request before row 22."
    again = import_patients(path, by=clinic.desk, batch=10)
    assert (again.imported, again.already) == (5, 20)


def test_a_batch_that_cannot_be_saved_stops_the_run_and_keeps_earlier_batches(
        clinic, tmp_path, monkeypatch):
    from frontdesk.errors import StorageError

    real, calls = patients.register_many, []

    def fail_second(checked, **kwargs):
        calls.append(len(checked))
        if len(calls) == 2:
            raise StorageError("The change was not saved: the disk is full.")
        return real(checked, **kwargs)

    monkeypatch.setattr(patients, "register_many", fail_second)
    outcome = import_patients(many(tmp_path / "big.csv", 25), by=clinic.desk, batch=10)
    assert outcome.imported == 10
    assert outcome.stopped == ("Stopped before row 12: The change was not saved: the disk "
                               "is full.")


def test_the_run_is_audited_as_the_importing_staff_member(clinic, tmp_path):
    import_patients(write(tmp_path / "old.csv", HEADER, person(), person(dob="x")),
                    by=clinic.desk)
    event = (audit.AuditEvent.select().where(audit.AuditEvent.action == "patients.imported")
             .get())
    assert event.staff_id == clinic.desk.id and event.subject == "old.csv"
    assert '"imported": 1' in event.detail and '"refused": 1' in event.detail
    assert audit.verify().whole


def test_someone_who_may_not_register_cannot_import(clinic, tmp_path):
    from frontdesk.errors import NotAllowed

    gone = staff.deactivate(clinic.desk, by=clinic.admin)
    with pytest.raises(NotAllowed):
        import_patients(write(tmp_path / "p.csv", HEADER, person()), by=gone)
    assert patients.Patient.select().count() == 2


# -- the command line ---------------------------------------------------------------


def run_cli(database: Path, *args: str) -> int:
    code = cli.main(["import", "patients", *args, "--db", str(database)])
    db.open_database(database)  # main() closes it; the test looks afterwards
    return code


def test_cli_a_clean_file_exits_0_with_the_summary(clinic, database, tmp_path, capsys):
    path = write(tmp_path / "old.csv", HEADER, person(), person(first_name="Bea"))
    assert run_cli(database, str(path), "--as", "desk") == 0
    assert capsys.readouterr().out == "old.csv: 2 imported, 0 already there, 0 refused.\n"
    assert run_cli(database, str(path), "--as", "DESK") == 0
    assert capsys.readouterr().out == "old.csv: 0 imported, 2 already there, 0 refused.\n"


def test_cli_refused_rows_exit_1_and_are_listed_cleaned(clinic, database, tmp_path, capsys):
    path = write(tmp_path / "old.csv", HEADER + ",Insurance", person() + ",Aetna",
                 person(first_name="Bea", state="\x1b]0;owned\x07Z") + ",",
                 person(first_name="Cy", dob="3/4/80") + ",")
    assert run_cli(database, str(path), "--as", "desk") == 1
    out, err = capsys.readouterr()
    assert out == (
        "old.csv: 1 imported, 0 already there, 2 refused.\n"
        "Refused rows (numbered as a spreadsheet shows them; the header is row 1):\n"
        "  Row 3, state: The cell holds control characters; retype it.\n"
        '  Row 4, dob: Date of birth "3/4/80" must be written YYYY-MM-DD or MM/DD/YYYY, '
          "with the whole year.\n")
    assert "\x1b" not in out
    assert err == ('frontdesk: Column P "Insurance" is not one frontdesk imports; its cells '
                   "are ignored.\n")


def test_cli_caps_the_list_and_writes_every_refusal_to_the_report(
        clinic, database, tmp_path, capsys):
    path = many(tmp_path / "bad.csv", 60, zip="1")
    assert run_cli(database, str(path), "--as", "desk") == 1
    out = capsys.readouterr().out
    assert out.count("  Row ") == 50
    assert "  ...and 10 more: add --report FILE.csv to write them all to a file.\n" in out
    report = tmp_path / "refused.csv"
    assert run_cli(database, str(path), "--as", "desk", "--report", str(report)) == 1
    assert out.count("  Row ") == 50
    assert f"Every refused row is in {report}." in capsys.readouterr().out
    with report.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["row", "column", "reason"] and len(rows) == 61
    assert rows[1] == ["2", "zip", 'ZIP "1" must be 5 digits, or 5+4 as in 10001-1234.']
    assert rows[-1][0] == "61"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty.csv is empty"),
    ("first_name,last_name,dob,sex\nJos\xe9,A,1980-03-04,M\n".encode("latin-1"),
     "empty.csv is not UTF-8 text: line 2 holds the byte 0xE9"),
    (b"first_name,surname,dob,sex\n", "empty.csv has no last_name column"),
])
def test_cli_a_file_that_cannot_be_imported_exits_2(clinic, database, tmp_path, capsys,
                                                    content, message):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert run_cli(database, str(path), "--as", "desk") == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"frontdesk: {message}")
    assert patients.Patient.select().count() == 2


def test_cli_a_missing_file_or_an_unknown_importer_exits_2(clinic, database, tmp_path, capsys):
    assert run_cli(database, str(tmp_path / "nope.csv"), "--as", "desk") == 2
    assert f"There is no file {tmp_path / 'nope.csv'}." in capsys.readouterr().err
    path = write(tmp_path / "p.csv", HEADER, person())
    assert run_cli(database, str(path), "--as", "nobody") == 2
    assert "There is no staff member with the username nobody." in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --as is required: somebody answers for the import
        cli.main(["import", "patients", str(path), "--db", str(database)])
    db.open_database(database)
    assert patients.Patient.select().count() == 2


def test_cli_ctrl_c_stops_between_batches_and_says_how_far(
        clinic, database, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 10)

    def ctrl_c_after_first_batch(phase, done, total):
        if done == 10:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(cli, "_progress_printer", lambda: (None, ctrl_c_after_first_batch))
    assert run_cli(database, str(many(tmp_path / "big.csv", 25)), "--as", "desk") == 130
    out, err = capsys.readouterr()
    assert "stopping after this batch" in err
    assert out == ("big.csv: 10 imported, 0 already there, 0 refused.\n"
                   "Stopped at your request before row 12. Run the same import again to go "
                   "on: rows already there are skipped.\n")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert patients.Patient.select().count() == 12
