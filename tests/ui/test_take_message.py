"""Taking a phone message by keys: the triage banner at once, refusals that keep every
field and focus the one at fault, and the saved message in its recipient's inbox."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Select, Static, TextArea

from frontdesk import messages, staff
from frontdesk.messages import Message, Prefill
from frontdesk.patients import Patient, PatientPhone
from screens.app import FrontdeskApp
from screens.message import TakeMessage
from tests.ui.helpers import screen_text, settle


def _person(username: str) -> staff.Staff:
    return staff.Staff.get(staff.Staff.username == username)


def _known_caller() -> tuple[Patient, str]:
    phone = PatientPhone.select().order_by(PatientPhone.id).first()
    return phone.patient, phone.number


async def _open(pilot, prefill: Prefill | None = None) -> TakeMessage:
    await settle(pilot)
    form = TakeMessage(prefill)
    await pilot.app.push_screen(form)
    await settle(pilot)
    return form


async def _type(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press(*text)


async def test_typing_chest_hurts_raises_the_banner_at_once(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _open(pilot)
        banner = form.query_one("#banner", Static)
        assert not banner.display
        await _type(pilot, "#text", "she says her chest hurts")
        # No settle: the match runs in the key's own handler, no worker to wait for.
        assert banner.display
        assert "⚠ CHEST PAIN — Tell the caller to hang up and call 911" in screen_text(pilot)
        assert form.query_one("#urgent", Checkbox).value
        await pilot.press(*" a lot, and she cant breathe")
        assert "TROUBLE BREATHING" in str(banner.content)
        form.query_one("#text", TextArea).text = "wants a refill"
        await pilot.pause()
        assert not banner.display


async def test_enter_in_the_message_is_a_new_line_and_prefill_comes_from_the_line(
        desk_user) -> None:
    patient, number = _known_caller()
    prefill = Prefill(call_id=None, callback=number, patient_id=patient.id,
                      caller_name=patient.full_name)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _open(pilot, prefill)
        assert form.query_one("#caller_name", Input).value == patient.full_name
        assert form.query_one("#patient", Input).value == patient.filed_name
        assert form.patient_id == patient.id
        assert form.query_one("#text", TextArea).has_focus  # the caller is known: say it
        await pilot.press(*"line one", "enter", *"line two")
        assert form.query_one("#text", TextArea).text == "line one\nline two"
        assert pilot.app.screen is form


async def test_an_invalid_callback_says_why_and_keeps_the_message(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _open(pilot)
        await _type(pilot, "#caller_name", "Ann Lee")
        await _type(pilot, "#callback", "617 555 01")
        await _type(pilot, "#text", "Please call about the bill")
        form.query_one("#reason", Select).value = "billing"
        form.query_one("#recipient", Select).value = "dept:billing"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "617 555 01\": it is too short" in str(form.query_one("#refusal").content)
        assert form.query_one("#callback", Input).has_focus
        assert form.query_one("#text", TextArea).text == "Please call about the bill"
        assert form.query_one("#caller_name", Input).value == "Ann Lee"
    assert Message.select().count() == 4  # the demo's own, nothing new


async def test_a_message_with_no_recipient_is_refused_and_says_so(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _open(pilot)
        await _type(pilot, "#caller_name", "Ann Lee")
        await _type(pilot, "#callback", "617 555 0142")
        await _type(pilot, "#text", "Call me")
        form.query_one("#reason", Select).value = "other"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "Say who the message is for" in screen_text(pilot)
        assert form.query_one("#recipient", Select).has_focus


async def test_saved_by_keys_it_is_in_the_recipients_inbox(desk_user) -> None:
    patient, number = _known_caller()
    billing = _person("billing")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _open(pilot)
        await pilot.press(*"Ann Lee", "enter", *"daughter", "enter")
        await pilot.press(*patient.mrn)
        await settle(pilot)
        assert form.hits and form.hits[0].patient_id == patient.id
        await pilot.press("enter")  # takes the patient found, goes on to the callback
        assert form.patient_id == patient.id
        assert form.query_one("#callback", Input).has_focus
        await pilot.press(*number, "enter", *"after 3")
        form.query_one("#reason", Select).value = "billing"
        form.query_one("#recipient", Select).value = f"staff:{billing.id}"
        await _type(pilot, "#text", "Question about the last statement")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is not form
    (row, *_) = messages.inbox(billing)
    assert (row.caller_name, row.relationship, row.patient_id, row.callback, row.best_time) == (
        "Ann Lee", "daughter", patient.id, number, "after 3")
    assert (row.to_staff_id, row.state, row.text) == (
        billing.id, "new", "Question about the last statement")


async def test_escape_with_a_message_typed_asks_once_more(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        form = await _open(pilot)
        await _type(pilot, "#text", "half a message")
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is form
        assert "Esc again" in screen_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is not form
