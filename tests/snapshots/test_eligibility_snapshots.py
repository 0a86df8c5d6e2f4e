"""The insurance worklist and the by-hand verification, as pictures (see test_snapshots.py
for how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from screens.app import FrontdeskApp
from screens.eligibility import InsuranceScreen
from screens.verify import VerifyForm
from tests.ui.helpers import no_blink, settle


async def _worklist(pilot: Pilot) -> InsuranceScreen:
    await settle(pilot)
    await pilot.press("alt+v")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InsuranceScreen)
    return screen


class TestInsuranceWorklist:
    def test_worklist_at_80x24(self, snap_compare, desk_user) -> None:
        """alt+v on the demo clinic. Under the header and the phone lines, the title
        "Insurance verification · Tue 12/1 – Fri 12/4 · N of M visits to check"; the table's
        columns are When, Patient, With, Insurance (payer cut short, the plan type kept:
        "Aetna PPO", "Humana MA") and Checked. Exceptions come first, today's in time order
        (a visit already checked out is off the list): "never verified" and "no insurance"
        or "ended 10/31" (with "—" for the insurance); none of the rows shown reads "✓",
        the verified visits being further down. The cursor is on the first
        row; the pane under the table spells it out: name, MRN, DOB, the visit's day, time
        and provider; the payer, plan type, member ID and group; "Never verified" (or the
        problem) and a hint at v and x. The key bar shows ⏎ Open (greyed: nothing to open),
        v Verify, x Write 270, i Import 271, p Patient, [ Earlier and ] Later."""

        async def opened(pilot: Pilot) -> None:
            await _worklist(pilot)
            no_blink(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=opened)

    def test_verify_form_refusing_an_amount_at_80x24(self, snap_compare, desk_user) -> None:
        """v on the first row that has insurance: a box titled "Verify by hand" over the
        worklist, with the patient's name (bold), MRN and visit, then the payer, plan type
        and member ID. Active (y/n) holds "y"; Office copay holds "twenty" and Specialist
        "$40"; the other fields are empty with their dim hints ($, $ total, % patient...).
        Under the fields, in bold red: Office copay must be an amount such as 25.00, not
        "twenty". The focus is back in Office copay. The last line of the box reads
        "⏎ next field, saves on the last · ^s saves · blank: not said"; the key bar under
        it shows ^s Save and esc Close."""

        async def refused(pilot: Pilot) -> None:
            screen = await _worklist(pilot)
            index = next(i for i, item in enumerate(screen.items) if item.coverage_id)
            screen.query_one("DataTable").move_cursor(row=index)
            await pilot.pause()
            await pilot.press("v")
            await settle(pilot)
            assert isinstance(pilot.app.screen, VerifyForm)
            await pilot.press("y", "enter", *"twenty", "enter", *"$40", "ctrl+s")
            await settle(pilot)
            no_blink(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=refused)

    def test_a_271_answer_opened_at_80x24(self, snap_compare, desk_user) -> None:
        """enter on the first row whose newest check is an active answer from a 271: the
        "Verification" title, the patient's name (bold) and MRN, the payer with its payer
        ID, the plan type and member ID, "Checked 12/01/2026 9:20 from a 271
        (271-<payer ID>.x12), by Dana Whitfield", then "Status: ACTIVE" in green with the
        plan, and under it Office copay, Specialist copay, Deductible and remaining,
        Coinsurance, Out-of-pocket max and remaining, each an amount ($2,000, 20 %) or a
        dim "not given" where the payer did not say (never $0 for that). The key bar shows
        r Raw lines and esc Close."""

        async def opened(pilot: Pilot) -> None:
            screen = await _worklist(pilot)
            index = next(i for i, item in enumerate(screen.items)
                         if item.source == "271" and item.status == "active")
            screen.query_one("DataTable").move_cursor(row=index)
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=opened)
