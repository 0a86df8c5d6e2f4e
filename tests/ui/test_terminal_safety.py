"""One record cannot inject into another person's terminal (DESIGN: sanitised text)."""

from __future__ import annotations

from screens.app import FrontdeskApp
from tests.snapshots.test_snapshots import EVIL, _poison
from tests.ui.helpers import grid, grid_cells, screen_text, settle


async def test_escape_sequences_from_the_database_never_reach_the_screen(desk_user,
                                                                         demo_db) -> None:
    patient_id = _poison(demo_db)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        cells, text = grid_cells(pilot), screen_text(pilot)
        assert "Bob, " in cells  # the sequences are dropped whole, the letters kept
        for dangerous in ("\x1b", "\x07", "\x9b", "\x9d"):
            assert dangerous not in cells and dangerous not in text
        appointment = next(a for a in grid(pilot).day.appointments
                           if a.patient_id == patient_id)
        grid(pilot).go_to_appointment(appointment)
        await pilot.press("enter")
        await settle(pilot)
        detail = screen_text(pilot)
        assert "Bob, " in detail and "\x1b" not in detail and "\x07" not in detail
    assert EVIL.startswith("\x1b")


async def test_square_brackets_in_a_name_are_text_not_markup(desk_user, demo_db) -> None:
    """Rich/Textual markup in stored text is shown as typed, in the grid and the list."""
    import sqlite3

    from frontdesk import schedule
    from tests.conftest import TODAY

    target = next(a for a in schedule.day(TODAY).appointments
                  if a.status is not schedule.Status.CANCELLED)
    with sqlite3.connect(demo_db) as raw:
        raw.execute("UPDATE patient SET last_name = '[reverse]Evil' WHERE id = ?",
                    (target.patient_id,))
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "[reverse]Evil" in grid_cells(pilot)
        await pilot.press("l")
        await settle(pilot)
        table = pilot.app.screen.day_list
        row = next(i for i, a in enumerate(table._rows) if a.patient_id == target.patient_id)
        table.move_cursor(row=row)
        await pilot.pause()
        assert "[reverse]Evil" in screen_text(pilot)
