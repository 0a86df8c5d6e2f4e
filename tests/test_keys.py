"""Every key frontdesk binds must arrive over the wire.

The bytes PuTTY (default "ESC[n~" function keys), xterm and the Linux console send
for each bound key are fed through Textual's own input parser; a binding whose key
cannot arrive from one of them fails here (DESIGN.md, "Keys must survive the wire").
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.binding import Binding
from textual.dom import DOMNode

import screens

_FUNCTION_KEYS = {
    "xterm": ["\x1bOP", "\x1bOQ", "\x1bOR", "\x1bOS", "\x1b[15~", "\x1b[17~", "\x1b[18~",
              "\x1b[19~", "\x1b[20~", "\x1b[21~", "\x1b[23~", "\x1b[24~"],
    "putty": ["\x1b[11~", "\x1b[12~", "\x1b[13~", "\x1b[14~", "\x1b[15~", "\x1b[17~",
              "\x1b[18~", "\x1b[19~", "\x1b[20~", "\x1b[21~", "\x1b[23~", "\x1b[24~"],
    "linux": ["\x1b[[A", "\x1b[[B", "\x1b[[C", "\x1b[[D", "\x1b[[E", "\x1b[17~", "\x1b[18~",
              "\x1b[19~", "\x1b[20~", "\x1b[21~", "\x1b[23~", "\x1b[24~"],
}
_ARROWS = {"up": "A", "down": "B", "right": "C", "left": "D"}
_EDITING = {  # the keypad above the arrows
    "xterm": {"home": "\x1b[H", "end": "\x1b[F", "pageup": "\x1b[5~", "pagedown": "\x1b[6~"},
    "putty": {"home": "\x1b[1~", "end": "\x1b[4~", "pageup": "\x1b[5~", "pagedown": "\x1b[6~"},
    "linux": {"home": "\x1b[1~", "end": "\x1b[4~", "pageup": "\x1b[5~", "pagedown": "\x1b[6~"},
}
_NAMED = {
    "enter": "\r", "escape": "\x1b", "tab": "\t", "space": " ",
    "left_square_bracket": "[", "right_square_bracket": "]",
    "less_than_sign": "<", "greater_than_sign": ">", "question_mark": "?",
    "slash": "/", "plus": "+", "minus": "-",
}
TERMINALS = tuple(_FUNCTION_KEYS)


def wire_bytes(key: str, terminal: str) -> str:
    """What `terminal` sends when staff press `key` (a Textual key name)."""
    if key.startswith("f") and key[1:].isdigit():
        return _FUNCTION_KEYS[terminal][int(key[1:]) - 1]
    if key in _ARROWS:
        return "\x1b[" + _ARROWS[key]
    if key in _EDITING[terminal]:
        return _EDITING[terminal][key]
    if key in _NAMED:
        return _NAMED[key]
    if key.startswith("ctrl+") and len(key) == 6 and key[5].isalpha():
        return chr(ord(key[5]) - ord("a") + 1)
    if key.startswith("alt+") and len(key) == 5:
        return "\x1b" + key[4]
    if len(key) == 1:
        return key
    raise AssertionError(f"no known wire form for key {key!r}; add it to this test")


def parsed(data: str) -> list[str]:
    parser = XTermParser()
    messages = list(parser.feed(data)) + list(parser.feed(""))
    return [m.key for m in messages if isinstance(m, events.Key)]


def _our_nodes() -> list[type]:
    found = []
    for module_info in pkgutil.walk_packages(screens.__path__, "screens."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("screens"):
                found.append(cls)
    return sorted(set(found), key=lambda c: c.__qualname__)


def _bindings() -> list[tuple[str, str]]:
    pairs = []
    for cls in _our_nodes():
        for item in cls.__dict__.get("BINDINGS", []):
            binding = item if isinstance(item, Binding) else Binding(*item)
            for key in binding.key.split(","):
                pairs.append((f"{cls.__qualname__}:{binding.action}", key.strip()))
    return pairs


BINDINGS = _bindings()


def test_the_screens_bind_keys_at_all() -> None:
    """Guards the discovery above: an empty list would make every test below vacuous."""
    owners = {owner.split(":")[0] for owner, _ in BINDINGS}
    assert {"FrontdeskApp", "ScheduleScreen", "AppointmentScreen"} <= owners
    assert len(BINDINGS) >= 15


@pytest.mark.parametrize("terminal", TERMINALS)
@pytest.mark.parametrize(("owner", "key"), BINDINGS, ids=[f"{o}={k}" for o, k in BINDINGS])
def test_binding_arrives_from_terminal(owner: str, key: str, terminal: str) -> None:
    assert parsed(wire_bytes(key, terminal)) == [key], (
        f"{owner} is bound to {key!r}, which {terminal} cannot send")


@pytest.mark.parametrize(("owner", "key"), BINDINGS, ids=[f"{o}={k}" for o, k in BINDINGS])
def test_binding_avoids_keys_that_collide_on_the_wire(owner: str, key: str) -> None:
    colliding = {"ctrl+h": "backspace", "ctrl+i": "tab", "ctrl+m": "enter",
                 "ctrl+j": "newline", "ctrl+left_square_bracket": "escape"}
    assert key not in colliding, f"{owner}: {key} is {colliding.get(key)} on the wire"
    assert not (key.startswith("alt+") and key[4:].isdigit()), (
        f"{owner}: alt+digit arrives as a symbol (ESC 1 is '¡' to Textual)")
    assert not key.startswith(("ctrl+0", "ctrl+1", "ctrl+2", "ctrl+3", "ctrl+4", "ctrl+5",
                               "ctrl+6", "ctrl+7", "ctrl+8", "ctrl+9", "super+")), (
        f"{owner}: {key} does not exist on the wire")


def test_alt_digit_really_is_lost() -> None:
    """Why the rule above exists, measured on the installed Textual."""
    assert parsed("\x1b1") != ["alt+1"]
