"""Red flags in what callers say, as staff really type it."""

from __future__ import annotations

import pytest

from frontdesk import triage
from frontdesk.errors import ConfigError


@pytest.mark.parametrize(("typed", "flag"), [
    ("chest hurts", "chest_pain"), ("pain in my chest since this morning", "chest_pain"),
    ("CHEST PAIN", "chest_pain"), ("cant breathe", "breathing"), ("she can't breathe", "breathing"),
    ("short of breath", "breathing"), ("trouble breathing at night", "breathing"),
    ("face drooping and slurred speech", "stroke"), ("bleeding wont stop", "bleeding"),
    ("wants to kill himself", "suicide"), ("throat is swelling after peanuts", "anaphylaxis"),
    ("passed out in the kitchen", "unconscious"), ("6 week old baby has a fever", "high_fever_infant"),
])
def test_phrasings_staff_type_raise_the_flag(typed, flag):
    assert flag in [found.id for found in triage.match(typed)]


@pytest.mark.parametrize("typed", ["refill for lisinopril", "test results", "chest x-ray results",
                                   "billing question", "reschedule to next week", ""])
def test_ordinary_calls_raise_nothing(typed):
    assert triage.match(typed) == []


def test_every_flag_says_what_to_do_and_911_comes_first():
    found = triage.match("chest pain and a 6 week old baby with a fever")
    assert [f.urgency for f in found] == ["911", "nurse"]
    assert all(flag.instruction for flag in triage.protocol())


def test_a_malformed_protocol_file_says_where_and_why(tmp_path):
    bad = tmp_path / "triage.toml"
    bad.write_text('[[flag]]\nid = "x"\nname = "X"\nurgency = "soon"\ninstruction = "i"\n'
                   'phrases = ["x"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="urgency must be 911 or nurse"):
        triage.load(bad)
    bad.write_text('[[flag]]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="flag 1 has no name, urgency, instruction, phrases"):
        triage.load(bad)
