"""Staff accounts and signing in: Argon2id, one message for every refusal, lockout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from frontdesk import audit, clock, staff
from frontdesk.errors import Conflict, InvalidInput, SignInRefused
from frontdesk.staff import Role, Staff

from .conftest import NOW, PASSWORD, ZONE

WRONG = "not the right password"


def _events(action: str) -> list[audit.AuditEvent]:
    return list(audit.AuditEvent.select().where(audit.AuditEvent.action == action)
                .order_by(audit.AuditEvent.id))


def _refusal(username: str, password: str) -> str:
    with pytest.raises(SignInRefused) as refused:
        staff.sign_in(username, password)
    return str(refused.value)


# -- adding accounts ----------------------------------------------------------------


@pytest.mark.parametrize(("username", "name", "role", "password", "field", "words"), [
    ("", "Dana Desk", "front_desk", PASSWORD, "username", "Type a username"),
    ("dana desk", "Dana Desk", "front_desk", PASSWORD, "username", "letters, digits, dots"),
    ("dana;drop", "Dana Desk", "front_desk", PASSWORD, "username", "letters, digits, dots"),
    ("d" * 33, "Dana Desk", "front_desk", PASSWORD, "username", "up to 32"),
    ("dana", "   ", "front_desk", PASSWORD, "name", "person's name"),
    ("dana", "D" * 81, "front_desk", PASSWORD, "name", "up to 80"),
    ("dana", "Dana Desk", "doctor", PASSWORD, "role", 'Unknown role "doctor"'),
    ("dana", "Dana Desk", "front_desk", "short pass", "password", "at least 12 characters"),
    ("dana", "Dana Desk", "front_desk", "twelve chars\x1b", "password", "control characters"),
])
def test_add_staff_refuses_bad_input_naming_the_field(database, username, name, role, password,
                                                      field, words):
    with pytest.raises(InvalidInput, match=words) as refused:
        staff.add_staff(username, name, role, password, by=None)
    assert refused.value.field == field
    assert Staff.select().count() == 0


def test_add_staff_refuses_a_taken_username_whatever_its_case(clinic):
    with pytest.raises(Conflict, match='The username "desk" is taken') as refused:
        staff.add_staff(" DESK ", "Another Dana", Role.FRONT_DESK, PASSWORD, by=clinic.admin)
    assert refused.value.field == "username"
    assert Staff.select().where(Staff.username == "desk").count() == 1


def test_add_staff_stores_an_argon2id_hash_never_the_password(clinic):
    stored = Staff.get_by_id(clinic.desk.id)
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert stored.username == "desk" and stored.role == "front_desk" and stored.active


def test_add_staff_is_audited_by_whoever_added_the_account(clinic):
    (created,) = [e for e in _events("staff.created") if e.subject == f"staff {clinic.desk.id}"]
    assert created.staff_id == clinic.admin.id
    assert PASSWORD not in created.detail


# -- signing in ---------------------------------------------------------------------


def test_sign_in_with_the_right_password(clinic):
    person = staff.sign_in("Desk ", PASSWORD)
    assert person.id == clinic.desk.id
    assert _events("signin")[-1].staff_id == clinic.desk.id


def test_wrong_password_and_unknown_username_get_the_same_message(clinic):
    wrong_password = _refusal("desk", WRONG)
    unknown_user = _refusal("nobody", PASSWORD)
    assert wrong_password == unknown_user == staff.WRONG_CREDENTIALS


def test_an_unknown_username_is_audited_without_the_password(clinic):
    _refusal("nobody", PASSWORD)
    event = _events("signin.failed")[-1]
    assert event.subject == "unknown user"
    assert PASSWORD not in event.detail


def test_five_failures_lock_the_account_for_15_minutes(clinic):
    for _ in range(4):
        assert _refusal("desk", WRONG) == staff.WRONG_CREDENTIALS
    fifth = _refusal("desk", WRONG)
    assert fifth.startswith(staff.WRONG_CREDENTIALS)
    assert "locked for 15 minutes" in fifth

    stored = Staff.get_by_id(clinic.desk.id)
    assert stored.locked_until == NOW + timedelta(minutes=15)
    assert len([e for e in _events("signin.failed") if e.staff_id == clinic.desk.id]) == 5
    (locked,) = _events("signin.locked")
    assert locked.staff_id == clinic.desk.id


def test_the_right_password_is_refused_while_locked(clinic):
    for _ in range(5):
        _refusal("desk", WRONG)
    with clock.frozen(NOW + timedelta(minutes=10)):
        message = _refusal("desk", PASSWORD)
    assert "locked until 10:35" in message
    assert _events("signin.refused_locked")
    assert not [e for e in _events("signin") if e.staff_id == clinic.desk.id]


def test_the_lock_lifts_after_15_minutes(clinic):
    for _ in range(5):
        _refusal("desk", WRONG)
    with clock.frozen(NOW + timedelta(minutes=16)):
        assert staff.sign_in("desk", PASSWORD).id == clinic.desk.id
    stored = Staff.get_by_id(clinic.desk.id)
    assert (stored.failed_signins, stored.locked_until) == (0, None)


def test_only_failures_in_a_row_count_towards_the_lock(clinic):
    for _ in range(4):
        _refusal("desk", WRONG)
    staff.sign_in("desk", PASSWORD)
    for _ in range(4):
        _refusal("desk", WRONG)
    assert Staff.get_by_id(clinic.desk.id).locked_until is None
    assert staff.sign_in("desk", PASSWORD).id == clinic.desk.id


def test_a_lock_on_one_account_leaves_the_others_alone(clinic):
    for _ in range(5):
        _refusal("desk", WRONG)
    assert staff.sign_in("admin", PASSWORD).id == clinic.admin.id


_ATTEMPTS = textwrap.dedent("""
    import sys
    from datetime import datetime
    from frontdesk import clock, config, db, staff
    from frontdesk.errors import SignInRefused

    config.use(config.Config(timezone=sys.argv[2]))
    db.open_database(sys.argv[1])
    with clock.frozen(datetime.fromisoformat(sys.argv[3])):
        for _ in range(int(sys.argv[4])):
            try:
                staff.sign_in("desk", "not the right password")
            except SignInRefused as refused:
                print(refused)
    db.close_database()
""")


def test_failures_from_several_terminals_are_counted_together(clinic, db_path):
    """Two real processes fail 3 and 2 times against the same file: 5 in all locks it."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    runs = [subprocess.Popen([sys.executable, "-c", _ATTEMPTS, str(db_path), ZONE,
                              NOW.isoformat(), str(count)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=root, env=env)
            for count in (3, 2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    for run, (_, err) in zip(runs, outputs):
        assert run.returncode == 0, err
    lines = [line for out, _ in outputs for line in out.splitlines()]
    assert len(lines) == 5
    assert sum("locked for 15 minutes" in line for line in lines) == 1

    stored = Staff.get_by_id(clinic.desk.id)
    assert stored.locked_until == NOW + timedelta(minutes=15)
    failures = [e for e in _events("signin.failed") if e.staff_id == clinic.desk.id]
    assert sorted(json.loads(e.detail)["failures"] for e in failures) == [1, 2, 3, 4, 5]
    assert "locked until" in _refusal("desk", PASSWORD)
    assert audit.verify().whole


def test_a_deactivated_account_cannot_sign_in_and_is_told_nothing_more(clinic):
    Staff.update(active=False).where(Staff.id == clinic.desk.id).execute()
    assert _refusal("desk", PASSWORD) == staff.WRONG_CREDENTIALS
    assert not [e for e in _events("signin") if e.staff_id == clinic.desk.id]


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(clinic, monkeypatch):
    old_hash = Staff.get_by_id(clinic.desk.id).password_hash
    assert "t=1," in old_hash
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    monkeypatch.setattr(staff, "hasher", stronger)

    staff.sign_in("desk", PASSWORD)

    new_hash = Staff.get_by_id(clinic.desk.id).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$") and "m=2048,t=2,p=1" in new_hash
    assert staff.sign_in("desk", PASSWORD).id == clinic.desk.id


def test_a_current_hash_is_left_alone_at_sign_in(clinic):
    old_hash = Staff.get_by_id(clinic.desk.id).password_hash
    staff.sign_in("desk", PASSWORD)
    assert Staff.get_by_id(clinic.desk.id).password_hash == old_hash


def test_sign_out_is_audited(clinic):
    staff.sign_out(clinic.desk)
    assert _events("signout")[-1].staff_id == clinic.desk.id
