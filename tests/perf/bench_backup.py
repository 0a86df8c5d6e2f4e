"""`frontdesk backup` of the million-patient demo while a terminal keeps registering patients.

Target (issue 3): the backup, checks included, under 30 s, and staff writing meanwhile
without a noticeable wait. The writer registers a patient, pauses 10 ms, and again;
its figures before the backup are the baseline for those during it.

    python tests/perf/bench_backup.py

The demo is $FRONTDESK_BENCH_DIR/million.db (default /tmp/frontdesk-bench), built by
bench_demo.py or here if missing (about 3 minutes). The writer works on a copy of it,
so the demo stays as built; the copy and the backup are deleted afterwards.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from frontdesk import backup, db  # noqa: E402

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
MILLION = BENCH / "million.db"
WORK = BENCH / "backup-bench-live.db"
DEST = BENCH / "backup-bench-copy.db"
STOP = BENCH / "backup-bench.stop"
PATIENTS = int(os.environ.get("FRONTDESK_BENCH_PATIENTS", "1000000"))
BASELINE = 3.0
"""Seconds the writer runs before the backup starts."""

WRITER = r"""
import json, sys, time
from pathlib import Path
from frontdesk import db, patients, staff

db.open_database(sys.argv[1])
stop = Path(sys.argv[2])
desk = staff.Staff.get(staff.Staff.username == "desk")
writes = []
print("ready", flush=True)
while not stop.exists():
    started = time.time()
    patients.register(patients.Draft(first_name="Walk", last_name="In", dob="1/2/1990",
                                     sex="F"), by=desk)
    writes.append((started, time.time()))
    time.sleep(0.01)
json.dump(writes, sys.stdout)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "FRONTDESK_CONFIG": str(BENCH / "none.toml")}


def ensure_demo() -> None:
    if MILLION.exists():
        return
    BENCH.mkdir(parents=True, exist_ok=True)
    print(f"building {MILLION} ({PATIENTS:,} patients, about 3 minutes)...", flush=True)
    subprocess.run([sys.executable, "-m", "frontdesk", "demo", "--db", str(MILLION),
                    "--patients", str(PATIENTS)], check=True, cwd=REPO, env=_env(),
                   stdout=subprocess.DEVNULL)


def fresh_live_copy() -> None:
    """The demo copied through SQLite (its WAL included) into a file the writer may change."""
    for stale in BENCH.glob(WORK.name + "*"):
        stale.unlink()
    source, target = sqlite3.connect(MILLION), sqlite3.connect(WORK)
    source.backup(target)
    source.close()
    target.close()


def figures(writes: list[tuple[float, float]], start: float, end: float) -> str:
    """The writes that began between `start` and `end`: how many, how long each waited."""
    inside = [(b, e) for b, e in writes if start <= b <= end]
    if not inside:
        return "no writes"
    waits = [e - b for b, e in inside]
    return (f"{len(inside)} writes ({len(inside) / (end - start):.0f}/s), longest "
            f"{max(waits) * 1000:.0f} ms, median {sorted(waits)[len(waits) // 2] * 1000:.1f} ms")


def main() -> None:
    ensure_demo()
    fresh_live_copy()
    STOP.unlink(missing_ok=True)
    DEST.unlink(missing_ok=True)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(WORK), str(STOP)], cwd=REPO,
                              env=_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        warmed = time.time()
        time.sleep(BASELINE)
        start = time.time()
        made = backup.backup(WORK, DEST)
        end = time.time()
        time.sleep(0.5)
    finally:
        STOP.touch()
        out, _ = writer.communicate(timeout=60)
        STOP.unlink(missing_ok=True)
    writes = json.loads(out)
    db.close_database()
    with sqlite3.connect(DEST) as copy:
        integrity = copy.execute("PRAGMA integrity_check").fetchone()[0]
        in_copy = copy.execute("SELECT count(*) FROM patient").fetchone()[0]
    copy.close()
    print(f"backup of {WORK.stat().st_size / 2**20:.0f} MB ({in_copy:,} patients in the copy): "
          f"{made.seconds:.1f} s (target under 30 s), of which the integrity and foreign-key "
          f"checks {made.checking:.1f} s; {made.steps} steps of {backup.PAGES_PER_STEP} pages")
    print(f"copy's integrity_check, run again: {integrity}")
    print(f"writer before the backup ({BASELINE:.0f} s): {figures(writes, warmed, start)}")
    print(f"writer during the backup ({end - start:.1f} s): {figures(writes, start, end)}")
    for stale in [*BENCH.glob(WORK.name + "*"), *BENCH.glob(DEST.name + "*")]:
        stale.unlink()


if __name__ == "__main__":
    main()
