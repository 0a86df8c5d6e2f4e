"""Check-in and check-out at the window.

Check-in shows the desk what to go through with the patient before marking
them arrived: when the demographics were last confirmed, the coverage on file
for the day, the intake forms due, what they owe and any alert. Confirming the
demographics and marking the arrival happen in one transaction, so a refusal of
either leaves both as they were. Check-out marks the visit done and offers the
next free times with the same provider for the same type of visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import peewee as pw
from dateutil.relativedelta import relativedelta

from frontdesk import (audit, clock, db, estimate, forms, patients, referrals, schedule,
                       telephone)
from frontdesk.errors import NotFound
from frontdesk.estimate import Estimate
from frontdesk.forms import FormState
from frontdesk.insurance import coverage_on
from frontdesk.patients import Patient, phones_of
from frontdesk.providers import Provider
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment, AppointmentType, Status
from frontdesk.slots import free_slots
from frontdesk.staff import Staff

__all__ = ["CoverageLine", "Collect", "CheckInSheet", "sheet", "arrive", "depart", "FOLLOW_UPS",
           "Offer", "next_visit_offers", "book_offer", "CAN_ARRIVE", "CAN_DEPART"]

CAN_ARRIVE = (Status.SCHEDULED, Status.CONFIRMED)
"""Statuses from which a patient can be checked in."""
CAN_DEPART = (Status.ARRIVED, Status.ROOMED, Status.WITH_PROVIDER)
"""Statuses from which a patient can be checked out: here, and not yet gone."""

FOLLOW_UPS: dict[str, tuple[str, relativedelta]] = {
    "next": ("next working day", relativedelta(days=1)),
    "1w": ("in 1 week", relativedelta(weeks=1)),
    "2w": ("in 2 weeks", relativedelta(weeks=2)),
    "1m": ("in 1 month", relativedelta(months=1)),
    "3m": ("in 3 months", relativedelta(months=3)),
    "6m": ("in 6 months", relativedelta(months=6)),
    "1y": ("in 1 year", relativedelta(years=1)),
}
"""When the next visit should be, as the provider says it -> how far from today."""

SEARCH_DAYS = 92
"""How far past the follow-up point offers are looked for: a quarter."""


@dataclass(frozen=True)
class CoverageLine:
    """One coverage in force on the day of the visit."""

    rank: int
    payer: str
    plan_type: str
    member_id: str
    copay_cents: int | None
    """None when the copay is not known (never 0 for unknown)."""


@dataclass(frozen=True)
class Collect:
    """What to ask for at the window today: the visit's estimate, less what was already
    paid for the visit, and the balance from before."""

    estimate: Estimate
    paid_for_visit_cents: int
    """Copay, deductible and coinsurance already taken for this visit (voids left out)."""
    balance_cents: int
    """The prior balance the billing system last sent."""

    @property
    def visit_due_cents(self) -> int | None:
        """Still to collect for the visit; None when the estimate is not known."""
        if self.estimate.patient_cents is None:
            return None
        return max(0, self.estimate.patient_cents - self.paid_for_visit_cents)

    @property
    def total_cents(self) -> int | None:
        due = self.visit_due_cents
        return None if due is None else due + max(0, self.balance_cents)


@dataclass(frozen=True)
class CheckInSheet:
    """What the desk goes through with a patient at check-in, read in one go."""

    appointment: Appointment
    """The row as read: its version guards the arrival against a stale screen."""
    start: datetime
    """Aware, in the clinic's zone."""
    end: datetime
    provider: str
    type_name: str
    status: Status
    patient_id: int
    patient: str
    """Filed name: `García, María`."""
    mrn: str
    dob: date
    sex: str
    phones: tuple[tuple[str, str], ...]
    """(kind, E.164) pairs."""
    address: tuple[str, ...]
    """The address lines that are filled in, street first, then "City, ST 02110"."""
    email: str
    verified_at: datetime | None
    """When the demographics were last confirmed, in the clinic's zone."""
    verified_by: str
    patient_version: int
    coverage: tuple[CoverageLine, ...]
    forms: tuple[FormState, ...]
    balance_cents: int
    alerts: str
    draft: patients.Draft
    """The demographics as the edit form starts from them."""
    collect: Collect | None = None
    """What to collect today: the estimate with its working, and the prior balance."""
    referral: referrals.Standing | None = None
    """The referral or authorisation the visit uses ("2 of 6 visits left"), or the
    warning that the plan requires one and none applies."""

    @property
    def version(self) -> int:
        return self.appointment.version

    @property
    def forms_due(self) -> tuple[FormState, ...]:
        return tuple(form for form in self.forms if form.due)

    @property
    def verified_this_year(self) -> bool:
        return self.verified_at is not None and self.verified_at.year == clock.today().year

    @property
    def can_arrive(self) -> bool:
        return self.status in CAN_ARRIVE and self.start.date() == clock.today()


def _address(patient: Patient) -> tuple[str, ...]:
    place = " ".join(part for part in (f"{patient.city}," if patient.city else "",
                                       patient.state, patient.zip) if part).rstrip(",")
    return tuple(line for line in (patient.address1, patient.address2, place) if line)


def _draft(patient: Patient, phones: tuple[tuple[str, str], ...]) -> patients.Draft:
    return patients.Draft(
        first_name=patient.first_name, middle_name=patient.middle_name,
        last_name=patient.last_name, dob=patient.dob.strftime("%m/%d/%Y"), sex=patient.sex,
        phones={kind: telephone.display(number) for kind, number in phones},
        email=patient.email, address1=patient.address1, address2=patient.address2,
        city=patient.city, state=patient.state, zip=patient.zip, alerts=patient.alerts)


def _row(appointment_id: int) -> Appointment:
    verifier = Staff.alias()
    row = (Appointment.select(Appointment, Patient, Provider, AppointmentType, verifier)
           .join_from(Appointment, Patient)
           .join_from(Appointment, Provider)
           .join_from(Appointment, AppointmentType)
           .join_from(Patient, verifier, pw.JOIN.LEFT_OUTER,
                      on=(Patient.verified_by == verifier.id), attr="verifier")
           .where(Appointment.id == appointment_id).first())
    if row is None:
        raise NotFound(f"There is no appointment {appointment_id}.")
    return row


def sheet(appointment_id: int, *, by: Staff) -> CheckInSheet:
    """Everything the check-in panel shows; reading it is audited as a view of the
    patient's record."""
    require(by, Permission.VIEW_PATIENTS)
    row = _row(appointment_id)
    patient = row.patient
    zone = clock.zone()
    start = row.start.astimezone(zone)
    held = coverage_on(patient, start.date())
    phones = tuple(phones_of([patient]).get(patient.id, []))
    due = forms.states(patient.id, clock.today())
    with db.write(durable=False):  # a look, not a change
        audit.record("appointment.viewed", by=by, patient=patient.id,
                     subject=f"appointment {row.id}", detail={"for": "check-in"})
    verifier = getattr(patient, "verifier", None)
    return CheckInSheet(
        appointment=row, start=start, end=row.end.astimezone(zone),
        provider=row.provider.display_name, type_name=row.type.name, status=Status(row.status),
        patient_id=patient.id, patient=patient.filed_name, mrn=patient.mrn, dob=patient.dob,
        sex=patient.sex, phones=phones,
        address=_address(patient), email=patient.email,
        verified_at=patient.verified_at.astimezone(zone) if patient.verified_at else None,
        verified_by=verifier.name if verifier is not None and verifier.id else "",
        patient_version=patient.version,
        coverage=tuple(CoverageLine(c.rank, c.payer.name, c.plan_type, c.member_id,
                                    c.copay_cents) for c in held),
        forms=tuple(due), balance_cents=patient.balance_cents, alerts=patient.alerts,
        draft=_draft(patient, phones),
        collect=Collect(estimate.for_appointment(row, coverages=held),
                        _paid_for_visit(row.id), patient.balance_cents),
        referral=referrals.standing_for(row, coverages=held),
    )


def _paid_for_visit(appointment_id: int) -> int:
    from frontdesk.payments import Payment, Purpose

    for_visit = [Purpose.COPAY.value, Purpose.DEDUCTIBLE.value, Purpose.COINSURANCE.value]
    return (Payment.select(pw.fn.SUM(Payment.amount_cents))
            .where((Payment.appointment == appointment_id) & Payment.voided_at.is_null()
                   & Payment.purpose.in_(for_visit)).scalar() or 0)


def arrive(appointment: Appointment, *, verified: bool, version_of_patient: int,
           by: Staff) -> Appointment:
    """Mark the patient arrived, and (when staff went through them with the patient)
    the demographics confirmed: both, or neither."""
    with db.write():
        if verified:
            patients.verify(appointment.patient_id, version=version_of_patient, by=by)
        return schedule.check_in(appointment, by=by)


def depart(appointment: Appointment, *, by: Staff) -> Appointment:
    """The visit is done: the patient is checked out, with the time, and the visit uses
    one of the referral or authorisation that applies to it (once, however often
    this is called)."""
    with db.write():
        done = schedule.check_out(appointment, by=by)
        referrals.use_for(done, by=by)
    return done


# -- the next visit -----------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A free time for the next visit, ready to book."""

    on: date
    at: time
    patient_id: int
    provider_id: int
    provider: str
    """Short name: `Dr. Patel`."""
    type_id: int
    type_name: str
    minutes: int

    @property
    def start(self) -> datetime:
        """Aware, in the clinic's zone."""
        return clock.local(clock.at_local(self.on, self.at))


def follow_up_day(interval: str, today: date | None = None) -> date:
    """The first day to look for the next visit: `interval` after today, and never
    today itself (the patient is standing at the window)."""
    today = today or clock.today()
    _, distance = FOLLOW_UPS[interval]
    return max(today + distance, today + timedelta(days=1))


def next_visit_offers(appointment: Appointment, count: int = 3, *,
                      interval: str = "next") -> list[Offer]:
    """The next free times with the same provider for the same type of visit, from the
    follow-up point on, that the patient is free for too."""
    row = (Appointment.select(Appointment, Provider, AppointmentType)
           .join_from(Appointment, Provider).join_from(Appointment, AppointmentType)
           .where(Appointment.id == appointment.id).first())
    if row is None:
        raise NotFound(f"There is no appointment {appointment.id}.")
    provider, kind = row.provider, row.type
    found = free_slots(provider, kind, start=follow_up_day(interval), days=SEARCH_DAYS,
                       count=count, patient_id=row.patient_id)
    return [Offer(on, at, row.patient_id, provider.id, provider.short_name, kind.id, kind.name,
                  kind.minutes) for on, at in found]


def book_offer(offer: Offer, *, by: Staff, reason: str = "") -> Appointment:
    """Book an offered time; refused (Conflict) if someone took it meanwhile."""
    return schedule.book(Patient.get_by_id(offer.patient_id),
                         Provider.get_by_id(offer.provider_id),
                         AppointmentType.get_by_id(offer.type_id), offer.on, offer.at,
                         by=by, reason=reason)
