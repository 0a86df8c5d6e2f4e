"""Booking with its conflict checks, on the year of 30 providers (about 180,000
appointments) that bench_day.py builds.

Target (issue 5): book, with its conflict check, under 20 ms. Measured on a private
copy of that database, so the day benchmark keeps measuring the book it was built with.
Three cases: a booking that goes through (checks, insert, history, audit, change feed,
one durable commit), one refused for a clash, and one refused as outside hours.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "perf"))

from bench_day import BENCH, YEAR, build, report  # noqa: E402

from frontdesk import clock, db, demo, schedule, slots, staff  # noqa: E402
from frontdesk.errors import Conflict  # noqa: E402
from frontdesk.patients import Patient  # noqa: E402
from frontdesk.providers import active_providers  # noqa: E402

COPY = BENCH / "year-30-providers.booking.db"
RUNS = 200


def private_copy() -> None:
    """A consistent copy (SQLite's online backup), fresh for every run."""
    for stale in BENCH.glob(COPY.name + "*"):
        stale.unlink()
    source, target = sqlite3.connect(YEAR), sqlite3.connect(COPY)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def free_times(count: int) -> list[tuple]:
    """Free (provider, type, day, time) over the coming weeks, spread over providers."""
    kinds = list(schedule.AppointmentType.select().where(schedule.AppointmentType.active))
    first = clock.today() + timedelta(days=1)
    found = []
    for provider in active_providers():
        for kind in kinds[:2]:
            for on, at in slots.free_slots(provider, kind, start=first, days=60,
                                           count=count // 30 + 2):
                found.append((provider, kind, on, at))
    random.Random(5).shuffle(found)
    return found


def main() -> None:
    if not YEAR.exists():
        print(f"Building 500 days for 30 providers in {YEAR} (once)...")
        build()
    private_copy()
    db.open_database(COPY)
    db.migrate()
    desk = staff.Staff.get(staff.Staff.username == demo.FRONT_DESK_USER)
    total = schedule.Appointment.select().count()
    people = list(Patient.select().order_by(Patient.id).limit(20_000))
    rng = random.Random(9)
    print(f"{total:,} appointments, {len(people):,} patients, "
          f"{len(active_providers())} providers (private copy: {COPY.name})")

    booked_times, clash_times, hours_times = [], [], []
    taken: list[schedule.Appointment] = []
    refused_otherwise = 0
    for provider, kind, on, at in free_times(RUNS)[:RUNS]:
        patient = rng.choice(people)
        started = time.perf_counter()
        try:
            taken.append(schedule.book(patient, provider, kind, on, at, by=desk))
        except Conflict:  # an earlier pick took it (the two types' free times overlap)
            refused_otherwise += 1
            continue
        booked_times.append((time.perf_counter() - started) * 1000)
    for appointment in taken[:RUNS]:
        provider = schedule.Provider.get_by_id(appointment.provider_id)
        local = clock.local(appointment.start)
        kind = schedule.AppointmentType.get_by_id(appointment.type_id)
        started = time.perf_counter()
        try:
            schedule.book(rng.choice(people), provider, kind, local.date(), local.time(),
                          by=desk)
        except Conflict:
            clash_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        try:
            schedule.book(rng.choice(people), provider, kind, local.date(),
                          local.time().replace(hour=21), by=desk)
        except Conflict:
            hours_times.append((time.perf_counter() - started) * 1000)
    report(f"book, accepted ({len(booked_times)})", booked_times, 20)
    report(f"book, refused: clash ({len(clash_times)})", clash_times, 20)
    report(f"book, refused: hours ({len(hours_times)})", hours_times, 20)
    if refused_otherwise:
        print(f"({refused_otherwise} picks refused and left out: an earlier pick took the time)")
    db.close_database()
    for done in BENCH.glob(COPY.name + "*"):
        done.unlink()


if __name__ == "__main__":
    main()
