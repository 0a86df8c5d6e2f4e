"""The audit report screen, driven with keys as a manager drives it."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from frontdesk import audit, db, schedule, staff
from frontdesk.audit import AuditEvent
from frontdesk.patients import Patient
from screens.app import FrontdeskApp
from screens.audit import LIMIT, AuditScreen
from tests.conftest import TODAY
from tests.ui.helpers import screen_text, settle


@pytest.fixture
def manager(demo_db) -> staff.Staff:
    return staff.Staff.get(staff.Staff.username == "manager")


@pytest.fixture
def opened(desk_user):
    """An appointment of today that the front desk has just opened (an audited view)."""
    first = schedule.day(TODAY).appointments[0]
    schedule.detail(first.id, by=desk_user)
    return first


async def _open_report(pilot) -> AuditScreen:
    await settle(pilot)
    screen = AuditScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def _table(pilot) -> DataTable:
    return pilot.app.screen.query_one("#results", DataTable)


def _message(pilot) -> str:
    return str(pilot.app.screen.query_one("#message").render())


async def test_a_patients_report_shows_who_opened_their_appointment(manager, opened) -> None:
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        screen = await _open_report(pilot)
        assert screen.focused is screen.query_one("#who", Input)
        await pilot.press(*opened.mrn, "enter")
        await settle(pilot)
        table = _table(pilot)
        assert table.row_count >= 2
        # Every row is this patient's, so the patient is named once, in the title.
        assert [str(c.label) for c in table.ordered_columns] == ["When", "Who", "What",
                                                                   "Detail"]
        newest = [str(cell) for cell in table.get_row_at(0)]
        assert newest[:3] == ["12/01/2026 10:20", "Dana Whitfield", "opened an appointment"]
        assert f"appointment {opened.id}" in newest[3]
        assert "events, newest first" in _message(pilot)
        assert f"Audit report · MRN {opened.mrn} · {opened.patient}" in screen_text(pilot)
        assert screen.focused is table  # the answer has the cursor, ready to scroll
        # The line under the table holds the whole detail of the event under the cursor.
        assert str(screen.query_one("#event").render()) == f"appointment {opened.id}"
        await pilot.press("down")
        await settle(pilot)
        second = str(table.get_row_at(1)[3])
        assert second.startswith("appointment ")
        assert str(screen.query_one("#event").render()) == second
    # Looking was itself recorded, with whose report it was.
    read = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
    assert (read.action, read.staff_id, read.patient_id) == (
        "audit.report", manager.id, opened.patient_id)


async def test_a_staff_members_report_over_days_typed_as_staff_type_them(
        manager, opened, desk_user) -> None:
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        await _open_report(pilot)
        await pilot.press(*"desk", "tab", *"today", "tab", *"today", "enter")
        await settle(pilot)
        table = _table(pilot)
        expected = audit.report(by=manager, staff_username="desk", start=TODAY, end=TODAY,
                                limit=LIMIT)
        assert 0 < table.row_count == len(expected)
        assert [str(c.label) for c in table.ordered_columns] == ["When", "What", "Patient",
                                                                   "Detail"]
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == [
            row.action for row in expected]
        assert "Audit report · username desk · Dana Whitfield" in screen_text(pilot)
        # The days are said back in words, so a misread date is seen at once.
        assert "Tue, Dec 1, 2026 to Tue, Dec 1, 2026" in _message(pilot)


async def test_an_unreadable_date_is_named_and_nothing_is_looked_up(manager) -> None:
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        screen = await _open_report(pilot)
        before = AuditEvent.select().count()
        await pilot.press(*"desk", "tab", *"2/30/2027", "enter")
        await settle(pilot)
        assert "From:" in _message(pilot) and "February has only 28 days" in _message(pilot)
        assert screen.focused is screen.query_one("#from", Input)
        assert AuditEvent.select().count() == before


async def test_an_unknown_mrn_is_said_plainly(manager) -> None:
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        await _open_report(pilot)
        await pilot.press(*"999999", "enter")
        await settle(pilot)
        assert "There is no patient with MRN 999999." in _message(pilot)
        assert _table(pilot).row_count == 0


async def test_the_front_desk_is_refused_by_name_of_who_may(desk_user) -> None:
    app = FrontdeskApp(signed_in=desk_user)
    notices = []
    shown = app.notify
    app.notify = lambda message, **options: (notices.append(message), shown(message, **options))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_report(pilot)
        before = AuditEvent.select().count()
        await pilot.press(*"desk", "enter")
        await settle(pilot)
        refusal = "Only a manager or administrator may read the audit trail."
        assert refusal in _message(pilot)  # stays on the screen, above the table
        assert refusal in notices  # and the notice every screen gives
        assert _table(pilot).row_count == 0
        assert AuditEvent.select().count() == before


async def test_escape_closes_the_report(manager) -> None:
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        screen = await _open_report(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is not screen
        assert "Audit report" not in screen_text(pilot)


async def test_the_key_bar_offers_run_and_close(manager) -> None:
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        await _open_report(pilot)
        bottom = screen_text(pilot).splitlines()[-1]
        assert "Run" in bottom and "Close" in bottom


async def test_database_text_cannot_restyle_the_table(manager, desk_user, opened) -> None:
    """A name holding markup is drawn as typed, not as styling."""
    patient = schedule.Appointment.get_by_id(opened.id).patient
    with db.write():
        Patient.update(last_name="[reverse]Evil").where(Patient.id == patient.id).execute()
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        await _open_report(pilot)
        await pilot.press(*opened.mrn, "enter")
        await settle(pilot)
        assert "[reverse]Evil" in screen_text(pilot)


async def test_nobody_signed_in_never_reaches_the_command_lines_way_in(manager) -> None:
    """A screen outliving a sign-out says so rather than asking the domain for nobody."""
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        await _open_report(pilot)
        before = AuditEvent.select().count()
        pilot.app.signed_in = None
        await pilot.press(*"desk", "enter")
        await settle(pilot)
        assert "Sign in to read the audit trail." in _message(pilot)
        assert _table(pilot).row_count == 0
        assert AuditEvent.select().count() == before
