"""The clearinghouse: 270 requests written and read back, 271 answers imported."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from frontdesk import audit, clearinghouse, config, counters, insurance, schedule
from frontdesk.eligibility import Eligibility271File, EligibilityRequest, Verification
from frontdesk.errors import ConfigError, Conflict, InvalidInput
from frontdesk.x12 import Envelope, Payer, Provider, split_transactions, tokenize
from frontdesk.x12.response import Reply, build_271
from tests.conftest import TODAY

SAMPLES = Path(__file__).resolve().parent / "x12" / "samples"
TOMORROW = TODAY + timedelta(days=1)
PRACTICE_NPI = "1234567893"


@pytest.fixture
def ready(clinic, clinic_settings):
    """The clinic with its clearinghouse IDs set, and Maria booked tomorrow."""
    config.use(replace(clinic_settings, x12_submitter_id="CLINIC01",
                       x12_receiver_id="CLEARHOUSE", practice_name="Main Street Clinic",
                       practice_npi=PRACTICE_NPI, x12_trace_originator="1043219876"))
    schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                  by=clinic.desk)
    return clinic


def rows(text: str) -> list[tuple[str, ...]]:
    return [segment.elements for segment in tokenize(text).segments]


def _outbox(tmp_path: Path) -> Path:
    """A folder of its own: the test's database sits in tmp_path."""
    folder = tmp_path / "outbox"
    folder.mkdir(exist_ok=True)
    return folder


def _write(tmp_path: Path, clinic, name: str = "out.x12") -> clearinghouse.Written:
    targets = clearinghouse.targets_for_days(TODAY, TOMORROW)
    return clearinghouse.write_270(targets, _outbox(tmp_path) / name, by=clinic.desk)


def _answer(replies: list[Reply], control: int = 1) -> bytes:
    return build_271(Envelope("CLEARHOUSE", "CLINIC01"), Payer("AETNA", "60054"),
                     Provider(PRACTICE_NPI, "MAIN STREET CLINIC"), replies,
                     interchange_control=control, group_control=control,
                     created=datetime(2026, 12, 1, 10, 0)).encode()


def _maria_reply(trace: str, **changes) -> Reply:
    fields = dict(trace=trace, member_id="W123456789", last="GARCIA", first="MARIA",
                  dob=date(1980, 3, 4), plan_name="OPEN ACCESS", office_copay_cents=2500,
                  specialist_copay_cents=6000, deductible_total_cents=150000,
                  deductible_remaining_cents=40000, coinsurance_percent=20,
                  oop_max_cents=500000, oop_remaining_cents=320000)
    return Reply(**{**fields, **changes})


# -- the 270 ------------------------------------------------------------------------


def test_the_270_reads_back_element_by_element_in_the_guides_structure(ready, tmp_path) -> None:
    written = _write(tmp_path, ready)
    text = written.path.read_text(encoding="ascii")
    got = rows(text)
    (trace,) = written.traces
    isa = got[0]
    assert isa == ("ISA", "00", "", "00", "", "ZZ", "CLINIC01", "ZZ", "CLEARHOUSE", "261201",
                   "1020", "^", "00501", f"{written.interchange_control:09d}", "0", "T", ":")
    # Fixed width, as receivers read it by position (the reader trims the padding).
    raw_isa = text.split("\n", 1)[0]
    assert len(raw_isa) == 106
    assert [len(f) for f in raw_isa.rstrip("~").split("*")[1:]] == [
        2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
    group = got[1][6]
    st02 = got[2][2]
    assert got[1:] == [
        ("GS", "HS", "CLINIC01", "CLEARHOUSE", "20261201", "1020", group, "X", "005010X279A1"),
        ("ST", "270", st02, "005010X279A1"),
        ("BHT", "0022", "13", group, "20261201", "1020"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", "AETNA", "", "", "", "", "PI", "60054"),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "1P", "2", "MAIN STREET CLINIC", "", "", "", "", "XX", PRACTICE_NPI),
        ("HL", "3", "2", "22", "0"),
        ("TRN", "1", trace, "1043219876"),
        # Accents go as the plain letters payers' systems read.
        ("NM1", "IL", "1", "GARCIA", "MARIA", "", "", "", "MI", "W123456789"),
        ("DMG", "D8", "19800304", "F"),
        ("DTP", "291", "D8", "20261202"),
        ("EQ", "30"),
        ("SE", "13", st02),
        ("GE", "1", group),
        ("IEA", "1", f"{written.interchange_control:09d}"),
    ]
    # The same segments, in the same order, as the X279 guide's own subscriber request.
    guide = rows((SAMPLES / "270_5010_x12guide_subscriber.x12").read_bytes())
    assert [row[0] for row in got] == [row[0] for row in guide]
    (transaction,) = split_transactions(tokenize(text).segments)
    assert transaction.warnings == []
    request = EligibilityRequest.get(EligibilityRequest.trace == trace)
    assert (request.coverage.patient_id, request.service_date) == (ready.maria.id, TOMORROW)
    assert request.interchange_control == written.interchange_control
    assert request.file_path == str(written.path.resolve())
    assert request.appointment_id is not None and request.made_by_id == ready.desk.id


def test_control_and_trace_numbers_never_repeat_across_runs(ready, tmp_path) -> None:
    first = _write(tmp_path, ready, "first.x12")
    second = _write(tmp_path, ready, "second.x12")
    assert first.interchange_control != second.interchange_control
    assert set(first.traces).isdisjoint(second.traces)
    envelopes = [rows(w.path.read_text())[:3] for w in (first, second)]
    assert envelopes[0][1][6] != envelopes[1][1][6]  # GS06
    assert envelopes[0][2][2] != envelopes[1][2][2]  # ST02
    requests = list(EligibilityRequest.select().order_by(EligibilityRequest.id))
    assert len({r.trace for r in requests}) == len(requests) == 2
    assert {c.name for c in counters.Counter.select()} >= {
        "x12.interchange", "x12.group", "x12.transaction", "x12.trace"}


def test_one_file_asks_each_payer_in_its_own_transaction(ready, tmp_path) -> None:
    cigna = insurance.add_payer("Cigna", "62308", by=ready.admin)
    insurance.add_coverage(ready.john, cigna, plan_type="EPO", member_id="U5550001",
                           effective_on=date(2024, 1, 1), by=ready.desk)
    schedule.book(ready.john, ready.kim, ready.follow_up, TODAY, time(15), by=ready.desk)
    written = _write(tmp_path, ready)
    assert written.payers == ("Cigna", "Aetna") and written.inquiries == 2
    transactions = split_transactions(tokenize(written.path.read_text()).segments)
    assert [t.set_id for t in transactions] == ["270", "270"]
    assert all(t.warnings == [] for t in transactions)  # SE and GE counts agree
    assert len({t.control_number for t in transactions}) == 2
    payers = [[s.elements[3] for s in t.segments if s.tag == "NM1" and s.get(1) == "PR"]
              for t in transactions]
    assert payers == [["CIGNA"], ["AETNA"]]


def test_a_dependent_goes_under_the_subscribers_member_id(ready, tmp_path) -> None:
    (target,) = clearinghouse.targets_for_days(TODAY, TOMORROW)
    coverage = target.coverage
    coverage.subscriber_relationship = "child"
    coverage.subscriber_first_name, coverage.subscriber_last_name = "Carlos", "García"
    coverage.subscriber_dob = date(1955, 6, 1)
    written = clearinghouse.write_270([target], tmp_path / "child.x12", by=ready.desk)
    body = rows(written.path.read_text())
    start = body.index(("HL", "3", "2", "22", "1"))
    assert body[start:start + 9] == [
        ("HL", "3", "2", "22", "1"),
        ("NM1", "IL", "1", "GARCIA", "CARLOS", "", "", "", "MI", "W123456789"),
        ("DMG", "D8", "19550601"),
        ("HL", "4", "3", "23", "0"),
        ("TRN", "1", written.traces[0], "1043219876"),
        ("NM1", "03", "1", "GARCIA", "MARIA"),
        ("DMG", "D8", "19800304", "F"),
        ("DTP", "291", "D8", "20261202"),
        ("EQ", "30"),
    ]


def test_missing_ids_are_named_and_nothing_is_written_or_recorded(clinic, clinic_settings,
                                                                  tmp_path) -> None:
    config.use(replace(clinic_settings, x12_submitter_id="CLINIC01"))
    schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                  by=clinic.desk)
    with pytest.raises(ConfigError, match="no x12_receiver_id, practice_npi, "
                                          "x12_trace_originator"):
        _write(tmp_path, clinic)
    assert list(_outbox(tmp_path).iterdir()) == []
    assert EligibilityRequest.select().count() == 0
    assert not counters.Counter.select().where(counters.Counter.name.startswith("x12")).exists()


def test_a_payer_without_payer_id_is_named_and_nothing_is_written(ready, tmp_path) -> None:
    local = insurance.add_payer("Harbor Health Plan", "", by=ready.admin)
    insurance.add_coverage(ready.john, local, plan_type="HMO", member_id="HH-1",
                           effective_on=date(2024, 1, 1), by=ready.desk)
    schedule.book(ready.john, ready.kim, ready.follow_up, TODAY, time(15), by=ready.desk)
    with pytest.raises(Conflict, match=r"no electronic payer ID.*Harbor Health Plan "
                                       r"\(1 patient\)"):
        _write(tmp_path, ready)
    assert list(_outbox(tmp_path).iterdir()) == []
    assert EligibilityRequest.select().count() == 0


def test_nothing_to_ask_and_a_missing_folder_are_refused(ready, tmp_path) -> None:
    with pytest.raises(InvalidInput, match="has insurance to check"):
        clearinghouse.write_270([], tmp_path / "x.x12", by=ready.desk)
    targets = clearinghouse.targets_for_days(TODAY, TOMORROW)
    with pytest.raises(InvalidInput, match="does not exist"):
        clearinghouse.write_270(targets, tmp_path / "nowhere" / "x.x12", by=ready.desk)
    assert EligibilityRequest.select().count() == 0


def test_one_patient_is_asked_about_for_their_next_visit(ready) -> None:
    (target,) = clearinghouse.targets_for_patient(ready.maria.mrn)
    assert target.service_date == TOMORROW and target.appointment_id is not None
    assert clearinghouse.targets_for_patient(ready.john.mrn) == []  # no insurance


# -- 271s in --------------------------------------------------------------------------


def test_an_answer_finds_its_coverage_by_trace_number(ready, tmp_path) -> None:
    (trace,) = _write(tmp_path, ready).traces
    outcome = clearinghouse.import_271([("answer.271", _answer([_maria_reply(trace)]))],
                                       by=ready.desk)
    (stored,) = outcome.stored
    assert (stored.patient, stored.status, stored.matched_by) == (
        "García, María", "active", "trace")
    found = Verification.get()
    assert found.request.trace == trace and found.source == "271"
    assert (found.office_copay_cents, found.specialist_copay_cents) == (2500, 6000)
    assert (found.deductible_total_cents, found.deductible_remaining_cents) == (150000, 40000)
    assert found.coinsurance_percent == Decimal("20")
    assert (found.oop_max_cents, found.oop_remaining_cents) == (500000, 320000)
    assert found.plan_name == "OPEN ACCESS"
    assert found.raw_file.raw.startswith("ISA*") and found.raw_file.matched == 1
    details = json.loads(found.details)
    assert details["answer"]["trace"] == trace and details["segments"][0].startswith("EB*1")
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).get()
    assert (event.action, event.patient_id) == ("coverage.verified", ready.maria.id)


def test_without_a_known_trace_the_member_id_and_name_decide(ready) -> None:
    data = _answer([_maria_reply("NOT-OURS"),
                    _maria_reply("ALSO-NOT-OURS", last="GARCIA", first="ROSA"),
                    _maria_reply("X", member_id="Z999", last="NOBODY", first="AT ALL")])
    outcome = clearinghouse.import_271([("answers.271", data)], by=ready.desk)
    (stored,) = outcome.stored
    assert stored.matched_by == "member ID" and stored.mrn == ready.maria.mrn
    assert len(outcome.unmatched) == 2
    assert outcome.unmatched[0].startswith("GARCIA, ROSA, member ID W123456789, born 03/04/1980")
    kept = Eligibility271File.get()
    assert (kept.answers, kept.matched) == (3, 1)
    assert json.loads(kept.unmatched) == outcome.unmatched
    assert "2 not matched to a patient" in outcome.summary()


def test_a_rejection_is_stored_with_its_reason_and_what_to_do(ready, tmp_path) -> None:
    (trace,) = _write(tmp_path, ready).traces
    reply = _maria_reply(trace, rejection=("72", "C"))
    outcome = clearinghouse.import_271([("reject.271", _answer([reply]))], by=ready.desk)
    (stored,) = outcome.stored
    assert stored.status == "rejected"
    assert stored.rejection == "member ID missing or not valid; correct and resubmit"
    found = Verification.get()
    assert (found.status, found.rejection_code) == ("rejected", "72")
    assert found.rejection_reason == "member ID missing or not valid"
    assert found.rejection_follow_up == "correct and resubmit"
    assert found.office_copay_cents is None
    assert "1 rejected" in outcome.summary()


def test_a_file_that_is_not_x12_is_refused_with_where_and_nothing_stored(ready) -> None:
    outcome = clearinghouse.import_271([("notes.txt", b"Dear Sir,\nplease find...")],
                                       by=ready.desk)
    (refused,) = outcome.refused
    assert "not an insurance eligibility (X12) file" in refused.message
    assert "byte 0" in refused.message
    assert Eligibility271File.select().count() == 0 and Verification.select().count() == 0


def test_a_file_cut_off_part_way_is_refused_with_offset_and_segment(ready, tmp_path) -> None:
    (trace,) = _write(tmp_path, ready).traces
    whole = _answer([_maria_reply(trace)])
    cut = whole[:whole.index(b"EB*G")]
    outcome = clearinghouse.import_271([("cut.271", cut)], by=ready.desk)
    (refused,) = outcome.refused
    offset = cut.rindex(b"EB*C")
    assert refused.message.startswith(f"The file is cut off: reading stopped in the EB segment "
                                      f"at byte {offset}")
    assert Eligibility271File.select().count() == 0 and Verification.select().count() == 0
    # Cut inside its header: the reader says so too.
    early = clearinghouse.import_271([("early.271", whole[:50])], by=ready.desk)
    assert "cut off or damaged" in early.refused[0].message
    assert Verification.select().count() == 0


def test_the_same_file_twice_is_recognised_and_not_stored_again(ready, tmp_path) -> None:
    (trace,) = _write(tmp_path, ready).traces
    data = _answer([_maria_reply(trace)])
    clearinghouse.import_271([("monday.271", data)], by=ready.desk)
    again = clearinghouse.import_271([("monday-copy.271", data)], by=ready.desk)
    (file,) = again.files
    assert file.state == "already" and "already imported on 12/01/2026 at 10:20" in file.message
    assert Eligibility271File.select().count() == 1 and Verification.select().count() == 1


def test_a_bad_file_among_good_ones_leaves_the_good_ones_imported(ready, tmp_path) -> None:
    (trace,) = _write(tmp_path, ready).traces
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "a.271").write_bytes(_answer([_maria_reply(trace)]))
    (folder / "b.txt").write_bytes(b"not x12")
    (folder / "c.pdf").write_bytes(b"%PDF ignored")
    outcome = clearinghouse.import_271(clearinghouse.files_in([folder]), by=ready.desk)
    assert [(f.name, f.state) for f in outcome.files] == [("a.271", "imported"),
                                                         ("b.txt", "refused")]
    assert Verification.select().count() == 1


def test_a_real_payer_file_fills_what_it_says_and_leaves_the_rest_unknown(ready) -> None:
    """The PokitDok sample (file 8): DOE, JOHN, member 00000000001, born 1970-01-01."""
    from frontdesk import patients

    john = patients.register(patients.Draft(first_name="John", last_name="Doe",
                                            dob="1970-01-01", sex="M"), by=ready.desk)
    mock = insurance.add_payer("Mock Payer", "MOCKPAYER", by=ready.admin)
    insurance.add_coverage(john, mock, plan_type="PPO", member_id="00000000001",
                           effective_on=date(2013, 1, 1), by=ready.desk)
    name = "271_5010_pokitdok_mockpayer_single_line.x12"
    outcome = clearinghouse.import_271([SAMPLES / name], by=ready.desk)
    assert outcome.stored[0].matched_by == "member ID"
    found = Verification.get()
    assert (found.status, found.plan_name) == ("active", "Open Choice")
    assert (found.office_copay_cents, found.specialist_copay_cents) == (2000, 3000)
    assert (found.deductible_total_cents, found.deductible_remaining_cents) == (300000, 298357)
    assert (found.oop_max_cents, found.oop_remaining_cents) == (300000, 298357)
    assert found.coinsurance_percent is None  # in network the payer left EB08 empty
