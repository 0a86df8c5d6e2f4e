"""The waiting room (F4) driven with keys at 80x24: rooming, seen, check-out, refusals,
the ticking minutes, and a check-in made by another terminal showing up by itself."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

from playhouse.test_utils import count_queries
from textual.widgets import DataTable, Input

from frontdesk import clock, config, schedule, staff, waiting
from frontdesk.schedule import Appointment, Status
from screens.app import FrontdeskApp
from screens.waiting import RoomAsk, WaitingScreen
from tests.conftest import NOW, TODAY
from tests.ui.helpers import screen_text, settle, until

CHECK_IN_ELSEWHERE = """
import sys
from datetime import datetime
from frontdesk import clock, db, schedule, staff
db.open_database(sys.argv[1])
who = staff.Staff.get(staff.Staff.username == "manager")
with clock.frozen(datetime.fromisoformat(sys.argv[3])):
    schedule.check_in(schedule.get(int(sys.argv[2])), by=who)
"""


async def _waiting_room(pilot) -> WaitingScreen:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(pilot.app.screen, WaitingScreen)
    return pilot.app.screen


async def _to(pilot, appointment_id: int) -> None:
    screen = pilot.app.screen
    index = next(i for i, row in enumerate(screen._rows) if row.id == appointment_id)
    screen.query_one(DataTable).move_cursor(row=index)
    await pilot.pause()


def _stored(appointment_id: int) -> Appointment:
    return Appointment.get_by_id(appointment_id)


def _first(state: Status) -> waiting.Waiting:
    return next(row for row in waiting.room_list(TODAY) if row.state is state)


def _scheduled_today() -> schedule.DayAppointment:
    return next(a for a in schedule.day(TODAY).appointments
                if a.status in (Status.SCHEDULED, Status.CONFIRMED))


async def test_f4_opens_todays_arrivals_longest_wait_first(desk_user) -> None:
    expected = waiting.room_list(TODAY)
    assert any(row.state is Status.ARRIVED for row in expected)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _waiting_room(pilot)
        assert [row.id for row in screen._rows] == [row.id for row in expected]
        text = screen_text(pilot)
        assert "Waiting room   " in text and " waiting · " in text
        assert expected[0].patient[:18] in text
        assert "▶ waiting room" in text
        assert "r Room" in text and "s Seen" in text
        await pilot.press("f2")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, WaitingScreen)


async def test_rooming_seen_and_check_out_by_keyboard(desk_user) -> None:
    patient = _first(Status.ARRIVED)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _waiting_room(pilot)
        await _to(pilot, patient.id)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RoomAsk)
        await pilot.press(*"Exam 3", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        stored = _stored(patient.id)
        assert (stored.status, stored.room, stored.roomed_at) == ("roomed", "Exam 3", NOW)
        assert "◆ Exam 3" in screen_text(pilot)
        assert screen.recent_rooms == ["Exam 3"]

        await _to(pilot, patient.id)
        await pilot.press("s")
        await settle(pilot)
        assert _stored(patient.id).status == "with_provider"
        assert "● with provider" in screen_text(pilot)

        await _to(pilot, patient.id)
        await pilot.press("o")  # the schedule's check-out: done, and the next visit offered
        await settle(pilot)
        assert _stored(patient.id).status == "checked_out"
        assert "Check out" in screen_text(pilot) and "Next visit" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
        states = [row.state for row in screen._rows]
        assert screen._rows[states.index(Status.CHECKED_OUT)].id == patient.id  # latest out
        assert states == sorted(states, key=[Status.ARRIVED, Status.ROOMED,
                                             Status.WITH_PROVIDER, Status.CHECKED_OUT].index)
        await _to(pilot, patient.id)
        for action in ("room", "seen", "check_out"):
            assert screen.check_action(action, ()) is None
        await pilot.press("r")
        await settle(pilot)
        assert pilot.app.screen is screen  # greyed out: nothing opens


async def test_the_next_rooming_suggests_the_rooms_typed_and_in_use(desk_user) -> None:
    first, second = [row for row in waiting.room_list(TODAY) if row.state is Status.ARRIVED][:2]
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _waiting_room(pilot)
        await _to(pilot, first.id)
        await pilot.press("r", *"Lab", "enter")
        await settle(pilot)
        await _to(pilot, second.id)
        await pilot.press("r")
        await settle(pilot)
        assert "Recent: Lab" in screen_text(pilot) and "In use: Lab" in screen_text(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert pilot.app.screen.query_one("#room", Input)._suggestion == "Lab"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, WaitingScreen)
        assert _stored(second.id).status == "arrived"


async def test_an_empty_room_is_refused_and_what_was_typed_stays(desk_user) -> None:
    patient = _first(Status.ARRIVED)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _waiting_room(pilot)
        await _to(pilot, patient.id)
        await pilot.press("r", "space", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RoomAsk)
        assert "Room is required." in screen_text(pilot)
        assert pilot.app.screen.focused.id == "room"
        assert pilot.app.screen.query_one("#room", Input).value == " "
        await pilot.press("backspace", *"x" * 20, "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, WaitingScreen)
        assert _stored(patient.id).room == "x" * 20


async def test_a_change_on_a_stale_row_shows_who_changed_it(desk_user) -> None:
    patient = _first(Status.ARRIVED)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _waiting_room(pilot)
        screen.refresh_day = lambda changes: None  # this terminal has not looked again yet
        await _to(pilot, patient.id)
        manager = staff.Staff.get(staff.Staff.username == "manager")
        with clock.frozen(NOW + timedelta(minutes=2)):
            waiting.room(schedule.get(patient.id), "2", by=manager)
        await pilot.press("s")
        await settle(pilot)
        shown = " ".join(str(n.message) for n in pilot.app._notifications)  # noqa: SLF001
        assert "This appointment was changed by Marcus Bell at 10:22" in shown
        assert _stored(patient.id).status == "roomed"
        row = next(r for r in screen._rows if r.id == patient.id)
        assert row.state is Status.ROOMED  # reloaded after the refusal


async def test_the_minutes_tick_without_reading_the_database(desk_user) -> None:
    config.use(config.Config(timezone="America/New_York", long_wait_minutes=20))
    patient = [row for row in waiting.room_list(TODAY) if row.state is Status.ARRIVED][-1]
    assert patient.minutes(NOW) < 20
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _waiting_room(pilot)
        table = screen.query_one(DataTable)
        before = patient.minutes(NOW)
        assert table.get_cell(str(patient.id), "minutes").plain == f"{before} min"
        later = NOW + timedelta(minutes=25)
        with clock.frozen(later), count_queries() as counted:
            screen._tick()
        assert counted.count == 0
        assert table.get_cell(str(patient.id), "minutes").plain == f"⚠ {before + 25} min"
        await pilot.pause()
        assert "⚠" in screen_text(pilot)


async def test_a_check_in_at_another_terminal_appears_by_itself(desk_user, demo_db) -> None:
    target = _scheduled_today()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _waiting_room(pilot)
        assert target.id not in {row.id for row in screen._rows}
        subprocess.run([sys.executable, "-c", CHECK_IN_ELSEWHERE, str(demo_db), str(target.id),
                        NOW.isoformat()], check=True)
        committed = time.monotonic()
        await until(pilot, lambda: target.id in {row.id for row in screen._rows}, timeout=2.0)
        assert time.monotonic() - committed < 2.0
        await pilot.pause()
        assert target.patient[:18] in screen_text(pilot)
