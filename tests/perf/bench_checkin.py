"""The check-in sheet with what to collect (the estimate) and the referral line, on the
demo clinic of 2,000 patients; the estimate alone; the referral worklist.

No target in the issue (7); the check-in panel opens on one of these reads, so it
should stay well under the 100 ms a keypress may take. The demo is built once, at a
fixed Tuesday, into $FRONTDESK_BENCH_DIR.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from frontdesk import (checkin, clock, config, db, demo, estimate, referrals,  # noqa: E402
                       schedule, staff)

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
DEMO_FILE = BENCH / "demo-2000-tuesday.db"
NOW = datetime(2026, 12, 1, 15, 20, tzinfo=timezone.utc)  # Tuesday, 10:20 in the clinic


def _ms(run, items) -> tuple[float, float]:
    times = []
    for item in items:
        started = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times[1:] or times)


def main() -> None:
    config.use(config.Config(timezone="America/New_York"))
    with clock.frozen(NOW):
        if not DEMO_FILE.exists():
            BENCH.mkdir(parents=True, exist_ok=True)
            demo.build(DEMO_FILE, patients_count=2000, providers_count=6, seed=1)
            db.close_database()
        db.open_database(DEMO_FILE)
        db.migrate()
        desk = staff.Staff.get(staff.Staff.username == demo.FRONT_DESK_USER)
        day = [a.id for a in schedule.day(clock.today()).appointments]
        median, worst = _ms(lambda i: checkin.sheet(i, by=desk), day)
        print(f"check-in sheet, {len(day)} visits: median {median:.2f} ms, worst {worst:.2f} ms "
              "(after the first)")
        median, worst = _ms(estimate.for_appointment, day)
        print(f"estimate alone: median {median:.2f} ms, worst {worst:.2f} ms")
        median, worst = _ms(lambda _: referrals.worklist(by=desk), range(20))
        print(f"referral worklist: median {median:.2f} ms, worst {worst:.2f} ms")
        db.close_database()


if __name__ == "__main__":
    main()
