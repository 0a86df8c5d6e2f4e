"""Intake forms: what a patient signs, when, and when it is due again.

A signing is a row; a renewal is a new row, so the history stays. Whether a form
is due is worked out from the latest signing of its kind and the renewal period
in config (`form_renewal_months`, 0 meaning once is enough). A form never signed
is due.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import peewee as pw

from frontdesk import audit, changes, clock, config, db
from frontdesk.dates import describe, short
from frontdesk.errors import InvalidInput
from frontdesk.patients import Patient
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff

__all__ = ["KINDS", "IntakeForm", "FormState", "record", "record_many", "states", "due",
           "renews_on"]

KINDS = {
    "registration": "Registration form",
    "privacy": "Notice of privacy practices",
    "history": "Medical history",
    "consent": "Consent to treat",
    "financial": "Financial policy",
}
"""Form -> what staff call it, in the order a new patient fills them in."""

_IN_CHUNK = 900
"""Patients per query: well under SQLite's smallest limit on bound values (999)."""


class IntakeForm(db.Model):
    """One signing of one form; a renewal is a new row, so the history stays."""

    patient = pw.ForeignKeyField(Patient, backref="+", on_delete="RESTRICT")
    kind = pw.CharField(max_length=20)
    signed_on = pw.DateField()
    recorded_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    recorded_at = db.InstantField()

    class Meta:
        indexes = ((("patient", "kind", "signed_on"), False),)


@dataclass(frozen=True)
class FormState:
    """Where one form stands for a patient on a day."""

    kind: str
    label: str
    signed_on: date | None
    """The latest signing, or None when never signed."""
    due: bool
    """It must be signed (again) before or at the visit."""
    renew_on: date | None
    """When the latest signing runs out; None when it never does (or was never signed)."""


def _plus_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st lands on the month's last day."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def renews_on(kind: str, signed_on: date) -> date | None:
    """When a signing of `kind` runs out under the clinic's renewal periods."""
    months = config.current().form_renewal_months.get(kind, 0)
    return _plus_months(signed_on, months) if months else None


def _state(kind: str, signed_on: date | None, on: date) -> FormState:
    renew = renews_on(kind, signed_on) if signed_on else None
    is_due = signed_on is None or (renew is not None and renew <= on)
    return FormState(kind, KINDS[kind], signed_on, is_due, renew)


def _check(patient: Patient, kind: str, signed_on: date, today: date) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"\"{kind}\" is not an intake form (forms: {', '.join(KINDS)}).",
                           field="kind")
    if not isinstance(signed_on, date):
        raise InvalidInput("Type the date the form was signed.", field="signed_on")
    if signed_on > today:
        raise InvalidInput(f"{describe(signed_on)} is in the future; a form is recorded "
                           "once it is signed.", field="signed_on")
    if signed_on < patient.dob:
        raise InvalidInput(f"{describe(signed_on)} is before {patient.full_name} was born "
                           f"({short(patient.dob)}).", field="signed_on")


_already = db.Statement(lambda v: (
    IntakeForm.select(IntakeForm.id)
    .where((IntakeForm.patient == v("patient")) & (IntakeForm.kind == v("kind"))
           & (IntakeForm.signed_on == v("signed_on")))
))
_insert_form = db.Insert(IntakeForm)


def record(patient: Patient, kind: str, signed_on: date, *, by: Staff) -> IntakeForm:
    """Record that the patient signed a form on a day.

    The same signing recorded twice (two terminals, a double key press) is one
    signing: the row on file is returned and nothing is written.
    """
    require(by, Permission.REGISTER_PATIENTS)
    _check(patient, kind, signed_on, clock.today())
    with db.write():
        found = _already.rows(patient=patient.id, kind=kind, signed_on=signed_on.isoformat())
        if found:
            return IntakeForm.get_by_id(found[0][0])
        now = clock.now()
        values = {"patient": patient.id, "kind": kind, "signed_on": signed_on,
                  "recorded_by": by.id, "recorded_at": now}
        form_id = _insert_form.insert(**_insert_form.values(
            {"signed_on": signed_on.isoformat()}, **values))
        audit.record("form.signed", by=by, patient=patient, subject=f"form {form_id}",
                     detail={"form": kind, "signed_on": signed_on.isoformat()})
        changes.record("patient", str(patient.id))
    form = IntakeForm(id=form_id, **values)
    form._dirty.clear()
    return form


def record_many(signings: Sequence[tuple[Patient, str, date]], *, by: Staff) -> int:
    """Record many signings in one transaction (paper forms entered in bulk); returns
    how many were new.

    Every signing passes the same checks as `record`, and one already on file is
    skipped. One audit event names the batch, as for patients registered in bulk.
    """
    require(by, Permission.REGISTER_PATIENTS)
    today = clock.today()
    for patient, kind, signed_on in signings:
        _check(patient, kind, signed_on, today)
    if not signings:
        return 0
    with db.write():
        on_file = _on_file({patient.id for patient, _, _ in signings})
        now = IntakeForm.recorded_at.db_value(clock.now())
        rows = sorted({(patient.id, kind, signed_on.isoformat())
                       for patient, kind, signed_on in signings} - on_file)
        _insert_form.many(
            _insert_form.values({"recorded_at": now, "signed_on": signed_on},
                                patient=patient_id, kind=kind, recorded_by=by.id)
            for patient_id, kind, signed_on in rows)
        if rows:
            audit.record("form.signed_many", by=by, subject=f"{len(rows)} forms",
                         detail={"count": len(rows), "patients": len({r[0] for r in rows}),
                                 "first": min(r[2] for r in rows),
                                 "last": max(r[2] for r in rows)})
            changes.record("patient", "*")
    return len(rows)


def _on_file(patient_ids: set[int]) -> set[tuple[int, str, str]]:
    found: set[tuple[int, str, str]] = set()
    for batch in pw.chunked(sorted(patient_ids), _IN_CHUNK):
        query = (IntakeForm.select(IntakeForm.patient, IntakeForm.kind, IntakeForm.signed_on)
                 .where(IntakeForm.patient.in_(batch)).tuples())
        found.update((p, k, s.isoformat() if isinstance(s, date) else s) for p, k, s in query)
    return found


def _latest(patient_ids: Sequence[int]) -> dict[int, dict[str, date]]:
    """Per patient, the latest signing of each kind, one query per 900 patients."""
    latest: dict[int, dict[str, date]] = {}
    for batch in pw.chunked(list(patient_ids), _IN_CHUNK):
        # GROUP BY over the (patient, kind, signed_on) index: read from the index alone.
        query = (IntakeForm.select(IntakeForm.patient, IntakeForm.kind,
                                   pw.fn.MAX(IntakeForm.signed_on))
                 .where(IntakeForm.patient.in_(batch))
                 .group_by(IntakeForm.patient, IntakeForm.kind).tuples())
        for patient_id, kind, signed_on in query:
            if isinstance(signed_on, str):  # MAX() hands back the stored text
                signed_on = date.fromisoformat(signed_on)
            latest.setdefault(patient_id, {})[kind] = signed_on
    return latest


def states(patient_id: int, on: date) -> list[FormState]:
    """Every intake form of a patient as it stands on a day, in KINDS order."""
    signed = _latest([patient_id]).get(patient_id, {})
    return [_state(kind, signed.get(kind), on) for kind in KINDS]


def due(patient_ids: Iterable[int], on: date) -> dict[int, list[str]]:
    """The kinds due on a day, per patient (every patient asked about has an entry,
    empty when nothing is due), in one query for a screenful of patients."""
    ids = list(dict.fromkeys(patient_ids))
    latest = _latest(ids)
    return {patient_id: [kind for kind in KINDS
                         if _state(kind, latest.get(patient_id, {}).get(kind), on).due]
            for patient_id in ids}
