"""Provider calendars beyond weekly hours: blocks (lunch, meetings, vacation...) that
may repeat by an RFC 5545 rule, and the on-call rota."""

from __future__ import annotations

import peewee as pw

from frontdesk import db
from frontdesk.providers import Provider
from frontdesk.staff import Staff

__all__ = ["BLOCK_KINDS", "Block", "OnCall"]

BLOCK_KINDS = {
    "lunch": "Lunch",
    "admin": "Admin time",
    "meeting": "Meeting",
    "vacation": "Vacation",
    "rounds": "Hospital rounds",
    "other": "Blocked",
}
"""Kind -> what staff call it."""


class Block(db.Model):
    """Time a provider does not see patients, in the clinic's wall-clock time."""

    provider = pw.ForeignKeyField(Provider, backref="blocks", on_delete="RESTRICT")
    kind = pw.CharField(max_length=20)
    title = pw.CharField(max_length=80, default="")
    starts_on = pw.DateField()
    """The first day it happens."""
    start_time = pw.TimeField()
    end_time = pw.TimeField()
    rule = pw.CharField(max_length=300, default="")
    """An RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=MO,WE"), or empty for once."""
    ends_on = pw.DateField(null=True)
    """The last day it may happen (a rule's UNTIL, kept as a plain day); None: no end."""
    active = pw.BooleanField(default=True)
    created_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("provider", "starts_on"), False),)


class OnCall(db.Model):
    """Who is on call, day by day: from `starts_on` to `ends_on`, both included."""

    provider = pw.ForeignKeyField(Provider, backref="+", on_delete="RESTRICT")
    starts_on = pw.DateField()
    ends_on = pw.DateField()
    note = pw.CharField(max_length=120, default="")
    created_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = db.InstantField()

    class Meta:
        indexes = ((("starts_on", "ends_on"), False),)
