"""The desk's phone lines: ringing, answering, holding, ending, as every terminal sees them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from frontdesk import audit, cli, patients, phones
from frontdesk.errors import Conflict, InvalidInput, NotFound
from frontdesk.phones import Disposition, LineState


def _state(number: int) -> LineState:
    return phones.line(number).state


def test_every_configured_line_is_listed_idle_before_any_call(clinic):
    assert [(line.number, line.state) for line in phones.lines()] == [
        (n, LineState.IDLE) for n in range(1, 5)]


def test_a_ring_matches_the_caller_to_the_patient_with_that_number(clinic):
    rung = phones.ring(1, "(617) 555-0142")
    assert (rung.state, rung.caller, rung.patient_id, rung.patient_name) == (
        LineState.RINGING, "+16175550142", clinic.maria.id, "García, María")


def test_a_family_sharing_a_number_is_listed_to_pick_and_not_guessed(clinic):
    sister = patients.register(patients.Draft(first_name="Lucía", last_name="García",
                                              dob="5/6/1990", sex="F",
                                              phones={"home": "617-555-0142"}), by=clinic.desk)
    found = phones.callers("+16175550142")
    assert [(c.name, c.kind) for c in found] == [("García, Lucía", "home"),
                                                ("García, María", "mobile")]
    assert phones.ring(2, "617 555 0142").patient_id is None  # two people: staff pick
    assert sister.id in [c.patient_id for c in found]


def test_a_withheld_or_unreadable_number_still_rings_as_unknown(clinic):
    assert phones.ring(1, "").caller == phones.UNKNOWN
    assert phones.ring(2, "anonymous").caller == phones.UNKNOWN
    assert phones.callers(phones.UNKNOWN) == []


def test_answer_hold_resume_and_end_with_a_disposition(clinic):
    line = phones.ring(1, "617-555-0142")
    line = phones.answer(1, version=line.version, by=clinic.desk)
    assert (line.state, line.staff_name) == (LineState.ON_CALL, "Dana Desk")
    line = phones.hold(1, version=line.version, by=clinic.desk)
    assert line.state is LineState.ON_HOLD
    line = phones.answer(1, version=line.version, by=clinic.desk)
    assert line.state is LineState.ON_CALL
    phones.end(1, Disposition.BOOKED, version=line.version, by=clinic.desk, note="f/u Tuesday")
    assert _state(1) is LineState.IDLE
    call = phones.Call.get()
    assert (call.disposition, call.note, call.answered_by_id, call.patient_id) == (
        "booked", "f/u Tuesday", clinic.desk.id, clinic.maria.id)
    assert call.rang_at <= call.answered_at <= call.ended_at
    actions = [e.action for e in audit.AuditEvent.select().order_by(audit.AuditEvent.id)]
    assert actions[-5:] == ["phone.rang", "phone.answered", "phone.held", "phone.resumed",
                            "phone.ended"]


def test_two_people_answering_the_same_ring_cannot_both_get_it(clinic):
    seen = phones.ring(3, "617-555-0142")
    phones.answer(3, version=seen.version, by=clinic.desk)
    with pytest.raises(Conflict, match="already answered by Dana Desk"):
        phones.answer(3, version=seen.version, by=clinic.admin)
    assert phones.line(3).staff_id == clinic.desk.id


def test_a_stale_hold_is_refused_and_changes_nothing(clinic):
    seen = phones.ring(1, "")
    answered = phones.answer(1, version=seen.version, by=clinic.desk)
    phones.hold(1, version=answered.version, by=clinic.desk)
    with pytest.raises(Conflict, match="not on a call"):
        phones.hold(1, version=answered.version, by=clinic.desk)
    assert _state(1) is LineState.ON_HOLD


def test_ending_needs_a_real_disposition(clinic):
    line = phones.answer(1, version=phones.ring(1, "").version, by=clinic.desk)
    for bad in ("whatever", Disposition.MISSED):
        with pytest.raises(InvalidInput):
            phones.end(1, bad, version=line.version, by=clinic.desk)
    assert _state(1) is LineState.ON_CALL
    with pytest.raises(Conflict, match="no call to end"):
        phones.end(2, Disposition.RESOLVED, version=1, by=clinic.desk)


def test_a_caller_hanging_up_while_ringing_is_a_missed_call(clinic):
    phones.ring(1, "617-555-0142")
    phones.hang_up(1)
    assert _state(1) is LineState.IDLE
    assert phones.Call.get().disposition == "missed"
    phones.hang_up(1)  # again: nothing to do, nothing breaks


def test_a_line_that_does_not_exist_is_refused_with_the_lines_there_are(clinic):
    with pytest.raises(NotFound, match="no line 5: the desk has lines 1 to 4"):
        phones.ring(5, "617-555-0142")


def test_staff_marking_a_ring_by_hand_are_told_a_bad_number(clinic):
    with pytest.raises(InvalidInput, match="too short"):
        phones.ring_by_hand(1, "555-01", by=clinic.desk)
    assert _state(1) is LineState.IDLE
    assert phones.ring_by_hand(1, "", by=clinic.desk).state is LineState.RINGING


def test_the_command_line_rings_and_hangs_up_and_refuses_a_missing_line(clinic, database,
                                                                           capsys):
    assert cli.main(["phone", "ring", "--db", str(database), "--line", "2", "--from",
                     "617-555-0142"]) == 0
    assert "line 2 ringing from +16175550142" in capsys.readouterr().out
    assert _state(2) is LineState.RINGING
    assert cli.main(["phone", "hangup", "--db", str(database), "--line", "2"]) == 0
    assert _state(2) is LineState.IDLE
    assert cli.main(["phone", "ring", "--db", str(database), "--line", "9"]) == 1
    assert "There is no line 9" in capsys.readouterr().err


def test_a_ring_from_another_process_is_seen_here(clinic, database):
    subprocess.run([sys.executable, "-m", "frontdesk", "phone", "ring", "--db", str(database),
                    "--line", "4", "--from", "617-555-0142"], check=True, capture_output=True)
    assert _state(4) is LineState.RINGING
    assert phones.line(4).patient_id == clinic.maria.id
