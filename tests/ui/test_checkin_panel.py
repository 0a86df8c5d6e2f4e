"""Check-in (`a`) and check-out (`o`) from the schedule, driven with keys at 80x24."""

from __future__ import annotations

from datetime import timedelta

from frontdesk import clock, forms, schedule
from frontdesk.patients import Patient
from frontdesk.schedule import Appointment, Status
from screens.app import FrontdeskApp
from screens.checkin import CheckInPanel, CheckOutPanel
from screens.register import RegisterForm
from screens.schedule import ScheduleScreen
from tests.conftest import TODAY
from tests.ui.helpers import grid, screen_text, settle


def _app(desk_user) -> FrontdeskApp:
    return FrontdeskApp(signed_in=desk_user)


def _today(status: Status, *, forms_due: bool = False) -> schedule.DayAppointment:
    appointments = [a for a in schedule.day(TODAY).appointments if a.status is status]
    if forms_due:
        due = forms.due([a.patient_id for a in appointments], TODAY)
        appointments = [a for a in appointments if due[a.patient_id]]
    return appointments[0]


async def _open(pilot, appointment: schedule.DayAppointment, key: str) -> None:
    await settle(pilot)
    grid(pilot).go_to_appointment(appointment)
    await pilot.pause()
    await pilot.press(key)
    await settle(pilot)


def _status_on_grid(pilot, appointment_id: int) -> Status:
    return next(a.status for a in grid(pilot).day.appointments if a.id == appointment_id)


async def test_check_in_confirms_the_demographics_and_marks_the_arrival(desk_user) -> None:
    appointment = _today(Status.SCHEDULED, forms_due=True)
    due = [f.label for f in forms.states(appointment.patient_id, TODAY) if f.due]
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, appointment, "a")
        assert isinstance(pilot.app.screen, CheckInPanel)
        text = screen_text(pilot)
        assert appointment.patient in text and appointment.mrn in text
        assert "Forms due" in text and due[0] in text
        assert "[ ] Demographics confirmed" in text
        await pilot.press("v")
        await pilot.pause()
        assert "[x] Demographics confirmed" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert _status_on_grid(pilot, appointment.id) is Status.ARRIVED
    stored = Appointment.get_by_id(appointment.id)
    assert stored.status == Status.ARRIVED and stored.arrived_at == clock.now()
    patient = Patient.get_by_id(appointment.patient_id)
    assert patient.verified_at == clock.now() and patient.verified_by_id == desk_user.id


async def test_arriving_without_confirming_leaves_verification_alone(desk_user) -> None:
    appointment = _today(Status.CONFIRMED)
    before = Patient.get_by_id(appointment.patient_id).verified_at
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, appointment, "a")
        await pilot.press("enter")
        await settle(pilot)
        assert _status_on_grid(pilot, appointment.id) is Status.ARRIVED
    assert Patient.get_by_id(appointment.patient_id).verified_at == before


async def test_escape_changes_nothing(desk_user) -> None:
    appointment = _today(Status.SCHEDULED)
    version = Patient.get_by_id(appointment.patient_id).version
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, appointment, "a")
        await pilot.press("v", "escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
    assert Appointment.get_by_id(appointment.id).status == Status.SCHEDULED
    assert Patient.get_by_id(appointment.patient_id).version == version


async def test_a_stale_panel_shows_the_refusal_and_then_works(desk_user) -> None:
    appointment = _today(Status.SCHEDULED)
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, appointment, "a")
        schedule.confirm(schedule.get(appointment.id), by=desk_user)  # another terminal
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckInPanel)
        text = screen_text(pilot)
        assert "look again before" in text, text
        assert Appointment.get_by_id(appointment.id).status == Status.CONFIRMED
        await pilot.press("enter")  # the panel has read it again: this one goes through
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
    assert Appointment.get_by_id(appointment.id).status == Status.ARRIVED


async def test_e_edits_the_demographics_and_counts_as_confirming(desk_user) -> None:
    appointment = _today(Status.SCHEDULED)
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, appointment, "a")
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, RegisterForm) and form.patient_id == appointment.patient_id
        field = form.query_one("#email")
        field.value = "new.address@example.org"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckInPanel)
        text = screen_text(pilot)
        assert "new.address@example.org" in text and "[x] Demographics confirmed" in text
        await pilot.press("enter")
        await settle(pilot)
    patient = Patient.get_by_id(appointment.patient_id)
    assert patient.email == "new.address@example.org" and patient.verified_at == clock.now()


async def test_check_in_is_greyed_where_it_cannot_happen(desk_user) -> None:
    arrived = _today(Status.ARRIVED)
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        grid(pilot).go_to_appointment(arrived)
        await pilot.pause()
        assert screen.check_action("check_in", ()) is None
        assert screen.check_action("check_out", ()) is True
        await pilot.press("a")  # greyed: nothing opens
        await pilot.pause()
        assert pilot.app.screen is screen
        await pilot.press("right_square_bracket")
        await settle(pilot)
        tomorrow = schedule.day(TODAY + timedelta(days=1)).appointments
        booked = next(a for a in tomorrow if a.status is Status.SCHEDULED)
        grid(pilot).go_to_appointment(booked)
        await pilot.pause()
        assert screen.check_action("check_in", ()) is None


async def test_check_out_offers_the_next_visit_and_books_one(desk_user) -> None:
    appointment = _today(Status.ARRIVED)
    before = Appointment.select().where(Appointment.patient == appointment.patient_id).count()
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, appointment, "o")
        panel = pilot.app.screen
        assert isinstance(panel, CheckOutPanel)
        assert Appointment.get_by_id(appointment.id).status == Status.CHECKED_OUT
        assert "Checked out at 10:20" in screen_text(pilot)
        assert len(panel.offers) == 5
        await pilot.press("m")  # a month from today
        await settle(pilot)
        assert panel.offers[0].on >= TODAY + timedelta(days=31)
        assert "in 1 month" in screen_text(pilot)
        await pilot.press("down")
        await pilot.pause()
        chosen = panel.offers[1]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert _status_on_grid(pilot, appointment.id) is Status.CHECKED_OUT
    booked = (Appointment.select().where(Appointment.patient == appointment.patient_id)
              .order_by(Appointment.id.desc()).first())
    assert Appointment.select().where(
        Appointment.patient == appointment.patient_id).count() == before + 1
    assert clock.local(booked.start) == chosen.start
    assert booked.provider_id == appointment.provider_id
    assert booked.status == Status.SCHEDULED


async def test_a_taken_offer_is_refused_in_the_panel(desk_user) -> None:
    appointment = _today(Status.ARRIVED)
    async with _app(desk_user).run_test(size=(80, 24)) as pilot:
        await _open(pilot, appointment, "o")
        panel = pilot.app.screen
        first = panel.offers[0]
        other = Patient.select().where(Patient.id != appointment.patient_id).first()
        schedule.book(other, schedule.Provider.get_by_id(first.provider_id),
                      schedule.AppointmentType.get_by_id(first.type_id), first.on, first.at,
                      by=desk_user)  # another terminal takes it
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is panel
        assert "already has" in screen_text(pilot)
        assert (panel.offers[0].on, panel.offers[0].at) != (first.on, first.at)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
