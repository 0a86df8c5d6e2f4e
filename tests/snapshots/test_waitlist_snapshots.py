"""The waitlist, its form and the offers after a cancellation, as pictures (see
test_snapshots.py for how to review one)."""

from __future__ import annotations

from datetime import time, timedelta

from textual.pilot import Pilot

from frontdesk import schedule, waitlist
from screens.app import FrontdeskApp
from screens.waitlist import WaitlistOffers
from tests.conftest import TODAY
from tests.ui.helpers import no_blink, settle, until

TOMORROW = TODAY + timedelta(days=1)


def _two_waiting(clinic) -> None:
    waitlist.add(clinic.maria, provider=clinic.patel, kind=clinic.follow_up, earliest=TODAY,
                 latest=TODAY + timedelta(days=13), weekdays=[0, 2, 4],
                 part_of_day="morning", note="can come at short notice", by=clinic.desk)
    waitlist.add(clinic.john, earliest=TOMORROW, latest=TODAY + timedelta(days=30),
                 by=clinic.desk)


class TestWaitlist:
    def test_list_at_80x24(self, snap_compare, clinic) -> None:
        """`w` on the schedule: the header with the phone lines; "Waitlist: patients who
        would take an earlier time"; a table (Patient, With, Type, Days, When, Window)
        with "García, María  Dr. Patel  Follow-up  Mo We Fr  mornings  12/01-12/14"
        under the cursor and "O'Brien-Smith, John  any provider  any type  any day
        any time  12/02-12/31"; the line under the list reads "MRN 100001 · Tue, Dec 1,
        2026 to Mon, Dec 14, 2026 · Mon, Wed, Fri · can come at short notice"; the key
        bar starts a Add, d Remove, esc Close."""
        _two_waiting(clinic)

        async def listed(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=listed)

    def test_form_at_80x24(self, snap_compare, clinic) -> None:
        """`a` on the waitlist, "garc" typed: the "Add to the waitlist" form; Patient
        "garc" with "García, María  born 03/04/1980  MRN 100001" highlighted under it;
        With "Any provider", Type "Any type"; From 12/01/2026 To 12/28/2026; Days with
        seven empty boxes but Wed ticked (X); When "Any time"; an empty Note; the hint
        "⏎ next field, on the last saves · ^s saves · no day ticked: any day"; the key
        bar shows ^s Save and esc Close."""

        async def typed(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            form = pilot.app.screen
            form.query_one("#day2").value = True
            await pilot.press(*"garc")
            await until(pilot, lambda: bool(form.hits))
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=typed)

    def test_offers_at_80x24(self, snap_compare, clinic) -> None:
        """After John's 9:00 follow-up with Dr. Patel tomorrow is cancelled: "Offer the
        time to the waitlist" over the schedule; "Dr. Patel, Wed, Dec 2, 2026 9:00 is
        free (Follow-up, 15 min)." then "1 waiting would take it, first come first
        served:"; one highlighted line "García, María  Follow-up · Mon, Wed, Fri ·
        mornings · can come at short notice" (John is left out: it was his); the key bar
        shows ⏎ Book and esc Skip."""
        _two_waiting(clinic)
        waitlist.WaitlistEntry.update(weekdays="024").execute()
        booked = schedule.book(clinic.john, clinic.patel, clinic.follow_up, TOMORROW,
                               time(9), by=clinic.desk)
        schedule.cancel(booked, category="patient", by=clinic.desk)

        async def offered(pilot: Pilot) -> None:
            await settle(pilot)
            pilot.app.push_screen(WaitlistOffers(booked.id))
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=offered)
