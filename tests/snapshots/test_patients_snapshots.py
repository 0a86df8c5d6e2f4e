"""Patients (F3) as pictures (see test_snapshots.py for how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk import patients, staff
from screens.app import FrontdeskApp
from screens.patients import PAUSE
from tests.ui.helpers import no_blink, settle


class TestPatients:
    def test_search_results_at_80x24(self, snap_compare, demo_db) -> None:
        """Dana searched "smi" in the Patients area (F3 is off the key bar: she is
        there): the box holds "smi"; the line under it says how many were found, best
        match first; the table lists Patient (last, first), Born (age) as 12/01/1987
        (39), Phone in national form, Next (the date of the next booked visit, or the
        time when it is today), MRN, and short flags (owes, forms, inactive,
        deceased); the key bar shows ⏎ Open, ^n New patient, esc Clear."""
        desk = staff.Staff.get(staff.Staff.username == "desk")
        patients.Patient.update(balance_cents=2500).where(
            patients.Patient.last_key.startswith("smi")).execute()

        async def searched(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("f3", *"smi")
            await pilot.pause(PAUSE + 0.05)
            await settle(pilot)
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=desk), terminal_size=(80, 24),
                            run_before=searched)
