"""Booking, moving and cancelling on the schedule, as pictures (see test_snapshots.py for
how to review one)."""

from __future__ import annotations

from datetime import time

from textual.pilot import Pilot

from frontdesk import patients, schedule
from screens.app import FrontdeskApp
from screens.schedule import ScheduleScreen
from screens.widgets.patient_picker import PatientPicker
from tests.conftest import TODAY
from tests.ui.helpers import no_blink, settle, until


async def _cursor(pilot: Pilot, column: int, at: time) -> ScheduleScreen:
    await settle(pilot)
    screen = pilot.app.screen
    await until(pilot, lambda: screen.grid.day is not None)
    screen.grid.move_to(column=column)
    screen.grid.go_to_time(at)
    await pilot.pause()
    return screen


class TestBooking:
    def test_book_form_with_patients_found_at_80x24(self, snap_compare, clinic) -> None:
        """`n` on Dr. Patel at 11:00, "gar" typed: over the schedule, a box titled "Book
        Dr. Patel · Tue, Dec 1, 2026 at 11:00"; Patient "gar" with two patients found
        under it, "García, María  born 03/04/1980  MRN 100001" highlighted and "Garner,
        Rosa  born 07/21/1990  MRN 100003"; Type "Follow-up · 15 min, 1 slot" with
        "11:00-11:15" beside it; empty Reason and Note; the hint "⏎ next field, on the
        last books · ↑↓ choose the patient found"; the key bar shows ^n New patient,
        ^r Series, esc Close."""
        patients.register(patients.Draft(first_name="Rosa", last_name="Garner",
                                         dob="7/21/1990", sex="F"), by=clinic.desk)

        async def typed(pilot: Pilot) -> None:
            await _cursor(pilot, 0, time(11))
            await pilot.press("n")
            await settle(pilot)
            form = pilot.app.screen
            await pilot.press(*"gar")
            await until(pilot, lambda: len(form.hits) == 2 and not form.query_one(PatientPicker).waiting)
            await settle(pilot)
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=typed)

    def test_appointment_picked_up_to_move_at_80x24(self, snap_compare, clinic) -> None:
        """`r` on García, María's 11:00 follow-up with Dr. Patel, then down twice and
        right: the grid shows "◌ moving from here" dimmed in Dr. Patel's 11:00 cell, and
        under the cursor in Kim NP's 11:30 cell "⇕ García, María  F/U"; O'Brien-Smith,
        John stays at 10:45 with Dr. Patel. Under the grid, on a highlighted band:
        "Moving García, María (F/U 15 min) to Kim NP, Tue 12/01 11:30: arrows move, [ ]
        change day, enter drops, t types a time, esc puts it back"; the key bar shows
        ⏎ Drop, t Type a time, esc Put back, [ Prev day, ] Next day."""
        schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                      by=clinic.desk)
        schedule.book(clinic.john, clinic.patel, clinic.follow_up, TODAY, time(10, 45),
                      by=clinic.desk)

        async def lifted(pilot: Pilot) -> None:
            screen = await _cursor(pilot, 0, time(11))
            await pilot.press("r")
            await until(pilot, lambda: screen._moving is not None)
            await pilot.press("down", "down", "right")
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=lifted)

    def test_cancel_dialog_at_80x24(self, snap_compare, clinic) -> None:
        """`x` on García, María's 11:00 follow-up, then 1: a box "Cancel the appointment"
        with "García, María" in bold and "Follow-up with Dr. Patel, Tue, Dec 1, 2026 at
        11:00" under it; "Who or what cancelled? One key:" with 1 Patient (highlighted),
        2 Provider, 3 Weather, 4 Other; "Late cancel: within 24 hours of the visit." in
        yellow; the Reason box focused and empty, its placeholder "needed when the cause
        is other"; the hint "1-4 who cancelled · ⏎ on the reason cancels · Esc keeps
        it"."""
        schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                      by=clinic.desk)

        async def asked(pilot: Pilot) -> None:
            await _cursor(pilot, 0, time(11))
            await pilot.press("x")
            await settle(pilot)
            await pilot.press("1")
            no_blink(pilot)
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=asked)
