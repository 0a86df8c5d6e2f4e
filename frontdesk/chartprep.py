"""Chart preparation: what each of a day's appointments still misses.

Before a clinic day the desk goes through its appointments and gets ready what
each patient will be asked for at the window: intake forms due, demographics not
confirmed this year, insurance missing or ended. `worklist` reads the whole day
in three queries, whatever the number of appointments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import chunked

from frontdesk import clock, forms
from frontdesk.insurance import Coverage, Payer
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.schedule import HOLDS_SLOT, Appointment

__all__ = ["Gap", "worklist", "FORM_WORDS"]

FORM_WORDS = {
    "registration": "Registration",
    "privacy": "Privacy notice",
    "history": "History",
    "consent": "Consent",
    "financial": "Financial policy",
}
"""The short name of each form, for a crowded line."""


def _day(on: date) -> str:
    """A date as the desk writes it on a sticky note: 3/4/2025."""
    return f"{on.month}/{on.day}/{on.year}"


@dataclass(frozen=True)
class Gap:
    """One appointment of the day and what its chart still misses (nothing: ready)."""

    appointment_id: int
    start: datetime
    """Aware, in the clinic's zone."""
    provider: str
    """Short name: `Dr. Patel`."""
    patient_id: int
    patient: str
    """Filed name: `García, María`."""
    mrn: str
    forms_due: tuple[str, ...]
    """Kinds of intake form due, in KINDS order."""
    demographics: str
    """Why the demographics need confirming, or empty."""
    coverage: str
    """What is wrong with the insurance on the day, or empty."""

    @property
    def gaps(self) -> list[str]:
        """Everything missing, in plain words, forms first."""
        words = [f"{forms.KINDS[kind]} due" for kind in self.forms_due]
        return words + [text for text in (self.demographics, self.coverage) if text]

    @property
    def short(self) -> str:
        """The gaps in a few words, for one line of a list."""
        parts = [FORM_WORDS[kind] for kind in self.forms_due]
        if self.demographics:
            parts.append("Demographics")
        if self.coverage:
            parts.append("Insurance")
        return ", ".join(parts)

    @property
    def ready(self) -> bool:
        return not (self.forms_due or self.demographics or self.coverage)


def _demographics(verified_at: datetime | None, on: date) -> str:
    if verified_at is None:
        return "Demographics never verified"
    verified_on = clock.local(verified_at).date()  # the clinic's calendar year, not UTC's
    if verified_on.year < on.year:
        return f"Demographics last verified {_day(verified_on)}"
    return ""


def _coverage(held: list[tuple[str, date, date | None]], on: date) -> str:
    """What is wrong with a patient's insurance on a day: (payer, effective, ends) rows."""
    if not held:
        return "No insurance on file"
    if any(start <= on and (end is None or on <= end) for _, start, end in held):
        return ""
    ended = [(end, payer) for payer, _, end in held if end is not None and end < on]
    if ended:
        end, payer = max(ended)
        return f"{payer} coverage ended {_day(end)}"
    start, payer = min((start, payer) for payer, start, _ in held)
    return f"{payer} coverage starts {_day(start)}"


def _appointments(on: date) -> list[tuple]:
    start, end = clock.day_bounds(on)
    return list(
        Appointment.select(Appointment.id, Appointment.start, Provider.last_name,
                           Provider.credentials, Patient.id, Patient.last_name,
                           Patient.first_name, Patient.mrn, Patient.verified_at)
        .join_from(Appointment, Patient).join_from(Appointment, Provider)
        .where((Appointment.start >= start) & (Appointment.start < end)
               & Appointment.status.in_([status.value for status in HOLDS_SLOT]))
        .order_by(Appointment.start, Provider.position, Provider.id).tuples()
    )


def _coverages(patient_ids: list[int]) -> dict[int, list[tuple[str, date, date | None]]]:
    held: dict[int, list[tuple[str, date, date | None]]] = {pid: [] for pid in patient_ids}
    for batch in chunked(patient_ids, 900):  # SQLite's smallest limit of bound values is 999
        query = (Coverage.select(Coverage.patient, Payer.name, Coverage.effective_on,
                                 Coverage.ends_on)
                 .join(Payer).where(Coverage.patient.in_(batch)).tuples())
        for patient_id, payer, effective_on, ends_on in query:
            held[patient_id].append((payer, effective_on, ends_on))
    return held


def worklist(on: date) -> list[Gap]:
    """Every appointment of a day that holds its slot, earliest first, with what its
    chart misses; those missing nothing are there too (`ready`), so a count of the
    day can say "12 of 40"."""
    rows = _appointments(on)
    patient_ids = list(dict.fromkeys(row[4] for row in rows))
    due = forms.due(patient_ids, on)
    held = _coverages(patient_ids)
    zone = clock.zone()
    return [
        Gap(appointment_id=appointment_id, start=start.astimezone(zone),
            provider=Provider(last_name=last, credentials=credentials).short_name,
            patient_id=patient_id, patient=f"{patient_last}, {patient_first}", mrn=mrn,
            forms_due=tuple(due[patient_id]), demographics=_demographics(verified_at, on),
            coverage=_coverage(held[patient_id], on))
        for (appointment_id, start, last, credentials, patient_id, patient_last,
             patient_first, mrn, verified_at) in rows
    ]
