"""Next available by keys: `f` on the schedule, criteria changed, a time picked."""

from __future__ import annotations

from datetime import date, time, timedelta

from textual.widgets import Checkbox, Input, OptionList, Select

from frontdesk import schedule
from screens.app import FrontdeskApp
from screens.nextfree import NextAvailable
from screens.schedule import ScheduleScreen
from tests.conftest import TODAY
from tests.ui.helpers import grid, screen_text, settle, type_into, until

TOMORROW = TODAY + timedelta(days=1)


async def _open(pilot, column: int = 0) -> NextAvailable:
    await settle(pilot)
    grid(pilot).move_to(column=column)
    await pilot.press("f")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, NextAvailable)
    await until(pilot, lambda: dialog.slots and dialog._shown_for == dialog.criteria())
    return dialog


async def test_f_lists_free_times_of_the_provider_under_the_cursor_and_goes_to_one(
        clinic) -> None:
    schedule.book(clinic.john, clinic.kim, clinic.follow_up, TODAY, time(10, 30),
                  by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        dialog = await _open(pilot, column=1)
        assert dialog.query_one("#who", Select).value == f"p:{clinic.kim.id}"
        assert {slot.provider_id for slot in dialog.slots} == {clinic.kim.id}
        # Now is 10:20 and Kim has 10:30: the first free time is 10:45 today.
        assert (dialog.slots[0].on, dialog.slots[0].at) == (TODAY, time(10, 45))
        text = screen_text(pilot)
        assert "Tue, Dec 1, 2026  10:45  Kim NP" in text and "⏎ Pick" in text
        await pilot.press("down", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ScheduleScreen)
        slot = grid(pilot).slot_at()
        assert slot.provider.id == clinic.kim.id and slot.starts.time() == time(11)


async def test_criteria_narrow_the_list_as_they_change_and_the_day_changes_too(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        dialog = await _open(pilot)
        for _ in range(3):  # from the list back to Friday: Sun, Sat, Fri
            await pilot.press("shift+tab")
        assert dialog.focused is dialog.query_one("#day4", Checkbox)
        await pilot.press("space")
        await until(pilot, lambda: dialog._shown_for == dialog.criteria())
        assert {slot.on.weekday() for slot in dialog.slots} == {4}
        assert dialog.slots[0].on == date(2026, 12, 4) and dialog.slots[0].at == time(8)
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: grid(pilot).day is not None
                    and grid(pilot).day.date == date(2026, 12, 4))
        schedule_screen = pilot.app.screen
        assert schedule_screen.showing == date(2026, 12, 4)
        slot = grid(pilot).slot_at()
        assert slot.provider.id == clinic.patel.id and slot.starts.time() == time(8)


async def test_a_date_that_cannot_be_read_is_said_and_nothing_is_picked(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        dialog = await _open(pilot)
        dialog.query_one("#last", Input).value = ""
        await type_into(pilot, "#last", "13/45")
        await until(pilot, lambda: dialog._shown_for == dialog.criteria())
        assert "there is no month 13" in screen_text(pilot)
        assert dialog.slots == []
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is dialog
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert pilot.app.screen.showing == TODAY


async def test_any_provider_of_the_specialty_earliest_first(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        dialog = await _open(pilot)
        dialog.query_one("#who", Select).value = "s:Family Medicine"
        await until(pilot, lambda: dialog._shown_for == dialog.criteria()
                    and len({s.provider_id for s in dialog.slots}) == 2)
        assert [s.provider_name for s in dialog.slots[:2]] == ["Dr. Patel", "Kim NP"]
        assert dialog.query_one("#results", OptionList).option_count == 12


async def test_enter_in_a_list_of_choices_chooses_and_does_not_pick(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        dialog = await _open(pilot)
        dialog.query_one("#part", Select).focus()
        await pilot.press("enter", "down", "enter")  # open, Morning, choose
        await until(pilot, lambda: dialog._shown_for == dialog.criteria())
        assert pilot.app.screen is dialog
        assert dialog.criteria().part_of_day == "morning"
        assert all(slot.at < time(12) for slot in dialog.slots)
