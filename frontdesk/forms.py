"""Intake forms: what a patient signs, when, and when it is due again."""

from __future__ import annotations

import peewee as pw

from frontdesk import db
from frontdesk.patients import Patient
from frontdesk.staff import Staff

__all__ = ["KINDS", "IntakeForm"]

KINDS = {
    "registration": "Registration form",
    "privacy": "Notice of privacy practices",
    "history": "Medical history",
    "consent": "Consent to treat",
    "financial": "Financial policy",
}
"""Form -> what staff call it, in the order a new patient fills them in."""


class IntakeForm(db.Model):
    """One signing of one form; a renewal is a new row, so the history stays."""

    patient = pw.ForeignKeyField(Patient, backref="+", on_delete="RESTRICT")
    kind = pw.CharField(max_length=20)
    signed_on = pw.DateField()
    recorded_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    recorded_at = db.InstantField()

    class Meta:
        indexes = ((("patient", "kind", "signed_on"), False),)
