"""The 270 writer, read back by the tokenizer and compared with the samples."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from frontdesk.errors import InvalidInput
from frontdesk.x12 import (
    Dependent,
    Envelope,
    Inquiry,
    Payer,
    Provider,
    build_270,
    split_transactions,
    tokenize,
)

SAMPLES = Path(__file__).resolve().parent / "samples"
CREATED = datetime(2013, 10, 31, 11, 47)

# The X279 guide example envelope (samples 18 and 19).
GUIDE_ENVELOPE = Envelope(
    sender_id="000000005",
    receiver_id="12345",
    sender_qualifier="30",
    receiver_qualifier="30",
    authorization_qualifier="03",
    authorization="9876543210",
    security_qualifier="01",
    security="9876543210",
    acknowledgment_requested=True,
    application_receiver="54321",
)
GUIDE_PAYER = Payer(name="ABC COMPANY", id="842610001")
GUIDE_CLINIC = Provider(
    npi="2000035",
    name="BONE AND JOINT CLINIC",
    id_qualifier="SV",
    trace_originator="9877281234",
)
ROBERT = Inquiry(
    trace="93175-012547",
    member_id="11122333301",
    last="SMITH",
    first="ROBERT",
    dob=date(1943, 5, 19),
    service_date=date(2006, 5, 1),
)


def sample(name: str) -> bytes:
    path = SAMPLES / name
    assert path.is_file(), f"sample file missing: {path}"
    return path.read_bytes()


def guide_270(*inquiries: Inquiry, provider: Provider = GUIDE_CLINIC) -> str:
    return build_270(
        GUIDE_ENVELOPE,
        provider,
        GUIDE_PAYER,
        list(inquiries),
        interchange_control=907,
        group_control=1,
        created=CREATED,
        reference="10001234",
    )


def elements(text: str | bytes) -> list[tuple[str, ...]]:
    return [s.elements for s in tokenize(text).segments]


def between(rows: list[tuple[str, ...]], first: str, last: str) -> list[tuple[str, ...]]:
    """Rows after the ``first`` tag up to (not including) the ``last`` tag."""
    tags = [row[0] for row in rows]
    return rows[tags.index(first) + 1 : tags.index(last)]


# --------------------------------------------------------------------------
# against the samples


def test_subscriber_270_matches_sample_18_element_by_element() -> None:
    ours = elements(guide_270(ROBERT))
    theirs = elements(sample("270_5010_x12guide_subscriber.x12"))
    assert len(ours) == len(theirs) == 17
    # Envelope: every ISA and GS element, and the trailers, match.
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]
    assert ours[-2:] == theirs[-2:]
    # ST02 is our fixed "0001" (the sample uses 1234); the rest is equal.
    assert ours[2] == ("ST", "270", "0001", "005010X279A1")
    assert ours[3][:4] == theirs[3][:4] == ("BHT", "0022", "13", "10001234")
    assert between(ours, "BHT", "SE") == between(theirs, "BHT", "SE")
    assert ours[-3] == ("SE", "13", "0001")
    assert theirs[-3][1] == "13"


def test_dependent_270_matches_sample_19_element_by_element() -> None:
    doctor = Provider(
        npi="2000034",
        name="JONES",
        first="MARCUS",
        id_qualifier="SV",
        trace_originator="9877281234",
    )
    inquiry = Inquiry(
        trace="93175-012547",
        member_id="11122333301",
        dependent=Dependent(last="SMITH", first="MARY", dob=date(1978, 10, 14)),
        service_date=date(2006, 5, 1),
    )
    ours = elements(guide_270(inquiry, provider=doctor))
    theirs = elements(sample("270_5010_x12guide_dependent.x12"))
    assert len(ours) == len(theirs) == 19
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]
    assert between(ours, "BHT", "SE") == between(theirs, "BHT", "SE")
    assert ours[-3] == ("SE", "15", "0001")
    assert theirs[-3][1] == "15"
    assert ours[-2:] == theirs[-2:]


def test_same_structure_as_the_0x1d_sample() -> None:
    ours = [row[0] for row in elements(guide_270(ROBERT))]
    theirs = [row[0] for row in elements(sample("270_5010_oopfactory_segment_terminator_0x1D.x12"))]
    assert ours == theirs


# --------------------------------------------------------------------------
# envelope


def test_isa_is_fixed_width_106_characters() -> None:
    text = build_270(
        Envelope(sender_id="CLINIC01", receiver_id="CLEARINGHOUSE"),
        GUIDE_CLINIC,
        GUIDE_PAYER,
        [ROBERT],
        interchange_control=42,
        group_control=7,
        created=datetime(2024, 1, 5, 9, 30),
    )
    isa = text.split("\n", 1)[0]
    assert len(isa) == 106
    assert isa == (
        "ISA*00*          *00*          *ZZ*CLINIC01       *ZZ*CLEARINGHOUSE  "
        "*240105*0930*^*00501*000000042*0*T*:~"
    )
    fields = isa.rstrip("~").split("*")
    widths = [len(f) for f in fields[1:]]
    assert widths == [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
    rows = elements(text)
    assert rows[1] == (
        "GS", "HS", "CLINIC01", "CLEARINGHOUSE", "20240105", "0930", "7", "X", "005010X279A1",
    )  # fmt: skip
    assert rows[-2] == ("GE", "1", "7")
    assert rows[-1] == ("IEA", "1", "000000042")
    delimiters = tokenize(text).delimiters
    assert (delimiters.element, delimiters.repetition, delimiters.component) == ("*", "^", ":")
    assert delimiters.segment == "~"


def test_production_flag_and_single_line_output() -> None:
    text = build_270(
        replace(GUIDE_ENVELOPE, production=True),
        GUIDE_CLINIC,
        GUIDE_PAYER,
        [ROBERT],
        interchange_control=907,
        group_control=1,
        created=CREATED,
        reference="10001234",
        line_breaks=False,
    )
    assert "\n" not in text
    ours, baseline = elements(text), elements(guide_270(ROBERT))
    assert (ours[0][15], baseline[0][15]) == ("P", "T")
    assert ours[0][:15] == baseline[0][:15]
    assert ours[1:] == baseline[1:]


def test_default_reference_is_the_group_control_number() -> None:
    text = build_270(
        GUIDE_ENVELOPE, GUIDE_CLINIC, GUIDE_PAYER, [ROBERT],
        interchange_control=5, group_control=77, created=CREATED,
    )  # fmt: skip
    bht = elements(text)[3]
    assert bht == ("BHT", "0022", "13", "77", "20131031", "1147")


# --------------------------------------------------------------------------
# hierarchy with several inquiries


def test_several_inquiries_counts_and_hl_parent_links() -> None:
    bob = replace(ROBERT, trace="T2", member_id="M2", last="ROE", first="BOB", gender="M")
    child = Inquiry(
        trace="T3",
        member_id="M3",
        last="ROE",
        first="ANN",
        dependent=Dependent(last="ROE", first="KID", dob=date(2015, 2, 3), gender="F"),
        service_types=("30", "98"),
        service_date=date(2024, 1, 5),
    )
    text = guide_270(ROBERT, bob, child)
    segments = tokenize(text).segments
    [transaction] = split_transactions(segments)
    assert transaction.warnings == []  # SE, GE and IEA counts all agree
    se = transaction.segments[-1]
    assert int(se.get(1)) == len(transaction.segments)

    hls = [s for s in segments if s.tag == "HL"]
    assert [s.elements[1:] for s in hls] == [
        ("1", "", "20", "1"),
        ("2", "1", "21", "1"),
        ("3", "2", "22", "0"),
        ("4", "2", "22", "0"),
        ("5", "2", "22", "1"),
        ("6", "5", "23", "0"),
    ]
    traces = [s.elements[1:] for s in segments if s.tag == "TRN"]
    assert traces == [
        ("1", "93175-012547", "9877281234"),
        ("1", "T2", "9877281234"),
        ("1", "T3", "9877281234"),
    ]
    subscribers = [s.elements for s in segments if s.tag == "NM1" and s.get(1) == "IL"]
    assert subscribers[1] == ("NM1", "IL", "1", "ROE", "BOB", "", "", "", "MI", "M2")
    assert [s.elements for s in segments if s.tag == "DMG"] == [
        ("DMG", "D8", "19430519"),
        ("DMG", "D8", "19430519", "M"),
        ("DMG", "D8", "20150203", "F"),
    ]
    # The dependent's loop: TRN, NM1*03, DMG, DTP, one EQ per service type.
    tail = [s.elements for s in segments[segments.index(hls[-1]) + 1 : -3]]
    assert tail == [
        ("TRN", "1", "T3", "9877281234"),
        ("NM1", "03", "1", "ROE", "KID"),
        ("DMG", "D8", "20150203", "F"),
        ("DTP", "291", "D8", "20240105"),
        ("EQ", "30"),
        ("EQ", "98"),
    ]


def test_search_without_member_id_and_without_service_date() -> None:
    search = Inquiry(
        trace="T9", member_id="", last="DOE", first="JANE", dob=date(1980, 1, 1), service_date=None
    )
    rows = between(elements(guide_270(search)), "TRN", "SE")
    assert rows == [
        ("NM1", "IL", "1", "DOE", "JANE"),
        ("DMG", "D8", "19800101"),
        ("EQ", "30"),
    ]


def test_provider_as_organisation_with_npi_and_taxonomy() -> None:
    clinic = Provider(
        npi="1234567893", name="MAIN STREET CLINIC", taxonomy="207Q00000X", trace_originator="1"
    )
    rows = elements(guide_270(ROBERT, provider=clinic))
    tags = [row[0] for row in rows]
    nm1 = rows[tags.index("NM1", tags.index("NM1") + 1)]
    assert nm1 == ("NM1", "1P", "2", "MAIN STREET CLINIC", "", "", "", "", "XX", "1234567893")
    assert ("PRV", "PE", "PXC", "207Q00000X") in rows
    [transaction] = split_transactions(tokenize(guide_270(ROBERT, provider=clinic)).segments)
    assert transaction.warnings == []


# --------------------------------------------------------------------------
# refusals


@pytest.mark.parametrize(
    "change, message, field",
    [
        ({"last": "SMITH*JONES"}, r"last name 'SMITH\*JONES' contains '\*'", "last"),
        ({"first": "ROB~"}, "first name 'ROB~' contains '~'", "first"),
        ({"member_id": "A:1^2"}, "member ID 'A:1\\^2' contains '\\^' ':'", "member_id"),
        ({"member_id": "", "dob": None}, "needs the member ID", "member_id"),
    ],
)
def test_bad_patient_data_is_refused_in_staff_words(change: dict, message: str, field: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        guide_270(replace(ROBERT, **change))
    assert caught.value.field == field


@pytest.mark.parametrize(
    "change, message",
    [({"trace": " "}, "trace number"), ({"service_types": ()}, "no service type")],
)
def test_caller_mistakes_are_value_errors(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        guide_270(replace(ROBERT, **change))


def test_envelope_ids_longer_than_their_field_are_refused() -> None:
    with pytest.raises(InvalidInput, match="sender ID"):
        build_270(
            Envelope(sender_id="X" * 16, receiver_id="R"),
            GUIDE_CLINIC, GUIDE_PAYER, [ROBERT],
            interchange_control=1, group_control=1, created=CREATED,
        )  # fmt: skip


@pytest.mark.parametrize("number", [0, 1_000_000_000])
def test_control_numbers_must_fit_nine_digits(number: int) -> None:
    with pytest.raises(ValueError, match="interchange control number"):
        build_270(
            GUIDE_ENVELOPE, GUIDE_CLINIC, GUIDE_PAYER, [ROBERT],
            interchange_control=number, group_control=1, created=CREATED,
        )  # fmt: skip


def test_no_inquiries_or_no_trace_originator_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one inquiry"):
        guide_270()
    with pytest.raises(ValueError, match="trace originator"):
        guide_270(ROBERT, provider=replace(GUIDE_CLINIC, trace_originator=""))
