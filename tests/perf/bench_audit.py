"""What the audit trail costs: on every patient open, and to verify a long chain.

Targets (issue 3): auditing adds under 1 ms to a patient open; verifying a chain
of 1,000,000 events takes under 30 seconds.

Each audit write is its own BEGIN IMMEDIATE/COMMIT. A record of looking is
written with db.write(durable=False): no fsync at its commit, so it costs what
the program does, not what the disk takes. The connection's default (FULL, for
changes) and NORMAL are both printed; a look is NORMAL whichever is set.

    python tests/perf/bench_audit.py            # both
    python tests/perf/bench_audit.py open       # the patient open only
    python tests/perf/bench_audit.py verify     # the million-event chain only
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import shutil
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import peewee as pw  # noqa: E402

from frontdesk import audit, clock, db, demo, schedule, staff  # noqa: E402

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
DEMO = BENCH / "audit-demo.db"
CHAIN = BENCH / "audit-million.db"
EVENTS = 1_000_000
BATCH = 10_000
OPENS = 400


def _build_demo() -> None:
    BENCH.mkdir(parents=True, exist_ok=True)
    print(f"Building the demo clinic in {DEMO} (once)...", flush=True)
    demo.build(DEMO, patients_count=2000, providers_count=6, seed=1)
    db.close_database()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


@contextlib.contextmanager
def _no_audit():
    """detail() with the audit write taken out: the query part alone, no transaction."""
    saved_record, saved_write = audit.record, db.write
    audit.record = lambda *args, **kwargs: 0
    db.write = lambda **_: contextlib.nullcontext()
    try:
        yield
    finally:
        audit.record, db.write = saved_record, saved_write


def _opens(ids: list[int], person: staff.Staff) -> tuple[list[float], list[float]]:
    """Each appointment opened with and without the audit, alternately (same cache state)."""
    audited, bare = [], []
    for turn, appointment_id in enumerate(ids):
        # Which goes first alternates: the second open of an appointment finds its
        # pages already cached, and neither side should always get that.
        for with_audit in ((True, False) if turn % 2 else (False, True)):
            with contextlib.nullcontext() if with_audit else _no_audit():
                started = time.perf_counter()
                schedule.detail(appointment_id, by=person)
                (audited if with_audit else bare).append(_ms(started))
    return audited, bare


def _summary(label: str, audited: list[float], bare: list[float]) -> None:
    differences = sorted(a - b for a, b in zip(audited, bare))
    p95 = differences[int(len(differences) * 0.95) - 1]
    print(f"  {label:<29} open {statistics.median(audited):6.2f} ms, without the audit "
          f"{statistics.median(bare):6.2f} ms: the audit adds {statistics.median(differences):6.2f}"
          f" ms (median), {p95:6.2f} ms (p95)")


def bench_open() -> None:
    if not DEMO.exists():
        _build_demo()
    db.open_database(DEMO)
    person = staff.Staff.get(staff.Staff.username == demo.FRONT_DESK_USER)
    ids = [row[0] for row in schedule.Appointment.select(schedule.Appointment.id).tuples()]
    chosen = random.Random(3).sample(ids, min(OPENS, len(ids)))
    _opens(chosen[:20], person)  # warm the page cache and peewee's compiled queries
    print(f"Patient open (schedule.detail) on {DEMO.name}, {len(chosen)} opens each, "
          f"database on {BENCH}:")
    for mode in ("FULL", "NORMAL"):
        db.database.execute_sql(f"PRAGMA synchronous = {mode}")
        label = f"connection at synchronous={mode}"
        _summary(label, *_opens(chosen, person))
    db.database.execute_sql("PRAGMA synchronous = FULL")
    started = time.perf_counter()
    for _ in range(200):
        with db.write():
            audit.record("bench.write", by=person)
    print(f"  one audit write alone (BEGIN IMMEDIATE, 3 statements, COMMIT with fsync): "
          f"{_ms(started) / 200:.2f} ms")
    db.close_database()


def _events_needed() -> int:
    return EVENTS - audit.AuditEvent.select().count()


def _append_events(count: int, people: list[int], patients: list[int]) -> None:
    """Write `count` events through audit.record, 10,000 to a transaction."""
    rng = random.Random(5)
    moment = itertools.count()
    start = datetime(2025, 1, 2, 13, tzinfo=clock.UTC)
    shapes = (
        ("appointment.viewed", lambda n: {}),
        ("appointment.confirmed", lambda n: {"from": "scheduled", "to": "confirmed"}),
        ("appointment.booked", lambda n: {"provider": n % 6 + 1, "type": "Follow-up",
                                          "start": start.isoformat()}),
        ("signin", lambda n: {}),
    )
    began = time.perf_counter()
    # "Now" moves 20 s per event: a million events cover some 7 months of a clinic day and night.
    with clock.frozen(lambda: start + timedelta(seconds=20 * next(moment))):
        for first in range(0, count, BATCH):
            with db.write():
                for n in range(first, min(first + BATCH, count)):
                    action, detail = shapes[n % len(shapes)]
                    audit.record(action, by=rng.choice(people),
                                 patient=None if action == "signin" else rng.choice(patients),
                                 subject=f"appointment {n}", detail=detail(n))
            if (first // BATCH) % 10 == 9:
                print(f"  {first + BATCH:,} written ({time.perf_counter() - began:.0f} s)",
                      flush=True)


def _build_chain() -> None:
    """The demo clinic's own events, then synthetic ones up to a million in all."""
    if not DEMO.exists():
        _build_demo()
    for stale in BENCH.glob(CHAIN.name + "*"):
        stale.unlink()
    shutil.copyfile(DEMO, CHAIN)
    db.open_database(CHAIN)
    from frontdesk.patients import Patient

    people = [row[0] for row in staff.Staff.select(staff.Staff.id).tuples()]
    patients = [row[0] for row in Patient.select(Patient.id).tuples()]
    needed = _events_needed()
    print(f"Writing {needed:,} audit events into {CHAIN} (once)...", flush=True)
    started = time.perf_counter()
    _append_events(needed, people, patients)
    print(f"  written in {time.perf_counter() - started:.0f} s "
          f"({(time.perf_counter() - started) / needed * 1e6:.0f} µs an event)")
    db.close_database()


def bench_verify() -> None:
    if CHAIN.exists():
        db.open_database(CHAIN)
        # The reports below add an event each run: a trail past a million is still current.
        current = _events_needed() <= 0
        db.close_database()
        if not current:
            _build_chain()
    else:
        _build_chain()
    db.open_database(CHAIN)
    print(f"Verifying {audit.AuditEvent.select().count():,} events in {CHAIN.name} "
          f"({CHAIN.stat().st_size / 2**20:.0f} MB):")
    for attempt in ("first run", "second run"):
        started = time.perf_counter()
        result = audit.verify()
        seconds = time.perf_counter() - started
        print(f"  {attempt:<11} {seconds:6.1f} s (target under 30 s)  {result}")
    _bench_reports()
    db.close_database()


def _bench_reports() -> None:
    """The access report on the same trail: is the index doing the work?"""
    manager = staff.Staff.get(staff.Staff.username == "manager")
    from frontdesk.patients import Patient

    busy = (audit.AuditEvent.select(audit.AuditEvent.patient_id)
            .where(audit.AuditEvent.patient_id.is_null(False))
            .group_by(audit.AuditEvent.patient_id)
            .order_by(pw.fn.COUNT(audit.AuditEvent.id).desc()).scalar())
    mrn = Patient.get_by_id(busy).mrn
    cases = (
        ("patient, all time", dict(patient_mrn=mrn)),
        ("patient, one month", dict(patient_mrn=mrn, start=date(2025, 3, 1),
                                    end=date(2025, 3, 31))),
        ("staff, newest 1000", dict(staff_username="desk")),
        ("staff, one day", dict(staff_username="desk", start=date(2025, 3, 4),
                                end=date(2025, 3, 4))),
    )
    for label, criteria in cases:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            rows = audit.report(by=manager, **criteria)
            times.append(_ms(started))
        print(f"  report by {label:<20} {statistics.median(times):7.1f} ms "
              f"({len(rows)} rows)")


def main() -> None:
    wanted = set(sys.argv[1:]) or {"open", "verify"}
    if "open" in wanted:
        bench_open()
    if "verify" in wanted:
        bench_verify()


if __name__ == "__main__":
    main()
