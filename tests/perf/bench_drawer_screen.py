"""The Drawer area on the drawer day of 5,000 payments (tests/perf/bench_drawer.py builds
it): reading the session, and alt+d until the list shows every payment, at 80x24.

No target in the issue for the screen; the figures say whether a busy drawer stays
usable. Run bench_drawer.py first (it builds the day under $FRONTDESK_BENCH_DIR).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench_drawer import DAY_FILE, OPENED, PAYMENTS  # noqa: E402

from frontdesk import clock, config, db, staff  # noqa: E402

RUNS = 5


def _read_times(path: Path) -> list[float]:
    from screens.drawer import _read

    db.open_database(path)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        state = _read()
        times.append(time.perf_counter() - started)
        assert state.count == PAYMENTS
    return times


async def _screen_time(person: staff.Staff) -> float:
    from screens.app import FrontdeskApp
    from screens.drawer import DrawerScreen

    async with FrontdeskApp(signed_in=person).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        started = time.perf_counter()
        await pilot.press("alt+d")
        while True:
            await pilot.pause(0.005)
            screen = pilot.app.screen
            if isinstance(screen, DrawerScreen) and screen.query_one("#payments").row_count:
                return time.perf_counter() - started


def main() -> None:
    if not DAY_FILE.exists():
        sys.exit(f"{DAY_FILE} is missing: run tests/perf/bench_drawer.py first.")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "day.db"
        shutil.copyfile(DAY_FILE, path)
        with clock.frozen(OPENED.replace(hour=22)):
            config.use(config.Config(timezone="America/New_York"))
            reads = _read_times(path)
            person = staff.Staff.get(staff.Staff.username == "desk0")
            shows = [asyncio.run(_screen_time(person)) for _ in range(3)]
            # The same with 50 listed: what a usual day's drawer costs to show.
            import screens.drawer

            screens.drawer.SHOWN, listed = 50, screens.drawer.SHOWN
            usual = [asyncio.run(_screen_time(person)) for _ in range(3)]
        db.close_database()
    print(f"drawer read: session + totals ({PAYMENTS:,})  median "
          f"{statistics.median(reads) * 1000:7.2f} ms   max {max(reads) * 1000:7.2f} ms")
    print(f"alt+d until the newest {listed} are drawn  median "
          f"{statistics.median(shows) * 1000:7.2f} ms   max {max(shows) * 1000:7.2f} ms")
    print(f"alt+d until the newest 50 are drawn   median "
          f"{statistics.median(usual) * 1000:7.2f} ms   max {max(usual) * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
