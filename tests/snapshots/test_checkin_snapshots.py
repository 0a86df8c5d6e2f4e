"""The check-in and check-out panels as pictures (see test_snapshots.py for how to
review one)."""

from __future__ import annotations

from datetime import datetime, timezone

from textual.pilot import Pilot

from frontdesk import forms, schedule, staff
from frontdesk.demo import FRONT_DESK_USER
from frontdesk.patients import Patient
from frontdesk.schedule import Status
from screens.app import FrontdeskApp
from screens.schedule import ScheduleScreen
from tests.conftest import TODAY
from tests.ui.helpers import grid, settle, until


def _first(status: Status, *, forms_due: bool = False) -> schedule.DayAppointment:
    appointments = [a for a in schedule.day(TODAY).appointments if a.status is status]
    if forms_due:
        due = forms.due([a.patient_id for a in appointments], TODAY)
        appointments = [a for a in appointments if due[a.patient_id]]
    return appointments[0]


def _pressing(appointment: schedule.DayAppointment, key: str):
    async def opened(pilot: Pilot) -> None:
        await settle(pilot)
        grid(pilot).go_to_appointment(appointment)
        await pilot.pause()
        await pilot.press(key)
        await settle(pilot)
        if key == "o":  # the schedule behind shows the visit gone by the next look
            behind = next(s for s in pilot.app.screen_stack if isinstance(s, ScheduleScreen))
            await until(pilot, lambda: any(
                a.id == appointment.id and a.status is Status.CHECKED_OUT
                for a in behind.grid.day.appointments))
            await settle(pilot)

    return opened


class TestCheckIn:
    def test_check_in_panel_at_80x24(self, snap_compare, desk_user) -> None:
        """Over the schedule, a box titled "Check in · <filed name> · MRN <mrn>" for
        today's first scheduled appointment whose patient has forms due. Rows: Visit
        (11:xx-11:xx, type, provider's full name, "scheduled"); Demographics "last
        verified 3/4/2025 by Dana Whitfield" with a yellow "⚠ not this year"; Born,
        Phone, Address, Email indented under it; Coverage (payer, plan type, member
        id, copay or "copay unknown", or a yellow "none on file"); Forms due in bold;
        Collect "$40.00 today: estimate $0.00 + balance $40.00  w: working" (the
        estimate from the card's $0.00 copay, the total in yellow); Alert "Needs a
        Spanish interpreter" in reverse red. Below: "[ ] Demographics confirmed with
        the patient  (v)". The key bar reads ⏎ Arrived, v Confirmed, e Edit, p Payment,
        i Coverage, esc Cancel; nothing is cut off at 80x24."""
        appointment = _first(Status.SCHEDULED, forms_due=True)
        desk = staff.Staff.get(staff.Staff.username == FRONT_DESK_USER)
        Patient.update(alerts="Needs a Spanish interpreter", balance_cents=4000,
                       verified_at=datetime(2025, 3, 4, 15, 0, tzinfo=timezone.utc),
                       verified_by=desk.id).where(
            Patient.id == appointment.patient_id).execute()
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=_pressing(appointment, "a"))


class TestCheckOut:
    def test_check_out_panel_at_80x24(self, snap_compare, desk_user) -> None:
        """Over the schedule, a box titled "Check out · <filed name>" for today's first
        arrived appointment: "Checked out at 10:20 · <type> with <provider>"; "Next
        visit next working day, first free times:" and five offers (weekday, date,
        time, type, provider), the first highlighted, all on Wed, Dec 2, 2026 or later;
        under them, on one line, "From: n next day  w 1 wk  2 2 wk  m 1 mo  3 3 mo  6 6 mo
        y 1 yr" with the key n reversed as the one chosen. The key bar reads ⏎ Book
        and esc Done."""
        appointment = _first(Status.ARRIVED)
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=_pressing(appointment, "o"))
