"""The inbox by keys: alt+i, urgent first, open marks read, states, reply, forward,
reassign with their history, the unread count in the header, and the call log."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select

from frontdesk import messages, phones, staff
from frontdesk.messages import Message
from screens.app import FrontdeskApp
from screens.calllog import CallLogScreen, chart
from screens.inbox import InboxScreen
from screens.message import MessageNote, TakeMessage
from tests.ui.helpers import screen_text, settle, until


def _person(username: str) -> staff.Staff:
    return staff.Staff.get(staff.Staff.username == username)


def _take(by: staff.Staff, **given) -> Message:
    values = dict(caller_name="Ann Lee", relationship="self", patient=None,
                  callback="617 555 0142", best_time="", reason="billing",
                  text="Question about a bill", urgent=False, to_department="billing", by=by)
    values.update(given)
    return messages.take(**values)


async def _inbox(pilot) -> InboxScreen:
    await settle(pilot)
    await pilot.press("alt+i")
    await settle(pilot)
    assert isinstance(pilot.app.screen, InboxScreen)
    return pilot.app.screen


async def test_alt_i_shows_my_messages_urgent_first_and_the_detail(desk_user) -> None:
    billing = _person("billing")
    async with FrontdeskApp(signed_in=billing).run_test(size=(80, 24)) as pilot:
        _take(desk_user, text="Wants a payment plan")
        _take(desk_user, reason="other", text="Says her chest hurts")
        inbox = await _inbox(pilot)
        assert [row.text for row in inbox.rows][:1] == ["Says her chest hurts"]
        text = screen_text(pilot)
        assert "⚠" in text and "CHEST PAIN" in text
        assert "Inbox · you and Billing" in text


async def test_open_reads_then_in_progress_and_done_leave_history(desk_user) -> None:
    billing = _person("billing")
    message = _take(desk_user)
    async with FrontdeskApp(signed_in=billing).run_test(size=(80, 24)) as pilot:
        inbox = await _inbox(pilot)
        assert "✉ 2 new" in screen_text(pilot)  # the demo's own billing message too
        inbox.query_one(DataTable).move_cursor(
            row=next(i for i, r in enumerate(inbox.rows) if r.id == message.id))
        await pilot.press("enter")
        await settle(pilot)
        assert inbox.current.state == "read"
        await until(pilot, lambda: "✉ 1 new" in screen_text(pilot))
        await pilot.press("p")
        await settle(pilot)
        assert inbox.current.state == "in_progress"
        assert "in progress with Priya Shah" in screen_text(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert message.id not in [row.id for row in inbox.rows]
        await pilot.press("h")  # the done ones too
        await settle(pilot)
        assert message.id in [row.id for row in inbox.rows]
    assert [e.action for e in messages.history(message.id)] == [
        "taken", "read", "in_progress", "done"]


async def test_reply_forward_and_reassign_by_keys(desk_user) -> None:
    billing = _person("billing")
    message = _take(desk_user, text="Only message")
    async with FrontdeskApp(signed_in=billing).run_test(size=(80, 24)) as pilot:
        inbox = await _inbox(pilot)
        inbox.query_one(DataTable).move_cursor(
            row=next(i for i, r in enumerate(inbox.rows) if r.id == message.id))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageNote)
        await pilot.press("enter")  # an empty reply: refused, the dialog stays
        await settle(pilot)
        assert "The reply is required" in screen_text(pilot)
        await pilot.press(*"Called back, sorted", "enter")
        await settle(pilot)
        assert pilot.app.screen is inbox
        assert "reply from Priya Shah: Called back, sorted" in screen_text(pilot)
        await pilot.press("f")
        await settle(pilot)
        note = pilot.app.screen
        note.query_one("#recipient", Select).value = f"staff:{desk_user.id}"
        await settle(pilot)
        assert note.query_one("#note", Input).has_focus
        await pilot.press(*"She asked for Dana", "enter")
        await settle(pilot)
        assert message.id not in [row.id for row in inbox.rows]  # it is Dana's now
    forwarded = Message.get_by_id(message.id)
    assert (forwarded.to_staff_id, forwarded.state) == (desk_user.id, "new")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        inbox = await _inbox(pilot)
        inbox.query_one(DataTable).move_cursor(
            row=next(i for i, r in enumerate(inbox.rows) if r.id == message.id))
        await pilot.press("a")
        await settle(pilot)
        pilot.app.screen.query_one("#recipient", Select).value = "dept:records"
        await settle(pilot)
        await pilot.press("enter")  # no note needed to reassign
        await settle(pilot)
        assert pilot.app.screen is inbox
    assert [e.action for e in messages.history(message.id)] == [
        "taken", "replied", "forwarded", "reassigned"]
    assert Message.get_by_id(message.id).to_department == "records"


async def test_a_stale_change_is_refused_with_who_and_when(desk_user) -> None:
    billing = _person("billing")
    message = _take(desk_user)
    async with FrontdeskApp(signed_in=billing).run_test(size=(80, 24)) as pilot:
        inbox = await _inbox(pilot)
        inbox.query_one(DataTable).move_cursor(
            row=next(i for i, r in enumerate(inbox.rows) if r.id == message.id))
        messages.mark(message, "in_progress", version=1, by=desk_user)  # another terminal
        await pilot.press("d")
        await settle(pilot)
        notes = " ".join(str(n.message) for n in pilot.app._notifications)  # noqa: SLF001
        assert "changed by Dana Whitfield at 10:20" in notes
    assert Message.get_by_id(message.id).state == "in_progress"


async def test_another_terminals_new_message_appears_by_itself(desk_user) -> None:
    billing = _person("billing")
    async with FrontdeskApp(signed_in=billing).run_test(size=(80, 24)) as pilot:
        inbox = await _inbox(pilot)
        before = len(inbox.rows)
        _take(desk_user, text="From the other terminal")
        await until(pilot, lambda: len(inbox.rows) == before + 1, timeout=5)
        await until(pilot, lambda: "✉ 2 new" in screen_text(pilot), timeout=5)


async def test_n_takes_a_new_message_without_a_call(desk_user) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _inbox(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TakeMessage)
        assert pilot.app.screen.prefill.call_id is None


async def test_l_shows_the_days_calls_and_the_chart(desk_user) -> None:
    rung = phones.ring(1, "617 555 0142")
    phones.answer(1, version=rung.version, by=desk_user)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _inbox(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CallLogScreen)
        text = screen_text(pilot)
        assert "1 call, 1 answered" in text and "on line" in text
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "0 calls" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InboxScreen)


def test_the_chart_draws_each_hour_with_its_count() -> None:
    drawn = chart({**{h: 0 for h in range(24)}, 9: 4, 10: 2}).plain.splitlines()
    assert drawn[0].split()[0] == "██" and drawn[0].endswith("4 an hour")  # 9 o'clock: the top
    assert drawn[-2].split()[:4] == ["7", "8", "9", "10"]
    assert drawn[-1].split() == ["·", "·", "4", "2"] + ["·"] * 8


def test_history_says_the_day_of_what_was_not_today() -> None:
    """A message taken last night and answered this morning: "21:24" alone would read as
    tonight, later than the reply under it."""
    from datetime import datetime, timezone

    from frontdesk import clock
    from frontdesk.messages import EventRow
    from screens.inbox import _event_line

    now = datetime(2026, 11, 29, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York
    with clock.frozen(now):
        last_night = _event_line(EventRow(datetime(2026, 11, 29, 2, 24, tzinfo=timezone.utc),
                                          "Dana Whitfield", "taken", "", "Billing"), now)
        this_morning = _event_line(EventRow(datetime(2026, 11, 29, 14, 5, tzinfo=timezone.utc),
                                            "Priya Shah", "replied", "Called back", ""), now)
    assert last_night.plain.startswith("11/28 21:24 ")
    assert this_morning.plain.startswith(" 9:05 ")
