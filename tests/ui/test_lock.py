"""Automatic logoff and the instant lock (45 CFR 164.312(a)(2)(iii)), driven by keys."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from frontdesk import audit, clock, demo, staff
from screens.app import FrontdeskApp
from screens.goto import GoToDate
from screens.lock import LockScreen
from screens.password import ChangePassword
from screens.schedule import ScheduleScreen
from screens.signin import SignInScreen
from tests.conftest import NOW
from tests.ui.helpers import grid, screen_text, settle

PASSWORDS = {username: password for username, _, _, password in demo.DEMO_STAFF}


def _actions(name: str) -> list[str]:
    return [e.detail for e in audit.AuditEvent.select().where(audit.AuditEvent.action == name)]


async def _unlock(pilot, username: str, password: str) -> None:
    field = pilot.app.screen.query_one("#username", Input)
    field.value = ""
    field.focus()
    await pilot.press(*username, "enter", *password, "enter")
    await settle(pilot)


async def test_ctrl_l_locks_at_once_and_hides_every_patient(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        day = grid(pilot).day
        visible = [a.patient.split(",")[0] for a in day.appointments
                   if a.patient.split(",")[0] in screen_text(pilot)]
        assert visible  # names were on screen before
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LockScreen)
        text = screen_text(pilot)
        assert "Locked" in text and "Their work is kept" in text
        for name in visible:
            assert name not in text
        assert "booked" not in text  # not even the day's counts
        assert len(_actions("screen.locked")) == 1
        # Nothing but the lock answers: no schedule, no palette, no sign-out behind it.
        await pilot.press("f2", "ctrl+p", "f12")
        await pilot.pause()
        assert isinstance(pilot.app.screen, LockScreen)
        assert pilot.app.check_action("go", ("schedule",)) is False


async def test_unlocking_restores_the_work_exactly_half_typed_dialog_included(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "right")
        cursor = grid(pilot).cursor
        await pilot.press("g", *"12/1")
        await pilot.pause()
        assert isinstance(pilot.app.screen, GoToDate)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LockScreen)
        await _unlock(pilot, "desk", "not the password")
        assert isinstance(pilot.app.screen, LockScreen)
        assert staff.WRONG_CREDENTIALS in str(pilot.app.screen.query_one("#refusal").content)
        await _unlock(pilot, "desk", PASSWORDS["desk"])
        assert isinstance(pilot.app.screen, GoToDate)
        assert pilot.app.screen.query_one(Input).value == "12/1"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert grid(pilot).cursor == cursor
        assert len(_actions("screen.unlocked")) == 1


async def test_the_screen_locks_itself_after_the_idle_minutes(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with clock.frozen(NOW + timedelta(minutes=4, seconds=50)):
            pilot.app.lock_if_idle()
            await pilot.pause()
            assert isinstance(pilot.app.screen, ScheduleScreen)
            await pilot.press("j")  # a key press starts the wait again
        with clock.frozen(NOW + timedelta(minutes=9, seconds=40)):
            pilot.app.lock_if_idle()
            await pilot.pause()
            assert isinstance(pilot.app.screen, ScheduleScreen)
        with clock.frozen(NOW + timedelta(minutes=10)):
            pilot.app.lock_if_idle()
            await settle(pilot)
            assert isinstance(pilot.app.screen, LockScreen)
        assert '"reason": "idle"' in _actions("screen.locked")[0]


async def test_someone_else_signs_in_at_a_locked_terminal_and_the_first_work_waits(
        desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")  # Dana is looking at tomorrow
        await settle(pilot)
        await pilot.press("g", *"next fri")
        await pilot.press("ctrl+l")
        await settle(pilot)
        await _unlock(pilot, "manager", PASSWORDS["manager"])
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert pilot.app.signed_in.username == "manager"
        assert "Marcus Bell" in screen_text(pilot)
        assert grid(pilot).day.date == clock.today()  # a desk of their own, not Dana's
        await pilot.press("ctrl+l")
        await settle(pilot)
        await _unlock(pilot, "desk", PASSWORDS["desk"])
        assert pilot.app.signed_in.username == "desk"
        assert isinstance(pilot.app.screen, GoToDate)
        assert pilot.app.screen.query_one(Input).value == "next fri"


async def test_signing_out_drops_only_that_persons_work(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await _unlock(pilot, "manager", PASSWORDS["manager"])
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInScreen)
        await pilot.press(*"desk", "enter", *PASSWORDS["desk"], "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)  # Dana's, unlocked by signing in
        assert pilot.app.signed_in.username == "desk"


async def test_a_reset_password_must_be_replaced_before_any_work(demo_db) -> None:
    admin = staff.Staff.get(staff.Staff.username == "admin")
    desk = staff.Staff.get(staff.Staff.username == "desk")
    staff.reset_password(desk, "amber falcon meadow", by=admin)
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"desk", "enter", *"amber falcon meadow", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChangePassword)
        assert pilot.app.signed_in is None
        await pilot.press(*"amber falcon meadow", "enter", *"short", "enter", *"short",
                          "enter")
        await settle(pilot)
        assert "at least 12 characters" in str(pilot.app.screen.query_one("#refusal").content)
        assert pilot.app.screen.query_one("#current", Input).value == "amber falcon meadow"
        await pilot.press(*"silver maple dawn", "enter", *"silver maple dawn", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert pilot.app.signed_in.username == "desk"
    assert not staff.Staff.get_by_id(desk.id).must_change_password
