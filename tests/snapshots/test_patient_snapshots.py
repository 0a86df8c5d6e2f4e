"""The patient record and the registration form as pictures (see test_snapshots.py for
how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk import patients, schedule
from frontdesk.patients import Patient
from screens.app import FrontdeskApp
from screens.patient import PatientScreen
from screens.register import RegisterForm
from tests.conftest import TODAY
from tests.ui.helpers import no_blink, settle


def _patient_with_alerts(desk_user) -> Patient:
    patient = Patient.get_by_id(schedule.day(TODAY).appointments[0].patient_id)
    draft = patients.record(patient.id, by=desk_user).draft()
    draft.alerts = "Needs a Spanish interpreter; hard of hearing (left ear)"
    patient = patients.update(patient, draft, version=patient.version, by=desk_user)
    patients.add_contact(patient, "Rosa Alvarez", "daughter", "617 555 0133", by=desk_user)
    return patient


class TestPatient:
    def test_record_at_80x24(self, snap_compare, desk_user) -> None:
        """The record of today's first patient on the Details tab. Under the header, a
        title bar with "Last, First", the MRN, birth date and (age) and sex; under it
        the alert in bold red, "⚠ Needs a Spanish interpreter; hard of hearing (left
        ear)", and a line of facts joined by " · " ("next:" with the day, time and
        provider of the next visit, the primary payer, "verify demographics" in
        yellow). Then the tabs "1 Details  2 Insurance  3 Visits  4 Forms" with
        Details active: Name, Born
        (date · age · sex), the phones by kind, Email, Address, "Verified: never
        confirmed with the patient" in yellow, Changed 12/01/2026 10:20 by Dana
        Whitfield, and under "Contacts" the daughter Rosa Alvarez (617) 555-0133. The
        key bar shows e Edit, v Verified, esc Back."""
        patient = _patient_with_alerts(desk_user)

        async def opened(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.app.push_screen(PatientScreen(patient.id))
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=opened)

    def test_registration_with_a_duplicate_warning(self, snap_compare, desk_user) -> None:
        """The registration form filled in for someone whose first name, last name and
        birth date match today's first patient (the phone is new): behind, the form
        with every field as typed and the DOB echoed with weekday and age; in front, an
        amber-bordered box "Already registered? 1 patient on file with the same birth
        date or phone and a similar name:" listing that patient as "Last, First",
        birth date (age), phone and MRN, under the cursor; the hint and the key bar
        offer ⏎ Open this one, r Register anyway, esc Back."""
        patient = Patient.get_by_id(schedule.day(TODAY).appointments[0].patient_id)

        async def warned(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.app.push_screen(RegisterForm())
            await settle(pilot)
            await pilot.press(*patient.first_name, "enter", "enter", *patient.last_name,
                              "enter", *patient.dob.strftime("%m/%d/%Y"), "enter",
                              *patient.sex, "enter", *"617 555 0188", "ctrl+s")
            await settle(pilot)
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=warned)
