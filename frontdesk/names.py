"""How names are keyed for finding: folded, split into words, and by sound.

`fold` (frontdesk.text) makes "O'Brien-Núñez" comparable as "obriennunez". A
name is also found by any later word of it ("Jones" of "Smith-Jones", "Cruz"
of "de la Cruz") and by its sound ("Smyth" and "Smiht" sound like "Smith").
"""

from __future__ import annotations

import re

import jellyfish

from frontdesk.text import fold

__all__ = ["words", "later_words", "sound", "likeness"]

_WORD_BREAKS = re.compile(r"[\s\-]+")


def words(name: str) -> list[str]:
    """The folded words of a name, in order: "de la Cruz-Ortiz" -> de, la, cruz, ortiz."""
    return [key for part in _WORD_BREAKS.split(name) if (key := fold(part))]


def later_words(name: str) -> list[str]:
    """The words a name is also found by: each one after the first, once each."""
    whole, seen = fold(name), []
    for key in words(name)[1:]:
        if key != whole and key not in seen:
            seen.append(key)
    return seen


def sound(key: str) -> str:
    """Soundex of a folded name; keeps the first letter, forgives the rest."""
    letters = "".join(ch for ch in key if "a" <= ch <= "z")
    return jellyfish.soundex(letters) if letters else ""


def likeness(typed: str, name: str) -> float:
    """0 to 1: how close a typed word is to a name's key (Jaro-Winkler, so a shared
    beginning counts most, the way people misspell)."""
    if not typed or not name:
        return 0.0
    if name.startswith(typed):
        return 1.0
    return jellyfish.jaro_winkler_similarity(typed, name[: max(len(typed), 1) + 2])
