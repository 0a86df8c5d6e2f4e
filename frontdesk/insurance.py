"""Payers and the coverages patients hold with them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import peewee as pw

from frontdesk import audit, changes, clock, db
from frontdesk.errors import Conflict, InvalidInput
from frontdesk.patients import Patient
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff
from frontdesk.text import typed

__all__ = ["PlanType", "Payer", "Coverage", "add_payer", "add_coverage", "coverage_on"]


class PlanType(StrEnum):
    HMO = "HMO"
    PPO = "PPO"
    EPO = "EPO"
    POS = "POS"
    MEDICARE = "Medicare"
    MEDICARE_ADVANTAGE = "Medicare Advantage"
    MEDICAID = "Medicaid"
    TRICARE = "Tricare"
    SELF_PAY = "Self-pay"


class Payer(db.Model):
    name = pw.CharField(max_length=80, unique=True)
    payer_id = pw.CharField(max_length=20, default="")
    """The electronic payer ID the clearinghouse knows the payer by."""
    active = pw.BooleanField(default=True)


class Coverage(db.Model):
    patient = pw.ForeignKeyField(Patient, backref="coverages", on_delete="RESTRICT")
    payer = pw.ForeignKeyField(Payer, backref="+", on_delete="RESTRICT")
    rank = pw.SmallIntegerField(default=1)
    """1 primary, 2 secondary, 3 tertiary."""
    plan_type = pw.CharField(max_length=20)
    member_id = pw.CharField(max_length=30)
    group_number = pw.CharField(max_length=30, default="")
    effective_on = pw.DateField()
    ends_on = pw.DateField(null=True)
    copay_cents = pw.IntegerField(null=True)
    """Office-visit copay as the card or the payer states it; unknown is None, never 0."""
    updated_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("patient", "rank"), False),)

    def covers(self, on: date) -> bool:
        return self.effective_on <= on and (self.ends_on is None or on <= self.ends_on)


def add_payer(name: str, payer_id: str = "", *, by: Staff) -> Payer:
    require(by, Permission.EDIT_SETUP)
    name = typed(name, field="name", label="Payer name", limit=80, required=True)
    payer_id = typed(payer_id, field="payer_id", label="Payer ID", limit=20, required=False)
    with db.write():
        if Payer.select().where(Payer.name == name).exists():
            raise Conflict(f"{name} is already on the payer list.", field="name")
        payer = Payer.create(name=name, payer_id=payer_id)
        audit.record("payer.created", by=by, subject=f"payer {payer.id}", detail={"name": name})
    return payer


def add_coverage(patient: Patient, payer: Payer, *, plan_type: PlanType | str, member_id: str,
                 effective_on: date, group_number: str = "", rank: int = 1,
                 ends_on: date | None = None, copay_cents: int | None = None,
                 by: Staff) -> Coverage:
    require(by, Permission.REGISTER_PATIENTS)
    try:
        plan_type = PlanType(plan_type)
    except ValueError:
        raise InvalidInput(
            f"Plan type \"{plan_type}\" is not one of {', '.join(p.value for p in PlanType)}.",
            field="plan_type",
        ) from None
    member_id = typed(member_id, field="member_id", label="Member ID", limit=30, required=True)
    group_number = typed(group_number, field="group_number", label="Group number", limit=30, required=False)
    if rank not in (1, 2, 3):
        raise InvalidInput("Coverage is primary (1), secondary (2) or tertiary (3).",
                           field="rank")
    if ends_on is not None and ends_on < effective_on:
        raise InvalidInput("The coverage ends before it starts.", field="ends_on")
    if copay_cents is not None and (isinstance(copay_cents, bool) or copay_cents < 0):
        raise InvalidInput("A copay cannot be negative.", field="copay")
    with db.write():
        coverage = Coverage.create(
            patient=patient, payer=payer, rank=rank, plan_type=plan_type.value,
            member_id=member_id, group_number=group_number, effective_on=effective_on,
            ends_on=ends_on, copay_cents=copay_cents, updated_by=by, updated_at=clock.now(),
        )
        audit.record("coverage.added", by=by, patient=patient, subject=f"coverage {coverage.id}",
                     detail={"payer": payer.name, "rank": rank})
        changes.record("patient", str(patient.id))
    return coverage


def coverage_on(patient: Patient, on: date) -> list[Coverage]:
    """The patient's coverages in force on a day, primary first."""
    return [c for c in Coverage.select(Coverage, Payer).join(Payer)
            .where(Coverage.patient == patient).order_by(Coverage.rank) if c.covers(on)]
