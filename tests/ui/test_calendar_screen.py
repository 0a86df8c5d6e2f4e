"""Provider calendars by keys: `p` on the schedule, hours, blocks and the on-call rota."""

from __future__ import annotations

from datetime import time

from textual.widgets import Input

from frontdesk import calendar, providers
from screens.app import FrontdeskApp
from screens.calendar import BlockForm, CalendarScreen, ConfirmRemoval, HoursForm, OnCallForm
from screens.schedule import ScheduleScreen
from tests.conftest import TODAY
from tests.ui.helpers import grid, screen_text, settle, until


async def _calendar_of_the_first_column(pilot) -> CalendarScreen:
    await settle(pilot)
    grid(pilot).move_to(column=0)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CalendarScreen)
    return pilot.app.screen


async def test_p_opens_the_calendar_of_the_provider_under_the_cursor(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid(pilot).move_to(column=1)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CalendarScreen)
        await until(pilot, lambda: "Grace Kim, NP" in screen_text(pilot))
        text = screen_text(pilot)
        assert "Tuesday" in text and "8:00-12:00, 13:00-17:00" in text
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await until(pilot, lambda: "Anita Patel, MD" in screen_text(pilot))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)


async def test_front_desk_may_look_but_is_told_who_may_change(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _calendar_of_the_first_column(pilot)
        await pilot.press("2", "a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CalendarScreen)  # no form to fill in in vain
        messages = " ".join(str(n.message) for n in pilot.app._notifications)  # noqa: SLF001
        assert "Only a manager or administrator may change the clinic's setup." in messages


async def test_add_a_weekday_lunch_block_and_see_it_listed(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.admin).run_test(size=(80, 24)) as pilot:
        await _calendar_of_the_first_column(pilot)
        await pilot.press("2", "a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, BlockForm)
        form.query_one("#repeat").value = "weekdays"
        form.query_one("#title", Input).focus()
        await pilot.press(*"Lunch", "enter", "enter")  # the first day stays today
        # Enter on the repeat list would open it: tab past it, as staff do.
        await pilot.press(*"13:00", "enter", *"12:00", "enter", "tab", "enter")
        await settle(pilot)
        # Refused (ends before it starts): the form stays with what was typed.
        assert form is pilot.app.screen
        assert "ends before it starts" in screen_text(pilot)
        assert form.query_one("#title", Input).value == "Lunch"
        assert form.focused.id == "end"
        form.query_one("#start", Input).value = "12:00"
        form.query_one("#end", Input).value = "13:00"
        form.query_one("#ends_on", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CalendarScreen)
        text = screen_text(pilot)
        assert "Lunch: Lunch" in text and "12:00-13:00" in text and "every weekday" in text
        assert "Tue 12/1" in text
    [busy] = calendar.busy_on(clinic.patel.id, TODAY)
    assert busy.label == "at lunch (Lunch) 12:00-13:00"


async def test_a_custom_rule_that_cannot_be_read_is_refused_in_the_form(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.admin).run_test(size=(80, 24)) as pilot:
        await _calendar_of_the_first_column(pilot)
        await pilot.press("2", "a")
        await settle(pilot)
        form = pilot.app.screen
        assert not form.query_one("#rule", Input).parent.display  # only for a custom repeat
        form.query_one("#repeat").value = "custom"
        await pilot.pause()
        form.query_one("#rule", Input).value = "FREQ=SOMETIMES"
        form.query_one("#ends_on", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "The repeat rule is not understood" in screen_text(pilot)
        assert form.focused.id == "rule"
        assert form.query_one("#rule", Input).value == "FREQ=SOMETIMES"


async def test_edit_a_days_hours(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.admin).run_test(size=(80, 24)) as pilot:
        await _calendar_of_the_first_column(pilot)
        await pilot.press("down", "down", "e")  # Wednesday
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, HoursForm)
        field = form.query_one("#hours", Input)
        assert field.value == "8:00-12:00, 13:00-17:00"
        field.value = ""
        await pilot.press(*"9-1, 2-6", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CalendarScreen)
        assert "9:00-13:00, 14:00-18:00" in screen_text(pilot)
    week = calendar.week_of(providers.Provider.get_by_id(clinic.patel.id))
    assert week[2] == [(time(9), time(13)), (time(14), time(18))]
    assert week[1] == [(time(8), time(12)), (time(13), time(17))]  # the rest as it was


async def test_on_call_shows_in_the_schedule_title(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.admin).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "on call" not in screen_text(pilot)
        await _calendar_of_the_first_column(pilot)
        await pilot.press("3", "a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OnCallForm)
        await pilot.press("enter", *"12/7", "enter", *"weekend cover", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CalendarScreen)
        assert "Tue 12/1/2026" in screen_text(pilot) and "weekend cover" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert "on call: Dr. Patel" in screen_text(pilot)


async def test_remove_a_block_after_saying_yes(clinic) -> None:
    calendar.add_block(clinic.patel, "admin", time(16), time(17), starts_on=TODAY,
                       rule="FREQ=WEEKLY;BYDAY=FR", by=clinic.admin)
    async with FrontdeskApp(signed_in=clinic.admin).run_test(size=(80, 24)) as pilot:
        await _calendar_of_the_first_column(pilot)
        await pilot.press("2", "d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmRemoval)
        await pilot.press("n")
        await settle(pilot)
        assert calendar.blocks_of(clinic.patel.id)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "No blocks" in screen_text(pilot)
    assert calendar.blocks_of(clinic.patel.id) == []
