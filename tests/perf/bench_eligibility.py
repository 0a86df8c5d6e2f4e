"""Eligibility: read a 271 of 500 benefit segments; import 500 answers.

Targets (issue 7): parse a 271 of 500 benefit segments in under 20 ms; import 500 answers
in under 5 s. The answers are those a payer would send to a real 270: 500 patients with
a coverage each are asked about through clearinghouse.write_270 (so every answer finds
its request by trace number), once, into a file under $FRONTDESK_BENCH_DIR; each import
runs on a fresh copy of it, since the same file is only imported once.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from frontdesk import (clearinghouse, clock, config, db, insurance, patients,  # noqa: E402
                       staff)
from frontdesk.eligibility import EligibilityRequest, Verification  # noqa: E402
from frontdesk.roles import Role  # noqa: E402
from frontdesk.x12 import Envelope, Payer, Provider, parse_271  # noqa: E402
from frontdesk.x12.response import Reply, build_271  # noqa: E402

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
CLINIC_FILE = BENCH / "eligibility-500-requests.db"
ANSWERS = 500
NOW = datetime(2026, 12, 1, 15, 20, tzinfo=timezone.utc)
DAY = date(2026, 12, 2)
SETTINGS = clearinghouse.Settings(submitter_id="BENCH01", receiver_id="HOUSE",
                                  practice_name="Bench Clinic", practice_npi="1234567893",
                                  trace_originator="1043219876")
ENVELOPE = Envelope("HOUSE", "BENCH01")
PAYER = Payer("AETNA", "60054")
PRACTICE = Provider("1234567893", "BENCH CLINIC")


def _reply(trace: str, member_id: str, last: str, first: str, dob: date | None,
           extra: int = 0) -> Reply:
    """An active answer with the usual eight benefit lines (plan, two co-pays, deductible
    and out-of-pocket totals and remainders, coinsurance), plus `extra` lab co-pays."""
    return Reply(trace, member_id, last, first, dob, plan_name="CHOICE PLUS",
                 office_copay_cents=2500, specialist_copay_cents=5000,
                 deductible_total_cents=200000, deductible_remaining_cents=120000,
                 coinsurance_percent=20, oop_max_cents=600000, oop_remaining_cents=450000,
                 extra=[("EB", "B", "IND", "5", "", "", "27", str(10 + n % 40), "", "", "",
                         "", "Y") for n in range(extra)])


def _file(replies: list[Reply]) -> bytes:
    return build_271(ENVELOPE, PAYER, PRACTICE, replies, interchange_control=77,
                     group_control=77, created=datetime(2026, 12, 1, 10, 0)).encode()


def bench_parse() -> None:
    one = _file([_reply("T1", "W1", "DOE", "JANE", date(1980, 1, 1), extra=492)])
    many = _file([_reply(f"T{n}", f"W{n}", "DOE", f"JANE{n}", date(1980, 1, 1), extra=2)
                  for n in range(50)])
    for label, data in (("1 patient, 500 EB segments", one),
                        ("50 patients, 10 EB segments each", many)):
        segments = data.count(b"\nEB*")
        assert segments == 500, segments
        parse_271(data)  # warm up
        times = []
        for _ in range(30):
            started = time.perf_counter()
            answers = parse_271(data)
            times.append((time.perf_counter() - started) * 1000)
        print(f"  parse a 271 of {segments} benefit segments ({label}, {len(answers)} "
              f"answers): median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms"
              f"  (target < 20 ms)")


def build_clinic() -> None:
    BENCH.mkdir(parents=True, exist_ok=True)
    db.open_database(CLINIC_FILE)
    db.migrate()
    started = time.perf_counter()
    with clock.frozen(NOW):
        admin = staff.add_staff("admin", "Alex Admin", Role.ADMIN, "bench-password-1", by=None)
        desk = staff.add_staff("desk", "Dana Desk", Role.FRONT_DESK, "bench-password-1",
                               by=admin)
        payer = insurance.add_payer("Aetna", "60054", by=admin)
        targets = []
        for n in range(ANSWERS):
            person = patients.register(patients.Draft(
                first_name=f"Pat{n}", last_name="Bench", dob="1/2/1980", sex="F"), by=desk)
            coverage = insurance.add_coverage(person, payer, plan_type="PPO",
                                              member_id=f"W{100000 + n}",
                                              effective_on=date(2025, 1, 1), by=desk)
            targets.append(clearinghouse.Target(coverage, person, DAY, None))
        clearinghouse.write_270(targets, BENCH / "eligibility-500.x12", by=desk,
                                chosen=SETTINGS)
    print(f"  built {ANSWERS} patients with coverage and a 270 asking about them in "
          f"{time.perf_counter() - started:.1f} s")
    db.close_database()


def _answers() -> bytes:
    requests = (EligibilityRequest.select().order_by(EligibilityRequest.id))
    return _file([_reply(r.trace, r.member_id, "BENCH", f"PAT{n}", date(1980, 1, 2))
                  for n, r in enumerate(requests)])


def bench_import() -> None:
    if not CLINIC_FILE.exists():
        build_clinic()
    times = []
    for run in range(3):
        copy = BENCH / f"eligibility-import-{run}.db"
        shutil.copyfile(CLINIC_FILE, copy)
        db.open_database(copy)
        db.migrate()
        data = _answers()
        desk = staff.Staff.get(staff.Staff.username == "desk")
        started = time.perf_counter()
        with clock.frozen(NOW):
            outcome = clearinghouse.import_271([("answers.271", data)], by=desk)
        times.append(time.perf_counter() - started)
        stored = len(outcome.stored)
        assert stored == ANSWERS and not outcome.unmatched, outcome.summary()
        assert Verification.select().count() == ANSWERS
        assert all(s.matched_by == "trace" for s in outcome.stored)
        db.close_database()
        for leftover in BENCH.glob(f"{copy.name}*"):
            leftover.unlink()
    print(f"  import {ANSWERS} answers ({len(data) // 1024} KB, each matched by trace, "
          f"stored, audited): median {statistics.median(times):.2f} s, worst "
          f"{max(times):.2f} s  (target < 5 s)")


def main() -> None:
    config.use(config.Config(timezone="America/New_York"))
    print("Eligibility (issue 7):")
    bench_parse()
    bench_import()


if __name__ == "__main__":
    main()
