"""The waitlist by keys: `w` on the schedule, add with the patient found as typed, remove;
and the offers after a cancellation, booked with enter."""

from __future__ import annotations

from datetime import time, timedelta

from textual.widgets import Input

from frontdesk import schedule, waitlist
from frontdesk.schedule import Appointment
from frontdesk.waitlist import WaitlistEntry
from screens.app import FrontdeskApp
from screens.schedule import ScheduleScreen
from screens.waitlist import WaitlistForm, WaitlistOffers, WaitlistScreen
from tests.conftest import TODAY
from tests.ui.helpers import no_blink, screen_text, settle, until

TOMORROW = TODAY + timedelta(days=1)


async def _waitlist(pilot) -> WaitlistScreen:
    await settle(pilot)
    await pilot.press("w")
    await settle(pilot)
    assert isinstance(pilot.app.screen, WaitlistScreen)
    return pilot.app.screen


async def test_w_lists_who_is_waiting_and_a_adds_someone(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _waitlist(pilot)
        assert "Nobody is waiting" in screen_text(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, WaitlistForm)
        no_blink(pilot)
        await pilot.press(*"garc")
        await until(pilot, lambda: form.hits and form.hits[0].last_name == "García")
        assert "García, María" in screen_text(pilot)
        await pilot.press("enter")  # the patient found; on to "With"
        assert form.focused.id == "provider"
        await pilot.press("tab", "tab", "tab")  # type, from, to
        assert form.focused.id == "latest"
        await pilot.press(*["backspace"] * 10, *"12/18/2026")
        await pilot.press("tab", "tab", "space")  # Mon off... Tue ticked
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, WaitlistScreen)
        entry = WaitlistEntry.get()
        assert (entry.patient_id, entry.provider_id, entry.type_id) == (clinic.maria.id, None,
                                                                        None)
        assert entry.latest == TODAY + timedelta(days=17) and entry.weekdays == "1"
        await until(pilot, lambda: "García, María" in screen_text(pilot))
        text = screen_text(pilot)
        assert "any provider" in text and "Tu " in text and "12/01-12/18" in text


async def test_a_refused_entry_keeps_what_was_typed_and_focuses_the_field(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _waitlist(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        await pilot.press("enter")  # nobody found yet: on to the next field
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Find the patient first" in screen_text(pilot)
        assert form.focused.id == "patient"
        await pilot.press(*"garc")
        await until(pilot, lambda: bool(form.hits))
        form.query_one("#latest", Input).value = "11/20/2026"
        form.query_one("#note", Input).value = "any cancellation"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "is before the first" in screen_text(pilot)
        assert form.focused.id == "latest"
        assert form.query_one("#note", Input).value == "any cancellation"
        assert WaitlistEntry.select().count() == 0
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, WaitlistScreen)


async def test_d_takes_the_patient_off(clinic) -> None:
    waitlist.add(clinic.maria, earliest=TODAY, latest=TOMORROW, by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _waitlist(pilot)
        await until(pilot, lambda: "García, María" in screen_text(pilot))
        await pilot.press("d")
        await settle(pilot)
        assert WaitlistEntry.get().state == "removed"
        await until(pilot, lambda: "Nobody is waiting" in screen_text(pilot))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)


async def test_the_offers_after_a_cancellation_book_the_one_chosen(clinic) -> None:
    booked = schedule.book(clinic.john, clinic.patel, clinic.new_patient, TOMORROW, time(9),
                           by=clinic.desk)
    schedule.cancel(booked, category="patient", by=clinic.desk)
    waitlist.add(clinic.maria, kind=clinic.follow_up, earliest=TODAY, latest=TOMORROW,
                 note="short notice ok", by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        answers: list = []
        pilot.app.push_screen(WaitlistOffers(booked.id), answers.append)
        await settle(pilot)
        text = screen_text(pilot)
        assert "Dr. Patel, Wed, Dec 2, 2026 9:00 is free (New patient, 45 min)" in text
        assert "García, María" in text and "Follow-up" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        new = Appointment.get(Appointment.patient == clinic.maria.id)
        assert answers == [new.id] and new.type_id == clinic.follow_up.id
        assert WaitlistEntry.get().state == "booked"


async def test_nobody_fits_and_escape_skips(clinic) -> None:
    booked = schedule.book(clinic.john, clinic.patel, clinic.follow_up, TOMORROW, time(9),
                           by=clinic.desk)
    schedule.cancel(booked, category="patient", by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        answers: list = []
        pilot.app.push_screen(WaitlistOffers(booked.id), answers.append)
        await settle(pilot)
        assert "Nobody on the waitlist fits this time." in screen_text(pilot)
        await pilot.press("enter", "escape")
        await settle(pilot)
        assert answers == [None] and isinstance(pilot.app.screen, ScheduleScreen)
