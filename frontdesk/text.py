"""Text from people and from the database, made safe and comparable.

Text drawn on a terminal is untrusted: an escape sequence in a patient's name
would move the cursor or retitle the terminal of whoever looks at the record.
`clean` strips control characters and escape sequences; `fold` gives the form
names are compared in (no case, no accents, no punctuation).
"""

from __future__ import annotations

import re
import unicodedata

from frontdesk.errors import InvalidInput

__all__ = ["clean", "has_control", "fold", "one_line", "typed"]

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte escapes,
# and the 8-bit C1 forms of CSI and OSC.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with escape sequences and control characters removed."""
    text = _ESCAPES.sub("", text)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    else:
        text = text.replace("\t", " ")
    return _CONTROLS.sub("", text)


def has_control(text: str) -> bool:
    """Whether typed text holds anything `clean` would strip (tabs and newlines excepted)."""
    return bool(_CONTROLS.search(text.replace("\n", "").replace("\t", "")) or "\x1b" in text)


def one_line(text: str) -> str:
    """Clean text with runs of white space collapsed to one space."""
    return " ".join(clean(text).split())


# Letters that NFKD does not take apart into a base letter and a mark: without
# these, "Dang" would never find "Đặng", nor "Lukasz" find "Łukasz".
_BASE_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ð": "d", "ø": "o", "ı": "i", "ħ": "h",
                               "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"})


def typed(value: str, *, field: str, label: str, limit: int, required: bool = False) -> str:
    """A one-line field as staff typed it, or `InvalidInput` naming the field and why.

    Control characters are refused rather than quietly stripped: text that holds
    them came from a paste or a bad file, and staff should see it.
    """
    if has_control(value):
        raise InvalidInput(f"{label} holds control characters; retype it.", field=field)
    value = " ".join(value.split())  # nothing left for clean() to strip: spaces only
    if required and not value:
        raise InvalidInput(f"{label} is required.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label} is longer than {limit} characters.", field=field)
    return value


def fold(text: str) -> str:
    """The comparable form of a name: `"O'Brien-Núñez"` -> `"obriennunez"`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_BASE_LETTERS))
    return "".join(ch for ch in decomposed if ch.isalnum())
