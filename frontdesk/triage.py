"""Red flags in what a caller says, matched as staff type it, from data/triage.toml.

The protocol is a file the clinic's medical director reviews, not code. Matching is
deliberately loose ("chest hurts", "pain in my chest", "cant breathe" all match):
a banner raised once too often costs a glance; one missed costs far more.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from frontdesk.errors import ConfigError
from frontdesk.paths import reference

__all__ = ["Flag", "protocol", "load", "match"]

URGENCIES = ("911", "nurse")
SLACK = 2
"""Other words allowed among a phrase's words ("pain in my chest" is "chest pain")."""


@dataclass(frozen=True)
class Flag:
    id: str
    name: str
    urgency: str
    instruction: str
    phrases: tuple[tuple[str, ...], ...]
    """Each phrase as its word stems."""


def _stem(word: str) -> str:
    """A rough word stem, enough to equate "hurts", "hurting" and "hurt"."""
    for ending in ("ing", "ed", "es", "s", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _words(text: str) -> list[str]:
    text = text.casefold().replace("'", "").replace("\u2019", "")
    return [_stem(word) for word in re.findall(r"[a-z0-9]+", text)]


def load(path: Path | None = None) -> tuple[Flag, ...]:
    """Read a protocol file, refusing one that is malformed with where and why."""
    if path is None:
        text = reference("triage.toml").read_text(encoding="utf-8")
        where = "data/triage.toml"
    else:
        text, where = path.read_text(encoding="utf-8"), str(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: not valid TOML ({error}).") from None
    flags = []
    for index, entry in enumerate(raw.get("flag", []), 1):
        missing = [key for key in ("id", "name", "urgency", "instruction", "phrases")
                   if not entry.get(key)]
        if missing:
            raise ConfigError(f"{where}: flag {index} has no {', '.join(missing)}.")
        if entry["urgency"] not in URGENCIES:
            raise ConfigError(f"{where}: flag {entry['id']} urgency must be "
                              f"{' or '.join(URGENCIES)}.")
        flags.append(Flag(entry["id"], entry["name"], entry["urgency"], entry["instruction"],
                          tuple(tuple(_words(phrase)) for phrase in entry["phrases"])))
    if not flags:
        raise ConfigError(f"{where}: no [[flag]] entries.")
    return tuple(flags)


@functools.cache
def protocol() -> tuple[Flag, ...]:
    """The clinic's protocol, read once."""
    return load()


def _found(phrase: tuple[str, ...], words: list[str]) -> bool:
    """Every word of the phrase within a short stretch of the text, in any order."""
    span = len(phrase) + SLACK
    return any(all(part in words[start:start + span] for part in phrase)
               for start, word in enumerate(words) if word in phrase)


def match(text: str, flags: tuple[Flag, ...] | None = None) -> list[Flag]:
    """The red flags in `text`, most urgent first (911 before nurse), each once."""
    words = _words(text)
    if not words:
        return []
    found = [flag for flag in (flags or protocol())
             if any(_found(phrase, words) for phrase in flag.phrases)]
    return sorted(found, key=lambda flag: URGENCIES.index(flag.urgency))
