"""One day's schedule for 30 providers out of about 180,000 appointments.

Targets (issue 2): the day's query under 20 ms; repainting the grid under 100 ms.
The book is built once by the demo builder (real operations) and reused; its
providers keep part-time weeks, so 180,000 appointments take some 500 days.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from frontdesk import clock, config, db, demo, schedule  # noqa: E402

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
YEAR = BENCH / "year-30-providers.db"


def build() -> None:
    BENCH.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int) -> None:
        if done == total or done % 50_000 == 0:
            print(f"  building: {phase} {done:,}/{total:,} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)

    demo.build(YEAR, patients_count=20_000, providers_count=30, seed=11, days_back=250,
               days_ahead=250, progress=progress)
    db.close_database()


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float], target: float) -> None:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{label:<34} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   "
          f"(target under {target:g} ms)")


async def repaint_times(day, size: tuple[int, int], runs: int) -> list[float]:
    from screens.app import FrontdeskApp
    from screens.widgets.day_grid import DayGrid
    from frontdesk import staff

    person = staff.Staff.get(staff.Staff.username == demo.FRONT_DESK_USER)
    app = FrontdeskApp(signed_in=person)
    times = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        grid = app.screen.query_one("#grid", DayGrid)
        for _ in range(runs):
            started = time.perf_counter()
            grid.show(day, config.current().slot_minutes, clock.now())
            app.screen._compositor.render_strips()  # noqa: SLF001 - a full frame, drawn
            times.append((time.perf_counter() - started) * 1000)
            await pilot.pause()
    return times


def main() -> None:
    if not YEAR.exists():
        print(f"Building 500 days for 30 providers in {YEAR} (once)...")
        build()
    db.open_database(YEAR)
    db.migrate()  # a database built by an older version: brought to this one
    total = schedule.Appointment.select().count()
    busiest = (schedule.Appointment.select(schedule.Appointment.start)
               .order_by(schedule.Appointment.start.desc()).scalar())
    on = clock.today() + timedelta(days=1)
    while on.weekday() >= 5:
        on += timedelta(days=1)
    day = schedule.day(on)
    print(f"{total:,} appointments in the database; {on}: {len(day.appointments)} "
          f"appointments across {len(day.providers)} providers (last booked {busiest:%Y-%m-%d})")
    report("day query (schedule.day)", timed(lambda: schedule.day(on), 50), 20)
    for size in ((80, 24), (200, 60)):
        times = asyncio.run(repaint_times(day, size, 20))
        report(f"grid repaint at {size[0]}x{size[1]}", times, 100)


if __name__ == "__main__":
    main()
