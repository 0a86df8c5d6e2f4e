"""The payer list (`p` on a patient's coverages): a manager adds, corrects and deactivates
payers; the front desk may look but not change it."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from frontdesk import staff
from frontdesk.insurance import Payer
from screens.app import FrontdeskApp
from screens.payers import PayerForm, PayersScreen
from tests.ui.helpers import screen_text, settle, type_into


async def _payers(pilot) -> PayersScreen:
    await settle(pilot)
    await pilot.app.push_screen(PayersScreen())
    await settle(pilot)
    return pilot.app.screen


async def test_a_manager_adds_a_payer_a_bad_id_refused_with_the_name_kept(demo_db) -> None:
    manager = staff.Staff.get(staff.Staff.username == "manager")
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        screen = await _payers(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, PayerForm)
        await type_into(pilot, "#name", "Wellpoint")
        await type_into(pilot, "#payer_id", "WP 01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Payer ID \"WP 01\" must be letters and digits only" in screen_text(pilot)
        assert form.query_one("#name", Input).value == "Wellpoint"
        assert form.focused is form.query_one("#payer_id", Input)
        form.query_one("#payer_id", Input).value = ""
        await type_into(pilot, "#payer_id", "wp001")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Wellpoint" in screen_text(pilot)
    assert Payer.get(Payer.name == "Wellpoint").payer_id == "WP001"


async def test_d_deactivates_the_payer_under_the_cursor_and_brings_it_back(demo_db) -> None:
    manager = staff.Staff.get(staff.Staff.username == "manager")
    async with FrontdeskApp(signed_in=manager).run_test(size=(80, 24)) as pilot:
        screen = await _payers(pilot)
        row = [p.name for p in screen.payers].index("Cigna")
        screen.query_one(DataTable).move_cursor(row=row)
        await pilot.pause()
        await pilot.press("d")
        await settle(pilot)
        assert not Payer.get(Payer.name == "Cigna").active
        assert "Deactivated: no new coverages with it" in screen_text(pilot)
        await pilot.press("d")
        await settle(pilot)
    assert Payer.get(Payer.name == "Cigna").active


async def test_the_front_desk_looks_but_does_not_change_the_list(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _payers(pilot)
        text = screen_text(pilot)
        assert "A manager or administrator changes this list." in text
        assert "Deactivate" not in text.splitlines()[-1]
        await pilot.press("a")
        await settle(pilot)
        assert pilot.app.screen is screen
