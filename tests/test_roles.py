"""The permission table, enforced by the operations themselves for every role."""

from __future__ import annotations

from datetime import date, time

import pytest

from frontdesk import insurance, patients, providers, schedule, staff
from frontdesk.errors import NotAllowed
from frontdesk.roles import TABLE, Permission, Role, allowed, who_may
from tests.conftest import PASSWORD

ROLES = list(Role)


@pytest.fixture
def people(clinic):
    """One active person per role (the clinic's admin and desk, plus billing and manager)."""
    manager = staff.add_staff("mgr", "Morgan Manager", Role.MANAGER, PASSWORD, by=clinic.admin)
    billing = staff.add_staff("bill", "Blake Billing", Role.BILLING, PASSWORD, by=clinic.admin)
    return {Role.ADMIN: clinic.admin, Role.FRONT_DESK: clinic.desk, Role.MANAGER: manager,
            Role.BILLING: billing}


def _draft(n: int) -> patients.Draft:
    return patients.Draft(first_name="Ana", last_name=f"Test{chr(65 + n)}", dob="1/2/1990",
                          sex="F")


OPERATIONS = {
    "book": (Permission.SCHEDULE, lambda c, p, n: schedule.book(
        c.john, c.kim, c.follow_up, date(2026, 12, 2), time(9, 15 * n % 60), by=p)),
    "register": (Permission.REGISTER_PATIENTS,
                 lambda c, p, n: patients.register(_draft(n), by=p)),
    "add coverage": (Permission.REGISTER_PATIENTS, lambda c, p, n: insurance.add_coverage(
        c.john, insurance.Payer.get(), plan_type="PPO", member_id=f"M{n}",
        effective_on=date(2026, 1, 1), by=p)),
    "add provider": (Permission.EDIT_SETUP, lambda c, p, n: providers.add_provider(
        first_name="Lee", last_name="Park", credentials="MD", npi=VALID_NPIS[n],
        specialty="Pediatrics", by=p)),
    "set hours": (Permission.EDIT_SETUP,
                  lambda c, p, n: providers.set_hours(c.kim, {0: [(time(9), time(12))]}, by=p)),
    "add visit type": (Permission.EDIT_SETUP,
                       lambda c, p, n: schedule.add_type(f"Visit {n}", "V", 20, by=p)),
    "add payer": (Permission.EDIT_SETUP,
                  lambda c, p, n: insurance.add_payer(f"Payer {n}", by=p)),
    "add front desk staff": (Permission.MANAGE_STAFF, lambda c, p, n: staff.add_staff(
        f"new{n}", "New Person", Role.FRONT_DESK, PASSWORD, by=p)),
    "add a manager": (Permission.GRANT_ADMIN, lambda c, p, n: staff.add_staff(
        f"boss{n}", "New Boss", Role.MANAGER, PASSWORD, by=p)),
    "list staff": (Permission.MANAGE_STAFF, lambda c, p, n: staff.everyone(by=p)),
}
VALID_NPIS = ["1234567893", "1245319599", "1003000126", "1003000134"]


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_each_operation_checks_the_role(clinic, people, role, operation):
    permission, run = OPERATIONS[operation]
    person = people[role]
    if role in TABLE[permission]:
        run(clinic, person, ROLES.index(role))
    else:
        with pytest.raises(NotAllowed) as refused:
            run(clinic, person, ROLES.index(role))
        assert who_may(permission) in str(refused.value)


def test_an_opened_appointment_needs_view_permission_and_everyone_has_it(clinic, people):
    booked = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, date(2026, 12, 2),
                           time(9), by=clinic.desk)
    for person in people.values():
        assert schedule.detail(booked.id, by=person).mrn == clinic.maria.mrn


def test_every_permission_is_in_the_table_and_someone_holds_it():
    assert set(TABLE) == set(Permission)
    assert all(TABLE[permission] for permission in Permission)


def test_administrators_do_not_take_money_nor_managers_make_administrators():
    assert Role.ADMIN not in TABLE[Permission.TAKE_PAYMENTS]
    assert Role.MANAGER not in TABLE[Permission.GRANT_ADMIN]


def test_a_deactivated_person_holds_nothing(clinic, people):
    gone = staff.deactivate(people[Role.BILLING], by=clinic.admin)
    assert not any(allowed(gone, permission) for permission in Permission)
    with pytest.raises(NotAllowed):
        patients.register(_draft(9), by=gone)


def test_a_refusal_says_who_may(clinic):
    with pytest.raises(NotAllowed, match="Only a manager or administrator may change the "
                                         "clinic's setup"):
        schedule.add_type("Long visit", "LONG", 60, by=clinic.desk)
