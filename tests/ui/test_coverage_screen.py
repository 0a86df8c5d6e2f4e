"""A patient's coverages by keys (`i` on the record): add from the card with a bad member
ID refused and every field kept, a stale edit refused, ending one, making one primary;
and at check-in, what to collect today with its working and the visits left."""

from __future__ import annotations

from datetime import date

import peewee as pw
from textual.widgets import DataTable, Input, Select

from frontdesk import insurance
from frontdesk.insurance import Coverage, Payer
from frontdesk.patients import Patient
from frontdesk.referrals import Referral
from frontdesk.schedule import Appointment
from screens.app import FrontdeskApp
from screens.checkin import CheckInPanel
from screens.coverage import CoverageForm, CoverageScreen, EndCoverage
from screens.patient import PatientScreen
from tests.ui.helpers import screen_text, settle, type_into


def _uncovered() -> Patient:
    covered = Coverage.select(Coverage.patient)
    return Patient.select().where(Patient.id.not_in(covered)).order_by(Patient.id).first()


def _covered() -> Patient:
    one = (Coverage.select(Coverage.patient).group_by(Coverage.patient)
           .having(pw.fn.COUNT(Coverage.id) == 1).order_by(Coverage.patient).first())
    return Patient.get_by_id(one.patient_id)


async def _coverages_of(pilot, patient: Patient) -> CoverageScreen:
    await settle(pilot)
    await pilot.app.push_screen(PatientScreen(patient.id))
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CoverageScreen)
    return pilot.app.screen


async def _clear_and_type(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector, Input).value = ""
    await type_into(pilot, selector, text)


async def test_a_bad_member_id_is_refused_and_the_form_keeps_every_field(desk_user) -> None:
    patient = _uncovered()
    aetna = Payer.get(Payer.name == "Aetna")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _coverages_of(pilot, patient)
        assert "No coverage on file" in screen_text(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CoverageForm)
        form.query_one("#payer", Select).value = aetna.id
        await pilot.pause()
        assert form.query_one("#plan_type", Select).value == "PPO"  # Aetna's first plan
        await type_into(pilot, "#member_id", "W12 3456")
        await type_into(pilot, "#group_number", "G77")
        await type_into(pilot, "#copay", "25")
        await type_into(pilot, "#effective_on", "1/1/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "Member ID has a space in it; type it as on the card" in screen_text(pilot)
        typed = {name: form.query_one(f"#{name}", Input).value
                 for name in ("member_id", "group_number", "copay", "effective_on")}
        assert typed == {"member_id": "W12 3456", "group_number": "G77", "copay": "25",
                         "effective_on": "1/1/2026"}
        assert form.query_one("#payer", Select).value == aetna.id
        assert form.focused is form.query_one("#member_id", Input)
        assert not Coverage.select().where(Coverage.patient == patient.id).exists()
        await _clear_and_type(pilot, "#member_id", "W123456")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CoverageScreen)
        assert "W123456" in screen_text(pilot)
    stored = Coverage.get(Coverage.patient == patient.id)
    assert (stored.member_id, stored.copay_cents, stored.group_number, stored.effective_on) == (
        "W123456", 2500, "G77", date(2026, 1, 1))


async def test_a_stale_edit_is_refused_with_what_was_typed_kept(desk_user) -> None:
    patient = _covered()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _coverages_of(pilot, patient)
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CoverageForm)
        # Meanwhile another terminal corrects the group number.
        other = Coverage.get(Coverage.patient == patient.id)
        insurance.update_coverage(other, version=other.version, by=desk_user,
                                  group_number="G-OTHER")
        await _clear_and_type(pilot, "#copay", "45")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "Someone else changed" in screen_text(pilot)
        assert form.query_one("#copay", Input).value == "45"
    stored = Coverage.get(Coverage.patient == patient.id)
    assert stored.group_number == "G-OTHER" and stored.copay_cents != 4500


async def test_x_ends_a_coverage_and_it_stays_on_file(desk_user) -> None:
    patient = _covered()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _coverages_of(pilot, patient)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(pilot.app.screen, EndCoverage)
        await _clear_and_type(pilot, "#ends_on", "yesterday")
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CoverageScreen)
        assert screen.query_one(DataTable).row_count == 1
        assert "ended" in screen_text(pilot)
    assert Coverage.get(Coverage.patient == patient.id).ends_on == date(2026, 11, 30)


async def test_1_makes_the_secondary_primary(desk_user) -> None:
    patient = _covered()
    first = Coverage.get(Coverage.patient == patient.id)
    cigna = Payer.get(Payer.name == "Cigna")
    second = insurance.add_coverage(patient, cigna, plan_type="PPO", member_id="C22", rank=2,
                                    effective_on=date(2026, 1, 1), by=desk_user)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _coverages_of(pilot, patient)
        table = screen.query_one(DataTable)
        table.move_cursor(row=[c.id for c in screen.found.coverages].index(second.id))
        await pilot.pause()
        await pilot.press("1")
        await settle(pilot)
        assert screen.found.coverages[0].id == second.id
    assert Coverage.get_by_id(second.id).rank == 1 and Coverage.get_by_id(first.id).rank == 2


# -- at check-in -----------------------------------------------------------------------------


async def test_check_in_shows_what_to_collect_its_working_and_the_visits_left(desk_user) -> None:
    referral = Referral.get(Referral.units_used == 4)
    visit = (Appointment.select().where(Appointment.patient == referral.patient_id,
                                        Appointment.provider == referral.to_provider_id)
             .order_by(Appointment.start).first())
    Patient.update(balance_cents=4000).where(Patient.id == referral.patient_id).execute()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(CheckInPanel(visit.id))
        await settle(pilot)
        text = screen_text(pilot)
        assert "2 of 6 visits left" in text
        assert "Collect" in text and "+ balance $40.00" in text
        assert "w: working" in text and "Allowed $" not in text
        await pilot.press("w")
        await pilot.pause()
        text = screen_text(pilot)
        assert "· Allowed $" in text
        assert "· Not verified with" in text or " benefits " in text
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CoverageScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckInPanel)
