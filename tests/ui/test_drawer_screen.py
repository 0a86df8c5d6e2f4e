"""The Drawer area (alt+d): the open session's payments and totals, refunds of a closed
day, opening the drawer with its float, the day's report; keys only, at 80x24."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk import clock, config, drawer, payments, staff
from frontdesk.payments import Payment
from screens.app import FrontdeskApp
from screens.drawer import DayReportScreen, DrawerScreen, OpenDrawer
from screens.payment import PaymentForm
from screens.refund import RefundForm
from screens.receipt import Printout
from screens.schedule import ScheduleScreen
from tests.conftest import ZONE
from tests.ui.helpers import screen_text, settle


@pytest.fixture(autouse=True)
def printouts_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "frontdesk" / "printouts"


async def _drawer(pilot) -> DrawerScreen:
    await settle(pilot)
    await pilot.press("alt+d")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DrawerScreen)
    return pilot.app.screen


async def test_the_open_session_with_its_payments_marks_and_totals(desk_user) -> None:
    session = drawer.current()
    lines = payments.session_payments(session)
    plan = drawer.close_plan(session)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _drawer(pilot)
        text = screen_text(pilot)
        assert "Front 1 · open since 7:45 by Dana Whitfield" in text
        assert screen.query_one("#payments").row_count == len(lines)
        assert "✗ void" in text and "↩ #" in text  # the demo's void and refund, kept
        assert (f"cash {drawer.money(plan.expected_cash_cents)} (float "
                f"{drawer.money(plan.float_cents)})") in text
        assert f"card {drawer.money(plan.expected_card_cents)}" in text
        assert "still need a check-out, no-show or cancel before the close" in text
        # The refund under the cursor (the newest) says what it refunds and why.
        assert "refund of #" in text and "Copay waived by the provider" in text
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PaymentForm)
        assert "Find the patient" in screen_text(pilot)


async def test_an_administrator_has_no_drawer(demo_db) -> None:
    admin = staff.Staff.get(staff.Staff.username == "admin")
    async with FrontdeskApp(signed_in=admin).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("alt+d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert "Drawer" not in screen_text(pilot).splitlines()[-1]


async def test_a_closed_days_receipt_is_refunded_with_a_reason(desk_user) -> None:
    closed = (Payment.select().join(drawer.DrawerSession)
              .where((drawer.DrawerSession.state == "closed") & (Payment.method == "cash")
                     & Payment.voided_at.is_null() & Payment.refund_of.is_null()
                     & (Payment.amount_cents > 0))
              .order_by(Payment.id.desc()).first())
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _drawer(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RefundForm)
        await pilot.press(*"99999", "enter")
        await settle(pilot)
        assert "There is no receipt 99999." in screen_text(pilot)
        form = pilot.app.screen
        form.query_one("#receipt").value = str(closed.receipt_number)
        form.query_one("#receipt").focus()
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert f"{drawer.money(closed.amount_cents)} left to refund" in text
        assert form.query_one("#amount").value == f"{closed.amount_cents / 100:.2f}"
        await pilot.press("ctrl+s")  # no reason yet
        await settle(pilot)
        assert "Say why the money is given back." in screen_text(pilot)
        await pilot.press(*"Billed twice", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Printout)
        assert "REFUND #" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DrawerScreen)
        assert f"↩ #{closed.receipt_number}" in screen_text(pilot)
    given = Payment.get(Payment.refund_of == closed.id)
    assert given.amount_cents == -closed.amount_cents and given.refund_reason == "Billed twice"
    assert given.session_id == drawer.current().id and given.taken_by_id == desk_user.id


async def test_with_no_session_the_drawer_is_opened_with_its_float(desk_user) -> None:
    config.use(config.Config(timezone=ZONE, drawer="Front 2"))
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _drawer(pilot)
        assert "Front 2 is not open." in screen_text(pilot)
        assert screen.check_action("close_drawer", ()) is None
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OpenDrawer)
        grid = pilot.app.screen.query_one("#count_10000")
        grid.value = "200000"  # a count no drawer holds
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "cannot be right" in screen_text(pilot)
        assert pilot.app.screen.focused is grid
        grid.value = ""
        await pilot.press("down", "down", *"4", "down", "down", *"12", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DrawerScreen)
        assert "Front 2 · open since 10:20" in screen_text(pilot)
        assert "float $140.00" in screen_text(pilot)
    opened = drawer.current("Front 2")
    assert opened.float_dict == {2000: 4, 500: 12} and opened.opened_at == clock.now()


async def test_the_days_report_moves_by_day_and_saves_a_pdf(desk_user, printouts_here) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _drawer(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DayReportScreen)
        text = screen_text(pilot)
        assert "End of day · Tue, Dec 1, 2026" in text and "Total taken" in text
        assert "open" in text  # today's drawer is still open: nothing counted yet
        await pilot.press("left_square_bracket")
        await settle(pilot)
        text = screen_text(pilot)
        assert "End of day · Mon, Nov 30, 2026" in text and "short $20.00" in text
        await pilot.press("g")
        await settle(pilot)
        await pilot.press(*"11/28", "enter")
        await settle(pilot)
        assert "End of day · Sat, Nov 28, 2026" in screen_text(pilot)
        await pilot.press("s")
        await settle(pilot)
        saved = printouts_here / "day-report-2026-11-28.pdf"
        assert saved.read_bytes().startswith(b"%PDF")
        assert "Saved as" in screen_text(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert "End of day · Tue, Dec 1, 2026" in screen_text(pilot)
