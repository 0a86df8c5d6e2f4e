"""`frontdesk eligibility request|import|parse` as scripts and cron run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from frontdesk import cli, db, schedule
from frontdesk.eligibility import Eligibility271File, EligibilityRequest, Verification
from frontdesk.x12 import Envelope, Payer, Provider, parse_271
from frontdesk.x12.response import Reply, build_271
from tests.conftest import TODAY

SAMPLES = Path(__file__).resolve().parent / "x12" / "samples"
TOMORROW = TODAY + timedelta(days=1)

CONFIG = """
practice_name = "Main Street Clinic"
practice_npi = "1234567893"
x12_submitter_id = "CLINIC01"
x12_receiver_id = "CLEARHOUSE"
x12_trace_originator = "1043219876"
"""


@pytest.fixture
def configured(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("FRONTDESK_CONFIG", str(path))
    return path


@pytest.fixture
def booked(clinic, database):
    schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                  by=clinic.desk)
    return clinic


def _reopen(database: Path) -> None:
    """cli.main closes the database when it is done; the test looks at it afterwards."""
    db.open_database(database)


# -- parse: the exact JSON of the issue, on every sample ------------------------------

NO_AMOUNTS = {"total_cents": None, "remaining_cents": None, "met_cents": None}


def _amounts(total, remaining, met=None):
    return {"total_cents": total, "remaining_cents": remaining, "met_cents": met}


# What SOURCES.md says of each 271 sample: status, payer (name, id), patient (last, first,
# dob, member id, relationship), plan name, the AAA codes, and a few figures by path.
FACTS = {
    "271_5010_x12guide_subscriber_active_copay_in_out_network.x12": (
        "active", ("ABC COMPANY", "841610001"),
        ("SMITH", "JOHN", "1963-05-19", "123456789", "subscriber"), "GOLD 123 PLAN", [],
        {"plan.begin": "2006-01-01", "deductible.individual.in": NO_AMOUNTS,
         "copay98": {("in", 1000), ("out", 3000)}}),
    "271_5010_x12guide_dependent_active_copay.x12": (
        "active", ("ABC COMPANY", "841610001"),
        ("SMITH", "MARY", "1998-10-14", "123456789", "dependent"), "GOLD 123 PLAN", [],
        {"copay98": {("in", 1000), ("out", 3000)}}),
    "271_5010_x12guide_aaa50_provider_ineligible_reject.x12": (
        "rejected", ("ABC COMPANY", "842610001"), ("", "", None, "", "subscriber"), None,
        ["50"], {"rejections.0.loop": "2100B",
                 "rejections.0.follow_up": "do not resubmit; call the payer"}),
    "271_5010_oopfactory_aaa_every_level_bom_crlf_indented.x12": (
        "rejected", ("ABC COMPANY", "842610001"),
        ("SMITH", "JOHN", "1963-05-19", "123456789", "subscriber"), "GOLD 123 PLAN",
        ["80", "79", "79", "80", "41", "41", "42", "51", "60"],
        {"rejections.6.loop": "2100C", "rejections.8.loop": "2110C"}),
    "271_5010_oopfactory_aaa42_unable_to_respond.x12": (
        "rejected", ("BBBBB", "00000"), ("BB", "BB", "2001-10-03", "BBBBB", "subscriber"), None,
        ["42"], {"rejections.0.follow_up": "retry later; resubmitting is allowed"}),
    "271_5010_tigershark_medica_pipe_delims_crlf.x12": (
        "active", ("MEDICA COM", "123456789"),
        ("SMITH", "JOHN", "1943-08-13", "1234567899", "subscriber"), "Open Access Elect Choice",
        [], {"plan.begin": "2016-02-01", "deductible.individual.in": NO_AMOUNTS,
             "out_of_pocket.individual.in": _amounts(210000, 210000, 0),
             "coinsurance98": {("in", 10)}}),
    "271_5010_nodex12_medicare_cms_deidentified.x12": (
        "active", ("CMS", "CMS"),
        ("SAMPLE", "PATIENT", "1950-01-01", "1EG4TE5MK73", "subscriber"), None, [],
        {"coinsurance30": {(None, 0)}}),
    "271_5010_pokitdok_mockpayer_single_line.x12": (
        "active", ("MOCK PAYER INC", "MOCKPAYER"),
        ("DOE", "JOHN", "1970-01-01", "00000000001", "subscriber"), "Open Choice", [],
        {"plan.begin": "2013-02-15", "copay98": {("in", 2000), ("both", 3000)},
         "coinsurance98": {("in", None), ("out", 50)},
         "deductible.individual.in": _amounts(300000, 298357, 1643),
         "deductible.individual.out": _amounts(600000, 598357, 1643),
         "deductible.family.in": _amounts(600000, 595609, 4391),
         "out_of_pocket.individual.out": _amounts(1250000, 1248357, 1643)}),
    "271_5010_imsweb_minimal_active_mixed_versions.x12": (
        "active", ("ABC COMPANY", "842610001"),
        ("SMITH", "JOHN", "1963-05-19", "123456789", "subscriber"), "GOLD 123 PLAN", [],
        {"plan.begin": "2006-01-01", "deductible.individual.in": NO_AMOUNTS}),
    "271_4010_oopfactory_cms_hets_medicare_example.x12": (
        "active", ("CMS", "CMS"), ("LNAME", "FNAME", "1920-04-01", "HICN", "subscriber"),
        None, [], {}),
    "271_4010_oopfactory_texas_medicaid_cr_terminator.x12": (
        "active", ("Texas Medicaid/Healthcare Services", "617591011C21T"),
        ("LASTNAME", "FIRSTNAME", "1985-02-01", "444115555", "subscriber"), "PLANABBVDE", [],
        {"deductible.individual.in": NO_AMOUNTS}),
    "271_4010_oopfactory_inactive_dependent.x12": (
        "inactive", ("XXXX XXXXX XXXX XXXXXX XX XXXXXXX", "99999"),
        ("XXXXXXXX", "XXXXX", "1950-04-12", "XXX999X99999", "dependent"), None, [], {}),
    "271_4010_tigershark_uhc_indemnity_deductible_met.x12": (
        "active", ("COMMERCIAL SAMPLE", "44444"),
        ("DOE", "JANET", "1937-03-05", "111111111", "subscriber"), "MANAGED INDEMNITY", [],
        {"deductible.individual.in": _amounts(11800, 0, 11800),
         "out_of_pocket.individual.in": _amounts(150000, 0, 150000),
         "deductible.individual.out": _amounts(0, 0, 0),
         "copay98": {("in", 0)}, "coinsurance98": {("in", 20)}}),
    "271_4010_tigershark_aetna_dependent_benefits.x12": (
        "active", ("COMMERCIAL SAMPLE", "44444"),
        ("DOE", "JANE", "1937-03-05", "111111111", "dependent"), "Aetna Choice POS II", [],
        {"plan.begin": "2011-08-01",
         "deductible.individual.unspecified": _amounts(20000, 7880, 12120),
         "deductible.family.unspecified": _amounts(60000, 18689, 41311),
         "out_of_pocket.individual.out": _amounts(100000, 100000, 0),
         "out_of_pocket.individual.in": NO_AMOUNTS}),
    "271_4010_tigershark_hmo_copay_max_related_entities.x12": (
        "active", ("COMMERCIAL SAMPLE", "44444"),
        ("DOE", "JANE", "1937-03-05", "111111111", "dependent"), "HMO CEDARS SINAI ONLY", [],
        {"out_of_pocket.individual.in": _amounts(50000, 46000, 4000),
         "deductible.individual.in": NO_AMOUNTS}),
    "271_4010_tigershark_healthnet_aaa72_73_58_subscriber_reject.x12": (
        "rejected", ("Health Net Inc", "10385"), ("", "", None, "R11111111", "subscriber"), None,
        ["72", "73", "73", "58"], {"rejections.3.follow_up": "correct and resubmit",
                                   "rejections.0.reason": "member ID missing or not valid"}),
    "271_4010_tigershark_anthem_aaa72_with_dependent.x12": (
        "rejected", ("ANTHEM BLUE CROSS", "10319"),
        ("DOE", "JANE", "1981-08-10", "R11111111", "dependent"), None, ["72"],
        {"rejections.0.follow_up": "do not resubmit; call the payer"}),
}


def _at(data: dict, path: str):
    for part in path.split("."):
        data = data[int(part)] if part.isdigit() else data[part]
    return data


def _lines(entries: list[dict], key: str, service_type: str) -> set:
    return {(e["network"], e[key]) for e in entries if service_type in e["service_types"]}


def test_every_271_sample_has_its_facts_here() -> None:
    assert set(FACTS) == {p.name for p in SAMPLES.glob("271_*.x12")}
    assert len(FACTS) == 17


@pytest.mark.parametrize("name", sorted(FACTS))
def test_parse_json_prints_the_issues_shape_with_the_facts_of_sources(name, capsys) -> None:
    assert cli.main(["eligibility", "parse", str(SAMPLES / name), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == [a.to_json() for a in parse_271((SAMPLES / name).read_bytes())]
    (answer,) = printed
    assert set(answer) == {"status", "payer", "patient", "plan", "rejections", "copays",
                           "coinsurance", "deductible", "out_of_pocket", "trace", "warnings"}
    status, payer, patient, plan, rejected, figures = FACTS[name]
    assert answer["status"] == status
    assert (answer["payer"]["name"], answer["payer"]["id"]) == payer
    assert tuple(answer["patient"][k] for k in ("last", "first", "dob", "member_id",
                                                "relationship")) == patient
    assert answer["plan"]["name"] == plan
    assert [r["code"] for r in answer["rejections"]] == rejected
    for path, expected in figures.items():
        if path.startswith(("copay", "coinsurance")):
            kind, service_type = path.rstrip("0123456789"), path.lstrip("copaycoinsurance")
            key = "amount_cents" if kind == "copay" else "percent"
            listed = answer["copays"] if kind == "copay" else answer["coinsurance"]
            assert _lines(listed, key, service_type) >= expected, path
        else:
            assert _at(answer, path) == expected, path


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("270_*.x12")))
def test_parse_refuses_a_request_file_saying_what_it_is(name, capsys) -> None:
    assert cli.main(["eligibility", "parse", str(SAMPLES / name), "--json"]) == 1
    assert "holds a 270 transaction" in capsys.readouterr().err


def test_parse_in_words_for_people(capsys) -> None:
    name = "271_5010_pokitdok_mockpayer_single_line.x12"
    assert cli.main(["eligibility", "parse", str(SAMPLES / name)]) == 0
    out = capsys.readouterr().out
    assert "ACTIVE with MOCK PAYER INC (MOCKPAYER), plan Open Choice" in out
    assert "office copay $20.00 (PRIMARY OFFICE)" in out
    assert "deductible $3,000.00, remaining $2,983.57" in out


def test_the_installed_command_parses_without_a_database(tmp_path) -> None:
    name = "271_4010_tigershark_healthnet_aaa72_73_58_subscriber_reject.x12"
    result = subprocess.run([sys.executable, "-m", "frontdesk", "eligibility", "parse",
                             str(SAMPLES / name), "--json"], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path, env={**os.environ,
                                                           "FRONTDESK_DB": str(tmp_path / "x")})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["rejections"][0]["reason"] == \
        "member ID missing or not valid"
    assert not (tmp_path / "x").exists()


# -- request and import ---------------------------------------------------------------


def test_request_writes_the_270_and_says_what_it_asked(booked, database, configured,
                                                       tmp_path, capsys) -> None:
    out = tmp_path / "out" / "tomorrow.x12"
    out.parent.mkdir()
    code = cli.main(["eligibility", "request", "--db", str(database), "--date", "tomorrow",
                     "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert printed.out.startswith(f"Wrote {out}: 1 coverage for Wed, Dec 2, 2026, asking Aetna")
    assert out.read_text().startswith("ISA*00*")
    _reopen(database)
    request = EligibilityRequest.get()
    assert request.made_by_id is None  # the command line; the audit names the OS user
    assert cli.main(["eligibility", "request", "--db", str(database), "--mrn",
                     booked.maria.mrn, "--out", str(out), "--as", "desk"]) == 0
    _reopen(database)
    assert EligibilityRequest.select().count() == 2
    assert EligibilityRequest.select().order_by(EligibilityRequest.id.desc()).get() \
        .made_by_id == booked.desk.id


def test_request_without_the_clearinghouse_ids_exits_2_naming_them(booked, database, tmp_path,
                                                                   capsys) -> None:
    code = cli.main(["eligibility", "request", "--db", str(database), "--date", "tomorrow",
                     "--out", str(tmp_path / "x.x12")])
    assert code == 2
    err = capsys.readouterr().err
    assert "config.toml has no x12_submitter_id, x12_receiver_id, practice_npi, " \
           "x12_trace_originator" in err
    assert not (tmp_path / "x.x12").exists()


def test_import_prints_each_answer_and_exits_1_when_a_file_is_refused(booked, database,
                                                                      configured, tmp_path,
                                                                      capsys) -> None:
    out = tmp_path / "asked.x12"
    assert cli.main(["eligibility", "request", "--db", str(database), "--date", "tomorrow",
                     "--out", str(out)]) == 0
    _reopen(database)
    trace = EligibilityRequest.get().trace
    db.close_database()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    answer = build_271(Envelope("CLEARHOUSE", "CLINIC01"), Payer("AETNA", "60054"),
                       Provider("1234567893", "MAIN STREET CLINIC"),
                       [Reply(trace, "W123456789", "GARCIA", "MARIA", date(1980, 3, 4),
                              rejection=("73", "C"))],
                       interchange_control=9, group_control=9,
                       created=datetime(2026, 12, 1, 10, 0))
    (downloads / "answer.271").write_text(answer)
    capsys.readouterr()
    assert cli.main(["eligibility", "import", "--db", str(database), str(downloads)]) == 0
    out_text = capsys.readouterr().out
    assert ("García, María (MRN " in out_text
            and "Aetna: rejected: subscriber name missing or not valid; correct and resubmit "
                "[by trace]" in out_text)
    assert out_text.rstrip().endswith("1 file imported, 1 answer recorded, 1 rejected.")
    (downloads / "broken.txt").write_text("ISA*00*  this is not finished")
    assert cli.main(["eligibility", "import", "--db", str(database), str(downloads)]) == 1
    out_text = capsys.readouterr().out
    assert "answer.271: already imported on 12/01/2026" in out_text
    assert "broken.txt: refused. The file is cut off or damaged" in out_text
    _reopen(database)
    assert Verification.select().count() == 1 and Eligibility271File.select().count() == 1


def test_import_of_nothing_importable_says_so(database, tmp_path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["eligibility", "import", "--db", str(database), str(empty)]) == 1
    assert "no 271 files there" in capsys.readouterr().err


def test_days_goes_with_a_date_not_a_patient(database, tmp_path, capsys) -> None:
    code = cli.main(["eligibility", "request", "--db", str(database), "--mrn", "100001",
                     "--days", "3", "--out", str(tmp_path / "x.x12")])
    assert code == 2
    assert "--days goes with --date" in capsys.readouterr().err
