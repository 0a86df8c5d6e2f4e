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

from frontdesk import audit, clock, db
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, SignInRefused
from frontdesk.roles import Permission, Role, require
from frontdesk.text import has_control, one_line

__all__ = [
    "Role",
    "Staff",
    "add_staff",
    "sign_in",
    "sign_out",
    "MAX_FAILURES",
    "LOCKOUT",
    "WRONG_CREDENTIALS",
]

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 12
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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"A password needs at least {MIN_PASSWORD} characters; a short phrase works well.",
            field="password",
        )
    if has_control(password):
        raise InvalidInput("A password cannot hold control characters.", field="password")


def add_staff(username: str, name: str, role: Role | str, password: str, *,
              by: Staff | None) -> Staff:
    """Create a staff account. `by` is None only for the first administrator."""
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
    _check_password(password)
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
            created_at=clock.now(),
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
    username = username.strip().lower()
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
