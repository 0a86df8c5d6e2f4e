"""Untrusted text: nothing from one record may drive another person's terminal."""

from __future__ import annotations

import pytest

from frontdesk.text import clean, fold, has_control, one_line

_DANGEROUS = set(map(chr, [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0),
                           *range(0x202a, 0x202f), *range(0x2066, 0x206a)]))


def _safe(text: str) -> bool:
    return not (set(text) & _DANGEROUS)


@pytest.mark.parametrize(("attack", "kept"), [
    ("\x1b]0;pwned\x07Bob", "Bob"),  # OSC: retitle the terminal, ended by BEL
    ("\x1b]0;pwned\x1b\\Bob", "Bob"),  # OSC ended by ST
    ("\x1b]8;;http://evil.example/\x07Bob\x1b]8;;\x07", "Bob"),  # hyperlink
    ("\x1b[2J\x1b[HBob", "Bob"),  # CSI: clear the screen, home the cursor
    ("\x1b[31;1mBob\x1b[0m", "Bob"),
    ("\x1bPq#0;2;0;0;0\x1b\\Bob", "Bob"),  # DCS (sixel)
    ("\x1b(0Bob", "(0Bob"),  # charset switch: the ESC goes, harmless text stays
    ("\x9b2JBob", "Bob"),  # 8-bit CSI
    ("\x9d0;pwned\x9cBob", "Bob"),  # 8-bit OSC ended by 8-bit ST
    ("Bo\x00b", "Bob"),
    ("Bob\x7f", "Bob"),
    ("Bob\x85", "Bob"),  # C1 NEL
    ("\u202eBob", "Bob"),  # right-to-left override
    ("B\u2066o\u2069b", "Bob"),  # bidi isolates
    ("B\u200bob", "Bob"),  # zero-width space
])
def test_clean_strips_escape_sequences_and_controls(attack, kept):
    cleaned = clean(attack)
    assert cleaned == kept
    assert "\x1b" not in cleaned and "\x07" not in cleaned
    assert _safe(cleaned)


def test_clean_turns_newlines_and_tabs_into_spaces_unless_kept():
    assert clean("line one\nline\ttwo") == "line one line two"
    assert clean("line one\nline\ttwo", keep_newlines=True) == "line one\nline two"


@pytest.mark.parametrize("name", ["García", "Nguyễn", "O'Brien", "Zoë Núñez-Łukasz",
                                  "Małgorzata", "Ngọc Thảo", "李小龙", "D'Angelo"])
def test_clean_keeps_every_letter_of_real_names(name):
    assert clean(name) == name
    assert not has_control(name)


@pytest.mark.parametrize("text", ["Bob\x1b[31m", "Bob\x00", "Bob\u202e", "Bob\x9b", "Bob\x07"])
def test_has_control_spots_what_clean_would_strip(text):
    assert has_control(text)


def test_has_control_allows_tabs_and_newlines():
    assert not has_control("a note\nover two lines\twith a tab")


def test_one_line_collapses_runs_of_space():
    assert one_line("  Maria \n\t García  ") == "Maria García"
    assert one_line("\x1b[1m  Bob\x1b[0m  ") == "Bob"


@pytest.mark.parametrize(("name", "folded"), [
    ("O'Brien-Núñez", "obriennunez"),
    ("GARCÍA", "garcia"),
    ("Nguyễn", "nguyen"),
    ("Zoë", "zoe"),
    ("St. John", "stjohn"),
    ("Straße", "strasse"),
])
def test_fold_ignores_case_accents_and_punctuation(name, folded):
    assert fold(name) == folded


def test_fold_makes_typed_and_filed_forms_meet():
    assert fold("obrien nunez") == fold("O'Brien-Núñez")
    assert fold("Garcia") == fold("García")
    assert fold("Garcia") != fold("Garza")


@pytest.mark.parametrize(("name", "typed"), [
    ("Đặng", "Dang"),
    ("Łukasz", "Lukasz"),
    ("Małgorzata", "Malgorzata"),
    ("Søndergaard", "Sondergaard"),
    ("Yılmaz", "Yilmaz"),
    ("Ærø", "aero"),
])
def test_fold_reaches_letters_that_do_not_decompose(name, typed):
    """These names are in the demo lists; staff type them on a US keyboard."""
    assert fold(name) == fold(typed)
