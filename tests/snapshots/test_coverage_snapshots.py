"""Coverages, the estimate at check-in, and the referral worklist as pictures (see
test_snapshots.py for how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk.insurance import Coverage
from frontdesk.patients import Patient
from frontdesk.referrals import Referral
from frontdesk.schedule import Appointment
from screens.app import FrontdeskApp
from screens.authorizations import AuthorizationsScreen
from screens.checkin import CheckInPanel
from screens.coverage import CoverageScreen
from tests.ui.helpers import no_blink, settle


def _showing(make, *keys: str):
    async def shown(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(make())
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        no_blink(pilot)
        await pilot.pause()

    return shown


class TestCoverageForm:
    def test_editing_a_coverage_on_a_spouse_s_card_at_80x24(self, snap_compare, desk_user):
        """Over the patient's coverage list, a box titled "Edit coverage · <filed name>",
        row by row: Payer and Plan (list boxes, filled in); Member ID and Group; Rank "1
        Primary" and "Patient is spouse of"; the Subscriber's first and last name and
        "Born" date; From (the effective date) and To (the "no end" hint) with "→ <weekday,
        month day, year> to no end" beside them; Copay and Specialist (or their "not
        known" hints) and the Referrals required box, ticked only when the plan wants
        them; the hint line. The key bar reads ^s Save, esc Close. Nothing is cut off."""
        coverage = (Coverage.select().where(Coverage.subscriber_relationship == "spouse")
                    .order_by(Coverage.id).first())
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=_showing(lambda: CoverageScreen(coverage.patient_id),
                                                "enter"))


class TestCheckInEstimate:
    def test_check_in_with_what_to_collect_and_its_working_at_80x24(self, snap_compare,
                                                                    desk_user):
        """The check-in box of the demo's HMO patient seeing the cardiologist this
        afternoon: Coverage (the HMO, member ID, copay); "Referral  2 of 6 visits left ·
        R<number> · until 03/31/27"; "Collect  $<n> today: estimate $<n> + balance
        $40.00" in yellow, and under it the working, one line each starting "·":
        "Allowed $<amount> (<code>)", "Not verified with <payer>: the card's copay",
        and the specialist copay as on the card (or what is not known). The key bar reads
        ⏎ Arrived, v Confirmed, e Edit, p Payment, i Coverage, esc Cancel."""
        referral = Referral.get(Referral.units_used == 4)
        visit = (Appointment.select()
                 .where(Appointment.patient == referral.patient_id,
                        Appointment.provider == referral.to_provider_id)
                 .order_by(Appointment.start).first())
        Patient.update(balance_cents=4000).where(Patient.id == referral.patient_id).execute()
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=_showing(lambda: CheckInPanel(visit.id), "w"))


class TestAuthorizations:
    def test_the_worklist_at_80x24(self, snap_compare, desk_user):
        """"Referrals/auths to act on: 1 follow-up late · 1 expiring · 1 used up";
        a table Why / Patient / What / To / Number with, in this order, "follow-up 3 days
        late" (red) for an Auth with no number, "ends in 6 days" (yellow) for a Referral to
        Cardiology, "all 3 visits used" (magenta) for a Referral to a provider; under the
        table the first one's patient, MRN, payer, "pending · 1 visit asked for · follow
        up 11/28/2026". Key bar: ⏎ Edit, r Patient's, o Patient, esc Back."""
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=_showing(AuthorizationsScreen))
