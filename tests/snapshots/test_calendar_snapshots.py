"""A provider's calendar as pictures (see test_snapshots.py for how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk import staff
from screens.app import FrontdeskApp
from tests.ui.helpers import grid, no_blink, settle


def _manager() -> staff.Staff:
    return staff.Staff.get(staff.Staff.username == "manager")


async def _blocks(pilot: Pilot) -> None:
    await settle(pilot)
    grid(pilot).move_to(column=0)
    await pilot.press("p")
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)


class TestCalendar:
    def test_blocks_at_80x24(self, snap_compare, demo_db) -> None:
        """`p` on the demo schedule's first column, then `2`, signed in as the manager:
        the header with the phone lines; the title "Kenneth Rogers, MD  Family
        Medicine"; the tabs "1 Weekly hours  2 Blocks  3 On call" with Blocks
        underlined; the Blocks table (What, Time, Repeats, Next) with "Lunch"
        12:00-13:00 "every weekday" next "Tue 12/1" under the cursor, then "Meeting:
        Staff meeting" 7:00-7:30 "every month on the first Tue" next "1/5/2027"
        (this morning's meeting is over at 10:20). The key bar reads a Add, d Remove,
        [ Prev, ] Next, esc Close; e Edit hours is greyed out on this section."""
        assert snap_compare(FrontdeskApp(signed_in=_manager()), terminal_size=(80, 24),
                            run_before=_blocks)

    def test_add_block_form_at_80x24(self, snap_compare, demo_db) -> None:
        """`a` on the Blocks section: the form "Add a block to <provider>'s calendar"
        with What (Lunch), Title (placeholder "optional, as Staff meeting"), First day
        12/01/2026 echoed "→ Tue, Dec 1, 2026", From/to with placeholders 12:00 and
        13:00 and "both empty: all day", Repeats "Once", Last day (placeholder
        "optional"); no Rule box (only for a custom repeat). The What box has the focus.
        The hint line reads "Enter: next field, saves on the last · Esc closes"."""

        async def form(pilot: Pilot) -> None:
            await _blocks(pilot)
            await pilot.press("a")
            await settle(pilot)
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=_manager()), terminal_size=(80, 24),
                            run_before=form)
