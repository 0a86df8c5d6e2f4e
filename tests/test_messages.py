"""Phone messages: taken with every check, triaged, sent to people and departments,
worked to done with their history kept, and never overwritten by a stale screen."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from frontdesk import audit, changes, clock, config, messages, phones, staff
from frontdesk.errors import InvalidInput, NotAllowed, StaleEdit
from frontdesk.messages import Message, MessageEvent
from tests.conftest import NOW, PASSWORD


@pytest.fixture
def billing(clinic) -> staff.Staff:
    person = staff.add_staff("priya", "Priya Shah", staff.Role.BILLING, PASSWORD, by=clinic.admin)
    messages.set_departments(person, ["billing"], by=clinic.admin)
    return person


def _take(clinic, **given) -> Message:
    values = dict(caller_name="María García", relationship="self", patient=clinic.maria,
                  callback="(617) 555-0142", best_time="mornings", reason="refill",
                  text="Needs her lisinopril refilled.", urgent=False,
                  to_department="nursing", by=clinic.desk)
    values.update(given)
    return messages.take(**values)


def _actions(message_id: int) -> list[str]:
    return [event.action for event in messages.history(message_id)]


def _audited(action: str) -> list[dict]:
    return [json.loads(e.detail) for e in audit.AuditEvent.select()
            .where(audit.AuditEvent.action == action).order_by(audit.AuditEvent.id)]


# -- taking ---------------------------------------------------------------------------

def test_a_message_is_kept_as_typed_with_a_due_time_and_history(clinic):
    message = _take(clinic, text="  Needs her   lisinopril\nrefilled.  \n")
    stored = Message.get_by_id(message.id)
    assert (stored.caller_name, stored.callback, stored.reason, stored.state) == (
        "María García", "+16175550142", "refill", "new")
    assert stored.text == "Needs her lisinopril\nrefilled."  # lines kept, spaces tidied
    assert stored.due_at == NOW + timedelta(hours=config.current().message_due_hours)
    assert not stored.urgent and stored.red_flags == ""
    assert _actions(message.id) == ["taken"]
    assert _audited("message.taken")[0]["to"] == "nursing"
    assert ("message", str(message.id)) in [(c.topic, c.key) for c in changes.since(0)]


def test_the_due_time_follows_the_configured_hours(clinic):
    config.use(config.Config(timezone="America/New_York", message_due_hours=4))
    assert _take(clinic).due_at == NOW + timedelta(hours=4)


@pytest.mark.parametrize(("given", "field", "words"), [
    ({"caller_name": "  "}, "caller_name", "caller's name is required"),
    ({"callback": ""}, "callback", "number to call back"),
    ({"callback": "555-01"}, "callback", "too short"),
    ({"reason": "gossip"}, "reason", "reason"),
    ({"text": " \n "}, "text", "Type the message"),
    ({"text": "hi\x1b[2J"}, "text", "control characters"),
    ({"to_department": ""}, "recipient", "Say who the message is for"),
    ({"to_department": "kitchen"}, "recipient", "not a department"),
])
def test_each_refusal_names_the_field_and_why(clinic, given, field, words):
    with pytest.raises(InvalidInput) as refused:
        _take(clinic, **given)
    assert refused.value.field == field and words in str(refused.value)
    assert Message.select().count() == 0


def test_an_invalid_callback_number_says_why(clinic):
    with pytest.raises(InvalidInput, match=r'"617 555 01": it is too short'):
        _take(clinic, callback="617 555 01")


def test_a_message_to_someone_who_left_is_refused(clinic, billing):
    staff.deactivate(billing, by=clinic.admin)
    with pytest.raises(InvalidInput, match="no longer works here") as refused:
        _take(clinic, to_department="", to_staff=billing)
    assert refused.value.field == "recipient"


def test_only_staff_who_answer_phones_take_messages(clinic):
    clinic.desk.active = False
    with pytest.raises(NotAllowed):
        _take(clinic)


def test_a_message_names_the_call_it_was_taken_on(clinic):
    rung = phones.ring(1, "617-555-0142")
    message = _take(clinic, call=rung.call_id)
    assert Message.get_by_id(message.id).call_id == rung.call_id


# -- triage ---------------------------------------------------------------------------

def test_a_red_flag_makes_the_message_urgent_due_in_an_hour_and_is_logged(clinic):
    message = _take(clinic, reason="other", text="Says her chest hurts since this morning",
                    urgent=False)
    assert message.urgent and message.red_flags == "chest_pain"
    assert message.due_at == NOW + timedelta(hours=1)
    logged = _audited("message.triaged")
    assert logged == [{"flags": ["chest_pain"], "urgency": "911"}]


def test_no_flag_no_triage_event(clinic):
    _take(clinic)
    assert _audited("message.triaged") == []


def test_staff_may_mark_a_message_urgent_without_a_flag(clinic):
    message = _take(clinic, urgent=True)
    assert message.urgent and message.red_flags == ""
    assert message.due_at == NOW + timedelta(hours=1)


# -- departments and the inbox --------------------------------------------------------

def test_departments_are_set_by_managers_and_refuse_unknown_ones(clinic):
    assert messages.set_departments(clinic.desk, ["records", "front_desk"], by=clinic.admin) == [
        "records", "front_desk"]
    assert messages.departments_of(clinic.desk) == ["records", "front_desk"]
    with pytest.raises(NotAllowed):
        messages.set_departments(clinic.desk, ["billing"], by=clinic.desk)
    with pytest.raises(InvalidInput, match="not a department"):
        messages.set_departments(clinic.desk, ["kitchen"], by=clinic.admin)
    assert messages.departments_of(clinic.desk) == ["records", "front_desk"]


def test_the_inbox_holds_messages_to_me_and_my_departments_urgent_then_overdue_then_newest(
        clinic, billing):
    with clock.frozen(NOW - timedelta(hours=30)):
        old = _take(clinic, to_department="billing", reason="billing", text="Statement query")
    with clock.frozen(NOW - timedelta(hours=2)):
        mine = _take(clinic, to_department="", to_staff=billing, reason="billing",
                     text="Wants a payment plan")
    urgent = _take(clinic, to_department="billing", reason="other",
                   text="cant breathe after the new pill")
    _take(clinic, to_department="nursing", text="Not for billing")
    rows = messages.inbox(billing)
    assert [row.id for row in rows] == [urgent.id, old.id, mine.id]
    assert [row.overdue for row in rows] == [False, True, False]
    assert rows[0].red_flags == ("breathing",) and rows[0].recipient == "Billing"
    assert rows[2].recipient == "Priya Shah" and rows[2].patient_name == "García, María"
    assert messages.inbox(clinic.desk) == []  # in no department, sent nothing


def test_done_messages_leave_the_inbox_unless_asked_for(clinic, billing):
    first = _take(clinic, to_department="billing")
    second = _take(clinic, to_department="billing")
    messages.mark(first, "done", version=1, by=billing)
    assert [row.id for row in messages.inbox(billing)] == [second.id]
    everything = messages.inbox(billing, include_done=True)
    assert [row.id for row in everything] == [second.id, first.id]  # done ones last


def test_unread_count_is_one_query_and_counts_only_new(clinic, billing):
    from playhouse.test_utils import count_queries

    first = _take(clinic, to_department="billing")
    _take(clinic, to_department="", to_staff=billing)
    _take(clinic, to_department="nursing")
    with count_queries() as counted:
        assert messages.unread_count(billing) == 2
    assert counted.count == 1
    messages.opened(first.id, by=billing)
    assert messages.unread_count(billing) == 1


# -- working a message ----------------------------------------------------------------

def test_opening_marks_read_once_and_the_states_follow(clinic, billing):
    message = _take(clinic, to_department="billing")
    row = messages.opened(message.id, by=billing)
    assert (row.state, row.version) == ("read", 2)
    assert messages.opened(message.id, by=billing).state == "read"  # a second look: a look
    assert [e["state"] for e in _audited("message.read")] == ["read"]
    assert len(_audited("message.viewed")) == 1
    changed = messages.mark(message, "in_progress", version=2, by=billing)
    changed = messages.mark(message, "done", version=changed.version, by=billing)
    assert changed.state == "done" and changed.version == 4
    assert _actions(message.id) == ["taken", "read", "in_progress", "done"]
    with pytest.raises(InvalidInput):
        messages.mark(message, "lost", version=4, by=billing)


def test_reply_forward_and_reassign_are_kept_as_history(clinic, billing):
    message = _take(clinic, to_department="billing")
    replied = messages.reply(message, "Called back, left a voicemail", version=1, by=billing)
    assert replied.to_department == "billing"
    forwarded = messages.forward(message, to_staff=clinic.desk, note="She asked for Dana",
                                 version=replied.version, by=billing)
    assert (forwarded.to_staff_id, forwarded.to_department, forwarded.state) == (
        clinic.desk.id, "", "new")
    assert messages.inbox(billing) == [] and messages.inbox(clinic.desk)[0].id == message.id
    reassigned = messages.reassign(message, to_department="records",
                                   version=forwarded.version, by=clinic.desk)
    assert (reassigned.to_staff_id, reassigned.to_department) == (None, "records")
    events = messages.history(message.id)
    assert [(e.action, e.by, e.to, e.note) for e in events] == [
        ("taken", "Dana Desk", "Billing", ""),
        ("replied", "Priya Shah", "", "Called back, left a voicemail"),
        ("forwarded", "Priya Shah", "Dana Desk", "She asked for Dana"),
        ("reassigned", "Dana Desk", "Medical records", ""),
    ]
    assert [e["to"] for e in _audited("message.forwarded")] == [f"staff {clinic.desk.id}"]


def test_a_reply_and_a_forward_need_a_note_and_a_recipient(clinic, billing):
    message = _take(clinic, to_department="billing")
    with pytest.raises(InvalidInput) as refused:
        messages.reply(message, "  ", version=1, by=billing)
    assert refused.value.field == "note"
    with pytest.raises(InvalidInput) as refused:
        messages.forward(message, note="for you", version=1, by=billing)
    assert refused.value.field == "recipient"
    assert _actions(message.id) == ["taken"]


def test_a_stale_change_is_refused_naming_who_changed_it_and_when(clinic, billing):
    message = _take(clinic, to_department="billing")
    with clock.frozen(NOW + timedelta(minutes=5)):
        messages.mark(message, "in_progress", version=1, by=billing)
    with pytest.raises(StaleEdit, match=r"changed by Priya Shah at 10:25"):
        messages.reply(message, "done it", version=1, by=clinic.desk)
    with pytest.raises(StaleEdit):
        messages.mark(message, "done", version=1, by=clinic.desk)
    assert Message.get_by_id(message.id).state == "in_progress"
    assert MessageEvent.select().count() == 2


def test_recipients_are_the_departments_then_active_staff(clinic, billing):
    staff.deactivate(billing, by=clinic.admin)
    found = messages.recipients()
    assert [r.key for r in found][:len(messages.DEPARTMENTS)] == [
        f"dept:{key}" for key in messages.DEPARTMENTS]
    people = [r.label for r in found if r.key.startswith("staff:")]
    assert people == ["Alex Admin", "Dana Desk"]
