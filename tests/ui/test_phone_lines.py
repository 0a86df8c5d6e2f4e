"""The phone lines at the desk, keys only: the bar, answering, holding, switching with
each line's context kept exactly, ending with a disposition, marking a line by hand."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta

import pytest

from frontdesk import audit, clock, config, phones, schedule, staff
from frontdesk.errors import FrontdeskError
from frontdesk.patients import Patient, PatientPhone
from frontdesk.phones import Call, LineState
from screens.app import FrontdeskApp
from screens.booking import BookForm
from screens.call import CallScreen, EndCall
from screens.lock import LockScreen
from screens.patient import PatientScreen
from screens.schedule import ScheduleScreen
from screens.widgets.patient_picker import PatientPicker
from tests.conftest import PASSWORD, TODAY
from tests.ui.helpers import screen_text, settle, until


def notices(pilot) -> str:
    return " ".join(str(n.message) for n in pilot.app._notifications)  # noqa: SLF001


def bar(pilot) -> str:
    """The phone bar: the second line of the terminal."""
    return screen_text(pilot).splitlines()[1]


def callers_with_own_number(count: int) -> list[tuple[Patient, str]]:
    """Patients each alone on one of their numbers, so a ring matches just them."""
    found = []
    for phone in PatientPhone.select().order_by(PatientPhone.id):
        if PatientPhone.select().where(PatientPhone.number == phone.number).count() == 1:
            found.append((phone.patient, phone.number))
            if len(found) == count:
                return found
    raise AssertionError("the demo has too few patients with a number of their own")


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def book_tomorrow_by_keys(pilot, patient: Patient) -> None:
    """As staff book for a caller: F2, ] to tomorrow, down to a free slot, n, the
    patient found by MRN in the booking form, enter through to the end."""
    await press(pilot, "f2")
    grid = pilot.app.screen
    assert isinstance(grid, ScheduleScreen)
    await press(pilot, "right_square_bracket")
    await until(pilot, lambda: grid.grid.day is not None
                and grid.grid.day.date == TODAY + timedelta(days=1))
    for _ in range(40):  # down the first column to a time nobody holds
        if grid.check_action("book", ()):
            break
        await pilot.press("down")
    await press(pilot, "n")
    form = pilot.app.screen
    assert isinstance(form, BookForm)
    await pilot.press(*patient.mrn)
    await until(pilot, lambda: form.hits and not form.query_one(PatientPicker).waiting)
    await settle(pilot)
    await press(pilot, "enter")  # the patient found; on to the type of visit
    assert form.picked.patient_id == patient.id
    await press(pilot, "enter", "enter", "enter")  # type, reason, note: booked
    assert pilot.app.screen is grid


async def test_juggling_two_lines_keeps_each_lines_context(desk_user, demo_db) -> None:
    (first, first_number), (second, second_number) = callers_with_own_number(2)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await settle(pilot)
        assert "F5 · idle" in bar(pilot)

        phones.ring(1, first_number)  # the PBX, on its own connection
        await until(pilot, lambda: "☎" in bar(pilot), timeout=1.5)
        assert "F5 ☎ " + first.last_name[:6] in bar(pilot)

        await press(pilot, "f5")
        assert isinstance(app.screen, CallScreen) and app.current_mode == f"line1:{desk_user.id}"
        assert "· you" in bar(pilot)
        assert "1 " + first.last_name in screen_text(pilot)

        await press(pilot, "1")  # the one patient with this number
        record = app.screen
        assert isinstance(record, PatientScreen) and record.patient_id == first.id
        assert Call.get_by_id(phones.line(1).call_id).patient_id == first.id
        await press(pilot, "3")  # their visits: where staff were when line 2 rang
        assert record.query_one("TabbedContent").active == "visits"

        phones.ring(2, second_number)
        await until(pilot, lambda: "F6 ☎" in bar(pilot), timeout=1.5)

        await press(pilot, "f9")
        assert phones.line(1).state is LineState.ON_HOLD
        assert app.current_mode == f"schedule:{desk_user.id}"  # back where they were
        assert "F5 ‖ " in bar(pilot)

        await press(pilot, "f6")
        assert app.current_mode == f"line2:{desk_user.id}"
        assert phones.line(2).state is LineState.ON_CALL
        await press(pilot, "1")
        assert isinstance(app.screen, PatientScreen) and app.screen.patient_id == second.id
        def theirs() -> list[schedule.Appointment]:
            return list(schedule.Appointment.select()
                        .where(schedule.Appointment.patient == second.id))

        before = {appointment.id for appointment in theirs()}
        await book_tomorrow_by_keys(pilot, second)
        [booked] = [appointment for appointment in theirs() if appointment.id not in before]
        assert clock.local(booked.start).date() == TODAY + timedelta(days=1)
        assert booked.status == schedule.Status.SCHEDULED.value

        await press(pilot, "alt+e")
        assert isinstance(app.screen, EndCall)
        await press(pilot, "b")
        assert phones.line(2).state is LineState.IDLE
        call = Call.select().where(Call.line == 2).order_by(Call.id.desc()).get()
        assert (call.disposition, call.patient_id) == ("booked", second.id)
        assert f"line2:{desk_user.id}" not in app._desks[desk_user.id]
        assert app.current_mode == f"schedule:{desk_user.id}"

        await press(pilot, "f5")  # resume line 1: the same record, the same section
        assert phones.line(1).state is LineState.ON_CALL
        assert app.screen is record
        assert record.query_one("TabbedContent").active == "visits"
        assert "F5 ● " in bar(pilot) and "· you" in bar(pilot)


async def test_a_half_written_message_waits_on_its_line(desk_user, demo_db) -> None:
    from screens import message

    (first, first_number), (second, second_number) = callers_with_own_number(2)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await settle(pilot)
        phones.ring(1, first_number)
        await until(pilot, lambda: "F5 ☎" in bar(pilot), timeout=1.5)
        await press(pilot, "f5", "1")
        await press(pilot, "alt+m")
        dialog = app.screen
        assert isinstance(dialog, message.TakeMessage)
        field = app.focused
        await press(pilot, *"Asks about her refill of")
        typed = field.text

        phones.ring(2, second_number)
        await until(pilot, lambda: "F6 ☎" in bar(pilot), timeout=1.5)
        await press(pilot, "f6")  # straight from inside the dialog: line 1 is held
        assert app.current_mode == f"line2:{desk_user.id}"
        assert phones.line(1).state is LineState.ON_HOLD
        await press(pilot, "alt+e", "r")
        await press(pilot, "f5")
        assert app.screen is dialog and app.focused is field and field.text == typed

        # Finished and sent: it waits in the recipient's inbox.
        from frontdesk import messages
        from frontdesk.staff import Staff
        from textual.widgets import Select

        billing = Staff.get(Staff.username == "billing")
        dialog.query_one("#reason", Select).value = "refill"
        dialog.query_one("#recipient", Select).value = f"staff:{billing.id}"
        await press(pilot, *" lisinopril", "ctrl+s")
        await settle(pilot)
        assert app.screen is not dialog
        assert [row.text for row in messages.inbox(billing)][0] == typed + " lisinopril"


async def test_coming_back_to_a_line_shows_the_lines_as_they_are_now(desk_user, demo_db) -> None:
    """The screens of line 1 were hidden while line 2 was answered: back on line 1, its bar
    must show line 2 held, not ringing as it was when line 1 was left."""
    (first, first_number), (second, second_number) = callers_with_own_number(2)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        phones.ring(1, first_number)
        await until(pilot, lambda: "F5 ☎" in bar(pilot), timeout=1.5)
        await press(pilot, "f5", "alt+m")
        phones.ring(2, second_number)
        await until(pilot, lambda: "F6 ☎" in bar(pilot), timeout=1.5)
        await press(pilot, "f6")
        await until(pilot, lambda: "F5 ‖" in bar(pilot) and "F6 ●" in bar(pilot))
        await press(pilot, "f5")
        await until(pilot, lambda: phones.line(2).state is LineState.ON_HOLD)
        await until(pilot, lambda: "F6 ‖" in bar(pilot) and "F5 ●" in bar(pilot))


async def test_a_ring_from_another_process_shows_within_a_second(desk_user, demo_db) -> None:
    (patient, number), = callers_with_own_number(1)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ring = await asyncio.create_subprocess_exec(  # the app runs on meanwhile
            sys.executable, "-m", "frontdesk", "phone", "ring", "--db", str(demo_db),
            "--line", "3", "--from", number,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        assert await ring.wait() == 0
        rung = time.monotonic()
        await until(pilot, lambda: "F7 ☎" in bar(pilot), timeout=1.0)
        assert time.monotonic() - rung < 1.0
        # The other process's clock is not frozen: a long "ringing for" cuts the name.
        assert "F7 ☎ " + patient.last_name[:3] in bar(pilot)


async def test_the_bar_is_on_every_screen_but_never_at_sign_in_or_the_lock(desk_user,
                                                                          demo_db) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("f3", "f4", "f2"):
            await press(pilot, key)
            assert bar(pilot).startswith("F5 · idle"), key
        phones.ring(1, "617 555 0100")
        await until(pilot, lambda: "F5 ☎" in bar(pilot), timeout=1.5)
        await press(pilot, "ctrl+l")
        assert isinstance(pilot.app.screen, LockScreen)
        assert "☎" not in screen_text(pilot) and "F5" not in screen_text(pilot)
        await press(pilot, "f12")  # the lock has no sign-out; unlock, then sign out
        await press(pilot, *PASSWORD, "enter")
        await press(pilot, "f12")
        assert "F5" not in screen_text(pilot) and "☎" not in screen_text(pilot)


async def test_someone_elses_call_is_refused_with_their_name(desk_user, demo_db) -> None:
    colleague = staff.Staff.get(staff.Staff.username == "manager")
    phones.ring(1, "617 555 0100")
    phones.answer(1, version=phones.line(1).version, by=colleague)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert f"· {colleague.name.split()[0]}" in bar(pilot)
        await press(pilot, "f5")
        assert not isinstance(pilot.app.screen, CallScreen)
        assert f"Line 1 is already answered by {colleague.name}." in notices(pilot)


async def test_signing_out_holds_ones_call_and_drops_its_screens(desk_user, demo_db) -> None:
    phones.ring(1, "617 555 0100")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await settle(pilot)
        await until(pilot, lambda: "F5 ☎" in bar(pilot), timeout=1.5)
        await press(pilot, "f5")
        assert app.current_mode == f"line1:{desk_user.id}"
        await press(pilot, "f12")
        await settle(pilot)
        assert f"line1:{desk_user.id}" not in app._modes
        assert phones.line(1).state is LineState.ON_HOLD  # a colleague can take it now


async def test_no_match_offers_search_and_the_search_sets_the_callers_patient(desk_user,
                                                                            demo_db) -> None:
    someone = Patient.select().order_by(Patient.id).first()
    phones.ring(1, "")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await settle(pilot)
        await until(pilot, lambda: "F5 ☎ unknown" in bar(pilot), timeout=1.5)
        await press(pilot, "f5")
        assert "The number did not come through." in screen_text(pilot)
        await press(pilot, "slash")
        await press(pilot, *someone.mrn)
        await pilot.pause(0.3)
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, PatientScreen) and app.screen.patient_id == someone.id
        assert phones.line(1).patient_id == someone.id


async def test_marking_a_line_ringing_by_hand(desk_user, demo_db) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "alt+r")
        await press(pilot, "backspace", "2", "enter", *"555 01", "enter")
        assert "not" in screen_text(pilot).lower()  # the bad number is said, the form stays
        assert phones.line(2).state is LineState.IDLE
        await press(pilot, *"00 617", "ctrl+a")  # staff fix it: a full number this time
        field = pilot.app.focused
        field.value = "617 555 0100"
        await press(pilot, "enter")
        assert phones.line(2).state is LineState.RINGING
        await until(pilot, lambda: "F6 ☎" in bar(pilot), timeout=1.5)


async def test_a_long_hold_is_flagged(desk_user, demo_db) -> None:
    phones.ring(1, "617 555 0100")
    phones.answer(1, version=phones.line(1).version, by=desk_user)
    phones.hold(1, version=phones.line(1).version, by=desk_user)
    with clock.frozen(clock.now() + timedelta(minutes=config.current().hold_warn_minutes,
                                              seconds=5)):
        async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await until(pilot, lambda: "‖" in bar(pilot), timeout=1.5)
            assert "!2:05" in bar(pilot)


async def test_lines_beyond_the_config_have_no_key(desk_user, demo_db) -> None:
    config.use(config.Config(timezone=config.current().timezone, phone_lines=2))
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "F6" in bar(pilot), timeout=1.5)
        assert "F7" not in bar(pilot)
        assert pilot.app.check_action("line", (3,)) is False
        assert pilot.app.check_action("line", (2,)) is True


async def test_alt_l_reaches_a_line_by_its_number(desk_user, demo_db) -> None:
    config.use(config.Config(timezone=config.current().timezone, phone_lines=6))
    phones.ring(6, "617 555 0100")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "L6 ☎" in bar(pilot), timeout=1.5)
        await press(pilot, "alt+l")
        await press(pilot, "6")
        assert pilot.app.current_mode == f"line6:{desk_user.id}"
        assert phones.line(6).state is LineState.ON_CALL


def test_the_hold_threshold_is_a_checked_setting(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("hold_warn_minutes = 5\n")
    assert config.load(path).hold_warn_minutes == 5
    assert config.Config().hold_warn_minutes == 2
    path.write_text("hold_warn_minutes = 0\n")
    with pytest.raises(FrontdeskError, match="hold_warn_minutes must be a whole number"):
        config.load(path)


def test_attaching_the_callers_patient(clinic) -> None:
    with pytest.raises(FrontdeskError, match="no call"):
        phones.attach_patient(1, clinic.maria, by=clinic.desk)
    phones.ring(1, "617 555 0100")
    line = phones.answer(1, version=phones.line(1).version, by=clinic.desk)
    after = phones.attach_patient(1, clinic.john, by=clinic.desk)
    assert after.patient_id == clinic.john.id and after.version == line.version
    assert Call.get_by_id(line.call_id).patient_id == clinic.john.id
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).get()
    assert (event.action, event.patient_id) == ("phone.patient", clinic.john.id)


# -- the cells, drawn without an app ------------------------------------------------------

def _view(state, *, caller="+16175550142", patient="", callers=(), staff_id=None,
          staff_name="", since=None):
    from screens.widgets.phonebar import LineView

    line = phones.Line(1, state, since, caller, 7, staff_id, staff_name, None, patient, 3)
    return LineView(line, tuple(callers))


def _cell(view, width=19, me=1):
    from screens.widgets.phonebar import cell

    return cell(view, me=me, now=clock.now(), warn_minutes=2, width=width)


def test_cells_say_each_state_in_words_and_marks_not_only_colour() -> None:
    ago = clock.now() - timedelta(seconds=12)
    ringing = _cell(_view(LineState.RINGING, patient="Perez, Luis", since=ago))
    assert ringing.plain == "F5 ☎ Perez, Lu… 12s" and "reverse" in str(ringing.style)
    assert _cell(_view(LineState.RINGING, caller="", since=ago)).plain.startswith(
        "F5 ☎ unknown 12s")
    assert "unknown caller" in _cell(_view(LineState.RINGING, caller="", since=ago),
                                     width=40).plain
    assert _cell(_view(LineState.RINGING, since=ago)).plain.startswith("F5 ☎ 555-0142 12s")
    family = [phones.Caller(1, "1", "García, María", None, "mobile"),
              phones.Caller(2, "2", "García, Diego", None, "mobile")]
    assert _cell(_view(LineState.RINGING, callers=family, since=ago)).plain == (
        "F5 ☎ 2 patients 12s")
    long_ring = clock.now() - timedelta(seconds=75)
    assert _cell(_view(LineState.RINGING, patient="Perez, Luis", since=long_ring)).plain == (
        "F5 ☎ Perez, L… 1:15")
    wide = _cell(_view(LineState.RINGING, patient="Perez, Luis", since=ago), width=40)
    assert "Perez, Luis (617) 555-0142" in wide.plain  # room for the number too
    assert _cell(_view(LineState.ON_CALL, patient="Perez, Luis", staff_id=1)).plain.endswith(
        "· you")
    assert _cell(_view(LineState.ON_CALL, patient="Perez, Luis", staff_id=2,
                       staff_name="Marcus Bell")).plain.endswith("· Marcus")
    held = _cell(_view(LineState.ON_HOLD, patient="Perez, Luis",
                       since=clock.now() - timedelta(seconds=65)))
    assert held.plain.rstrip().endswith(" 1:05") and "!" not in held.plain
    late = _cell(_view(LineState.ON_HOLD, patient="Perez, Luis",
                       since=clock.now() - timedelta(minutes=2)))
    assert late.plain.rstrip().endswith("!2:00")
    assert all(len(_cell(_view(state, patient="Featherstonehaugh-Smythe, Bartholomew",
                                since=ago)).plain) == 19 for state in LineState)


def test_shift_f5_to_f8_cannot_be_the_keys_of_lines_5_to_8() -> None:
    """Why lines 5 and up are reached with alt+l: PuTTY and the Linux console send
    shift+F5 as F15 (ESC[28~), which Textual 8.2.8 reads as a control character."""
    from tests.test_keys import parsed

    assert parsed("\x1b[15;2~") == ["shift+f5"]  # xterm: fine
    for putty_or_linux in ("\x1b[28~", "\x1b[29~", "\x1b[31~", "\x1b[32~"):
        assert not any(key.startswith("shift+f") for key in parsed(putty_or_linux))
