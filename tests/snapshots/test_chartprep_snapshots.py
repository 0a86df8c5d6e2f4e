"""Chart prep as pictures (see test_snapshots.py for how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk import chartprep, clock, forms
from frontdesk.patients import Patient
from screens.app import FrontdeskApp
from screens.chartprep import ChartPrepScreen
from tests.conftest import TODAY
from tests.ui.helpers import no_blink, settle


class TestChartPrep:
    def test_today_at_80x24(self, snap_compare, desk_user) -> None:
        """Chart prep for today, opened from the schedule with c. Under the header the
        title reads "Chart prep · Tue, Dec 1, 2026 (today)" and "N of M appointments
        need something"; the table lists Time, Patient, With (provider) and Needs (short
        words: Consent, History, Demographics, Insurance...), earliest first. The first
        row's chart was made ready (its patient verified and every form signed), so it
        shows "ready ✓" in green, and the title counts it out of those needing
        something. The cursor is on the first row with a form due (a few rows down);
        the box under the table spells that row out: name, MRN, time and provider, then
        " • Forms due: " and the forms' names, then " • Demographics never verified"
        (and the insurance line when that is missing too). The key bar shows ⏎ Open,
        s Forms signed, v Verified, n Next and esc Close, then the app's keys."""
        first = next(r for r in chartprep.worklist(TODAY) if not r.ready)
        assert not first.coverage, "the first row's insurance must be in order"

        async def opened(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            screen = pilot.app.screen
            assert isinstance(screen, ChartPrepScreen)
            # Cleared from another terminal while chart prep is open: the row stays, ready.
            Patient.update(verified_at=clock.now()).where(
                Patient.id == first.patient_id).execute()
            patient = Patient.get_by_id(first.patient_id)
            for kind in first.forms_due:
                forms.record(patient, kind, TODAY, by=pilot.app.signed_in)
            screen._load()
            await settle(pilot)
            while not screen.current.forms_due:
                await pilot.press("down")
            await settle(pilot)
            no_blink(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=opened)

    def test_forms_signed_dialog_at_80x24(self, snap_compare, desk_user) -> None:
        """s on a row with forms due: over chart prep, a box titled "Forms signed ·"
        with the patient's name and MRN; "Signed on" holds 12/01/2026 with "Tue, Dec 1,
        2026" under it; then the forms due, one a line, each with its key in bold (its
        first letter: r Registration form, c Consent to treat...); the first is
        highlighted; under them, on one line, the hint "A form's key records it · Tab:
        the date · Esc closes"."""
        row = next(r for r in chartprep.worklist(TODAY) if len(r.forms_due) >= 3)

        async def opened(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            screen = pilot.app.screen
            index = next(i for i, r in enumerate(screen._rows)
                         if r.appointment_id == row.appointment_id)
            screen.query_one("DataTable").move_cursor(row=index)
            await pilot.pause()
            await pilot.press("s")
            await settle(pilot)
            no_blink(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=opened)
