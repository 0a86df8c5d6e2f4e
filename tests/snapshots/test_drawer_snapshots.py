"""The payment form, the count grid and the close summary and report as pictures (see
test_snapshots.py for how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk import drawer, payments, schedule
from screens.app import FrontdeskApp
from tests.conftest import TODAY
from tests.ui.helpers import grid, no_blink, settle

DEPARTS = ("arrived", "roomed", "with_provider")


def _copay_due() -> schedule.DayAppointment:
    return next(a for a in schedule.day(TODAY).appointments if a.status.value == "scheduled"
                and payments.collect_today(a.patient_id, a.id).copay_due_cents)


def _settle_all(desk) -> None:
    for visit in drawer.close_plan(drawer.current()).unsettled:
        appointment = schedule.get(visit.id)
        if visit.status in DEPARTS:
            schedule.check_out(appointment, by=desk)
        else:
            schedule.cancel(appointment, category="provider", by=desk)


async def _close_at_cash(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("alt+d")
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    await pilot.press("pagedown")
    await settle(pilot)


class TestPaymentForm:
    def test_cash_with_change_at_80x24(self, snap_compare, desk_user) -> None:
        """Over the check-in panel, a box titled "Take a payment · Ortiz, Aaron · MRN …":
        "Collect today: copay $40.00 due · no balance"; Amount 40.00 with "$40.00" said
        back; For with "c copay" reversed among d deductible, i coinsurance, b prior
        balance, p prepay; Pays by with "c cash" reversed among k check and d card;
        Tendered 60 and "Change due $20.00" with the amount reversed; "Into Front 1, open
        since 7:45 (Dana Whitfield)"; the hint line; the key bar ^s Take it, esc Close.
        No check or card rows; nothing cut off at 80x24."""
        appointment = _copay_due()

        async def typed(pilot: Pilot) -> None:
            await settle(pilot)
            grid(pilot).go_to_appointment(appointment)
            await pilot.pause()
            await pilot.press("a")
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            await pilot.press("enter", "c", "c", *"60")
            await settle(pilot)
            no_blink(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=typed)


class TestCountGrid:
    def test_mid_count_at_80x24(self, snap_compare, desk_user) -> None:
        """The close of Front 1 at step 2: title "Close Front 1 · opened 7:45 by Dana
        Whitfield"; the steps line, whole, with "2 Cash $580.00" reversed after "1 Visits
        76 left"; the grid with $100 3 → $300.00, $50 2 → $100.00, $20 9 → $180.00 and the
        cursor in the $10 row, the rest empty; a rule, then "Total $580.00"; beside the
        grid the explanation of the blind count; the key bar PgUp Back, PgDn Next step,
        esc Leave."""

        async def counting(pilot: Pilot) -> None:
            await _close_at_cash(pilot)
            await pilot.press("3", "enter", "2", "enter", "9", "enter")
            await settle(pilot)
            no_blink(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=counting)


class TestCloseSummary:
    def test_summary_needing_a_manager_at_80x24(self, snap_compare, desk_user) -> None:
        """Step 5 of the close, every visit settled ("1 Visits ✓"): a table Cash $390.00
        expected, $400.00 counted, "over $10.00"; Checks $45.00 / $45.00 even; Card
        $260.00 / $260.00 even; "Off by $10.00 in all, more than the $5.00 allowed: say
        why, and a manager signs in here to approve."; Float kept empty with "empty:
        keeps the $230.00 float"; then Why (typed: "A $10 bill from yesterday"), Manager
        and Password, the cursor in Manager; key bar with ^s Close drawer."""
        _settle_all(desk_user)

        async def summary(pilot: Pilot) -> None:
            await _close_at_cash(pilot)
            await pilot.press("3", "enter", "2", "enter")
            await pilot.press("pagedown", "a", "pagedown", *"260", "enter")
            await settle(pilot)
            await pilot.press("enter", *"A $10 bill from yesterday", "enter")
            await settle(pilot)
            no_blink(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=summary)

    def test_close_report_at_80x24(self, snap_compare, desk_user) -> None:
        """After an even close, over the close screen, a box titled "Front 1 closed ·
        report and deposit slip": the clinic's name, DRAWER CLOSE, Drawer Front 1,
        Opened 12/01/2026 7:45 and Closed 12/01/2026 10:20 by Dana Whitfield, Float
        $230.00, then expected and counted per method (Cash $390.00 $390.00 even,
        Checks $45.00 $45.00 even, Card $260.00 $260.00 even), "Cash counted:" and its
        first line "3 x $100 $300.00"; a scroll bar (the deposit slip is below); key
        bar p Print, s Save PDF, esc Close."""
        _settle_all(desk_user)

        async def closed(pilot: Pilot) -> None:
            await _close_at_cash(pilot)
            await pilot.press("3", "enter", "1", "enter", "2", "enter")
            await pilot.press("pagedown", "a", "pagedown", *"260", "enter")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=closed)
