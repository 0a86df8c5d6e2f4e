"""Patient search on a 1,000,000-patient demo clinic.

Targets (issue 4): median under 10 ms and 95th percentile under 30 ms for name
prefixes, date of birth, phone and MRN; under 50 ms with typo tolerance.

Queries are made from real rows of the database, the way staff type them. The
database is bench_demo's million-patient clinic, copied and brought to the
current schema once (the copy is reused).

    python tests/perf/bench_search.py            # build if needed, then measure
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from frontdesk import db, patients, telephone  # noqa: E402
from frontdesk.patients import Patient, PatientPhone  # noqa: E402

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
MILLION = BENCH / "million.db"
SEARCH = BENCH / "million-search.db"
SAMPLES = 300


def prepare() -> None:
    if not SEARCH.exists():
        if not MILLION.exists():
            sys.exit(f"{MILLION} is missing: run tests/perf/bench_demo.py first.")
        shutil.copyfile(MILLION, SEARCH)
    db.open_database(SEARCH)
    started = time.perf_counter()
    applied = db.migrate()
    if applied:
        print(f"migrated {', '.join(applied)} in {time.perf_counter() - started:.0f} s")


def _typo(word: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped, after the first (where people slip)."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def queries(rng: random.Random) -> dict[str, list[str]]:
    count = Patient.select().count()
    ids = [rng.randrange(1, count + 1) for _ in range(SAMPLES)]
    people = list(Patient.select().where(Patient.id.in_(ids)))
    numbers = [n for (n,) in PatientPhone.select(PatientPhone.number)
               .where(PatientPhone.patient.in_(ids)).tuples()]
    return {
        "name prefix (smi jo)": [f"{p.last_name[:3]} {p.first_name[:2]}" for p in people],
        "full name (first last)": [f"{p.first_name} {p.last_name}" for p in people],
        "last, first": [f"{p.last_name}, {p.first_name}" for p in people],
        "date of birth (3/4/1980)": [f"{p.dob.month}/{p.dob.day}/{p.dob.year}" for p in people],
        "phone (617) 555-0101": [telephone.display(n) for n in numbers][:SAMPLES],
        "phone last four": [n[-4:] for n in numbers][:SAMPLES],
        "MRN": [p.mrn for p in people],
        "typo (jon smtih)": [f"{p.first_name} {_typo(p.last_key, rng)}" for p in people],
    }


def measure(texts: list[str]) -> tuple[float, float, float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        patients.search(text, 20)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return (statistics.median(timings), timings[int(len(timings) * 0.95) - 1], timings[-1])


def main() -> None:
    prepare()
    print(f"{Patient.select().count():,} patients, {SEARCH.stat().st_size / 2**20:.0f} MB")
    rng = random.Random(4)
    sets = queries(rng)
    for texts in sets.values():  # warm the page cache once, as a running desk has it
        measure(texts[:20])
    print(f"{'query':28} {'median':>8} {'p95':>8} {'max':>8}   (ms, {SAMPLES} queries each)")
    for name, texts in sets.items():
        median, p95, worst = measure(texts)
        print(f"{name:28} {median:8.2f} {p95:8.2f} {worst:8.2f}")
    db.close_database()


if __name__ == "__main__":
    main()
