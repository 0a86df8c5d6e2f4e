"""What makes a password acceptable (NIST SP 800-63B), and keeping it out of sight.

Length counts; composition rules do not. A password is refused when it is short,
common, a common word dressed up with digits and symbols, one piece repeated, a
run of keys, or built from the person's own username or name.
"""

from __future__ import annotations

import functools
import re

from frontdesk.errors import InvalidInput
from frontdesk.paths import reference
from frontdesk.text import has_control

__all__ = ["MIN_LENGTH", "Secret", "check"]

MIN_LENGTH = 12
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm",
              "1qaz2wsx3edc4rfv", "qazwsxedcrfvtgb")


class Secret(str):
    """A password in memory: shows as [secret] in any repr, log line or traceback.

    Textual's crash report prints local variables; wrapping a password as soon as
    it leaves the input field keeps it off the screen and out of logs.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "[secret]"


@functools.cache
def _common() -> frozenset[str]:
    text = reference("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _core(password: str) -> str:
    """The word inside the decoration: `Summer2024!!` -> `summer`."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password.lower())


def _repeats(password: str) -> bool:
    """One short piece over and over: `abcabcabcabc`, `aaaaaaaaaaaa`."""
    return re.fullmatch(r"(.{1,6}?)\1+", password.lower()) is not None


def _run_of_keys(password: str) -> bool:
    """Keys or letters in order, forwards or back, wrapping round: `890123456789`."""
    lowered = password.lower()
    for run in _SEQUENCES:
        cycle = run * 3
        if lowered in cycle or lowered in cycle[::-1]:
            return True
    return False


def check(password: str, *, username: str = "", name: str = "") -> None:
    """Refuse, saying why, a password that is easy to guess; accept anything else."""
    if has_control(password):
        raise InvalidInput("A password cannot hold control characters.", field="password")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"A password needs at least {MIN_LENGTH} characters; a short phrase of "
            "unrelated words works well.", field="password")
    lowered = password.lower()
    core = _core(password)
    if lowered in _common() or (len(core) >= 4 and core in _common()):
        raise InvalidInput("That password is on the list of the most common passwords; "
                           "choose another.", field="password")
    if _repeats(password) or _run_of_keys(password):
        raise InvalidInput("That password is a pattern (a repeat or a run of keys) and "
                           "easy to guess; choose another.", field="password")
    own = {username.lower(), *(part.lower() for part in name.split() if len(part) >= 3)}
    if any(part and part in lowered for part in own):
        raise InvalidInput("A password cannot contain your username or your name.",
                           field="password")
    if "frontdesk" in lowered:
        raise InvalidInput("A password cannot contain the program's name.", field="password")
