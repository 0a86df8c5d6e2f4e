"""`frontdesk schedule book` and `frontdesk schedule free`, beside the plain
`frontdesk schedule` that scripts already call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta

import pytest

from frontdesk import cli, schedule
from frontdesk.schedule import Appointment

WED = "2026-12-02"


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _book(database, *extra: str) -> list[str]:
    return ["schedule", "book", "--db", str(database), "--mrn", "100001", "--provider",
            "Anita Patel, MD", "--type", "Follow-up", "--at", f"{WED} 09:00", "--as", "desk",
            *extra]


def test_the_plain_day_view_still_answers_as_before(clinic, database, capsys):
    schedule.book(clinic.maria, clinic.patel, clinic.follow_up, date(2026, 12, 2), time(9),
                  by=clinic.desk)
    code, out, _ = _run(capsys, "schedule", "--db", str(database), "--date", WED, "--json")
    (only,) = json.loads(out)
    assert code == 0 and only["provider"] == "Anita Patel, MD"
    code, out, _ = _run(capsys, "schedule", "--db", str(database), "--date", WED)
    assert code == 0 and out.startswith("Wednesday December 2, 2026: 1 appointments")


def test_book_by_the_name_the_day_view_prints(clinic, database, capsys):
    code, out, err = _run(capsys, *_book(database, "--json", "--reason", "BP check"))
    assert (code, err) == (0, "")
    booked = json.loads(out)
    assert booked["start"] == "2026-12-02T09:00:00-05:00"
    assert (booked["provider"], booked["mrn"], booked["type"], booked["status"]) == (
        "Anita Patel, MD", "100001", "Follow-up", "scheduled")
    stored = schedule.get(booked["id"])
    assert (stored.booked_by_id, stored.reason, stored.provider_id) == (
        clinic.desk.id, "BP check", clinic.patel.id)


def test_book_by_provider_id_prints_a_line_for_people(clinic, database, capsys):
    code, out, _ = _run(capsys, "schedule", "book", "--db", str(database), "--mrn", "100002",
                        "--provider", str(clinic.kim.id), "--type", "New patient", "--at",
                        f"{WED} 14:00", "--as", "desk")
    assert code == 0
    assert out.startswith("Booked John O'Brien-Smith (MRN 100002) with Kim NP, Wed, Dec 2, "
                          "2026 14:00-14:45 (appointment ")


def test_a_refused_booking_exits_1_with_the_reason_and_books_nothing(clinic, database, capsys):
    assert _run(capsys, *_book(database))[0] == 0
    code, out, err = _run(capsys, "schedule", "book", "--db", str(database), "--mrn", "100002",
                          "--provider", "Anita Patel, MD", "--type", "Follow-up", "--at",
                          f"{WED} 09:05", "--as", "desk")
    assert (code, out) == (1, "")
    assert err == "frontdesk: Dr. Patel already has María García at 9:00-9:15.\n"
    assert Appointment.select().count() == 1


def test_outside_hours_says_how_a_manager_may_override(clinic, database, capsys):
    code, _, err = _run(capsys, "schedule", "book", "--db", str(database), "--mrn", "100001",
                        "--provider", "Anita Patel, MD", "--type", "Follow-up", "--at",
                        f"{WED} 12:30", "--as", "desk")
    assert code == 1
    assert "12:30-12:45 is outside those hours. A manager may book it anyway with --override" in err
    code, _, err = _run(capsys, "schedule", "book", "--db", str(database), "--mrn", "100001",
                        "--provider", "Anita Patel, MD", "--type", "Follow-up", "--at",
                        f"{WED} 12:30", "--as", "admin", "--override", "Post-op")
    assert (code, err) == (0, "")
    assert Appointment.get().override_reason == "Post-op"


@pytest.mark.parametrize(("change", "words"), [
    ({"--provider": "Dr. Patel"}, "There is no provider 'Dr. Patel'"),
    ({"--type": "Physical"}, "There is no visit type 'Physical'; the types are: Follow-up, "
                             "New patient."),
    ({"--mrn": "999999"}, "There is no patient with MRN 999999."),
    ({"--as": "nobody"}, "There is no staff member with the username nobody."),
    ({"--at": "2/12/2026 9am"}, "give the clinic's wall-clock time as \"YYYY-MM-DD HH:MM\""),
])
def test_what_cannot_be_found_is_a_usage_error(clinic, database, capsys, change, words):
    args = _book(database)
    for option, value in change.items():
        args[args.index(option) + 1] = value
    code, _, err = _run(capsys, *args)
    assert code == 2 and words in err
    assert Appointment.select().count() == 0


def test_book_names_the_options_it_lacks(database, capsys):
    code, _, err = _run(capsys, "schedule", "book", "--db", str(database), "--mrn", "100001")
    assert code == 2
    assert err == "frontdesk: schedule book needs --provider, --type, --at, --as.\n"


def test_free_lists_open_times_with_their_offsets(clinic, database, capsys):
    schedule.book(clinic.maria, clinic.patel, clinic.follow_up, date(2026, 12, 2), time(8, 15),
                  by=clinic.desk)
    code, out, _ = _run(capsys, "schedule", "free", "--db", str(database), "--provider",
                        "Anita Patel, MD", "--type", "Follow-up", "--from", WED, "--json")
    assert code == 0
    found = json.loads(out)
    starts = [datetime.fromisoformat(f["start"]) for f in found]
    assert [s.strftime("%H:%M") for s in starts[:3]] == ["08:00", "08:30", "08:45"]
    assert all(s.utcoffset() == timedelta(hours=-5) for s in starts)
    assert {f["provider"] for f in found} == {"Anita Patel, MD"}
    assert {s.date() for s in starts} == {date(2026, 12, d) for d in (2, 3, 4, 7, 8)}
    assert len(found) == 5 * 32 - 1


def test_free_for_one_day_from_today_skips_the_past(clinic, database, capsys):
    code, out, _ = _run(capsys, "schedule", "free", "--db", str(database), "--provider",
                        str(clinic.kim.id), "--type", "New patient", "--from", "today",
                        "--days", "1", "--json")
    starts = [f["start"] for f in json.loads(out)]
    assert code == 0
    assert starts[0] == "2026-12-01T10:30:00-05:00"  # it is 10:20
    assert starts[-1] == "2026-12-01T16:15:00-05:00"


def test_free_in_words(clinic, database, capsys):
    code, out, _ = _run(capsys, "schedule", "free", "--db", str(database), "--provider",
                        str(clinic.kim.id), "--type", "New patient", "--from", WED, "--days", "1")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "28 free times for New patient with Kim NP, Wed, Dec 2, 2026:"
    assert lines[1] == "  Wed, Dec 2, 2026  8:00-8:45"


def test_the_installed_command_books_and_refuses_with_exit_codes(clinic, database):
    env = {**os.environ, "FRONTDESK_CONFIG": "/nonexistent/config.toml"}
    command = [sys.executable, "-m", "frontdesk", *_book(database)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert (first.returncode, first.stderr) == (0, "")
    assert again.returncode == 1
    assert "Dr. Patel already has María García at 9:00-9:15" in again.stderr
    assert "Traceback" not in again.stderr
