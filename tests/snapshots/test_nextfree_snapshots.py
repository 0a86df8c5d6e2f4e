"""Next available as a picture (see test_snapshots.py for how to review one)."""

from __future__ import annotations

from datetime import time

from textual.pilot import Pilot

from frontdesk import calendar, schedule
from screens.app import FrontdeskApp
from tests.conftest import TODAY
from tests.ui.helpers import grid, no_blink, settle, until


class TestNextAvailable:
    def test_kim_at_80x24(self, snap_compare, clinic) -> None:
        """`f` on the schedule with the cursor on Kim NP's column (Tuesday 1 December,
        10:20): the "Next available" dialog over the schedule, "With  Kim NP (Family
        Medicine)" and "Type  Follow-up" on the first line; "From 12/01/2026  To
        12/30/2026" and "Any time" on the second; "Days" with seven unticked boxes
        Mon to Sun; "The first 12 free times, earliest first · ⏎ picks the highlighted
        one"; then twelve lines from "Tue, Dec 1, 2026  10:45  Kim NP  today" (10:30 is
        booked) on: 11:00, 11:15, 11:45 (11:30 is Kim's lunch block), 13:00 and on, the
        first highlighted; the border's foot reads "no day ticked: any day · dates as
        12/1, tomorrow, next tue"; the key bar shows ⏎ Pick and esc Close."""
        schedule.book(clinic.john, clinic.kim, clinic.follow_up, TODAY, time(10, 30),
                      by=clinic.desk)
        calendar.add_block(clinic.kim, "lunch", time(11, 30), time(11, 45), starts_on=TODAY,
                           by=clinic.admin)

        async def opened(pilot: Pilot) -> None:
            await settle(pilot)
            grid(pilot).move_to(column=1)
            await pilot.press("f")
            await settle(pilot)
            dialog = pilot.app.screen
            await until(pilot, lambda: dialog.slots and dialog._shown_for == dialog.criteria())
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=opened)
