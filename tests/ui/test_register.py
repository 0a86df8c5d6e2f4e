"""Registering a patient by keys: refusals keep the form, a possible duplicate is
offered instead, and the new patient's record opens with the MRN the program gave."""

from __future__ import annotations

from textual.widgets import Input

from frontdesk import audit, schedule
from frontdesk.patients import Patient
from screens.app import FrontdeskApp
from screens.patient import PatientScreen
from screens.register import DuplicateWarning, RegisterForm, open_registration
from tests.conftest import TODAY
from tests.ui.helpers import screen_text, settle


async def _form(pilot) -> RegisterForm:
    await settle(pilot)
    open_registration(pilot.app.screen)
    await settle(pilot)
    assert isinstance(pilot.app.screen, RegisterForm)
    return pilot.app.screen


async def _type_patient(pilot, first: str, last: str, dob: str, sex: str, mobile: str) -> None:
    """As staff type: each field, then Enter to the next (the middle name left empty)."""
    await pilot.press(*first, "enter", "enter", *last, "enter", *dob, "enter", *sex, "enter",
                      *mobile)


def _value(form: RegisterForm, field: str) -> str:
    return form.query_one(f"#{field}", Input).value


async def test_a_bad_phone_is_refused_naming_it_and_the_form_is_kept(desk_user) -> None:
    before = Patient.select().count()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _form(pilot)
        await _type_patient(pilot, "Zoë", "Nguyễn", "3/4/80", "f", "617 555")
        await pilot.pause()
        assert "→ Tue, Mar 4, 1980 · age 46" in screen_text(pilot)  # the date said back
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "Phone number \"617 555\": it is too short." in screen_text(pilot)
        assert form.query_one("#phone_mobile", Input).has_focus
        assert [_value(form, f) for f in ("first_name", "last_name", "dob", "sex")] == [
            "Zoë", "Nguyễn", "3/4/80", "f"]
        # Control characters are refused with the field named, not stripped quietly.
        form.query_one("#phone_mobile", Input).value = "617 555 0123"
        form.query_one("#city", Input).value = "Bos\x1b[2Jton"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "City holds control characters" in str(form.query_one("#refusal").content)
        assert form.query_one("#city", Input).has_focus
    assert Patient.select().count() == before  # nothing half-saved


async def test_a_possible_duplicate_is_offered_and_can_be_opened_instead(desk_user) -> None:
    known = Patient.get_by_id(schedule.day(TODAY).appointments[0].patient_id)
    before = Patient.select().count()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _form(pilot)
        # A typo in the last name, the right birthday, a new phone.
        await _type_patient(pilot, known.first_name, known.last_name + "e",
                            known.dob.strftime("%m/%d/%Y"), known.sex, "617 555 0188")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DuplicateWarning)
        text = screen_text(pilot)
        assert f"MRN {known.mrn}" in text and known.filed_name in text, text
        await pilot.press("escape")  # back to the form, everything still typed
        await settle(pilot)
        assert pilot.app.screen is form
        assert _value(form, "phone_mobile") == "617 555 0188"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")  # open the one found instead
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientScreen)
        assert pilot.app.screen.patient_id == known.id
        assert f"MRN {known.mrn}" in screen_text(pilot)
    assert Patient.select().count() == before
    shown = audit.AuditEvent.select().where(audit.AuditEvent.action == "patient.duplicates_shown")
    assert shown.count() == 2


async def test_register_anyway_opens_the_new_record_with_its_mrn(desk_user) -> None:
    known = Patient.get_by_id(schedule.day(TODAY).appointments[0].patient_id)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _form(pilot)
        await _type_patient(pilot, known.first_name, known.last_name,
                            known.dob.strftime("%m/%d/%Y"), "m", "617 555 0188")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DuplicateWarning)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientScreen)
        new = Patient.get_by_id(pilot.app.screen.patient_id)
        assert new.id != known.id and new.mrn != known.mrn
        text = screen_text(pilot)
        assert f"MRN {new.mrn}" in text and "(617) 555-0188" in text, text


async def test_a_patient_without_duplicates_is_registered_at_the_last_enter(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _form(pilot)
        await _type_patient(pilot, "Ngọc Anh", "Trần-Lê", "12/25/1990", "x", "617 555 0123")
        form.query_one("#alerts", Input).focus()
        await pilot.press(*"Prefers text messages", "enter")  # the last field sends it
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientScreen)
        text = screen_text(pilot)
        assert "Trần-Lê, Ngọc Anh" in text and "⚠ Prefers text messages" in text, text
    new = Patient.get(Patient.last_name == "Trần-Lê")
    assert (new.first_name, new.sex, new.alerts) == ("Ngọc Anh", "X", "Prefers text messages")
