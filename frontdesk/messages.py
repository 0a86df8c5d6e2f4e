"""Phone messages: taken on a call, sent to a person or a department, worked to done."""

from __future__ import annotations

import peewee as pw

from frontdesk import db
from frontdesk.patients import Patient
from frontdesk.phones import Call
from frontdesk.staff import Staff

__all__ = ["REASONS", "DEPARTMENTS", "STATES", "Message", "MessageEvent"]

REASONS = {
    "appointment": "Appointment",
    "refill": "Prescription refill",
    "results": "Test results",
    "billing": "Billing",
    "referral": "Referral",
    "records": "Records",
    "other": "Other",
}
DEPARTMENTS = {
    "nursing": "Nursing",
    "billing": "Billing",
    "records": "Medical records",
    "referrals": "Referrals",
    "front_desk": "Front desk",
}
STATES = ("new", "read", "in_progress", "done")


class Message(db.Model):
    taken_at = db.InstantField(index=True)
    taken_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    call = pw.ForeignKeyField(Call, null=True, backref="+", on_delete="RESTRICT")
    caller_name = pw.CharField(max_length=100)
    relationship = pw.CharField(max_length=40, default="self")
    patient = pw.ForeignKeyField(Patient, null=True, backref="+", on_delete="RESTRICT")
    callback = pw.CharField(max_length=16, default="")
    """E.164."""
    best_time = pw.CharField(max_length=60, default="")
    reason = pw.CharField(max_length=20)
    text = pw.TextField()
    urgent = pw.BooleanField(default=False)
    red_flags = pw.CharField(max_length=200, default="")
    """Triage flags the text matched (ids, comma-separated): why it is urgent."""
    to_staff = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    to_department = pw.CharField(max_length=20, default="")
    state = pw.CharField(max_length=12, default="new")
    due_at = db.InstantField(null=True)
    """When it is overdue if not done."""
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = (
            (("to_staff", "state"), False),
            (("to_department", "state"), False),
        )


class MessageEvent(db.Model):
    """Everything that happened to a message, kept: read, replied, forwarded, reassigned."""

    message = pw.ForeignKeyField(Message, backref="events", on_delete="RESTRICT")
    at = db.InstantField()
    by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    action = pw.CharField(max_length=20)
    note = pw.TextField(default="")
    to_staff = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    to_department = pw.CharField(max_length=20, default="")
