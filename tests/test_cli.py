"""The `frontdesk` command as scripts and newcomers use it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from frontdesk import cli, demo, staff

CLI = [sys.executable, "-m", "frontdesk"]


def run(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=full_env,
                          timeout=120, **kwargs)


def test_schedule_json_has_the_fields_scripts_rely_on(demo_db, capsys) -> None:
    assert cli.main(["schedule", "--db", str(demo_db), "--date", "2026-12-01", "--json"]) == 0
    day = json.loads(capsys.readouterr().out)
    assert len(day) > 50
    first = day[0]
    assert {"id", "start", "end", "provider", "patient", "mrn", "type", "status"} <= set(first)
    start = datetime.fromisoformat(first["start"])
    assert start.utcoffset() is not None and start.utcoffset().total_seconds() == -5 * 3600
    assert start.date().isoformat() == "2026-12-01"
    assert [d["start"] for d in day] == sorted(d["start"] for d in day)
    assert first["provider"].endswith((", MD", ", DO", ", NP", ", PA-C"))


def test_schedule_json_in_summer_carries_the_summer_offset(database, clinic, capsys) -> None:
    from datetime import date, time

    from frontdesk import schedule

    schedule.book(clinic.maria, clinic.patel, clinic.follow_up, date(2027, 7, 6), time(9),
                  by=clinic.desk)
    assert cli.main(["schedule", "--db", str(database), "--date", "7/6/2027", "--json"]) == 0
    (only,) = json.loads(capsys.readouterr().out)
    assert only["start"] == "2027-07-06T09:00:00-04:00"
    assert only["patient"] == "García, María"


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n")
    result = run("schedule", "--db", str(notes), "--json")
    assert result.returncode == 1
    assert "is not a frontdesk database" in result.stderr
    assert "Traceback" not in result.stderr
    assert notes.read_text() == "shopping list\n"


def test_a_missing_folder_is_named(tmp_path) -> None:
    result = run("schedule", "--db", str(tmp_path / "nope" / "clinic.db"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_a_malformed_config_names_the_key_and_line(tmp_path, database) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('clinic_name = "Maple Street"\nslot_minutes = 7\n')
    result = run("schedule", "--db", str(database), env={"FRONTDESK_CONFIG": str(bad)})
    assert result.returncode == 2
    assert "line 2" in result.stderr and "slot_minutes" in result.stderr


def test_an_unparseable_date_is_refused_with_how_to_type_it(database) -> None:
    result = run("schedule", "--db", str(database), "--date", "someday")
    assert result.returncode == 1
    assert "Cannot read \"someday\" as a date" in result.stderr


def test_demo_builds_a_clinic_and_prints_every_account(tmp_path) -> None:
    target = tmp_path / "demo.db"
    result = run("demo", "--db", str(target), "--patients", "40", "--providers", "2",
                 "--seed", "3")
    assert result.returncode == 0, result.stderr
    for username, _, _, password in demo.DEMO_STAFF:
        assert username in result.stdout and password in result.stdout
    with sqlite3.connect(target) as check:
        assert check.execute("select count(*) from patient").fetchone()[0] == 40
        assert check.execute("select count(*) from provider").fetchone()[0] == 2


def test_demo_refuses_to_overwrite_an_existing_database(tmp_path, database) -> None:
    result = run("demo", "--db", str(database))
    assert result.returncode == 1
    assert "already exists" in result.stderr


def test_init_creates_the_first_administrator_for_scripts(tmp_path) -> None:
    target = tmp_path / "new.db"
    secret = tmp_path / "password"
    secret.write_text("a long enough secret\n")
    result = run("init", "--db", str(target), "--username", "Boss", "--name", "Pat Boss",
                 "--password-file", str(secret))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as check:
        row = check.execute("select username, role, password_hash from staff").fetchone()
    assert row[0] == "boss" and row[1] == "admin" and row[2].startswith("$argon2id$")
    again = run("init", "--db", str(target), "--username", "x", "--name", "x",
                "--password-file", str(secret))
    assert again.returncode == 1 and "already has staff" in again.stderr


def test_init_refuses_a_short_password_and_creates_nobody(tmp_path) -> None:
    target = tmp_path / "new.db"
    result = run("init", "--db", str(target), "--username", "boss", "--name", "Pat Boss",
                 "--password-env", "PW", env={"PW": "short"})
    assert result.returncode == 1 and "at least 12 characters" in result.stderr
    with sqlite3.connect(target) as check:
        assert check.execute("select count(*) from staff").fetchone()[0] == 0


def test_the_app_refuses_a_database_without_staff(tmp_path) -> None:
    target = tmp_path / "empty.db"
    result = run("--db", str(target))
    assert result.returncode == 2
    assert "frontdesk init --db" in result.stderr


def test_database_comes_from_flag_then_environment(tmp_path, demo_db, capsys) -> None:
    os.environ["FRONTDESK_DB"] = str(demo_db)
    try:
        assert cli.main(["schedule", "--date", "2026-12-01", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)
        empty = tmp_path / "other.db"
        assert cli.main(["schedule", "--db", str(empty), "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == []
    finally:
        del os.environ["FRONTDESK_DB"]


def test_output_cut_short_by_a_pager_is_not_an_error(demo_db) -> None:
    result = subprocess.run(f"{sys.executable} -m frontdesk schedule --db {demo_db} "
                            "--date 2026-12-01 | head -1", shell=True, capture_output=True,
                            text=True, timeout=60)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("flag", ["--patients", "--providers"])
def test_demo_sizes_must_be_positive(flag, tmp_path) -> None:
    result = run("demo", "--db", str(tmp_path / "x.db"), flag, "0")
    assert result.returncode == 2 and "must be 1 or more" in result.stderr
