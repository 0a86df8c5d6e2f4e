"""The series form by keys: the numbers typed, the days said back, booked with a report."""

from __future__ import annotations

from datetime import time, timedelta

from frontdesk import calendar, schedule
from frontdesk.schedule import Appointment
from screens.app import FrontdeskApp
from screens.series import SeriesForm
from tests.conftest import TODAY
from tests.ui.helpers import screen_text, settle

TOMORROW = TODAY + timedelta(days=1)


def _form(clinic) -> SeriesForm:
    return SeriesForm(patient_id=clinic.maria.id, provider_id=clinic.patel.id,
                      type_id=clinic.follow_up.id, first_on=TOMORROW, at=time(9),
                      patient="García, María", provider="Dr. Patel", type_name="Follow-up")


async def test_a_fortnightly_series_is_booked_and_what_failed_is_listed(clinic) -> None:
    calendar.add_block(clinic.patel, "vacation", *calendar.ALL_DAY,
                       starts_on=TOMORROW + timedelta(weeks=2), by=clinic.admin)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        answers: list = []
        pilot.app.push_screen(_form(clinic), answers.append)
        await settle(pilot)
        assert "8 visits, Wednesdays at 9:00: 12/2, 12/9" in screen_text(pilot)
        await pilot.press("backspace", "2", "enter", "backspace", "3")
        await pilot.pause()
        assert "3 visits, Wednesdays at 9:00: 12/2, 12/16, 12/30" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "2 of 3 booked; 1 could not be." in text
        assert "Wed, Dec 16, 2026 9:00: Dr. Patel is on vacation" in text
        await pilot.press("escape")
        await settle(pilot)
        report, = answers
        assert [a.id for a in report.booked] == [
            a.id for a in Appointment.select().order_by(Appointment.start)]


async def test_bad_numbers_are_refused_in_place(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(_form(clinic))
        await settle(pilot)
        await pilot.press("enter", "backspace", "1", "enter")
        await settle(pilot)
        form = pilot.app.screen
        assert "A series has 2 to 52 visits." in screen_text(pilot)
        assert form.focused.id == "count"
        assert schedule.Appointment.select().count() == 0
