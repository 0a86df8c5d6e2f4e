"""The departments dialog of staff administration (F10, t), at 80x24."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk import messages, staff
from screens.app import FrontdeskApp
from tests.ui.helpers import settle


def _person(username: str) -> staff.Staff:
    return staff.Staff.get(staff.Staff.username == username)


class TestDepartments:
    def test_departments_dialog_at_80x24(self, snap_compare, demo_db) -> None:
        """F10 as the manager, the cursor on Priya Shah (billing), t: over the staff
        list, a box "Departments of Priya Shah", "Their inbox holds each ticked
        department's messages." dimmed, then five boxes one under another: Nursing
        (empty, focused: its label highlighted), Billing (X), Medical records (X),
        Referrals and Front desk (empty); the hint "↑↓ move · space ticks · enter saves ·
        Esc closes"; the key bar shows ⏎ Save and esc Close; under the dialog, the
        line "Priya Shah reads the messages of Billing, Medical records"."""
        messages.set_departments(_person("billing"), ["billing", "records"],
                                 by=_person("manager"))

        async def opened(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("f10")
            await settle(pilot)
            screen = pilot.app.screen
            row = next(i for i, p in enumerate(screen._people) if p.username == "billing")
            screen.query_one("DataTable").move_cursor(row=row)
            await pilot.pause()
            await pilot.press("t")
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=_person("manager")), terminal_size=(80, 24),
                            run_before=opened)
