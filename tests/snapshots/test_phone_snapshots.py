"""The phone lines as pictures (see test_snapshots.py for how to review one).

The small hand-made clinic, at the frozen instant (Tue 12/01/2026 10:20): María
García's mobile is shared with her son Diego (registered here), so a call from it
matches two patients.
"""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot

from frontdesk import clock, patients, phones
from screens.app import FrontdeskApp
from tests.conftest import NOW
from tests.ui.helpers import settle, until


def four_lines(clinic) -> None:
    """Line 1 ringing from John's home number for 12 s; line 2 answered by Dana (the
    person signed in) from the shared mobile; line 3 on hold for 2:35 by Dana (past
    the 2-minute threshold); line 4 on a call with Alex Admin, number withheld."""
    patients.register(patients.Draft(first_name="Diego", last_name="García", dob="5/6/2010",
                                     sex="M", phones={"mobile": "(617) 555-0142"}),
                      by=clinic.desk)
    with clock.frozen(NOW - timedelta(minutes=5)):
        phones.ring(2, "6175550142")
        phones.answer(2, version=phones.line(2).version, by=clinic.desk)
    with clock.frozen(NOW - timedelta(minutes=4)):
        phones.ring(3, "6175550199")
        phones.answer(3, version=phones.line(3).version, by=clinic.desk)
    with clock.frozen(NOW - timedelta(minutes=2, seconds=35)):
        phones.hold(3, version=phones.line(3).version, by=clinic.desk)
    with clock.frozen(NOW - timedelta(minutes=1)):
        phones.ring(4, "")
        phones.answer(4, version=phones.line(4).version, by=clinic.admin)
    with clock.frozen(NOW - timedelta(seconds=12)):
        phones.ring(1, "617-555-0199")


async def on_line_2(pilot: Pilot) -> None:
    await settle(pilot)
    await until(pilot, lambda: len(pilot.app.phone_lines) == 4)
    await pilot.press("f6")
    await settle(pilot)


class TestPhoneLines:
    def test_bar_and_call_screen_with_two_matched_patients(self, snap_compare,
                                                           clinic) -> None:
        """Second row, the phone bar: "F5 ☎ O'Brien-Sm… 12s" reversed (ringing);
        "F6 ● 2 patients · you" in bold; "F7 ‖ O'Brien-Smi… !2:35" flagged (red where
        there is colour); "F8 ● unknown… · Alex". Below it the call screen of line 2:
        "Line 2 (F6)  (617) 555-0142  · on call with you", "2 patients share this
        number: who is calling?", then "1 García, Diego" and "2 García, María" with
        birth dates, MRNs and "mobile", the first highlighted; the hint "1-2 or ⏎ opens
        the patient · / finds another patient · ^n registers the caller"; the key bar
        starts "⏎ Open  / Find  ^n New patient  f9 Hold"."""
        four_lines(clinic)
        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=on_line_2)

    def test_end_call_dialog(self, snap_compare, clinic) -> None:
        """The same call screen under a dialog "End the call on line 2: 2 patients
        (617) 555-0142", "How did it end?", then one key each in reverse: r resolved,
        m message taken, b appointment booked, t transferred, u triaged urgent, and
        "esc keeps the call going"."""
        four_lines(clinic)

        async def ending(pilot: Pilot) -> None:
            await on_line_2(pilot)
            await pilot.press("alt+e")
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=ending)
