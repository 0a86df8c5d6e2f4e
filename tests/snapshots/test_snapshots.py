"""What staff see, as pictures: each SVG is a claim about the screen at that size.

Review a changed SVG before accepting it (pytest --snapshot-update); the docstring
of each test says what the picture must show.
"""

from __future__ import annotations

from textual.pilot import Pilot

from screens.app import FrontdeskApp
from tests.ui.helpers import no_blink, settle


async def _ready(pilot: Pilot) -> None:
    await settle(pilot)
    no_blink(pilot)
    await pilot.pause()


async def _signed_in_ready(pilot: Pilot) -> None:
    await _ready(pilot)


class TestSignIn:
    def test_at_80x24(self, snap_compare, demo_db) -> None:
        """The clinic's name, Username and Password fields in a centred box, the hint
        line, and a footer with F1 Help; the header names the clinic and the time, and
        nobody is signed in."""
        assert snap_compare(FrontdeskApp(), terminal_size=(80, 24), run_before=_ready)

    def test_at_120x40(self, snap_compare, demo_db) -> None:
        """The same box, centred on a large terminal."""
        assert snap_compare(FrontdeskApp(), terminal_size=(120, 40), run_before=_ready)

    def test_wrong_password(self, snap_compare, demo_db) -> None:
        """"Wrong username or password." in red under the fields; the username desk is
        still typed and the password field is empty."""

        async def wrong(pilot: Pilot) -> None:
            await _ready(pilot)
            await pilot.press(*"desk", "enter", *"not it at all", "enter")
            await _ready(pilot)

        assert snap_compare(FrontdeskApp(), terminal_size=(80, 24), run_before=wrong)


class TestSchedule:
    def test_today_at_80x24(self, snap_compare, desk_user) -> None:
        """Tuesday Dec 1 2026 (today), three provider columns with coloured names, rows
        from 7:30; appointments show a status mark, "Last, First" and a visit code;
        long visits continue with │ and their type; lunch and time off are dotted; the
        10:15 row label is marked ▸ (now is 10:20) and the cursor sits on it; the footer
        lists Open, Prev day, Next day, Today, Go to, List, Help."""
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=_signed_in_ready)

    def test_today_at_120x40(self, snap_compare, desk_user) -> None:
        """Five provider columns fit; the whole morning is visible."""
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(120, 40),
                            run_before=_signed_in_ready)

    def test_list_view(self, snap_compare, desk_user) -> None:
        """`l`: the day as a list sorted by time with Time, Provider, Patient, Type and
        Status columns, cancelled appointments included (⊘ cancelled)."""

        async def listed(pilot: Pilot) -> None:
            await _ready(pilot)
            await pilot.press("l")
            await _ready(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=listed)

    def test_appointment_detail(self, snap_compare, desk_user) -> None:
        """Enter on the appointment under the cursor: a card with patient, MRN, date of
        birth with age, phones, when, provider, visit type, status and who booked it."""

        async def opened(pilot: Pilot) -> None:
            await _ready(pilot)
            await pilot.press("enter")
            await _ready(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=opened)

    def test_go_to_date_with_a_bad_date(self, snap_compare, desk_user) -> None:
        """`g` then 2/30/2027: the dialog stays open and says February has only 28 days
        in 2027, in red; the schedule behind is unchanged."""

        async def bad(pilot: Pilot) -> None:
            await _ready(pilot)
            await pilot.press("g", *"2/30/2027", "enter")
            await _ready(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=bad)

    def test_help(self, snap_compare, desk_user) -> None:
        """F1: the keys of the schedule with their descriptions and ids, in a box."""

        async def helped(pilot: Pilot) -> None:
            await _ready(pilot)
            await pilot.press("f1")
            await _ready(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=helped)

    def test_too_small(self, snap_compare, desk_user) -> None:
        """A 60x20 terminal: only the message asking for 80x24, with the current size."""
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(60, 20),
                            run_before=_signed_in_ready)


class TestSafety:
    def test_locked_screen_shows_no_patient(self, snap_compare, desk_user) -> None:
        """ctrl+l: a heavy yellow box "Locked", who locked it and when, the username
        (desk) and an empty password field; no schedule, no names, no counts."""

        async def locked(pilot: Pilot) -> None:
            await _ready(pilot)
            await pilot.press("ctrl+l")
            await _ready(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=locked)

    def test_escape_sequences_in_a_name_are_drawn_harmless(self, snap_compare, desk_user,
                                                           demo_db) -> None:
        """A patient whose stored last name holds an OSC title sequence and a screen
        clear, written behind the program's back: the 10:00 appointment shows as
        "Bob, <first name>", the sequences dropped whole; nothing is retitled or
        cleared and every other cell is where it was."""
        _poison(demo_db)
        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=_ready)


EVIL = "\x1b]0;pwned\x07\x1b[2JBob"


def _poison(path) -> int:
    """Give the first appointment at 10:00 today a patient named with escape codes."""
    import sqlite3

    from frontdesk import schedule
    from tests.conftest import TODAY

    target = next(a for a in schedule.day(TODAY).appointments
                  if a.start.strftime("%H:%M") == "10:00")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE patient SET last_name = ? WHERE id = ?", (EVIL, target.patient_id))
    return target.patient_id


class TestStaff:
    def test_staff_list(self, snap_compare, demo_db) -> None:
        """F10 as the manager: the four demo accounts with username, name, role, status
        "active" and departments (Front desk for desk, Billing for billing, none for
        the others); under the list, for the highlighted first row, "Alex Rivera is in
        no department: only messages to them by name"; keys a Add, p Password, r Role,
        d Deactivate, v greyed, u Audit, t Depts."""
        from frontdesk import staff

        manager = staff.Staff.get(staff.Staff.username == "manager")

        async def opened(pilot: Pilot) -> None:
            await _ready(pilot)
            await pilot.press("f10")
            await _ready(pilot)

        assert snap_compare(FrontdeskApp(signed_in=manager), terminal_size=(80, 24),
                            run_before=opened)
