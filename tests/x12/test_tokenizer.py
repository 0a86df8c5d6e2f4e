"""Tokenizer edge cases: what is fatal, what is only a warning."""

from __future__ import annotations

import time

import pytest

from frontdesk.errors import FrontdeskError
from frontdesk.x12 import X12Error, parse_271, split_transactions, tokenize

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*240105*0930*^*00501*000000042*0*P*:~"
)
HEADER = (
    "GS*HB*SENDER*RECEIVER*20240105*0930*42*X*005010X279A1~"
    "ST*271*0001*005010X279A1~"
    "BHT*0022*11*REF1*20240105*0930~"
    "HL*1**20*1~NM1*PR*2*ACME HEALTH*****PI*12345~"
    "HL*2*1*21*1~NM1*1P*2*MAIN STREET CLINIC*****XX*1234567893~"
    "HL*3*2*22*0~TRN*2*TRACE1*1999999999~"
    "NM1*IL*1*DOE*JANE****MI*W123~DMG*D8*19800101*F~"
)
BODY = "EB*1**30**SILVER~EB*B**98***27*25*****Y~"
TRAILER = "SE*13*0001~GE*1*42~IEA*1*000000042~"
GOOD = ISA + HEADER + BODY + TRAILER


def test_standard_isa_is_106_characters() -> None:
    assert len(ISA) == 106


def test_well_formed_file_has_no_warnings() -> None:
    tokens = tokenize(GOOD)
    assert tokens.warnings == []
    [transaction] = split_transactions(tokens.segments)
    assert transaction.warnings == []
    [answer] = parse_271(GOOD)
    assert answer.status == "active"
    assert answer.warnings == []


# --------------------------------------------------------------------------
# fatal: not X12, cut off


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"%PDF-1.7 binary junk",
        b"Name,DOB\nISABELLA,1980-01-01\n",
        b"Patient: LISA",
        "hello",
    ],
)
def test_not_x12_is_refused_in_plain_words(data: bytes | str) -> None:
    with pytest.raises(X12Error) as caught:
        tokenize(data)
    message = str(caught.value)
    assert "not an insurance eligibility (X12) file" in message
    assert "ISA" in message and "byte" in message
    assert caught.value.segment == "ISA"


def test_not_x12_names_where_the_text_starts() -> None:
    with pytest.raises(X12Error) as caught:
        tokenize(b"\n\n  <html>Gateway timeout</html>")
    assert caught.value.offset == 4
    assert "byte 4" in str(caught.value)
    assert "<html>" in str(caught.value)


def test_x12error_is_a_frontdesk_error_with_a_staff_message() -> None:
    assert issubclass(X12Error, FrontdeskError)
    assert issubclass(X12Error, ValueError)
    with pytest.raises(FrontdeskError) as caught:
        tokenize(b"not a claim file")
    assert caught.value.message == str(caught.value)


@pytest.mark.parametrize("cut", [3, 4, 40, 90, 104])
def test_file_cut_inside_the_isa(cut: int) -> None:
    data = GOOD.encode()[:cut]
    with pytest.raises(X12Error) as caught:
        tokenize(data)
    message = str(caught.value)
    assert "cut off" in message
    assert "ISA header segment (at byte 0)" in message
    assert f"reading failed at byte {cut}" in message
    assert "resend" in message  # tells the clerk what to do
    assert (caught.value.offset, caught.value.segment) == (cut, "ISA")


def test_isa_with_missing_fields_followed_by_more_segments() -> None:
    # ISA12..ISA16 are missing; walking separators would run into the GS.
    short_isa = (
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240105*0930*^~"
    )
    with pytest.raises(X12Error) as caught:
        tokenize(short_isa + HEADER + BODY + TRAILER)
    message = str(caught.value)
    assert "has only 11 of its 16 fields" in message
    assert f"byte {len(short_isa) - 1}" in message


def test_file_cut_before_any_transaction() -> None:
    data = (ISA + "GS*HB*SENDER*RECEIVER*20240105*0930*42*X*005010X279A1~").encode()
    with pytest.raises(X12Error) as caught:
        tokenize(data)
    message = str(caught.value)
    assert "cut off" in message
    assert "after the GS segment at byte 106" in message
    assert "no transaction (ST segment)" in message
    assert (caught.value.offset, caught.value.segment) == (106, "GS")


def test_damaged_segment_name_names_the_byte_and_previous_segment() -> None:
    damaged = GOOD.replace("EB*B", "E\x00B*B")
    offset = damaged.index("E\x00B")
    with pytest.raises(X12Error) as caught:
        tokenize(damaged.encode())
    message = str(caught.value)
    assert f"Reading failed at byte {offset}" in message
    assert "after the EB segment at byte" in message
    assert caught.value.offset == offset


def test_file_cut_mid_transaction_is_read_with_warnings() -> None:
    # Cut after the first EB: the answer is there, the trailers are not.
    cut = GOOD.index("EB*B")
    [answer] = parse_271(GOOD[:cut].encode())
    assert answer.status == "active"
    assert answer.warnings == [
        "transaction 0001 has no SE trailer",
        "functional group 42 has no GE trailer",
        "interchange 000000042 has no IEA trailer",
    ]


def test_last_segment_without_terminator_is_kept() -> None:
    tokens = tokenize(GOOD.rstrip("~"))
    assert tokens.segments[-1].elements == ("IEA", "1", "000000042")


# --------------------------------------------------------------------------
# formats seen in real files


def test_bom_is_stripped_and_offsets_stay_in_bytes() -> None:
    data = b"\xef\xbb\xbf" + GOOD.encode()
    tokens = tokenize(data)
    assert tokens.segments[0].tag == "ISA"
    assert tokens.segments[0].offset == 3
    for segment in tokens.segments:
        assert data[segment.offset :].startswith(segment.tag.encode())


def test_offsets_are_bytes_even_with_non_ascii_names() -> None:
    data = GOOD.replace("DOE*JANE", "MUÑOZ*JOSÉ").encode("utf-8")
    tokens = tokenize(data)
    dmg = next(s for s in tokens.segments if s.tag == "DMG")
    assert dmg.offset == data.index(b"DMG")
    nm1 = [s for s in tokens.segments if s.tag == "NM1"][-1]
    assert nm1.elements[3:5] == ("MUÑOZ", "JOSÉ")


def test_str_input_gives_character_offsets() -> None:
    text = GOOD.replace("DOE*JANE", "MUÑOZ*JOSÉ")
    dmg = next(s for s in tokenize(text).segments if s.tag == "DMG")
    assert dmg.offset == text.index("DMG")


def test_latin1_bytes_are_read() -> None:
    data = GOOD.replace("DOE*JANE", "MUÑOZ*JOSÉ").encode("latin-1")
    nm1 = [s for s in tokenize(data).segments if s.tag == "NM1"][-1]
    assert nm1.elements[3:5] == ("MUÑOZ", "JOSÉ")
    assert next(s for s in tokenize(data).segments if s.tag == "DMG").offset == data.index(b"DMG")


def test_cr_terminator_with_trailing_spaces() -> None:
    text = GOOD.replace("~", " \r\n").replace(":" + " \r\n", ":\r\n", 1)
    tokens = tokenize(text.encode())
    assert tokens.delimiters.segment == "\r"
    assert [s.tag for s in tokens.segments] == [s.tag for s in tokenize(GOOD).segments]
    assert all(not e.endswith(" ") for s in tokens.segments for e in s.elements)
    [answer] = parse_271(text)
    assert answer.warnings == []


def test_group_separator_0x1d_terminator_with_crlf_and_indentation() -> None:
    lines = GOOD.replace("~", "\x1d\r\n    ")
    tokens = tokenize(lines.encode())
    assert tokens.delimiters.segment == "\x1d"
    assert [s.elements for s in tokens.segments] == [s.elements for s in tokenize(GOOD).segments]


def test_newline_terminator() -> None:
    tokens = tokenize(GOOD.replace("~", "\n"))
    assert tokens.delimiters.segment == "\n"
    assert len(tokens.segments) == len(tokenize(GOOD).segments)


def test_tabs_and_indentation_around_segments_and_elements() -> None:
    messy = GOOD.replace("~", "~\r\n\t\t  ").replace("*DOE*", "* DOE\t*")
    tokens = tokenize(messy)
    assert [s.elements for s in tokens.segments] == [s.elements for s in tokenize(GOOD).segments]


def test_one_line_file_and_two_segments_per_line() -> None:
    tokens = tokenize(GOOD)  # GOOD has no newline at all
    assert len(tokens.segments) == 17
    mixed = GOOD.replace("~HL*3", "~\nHL*3")
    assert [s.elements for s in tokenize(mixed).segments] == [s.elements for s in tokens.segments]


def test_long_isa_is_read_by_separators_not_offsets() -> None:
    # Sender ID padded to 17 characters: the ISA is 108 bytes long.
    long_isa = ISA.replace("SENDER         ", "SENDER           ")
    assert len(long_isa) == 108
    tokens = tokenize(long_isa + HEADER + BODY + TRAILER)
    assert tokens.segments[0].get(6) == "SENDER"
    assert tokens.segments[0].get(16) == ":"
    assert tokens.segments[1].tag == "GS"
    assert tokens.delimiters.segment == "~"


def test_short_isa_of_105_bytes() -> None:
    short_isa = ISA.replace("RECEIVER       ", "RECEIVER      ")
    assert len(short_isa) == 105
    tokens = tokenize(short_isa + HEADER + BODY + TRAILER)
    assert tokens.segments[0].get(8) == "RECEIVER"
    assert tokens.segments[1].offset == 105


def test_other_element_separator() -> None:
    piped = GOOD.replace("*", "|")
    tokens = tokenize(piped)
    assert tokens.delimiters.element == "|"
    assert [s.elements for s in tokens.segments] == [s.elements for s in tokenize(GOOD).segments]


# --------------------------------------------------------------------------
# repetition separator


def test_repetition_separator_splits_eb03_in_5010() -> None:
    text = GOOD.replace("EB*B**98*", "EB*B**98^1^UC*")
    eb = [s for s in tokenize(text).segments if s.tag == "EB"][1]
    assert eb.repeats(3) == ["98", "1", "UC"]
    assert eb.components(3) == ["98^1^UC"]


def test_isa11_is_not_a_separator_before_00501() -> None:
    # A 4010 ISA: ISA11 is the standards identifier, even if someone put "^".
    isa_4010 = ISA.replace("*^*00501*", "*^*00401*")
    text = (isa_4010 + HEADER + BODY + TRAILER).replace("EB*B**98*", "EB*B**98^1*")
    tokens = tokenize(text)
    assert tokens.delimiters.repetition is None
    eb = [s for s in tokens.segments if s.tag == "EB"][1]
    assert eb.repeats(3) == ["98^1"]


def test_u_is_never_a_repetition_separator() -> None:
    text = GOOD.replace("*^*00501*", "*U*00501*")
    assert tokenize(text).delimiters.repetition is None


def test_repetition_equal_to_component_separator() -> None:
    text = GOOD.replace("*P*:~", "*P*^~").replace("EB*B**98*", "EB*B**98^1*")
    tokens = tokenize(text)
    assert tokens.delimiters.repetition == tokens.delimiters.component == "^"
    eb = [s for s in tokens.segments if s.tag == "EB"][1]
    assert eb.repeats(3) == ["98", "1"]


def test_missing_elements_read_as_empty() -> None:
    eb = next(s for s in tokenize(GOOD).segments if s.tag == "EB")
    assert eb.get(5) == "SILVER"
    assert eb.get(12) == "" and eb.get(99) == ""
    assert eb.repeats(2) == [] and eb.components(13) == []


# --------------------------------------------------------------------------
# envelope checks are warnings


def test_envelope_mismatches_are_warnings() -> None:
    bad = GOOD.replace("SE*13*0001", "SE*9*0002").replace("GE*1*42", "GE*2*43")
    bad = bad.replace("IEA*1*000000042", "IEA*3*000000041")
    [transaction] = split_transactions(tokenize(bad).segments)
    assert transaction.warnings == [
        "transaction 0001: the SE trailer counts 9 segments but there are 13",
        "transaction 0001 ends with a different control number in its SE trailer (0002)",
        "functional group 42: the GE trailer counts 2 transactions but there are 1",
        "functional group 42 ends with a different control number in its GE trailer (43)",
        "interchange 000000042: the IEA trailer counts 3 groups but there are 1",
        "interchange 000000042 ends with a different control number in its IEA trailer (000000041)",
    ]
    [answer] = parse_271(bad)
    assert answer.status == "active"
    assert answer.warnings == transaction.warnings


def test_two_interchanges_in_one_file() -> None:
    second = GOOD.replace("000000042", "000000043").replace("TRACE1", "TRACE2")
    answers = parse_271(GOOD + "\n" + second)
    assert [a.trace for a in answers] == ["TRACE1", "TRACE2"]
    assert all(a.warnings == [] for a in answers)


def test_text_after_iea_is_ignored_with_a_warning() -> None:
    tokens = tokenize(GOOD + "\n-- end of report --\n")
    assert tokens.warnings == [f"ignored text after the IEA trailer, from byte {len(GOOD) + 1}"]


# --------------------------------------------------------------------------
# speed


def _big_271(benefit_lines: int) -> bytes:
    kinds = [
        "EB*1**30**SILVER~",
        "EB*B**98^1^33*HM*SILVER*27*25.50*****Y~MSG*OFFICE~",
        "EB*A**98***27**0.2****Y~",
        "EB*C*IND*30***23*1500*****Y~DTP*291*RD8*20240101-20241231~",
        "EB*G*FAM*30***29*4000.10*****N~",
    ]
    body = "\n".join(kinds[i % len(kinds)] for i in range(benefit_lines))
    return (ISA + HEADER + body + TRAILER).encode()


def test_500_benefit_lines_parse_under_20_ms() -> None:
    data = _big_271(500)
    assert data.count(b"EB*") == 500
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        [answer] = parse_271(data)
        timings.append(time.perf_counter() - started)
    assert len(answer.benefits) == 500
    assert min(timings) < 0.020, f"best of 10 runs took {min(timings) * 1000:.1f} ms"
