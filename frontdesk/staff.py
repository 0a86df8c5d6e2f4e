"""Staff: who works the desk, their roles, and signing in.

Passwords are stored as Argon2id hashes. Failed sign-ins are counted in the
database inside a write transaction, so five failures lock an account whichever
terminals they came from.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import peewee as pw
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from frontdesk import audit, clock, db, passwords
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, SignInRefused, StaleEdit
from frontdesk.roles import Permission, Role, require
from frontdesk.text import one_line

__all__ = [
    "Role",
    "Staff",
    "add_staff",
    "everyone",
    "deactivate",
    "reactivate",
    "change_role",
    "reset_password",
    "change_password",
    "screen_locked",
    "screen_unlocked",
    "sign_in",
    "sign_out",
    "MAX_FAILURES",
    "LOCKOUT",
    "WRONG_CREDENTIALS",
]

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
WRONG_CREDENTIALS = "Wrong username or password."

hasher = PasswordHasher()
"""Argon2id with the library's current defaults; a stored hash with older
parameters is replaced at the next successful sign-in."""


class Staff(db.Model):
    username = pw.CharField(max_length=32, unique=True)
    name = pw.CharField(max_length=80)
    role = pw.CharField(max_length=20, choices=[(r.value, r.label) for r in Role])
    password_hash = pw.CharField(max_length=200)
    active = pw.BooleanField(default=True)
    must_change_password = pw.BooleanField(default=False)
    failed_signins = pw.IntegerField(default=0)
    locked_until = db.InstantField(null=True)
    created_at = db.InstantField()
    version = pw.IntegerField(default=1)

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def __str__(self) -> str:
        return self.name


def _check_username(username: str) -> str:
    username = username.strip().lower()
    if not username:
        raise InvalidInput("Type a username.", field="username")
    if len(username) > 32 or not all(ch.isalnum() or ch in "._-" for ch in username):
        raise InvalidInput(
            "A username is up to 32 letters, digits, dots, dashes or underscores.",
            field="username",
        )
    return username


def add_staff(username: str, name: str, role: Role | str, password: str, *,
              by: Staff | None, temporary: bool = False) -> Staff:
    """Create a staff account. `by` is None only for the first administrator.

    `temporary`: the password was chosen by whoever made the account, and its owner
    must replace it at the first sign-in.
    """
    password = passwords.Secret(password)
    username = _check_username(username)
    name = one_line(name)
    if not name or len(name) > 80:
        raise InvalidInput("Type the person's name (up to 80 characters).", field="name")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(
            f"Unknown role \"{role}\"; choose one of {', '.join(r.value for r in Role)}.",
            field="role",
        ) from None
    passwords.check(password, username=username, name=name)
    if by is not None:
        require(by, Permission.MANAGE_STAFF)
        if role in (Role.ADMIN, Role.MANAGER):
            require(by, Permission.GRANT_ADMIN)
    password_hash = hasher.hash(password)  # slow on purpose: outside the write lock
    with db.write():
        if by is None and (Staff.select().exists() or role is not Role.ADMIN):
            raise NotAllowed("Only the first account, an administrator, is created without "
                             "someone signed in; ask an administrator.")
        if Staff.select().where(Staff.username == username).exists():
            raise Conflict(f"The username \"{username}\" is taken.", field="username")
        person = Staff.create(
            username=username, name=name, role=role.value, password_hash=password_hash,
            created_at=clock.now(), must_change_password=temporary,
        )
        audit.record("staff.created", by=by or person, subject=f"staff {person.id}",
                     detail={"username": username, "role": role.value})
    return person


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.cache
def _decoy_hash() -> str:
    """A hash to verify against for unknown usernames, so they take as long."""
    return hasher.hash("an account that does not exist")


def _locked_message(until: datetime) -> str:
    return (
        f"Too many failed sign-ins: this account is locked until "
        f"{clock.local(until):%H:%M}. Try again then, or ask a manager."
    )


def sign_in(username: str, password: str) -> Staff:
    """The staff member with these credentials, or `SignInRefused`.

    An unknown username, a wrong password and a deactivated account all get the
    same message after the same work, so the message reveals nothing.
    """
    username, password = username.strip().lower(), passwords.Secret(password)
    person = Staff.get_or_none(Staff.username == username)
    if person is None:
        _verify(_decoy_hash(), password)
        with db.write():
            # Not the text typed: staff sometimes type their password into this box.
            audit.record("signin.failed", subject="unknown user",
                         detail={"typed_characters": len(username)})
        raise SignInRefused(WRONG_CREDENTIALS)
    now = clock.now()
    if person.locked_until and person.locked_until > now:
        with db.write():
            audit.record("signin.refused_locked", by=person, subject=f"staff {person.id}")
        raise SignInRefused(_locked_message(person.locked_until))
    matches = _verify(person.password_hash, password) and person.active
    if not matches:
        _count_failure(person)
    with db.write():
        # Looked at again under the write lock: another terminal may have just locked it.
        locked_until = Staff.select(Staff.locked_until).where(Staff.id == person.id).scalar()
        if locked_until and Staff.locked_until.python_value(locked_until) > clock.now():
            raise SignInRefused(_locked_message(Staff.locked_until.python_value(locked_until)))
        updates = {Staff.failed_signins: 0, Staff.locked_until: None}
        if hasher.check_needs_rehash(person.password_hash):
            updates[Staff.password_hash] = hasher.hash(password)
        Staff.update(updates).where(Staff.id == person.id).execute()
        audit.record("signin", by=person, subject=f"staff {person.id}")
    return Staff.get_by_id(person.id)


def _count_failure(person: Staff) -> None:
    """Count a failed sign-in atomically; the fifth in a row locks the account."""
    locked_now = False
    with db.write():
        Staff.update(failed_signins=Staff.failed_signins + 1).where(Staff.id == person.id).execute()
        failures = Staff.select(Staff.failed_signins).where(Staff.id == person.id).scalar()
        audit.record("signin.failed", by=person, subject=f"staff {person.id}",
                     detail={"failures": failures})
        if failures >= MAX_FAILURES:
            until = clock.now() + LOCKOUT
            Staff.update(locked_until=until, failed_signins=0).where(Staff.id == person.id).execute()
            audit.record("signin.locked", by=person, subject=f"staff {person.id}",
                         detail={"until": until.isoformat()})
            locked_now = True
    # Raised only after the commit: raising inside the block would roll the lock back.
    if locked_now:
        raise SignInRefused(
            f"{WRONG_CREDENTIALS} After {MAX_FAILURES} failures in a row the account is "
            f"locked for {LOCKOUT.seconds // 60} minutes."
        )
    raise SignInRefused(WRONG_CREDENTIALS)


def sign_out(person: Staff) -> None:
    with db.write():
        audit.record("signout", by=person, subject=f"staff {person.id}")


# -- looking after accounts ------------------------------------------------------------


def everyone(*, by: Staff) -> list[Staff]:
    """Every account, active first, for the staff administration screen."""
    require(by, Permission.MANAGE_STAFF)
    return list(Staff.select().order_by(Staff.active.desc(), Staff.name))


def _change(person: Staff, *, by: Staff, action: str, before: dict[str, object],
            **values: object) -> Staff:
    """Update an account if it is still the version staff saw; audit before and after."""
    values["version"] = Staff.version + 1
    with db.write():
        updated = (Staff.update(values).where(Staff.id == person.id,
                                              Staff.version == person.version).execute())
        if not updated:
            raise StaleEdit(f"{person.name}'s account was changed by someone else a moment "
                            "ago; look again before changing it.")
        after = {key: values[key] for key in before}
        audit.record(action, by=by, subject=f"staff {person.id}",
                     detail={"username": person.username, "before": before, "after": after})
    return Staff.get_by_id(person.id)


def _last_administrator(person: Staff) -> bool:
    others = (Staff.select().where(Staff.role == Role.ADMIN.value, Staff.active,
                                   Staff.id != person.id).exists())
    return person.role == Role.ADMIN.value and person.active and not others


def deactivate(person: Staff, *, by: Staff) -> Staff:
    """Stop an account from signing in; it stays, with everything it did."""
    require(by, Permission.MANAGE_STAFF)
    if person.id == by.id:
        raise NotAllowed("You cannot deactivate your own account; ask another manager.")
    if person.role in (Role.ADMIN.value, Role.MANAGER.value):
        require(by, Permission.GRANT_ADMIN)
    if _last_administrator(person):
        raise NotAllowed(f"{person.name} is the last active administrator; make someone "
                         "else an administrator first.")
    return _change(person, by=by, action="staff.deactivated", before={"active": person.active},
                   active=False)


def reactivate(person: Staff, *, by: Staff) -> Staff:
    require(by, Permission.MANAGE_STAFF)
    if person.role in (Role.ADMIN.value, Role.MANAGER.value):
        require(by, Permission.GRANT_ADMIN)
    return _change(person, by=by, action="staff.reactivated", before={"active": person.active},
                   active=True, failed_signins=0, locked_until=None)


def change_role(person: Staff, role: Role | str, *, by: Staff) -> Staff:
    require(by, Permission.MANAGE_STAFF)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"Unknown role \"{role}\".", field="role") from None
    if {role.value, person.role} & {Role.ADMIN.value, Role.MANAGER.value}:
        require(by, Permission.GRANT_ADMIN)
    if role is not Role.ADMIN and _last_administrator(person):
        raise NotAllowed(f"{person.name} is the last active administrator; make someone "
                         "else an administrator first.")
    return _change(person, by=by, action="staff.role_changed", before={"role": person.role},
                   role=role.value)


def reset_password(person: Staff, temporary: str, *, by: Staff) -> Staff:
    """Give someone a temporary password, to be changed at their next sign-in."""
    require(by, Permission.MANAGE_STAFF)
    if person.role in (Role.ADMIN.value, Role.MANAGER.value) and person.id != by.id:
        require(by, Permission.GRANT_ADMIN)
    temporary = passwords.Secret(temporary)
    passwords.check(temporary, username=person.username, name=person.name)
    new_hash = hasher.hash(temporary)
    return _change(person, by=by, action="staff.password_reset",
                   before={"must_change_password": person.must_change_password},
                   password_hash=new_hash, must_change_password=True, failed_signins=0,
                   locked_until=None)


def change_password(person: Staff, current: str, new: str) -> Staff:
    """The person's own change of password (required after a reset)."""
    current, new = passwords.Secret(current), passwords.Secret(new)
    person = Staff.get_by_id(person.id)  # the hash as it is now, not as signed in
    if not _verify(person.password_hash, current):
        raise InvalidInput("Your current password is not right.", field="current")
    if new == current:
        raise InvalidInput("The new password must differ from the old one.", field="password")
    passwords.check(new, username=person.username, name=person.name)
    return _change(person, by=person, action="staff.password_changed",
                   before={"must_change_password": person.must_change_password},
                   password_hash=hasher.hash(new), must_change_password=False)


def screen_locked(person: Staff, *, idle: bool) -> None:
    """Record that a terminal hid this person's work (idle, or by their own key)."""
    with db.write():
        audit.record("screen.locked", by=person, subject=f"staff {person.id}",
                     detail={"reason": "idle" if idle else "by hand"})


def screen_unlocked(person: Staff) -> None:
    with db.write():
        audit.record("screen.unlocked", by=person, subject=f"staff {person.id}")
