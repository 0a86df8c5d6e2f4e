"""Staff administration by keys: F10, then add, reset, change role, deactivate."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select

from frontdesk import audit, demo, staff
from screens.app import FrontdeskApp
from screens.schedule import ScheduleScreen
from screens.staff import AccountForm, StaffScreen
from tests.ui.helpers import screen_text, settle

PASSWORDS = {username: password for username, _, _, password in demo.DEMO_STAFF}


def _person(username: str) -> staff.Staff:
    return staff.Staff.get(staff.Staff.username == username)


async def _to_row(pilot, username: str) -> None:
    screen = pilot.app.screen
    table = screen.query_one(DataTable)
    index = next(i for i, p in enumerate(screen._people) if p.username == username)
    table.move_cursor(row=index)
    await pilot.pause()


async def test_f10_opens_staff_for_a_manager_and_not_for_the_front_desk(demo_db) -> None:
    async with FrontdeskApp(signed_in=_person("desk")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert pilot.app.check_action("go", ("staff",)) is False
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
    async with FrontdeskApp(signed_in=_person("manager")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StaffScreen)
        text = screen_text(pilot)
        for name, _, _, _ in demo.DEMO_STAFF:
            assert name in text
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)


async def test_a_manager_adds_someone_who_must_then_choose_a_password(demo_db) -> None:
    async with FrontdeskApp(signed_in=_person("manager")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(pilot.app.screen, AccountForm)
        roles = [value for _, value in pilot.app.screen._roles()]
        assert roles == ["front_desk", "billing"]  # a manager cannot make managers
        await pilot.press(*"rosa", "enter", *"Rosa Díaz", "enter")
        await pilot.press("tab")  # past the role (front desk), to the password
        await pilot.press(*"rosa123", "enter")  # too short: refused, nothing lost
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AccountForm)
        assert "at least 12 characters" in str(form.query_one("#refusal").content)
        assert form.query_one("#username", Input).value == "rosa"
        assert form.query_one("#name", Input).value == "Rosa Díaz"
        assert form.query_one("#password", Input).has_focus
        form.query_one("#password", Input).value = ""
        await pilot.press(*"lantern pebble orchard", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StaffScreen)
        text = screen_text(pilot)
        assert "Rosa Díaz" in text and "must set a password" in text, text
    rosa = _person("rosa")
    assert rosa.must_change_password and rosa.role == "front_desk"


async def test_deactivate_reactivate_and_reset_from_the_list(demo_db) -> None:
    async with FrontdeskApp(signed_in=_person("manager")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await _to_row(pilot, "billing")
        assert pilot.app.screen.check_action("reactivate", ()) is None  # greyed: active
        await pilot.press("d")
        await settle(pilot)
        assert not _person("billing").active
        await _to_row(pilot, "billing")
        assert pilot.app.screen.check_action("deactivate", ()) is None
        await pilot.press("v")
        await settle(pilot)
        assert _person("billing").active
        await _to_row(pilot, "billing")
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"harbor candle thistle", "enter")
        await settle(pilot)
        assert _person("billing").must_change_password
    actions = {e.action for e in audit.AuditEvent.select()}
    assert {"staff.deactivated", "staff.reactivated", "staff.password_reset"} <= actions


async def test_an_administrator_changes_a_role_by_choosing_it(demo_db) -> None:
    async with FrontdeskApp(signed_in=_person("admin")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await _to_row(pilot, "desk")
        await pilot.press("r")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, AccountForm)
        form.query_one(Select).value = "manager"
        await settle(pilot)
        assert isinstance(pilot.app.screen, StaffScreen)
    assert _person("desk").role == "manager"


async def test_a_manager_cannot_deactivate_an_administrator_and_is_told_why(demo_db) -> None:
    async with FrontdeskApp(signed_in=_person("manager")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await _to_row(pilot, "admin")
        await pilot.press("d")
        await settle(pilot)
        messages = " ".join(str(n.message) for n in pilot.app._notifications)  # noqa: SLF001
        assert "Only a administrator" in messages or "administrator may" in messages
    assert _person("admin").active


async def test_u_opens_the_audit_report_and_escape_comes_back(demo_db) -> None:
    from screens.audit import AuditScreen

    async with FrontdeskApp(signed_in=_person("manager")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AuditScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StaffScreen)


async def _staff_at(pilot, username: str) -> None:
    """F10, the cursor on one person."""
    await settle(pilot)
    await pilot.press("f10")
    await settle(pilot)
    await _to_row(pilot, username)


async def test_t_sets_the_departments_and_the_list_shows_them(demo_db) -> None:
    from frontdesk import messages
    from screens.staff import DepartmentsForm

    nurse = _person("billing")
    messages.set_departments(nurse, ["billing"], by=_person("manager"))
    async with FrontdeskApp(signed_in=_person("manager")).run_test(size=(80, 24)) as pilot:
        await _staff_at(pilot, "billing")
        assert "Priya Shah reads the messages of Billing" in screen_text(pilot)
        await pilot.press("t")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, DepartmentsForm)
        assert form.ticked() == ["billing"]
        await pilot.press("space")  # Nursing, the first box, ticked
        await pilot.press("down", "space")  # Billing, unticked
        await pilot.press("down", "space")  # Medical records
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StaffScreen)
        assert messages.departments_of(nurse) == ["nursing", "records"]
        text = screen_text(pilot)
        assert "Priya Shah reads the messages of Nursing, Medical records" in text
        assert "Nursing, M…" in text  # the column, cut to fit 80
        assert "t Depts" in text
        notices = [notice.message for notice in pilot.app._notifications]  # noqa: SLF001
        assert "Priya Shah: reads Nursing, Medical records." in notices
    detail = audit.AuditEvent.select().where(
        audit.AuditEvent.action == "staff.departments").order_by(audit.AuditEvent.id.desc()).get()
    assert detail.subject == f"staff {nurse.id}"


async def test_departments_escape_changes_nothing_and_f1_lists_the_key(demo_db) -> None:
    from frontdesk import messages

    before = messages.departments_of(_person("desk"))
    async with FrontdeskApp(signed_in=_person("manager")).run_test(size=(80, 24)) as pilot:
        await _staff_at(pilot, "desk")
        await pilot.press("f1")
        await settle(pilot)
        assert "Depts" in screen_text(pilot) and "[staff.departments]" in screen_text(pilot)
        await pilot.press("escape", "t")
        await settle(pilot)
        await pilot.press("space", "escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StaffScreen)
        assert messages.departments_of(_person("desk")) == before
