"""Referrals and prior authorisations: what the payer agreed to before the visit.

A referral sends a patient whose plan requires one (HMO, POS) to a specialist for a
number of visits between two dates; a prior authorisation approves a service (a
procedure, a scan) for a number of units. Staff record them as the payer answers:
requested, pending, then approved or denied; one that has run out is expired.

A visit that checks out while an approved referral or authorisation applies to it
(same patient, the provider or specialty it names, the visit type if it names one,
within its dates, visits left) uses one, once: the use is kept per appointment, so
checking out twice never counts twice. Booking a specialist for a patient whose
plan requires referrals, without one that applies, warns before saving; staff may
go on (the referral may be on its way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import peewee as pw

from frontdesk import audit, changes, clock, db, insurance
from frontdesk.dates import Kind as DateKind
from frontdesk.dates import parse_date, short
from frontdesk.errors import InvalidInput, NotFound, StaleEdit
from frontdesk.insurance import Coverage, Payer
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment, AppointmentType
from frontdesk.staff import Staff
from frontdesk.text import fold, one_line, typed

__all__ = [
    "Kind", "Status", "Referral", "ReferralUse", "ReferralDraft", "add_typed", "update_typed",
    "draft_of", "get", "referrals_of", "PatientReferrals", "for_patient", "applicable",
    "use_for", "Standing", "standing_for",
    "referral_warning", "WorkItem", "worklist", "EXPIRING_DAYS", "FOLLOW_UP_DAYS", "TOPIC",
]

TOPIC = "referral"
"""The change-feed topic: the worklist and a patient's list refresh on it."""
EXPIRING_DAYS = 14
"""An approved referral ending within this many days is on the worklist."""
FOLLOW_UP_DAYS = 7
"""When staff give no follow-up date for a request, they look again after this many days."""
MAX_UNITS = 999


class Kind(StrEnum):
    REFERRAL = "referral"
    AUTHORIZATION = "authorization"

    @property
    def label(self) -> str:
        return "referral" if self is Kind.REFERRAL else "prior authorization"


class Status(StrEnum):
    REQUESTED = "requested"
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"


WAITING = (Status.REQUESTED, Status.PENDING)
"""Asked for and not yet answered: these have follow-up dates."""


class Referral(db.Model):
    kind = pw.CharField(max_length=15)
    patient = pw.ForeignKeyField(Patient, backref="+", on_delete="RESTRICT")
    coverage = pw.ForeignKeyField(Coverage, null=True, backref="+", on_delete="RESTRICT")
    """The coverage the payer gave it under."""
    number = pw.CharField(max_length=30, default="")
    """The payer's reference or authorisation number."""
    from_name = pw.CharField(max_length=80, default="")
    """Who referred: the primary care provider, as their letter names them."""
    to_provider = pw.ForeignKeyField(Provider, null=True, backref="+", on_delete="RESTRICT")
    """The provider of this clinic the patient is sent to; None: any of `to_specialty`."""
    to_specialty = pw.CharField(max_length=60, default="")
    service = pw.CharField(max_length=120, default="")
    """What is authorised: "cardiology consult and follow-ups", "MRI lumbar spine"."""
    visit_type = pw.ForeignKeyField(AppointmentType, null=True, backref="+",
                                    on_delete="RESTRICT")
    """Only visits of this type use it; None: any."""
    units_authorised = pw.IntegerField(null=True)
    units_used = pw.IntegerField(default=0)
    starts_on = pw.DateField(null=True)
    ends_on = pw.DateField(null=True)
    status = pw.CharField(max_length=12)
    follow_up_on = pw.DateField(null=True)
    notes = pw.CharField(max_length=500, default="")
    created_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = db.InstantField()
    updated_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("patient", "status"), False), (("status", "ends_on"), False))

    @property
    def units_left(self) -> int | None:
        if self.units_authorised is None:
            return None
        return max(0, self.units_authorised - self.units_used)

    @property
    def used_up(self) -> bool:
        return self.units_left == 0

    def runs_on(self, day: date) -> bool:
        return ((self.starts_on is None or self.starts_on <= day)
                and (self.ends_on is None or day <= self.ends_on))

    def shown_status(self, today: date) -> str:
        """The status as the desk should read it: an approved one past its end is expired."""
        if self.status == Status.APPROVED and self.ends_on is not None and self.ends_on < today:
            return Status.EXPIRED.value
        return self.status

    @property
    def to_words(self) -> str:
        """`Dr. Chen (Cardiology)`, `Cardiology`, or what the service says."""
        provider = getattr(self, "_to", None) or (
            Provider.get_or_none(Provider.id == self.to_provider_id)
            if self.to_provider_id else None)
        if provider is not None and provider.id:
            specialty = self.to_specialty or provider.specialty
            return f"{provider.short_name} ({specialty})"
        return self.to_specialty or self.service

    @property
    def to_short(self) -> str:
        """`Dr. Chen`, `Cardiology`, or the service: for a narrow column."""
        provider = getattr(self, "_to", None) or (
            Provider.get_or_none(Provider.id == self.to_provider_id)
            if self.to_provider_id else None)
        if provider is not None and provider.id:
            return provider.short_name
        return self.to_specialty or self.service

    @property
    def visits_words(self) -> str:
        """`2 of 6 visits left`."""
        if self.units_authorised is None:
            return "visits not set"
        return f"{self.units_left} of {self.units_authorised} visits left"


class ReferralUse(db.Model):
    """A checked-out visit that used one of a referral's visits: at most one per visit."""

    referral = pw.ForeignKeyField(Referral, backref="uses", on_delete="RESTRICT")
    appointment = pw.ForeignKeyField(Appointment, unique=True, backref="+",
                                     on_delete="RESTRICT")
    used_at = db.InstantField()
    used_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")


# -- the form, as typed -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralDraft:
    """A referral or authorisation as staff typed it; the domain reads the dates and
    numbers."""

    kind: str = Kind.REFERRAL.value
    status: str = Status.REQUESTED.value
    number: str = ""
    coverage_id: int | None = None
    from_name: str = ""
    to_provider_id: int | None = None
    to_specialty: str = ""
    service: str = ""
    visit_type_id: int | None = None
    units_authorised: str = ""
    units_used: str = "0"
    starts_on: str = ""
    ends_on: str = ""
    follow_up_on: str = ""
    notes: str = ""


def _day(text: str, *, field: str, label: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_date(text, today=clock.today(), kind=DateKind.ANY)
    except InvalidInput as error:
        raise InvalidInput(f"{label}: {error}", field=field) from None


def _count(text: str, *, field: str, label: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(f"{label} must be a whole number, such as 6; not "
                           f"\"{one_line(text)[:12]}\".", field=field)
    value = int(text)
    if value > MAX_UNITS:
        raise InvalidInput(f"{label} of {value} cannot be right (at most {MAX_UNITS}).",
                           field=field)
    return value


@dataclass(frozen=True)
class _Checked:
    kind: str
    status: str
    number: str
    coverage: Coverage | None
    from_name: str
    to_provider: Provider | None
    to_specialty: str
    service: str
    visit_type: AppointmentType | None
    units_authorised: int | None
    units_used: int
    starts_on: date | None
    ends_on: date | None
    follow_up_on: date | None
    notes: str

    def columns(self) -> dict[str, object]:
        return dict(self.__dict__)


def _check(patient_id: int, draft: ReferralDraft) -> _Checked:
    try:
        kind = Kind(draft.kind)
    except ValueError:
        raise InvalidInput("Choose referral or prior authorization.", field="kind") from None
    try:
        status = Status(draft.status)
    except ValueError:
        raise InvalidInput(f"Status is one of {', '.join(s.value for s in Status)}.",
                           field="status") from None
    number = typed(draft.number, field="number", label="Number", limit=30).upper()
    coverage = None
    if draft.coverage_id is not None:
        coverage = Coverage.get_or_none((Coverage.id == draft.coverage_id)
                                        & (Coverage.patient == patient_id))
        if coverage is None:
            raise InvalidInput("That coverage is not this patient's; choose one of theirs.",
                               field="coverage")
    from_name = typed(draft.from_name, field="from_name", label="Referred by", limit=80)
    provider = None
    if draft.to_provider_id is not None:
        provider = Provider.get_or_none(Provider.id == draft.to_provider_id)
        if provider is None:
            raise InvalidInput("That provider is no longer on the list; choose another.",
                               field="to_provider")
    specialty = typed(draft.to_specialty, field="to_specialty", label="Specialty", limit=60)
    service = typed(draft.service, field="service", label="Service", limit=120)
    if kind is Kind.REFERRAL and provider is None and not specialty:
        raise InvalidInput("Say where the patient is referred to: one of our providers, or "
                           "a specialty.", field="to_provider")
    if kind is Kind.AUTHORIZATION and not service:
        raise InvalidInput("Say what is authorized: the service or procedure, as the payer "
                           "wrote it.", field="service")
    visit_type = None
    if draft.visit_type_id is not None:
        visit_type = AppointmentType.get_or_none(AppointmentType.id == draft.visit_type_id)
        if visit_type is None:
            raise InvalidInput("That visit type is no longer on the list.", field="visit_type")
    authorised = _count(draft.units_authorised, field="units_authorised",
                        label="Visits authorized")
    used = _count(draft.units_used, field="units_used", label="Visits used") or 0
    if authorised is not None and authorised < 1:
        raise InvalidInput("Visits authorized must be at least 1.", field="units_authorised")
    if authorised is not None and used > authorised:
        raise InvalidInput(f"{used} visits used is more than the {authorised} authorized.",
                           field="units_used")
    starts = _day(draft.starts_on, field="starts_on", label="From")
    ends = _day(draft.ends_on, field="ends_on", label="To")
    if starts and ends and ends < starts:
        raise InvalidInput(f"It ends ({short(ends)}) before it starts ({short(starts)}).",
                           field="ends_on")
    follow_up = _day(draft.follow_up_on, field="follow_up_on", label="Follow up")
    if status is Status.APPROVED:
        if not number:
            raise InvalidInput("An approved one has the payer's number; type it as on the "
                               "approval.", field="number")
        if authorised is None:
            raise InvalidInput("How many visits did the payer approve? Type the number.",
                               field="units_authorised")
        if ends is None:
            raise InvalidInput("Until when is it approved? Type the end date from the "
                               "approval.", field="ends_on")
        starts = starts or clock.today()
    if status in WAITING and follow_up is None:
        follow_up = clock.today() + timedelta(days=FOLLOW_UP_DAYS)
    notes = typed(draft.notes, field="notes", label="Notes", limit=500)
    return _Checked(kind.value, status.value, number, coverage, from_name, provider, specialty,
                    service, visit_type, authorised, used, starts, ends, follow_up, notes)


def add_typed(patient_id: int, draft: ReferralDraft, *, by: Staff) -> Referral:
    """A referral or authorisation from the form; every field checked first."""
    require(by, Permission.REGISTER_PATIENTS)
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        raise NotFound(f"There is no patient {patient_id}.")
    checked = _check(patient_id, draft)
    now = clock.now()
    with db.write():
        referral = Referral.create(patient=patient, created_by=by, created_at=now,
                                   updated_by=by, updated_at=now, **checked.columns())
        audit.record(f"{checked.kind}.added", by=by, patient=patient,
                     subject=f"referral {referral.id}",
                     detail={"status": checked.status, "number": checked.number})
        changes.record(TOPIC, str(patient_id))
    return referral


def _plain(value: object) -> object:
    if isinstance(value, pw.Model):
        return value.id
    if isinstance(value, date):
        return value.isoformat()
    return value


def update_typed(referral_id: int, draft: ReferralDraft, *, version: int,
                 by: Staff) -> Referral:
    """Change a referral as staff corrected it or as the payer answered; refused if
    someone changed it (or a visit used it) since `version` was read."""
    require(by, Permission.REGISTER_PATIENTS)
    current = get(referral_id)
    checked = _check(current.patient_id, draft)
    columns = checked.columns()
    with db.write():
        done = (Referral.update(updated_by=by, updated_at=clock.now(),
                                version=Referral.version + 1, **columns)
                .where((Referral.id == current.id) & (Referral.version == version)).execute())
        if not done:
            raise StaleEdit(f"Someone else changed this {Kind(current.kind).label} (or a visit "
                            "used it) since you opened it; look at it again and redo your "
                            "change.")
        before = {name: _plain(getattr(current, name)) for name in columns}
        after = {name: _plain(value) for name, value in columns.items()}
        audit.record(f"{current.kind}.changed", by=by, patient=current.patient_id,
                     subject=f"referral {current.id}",
                     detail={k: [before[k], after[k]] for k in after if before[k] != after[k]})
        changes.record(TOPIC, str(current.patient_id))
    return get(current.id)


def draft_of(referral: Referral) -> ReferralDraft:
    return ReferralDraft(
        kind=referral.kind, status=referral.status, number=referral.number,
        coverage_id=referral.coverage_id, from_name=referral.from_name,
        to_provider_id=referral.to_provider_id, to_specialty=referral.to_specialty,
        service=referral.service, visit_type_id=referral.visit_type_id,
        units_authorised=("" if referral.units_authorised is None
                          else str(referral.units_authorised)),
        units_used=str(referral.units_used),
        starts_on=short(referral.starts_on) if referral.starts_on else "",
        ends_on=short(referral.ends_on) if referral.ends_on else "",
        follow_up_on=short(referral.follow_up_on) if referral.follow_up_on else "",
        notes=referral.notes)


def get(referral_id: int) -> Referral:
    found = Referral.get_or_none(Referral.id == referral_id)
    if found is None:
        raise NotFound(f"There is no referral {referral_id}.")
    return found


def referrals_of(patient_id: int, *, by: Staff) -> list[Referral]:
    """A patient's referrals and authorisations, newest first; the look is audited."""
    require(by, Permission.VIEW_PATIENTS)
    target = Provider.alias()
    found = list(Referral.select(Referral, target)
                 .join_from(Referral, target, pw.JOIN.LEFT_OUTER,
                            on=(Referral.to_provider == target.id), attr="_to")
                 .where(Referral.patient == patient_id)
                 .order_by(Referral.created_at.desc(), Referral.id.desc()))
    with db.write(durable=False):  # a look, not a change
        audit.record("referrals.viewed", by=by, patient=patient_id,
                     subject=f"patient {patient_id}")
    return found


@dataclass(frozen=True)
class PatientReferrals:
    """A patient's referrals and authorisations, with what the form offers to choose."""

    patient_id: int
    patient: str
    """Filed name: `García, María`."""
    mrn: str
    referrals: list[Referral]
    coverages: list[tuple[str, int]]
    """(`Aetna HMO · primary`, coverage id) of the patient's coverages, in force first."""


def for_patient(patient_id: int, *, by: Staff) -> PatientReferrals:
    """What the patient's referral list shows; the look is audited."""
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        raise NotFound(f"There is no patient {patient_id}.")
    found = referrals_of(patient_id, by=by)
    today = clock.today()
    coverages = [(f"{c.payer.name} {c.plan_type} · "
                  f"{c.rank_label.lower() if c.covers(today) else 'not in force'}", c.id)
                 for c in insurance.coverages_of(patient_id)]
    return PatientReferrals(patient.id, patient.filed_name, patient.mrn, found, coverages)


# -- which one a visit uses ---------------------------------------------------------------------


def _aims_at(referral: Referral, provider: Provider, type_id: int | None) -> bool:
    return ((referral.to_provider_id is None or referral.to_provider_id == provider.id)
            and (not referral.to_specialty
                 or fold(referral.to_specialty) == fold(provider.specialty))
            and (referral.visit_type_id is None or type_id is None
                 or referral.visit_type_id == type_id))


def _on_file(patient_id: int) -> list[Referral]:
    return list(Referral.select().where(Referral.patient == patient_id))


def _candidates(patient_id: int, provider: Provider, type_id: int | None,
                kinds: tuple[Kind, ...] = tuple(Kind), *,
                on_file: list[Referral] | None = None) -> list[Referral]:
    found = _on_file(patient_id) if on_file is None else on_file
    return [r for r in found if r.kind in kinds and _aims_at(r, provider, type_id)]


def _best(found: list[Referral]) -> Referral | None:
    """Of those that apply, the one naming the provider first, then the one ending soonest
    (its visits would be lost first)."""
    if not found:
        return None
    return min(found, key=lambda r: (r.to_provider_id is None, r.ends_on or date.max, r.id))


def applicable(patient_id: int, provider: Provider, type_id: int | None, day: date, *,
               kinds: tuple[Kind, ...] = tuple(Kind),
               on_file: list[Referral] | None = None) -> Referral | None:
    """The approved referral or authorisation a visit on `day` would use, with visits left.
    `on_file`: the patient's referrals, when the caller has read them already."""
    return _best([r for r in _candidates(patient_id, provider, type_id, kinds, on_file=on_file)
                  if r.status == Status.APPROVED and r.runs_on(day) and not r.used_up])


def use_for(appointment: Appointment, *, by: Staff) -> Referral | None:
    """Count the checked-out visit against the referral that applies to it, once: a
    visit already counted is not counted again. Returns the referral used, if any.
    Call inside the check-out's transaction."""
    with db.write():
        used = ReferralUse.get_or_none(ReferralUse.appointment == appointment.id)
        if used is not None:
            return None
        provider = Provider.get_by_id(appointment.provider_id)
        day = clock.local(appointment.start).date()
        referral = applicable(appointment.patient_id, provider, appointment.type_id, day)
        if referral is None:
            return None
        ReferralUse.create(referral=referral, appointment=appointment.id, used_at=clock.now(),
                           used_by=by)
        (Referral.update(units_used=Referral.units_used + 1, version=Referral.version + 1)
         .where(Referral.id == referral.id).execute())
        audit.record(f"{referral.kind}.used", by=by, patient=appointment.patient_id,
                     subject=f"referral {referral.id}",
                     detail={"appointment": appointment.id,
                             "used": referral.units_used + 1,
                             "of": referral.units_authorised})
        changes.record(TOPIC, str(appointment.patient_id))
    return get(referral.id)


@dataclass(frozen=True)
class Standing:
    """What check-in shows about the referral or authorisation of a visit."""

    referral_id: int | None
    text: str
    """`2 of 6 visits left · R4417 · until 03/01/27`, or the warning."""
    warning: bool
    """Something to act on: none on file, used up, ended."""
    kind: str = Kind.REFERRAL.value

    @property
    def label(self) -> str:
        return "Referral" if self.kind == Kind.REFERRAL else "Prior auth"


def standing_for(appointment: Appointment, *, coverages: list[Coverage] | None = None
                 ) -> Standing | None:
    """The referral or authorisation this visit uses (or has used), or the warning when
    its plan requires one and none applies; None when nothing is needed or on file.
    `coverages`: the patient's in force that day, when the caller has them."""
    provider = appointment.provider
    day = clock.local(appointment.start).date()
    on_file = _on_file(appointment.patient_id)
    use = None
    if any(r.units_used for r in on_file):  # only then can this visit have used one
        use = (ReferralUse.select(ReferralUse, Referral).join(Referral)
               .where(ReferralUse.appointment == appointment.id).first())
    referral = use.referral if use is not None else applicable(
        appointment.patient_id, provider, appointment.type_id, day, on_file=on_file)
    if referral is not None:
        # The visit line names the provider; what the desk needs is what is left.
        number = f" · {one_line(referral.number)}" if referral.number else ""
        until = f" · until {referral.ends_on:%m/%d/%y}" if referral.ends_on else ""
        used = " (this visit counted)" if use is not None else ""
        return Standing(referral.id, f"{referral.visits_words}{used}{number}{until}",
                        referral.units_left == 0 and use is None, referral.kind)
    missing = _missing_referral(appointment.patient, provider, day, coverages=coverages,
                                on_file=on_file)
    if missing is None:
        return None
    plan, detail = missing
    return Standing(None, f"{plan} requires one; {detail}.", True)


def referral_warning(patient: Patient, provider: Provider, day: date, *,
                     coverages: list[Coverage] | None = None,
                     on_file: list[Referral] | None = None) -> str | None:
    """Why booking `provider` on `day` may not be covered: the patient's plan requires a
    referral to a specialist and none applies. None when all is well."""
    found = _missing_referral(patient, provider, day, coverages=coverages, on_file=on_file)
    if found is None:
        return None
    plan, detail = found
    return (f"{one_line(provider.short_name)} ({one_line(provider.specialty)}) is a specialist "
            f"and {one_line(patient.first_name)} {one_line(patient.last_name)}'s {plan} "
            f"requires a referral; {detail}.")


def _missing_referral(patient: Patient, provider: Provider, day: date, *,
                      coverages: list[Coverage] | None, on_file: list[Referral] | None
                      ) -> tuple[str, str] | None:
    """(the plan, what is wrong) when the plan wants a referral for this visit and none
    applies; None when all is well."""
    if not insurance.needs_referral(provider.specialty):
        return None
    held = coverages if coverages is not None else insurance.coverage_on(patient, day)
    if not held or not held[0].referrals_required:
        return None
    primary = held[0]
    on_file = _on_file(patient.id) if on_file is None else on_file
    if applicable(patient.id, provider, None, day, kinds=(Kind.REFERRAL,),
                  on_file=on_file) is not None:
        return None
    plan = f"{one_line(primary.payer.name)} {primary.plan_type}"
    others = _candidates(patient.id, provider, None, (Kind.REFERRAL,), on_file=on_file)
    approved = [r for r in others if r.status == Status.APPROVED]
    used_up = [r for r in approved if r.runs_on(day) and r.used_up]
    if used_up:
        r = used_up[0]
        return plan, (f"referral {one_line(r.number)} has no visits left "
                      f"({r.units_used} of {r.units_authorised} used)")
    outside = [r for r in approved if not r.runs_on(day)]
    if outside:
        r = _best(outside)
        span = (f"{short(r.starts_on)} to {short(r.ends_on)}" if r.starts_on and r.ends_on
                else f"to {short(r.ends_on)}" if r.ends_on else f"from {short(r.starts_on)}")
        return plan, f"referral {one_line(r.number)} runs {span}, not {short(day)}"
    waiting = [r for r in others if r.status in WAITING]
    if waiting:
        return plan, f"the one asked for is still {waiting[0].status}"
    return plan, f"none is on file for {short(day)}"


# -- the worklist -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    referral_id: int
    version: int
    section: str
    """follow_up, expiring or used_up: the order the worklist shows them in."""
    reason: str
    """`follow-up 3 days late`, `ends in 5 days`, `all 6 visits used`."""
    patient_id: int
    patient: str
    mrn: str
    kind: str
    number: str
    to: str
    status: str
    payer: str
    ends_on: date | None
    follow_up_on: date | None
    visits: str

    @property
    def kind_label(self) -> str:
        return "Referral" if self.kind == Kind.REFERRAL else "Auth"


SECTIONS = {"follow_up": "Pending past follow-up", "expiring":
            f"Expiring within {EXPIRING_DAYS} days", "used_up": "Used up"}


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def worklist(*, by: Staff, today: date | None = None) -> list[WorkItem]:
    """What needs a call to a payer or a provider: requests past their follow-up date,
    approvals ending within EXPIRING_DAYS with visits left, and approvals used up
    while still running. Follow-ups first (most overdue first), then by end date."""
    require(by, Permission.VIEW_PATIENTS)
    today = today or clock.today()
    soon = today + timedelta(days=EXPIRING_DAYS)
    target = Provider.alias()
    query = (Referral.select(Referral, Patient, Coverage, Payer, target)
             .join_from(Referral, Patient)
             .join_from(Referral, Coverage, pw.JOIN.LEFT_OUTER)
             .join_from(Coverage, Payer, pw.JOIN.LEFT_OUTER)
             .join_from(Referral, target, pw.JOIN.LEFT_OUTER,
                        on=(Referral.to_provider == target.id), attr="_to")
             .where(((Referral.status.in_([s.value for s in WAITING]))
                     & (Referral.follow_up_on <= today))
                    | ((Referral.status == Status.APPROVED)
                       & (Referral.ends_on.is_null() | (Referral.ends_on >= today)))))
    items: list[tuple[tuple, WorkItem]] = []
    for r in query:
        if r.status in WAITING:
            late = (today - r.follow_up_on).days
            section, reason = "follow_up", ("follow-up due today" if late == 0 else
                                            f"follow-up {_days(late)} late")
            order = (0, -late)
        elif r.used_up:
            section, reason = "used_up", f"all {r.units_authorised} visits used"
            order = (2, (r.ends_on or date.max).toordinal())
        elif r.ends_on is not None and r.ends_on <= soon:
            left = (r.ends_on - today).days
            section = "expiring"
            reason = "ends today" if left == 0 else f"ends in {_days(left)}"
            order = (1, left)
        else:
            continue
        coverage = r.coverage if r.coverage_id else None
        asked = r.units_authorised
        visits = (r.visits_words if r.status == Status.APPROVED
                  else f"{asked} visit{'s' if asked != 1 else ''} asked for" if asked else "")
        items.append((order + (r.id,), WorkItem(
            referral_id=r.id, version=r.version, section=section, reason=reason,
            patient_id=r.patient_id, patient=r.patient.filed_name, mrn=r.patient.mrn,
            kind=r.kind, number=r.number, to=r.to_short, status=r.status,
            payer=coverage.payer.name if coverage is not None else "",
            ends_on=r.ends_on, follow_up_on=r.follow_up_on, visits=visits)))
    with db.write(durable=False):  # a look at patients' referrals
        audit.record("referrals.worklist_viewed", by=by, subject="referral worklist",
                     detail={"rows": len(items)})
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]
