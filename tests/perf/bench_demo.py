"""`frontdesk demo --patients 1000000`, then the app on that database.

Targets (issue 2): the build under 3 minutes; the app signed in and showing the
schedule stays under 150 MB resident.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ptyrun import PtyProgram  # noqa: E402

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
MILLION = BENCH / "million.db"
from frontdesk.demo import DEMO_STAFF, FRONT_DESK_USER  # noqa: E402

DESK_PASSWORD = next(p for u, _, _, p in DEMO_STAFF if u == FRONT_DESK_USER)
PATIENTS = int(os.environ.get("FRONTDESK_BENCH_PATIENTS", "1000000"))


def build() -> float:
    for stale in BENCH.glob(MILLION.name + "*"):
        stale.unlink()
    BENCH.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "frontdesk", "demo", "--db", str(MILLION),
                    "--patients", str(PATIENTS)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def app_memory() -> tuple[float, float]:
    """Sign in as the demo front desk, wait for the schedule, read the resident size."""
    program = PtyProgram([sys.executable, "-m", "frontdesk", "--db", str(MILLION)],
                         env={"FRONTDESK_CONFIG": str(BENCH / "none.toml")})
    try:
        program.wait_for(b"Username")
        program.send("desk\r")
        time.sleep(0.2)
        program.send(DESK_PASSWORD + "\r")
        program.wait_for(b"booked")
        time.sleep(2)  # a few change-feed polls, a redraw or two
        settled = program.rss_mb()
        program.send("]")  # next day, then back: loads and paints two more days
        time.sleep(1)
        program.send("[")
        time.sleep(1)
        return settled, program.rss_mb()
    finally:
        program.stop()


def main() -> None:
    seconds = build()
    print(f"demo --patients {PATIENTS:,}: {seconds:.0f} s (target under 180 s); "
          f"database {MILLION.stat().st_size / 2**20:.0f} MB")
    settled, after = app_memory()
    print(f"app resident memory: {settled:.0f} MB after sign-in, {after:.0f} MB after two "
          "more days (target under 150 MB)")


if __name__ == "__main__":
    main()
