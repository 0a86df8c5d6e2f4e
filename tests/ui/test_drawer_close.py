"""The guided close (`c` in the Drawer area): visits settled, cash counted, checks ticked,
the card batch typed, the summary, a manager for a drawer off by more than the
threshold; and the close that loses to another terminal. Keys only, at 80x24."""

from __future__ import annotations

import json

from frontdesk import drawer, schedule, staff
from frontdesk.drawer import DrawerSession
from screens.app import FrontdeskApp
from screens.booking import CancelForm, Confirm
from screens.checkin import CheckOutPanel
from screens.drawer import DrawerScreen
from screens.drawer_close import DrawerClose
from screens.receipt import Printout
from tests.ui.helpers import screen_text, settle

DEPARTS = ("arrived", "roomed", "with_provider")


def _settle_all(desk: staff.Staff, keep: set[int] = frozenset()) -> None:
    """Every visit of the day but `keep` given its disposition, as other desks would."""
    for visit in drawer.close_plan(drawer.current()).unsettled:
        if visit.id in keep:
            continue
        appointment = schedule.get(visit.id)
        if visit.status in DEPARTS:
            schedule.check_out(appointment, by=desk)
        else:
            schedule.cancel(appointment, category="provider", by=desk)


async def _close_screen(pilot) -> DrawerClose:
    await settle(pilot)
    await pilot.press("alt+d")
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DrawerClose)
    return pilot.app.screen


async def _count(pilot, *, cash: list[str], batch: str) -> None:
    """From step 1: the cash grid row by row from $100 down, every check ticked, the batch."""
    await pilot.press("pagedown")
    await settle(pilot)
    for typed in cash:
        await pilot.press(*typed, "enter")
    await settle(pilot)
    await pilot.press("pagedown", "a", "pagedown", *batch, "enter")
    await settle(pilot)


async def test_a_close_off_by_more_than_the_threshold_needs_a_manager(desk_user) -> None:
    plan = drawer.close_plan(drawer.current())
    arrived = next(v for v in plan.unsettled if v.status in DEPARTS)
    booked = next(v for v in plan.unsettled if v.status == "scheduled")
    _settle_all(desk_user, {arrived.id, booked.id})
    expected_cash = plan.expected_cash_cents
    assert expected_cash == 39000  # $390.00: the demo's float and cash of the day
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _close_screen(pilot)
        assert "2 appointments of the day still need a disposition" in screen_text(pilot)
        # The arrived patient is checked out, not a no-show; the booked one the reverse.
        assert screen.check_action("no_show", ()) is None
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckOutPanel)
        await pilot.press("escape")
        await settle(pilot)
        assert "1 appointment of the day still needs a disposition" in screen_text(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Confirm)
        await pilot.press("y")
        await settle(pilot)
        assert "cannot be a no-show before 11:15" in screen_text(pilot)  # the domain's word
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CancelForm)
        await pilot.press("2", "enter")
        await settle(pilot)
        assert "Every appointment of the day has a disposition." in screen_text(pilot)
        # $400.00 counted against $390.00 expected: $10.00 over, more than $5.00 allowed.
        await _count(pilot, cash=["3", "2"], batch=f"{plan.expected_card_cents // 100}")
        text = screen_text(pilot)
        assert "5 Summary" in text and "over $10.00" in text
        assert "Off by $10.00 in all, more than the $5.00 allowed" in text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "say why" in screen_text(pilot)
        assert screen.focused is screen.query_one("#reason")
        await pilot.press(*"A $10 bill from yesterday", "enter", *"desk", "enter",
                          *"blue-heron-morning", "enter")
        await settle(pilot)
        assert "may not approve a drawer that is over or short" in screen_text(pilot)
        await pilot.press("ctrl+a", "ctrl+k", *"manager", "enter", *"not-the-password", "enter")
        await settle(pilot)
        assert "Wrong username or password." in screen_text(pilot)
        assert screen.query_one("#approver_password").value == ""
        assert screen.query_one("#reason").value == "A $10 bill from yesterday"
        assert DrawerSession.get_by_id(plan.session_id).state == "open"
        await pilot.press("enter", *"quiet-harbor-lights", "enter")
        await settle(pilot)
        printout = pilot.app.screen
        assert isinstance(printout, Printout)
        assert "DRAWER CLOSE" in screen_text(pilot)
        assert "DEPOSIT SLIP" in printout.sheet.text and "Approved by Marcus Bell" in (
            printout.sheet.text)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DrawerScreen)
        assert "Front 1 is not open. Last closed at 10:20 by Dana Whitfield." in (
            screen_text(pilot))
    closed = DrawerSession.get_by_id(plan.session_id)
    manager = staff.Staff.get(staff.Staff.username == "manager")
    assert closed.state == "closed" and closed.closed_by_id == desk_user.id
    assert closed.approved_by_id == manager.id and closed.reason == "A $10 bill from yesterday"
    assert (closed.cash_counted_cents, closed.over_short_cash_cents) == (40000, 1000)
    assert closed.cash_dict == {10000: 3, 5000: 2}
    assert sorted(json.loads(closed.checks_ticked)) == sorted(c.payment_id for c in plan.checks)


async def test_an_even_close_needs_nobody_else(desk_user) -> None:
    _settle_all(desk_user)
    plan = drawer.close_plan(drawer.current())
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _close_screen(pilot)
        # $390.00 as 3 × $100, 1 × $50, 2 × $20.
        await _count(pilot, cash=["3", "1", "2"], batch=f"{plan.expected_card_cents // 100}")
        assert "Everything matches." in screen_text(pilot)
        assert not screen.query_one("#approval").display
        await pilot.press("enter")  # on the float kept, the last field: close
        await settle(pilot)
        assert isinstance(pilot.app.screen, Printout)
    closed = DrawerSession.get_by_id(plan.session_id)
    assert closed.state == "closed" and closed.approved_by_id is None
    assert closed.float_kept_cents == plan.float_cents


async def test_the_loser_of_two_closes_is_told_and_keeps_the_count(desk_user) -> None:
    _settle_all(desk_user)
    plan = drawer.close_plan(drawer.current())
    manager = staff.Staff.get(staff.Staff.username == "manager")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _close_screen(pilot)
        await _count(pilot, cash=["3", "1", "2"], batch=f"{plan.expected_card_cents // 100}")
        # Another terminal closes the same drawer first.
        drawer.close(plan.session_id, cash_counts={100: 390}, checks_ticked=[],
                     card_batch=plan.expected_card_cents,
                     reason="closed at the other desk", approver=manager,
                     version=plan.version, by=manager)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Front 1 was already closed by Marcus Bell at 10:20." in screen_text(pilot)
        assert screen.query_one("#cash-count").counts == {10000: "3", 5000: "1", 2000: "2"}
        assert screen.query_one("#card_batch").value == str(plan.expected_card_cents // 100)
    closed = DrawerSession.get_by_id(plan.session_id)
    assert closed.closed_by_id == manager.id and closed.cash_dict == {100: 390}


async def test_a_closed_session_is_not_closed_again(desk_user) -> None:
    earlier = (DrawerSession.select().where(DrawerSession.state == "closed")
               .order_by(DrawerSession.id.desc()).first())
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(DrawerClose(earlier.id))
        await settle(pilot)
        assert ("Front 1 was already closed by Dana Whitfield at 17:50 on 11/30/2026."
                in screen_text(pilot))
        screen = pilot.app.screen
        for _ in range(4):
            await pilot.press("pagedown")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen  # nothing to close: nothing happens
    assert DrawerSession.get_by_id(earlier.id).version == earlier.version
