"""Passwords as NIST SP 800-63B asks: long, not common, not a pattern, not your name."""

from __future__ import annotations

import pytest
from rich.pretty import pretty_repr

from frontdesk import audit, passwords, staff
from frontdesk.errors import InvalidInput, SignInRefused
from frontdesk.roles import Role
from tests.conftest import PASSWORD


@pytest.mark.parametrize(("password", "reason"), [
    ("short1!", "at least 12 characters"),
    ("qwerty123456", "most common"),
    ("1q2w3e4r5t6y", "most common"),
    ("Password1234!", "most common"),      # a common word dressed up
    ("!!Sunshine2024", "most common"),
    ("abcabcabcabc", "pattern"),
    ("zzzzzzzzzzzzzz", "pattern"),
    ("890123456789", "pattern"),
    ("lkjhgfdsalkjh", "pattern"),
    ("dana-loves-coffee", "your username or your name"),
    ("whitfield rocks!", "your username or your name"),
    ("my frontdesk pass", "program's name"),
    ("twelve chars and an escape\x1b[2J", "control characters"),
])
def test_easy_passwords_are_refused_saying_why(password, reason):
    with pytest.raises(InvalidInput, match=reason) as refused:
        passwords.check(password, username="dana", name="Dana Whitfield")
    assert refused.value.field == "password"


@pytest.mark.parametrize("password", ["blue heron morning", "paper-kite-autumn",
                                      "correct horse battery", "Ünïcödé sêcret phrase"])
def test_long_uncommon_phrases_are_accepted_without_composition_rules(password):
    passwords.check(password, username="dana", name="Dana Whitfield")


def test_the_common_list_ships_with_the_program():
    common = passwords._common()
    assert len(common) > 15_000 and "password" in common and "iloveyou" in common


def test_a_secret_never_shows_in_a_repr_or_a_traceback_locals_view():
    secret = passwords.Secret("blue heron morning")
    assert repr(secret) == "[secret]" and secret == "blue heron morning"
    assert "heron" not in pretty_repr({"password": secret})


def test_no_password_reaches_the_audit_log(clinic):
    staff.add_staff("robin", "Robin Reyes", Role.FRONT_DESK, "velvet otter canyon",
                    by=clinic.admin)
    robin = staff.Staff.get(staff.Staff.username == "robin")
    staff.reset_password(robin, "amber falcon meadow", by=clinic.admin)
    staff.change_password(robin, "amber falcon meadow", "silver maple dawn")
    with pytest.raises(SignInRefused):
        staff.sign_in("robin", "wrong guess for robin")
    staff.sign_in("robin", "silver maple dawn")
    with pytest.raises(SignInRefused):
        staff.sign_in("typed a password as username", "whatever else")
    logged = " ".join(e.detail + e.subject for e in audit.AuditEvent.select())
    for secret in ("velvet otter canyon", "amber falcon meadow", "silver maple dawn",
                   "wrong guess", "typed a password", PASSWORD):
        assert secret not in logged
