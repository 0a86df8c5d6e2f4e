"""Looking after accounts: add, deactivate (never delete), reset, change role; all audited."""

from __future__ import annotations

import json

import pytest

from frontdesk import audit, staff
from frontdesk.errors import InvalidInput, NotAllowed, SignInRefused, StaleEdit
from frontdesk.roles import Role
from tests.conftest import PASSWORD


def _events(action):
    return [json.loads(e.detail) for e in
            audit.AuditEvent.select().where(audit.AuditEvent.action == action)]


def test_deactivated_staff_cannot_sign_in_and_stay_on_file(clinic):
    staff.deactivate(clinic.desk, by=clinic.admin)
    with pytest.raises(SignInRefused, match=staff.WRONG_CREDENTIALS):
        staff.sign_in("desk", PASSWORD)
    assert staff.Staff.get_by_id(clinic.desk.id).active is False
    assert _events("staff.deactivated")[0]["before"] == {"active": True}
    assert _events("staff.deactivated")[0]["after"] == {"active": False}
    back = staff.reactivate(staff.Staff.get_by_id(clinic.desk.id), by=clinic.admin)
    assert back.active and staff.sign_in("desk", PASSWORD).id == clinic.desk.id


def test_nobody_deactivates_themselves_or_the_last_administrator(clinic):
    with pytest.raises(NotAllowed, match="your own account"):
        staff.deactivate(clinic.admin, by=clinic.admin)
    other = staff.add_staff("boss", "Bo Boss", Role.ADMIN, PASSWORD, by=clinic.admin)
    staff.deactivate(clinic.admin, by=other)  # two administrators: one may go
    lone = staff.Staff.get_by_id(other.id)
    with pytest.raises(NotAllowed, match="last active administrator"):
        staff.change_role(lone, Role.MANAGER, by=lone)


def test_the_last_administrator_cannot_lose_the_role(clinic):
    manager = staff.add_staff("mgr", "Mo Manager", Role.MANAGER, PASSWORD, by=clinic.admin)
    with pytest.raises(NotAllowed, match="last active administrator"):
        staff.change_role(clinic.admin, Role.MANAGER, by=clinic.admin)
    staff.change_role(manager, Role.ADMIN, by=clinic.admin)
    demoted = staff.change_role(clinic.admin, Role.MANAGER,
                                by=staff.Staff.get_by_id(manager.id))
    assert demoted.role == Role.MANAGER.value
    assert _events("staff.role_changed")[-1]["before"] == {"role": "admin"}


def test_a_manager_manages_desk_staff_but_cannot_make_administrators(clinic):
    manager = staff.add_staff("mgr", "Mo Manager", Role.MANAGER, PASSWORD, by=clinic.admin)
    staff.change_role(clinic.desk, Role.BILLING, by=manager)
    with pytest.raises(NotAllowed, match="administrator may make someone"):
        staff.change_role(staff.Staff.get_by_id(clinic.desk.id), Role.ADMIN, by=manager)
    with pytest.raises(NotAllowed):
        staff.deactivate(clinic.admin, by=manager)


def test_a_reset_password_works_once_and_must_be_changed(clinic):
    staff.reset_password(clinic.desk, "amber falcon meadow", by=clinic.admin)
    with pytest.raises(SignInRefused):
        staff.sign_in("desk", PASSWORD)
    person = staff.sign_in("desk", "amber falcon meadow")
    assert person.must_change_password
    with pytest.raises(InvalidInput, match="current password"):
        staff.change_password(person, "not it", "silver maple dawn")
    with pytest.raises(InvalidInput, match="differ"):
        staff.change_password(person, "amber falcon meadow", "amber falcon meadow")
    changed = staff.change_password(person, "amber falcon meadow", "silver maple dawn")
    assert not changed.must_change_password
    assert staff.sign_in("desk", "silver maple dawn").id == clinic.desk.id


def test_a_reset_unlocks_a_locked_account(clinic):
    for _ in range(staff.MAX_FAILURES):
        with pytest.raises(SignInRefused):
            staff.sign_in("desk", "wrong wrong wrong")
    with pytest.raises(SignInRefused, match="locked"):
        staff.sign_in("desk", PASSWORD)
    staff.reset_password(staff.Staff.get_by_id(clinic.desk.id), "amber falcon meadow",
                         by=clinic.admin)
    assert staff.sign_in("desk", "amber falcon meadow").must_change_password


def test_a_stale_change_is_refused_and_changes_nothing(clinic):
    first = staff.Staff.get_by_id(clinic.desk.id)
    second = staff.Staff.get_by_id(clinic.desk.id)
    staff.change_role(first, Role.BILLING, by=clinic.admin)
    with pytest.raises(StaleEdit, match="changed by someone else"):
        staff.deactivate(second, by=clinic.admin)
    assert staff.Staff.get_by_id(clinic.desk.id).active


def test_everyone_lists_active_accounts_first(clinic):
    staff.deactivate(clinic.desk, by=clinic.admin)
    listed = staff.everyone(by=clinic.admin)
    assert [p.username for p in listed] == ["admin", "desk"]
    with pytest.raises(NotAllowed):
        staff.everyone(by=staff.Staff.get_by_id(clinic.desk.id))
