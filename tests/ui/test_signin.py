"""Signing in and out at a shared terminal."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Label

from frontdesk import audit, demo, staff
from screens.app import FrontdeskApp
from screens.schedule import ScheduleScreen
from screens.signin import SignInScreen
from tests.ui.helpers import screen_text, settle

DESK_PASSWORD = next(p for u, _, _, p in demo.DEMO_STAFF if u == demo.FRONT_DESK_USER)


def refusal(pilot) -> str:
    """What the sign-in box says under the fields (it wraps on screen)."""
    return str(pilot.app.screen.query_one("#refusal", Label).content)


async def _sign_in(pilot, username: str, password: str) -> None:
    await pilot.press(*username, "enter")
    await pilot.press(*password, "enter")
    await settle(pilot)


async def test_right_password_opens_the_schedule_as_that_person(demo_db) -> None:
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInScreen)
        await _sign_in(pilot, "desk", DESK_PASSWORD)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert pilot.app.signed_in.username == "desk"
        assert "Dana Whitfield · front desk" in screen_text(pilot)


async def test_tab_moves_between_the_fields_as_the_hint_says(demo_db) -> None:
    """Tab is App's focus_next: it must work before anyone has signed in, and when locked."""
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"desk", "tab", *DESK_PASSWORD, "shift+tab", "end", "!")
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.query_one("#username", Input).value == "desk!"
        assert screen.query_one("#password", Input).value == DESK_PASSWORD


async def test_wrong_password_says_so_keeps_the_username_and_clears_the_password(demo_db) -> None:
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _sign_in(pilot, "desk", "not the password")
        screen = pilot.app.screen
        assert isinstance(screen, SignInScreen)
        assert staff.WRONG_CREDENTIALS in refusal(pilot)
        assert screen.query_one("#username", Input).value == "desk"
        assert screen.query_one("#password", Input).value == ""
        assert screen.query_one("#password", Input).has_focus


async def test_unknown_user_gets_the_same_words_as_a_wrong_password(demo_db) -> None:
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _sign_in(pilot, "nobody", "whatever it is")
        assert refusal(pilot) == staff.WRONG_CREDENTIALS


async def test_five_failures_lock_the_account_even_with_the_right_password(demo_db) -> None:
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"desk", "enter")
        for _ in range(staff.MAX_FAILURES):
            await pilot.press(*"wrong password!", "enter")
            await settle(pilot)
        assert "locked for 15 minutes" in refusal(pilot)
        await pilot.press(*DESK_PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInScreen)
        assert "locked until" in refusal(pilot)
    locked = audit.AuditEvent.select().where(audit.AuditEvent.action == "signin.locked")
    assert locked.count() == 1


async def test_empty_fields_are_asked_for_without_a_round_trip(demo_db) -> None:
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert "Type your username." in screen_text(pilot)


async def test_nothing_opens_before_sign_in(demo_db) -> None:
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SignInScreen)
        assert pilot.app.check_action("go", ("schedule",)) is False


async def test_sign_out_drops_the_persons_screens_and_audits_it(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        old_schedule = pilot.app.screen
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInScreen)
        assert pilot.app.signed_in is None
        assert "Whitfield" not in screen_text(pilot)
        signed_out = audit.AuditEvent.select().where(audit.AuditEvent.action == "signout")
        assert signed_out.count() == 1
        await _sign_in(pilot, "desk", DESK_PASSWORD)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert pilot.app.screen is not old_schedule  # a fresh screen, nothing carried over


async def test_a_fast_typist_never_puts_the_password_in_the_username_box(demo_db) -> None:
    """Every key arrives before any is handled, as over SSH from someone who types fast."""
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in [*"desk", "enter", *DESK_PASSWORD, "enter"]:
            pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert pilot.app.signed_in.username == "desk"


async def test_editing_keys_in_a_burst_act_in_the_order_typed(demo_db) -> None:
    """Over SSH a fast typist's keys arrive together. Textual types characters at once but
    ran a box's own keys (backspace, arrows) only after they bubbled up, so "desk⌫30"
    came out "desk3". The app runs them in order."""
    async with FrontdeskApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst = [*"desk", "backspace", *"30", "home", "delete", "X", "end", "left",
                 "backspace", "!"]
        for key in burst:
            pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert pilot.app.screen.query_one("#username", Input).value == "Xes!0"
