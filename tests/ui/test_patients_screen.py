"""Finding a patient by keys: F3, type, arrow down, enter."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from frontdesk import audit, patients, staff
from screens.app import FrontdeskApp
from screens.patients import PAUSE, PatientsScreen
from screens.widgets.patient_picker import PatientPicker
from tests.ui.helpers import screen_text, settle


def _desk() -> staff.Staff:
    return staff.Staff.get(staff.Staff.username == "desk")


async def searched(pilot) -> None:
    """Past the typing pause, and the search drawn."""
    await pilot.pause(PAUSE + 0.05)
    await settle(pilot)


def _some_patient() -> patients.Patient:
    return patients.Patient.select().order_by(patients.Patient.id).first()


async def test_f3_opens_patients_with_the_box_ready_for_typing(demo_db) -> None:
    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientsScreen)
        assert pilot.app.screen.query_one("#query", Input).has_focus


async def test_typing_a_name_lists_the_patient_and_audits_the_search(demo_db) -> None:
    someone = _some_patient()
    typed = f"{someone.last_name[:4]} {someone.first_name[:3]}"
    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*typed)
        await searched(pilot)
        screen = pilot.app.screen
        assert someone.id in [hit.patient_id for hit in screen.hits]
        assert "found, best match first" in screen_text(pilot)
        assert someone.mrn in screen_text(pilot) or len(screen.hits) > 15
    searches = audit.AuditEvent.select().where(audit.AuditEvent.action == "patient.searched")
    assert typed in [event.subject for event in searches]


async def test_a_stale_answer_never_replaces_a_newer_query(demo_db) -> None:
    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3", *"zzqx")
        await searched(pilot)
        screen = pilot.app.screen
        old = patients.search(_some_patient().last_name)
        picker = screen.query_one(PatientPicker)
        picker.post_message(PatientPicker.Searched("something typed before", old))
        await settle(pilot)
        assert screen.hits == []
        assert "Nobody fits \"zzqx\"" in screen_text(pilot)


async def test_down_goes_to_the_list_and_typing_there_goes_back_to_the_box(demo_db) -> None:
    someone = _some_patient()
    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3", *someone.last_name)
        await searched(pilot)
        await pilot.press("down")
        table = pilot.app.screen.query_one("#results", DataTable)
        assert table.has_focus
        await pilot.press("x")
        box = pilot.app.screen.query_one("#query", Input)
        assert box.has_focus and box.value == someone.last_name + "x"


async def test_escape_clears_the_box_and_the_list(demo_db) -> None:
    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3", *_some_patient().last_name)
        await searched(pilot)
        assert pilot.app.screen.hits
        await pilot.press("escape")
        await searched(pilot)
        assert pilot.app.screen.query_one("#query", Input).value == ""
        assert pilot.app.screen.hits == []


async def test_open_is_greyed_out_with_nothing_found(demo_db) -> None:
    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert pilot.app.screen.check_action("open", ()) is None
        await pilot.press("enter")  # nothing to open: nothing happens, nothing breaks
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientsScreen)


async def test_enter_on_a_found_patient_opens_their_record(demo_db) -> None:
    from screens.patient import PatientScreen

    someone = _some_patient()
    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3", *someone.mrn)
        await searched(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientScreen)
        assert someone.mrn in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientsScreen)
        assert pilot.app.screen.query_one("#query", Input).value == someone.mrn


async def test_ctrl_n_registers_starting_from_what_was_searched(demo_db) -> None:
    from screens.register import RegisterForm

    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3", *"zzqx, anna 3/4/1980")
        await searched(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, RegisterForm)
        assert (form.prefill.last_name, form.prefill.first_name, form.prefill.dob) == (
            "Zzqx", "Anna", "03/04/1980")


async def test_the_palette_finds_a_patient_and_opens_the_record(demo_db) -> None:
    from screens.patient import PatientScreen

    someone = _some_patient()
    async with FrontdeskApp(signed_in=_desk()).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *someone.mrn)
        await pilot.pause(0.5)
        await settle(pilot)
        assert f"MRN {someone.mrn}" in screen_text(pilot)
        await pilot.press("enter")
        await pilot.pause(0.2)
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientScreen)
        assert pilot.app.current_mode.startswith("patients:")
