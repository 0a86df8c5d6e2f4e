"""Eight processes booking at once against one database file: bookings per second.

Target (issue 5): the 8-process race sustains at least 200 bookings a second in
total on a 2-core machine. Two rounds on a fresh copy of a 30-provider clinic:
- "own times": each process books its own providers' free times (the processes
  contend only for SQLite's write lock), which is the clinic's busy morning;
- "same times": all eight try the same times in the same order (one wins each,
  seven are refused with who took it), the worst case of the race test.
Every booking is a full `schedule.book`: checks, insert, history, audit, change feed
and a durable (synchronous=FULL) commit.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from frontdesk import clock, db, demo, schedule, slots, staff  # noqa: E402
from frontdesk.errors import Conflict  # noqa: E402
from frontdesk.patients import Patient  # noqa: E402
from frontdesk.providers import Provider, active_providers  # noqa: E402

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
TEMPLATE = BENCH / "race-30-providers.db"
WORKING = BENCH / "race-30-providers.run.db"
PROCESSES = 8
EACH = 300
"""Bookings each process makes in the "own times" round."""


def template() -> None:
    if TEMPLATE.exists():
        return
    BENCH.mkdir(parents=True, exist_ok=True)
    print(f"Building a 30-provider clinic in {TEMPLATE} (once)...", flush=True)
    demo.build(TEMPLATE, patients_count=5000, providers_count=30, seed=21, days_back=2,
               days_ahead=2)
    db.close_database()


def fresh_copy() -> None:
    for stale in BENCH.glob(WORKING.name + "*"):
        stale.unlink()
    shutil.copyfile(TEMPLATE, WORKING)


def plan(providers: list[Provider], count: int) -> list[tuple[int, int, object, object]]:
    """(provider id, type id, day, time) free from a week ahead, earliest first."""
    kind = schedule.AppointmentType.select().order_by(schedule.AppointmentType.minutes).first()
    first = clock.today() + timedelta(days=7)
    found = []
    for provider in providers:
        found += [(provider.id, kind.id, on, at) for on, at in
                  slots.free_slots(provider, kind, start=first, days=120, count=count)]
    found.sort(key=lambda item: (item[2], item[3], item[0]))
    return found[:count]


def booker(index: int, same: bool, go, results) -> None:
    db.open_database(WORKING)
    desk = staff.Staff.get(staff.Staff.username == demo.FRONT_DESK_USER)
    everyone = active_providers()
    mine = everyone if same else everyone[index::PROCESSES]
    todo = plan(mine, EACH)
    people = list(Patient.select().order_by(Patient.id).offset(index * 400).limit(400))
    providers = {p.id: p for p in everyone}
    kinds = {k.id: k for k in schedule.AppointmentType.select()}
    won = refused = failed = 0
    go.wait()
    for n, (provider_id, type_id, on, at) in enumerate(todo):
        try:
            schedule.book(people[n % len(people)], providers[provider_id], kinds[type_id], on,
                          at, by=desk)
            won += 1
        except Conflict:
            refused += 1
        except Exception:  # noqa: BLE001 - counted and shown: "database is locked" would land here
            failed += 1
    results.put((won, refused, failed, time.monotonic()))
    db.close_database()


def race(same: bool) -> None:
    fresh_copy()
    context = multiprocessing.get_context("fork")
    go, results = context.Event(), context.Queue()
    workers = [context.Process(target=booker, args=(i, same, go, results))
               for i in range(PROCESSES)]
    for worker in workers:
        worker.start()
    time.sleep(3)  # every process has read its plan and waits at the start line
    started = time.monotonic()
    go.set()
    finished = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    seconds = max(end for *_, end in finished) - started
    won = sum(r[0] for r in finished)
    refused = sum(r[1] for r in finished)
    failed = sum(r[2] for r in finished)
    label = "same times" if same else "own times"
    print(f"{label:<11} {PROCESSES} processes: {won:,} booked, {refused:,} refused, "
          f"{failed} failed in {seconds:.2f} s = {won / seconds:,.0f} bookings/s, "
          f"{(won + refused) / seconds:,.0f} attempts/s (target: 200 bookings/s)")


def main() -> None:
    template()
    race(same=False)
    race(same=True)
    for done in BENCH.glob(WORKING.name + "*"):
        done.unlink()


if __name__ == "__main__":
    main()
