"""Golden tests: one per sample file in samples/, asserting SOURCES.md facts.

samples/ is a byte-for-byte copy of the project's shared/x12 corpus (with its
SOURCES.md, which names each file's origin and licence), kept in the repository
so a clean clone tests the same files. A missing file is a broken checkout, so
these tests fail rather than skip.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from frontdesk.x12 import Answer, Benefit, X12Error, parse_271, split_transactions, tokenize

SAMPLES = Path(__file__).resolve().parent / "samples"

GOLD_STCS = ["1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC"]


# --------------------------------------------------------------------------
# helpers


def read(name: str) -> bytes:
    path = SAMPLES / name
    assert SAMPLES.is_dir(), f"sample directory missing: {SAMPLES}"
    assert path.is_file(), f"sample file missing: {path}"
    return path.read_bytes()


def answer_of(name: str) -> Answer:
    answers = parse_271(read(name))
    assert len(answers) == 1, [a.to_json()["patient"] for a in answers]
    return answers[0]


def amounts(total: int | None, remaining: int | None, met: int | None) -> dict[str, int | None]:
    return {"total_cents": total, "remaining_cents": remaining, "met_cents": met}


NONE = amounts(None, None, None)


def accumulator(**buckets: tuple[int | None, int | None, int | None]) -> dict[str, Any]:
    """Full expected accumulator; keys like ``individual_in=(t, r, m)``."""
    result: dict[str, Any] = {
        level: {net: dict(NONE) for net in ("in", "out", "unspecified")}
        for level in ("individual", "family")
    }
    for key, values in buckets.items():
        level, network = key.split("_", 1)
        result[level][network] = amounts(*values)
    return result


EMPTY = accumulator()


def patient(last: str, first: str, dob: str | None, member_id: str, relationship: str) -> dict:
    return {
        "last": last,
        "first": first,
        "dob": dob,
        "member_id": member_id,
        "relationship": relationship,
    }


def benefits(answer: Answer, info: str) -> list[Benefit]:
    return [b for b in answer.benefits if b.info == info]


def rejection_tuples(answer: Answer) -> list[tuple[str, str, str, str]]:
    return [(r.loop, r.valid, r.code, r.follow_up_code) for r in answer.rejections]


def entity_names(benefit: Benefit) -> list[tuple[str, str]]:
    return [(e.party.last, e.party.first) for e in benefit.entities if e.party is not None]


def test_every_sample_file_has_a_golden_test() -> None:
    assert SAMPLES.is_dir(), f"sample directory missing: {SAMPLES}"
    on_disk = {p.name for p in SAMPLES.glob("*.x12")}
    tested = {
        value for value in globals().values() if isinstance(value, str) and value.endswith(".x12")
    }
    assert len(on_disk) == 20
    assert on_disk == tested


# --------------------------------------------------------------------------
# 271, 5010

F01 = "271_5010_x12guide_subscriber_active_copay_in_out_network.x12"
F02 = "271_5010_x12guide_dependent_active_copay.x12"
F03 = "271_5010_x12guide_aaa50_provider_ineligible_reject.x12"
F04 = "271_5010_oopfactory_aaa_every_level_bom_crlf_indented.x12"
F05 = "271_5010_oopfactory_aaa42_unable_to_respond.x12"
F06 = "271_5010_tigershark_medica_pipe_delims_crlf.x12"
F07 = "271_5010_nodex12_medicare_cms_deidentified.x12"
F08 = "271_5010_pokitdok_mockpayer_single_line.x12"
F09 = "271_5010_imsweb_minimal_active_mixed_versions.x12"
F10 = "271_4010_oopfactory_cms_hets_medicare_example.x12"
F11 = "271_4010_oopfactory_texas_medicaid_cr_terminator.x12"
F12 = "271_4010_oopfactory_inactive_dependent.x12"
F13 = "271_4010_tigershark_uhc_indemnity_deductible_met.x12"
F14 = "271_4010_tigershark_aetna_dependent_benefits.x12"
F15 = "271_4010_tigershark_hmo_copay_max_related_entities.x12"
F16 = "271_4010_tigershark_healthnet_aaa72_73_58_subscriber_reject.x12"
F17 = "271_4010_tigershark_anthem_aaa72_with_dependent.x12"
F18 = "270_5010_x12guide_subscriber.x12"
F19 = "270_5010_x12guide_dependent.x12"
F20 = "270_5010_oopfactory_segment_terminator_0x1D.x12"


def gold_copays() -> list[dict[str, Any]]:
    return [
        {
            "service_types": GOLD_STCS,
            "amount_cents": 1000,
            "network": "in",
            "per": "visit",
            "note": None,
        },
        {
            "service_types": GOLD_STCS,
            "amount_cents": 3000,
            "network": "out",
            "per": "visit",
            "note": None,
        },
    ]


def assert_gold_plan(answer: Answer) -> None:
    """Files 1, 2 and 4: the X279 guide's GOLD 123 PLAN benefits."""
    data = answer.to_json()
    assert data["plan"] == {"name": "GOLD 123 PLAN", "begin": "2006-01-01", "end": None}
    assert data["copays"] == gold_copays()
    assert data["coinsurance"] == []
    assert data["deductible"] == EMPTY
    assert data["out_of_pocket"] == EMPTY
    assert [b.service_types for b in benefits(answer, "1")] == [["30"], GOLD_STCS]
    assert {b.insurance_type for b in benefits(answer, "B")} == {"HM"}
    [pcp] = benefits(answer, "L")
    assert entity_names(pcp) == [("JONES", "MARCUS")]
    assert pcp.entities[0].party.id_qualifier == "SV"
    assert pcp.entities[0].party.id == "0202034"
    # Office visit (98): $10 in network is the co-pay to collect.
    assert [c.amount_cents for c in answer.office_visit_copays()] == [1000]


def test_01_subscriber_active_copay_in_out_network() -> None:
    answer = answer_of(F01)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "ABC COMPANY", "id": "841610001"}
    assert data["patient"] == patient("SMITH", "JOHN", "1963-05-19", "123456789", "subscriber")
    assert answer.patient.gender == "M"
    assert answer.provider.last == "BONE AND JOIN CLINIC"
    assert (answer.provider.id_qualifier, answer.provider.id) == ("SV", "2000035")
    assert data["trace"] == "93175-012547"
    assert data["rejections"] == []
    assert data["warnings"] == []
    assert_gold_plan(answer)


def test_02_dependent_active_copay() -> None:
    answer = answer_of(F02)  # exactly one answer: no subscriber-level benefits
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "ABC COMPANY", "id": "841610001"}
    # The dependent has no own ID: the subscriber's MI is the member ID.
    assert data["patient"] == patient("SMITH", "MARY", "1998-10-14", "123456789", "dependent")
    assert answer.patient.gender == "F"
    assert answer.relationship_code == "19"  # child
    assert data["trace"] == "93175-012547"
    assert data["rejections"] == []
    assert data["warnings"] == []
    assert_gold_plan(answer)


def test_03_provider_ineligible_rejection_without_subscriber() -> None:
    answer = answer_of(F03)
    data = answer.to_json()
    assert data["status"] == "rejected"
    assert data["payer"] == {"name": "ABC COMPANY", "id": "842610001"}
    assert data["patient"] == patient("", "", None, "", "subscriber")
    assert answer.provider.last == "BONE AND JOIN CLINIC"
    assert data["rejections"] == [
        {
            "loop": "2100B",
            "code": "50",
            "reason": "provider is not allowed to make eligibility inquiries",
            "follow_up": "do not resubmit; call the payer",
        }
    ]
    assert rejection_tuples(answer) == [("2100B", "Y", "50", "N")]
    assert data["copays"] == [] and data["coinsurance"] == []
    assert data["deductible"] == EMPTY and data["out_of_pocket"] == EMPTY
    assert data["plan"] == {"name": None, "begin": None, "end": None}
    # SE02 (4323) does not match ST02 (4321).
    assert len(data["warnings"]) == 1
    assert "4323" in data["warnings"][0]


def test_04_aaa_at_every_level_bom_crlf_tabs() -> None:
    raw = read(F04)
    assert raw.startswith(b"\xef\xbb\xbf")
    tokens = tokenize(raw)
    # ISA11 and ISA16 are both "^": repetition and component share it.
    assert tokens.delimiters.repetition == "^" == tokens.delimiters.component
    assert all("\t" not in s.tag and " " not in s.tag for s in tokens.segments)
    assert tokens.segments[0].get(6) == "SUBMITTERS.ID.."
    [transaction] = split_transactions(tokens.segments)
    assert transaction.group.get(1) == "XX"
    assert transaction.version == "005010X279"

    answer = answer_of(F04)
    data = answer.to_json()
    assert data["status"] == "rejected"  # flagged, never silently "active"
    assert data["payer"] == {"name": "ABC COMPANY", "id": "842610001"}
    assert data["patient"] == patient("SMITH", "JOHN", "1963-05-19", "123456789", "subscriber")
    provider = answer.provider
    assert (provider.last, provider.first, provider.middle) == ("Smith", "John", "M")
    assert (provider.id_qualifier, provider.id) == ("SV", "2000035")
    assert rejection_tuples(answer) == [
        ("2000A", "N", "80", "P"),
        ("2000A", "Y", "79", "N"),
        ("2100A", "Y", "79", "N"),
        ("2100A", "N", "80", "P"),
        ("2100B", "Y", "41", "C"),
        ("2100B", "N", "41", "C"),
        ("2100C", "Y", "42", "Y"),
        ("2110C", "N", "51", "N"),
        ("2110C", "Y", "60", "W"),
    ]
    assert data["rejections"][4]["follow_up"] == "correct and resubmit"
    assert data["rejections"][8]["follow_up"] == "wait 30 days, then resubmit"
    assert_gold_plan(answer)
    # The two 2110C AAAs sit under the first EB, with its 2120C entity.
    plan_line = benefits(answer, "1")[0]
    assert [r.code for r in plan_line.rejections] == ["51", "60"]
    assert entity_names(plan_line) == [("COVENTRY HEALTH AND LIFE INSURANCE", "")]
    assert [d.tag for d in plan_line.entities[0].details] == ["N3", "N4", "PER", "PRV"]
    [limit] = benefits(answer, "F")
    assert (limit.coverage_level, limit.service_types, limit.period) == ("IND", ["12"], "32")
    assert limit.authorization_required and limit.network == "N"
    # SE01 says 22, the transaction has 40 segments.
    assert data["warnings"] == [
        "transaction 4321: the SE trailer counts 22 segments but there are 40"
    ]


def test_05_aaa42_unable_to_respond() -> None:
    answer = answer_of(F05)
    data = answer.to_json()
    assert data["status"] == "rejected"
    assert data["payer"] == {"name": "BBBBB", "id": "00000"}
    assert data["patient"] == patient("BB", "BB", "2001-10-03", "BBBBB", "subscriber")
    assert answer.provider.last == "BBBBB"
    assert (answer.provider.id_qualifier, answer.provider.id) == ("XX", "000000000")
    assert data["rejections"] == [
        {
            "loop": "2100C",
            "code": "42",
            "reason": "the payer cannot answer right now",
            "follow_up": "retry later; resubmitting is allowed",
        }
    ]
    assert [b.info for b in answer.benefits] == ["P"]
    assert data["copays"] == [] and data["coinsurance"] == []
    assert data["deductible"] == EMPTY and data["out_of_pocket"] == EMPTY
    assert data["warnings"] == []


def test_06_medica_pipe_delimiters_epo() -> None:
    raw = read(F06)
    delimiters = tokenize(raw).delimiters
    assert (delimiters.element, delimiters.component, delimiters.repetition) == ("|", "^", "}")
    answer = answer_of(F06)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "MEDICA COM", "id": "123456789"}
    assert data["patient"] == patient("SMITH", "JOHN", "1943-08-13", "1234567899", "subscriber")
    assert answer.references == [
        ("18", "0404044", ""),
        ("6P", "030030001000120", "NEVADA EXCHANGE"),
    ]
    assert answer.relationship_code == "18"
    provider = answer.provider
    assert (provider.entity, provider.last, provider.first, provider.middle) == (
        "1P",
        "James",
        "Barraret",
        "J.",
    )
    assert provider.id == "1234567894"
    assert data["plan"] == {"name": "Open Access Elect Choice", "begin": "2016-02-01", "end": None}
    assert answer.reference_date == date(2016, 6, 1)  # DTP 472
    active = benefits(answer, "1")
    assert (active[0].coverage_level, active[0].insurance_type) == ("EMP", "EP")
    expected = ["1", "33", "47", "48", "50", "86", "98", "UC", "AL", "MH", "88"]
    assert active[1].service_types == expected
    # OOP: IND in network, total (no EB06) and remaining (29) both 2100.
    assert data["out_of_pocket"] == accumulator(individual_in=(210000, 210000, 0))
    assert data["deductible"] == EMPTY  # not returned: unknown, not $0
    assert [(c["service_types"], c["percent"], c["network"]) for c in data["coinsurance"]] == [
        (["33"], 0, "in"),
        (["86"], 0, "in"),
        (["98"], 10, "in"),
    ]
    assert "PRIMARY CARE VISIT OR EVALUATION" in data["coinsurance"][2]["note"]
    assert [
        (c["service_types"], c["amount_cents"], c["network"], c["per"]) for c in data["copays"]
    ] == [(["33"], 2000, "in", None)]
    # Office visit estimate inputs: 10 % coinsurance, no co-pay.
    assert [c.percent for c in answer.office_visit_coinsurance()] == [10]
    assert answer.office_visit_copays() == []
    # Chiropractic visit limits come through HSD.
    hsd = [(d.get(1), d.get(2), d.get(5)) for b in benefits(answer, "F") for d in b.details]
    assert hsd == [("VS", "35", "21"), ("VS", "35", "29")]
    not_covered = benefits(answer, "I")
    assert [(b.service_types, b.network) for b in not_covered] == [
        (["86"], "Y"),
        (["86", "UC"], "Y"),
        (["1", "33", "48", "50", "86", "98", "UC"], "N"),
    ]
    [other_source] = benefits(answer, "W")
    assert entity_names(other_source) == [("Mala Compania", "")]
    assert benefits(answer, "L")[0].messages == ["PCP SELECTION NOT REQUIRED"]
    assert data["trace"] == "434343434"
    assert data["rejections"] == []
    assert data["warnings"] == [
        "transaction 0001: the SE trailer counts 74 segments but there are 73"
    ]


def test_07_medicare_qmb_no_ge_iea() -> None:
    answer = answer_of(F07)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "CMS", "id": "CMS"}
    assert data["patient"] == patient(
        "SAMPLE", "PATIENT", "1950-01-01", "1EG4TE5MK73", "subscriber"
    )
    assert answer.provider.last == "SINAI HADASSAH MEDICAL ASSOCIATES"
    assert answer.reference_date == date(2019, 12, 30)  # DTP 307
    by_part = {b.insurance_type: b for b in benefits(answer, "1") if b.insurance_type}
    part_a, part_b = by_part["MA"], by_part["MB"]
    assert len(part_a.service_types) == 14
    assert {"30", "42", "45", "48", "69", "A5", "A7", "AG"} <= set(part_a.service_types)
    assert len(part_b.service_types) == 39
    assert {"30", "98", "86", "A4", "A6", "A8", "UC"} <= set(part_b.service_types)
    assert part_a.dates[0].first == part_b.dates[0].first == date(2015, 7, 1)
    assert any(b.service_types == ["88"] for b in benefits(answer, "1"))
    # QMB: 0 % coinsurance per visit, $0 Part B calendar-year deductible.
    assert data["coinsurance"] == [
        {"service_types": ["30"], "percent": 0, "network": None, "note": "Medicare Part B"}
    ]
    assert data["deductible"] == accumulator(individual_unspecified=(0, None, None))
    part_a_deductible = [b for b in benefits(answer, "C") if b.description == "Medicare Part A"]
    assert [(b.period, b.amount) for b in part_a_deductible] == [("26", "0")]
    assert data["out_of_pocket"] == EMPTY
    assert data["copays"] == []
    assert [b.service_types for b in benefits(answer, "I")] == [["41", "54"]]
    # Other payers: NJ QMB plan and Part D (SilverScript).
    qmb, part_d = answer.other_payers
    assert (qmb.insurance_type, qmb.description) == ("QM", "NJ QMB Plan")
    assert (part_d.service_types, part_d.insurance_type) == (["88"], "OT")
    assert ("18", "S5601", "") in part_d.references
    assert ("N6", "008", "SilverScript Choice") in part_d.references
    assert entity_names(part_d) == [("SILVERSCRIPT INSURANCE COMPANY", "")]
    assert all(b.network == "" for b in answer.benefits)
    # Only TRN*1 (the payer's own trace): nothing echoes our 270's trace.
    assert data["trace"] is None
    assert data["warnings"] == [
        "functional group 123456 has no GE trailer",
        "interchange 000031033 has no IEA trailer",
    ]


def test_08_pokitdok_single_line_deductible_table() -> None:
    raw = read(F08)
    assert b"\n" not in raw
    [transaction] = split_transactions(tokenize(raw).segments)
    assert transaction.group.get(8) == "" and transaction.header.get(3) == ""
    answer = answer_of(F08)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "MOCK PAYER INC", "id": "MOCKPAYER"}
    assert data["patient"] == patient("DOE", "JOHN", "1970-01-01", "00000000001", "subscriber")
    assert answer.references == [("6P", "088818801000013", "MOCK INDIVIDUAL ADVANTAGE PLAN")]
    assert data["plan"] == {"name": "Open Choice", "begin": "2013-02-15", "end": None}
    [plan_line] = benefits(answer, "1")
    assert (plan_line.coverage_level, plan_line.service_types, plan_line.insurance_type) == (
        "ESP",
        ["30", "98"],
        "PR",
    )
    assert [(c["amount_cents"], c["network"], c["per"]) for c in data["copays"]] == [
        (2000, "in", None),
        (3000, "both", None),
    ]
    assert data["copays"][0]["note"] == "PRIMARY OFFICE"
    assert "PRIME CARE VST" in data["copays"][1]["note"]
    assert "SPEC OFFICE" in data["copays"][1]["note"]
    # In-network coinsurance line present but EB08 empty: unknown, not 0.
    assert [(c["percent"], c["network"]) for c in data["coinsurance"]] == [
        (None, "in"),
        (50, "out"),
    ]
    assert data["deductible"] == accumulator(
        individual_in=(300000, 298357, 1643),
        individual_out=(600000, 598357, 1643),
        family_in=(600000, 595609, 4391),
        family_out=(1200000, 1195609, 4391),
    )
    assert data["out_of_pocket"] == accumulator(
        individual_in=(300000, 298357, 1643),
        individual_out=(1250000, 1248357, 1643),
        family_in=(600000, 595609, 4391),
        family_out=(2500000, 2495609, 4391),
    )
    deductible_totals = [b for b in benefits(answer, "C") if b.period == "23"]
    assert all(b.dates[0].first == date(2013, 1, 1) for b in deductible_totals)
    # Office visit: in-network $20 (PCP) first, then the W line ($30 specialist).
    assert [c.amount_cents for c in answer.office_visit_copays()] == [2000, 3000]
    assert data["rejections"] == []
    assert data["trace"] is None  # only a TRN*1
    assert data["warnings"] == []


def test_09_imsweb_mixed_versions_bad_counts() -> None:
    tokens = tokenize(read(F09))
    assert tokens.delimiters.repetition is None  # ISA12 00401, ISA11 "U"
    assert tokens.delimiters.component == ">"
    [transaction] = split_transactions(tokens.segments)
    assert transaction.group.get(8) == "004010X092A1"
    assert transaction.version == "005010X279A1"
    answer = answer_of(F09)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "ABC COMPANY", "id": "842610001"}
    assert data["patient"] == patient("SMITH", "JOHN", "1963-05-19", "123456789", "subscriber")
    assert answer.provider.last == "BONE AND JOINT CLINIC"
    assert data["plan"] == {"name": "GOLD 123 PLAN", "begin": "2006-01-01", "end": None}
    [plan_line] = answer.benefits
    assert plan_line.segment.elements[-1] == ""  # trailing empty elements kept
    assert entity_names(plan_line) == [("JONES", "MARCUS")]
    assert data["copays"] == [] and data["coinsurance"] == []
    assert data["deductible"] == EMPTY and data["out_of_pocket"] == EMPTY
    assert data["trace"] == "93175-012547"
    assert data["warnings"] == [
        "transaction 4321: the SE trailer counts 22 segments but there are 18",
        "interchange 000003438 ends with a different control number in its IEA trailer (000014420)",
    ]


# --------------------------------------------------------------------------
# 271, 4010


def test_10_cms_hets_medicare_past_inactive_period() -> None:
    tokens = tokenize(read(F10))
    assert tokens.delimiters.component == "|"
    answer = answer_of(F10)
    data = answer.to_json()
    # The EB*6 covers 2007-09 only; the service date is 2009-05-01.
    assert data["status"] == "active"
    assert answer.reference_date == date(2009, 5, 1)
    [inactive] = benefits(answer, "6")
    assert (inactive.dates[0].first, inactive.dates[0].last) == (
        date(2007, 9, 1),
        date(2007, 9, 30),
    )
    assert data["payer"] == {"name": "CMS", "id": "CMS"}
    assert data["patient"] == patient("LNAME", "FNAME", "1920-04-01", "HICN", "subscriber")
    assert answer.patient.middle == "MNAME"
    assert answer.patient.gender == "F"
    assert [b.insurance_type for b in benefits(answer, "1")] == ["MA", "MB"]
    [reserve] = benefits(answer, "K")
    assert (reserve.period, reserve.quantity_qualifier, reserve.quantity) == ("33", "LA", "60")
    # Part A current spell (47): deductible remaining $992, undated.
    spell = [b for b in benefits(answer, "C") if b.service_types == ["47"]]
    assert [(b.amount, bool(b.dates)) for b in spell] == [("992", False), ("0", True)]
    # For a physician office the Part B deductible (96) is the one shown: $0 left.
    assert data["deductible"] == accumulator(individual_unspecified=(None, 0, None))
    assert data["out_of_pocket"] == EMPTY
    # Current-spell co-pays; the dated 2008 spell is outside the service date.
    assert [(c["service_types"], c["amount_cents"], c["network"]) for c in data["copays"]] == [
        (["47"], 24800, None),
        (["AG"], 12400, None),
    ]
    vaccine = next(b for b in benefits(answer, "D") if b.insurance_type == "MB")
    assert vaccine.segment.components(13) == ["HC", "90669"]
    assert vaccine.dates[0].first == date(2009, 4, 6)
    smoking = next(b for b in benefits(answer, "F") if b.service_types == ["67"])
    assert (smoking.quantity_qualifier, smoking.quantity) == ("P6", "8")
    caps = [b.amount for b in benefits(answer, "F") if b.amount]
    assert caps == ["1840", "1840"]
    [blood] = [b for b in benefits(answer, "C") if b.service_types == ["10"]]
    assert (blood.quantity_qualifier, blood.quantity, blood.amount) == ("DB", "3", "")
    assert [b.service_types for b in benefits(answer, "X")] == [["45"], ["42"]]
    msp, advantage, part_d = answer.other_payers
    assert (msp.insurance_type, msp.references) == ("12", [("IG", "POLICYNUMBER", "")])
    assert (advantage.insurance_type, advantage.references) == ("HM", [("18", "PLANNUMBER", "")])
    assert (part_d.service_types, part_d.insurance_type) == (["88"], "OT")
    assert part_d.dates[0].first == date(2009, 7, 1)
    assert data["trace"] == "TRACKNUM"
    assert data["rejections"] == []
    assert data["warnings"] == []


def test_11_texas_medicaid_cr_terminator() -> None:
    raw = read(F11)
    assert b"~" not in raw
    tokens = tokenize(raw)
    assert tokens.delimiters.segment == "\r"
    assert all(not value.endswith(" ") for s in tokens.segments for value in s.elements[1:])
    answer = answer_of(F11)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "Texas Medicaid/Healthcare Services", "id": "617591011C21T"}
    assert data["patient"] == patient(
        "LASTNAME", "FIRSTNAME", "1985-02-01", "444115555", "subscriber"
    )
    assert answer.provider.last == "" and answer.provider.id == "1234567890"
    assert data["plan"]["name"] == "PLANABBVDE"
    others = answer.other_payers
    assert [b.description for b in others] == ["CC", "CC", "EE"]
    assert [b.references[0][1] for b in others] == ["G123456", "G123456", "G345678"]
    assert {b.references[0][2] for b in others} == {"EMPLOYERNAME"}
    assert [(b.dates[0].first, b.dates[1].first) for b in others] == [
        (date(2000, 5, 1), date(2000, 6, 1)),
        (date(2000, 5, 1), date(2000, 6, 1)),
        (date(2000, 7, 1), date(2000, 8, 1)),
    ]
    assert [entity_names(b) for b in others] == [
        [("INCOMPANYNAME", "")],
        [("LASTNAME", "FIRST")],
        [("LASTNAME", "THIRD")],
    ]
    assert others[0].entities[0].details[-1].elements[1:] == ("IC", "", "WP", "2145551212")
    assert data["copays"] == [] and data["coinsurance"] == []
    assert data["deductible"] == EMPTY and data["out_of_pocket"] == EMPTY
    assert data["trace"] == "109834652831"  # first TRN*2 of three TRNs
    assert data["rejections"] == []
    assert data["warnings"] == []


def test_12_inactive_dependent_105_byte_isa() -> None:
    raw = read(F12)
    body = raw[3:]  # after the BOM
    assert body.index(b"~") + 1 == 105
    tokens = tokenize(raw)
    isa = tokens.segments[0]
    assert isa.get(8) == "GXXXXX XXXXXX"
    assert isa.get(16) == ">"
    assert tokens.segments[1].offset == raw.index(b"GS*")
    answer = answer_of(F12)
    data = answer.to_json()
    assert data["status"] == "inactive"
    assert data["payer"]["id"] == "99999"
    assert data["patient"] == patient(
        "XXXXXXXX", "XXXXX", "1950-04-12", "XXX999X99999", "dependent"
    )
    assert answer.relationship_code == "01"  # spouse
    assert answer.references[0][:2] == ("6P", "999999X99X")
    assert [b.info for b in answer.benefits] == ["6", "P"]
    assert answer.benefits[0].service_types == ["30"]
    assert data["plan"] == {"name": None, "begin": None, "end": None}
    assert data["copays"] == [] and data["coinsurance"] == []
    assert data["deductible"] == EMPTY and data["out_of_pocket"] == EMPTY
    assert data["trace"] is None  # TRN*1 only
    assert data["rejections"] == []
    assert data["warnings"] == []


def test_13_uhc_indemnity_deductible_and_oop_met() -> None:
    answer = answer_of(F13)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "COMMERCIAL SAMPLE", "id": "44444"}
    assert data["patient"] == patient("DOE", "JANET", "1937-03-05", "111111111", "subscriber")
    assert answer.reference_date == date(2005, 2, 1)
    assert data["plan"]["name"] == "MANAGED INDEMNITY"
    assert entity_names(benefits(answer, "1")[0]) == [("UNITEDHEALTHCARE", "")]
    # Out of network every amount is an explicit 0, not missing.
    assert data["deductible"] == accumulator(
        individual_in=(11800, 0, 11800),
        individual_out=(0, 0, 0),
        family_in=(23600, 23600, 0),
        family_out=(0, 0, 0),
    )
    assert data["out_of_pocket"] == accumulator(
        individual_in=(150000, 0, 150000),
        individual_out=(0, 0, 0),
        family_in=(300000, 0, 302590),
        family_out=(0, 0, 0),
    )
    percents: dict[str, list[int]] = {}
    for entry in data["coinsurance"]:
        assert entry["network"] == "in"
        [code] = entry["service_types"]
        percents.setdefault(code, []).append(entry["percent"])
    ten = ["2", "4", "5", "7", "9", "13", "47", "48", "50", "52", "53", "60", "68", "81"]
    twenty = ["AE", "A4", "A6", "A8", "1", "12", "86", "96"]
    expected = {code: [10] for code in ten} | {code: [20] for code in twenty}
    expected |= {"AL": [100], "A7": [10], "98": [20, 20]}
    assert percents == expected
    office = answer.office_visit_coinsurance()
    assert [(c.percent, c.note) for c in office] == [
        (20, "OFFICE VISIT"),
        (20, "PRIMARY CARE PHYSICIAN"),
    ]
    assert {c["amount_cents"] for c in data["copays"]} == {0}
    assert {c["per"] for c in data["copays"]} == {"visit"}
    assert len(data["copays"]) == len(data["coinsurance"]) == 26  # 98 twice
    assert [b.service_types for b in benefits(answer, "I")] == [["35"], ["92"], ["91"], ["88"]]
    [other] = answer.other_payers
    assert entity_names(other) == [("MEDICARE", "")]
    [facility] = benefits(answer, "X")
    assert facility.entities[0].party.id == "1234567890"
    # Office visit share is $0: the individual OOP is met.
    assert data["out_of_pocket"]["individual"]["in"]["remaining_cents"] == 0
    assert data["trace"] == "51813246"
    assert data["rejections"] == []
    assert data["warnings"] == []


def test_14_aetna_dependent_benefits_in_2110d() -> None:
    answer = answer_of(F14)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "COMMERCIAL SAMPLE", "id": "44444"}
    assert data["patient"] == patient("DOE", "JANE", "1937-03-05", "111111111", "dependent")
    assert answer.reference_date == date(2012, 9, 28)  # DTP 472
    # Dependent's plan number first, then the subscriber's group.
    assert answer.references == [("18", "1234567", ""), ("6P", "11111", "ACME MEDICAL, INC")]
    assert answer.relationship_code == ""  # no INS segment
    assert data["plan"] == {"name": "Aetna Choice POS II", "begin": "2011-08-01", "end": None}
    [plan_line] = [b for b in benefits(answer, "1") if b.service_types == ["30"]]
    assert (plan_line.coverage_level, plan_line.insurance_type) == ("FAM", "PS")
    assert benefits(answer, "L")[0].messages == ["PCP SELECTION NOT REQUIRED"]
    [aetna] = benefits(answer, "W")
    assert entity_names(aetna) == [("Aetna", "")]
    assert data["deductible"] == accumulator(
        individual_unspecified=(20000, 7880, 12120),
        family_unspecified=(60000, 18689, 41311),
    )
    pap = [b.amount for b in benefits(answer, "C") if "PAP SMEAR" in b.messages]
    assert pap == ["600", "200"]
    assert data["out_of_pocket"] == accumulator(
        individual_out=(100000, 100000, 0),
        family_out=(300000, 300000, 0),
    )
    assert [(c["service_types"], c["percent"], c["network"]) for c in data["coinsurance"]] == [
        (["5"], 0, "in"),
        (["5"], 30, "out"),
    ]
    assert [(c["service_types"], c["amount_cents"], c["network"]) for c in data["copays"]] == [
        (["5"], 0, None)
    ]
    limits = [m for b in benefits(answer, "F") for m in b.messages]
    assert "PAP SMEAR /Plan Ded Waived" in limits
    assert "Plan Requires PreCert" in limits
    assert "Unlimited Lifetime Benefits" in limits
    assert "Self Funded" in limits
    # Office visit (98) data not returned.
    assert answer.office_visit_copays() == [] and answer.office_visit_coinsurance() == []
    assert data["trace"] == "51813246"
    assert data["rejections"] == []
    assert data["warnings"] == [
        "transaction 0001: the SE trailer counts 79 segments but there are 81",
        "functional group 410 ends with a different control number in its GE trailer (0931)",
        "interchange 000000418 ends with a different control number in its IEA trailer (000090132)",
    ]


def test_15_hmo_copay_maximum_and_related_entities() -> None:
    answer = answer_of(F15)
    data = answer.to_json()
    assert data["status"] == "active"
    assert data["payer"] == {"name": "COMMERCIAL SAMPLE", "id": "44444"}
    assert data["patient"] == patient("DOE", "JANE", "1937-03-05", "111111111", "dependent")
    assert ("6P", "55555G", "CEDARS-SINAI HEALTH SYSTEM") in answer.references
    # DTP 291 RD8 2012-01-01 to 9999-12-31: no end date.
    assert data["plan"] == {"name": "HMO CEDARS SINAI ONLY", "begin": "2012-01-01", "end": None}
    [plan_line] = benefits(answer, "1")
    assert (plan_line.coverage_level, plan_line.insurance_type) == ("ESP", "HM")
    # Co-pay maximums (EB*G): the first family pair is the two-party one.
    assert data["out_of_pocket"] == accumulator(
        individual_in=(50000, 46000, 4000),
        family_in=(100000, 87000, 13000),
    )
    family = [(b.period, b.amount) for b in benefits(answer, "G") if b.coverage_level == "FAM"]
    assert family == [("23", "1000"), ("29", "870"), ("23", "1500"), ("29", "1370")]
    assert data["deductible"] == EMPTY
    assert data["coinsurance"] == []
    assert [
        (c["service_types"], c["amount_cents"], c["network"], c["per"]) for c in data["copays"]
    ] == [
        (["5"], 0, "in", "episode"),
        (["5"], 0, "in", "visit"),
        (["5"], 2000, "in", "visit"),
    ]
    assert data["copays"][0]["note"] == "FETAL GENETIC"
    assert "ALLERGY TESTING" in data["copays"][2]["note"]
    assert [(b.service_types, b.network) for b in benefits(answer, "I")] == [(["5"], "N")]
    [restricted] = benefits(answer, "N")
    [entity] = restricted.entities
    assert entity.party is None  # the 2120 loop starts with N3, no NM1
    assert [d.tag for d in entity.details] == ["N3", "N4", "PER"]
    assert restricted.dates[0].qualifier == "295"
    [pcp] = benefits(answer, "L")
    assert pcp.entities[0].party.entity == "36"
    assert entity_names(pcp) == [("EMPLOYER", "")]
    assert len(benefits(answer, "P")) == 1
    assert data["trace"] == "51813246"
    assert data["rejections"] == []
    assert data["warnings"] == [
        "transaction 0001: the SE trailer counts 77 segments but there are 62"
    ]


def test_16_healthnet_subscriber_rejected_72_73_58() -> None:
    answer = answer_of(F16)
    data = answer.to_json()
    assert data["status"] == "rejected"
    assert data["payer"] == {"name": "Health Net Inc", "id": "10385"}
    assert data["patient"] == patient("", "", None, "R11111111", "subscriber")
    assert answer.provider.last == "DR. ACULA"
    assert rejection_tuples(answer) == [
        ("2100C", "N", "72", "C"),
        ("2100C", "N", "73", "C"),
        ("2100C", "N", "73", "C"),
        ("2100C", "N", "58", "C"),
    ]
    assert {r["follow_up"] for r in data["rejections"]} == {"correct and resubmit"}
    assert data["rejections"][0]["reason"] == "member ID missing or not valid"
    assert data["rejections"][3]["reason"] == "date of birth missing or not valid"
    assert answer.benefits == []
    assert data["plan"] == {"name": None, "begin": None, "end": None}
    assert data["copays"] == [] and data["coinsurance"] == []
    assert data["deductible"] == EMPTY and data["out_of_pocket"] == EMPTY
    assert data["warnings"] == []


def test_17_anthem_rejection_with_dependent() -> None:
    answer = answer_of(F17)  # one answer, for the dependent
    data = answer.to_json()
    assert data["status"] == "rejected"
    assert data["payer"] == {"name": "ANTHEM BLUE CROSS", "id": "10319"}
    assert data["patient"] == patient("DOE", "JANE", "1981-08-10", "R11111111", "dependent")
    assert answer.provider.last == "DR. SPACEMAN"
    assert data["rejections"] == [
        {
            "loop": "2100C",
            "code": "72",
            "reason": "member ID missing or not valid",
            "follow_up": "do not resubmit; call the payer",
        }
    ]
    assert rejection_tuples(answer) == [("2100C", "Y", "72", "N")]
    assert answer.benefits == []
    assert data["copays"] == [] and data["coinsurance"] == []
    assert data["deductible"] == EMPTY and data["out_of_pocket"] == EMPTY
    assert data["warnings"] == []


# --------------------------------------------------------------------------
# 270 requests (the writer's structural reference)


def elements(raw: bytes) -> list[tuple[str, ...]]:
    return [s.elements for s in tokenize(raw).segments]


def test_18_270_subscriber() -> None:
    raw = read(F18)
    tokens = tokenize(raw)
    segments = tokens.segments
    isa = segments[0]
    assert raw.index(b"~") + 1 == 106
    assert isa.elements[1:5] == ("03", "9876543210", "01", "9876543210")
    assert isa.elements[5:9] == ("30", "000000005", "30", "12345")
    assert isa.elements[11:17] == ("^", "00501", "000000907", "1", "T", ":")
    assert segments[1].elements == (
        "GS", "HS", "000000005", "54321", "20131031", "1147", "1", "X", "005010X279A1",
    )  # fmt: skip
    assert elements(raw)[3:14] == [
        ("BHT", "0022", "13", "10001234", "20060501", "1319"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", "ABC COMPANY", "", "", "", "", "PI", "842610001"),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "1P", "2", "BONE AND JOINT CLINIC", "", "", "", "", "SV", "2000035"),
        ("HL", "3", "2", "22", "0"),
        ("TRN", "1", "93175-012547", "9877281234"),
        ("NM1", "IL", "1", "SMITH", "ROBERT", "", "", "", "MI", "11122333301"),
        ("DMG", "D8", "19430519"),
        ("DTP", "291", "D8", "20060501"),
        ("EQ", "30"),
    ]
    [transaction] = split_transactions(segments)
    assert transaction.set_id == "270"
    assert transaction.segments[-1].elements == ("SE", "13", "1234")
    assert transaction.warnings == []


def test_19_270_dependent() -> None:
    raw = read(F19)
    assert elements(raw)[7:17] == [
        ("NM1", "1P", "1", "JONES", "MARCUS", "", "", "", "SV", "2000034"),
        ("HL", "3", "2", "22", "1"),
        ("NM1", "IL", "1", "", "", "", "", "", "MI", "11122333301"),
        ("HL", "4", "3", "23", "0"),
        ("TRN", "1", "93175-012547", "9877281234"),
        ("NM1", "03", "1", "SMITH", "MARY"),
        ("DMG", "D8", "19781014"),
        ("DTP", "291", "D8", "20060501"),
        ("EQ", "30"),
        ("SE", "15", "1234"),
    ]
    [transaction] = split_transactions(tokenize(raw).segments)
    assert transaction.warnings == []


def test_20_270_0x1d_terminator() -> None:
    raw = read(F20)
    tokens = tokenize(raw)
    delimiters = tokens.delimiters
    assert (delimiters.segment, delimiters.component, delimiters.repetition) == ("\x1d", ":", None)
    isa = tokens.segments[0]
    assert (isa.get(5), isa.get(7), isa.get(12)) == ("01", "01", "00401")
    tags = [s.tag for s in tokens.segments]
    assert tags == [
        "ISA", "GS", "ST", "BHT", "HL", "NM1", "HL", "NM1", "HL",
        "TRN", "NM1", "DMG", "DTP", "EQ", "SE", "GE", "IEA",
    ]  # fmt: skip
    [transaction] = split_transactions(tokens.segments)
    assert transaction.version == "005010X279"
    assert transaction.warnings == []
    by_tag = {s.tag: s.elements for s in tokens.segments}
    assert by_tag["NM1"] == ("NM1", "IL", "1", "SMITH", "ROBERT", "", "", "", "MI", "11122333301")
    assert by_tag["EQ"] == ("EQ", "30")
    # A 270 handed to the 271 reader is refused with a plain explanation.
    with pytest.raises(
        X12Error, match=r"holds a 270 transaction .* not an eligibility response \(271\)"
    ):
        parse_271(raw)
