"""The series form as a picture (see test_snapshots.py for how to review one)."""

from __future__ import annotations

from datetime import time, timedelta

from textual.pilot import Pilot

from frontdesk import calendar
from screens.app import FrontdeskApp
from screens.series import SeriesForm
from tests.conftest import TODAY
from tests.ui.helpers import no_blink, settle

TOMORROW = TODAY + timedelta(days=1)


class TestSeries:
    def test_report_at_80x24(self, snap_compare, clinic) -> None:
        """The "Book a series" form after booking, over the schedule: "García, María ·
        Follow-up with Dr. Patel" and "From Wed, Dec 2, 2026 at 9:00"; "Every 1 week(s),
        8 visits" greyed out; "8 visits, Wednesdays at 9:00: 12/2, 12/9, 12/16, 12/23,
        12/30, 1/6, 1/13, 1/20"; in bold "7 of 8 booked; 1 could not be." and in red
        "Wed, Dec 23, 2026 9:00: Dr. Patel is on vacation all day (Wed, Dec 23, 2026)."
        ; the hint "esc closes"; the key bar shows esc Close."""
        calendar.add_block(clinic.patel, "vacation", *calendar.ALL_DAY,
                           starts_on=TOMORROW + timedelta(weeks=3), by=clinic.admin)

        async def booked(pilot: Pilot) -> None:
            await settle(pilot)
            pilot.app.push_screen(SeriesForm(
                patient_id=clinic.maria.id, provider_id=clinic.patel.id,
                type_id=clinic.follow_up.id, first_on=TOMORROW, at=time(9),
                patient="García, María", provider="Dr. Patel", type_name="Follow-up"))
            await settle(pilot)
            await pilot.press("enter", "enter")
            await settle(pilot)
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=booked)
