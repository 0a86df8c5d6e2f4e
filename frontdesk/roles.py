"""Who may do what: the roles of the desk and the one table of permissions.

Every operation that changes or reveals something a role could be denied calls
`require(by, Permission.X)` itself, so the CLI, every screen and any later front
end get the same answer. A refusal names the roles that may do it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from frontdesk.errors import NotAllowed

__all__ = ["Role", "Permission", "TABLE", "allowed", "require", "who_may"]


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    BILLING = "billing"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"front_desk": "front desk", "admin": "administrator"}.get(self.value, self.value)


class Permission(StrEnum):
    SCHEDULE = "schedule"
    """Book, move, confirm, check in and out, cancel, mark no-shows."""
    OVERRIDE_SCHEDULE = "override_schedule"
    """Book outside a provider's hours or inside a block, giving a reason."""
    REGISTER_PATIENTS = "register_patients"
    """Register patients and edit their demographics and coverage."""
    VIEW_PATIENTS = "view_patients"
    """Look at patients' records and the day's schedule."""
    TAKE_PAYMENTS = "take_payments"
    VOID_OWN_PAYMENT = "void_own_payment"
    VOID_ANY_PAYMENT = "void_any_payment"
    """Void or refund a payment someone else took."""
    APPROVE_OVER_SHORT = "approve_over_short"
    """Approve a cash drawer that does not balance."""
    MANAGE_STAFF = "manage_staff"
    """Add staff, deactivate them, reset passwords, change roles."""
    GRANT_ADMIN = "grant_admin"
    """Make someone an administrator or a manager."""
    READ_AUDIT = "read_audit"
    """Read the audit trail and its access reports."""
    EDIT_SETUP = "edit_setup"
    """Providers, hours, visit types, payers, fee schedules, configuration."""
    ANSWER_PHONES = "answer_phones"
    """Answer, hold and end calls; take and handle phone messages."""

    @property
    def words(self) -> str:
        """What the permission lets someone do, for refusals."""
        return _WORDS[self]


_WORDS = {
    Permission.SCHEDULE: "change the schedule",
    Permission.OVERRIDE_SCHEDULE: "book outside a provider's hours or in a block",
    Permission.REGISTER_PATIENTS: "register or edit patients",
    Permission.VIEW_PATIENTS: "look at patients' records",
    Permission.TAKE_PAYMENTS: "take payments",
    Permission.VOID_OWN_PAYMENT: "void a payment",
    Permission.VOID_ANY_PAYMENT: "void another person's payment",
    Permission.APPROVE_OVER_SHORT: "approve a drawer that is over or short",
    Permission.MANAGE_STAFF: "manage staff accounts",
    Permission.GRANT_ADMIN: "make someone a manager or an administrator",
    Permission.READ_AUDIT: "read the audit trail",
    Permission.EDIT_SETUP: "change the clinic's setup",
    Permission.ANSWER_PHONES: "answer the phones",
}

_ALL = frozenset(Role)
_DESK, _BILLING, _MANAGER, _ADMIN = Role.FRONT_DESK, Role.BILLING, Role.MANAGER, Role.ADMIN

TABLE: dict[Permission, frozenset[Role]] = {
    Permission.SCHEDULE: frozenset({_DESK, _MANAGER, _ADMIN}),
    Permission.OVERRIDE_SCHEDULE: frozenset({_MANAGER, _ADMIN}),
    Permission.REGISTER_PATIENTS: frozenset({_DESK, _BILLING, _MANAGER, _ADMIN}),
    Permission.VIEW_PATIENTS: _ALL,
    Permission.TAKE_PAYMENTS: frozenset({_DESK, _BILLING, _MANAGER}),
    Permission.VOID_OWN_PAYMENT: frozenset({_DESK, _BILLING, _MANAGER}),
    Permission.VOID_ANY_PAYMENT: frozenset({_BILLING, _MANAGER}),
    Permission.APPROVE_OVER_SHORT: frozenset({_MANAGER}),
    Permission.MANAGE_STAFF: frozenset({_MANAGER, _ADMIN}),
    Permission.GRANT_ADMIN: frozenset({_ADMIN}),
    Permission.READ_AUDIT: frozenset({_MANAGER, _ADMIN}),
    Permission.EDIT_SETUP: frozenset({_MANAGER, _ADMIN}),
    Permission.ANSWER_PHONES: _ALL,  # in a small practice whoever is near picks up
}
"""The whole policy. Administrators look after accounts, setup and the audit; they
do not take money (separation of duties: the person who can change the system
should not also be the one the drawer count checks)."""


def who_may(permission: Permission) -> str:
    """The roles holding a permission, as staff would say them."""
    names = [role.label for role in Role if role in TABLE[permission]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def allowed(person: Any, permission: Permission) -> bool:
    """Whether a staff member (active, with a known role) holds a permission."""
    if person is None or not getattr(person, "active", False):
        return False
    try:
        role = Role(person.role)
    except ValueError:
        return False
    return role in TABLE[permission]


def require(person: Any, permission: Permission) -> None:
    """Refuse, naming who may, unless `person` holds the permission."""
    if not allowed(person, permission):
        raise NotAllowed(f"Only a {who_may(permission)} may {permission.words}.")
