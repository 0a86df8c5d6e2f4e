"""Booking, moving, cancelling and no-shows on the schedule, by keys as staff press them."""

from __future__ import annotations

from datetime import time, timedelta

from frontdesk import schedule, staff, waitlist
from frontdesk.providers import Provider
from frontdesk.schedule import Appointment, AppointmentChange, Status
from screens.app import FrontdeskApp
from screens.booking import BookForm, CancelForm, Confirm, MoveTime, OverrideReason
from screens.schedule import ScheduleScreen
from screens.waitlist import WaitlistOffers
from screens.widgets.patient_picker import PatientPicker
from tests.conftest import PASSWORD, TODAY
from tests.ui.helpers import screen_text, settle, until

TOMORROW = TODAY + timedelta(days=1)


def _schedule(pilot) -> ScheduleScreen:
    return next(s for s in pilot.app.screen_stack if isinstance(s, ScheduleScreen))


async def _cursor(pilot, column: int, at: time) -> ScheduleScreen:
    """Put the schedule's cursor on a provider's column at a time, as arrows would."""
    await settle(pilot)
    screen = _schedule(pilot)
    await until(pilot, lambda: screen.grid.day is not None)
    screen.grid.move_to(column=column)
    screen.grid.go_to_time(at)
    await pilot.pause()
    return screen


async def _find(pilot, text: str) -> BookForm:
    """Type into the patient box and wait for the patients found."""
    form = pilot.app.screen
    assert isinstance(form, BookForm)
    await pilot.press(*text)
    await until(pilot, lambda: form.hits and not form.query_one(PatientPicker).waiting)
    await settle(pilot)
    return form


def _flat(pilot) -> str:
    """The screen's text with wrapped lines joined, for messages that wrap."""
    return " ".join(line.strip(" │") for line in screen_text(pilot).splitlines())


def _notices(pilot) -> str:
    return " ".join(str(n.message) for n in pilot.app._notifications)  # noqa: SLF001


def _appointments() -> list[Appointment]:
    return list(Appointment.select().order_by(Appointment.id))


async def test_n_books_the_free_slot_for_a_patient_found_by_typing(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _cursor(pilot, 0, time(11))
        await pilot.press("n")
        await settle(pilot)
        form = await _find(pilot, "garc")
        text = screen_text(pilot)
        assert "Book Dr. Patel · Tue, Dec 1, 2026 at 11:00" in text
        assert "García, María  born 03/04/1980" in text
        assert "Follow-up · 15 min, 1 slot" in text
        await pilot.press("enter")  # picks María, on to the type
        assert form.picked.patient_id == clinic.maria.id
        assert form.focused.id == "type"
        await pilot.press("enter", *"knee pain", "enter", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        booked, = _appointments()
        assert (booked.patient_id, booked.provider_id) == (clinic.maria.id, clinic.patel.id)
        assert schedule.clock.local(booked.start).time() == time(11)
        assert booked.reason == "knee pain" and booked.booked_by_id == clinic.desk.id
        await until(pilot, lambda: "García, María" in screen_text(pilot))
        # On the appointment now: book greys out, move, cancel and no-show come on.
        screen = pilot.app.screen
        assert screen.check_action("book", ()) is None
        assert all(screen.check_action(a, ()) for a in ("reschedule", "cancel", "no_show"))


async def test_keys_grey_out_where_they_have_nothing_to_act_on(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        assert screen.check_action("book", ()) is True
        for action in ("reschedule", "cancel", "no_show"):
            assert screen.check_action(action, ()) is None
            await pilot.press({"reschedule": "r", "cancel": "x", "no_show": "m"}[action])
            await settle(pilot)
            assert pilot.app.screen is screen
        assert screen.check_action("drop", ()) is False  # only while moving


async def test_a_type_longer_than_a_slot_says_how_many_it_fills(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _cursor(pilot, 1, time(14))
        await pilot.press("n")
        await settle(pilot)
        form = await _find(pilot, "obrien")
        await pilot.press("enter", "down")  # picks John; opens the type list
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert form.query_one("#fills").render().plain == "14:00-14:45"
        assert "New patient · 45 min, 3 slots" in screen_text(pilot)
        await pilot.press("enter", "enter", "enter")
        await settle(pilot)
        booked, = _appointments()
        assert booked.type_id == clinic.new_patient.id and booked.provider_id == clinic.kim.id


async def test_a_slot_taken_by_another_terminal_meanwhile_fails_naming_who_took_it(
        clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        await pilot.press("n")
        await settle(pilot)
        form = await _find(pilot, "garc")
        await pilot.press("enter", "enter", *"knee pain", "enter")
        # Another terminal (another connection) books the time first.
        schedule.book(clinic.john, clinic.patel, clinic.follow_up, TODAY, time(11),
                      by=clinic.admin)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "Dr. Patel already has John O'Brien-Smith at 11:00-11:15." in screen_text(pilot)
        assert form.query_one("#reason").value == "knee pain"  # nothing typed is lost
        assert form.picked.patient_id == clinic.maria.id
        # The schedule underneath shows who took it now, without waiting for the feed.
        await until(pilot, lambda: any(a.patient == "O'Brien-Smith, John"
                                       for a in screen.grid.day.appointments))
        assert screen.grid.cell_text(screen.grid.cursor[0], 0).startswith("· O'Brien-Smith")
        assert [a.patient_id for a in _appointments()] == [clinic.john.id]


async def test_an_overbook_is_asked_and_booked_on_yes(clinic) -> None:
    Provider.update(max_at_once=2).where(Provider.id == clinic.patel.id).execute()
    schedule.book(clinic.john, clinic.patel, clinic.follow_up, TODAY, time(11), by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        await until(pilot, lambda: screen._allowances)
        assert screen.check_action("book", ()) is True  # Dr. Patel sees two at once
        await pilot.press("n")
        await settle(pilot)
        await _find(pilot, "garc")
        await pilot.press("enter", "enter", "enter", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Confirm)
        text = screen_text(pilot)
        assert "Dr. Patel already has John O'Brien-Smith at 11:00-11:15" in text
        assert "Overbook? (y/n)" in text
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert sorted(a.patient_id for a in _appointments()) == [clinic.maria.id, clinic.john.id]


async def test_a_no_to_the_overbook_books_nothing_and_keeps_the_form(clinic) -> None:
    Provider.update(max_at_once=2).where(Provider.id == clinic.patel.id).execute()
    schedule.book(clinic.john, clinic.patel, clinic.follow_up, TODAY, time(11), by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        await until(pilot, lambda: screen._allowances)
        await pilot.press("n")
        await settle(pilot)
        form = await _find(pilot, "garc")
        await pilot.press("enter", "enter", "enter", "enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "Not overbooked" in screen_text(pilot)
        assert len(_appointments()) == 1


async def test_outside_hours_is_refused_for_the_front_desk(clinic) -> None:
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _cursor(pilot, 0, time(12, 15))  # Dr. Patel's hours: 8-12 and 13-17
        await pilot.press("n")
        await settle(pilot)
        form = await _find(pilot, "garc")
        await pilot.press("enter", "enter", "enter", "enter")
        await settle(pilot)
        assert pilot.app.screen is form
        assert form.query_one("#refusal").render().plain == (
            "Dr. Patel works 8:00-12:00, 13:00-17:00 (Tue, Dec 1, 2026); 12:15-12:30 is "
            "outside those hours.")
        assert "12:15-12:30 is" in screen_text(pilot)
        assert _appointments() == []


async def test_outside_hours_is_booked_by_a_manager_who_gives_a_reason(clinic) -> None:
    manager = staff.add_staff("mia", "Mia Manager", staff.Role.MANAGER, PASSWORD,
                              by=clinic.admin)
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        await _cursor(pilot, 0, time(12, 15))
        await pilot.press("n")
        await settle(pilot)
        await _find(pilot, "garc")
        await pilot.press("enter", "enter", "enter", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OverrideReason)
        assert "outside those hours" in screen_text(pilot)
        await pilot.press("enter")  # no reason: asked again, nothing booked
        await pilot.pause()
        assert "Give the reason" in screen_text(pilot)
        await pilot.press(*"post-op check, Dr. Patel agreed", "enter")
        await settle(pilot)
        booked, = _appointments()
        assert booked.override_reason == "post-op check, Dr. Patel agreed"
        assert isinstance(pilot.app.screen, ScheduleScreen)


async def test_book_from_the_patient_record_with_a_typed_day_and_time(clinic) -> None:
    from screens.patient import PatientScreen

    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(PatientScreen(clinic.maria.id))
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, BookForm)
        assert "García, María  born 03/04/1980" in screen_text(pilot)
        assert form.focused.id == "provider"
        await pilot.press("enter")  # Dr. Patel, the first
        form.query_one("#day").value = ""
        await pilot.press(*"tomorrow")
        await pilot.pause()
        assert "→ Wed, Dec 2, 2026" in screen_text(pilot)
        await pilot.press("enter", *"9:30", "enter", "enter", "enter", "enter")
        await settle(pilot)
        booked, = _appointments()
        start = schedule.clock.local(booked.start)
        assert (start.date(), start.time()) == (TOMORROW, time(9, 30))
        assert booked.patient_id == clinic.maria.id and booked.provider_id == clinic.patel.id


async def test_r_picks_up_and_the_arrows_move_it_across_times_and_providers(clinic) -> None:
    booked = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                           by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        await pilot.press("r")
        await settle(pilot)
        assert screen._moving is not None
        text = screen_text(pilot)
        assert "Moving García, María (F/U 15 min) to Dr. Patel, Tue 12/01 11:00" in text
        assert "⏎ Drop" in text and "Put back" in text and "Book" not in text
        await pilot.press("down", "down", "right")
        text = screen_text(pilot)
        assert "to Kim NP, Tue 12/01 11:30" in text
        row = screen.grid.cursor[0]
        assert screen.grid.cell_text(row, 1).startswith("⇕ García, María")
        assert "moving from here" in screen.grid.cell_text(row - 2, 0)
        await pilot.press("enter")
        await settle(pilot)
        moved = Appointment.get_by_id(booked.id)
        assert moved.provider_id == clinic.kim.id
        assert schedule.clock.local(moved.start).time() == time(11, 30)
        assert screen._moving is None and "Moving" not in screen_text(pilot)
        history = [(c.action, c.to_provider_id) for c in
                   AppointmentChange.select().where(AppointmentChange.appointment == booked.id)
                   .order_by(AppointmentChange.id)]
        assert history == [("booked", clinic.patel.id), ("moved", clinic.kim.id)]


async def test_a_move_to_another_day_with_the_brackets(clinic) -> None:
    booked = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                           by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: screen.grid.day.date == TOMORROW)
        await settle(pilot)
        assert screen.grid.slot_at().starts.time() == time(11)  # same time, the next day
        assert "Wed 12/02 11:00" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert schedule.clock.local(Appointment.get_by_id(booked.id).start).date() == TOMORROW


async def test_t_moves_to_a_typed_time_and_a_refusal_keeps_it_picked_up(clinic) -> None:
    booked = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                           by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, MoveTime)
        dialog.query_one("#at").value = ""
        await pilot.press(*"12:30", "enter")  # Dr. Patel's lunch hour
        await settle(pilot)
        assert screen._moving is not None
        assert "12:30-12:45 is outside those hours" in _notices(pilot)
        assert "12:30-12:45 is outside those hours." in _flat(pilot)
        await pilot.press("t")
        await settle(pilot)
        pilot.app.screen.query_one("#at").value = ""
        await pilot.press(*"2:15pm", "enter")
        await settle(pilot)
        moved = Appointment.get_by_id(booked.id)
        assert schedule.clock.local(moved.start).time() == time(14, 15)
        assert screen._moving is None
        assert screen.grid.slot_at().starts.time() == time(14, 15)


async def test_esc_puts_it_back_unchanged(clinic) -> None:
    booked = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                           by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("down", "down", "down", "escape")
        await settle(pilot)
        assert screen._moving is None and screen.grid.lifted is None
        assert screen.grid.slot_at().starts.time() == time(11)
        assert Appointment.get_by_id(booked.id).version == booked.version


async def test_x_cancels_with_a_category_marks_it_late_and_offers_the_waitlist(clinic) -> None:
    booked = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                           by=clinic.desk)
    waitlist.add(clinic.john, provider=clinic.patel, earliest=TODAY, latest=TOMORROW,
                 by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _cursor(pilot, 0, time(11))
        await pilot.press("x")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CancelForm)
        text = screen_text(pilot)
        assert "│ García, María  " in text
        assert "│ Follow-up with Dr. Patel, Tue, Dec 1, 2026 at 11:00  " in text
        await pilot.press("4", "enter")  # other, with no reason
        await settle(pilot)
        assert "Say why the appointment is cancelled." in screen_text(pilot)
        assert Appointment.get_by_id(booked.id).status == Status.SCHEDULED.value
        await pilot.press("shift+tab", "1")  # no: the patient cancelled
        await pilot.pause()
        assert "Late cancel: within 24 hours of the visit." in screen_text(pilot)
        await pilot.press(*"car broke down", "enter")
        await settle(pilot)
        cancelled = Appointment.get_by_id(booked.id)
        assert cancelled.status == Status.CANCELLED.value
        assert (cancelled.cancel_category, cancelled.late_cancel) == ("patient", True)
        assert cancelled.cancel_reason == "car broke down"
        await until(pilot, lambda: isinstance(pilot.app.screen, WaitlistOffers)
                    and pilot.app.screen.lines)
        assert "O'Brien-Smith, John" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        rebooked = _appointments()[-1]
        assert rebooked.patient_id == clinic.john.id and rebooked.start == booked.start


async def test_a_provider_cancel_is_never_late_and_no_waitlist_means_no_offer(clinic) -> None:
    booked = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                           by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _cursor(pilot, 0, time(11))
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert "not a late cancel" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        cancelled = Appointment.get_by_id(booked.id)
        assert (cancelled.cancel_category, cancelled.late_cancel) == ("provider", False)


async def test_no_show_is_refused_before_the_grace_period_and_marked_after(clinic) -> None:
    early = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(9),
                          by=clinic.desk)
    recent = schedule.book(clinic.john, clinic.patel, clinic.follow_up, TODAY, time(10, 15),
                           by=clinic.desk)
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _cursor(pilot, 0, time(10, 15))
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Confirm)
        assert "O'Brien-Smith, John, 10:15 F/U: mark a no-show? (y/n)" in screen_text(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "cannot be a no-show before 10:30 (15 minutes' grace)" in _notices(pilot)
        assert Appointment.get_by_id(recent.id).status == Status.SCHEDULED.value
        await _cursor(pilot, 0, time(9))
        await pilot.press("m", "y")
        await settle(pilot)
        assert Appointment.get_by_id(early.id).status == Status.NO_SHOW.value


async def test_ctrl_r_turns_the_booking_into_a_series(clinic) -> None:
    from screens.series import SeriesForm

    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _cursor(pilot, 0, time(11))
        await pilot.press("n")
        await settle(pilot)
        await _find(pilot, "garc")
        await pilot.press("enter", "ctrl+r")
        await settle(pilot)
        series = pilot.app.screen
        assert isinstance(series, SeriesForm)
        assert (series.patient_id, series.provider_id, series.first_on, series.at) == (
            clinic.maria.id, clinic.patel.id, TODAY, time(11))
        await pilot.press("enter", "backspace", "2", "enter")  # every week, 2 visits
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        assert [schedule.clock.local(a.start).date() for a in _appointments()] == [
            TODAY, TODAY + timedelta(weeks=1)]
