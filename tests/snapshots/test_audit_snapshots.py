"""The audit report as a picture (see test_snapshots.py for how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk import schedule, staff
from screens.app import FrontdeskApp
from screens.audit import AuditScreen
from tests.conftest import TODAY
from tests.ui.helpers import no_blink, settle


class TestAudit:
    def test_patient_report_at_80x24(self, snap_compare, desk_user) -> None:
        """A manager's report on the patient of today's first appointment: the title
        names the MRN and the patient; the form holds the MRN in "MRN or username",
        with From and To empty; the line under it reads "all days: N events, newest
        first."; the table has When, Who, What and Detail (no Patient column: every
        row is this patient's), newest first with Dana Whitfield's "opened an
        appointment" at 12/01/2026 10:20 on top under the cursor; the line below the
        table repeats that row's detail in full; the key bar shows ⏎ Run and esc Close."""
        first = schedule.day(TODAY).appointments[0]
        schedule.detail(first.id, by=desk_user)
        manager = staff.Staff.get(staff.Staff.username == "manager")

        async def reported(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.app.push_screen(AuditScreen())
            await settle(pilot)
            await pilot.press(*first.mrn, "enter")
            await settle(pilot)
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=manager), terminal_size=(80, 24),
                            run_before=reported)
