"""The day's schedule, driven with keys as staff drive it."""

from __future__ import annotations

from datetime import date

from frontdesk import audit, schedule
from frontdesk.schedule import Status
from screens.app import FrontdeskApp
from screens.appointment import AppointmentScreen
from screens.goto import GoToDate
from screens.help import HelpScreen
from screens.schedule import ScheduleScreen
from tests.conftest import TODAY
from tests.ui.helpers import grid, grid_cells, screen_text, settle


def _app(desk_user) -> FrontdeskApp:
    return FrontdeskApp(signed_in=desk_user)


def _expected_names(on: date) -> set[str]:
    return {a.patient.split(",")[0] for a in schedule.day(on).appointments
            if a.status is not Status.CANCELLED}


async def test_opens_on_today_with_the_days_appointments(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        text = screen_text(pilot)
        assert "Tue, Dec 1, 2026 (today)" in text
        assert "Dana Whitfield" in text
        cells = grid_cells(pilot)
        shown = {name for name in _expected_names(TODAY) if name in cells}
        assert len(shown) >= len(_expected_names(TODAY)) * 0.9
        # The cursor starts on the row of now (10:20 falls in the 10:15 slot).
        table = grid(pilot)
        assert table.slot_at().starts.strftime("%H:%M") == "10:15"
        assert "10:15▸" in text, text


async def test_lunch_and_meetings_are_named_on_the_grid(desk_user) -> None:
    """The demo gives providers a lunch in their midday break: staff see the word, not an
    unexplained gap on every row of it; a meeting added today shows with its title."""
    from datetime import datetime, time, timedelta

    from frontdesk import calendar, providers, staff

    day = schedule.day(TODAY)
    slots = [time(h, m) for h in range(8, 17) for m in (0, 15, 30, 45)]

    def clear(column, t: time) -> bool:  # in the hours, no visit, no block
        until = (datetime.combine(TODAY, t) + timedelta(minutes=15)).time()
        return (column.works_at(t, until) and column.away_at(t, until) is None
                and not any(a.provider_id == column.id and a.status is not Status.CANCELLED
                            and a.start.time() < until and t < a.end.time()
                            for a in day.appointments))

    column, free = next((c, t) for c in day.providers[:3] for t in slots if clear(c, t))
    manager = staff.Staff.get(staff.Staff.username == "manager")
    calendar.add_block(providers.get(column.id), "meeting", free,
                       (datetime.combine(TODAY, free) + timedelta(minutes=15)).time(),
                       starts_on=TODAY, title="Huddle", by=manager)
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = grid(pilot)
        at = next(i for i, c in enumerate(table._columns) if c.id == column.id)
        rows = {table._times[r].time(): table.cell_text(r, at).rstrip()
                for r in range(table.row_count)}
        assert rows[free].startswith("░ Meeting: Huddle"), rows
        lunches = [(i, b) for i, c in enumerate(table._columns) for b in c.away
                   if b.kind == "lunch"]
        assert lunches, "the demo gives providers a lunch"
        at, lunch = lunches[0]
        row = next(r for r in range(table.row_count) if table._times[r].time() == lunch.start)
        assert table.cell_text(row, at).startswith("░ Lunch")
        assert table.cell_text(row + 1, at).rstrip() == "░"


async def test_brackets_move_a_day_and_t_comes_back(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "Wed, Dec 2, 2026 (tomorrow)" in screen_text(pilot)
        assert grid(pilot).day.date == date(2026, 12, 2)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert "Mon, Nov 30, 2026 (yesterday)" in screen_text(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert grid(pilot).day.date == TODAY


async def test_go_to_a_date_typed_as_staff_type_it(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(pilot.app.screen, GoToDate)
        await pilot.press(*"12/8")
        await pilot.pause()
        assert "Tue, Dec 8, 2026" in screen_text(pilot)  # echoed before enter
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert grid(pilot).day.date == date(2026, 12, 8)
        assert "Tue, Dec 8, 2026" in screen_text(pilot)


async def test_an_unreadable_date_says_so_and_leaves_the_day_alone(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g", *"2/30/2027", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, GoToDate)
        assert "February has only 28 days in 2027" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert grid(pilot).day.date == TODAY


async def test_enter_opens_the_appointment_read_only_and_audits_the_look(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = grid(pilot)
        # Walk down from the top of the first column to the first booked slot.
        await pilot.press("home")
        while not table.slot_at().appointments:
            await pilot.press("j")
        expected = table.slot_at().appointments[0]
        before = audit.AuditEvent.select().count()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AppointmentScreen)
        text = screen_text(pilot)
        assert expected.patient in text
        assert f"MRN {expected.mrn}" in text
        assert "Booked" in text and "Dana Whitfield" in text
        viewed = audit.AuditEvent.select().where(audit.AuditEvent.id > before).get()
        assert viewed.action == "appointment.viewed"
        assert viewed.patient_id == expected.patient_id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ScheduleScreen)


async def test_enter_on_an_empty_slot_opens_nothing_and_open_is_greyed(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = grid(pilot)
        await pilot.press("home")
        while table.slot_at().appointments:
            await pilot.press("j")
        screen = pilot.app.screen
        assert screen.check_action("open", ()) is None
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen is screen


async def test_h_j_k_and_arrows_move_across_slots_and_providers(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = grid(pilot)
        row, column = table.cursor
        await pilot.press("j", "j")
        assert table.cursor == (row + 2, column)
        await pilot.press("k")
        assert table.cursor == (row + 1, column)
        await pilot.press("right", "right")
        assert table.cursor == (row + 1, column + 2)
        await pilot.press("h", "up", "down", "down")
        assert table.cursor == (row + 2, column + 1)
        await pilot.press("left", "left", "left")  # stops at the first provider
        assert table.cursor == (row + 2, 0)


async def test_providers_that_do_not_fit_are_reached_by_paging(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = grid(pilot)
        page = table.visible_columns()
        assert page == 3 and table.column_count == 6  # three of six fit at 80 columns
        assert table.slot_at().provider.short_name == "Dr. Rogers"
        assert "3 more ▸" in screen_text(pilot)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert table.slot_at().provider.id == schedule.day(TODAY).providers[page].id
        assert table.first_column == page
        assert "◂" in screen_text(pilot) and "more ▸" not in screen_text(pilot)
        await pilot.press("less_than_sign")
        assert table.slot_at().provider.short_name == "Dr. Rogers"
        assert table.first_column == 0


async def test_l_shows_the_whole_day_as_a_list_and_back(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = grid(pilot)
        await pilot.press("home")
        while not table.slot_at().appointments:
            await pilot.press("j")
        under_cursor = table.slot_at().appointments[0]
        await pilot.press("l")
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.in_list
        assert screen.day_list.current.id == under_cursor.id  # same appointment, other view
        text = screen_text(pilot)
        assert "Time" in text and "Provider" in text and "Status" in text
        # The list has every appointment, cancelled ones too.
        assert screen.day_list.row_count == len(schedule.day(TODAY).appointments)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AppointmentScreen)
        assert under_cursor.patient in screen_text(pilot)
        await pilot.press("escape", "l")
        await pilot.pause()
        assert not pilot.app.screen.in_list


async def test_f1_lists_the_keys_of_the_screen_in_front(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        text = screen_text(pilot)
        for words in ("Next day", "Go to", "List", "schedule.next_day"):
            assert words in text
        await pilot.press("end")  # the rest scrolls into view
        await pilot.pause()
        text = screen_text(pilot)
        for words in ("Sign out", "f12", "no show", "Dotted slots"):
            assert words in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ScheduleScreen)


async def test_command_palette_offers_the_schedules_actions(desk_user) -> None:
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"next day")
        await pilot.pause(0.3)
        assert "schedule: go to the next day" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert grid(pilot).day.date == date(2026, 12, 2)


async def test_a_terminal_below_80x24_gets_a_message_not_a_crash(desk_user) -> None:
    async with _app(desk_user).run_test(size=(70, 20)) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "at least 80x24" in text and "70x20" in text
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)


async def test_config_keys_remap_a_binding_and_bad_ones_are_refused(desk_user,
                                                                     clinic_settings) -> None:
    from dataclasses import replace

    from frontdesk import config

    config.use(replace(clinic_settings, keys={"schedule.next_day": "n",
                                              "schedule.today": "alt+1",
                                              "schedule.nonsense": "x"}))
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert grid(pilot).day.date == date(2026, 12, 2)
        messages = " ".join(str(n.message) for n in pilot.app._notifications)  # noqa: SLF001
        assert "schedule.nonsense" in messages and "alt+1" in messages
