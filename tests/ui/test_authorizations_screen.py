"""Referrals and authorizations by keys: the worklist in its order, an answer from the
payer recorded from it (a refusal keeps what was typed), a patient's own list, and the
warning before booking a specialist without a referral."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Input, Select

from frontdesk import insurance, referrals, slots
from frontdesk.dates import short
from frontdesk.insurance import Coverage
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.referrals import Referral
from frontdesk.schedule import Appointment, AppointmentType
from screens.app import FrontdeskApp
from screens.authorizations import AuthorizationsScreen, PatientReferrals, ReferralForm
from screens.booking import BookForm, Confirm
from screens.patient import PatientScreen
from tests.conftest import TODAY
from tests.ui.helpers import screen_text, settle, type_into


async def _worklist(pilot) -> AuthorizationsScreen:
    await settle(pilot)
    await pilot.app.push_screen(AuthorizationsScreen())
    await settle(pilot)
    return pilot.app.screen


async def test_the_worklist_puts_follow_ups_first_then_expiring_then_used_up(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _worklist(pilot)
        reasons = [item.reason for item in screen.items]
        assert reasons == ["follow-up 3 days late", "ends in 6 days", "all 3 visits used"]
        text = screen_text(pilot)
        assert "Referrals/auths to act on: 1 follow-up late · 1 expiring · 1 used up" in text
        assert "follow-up 3 days late" in text and "Auth" in text
        assert screen.query_one(DataTable).row_count == 3


async def test_recording_the_approval_from_the_worklist(desk_user) -> None:
    pending = Referral.get(Referral.status == "pending")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _worklist(pilot)
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ReferralForm)
        assert form.query_one("#service", Input).value == "Echocardiogram, transthoracic"
        form.query_one("#status", Select).value = "approved"
        await type_into(pilot, "#ends_on", "3/1/2027")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "An approved one has the payer's number" in screen_text(pilot)
        assert form.focused is form.query_one("#number", Input)
        assert form.query_one("#ends_on", Input).value == "3/1/2027"  # kept
        assert form.query_one("#status", Select).value == "approved"
        await type_into(pilot, "#number", "pa-5521")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "follow-up" not in screen_text(pilot)
    approved = referrals.get(pending.id)
    assert (approved.status, approved.number, short(approved.ends_on)) == (
        "approved", "PA-5521", "03/01/2027")


async def test_r_on_the_record_lists_the_patient_s_and_adds_one(desk_user) -> None:
    referral = Referral.get(Referral.units_used == 4)
    cardiologist = Provider.get_by_id(referral.to_provider_id)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(PatientScreen(referral.patient_id))
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, PatientReferrals)
        text = screen_text(pilot)
        assert referral.number in text and "2/6" in text and "approved" in text
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ReferralForm)
        form.query_one("#to_provider", Select).value = cardiologist.id
        await type_into(pilot, "#from_name", "Dr. Lee")
        await type_into(pilot, "#units_authorised", "four")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Visits authorized must be a whole number" in screen_text(pilot)
        assert form.query_one("#from_name", Input).value == "Dr. Lee"
        form.query_one("#units_authorised", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.query_one(DataTable).row_count == 2
    added = Referral.select().order_by(Referral.id.desc()).first()
    assert (added.status, added.units_authorised, added.follow_up_on) == (
        "requested", 4, TODAY + timedelta(days=referrals.FOLLOW_UP_DAYS))


# -- booking ---------------------------------------------------------------------------------


def _hmo_patient_without_referral() -> Patient:
    referred = Referral.select(Referral.patient)
    for coverage in (Coverage.select().where(Coverage.referrals_required, Coverage.rank == 1,
                                             Coverage.patient.not_in(referred))
                     .order_by(Coverage.id)):
        if insurance.coverage_on(coverage.patient, TODAY + timedelta(days=1)):
            return coverage.patient
    raise AssertionError("the demo has no HMO patient without a referral")


async def test_booking_a_specialist_without_a_referral_warns_and_staff_may_go_on(desk_user):
    patient = _hmo_patient_without_referral()
    cardiologist = Provider.get(Provider.specialty == "Cardiology")
    kind = AppointmentType.get(AppointmentType.name == "Follow-up")
    (on, at), = slots.free_slots(cardiologist, kind, start=TODAY + timedelta(days=1), days=20,
                                 count=1, patient_id=patient.id)
    before = Appointment.select().where(Appointment.patient == patient.id).count()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(BookForm(patient_id=patient.id,
                                             patient_name=patient.filed_name))
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#provider", Select).value = cardiologist.id
        form.query_one("#type", Select).value = kind.id
        form.query_one("#day", Input).value = ""
        await type_into(pilot, "#day", short(on))
        await type_into(pilot, "#at", at.strftime("%H:%M"))
        form.query_one("#note", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Confirm)
        text = screen_text(pilot)
        assert "is a specialist and" in text and "requires a referral" in text
        assert "y books anyway" in text
        await pilot.press("n")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "Not booked" in screen_text(pilot)
        assert Appointment.select().where(Appointment.patient == patient.id).count() == before
        form.query_one("#note", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Confirm)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, (BookForm, Confirm))
    assert Appointment.select().where(Appointment.patient == patient.id).count() == before + 1
