"""Chart prep by keys: c on the schedule, record forms signed, the row clears in place."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input

from frontdesk import chartprep, clock, patients
from frontdesk.forms import IntakeForm
from frontdesk.patients import Patient
from screens.app import FrontdeskApp
from screens.appointment import AppointmentScreen
from screens.chartprep import ChartPrepScreen, SignForms
from screens.schedule import ScheduleScreen
from tests.conftest import TODAY
from tests.ui.helpers import screen_text, settle


def _recorded_here(desk_user) -> dict[str, date]:
    """The forms this test recorded (the demo's were entered when it was built)."""
    return {f.kind: f.signed_on for f in IntakeForm.select()
            .where(IntakeForm.recorded_by == desk_user, IntakeForm.recorded_at == clock.now())}


def _only_forms_missing() -> chartprep.Gap:
    """Today's first appointment whose patient misses two forms or more; the rest of
    the chart is made ready, so recording the forms clears the row."""
    row = next(r for r in chartprep.worklist(TODAY)
               if len(r.forms_due) >= 2 and not r.coverage)
    Patient.update(verified_at=clock.now()).where(Patient.id == row.patient_id).execute()
    return row


async def _open_chart_prep(pilot) -> ChartPrepScreen:
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChartPrepScreen)
    return screen


async def _to_row(pilot, screen: ChartPrepScreen, appointment_id: int) -> None:
    index = next(i for i, r in enumerate(screen._rows) if r.appointment_id == appointment_id)
    screen.query_one(DataTable).move_cursor(row=index)
    await pilot.pause()


async def test_c_opens_chart_prep_for_the_day_shown_with_its_count(desk_user) -> None:
    rows = chartprep.worklist(TODAY)
    needing = [r for r in rows if not r.ready]
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _open_chart_prep(pilot)
        assert screen.day == TODAY
        text = screen_text(pilot)
        assert f"{len(needing)} of {len(rows)} appointments need something" in text, text
        assert [r.appointment_id for r in screen._rows] == [r.appointment_id for r in needing]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScheduleScreen)
        await pilot.press("right_square_bracket", "c")
        await settle(pilot)
        assert pilot.app.screen.day == date(2026, 12, 2)
        assert "Wed, Dec 2, 2026 (tomorrow)" in screen_text(pilot)


async def test_recording_the_forms_by_keys_clears_the_row_in_place(desk_user) -> None:
    target = _only_forms_missing()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _open_chart_prep(pilot)
        await _to_row(pilot, screen, target.appointment_id)
        row_index = screen.query_one(DataTable).cursor_row
        await pilot.press("s")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, SignForms)
        text = screen_text(pilot)
        assert "Forms signed" in text and "12/01/2026" in text
        first, *rest = target.forms_due
        await pilot.press(first[0])
        await settle(pilot)
        assert pilot.app.screen is dialog  # the others are still to record
        assert "signed 12/01/2026" in screen_text(pilot)
        # The rest were signed on another day: Tab to the date, type it as staff do.
        await pilot.press("tab")
        dialog.query_one("#signed_on", Input).value = ""
        await pilot.press(*"11/28", "enter", *[kind[0] for kind in rest])
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChartPrepScreen)
        await settle(pilot)
        assert screen.query_one(DataTable).cursor_row == row_index
        assert screen.current.appointment_id == target.appointment_id
        assert screen.current.ready
        assert "ready ✓" in screen_text(pilot)
    assert _recorded_here(desk_user) == {first: TODAY,
                                         **{kind: date(2026, 11, 28) for kind in rest}}


async def test_a_future_date_is_refused_and_kept_with_the_date_in_focus(desk_user) -> None:
    target = _only_forms_missing()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _open_chart_prep(pilot)
        await _to_row(pilot, screen, target.appointment_id)
        await pilot.press("s")
        await settle(pilot)
        dialog = pilot.app.screen
        await pilot.press("tab")
        dialog.query_one("#signed_on", Input).value = ""
        await pilot.press(*"12/25", "enter", target.forms_due[0][0])
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert "in the future" in screen_text(pilot)
        field = dialog.query_one("#signed_on", Input)
        assert field.has_focus and field.value == "12/25"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChartPrepScreen)
    assert _recorded_here(desk_user) == {}


async def test_next_skips_ready_rows_and_enter_opens_the_appointment(desk_user) -> None:
    target = _only_forms_missing()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _open_chart_prep(pilot)
        await _to_row(pilot, screen, target.appointment_id)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*[kind[0] for kind in target.forms_due])
        await settle(pilot)
        await settle(pilot)
        assert screen.current.ready
        table = screen.query_one(DataTable)
        ready_at = table.cursor_row
        table.move_cursor(row=ready_at - 1 if ready_at else len(screen._rows) - 1)
        await pilot.pause()
        count = len(screen._rows)
        expected = next((ready_at + step) % count for step in range(1, count)
                        if not screen._rows[(ready_at + step) % count].ready)
        await pilot.press("n")
        await pilot.pause()
        assert table.cursor_row == expected  # past the ready row, not onto it
        assert not screen.current.ready
        await pilot.press("j")
        await pilot.pause()
        assert not screen.current.ready
        chosen = screen.current.appointment_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AppointmentScreen)
        assert pilot.app.screen.appointment_id == chosen


async def test_verified_is_offered_only_where_the_patient_record_can_verify(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _open_chart_prep(pilot)
        if getattr(patients, "verify", None) is None:
            assert screen.check_action("verify", ()) is False
            return
        row = next(r for r in screen._rows if r.demographics)
        await _to_row(pilot, screen, row.appointment_id)
        await pilot.press("v")
        await settle(pilot)
        await settle(pilot)
        assert screen.current.appointment_id == row.appointment_id  # kept in place
        assert not screen.current.demographics
        assert screen.check_action("verify", ()) is None  # nothing left to verify
    assert Patient.get_by_id(row.patient_id).verified_at == clock.now()


async def test_a_form_recorded_at_another_terminal_clears_the_row_here(desk_user) -> None:
    from frontdesk import forms
    from tests.ui.helpers import until

    target = _only_forms_missing()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _open_chart_prep(pilot)
        await _to_row(pilot, screen, target.appointment_id)
        patient = Patient.get_by_id(target.patient_id)
        for kind in target.forms_due:  # the other terminal
            forms.record(patient, kind, TODAY, by=desk_user)
        await until(pilot, lambda: screen.current is not None and screen.current.ready)
        assert screen.current.appointment_id == target.appointment_id
        await settle(pilot)
        assert "ready ✓" in screen_text(pilot)


def test_every_intake_form_has_its_own_key_in_the_dialog() -> None:
    from frontdesk.forms import KINDS
    from screens.actions import SIGN_FORMS

    keys = {a.action: a.keys for a in SIGN_FORMS}
    assert {f"sign('{kind}')": kind[0] for kind in KINDS}.items() <= keys.items()
