"""Typing in the Patients search box on a 1,000,000-patient clinic never waits for search.

Target (issue 4): a key press is never delayed by the search. Each key is fed as a
terminal would send it, and timed until the box shows it, while the searches
it starts run in their workers. For comparison, the same keys are timed with the
search switched off (the pause set so long that no search runs).

    python tests/perf/bench_typing.py     # needs bench_search.py's database
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench_search import SEARCH, prepare  # noqa: E402

from frontdesk import db, staff  # noqa: E402

NAMES = ["smith john", "garcia maria", "nguyen", "3/4/1980", "617 555", "johnson, mic"]


async def typed(pause: float) -> list[float]:
    import screens.patients as patients_screen
    from screens.app import FrontdeskApp
    from textual import events
    from textual.widgets import Input

    patients_screen.PAUSE = pause
    desk = staff.Staff.get(staff.Staff.username == "desk")
    delays: list[float] = []
    app = FrontdeskApp(signed_in=desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("f3")
        await pilot.pause(0.3)
        box = app.screen.query_one("#query", Input)
        for name in NAMES:
            for ch in name:
                before = box.value
                started = time.perf_counter()
                app.post_message(events.Key(ch if ch != " " else "space", ch))
                while box.value == before:
                    await asyncio.sleep(0.0005)
                delays.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.08)  # a quick typist: about 12 keys a second
            await pilot.pause(0.4)
            await app.workers.wait_for_complete()
            box.value = ""
    return delays


def report(label: str, delays: list[float]) -> None:
    delays.sort()
    print(f"{label:34} median {statistics.median(delays):6.2f} ms   "
          f"p95 {delays[int(len(delays) * 0.95) - 1]:6.2f} ms   max {delays[-1]:6.2f} ms")


def main() -> None:
    prepare()
    print(f"database {SEARCH}")
    report("keys while searching (pause 0.12 s)", asyncio.run(typed(0.12)))
    report("keys, searching at every key", asyncio.run(typed(0.0)))
    report("keys with no search at all", asyncio.run(typed(3600.0)))
    db.close_database()


if __name__ == "__main__":
    main()
