"""The patient record by keys: open it, jump between sections, edit, verify, and a
stale edit refused with what was typed kept."""

from __future__ import annotations

from textual.widgets import Input, TabbedContent

from frontdesk import audit, patients, schedule
from frontdesk.patients import Patient
from screens.app import FrontdeskApp
from screens.patient import PatientScreen
from screens.register import RegisterForm
from tests.conftest import TODAY
from tests.ui.helpers import screen_text, settle


def _first_patient_of_today() -> Patient:
    return Patient.get_by_id(schedule.day(TODAY).appointments[0].patient_id)


async def _open(pilot, patient_id: int) -> PatientScreen:
    await settle(pilot)
    await pilot.app.push_screen(PatientScreen(patient_id))
    await settle(pilot)
    return pilot.app.screen


async def test_the_record_opens_audited_with_its_sections_one_key_away(desk_user) -> None:
    patient = _first_patient_of_today()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, patient.id)
        text = screen_text(pilot)
        assert patient.filed_name in text and f"MRN {patient.mrn}" in text, text
        assert "1 Details" in text and "4 Forms" in text
        assert "Born" in text and "Contacts" in text
        await pilot.press("3")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "visits"
        text = screen_text(pilot)
        assert "Upcoming" in text and "Past" in text
        await pilot.press("2")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "insurance"
        await pilot.press("4")
        await pilot.pause()
        assert "Medical history" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, PatientScreen)
    viewed = audit.AuditEvent.select().where(audit.AuditEvent.action == "patient.viewed",
                                             audit.AuditEvent.patient_id == patient.id)
    assert viewed.count() == 1


async def test_e_edits_the_demographics_and_the_record_shows_the_change(desk_user) -> None:
    patient = _first_patient_of_today()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, patient.id)
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, RegisterForm)
        assert form.query_one("#last_name", Input).value == patient.last_name
        form.query_one("#alerts", Input).focus()
        await pilot.press(*"Needs a Spanish interpreter", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientScreen)
        assert "⚠ Needs a Spanish interpreter" in screen_text(pilot)
    stored = Patient.get_by_id(patient.id)
    assert stored.alerts == "Needs a Spanish interpreter"
    assert stored.version == patient.version + 1


async def test_a_bad_value_in_an_edit_is_refused_in_the_form(desk_user) -> None:
    patient = _first_patient_of_today()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, patient.id)
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#zip", Input).value = "123"
        form.query_one("#city", Input).value = "Springfield"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "ZIP \"123\" must be 5 digits" in str(form.query_one("#refusal").content)
        assert form.query_one("#zip", Input).has_focus
        assert form.query_one("#city", Input).value == "Springfield"
    assert Patient.get_by_id(patient.id).version == patient.version


async def test_a_stale_edit_is_refused_and_what_was_typed_is_kept(desk_user) -> None:
    patient = _first_patient_of_today()
    manager = patients.Staff.get(patients.Staff.username == "manager")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, patient.id)
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#email", Input).focus()
        form.query_one("#email", Input).value = ""
        await pilot.press(*"new@example.com")
        # Meanwhile, at another terminal (this thread's own connection, not the app's
        # workers'), a manager saves a change to the same patient.
        theirs = patients.record(patient.id, by=manager).draft()
        theirs.city = "Worcester"
        patients.update(patient.id, theirs, version=patient.version, by=manager)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        refusal = str(form.query_one("#refusal").content)
        assert f"changed by {manager.name} at 10:20" in refusal, refusal
        assert form.query_one("#email", Input).value == "new@example.com"
        assert "changed by" in screen_text(pilot)
    stored = Patient.get_by_id(patient.id)
    assert (stored.city, stored.email) == ("Worcester", patient.email)


async def test_v_marks_the_demographics_verified(desk_user) -> None:
    patient = _first_patient_of_today()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, patient.id)
        await pilot.press("v")
        await settle(pilot)
        assert f"by {desk_user.name}" in screen_text(pilot)
    assert Patient.get_by_id(patient.id).verified_by_id == desk_user.id
