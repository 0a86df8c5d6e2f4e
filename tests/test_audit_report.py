"""The access report: who looked at a patient, what a staff member did, and its command line."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk import audit, cli, clock, db, schedule, staff
from frontdesk.audit import AuditEvent
from frontdesk.errors import InvalidInput, NotAllowed, NotFound
from frontdesk.roles import Role

from .conftest import NOW, PASSWORD, TODAY, ZONE

ROOT = Path(__file__).resolve().parents[1]
REFUSAL = "Only a manager or administrator may read the audit trail."


@pytest.fixture
def team(clinic):
    """The small clinic with a manager and a biller as well."""
    clinic.manager = staff.add_staff("manager", "Morgan Manager", Role.MANAGER, PASSWORD,
                                     by=clinic.admin)
    clinic.billing = staff.add_staff("billing", "Bea Billing", Role.BILLING, PASSWORD,
                                     by=clinic.admin)
    return clinic


def _at(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    """A moment of a clinic day, as the UTC instant it is."""
    return clock.at_local(day, time(hour, minute))


@pytest.fixture
def morning(team):
    """Maria booked at 9:00 and opened at 9:30 by the desk; John booked at 10:00."""
    with clock.frozen(_at(9)):
        booked = schedule.book(team.maria, team.patel, team.follow_up, TODAY, time(11),
                               by=team.desk)
    with clock.frozen(_at(9, 30)):
        schedule.detail(booked.id, by=team.desk)
    with clock.frozen(_at(10)):
        schedule.book(team.john, team.kim, team.follow_up, TODAY, time(14), by=team.desk)
    team.booked = booked
    return team


def _last_event() -> AuditEvent:
    return AuditEvent.select().order_by(AuditEvent.id.desc()).get()


# -- by patient and by staff member ----------------------------------------------------


def test_a_patients_report_says_who_opened_and_changed_their_record(morning):
    rows = audit.report(by=morning.manager, patient_mrn=morning.maria.mrn)
    assert [r.code for r in rows] == ["appointment.viewed", "appointment.booked",
                                      "coverage.added", "patient.created"]
    opened = rows[0]
    assert opened.action == "opened an appointment"
    assert (opened.staff, opened.username) == ("Dana Desk", "desk")
    assert (opened.mrn, opened.patient) == (morning.maria.mrn, "García, María")
    assert opened.subject == f"appointment {morning.booked.id}"
    assert opened.at == _at(9, 30)
    assert opened.at.tzinfo == ZoneInfo(ZONE) and opened.at.hour == 9  # the clinic's wall clock
    assert rows[1].detail.startswith("provider: ")
    assert "12/01/2026 11:00" in rows[1].detail  # the stored UTC instant, as staff read it


def test_a_staff_members_report_is_everything_they_did_newest_first(morning):
    rows = audit.report(by=morning.manager, staff_username="desk")
    assert {r.username for r in rows} == {"desk"}
    # In the order written (the chain's), which a clock set back cannot reorder.
    assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)
    assert rows[0].code == "appointment.booked" and rows[0].patient == "O'Brien-Smith, John"
    assert "opened an appointment" in [r.action for r in rows]
    assert {r.mrn for r in rows} >= {morning.maria.mrn, morning.john.mrn}


def test_events_about_no_patient_are_in_a_staff_report(morning):
    staff.sign_in("desk", PASSWORD)
    (signed_in,) = audit.report(by=morning.manager, staff_username="desk", limit=1)
    assert (signed_in.action, signed_in.mrn, signed_in.patient) == ("signed in", "", "")


def test_typed_criteria_are_tidied(morning):
    rows = audit.report(by=morning.manager, staff_username="  Desk ")
    assert rows and rows[0].username == "desk"
    assert audit.report(by=morning.manager, patient_mrn=f" {morning.maria.mrn} ")


def test_a_limit_keeps_the_newest(morning):
    rows = audit.report(by=morning.manager, staff_username="desk", limit=2)
    assert [r.at for r in rows] == [_at(10), _at(9, 30)]


def test_a_changed_status_reads_from_and_to(morning):
    schedule.confirm(morning.booked, by=morning.desk)
    newest = audit.report(by=morning.manager, patient_mrn=morning.maria.mrn, limit=1)[0]
    assert (newest.action, newest.detail) == ("confirmed an appointment",
                                              "from scheduled to confirmed")


def test_action_codes_in_plain_words_and_unknown_ones_as_they_are(team):
    assert audit.plain_action("appointment.viewed") == "opened an appointment"
    assert audit.plain_action("signin.failed") == "failed sign-in"
    with db.write():
        audit.record("drawer.counted", by=team.desk, detail={"cash_cents": 1200})
    newest = audit.report(by=team.manager, staff_username="desk", limit=1)[0]
    assert (newest.action, newest.code, newest.detail) == (
        "drawer.counted", "drawer.counted", "cash cents: 1200")


def test_every_action_the_program_records_has_plain_words():
    """A new kind of event gets words in audit._PLAIN, or staff read its code."""
    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in (ROOT / "frontdesk").rglob("*.py"))
    codes = set(re.findall(r'audit\.record\(\s*"([a-z_.]+)"', source))
    codes |= set(re.findall(r'\baction="([a-z_]+\.[a-z_.]+)"', source))
    assert len(codes) > 20
    assert not codes - set(audit._PLAIN), "no plain words for these codes"


# -- the days, in the clinic's zone ----------------------------------------------------


def _viewed_at(instants: list[datetime], team) -> None:
    for instant in instants:
        with clock.frozen(instant), db.write():
            audit.record("appointment.viewed", by=team.desk, patient=team.maria,
                         subject=instant.isoformat())


def test_a_day_runs_from_the_clinics_midnight_to_the_next(team):
    utc = timezone.utc
    inside = [datetime(2026, 12, 1, 5, 0, tzinfo=utc),      # 00:00 in the clinic
              datetime(2026, 12, 2, 4, 59, 59, tzinfo=utc)]  # 23:59:59 in the clinic
    outside = [datetime(2026, 12, 1, 4, 59, 59, tzinfo=utc),  # Nov 30, 23:59:59
               datetime(2026, 12, 2, 5, 0, tzinfo=utc)]       # Dec 2, 00:00
    _viewed_at(inside + outside, team)
    rows = audit.report(by=team.manager, patient_mrn=team.maria.mrn, start=TODAY, end=TODAY)
    assert sorted(r.subject for r in rows if r.code == "appointment.viewed") == sorted(
        i.isoformat() for i in inside)


def test_the_day_clocks_go_back_is_25_hours_long(team):
    """Sunday Nov 1, 2026 in New York: 00:00 EDT (04:00 UTC) to 00:00 EST (05:00 UTC next day)."""
    utc = timezone.utc
    inside = [datetime(2026, 11, 1, 4, 0, tzinfo=utc), datetime(2026, 11, 2, 4, 59, tzinfo=utc)]
    outside = [datetime(2026, 11, 1, 3, 59, tzinfo=utc), datetime(2026, 11, 2, 5, 0, tzinfo=utc)]
    _viewed_at(inside + outside, team)
    day = date(2026, 11, 1)
    rows = audit.report(by=team.manager, patient_mrn=team.maria.mrn, start=day, end=day)
    assert sorted(r.subject for r in rows) == sorted(i.isoformat() for i in inside)
    assert [r.at.hour for r in rows] == [23, 0]  # both on Nov 1's wall clock


def test_open_ended_days(team):
    first, last = datetime(2026, 11, 20, 15, tzinfo=timezone.utc), NOW
    _viewed_at([first], team)
    since = audit.report(by=team.manager, patient_mrn=team.maria.mrn, start=date(2026, 11, 21))
    until = audit.report(by=team.manager, patient_mrn=team.maria.mrn, end=date(2026, 11, 20))
    assert first.isoformat() not in {r.subject for r in since} and since
    assert [r.subject for r in until] == [first.isoformat()]
    assert all(r.at <= last for r in since)


def test_a_range_that_ends_before_it_starts_is_refused(team):
    with pytest.raises(InvalidInput, match="cannot start .*11/02/2026.* after it ends"):
        audit.report(by=team.manager, patient_mrn=team.maria.mrn, start=date(2026, 11, 2),
                     end=date(2026, 11, 1))


# -- who may read it -------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_only_managers_and_administrators_read_the_audit(team, role):
    person = {Role.FRONT_DESK: team.desk, Role.BILLING: team.billing,
              Role.MANAGER: team.manager, Role.ADMIN: team.admin}[role]
    before = AuditEvent.select().count()
    if role in (Role.MANAGER, Role.ADMIN):
        assert audit.report(by=person, patient_mrn=team.maria.mrn)
        assert _last_event().action == "audit.report"
    else:
        with pytest.raises(NotAllowed) as refused:
            audit.report(by=person, patient_mrn=team.maria.mrn)
        assert str(refused.value) == REFUSAL
        assert AuditEvent.select().count() == before


def test_a_refusal_comes_before_the_lookup_so_it_reveals_nothing(team):
    with pytest.raises(NotAllowed):
        audit.report(by=team.desk, patient_mrn="999999")
    with pytest.raises(NotAllowed):
        audit.report(by=team.billing, staff_username="nobody")


def test_a_deactivated_manager_is_refused(team):
    gone = staff.deactivate(team.manager, by=team.admin)
    with pytest.raises(NotAllowed, match=re.escape(REFUSAL)):
        audit.report(by=gone, staff_username="desk")


def test_unknown_patients_and_staff_are_named(team):
    with pytest.raises(NotFound, match="There is no patient with MRN 999999."):
        audit.report(by=team.manager, patient_mrn="999999")
    with pytest.raises(NotFound, match="There is no staff member with the username nobody."):
        audit.report(by=team.manager, staff_username="nobody")


@pytest.mark.parametrize("criteria", [{}, {"patient_mrn": "  "},
                                      {"patient_mrn": "100001", "staff_username": "desk"}])
def test_one_of_mrn_or_username_is_asked_for(team, criteria):
    with pytest.raises(InvalidInput, match="MRN or a staff member's username"):
        audit.report(by=team.manager, **criteria)


# -- reading the report is audited -----------------------------------------------------


def test_reading_a_patients_report_is_itself_an_event_about_the_patient(morning):
    rows = audit.report(by=morning.manager, patient_mrn=morning.maria.mrn, start=TODAY)
    read = _last_event()
    assert (read.action, read.staff_id, read.patient_id, read.subject) == (
        "audit.report", morning.manager.id, morning.maria.id, f"MRN {morning.maria.mrn}")
    assert json.loads(read.detail) == {"mrn": morning.maria.mrn, "from": "2026-12-01",
                                       "rows": len(rows)}
    # So the next report about Maria shows who looked at her trail.
    newest = audit.report(by=morning.admin, patient_mrn=morning.maria.mrn, limit=1)[0]
    assert (newest.action, newest.staff) == ("read the audit report", "Morgan Manager")
    assert audit.verify().whole


def test_reading_a_staff_report_names_the_person_looked_into(morning):
    rows = audit.report(by=morning.manager, staff_username="desk", end=TODAY)
    read = _last_event()
    assert (read.staff_id, read.patient_id, read.subject) == (
        morning.manager.id, None, f"staff {morning.desk.id}")
    assert json.loads(read.detail) == {"username": "desk", "to": "2026-12-01",
                                       "rows": len(rows)}


def test_the_command_line_is_recorded_as_its_operating_system_user(morning, monkeypatch):
    monkeypatch.setattr(audit.getpass, "getuser", lambda: "ops-anna")
    audit.report(by=audit.COMMAND_LINE, patient_mrn=morning.maria.mrn)
    read = _last_event()
    assert (read.staff_id, json.loads(read.detail)["os_user"]) == (None, "ops-anna")
    newest = audit.report(by=audit.COMMAND_LINE, patient_mrn=morning.maria.mrn, limit=1)[0]
    assert (newest.staff, newest.username) == ("command line (os user ops-anna)", "")
    assert "os user" not in newest.detail  # said once, in the Who column


def test_no_report_is_shown_when_reading_it_cannot_be_recorded(morning, monkeypatch):
    def unwritable(*args, **kwargs):
        raise RuntimeError("the audit table is full")

    monkeypatch.setattr(audit, "record", unwritable)
    with pytest.raises(RuntimeError):
        audit.report(by=morning.manager, patient_mrn=morning.maria.mrn)


@pytest.mark.parametrize("days", [(None, None), (TODAY, TODAY)])
@pytest.mark.parametrize("column", ["patient_id", "staff_id"])
def test_the_report_follows_an_index_never_the_whole_trail(morning, column, days):
    criteria = {"patient_id": None, "staff_id": None}
    criteria[column] = morning.maria.id if column == "patient_id" else morning.desk.id
    query = audit._report_query(**criteria, start=days[0], end=days[1], limit=10)
    sql, params = query.sql()
    plan = " ".join(str(row[-1]) for row in
                    db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "USING INDEX" in plan and f"({column}=?" in plan, plan
    assert "SCAN t1" not in plan, plan


# -- the command line ------------------------------------------------------------------


def _tamper(path: Path, statement: str) -> None:
    """What someone with the file and the sqlite3 shell could do: drop the guards, then edit."""
    raw = sqlite3.connect(path)
    try:
        raw.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        raw.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        raw.execute(statement)
        raw.commit()
    finally:
        raw.close()


def test_cli_verify_says_the_chain_is_whole(morning, db_path, capsys):
    events = AuditEvent.select().count()
    assert cli.main(["audit", "verify", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == f"The audit chain is whole: {events} events.\n"


def test_cli_verify_names_an_edited_event_and_exits_1(morning, db_path):
    _tamper(db_path, """UPDATE audit_event SET staff_id = NULL WHERE id = 4""")
    result = subprocess.run([sys.executable, "-m", "frontdesk", "audit", "verify",
                             "--db", str(db_path)], capture_output=True, text=True, timeout=60,
                            cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr == ("frontdesk: The audit chain is broken at event 4: its content "
                             "was changed.\n")
    assert result.stdout == ""


def test_cli_verify_names_a_deleted_event(morning, db_path, capsys):
    _tamper(db_path, "DELETE FROM audit_event WHERE id = 2")
    assert cli.main(["audit", "verify", "--db", str(db_path)]) == 1
    assert "broken at event 2: this event is missing" in capsys.readouterr().err


def test_cli_report_json_for_scripts(morning, db_path, capsys, monkeypatch):
    monkeypatch.setattr(audit.getpass, "getuser", lambda: "ops-anna")
    assert cli.main(["audit", "report", "--db", str(db_path), "--mrn", morning.maria.mrn,
                     "--from", "12/1/2026", "--to", "today", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in rows] == ["appointment.viewed", "appointment.booked",
                                         "coverage.added", "patient.created"]
    opened = rows[0]
    assert {"at", "staff", "action", "mrn", "patient", "subject"} <= set(opened)
    assert opened["at"] == "2026-12-01T09:30:00-05:00"
    assert (opened["staff"], opened["username"], opened["code"]) == (
        "Dana Desk", "desk", "appointment.viewed")
    assert (opened["mrn"], opened["patient"]) == (morning.maria.mrn, "García, María")
    assert opened["subject"] == f"appointment {morning.booked.id}"
    # The command line's look is on the record, as its operating-system user.
    db.open_database(db_path)
    read = _last_event()
    assert (read.action, read.staff_id, read.patient_id) == ("audit.report", None,
                                                             morning.maria.id)
    assert json.loads(read.detail) == {"mrn": morning.maria.mrn, "from": "2026-12-01",
                                       "to": "2026-12-01", "rows": 4, "os_user": "ops-anna"}


def test_cli_report_json_for_an_event_about_no_patient(morning, db_path, capsys):
    staff.sign_in("desk", PASSWORD)
    assert cli.main(["audit", "report", "--db", str(db_path), "--staff", "desk",
                     "--limit", "1", "--json"]) == 0
    (signed_in,) = json.loads(capsys.readouterr().out)
    assert (signed_in["action"], signed_in["mrn"], signed_in["patient"]) == (
        "signed in", None, None)


def test_cli_report_prints_aligned_columns(morning, db_path, capsys):
    assert cli.main(["audit", "report", "--db", str(db_path), "--staff", "desk"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("6 events for staff member desk, from the first event to now")
    header, first = lines[1], lines[2]
    assert header.split() == ["When", "Who", "What", "Patient", "Subject", "Detail"]
    for column in ("Who", "What", "Patient", "Subject", "Detail"):
        start = header.index(column)
        assert all(line[start - 2:start] == "  " for line in lines[2:] if len(line) > start), \
            column
    assert first.startswith("12/01/2026 10:00:00  Dana Desk  booked an appointment")


@pytest.mark.parametrize(("args", "message"), [
    (["--mrn", "999999"], "There is no patient with MRN 999999."),
    (["--staff", "nobody"], "There is no staff member with the username nobody."),
    (["--staff", "desk", "--from", "2/30/2027"], "--from: \"2/30/2027\": February has only"),
])
def test_cli_report_refuses_plainly(team, db_path, capsys, args, message):
    assert cli.main(["audit", "report", "--db", str(db_path), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_report_wants_an_mrn_or_a_username(team, db_path, capsys):
    with pytest.raises(SystemExit) as usage:
        cli.main(["audit", "report", "--db", str(db_path)])
    assert usage.value.code == 2
    assert "--mrn" in capsys.readouterr().err


def test_nobody_is_not_the_command_line(morning):
    """A screen that lost its signed-in person passes None: refused, not let through."""
    with pytest.raises(NotAllowed):
        audit.report(by=None, patient_mrn=morning.maria.mrn)
