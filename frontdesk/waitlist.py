"""The waitlist: patients who would take an earlier slot, offered one when it frees up."""

from __future__ import annotations

import peewee as pw

from frontdesk import db
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.schedule import AppointmentType
from frontdesk.staff import Staff

__all__ = ["PARTS_OF_DAY", "STATES", "WaitlistEntry"]

PARTS_OF_DAY = ("any", "morning", "afternoon")
STATES = ("waiting", "booked", "removed")


class WaitlistEntry(db.Model):
    patient = pw.ForeignKeyField(Patient, backref="+", on_delete="RESTRICT")
    provider = pw.ForeignKeyField(Provider, null=True, backref="+", on_delete="RESTRICT")
    """None: any provider."""
    type = pw.ForeignKeyField(AppointmentType, null=True, backref="+", on_delete="RESTRICT")
    earliest = pw.DateField()
    latest = pw.DateField()
    weekdays = pw.CharField(max_length=7, default="")
    """Days the patient can come, as digits 0 (Monday) to 6; empty: any day."""
    part_of_day = pw.CharField(max_length=10, default="any")
    note = pw.CharField(max_length=200, default="")
    state = pw.CharField(max_length=10, default="waiting")
    created_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = db.InstantField()
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("state", "earliest"), False),)
