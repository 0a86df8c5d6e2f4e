"""Eligibility: is a patient's insurance in force, and what did the payer say it pays.

A coverage is verified by hand (what the payer's portal or phone representative
said) or by the clearinghouse (a 270 request out, the payer's 271 answer in; see
`frontdesk.clearinghouse`). Either way the result is one `Verification` row,
never changed afterwards: the newest usable one is what `benefits_on` hands the
estimate, and the worklist shows the desk which of the coming days' patients
still need a check. A figure the payer did not give is NULL (unknown), never 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import peewee as pw
from peewee import chunked

from frontdesk import audit, changes, clock, config, db, payments
from frontdesk.errors import InvalidInput, NotFound
from frontdesk.insurance import Coverage, Payer, PlanType, coverage_on
from frontdesk.patients import Patient
from frontdesk.providers import Provider
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment, Status
from frontdesk.staff import Staff
from frontdesk.text import one_line, typed

if TYPE_CHECKING:
    from frontdesk.estimate import Benefits

__all__ = [
    "BY_HAND", "FROM_271", "STATUSES", "STATUS_WORDS", "EligibilityRequest",
    "Eligibility271File", "Verification", "verify_by_hand", "benefits_on", "last_verified",
    "WorkItem", "worklist", "VerificationView", "view", "parse_coinsurance", "window",
    "record_change",
    "parse_days", "benefits_line", "dollars",
]

BY_HAND = "by hand"
FROM_271 = "271"
STATUSES = ("active", "inactive", "rejected", "unknown")
STATUS_WORDS = {"active": "active", "inactive": "not active", "rejected": "rejected",
                "unknown": "payer did not say"}
"""A verification's status as the desk says it."""

TOPIC = "eligibility"
"""Change-feed topic of verifications; the key is the patient's id."""

# Worklist problems, most urgent first: the order exceptions are listed in.
NO_COVERAGE, ENDED, REJECTED, INACTIVE, NEVER, UNKNOWN, STALE, IN_ORDER = range(8)


class EligibilityRequest(db.Model):
    """One patient asked about in a 270 file: how the payer's answer finds its way back."""

    trace = pw.CharField(max_length=30, unique=True)
    """TRN02 sent for this patient; the 271 echoes it."""
    coverage = pw.ForeignKeyField(Coverage, backref="+", on_delete="RESTRICT")
    appointment = pw.ForeignKeyField(Appointment, null=True, backref="+", on_delete="RESTRICT")
    service_date = pw.DateField()
    member_id = pw.CharField(max_length=30)
    """The member ID as sent."""
    interchange_control = pw.IntegerField(index=True)
    """ISA13 of the file, unique across every 270 the clinic writes."""
    group_control = pw.IntegerField()
    """GS06 of the file."""
    transaction_control = pw.IntegerField()
    """ST02 of the payer's transaction in the file."""
    made_at = db.InstantField()
    made_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    """None when written from the command line (the audit trail names the OS user)."""
    file_path = pw.CharField(max_length=500)


class Eligibility271File(db.Model):
    """A 271 file as imported: kept whole, and recognised if it comes again."""

    name = pw.CharField(max_length=255)
    sha256 = pw.CharField(max_length=64, unique=True)
    raw = pw.TextField()
    """The file's text exactly as read (UTF-8, or Latin-1 when it is not UTF-8)."""
    size = pw.IntegerField()
    imported_at = db.InstantField()
    imported_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    answers = pw.IntegerField()
    matched = pw.IntegerField()
    unmatched = pw.TextField(default="[]")
    """JSON list: what each answer no coverage was found for said, for a person to follow up."""
    warnings = pw.TextField(default="[]")

    class Meta:
        table_name = "eligibility_271_file"


class Verification(db.Model):
    """What a payer said about a coverage, once. Never changed; a new check is a new row."""

    coverage = pw.ForeignKeyField(Coverage, backref="verifications", on_delete="RESTRICT")
    verified_at = db.InstantField()
    verified_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    source = pw.CharField(max_length=8)
    """BY_HAND or FROM_271."""
    status = pw.CharField(max_length=8)
    """active, inactive, rejected or unknown."""
    office_copay_cents = pw.IntegerField(null=True)
    specialist_copay_cents = pw.IntegerField(null=True)
    deductible_total_cents = pw.IntegerField(null=True)
    deductible_remaining_cents = pw.IntegerField(null=True)
    coinsurance_percent = pw.DecimalField(max_digits=5, decimal_places=2, auto_round=True,
                                          null=True)
    """The patient's share: 20 is 20 %."""
    oop_max_cents = pw.IntegerField(null=True)
    oop_remaining_cents = pw.IntegerField(null=True)
    plan_name = pw.CharField(max_length=80, default="")
    plan_begin = pw.DateField(null=True)
    plan_end = pw.DateField(null=True)
    reference = pw.CharField(max_length=50, default="")
    """The call or portal reference number."""
    representative = pw.CharField(max_length=80, default="")
    rejection_code = pw.CharField(max_length=3, default="")
    rejection_reason = pw.CharField(max_length=200, default="")
    rejection_follow_up = pw.CharField(max_length=200, default="")
    raw_file = pw.ForeignKeyField(Eligibility271File, null=True, backref="verifications",
                                  on_delete="RESTRICT")
    request = pw.ForeignKeyField(EligibilityRequest, null=True, backref="+",
                                 on_delete="RESTRICT")
    details = pw.TextField(default="{}")
    """From a 271: the whole answer as `eligibility parse --json` prints it, and its EB lines."""

    class Meta:
        indexes = ((("coverage", "verified_at"), False),)

    def benefits(self) -> Benefits:
        # Imported here: the estimate reads benefits_on, so either module may load first.
        from frontdesk.estimate import Benefits

        return Benefits(
            active={"active": True, "inactive": False}.get(self.status),
            office_copay_cents=self.office_copay_cents,
            specialist_copay_cents=self.specialist_copay_cents,
            deductible_total_cents=self.deductible_total_cents,
            deductible_remaining_cents=self.deductible_remaining_cents,
            coinsurance_percent=self.coinsurance_percent,
            oop_max_cents=self.oop_max_cents,
            oop_remaining_cents=self.oop_remaining_cents,
            source=self.source,
            verified_at=self.verified_at,
        )

    def usable_on(self, day: date) -> bool:
        """The payer answered, and the plan dates it gave (if any) include the day."""
        if self.status not in ("active", "inactive"):
            return False
        return ((self.plan_begin is None or self.plan_begin <= day)
                and (self.plan_end is None or day <= self.plan_end))


# -- by hand ------------------------------------------------------------------------

_PERCENT = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?$")


def _money(value: str | int | None, field: str, label: str) -> int | None:
    """Cents from what staff typed; blank is unknown (None), never 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return payments.parse_amount(value, field=field, label=label, zero=True)


def parse_coinsurance(value: str | int | Decimal | None) -> Decimal | None:
    """The patient's share in percent from "20", "20%", "12.5 %"; blank is unknown."""
    if value is None:
        return None
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().rstrip("%").strip()
        if not text:
            return None
    else:
        raise InvalidInput("Coinsurance must be a percent from 0 to 100, such as 20.",
                           field="coinsurance")
    match = _PERCENT.match(text)
    if match is None:
        try:
            Decimal(text)
        except InvalidOperation:
            raise InvalidInput(f"Coinsurance must be a percent from 0 to 100, such as 20, not "
                               f"\"{one_line(str(value))[:20]}\".", field="coinsurance") from None
        raise InvalidInput("Coinsurance is a percent from 0 to 100 with at most two "
                           "decimals, such as 20 or 12.5.", field="coinsurance")
    percent = Decimal(text)
    if percent > 100:
        raise InvalidInput(f"Coinsurance is the patient's share in percent, from 0 to 100; "
                           f"{text} is more than 100.", field="coinsurance")
    return percent


def _not_more(part: int | None, whole: int | None, *, field: str, words: str) -> None:
    if part is not None and whole is not None and part > whole:
        raise InvalidInput(f"{words} ({payments.money(part)}) cannot be more than the total "
                           f"({payments.money(whole)}).", field=field)


_YES = ("y", "yes", "active", "a")
_NO = ("n", "no", "inactive", "not active", "i")


def _active(value: bool | str | None) -> bool:
    if isinstance(value, bool):
        return value
    text = " ".join((value or "").lower().split())
    if text in _YES:
        return True
    if text in _NO:
        return False
    if not text:
        raise InvalidInput("Say whether the payer has the coverage active: y (active) or n "
                           "(not active).", field="active")
    raise InvalidInput(f"Active: type y (active) or n (not active), not "
                       f"\"{one_line(text)[:20]}\".", field="active")


def verify_by_hand(coverage: Coverage | int, *, active: bool | str | None,
                   office_copay: str | int | None = None,
                   specialist_copay: str | int | None = None,
                   deductible_total: str | int | None = None,
                   deductible_remaining: str | int | None = None,
                   coinsurance: str | int | Decimal | None = None,
                   oop_max: str | int | None = None, oop_remaining: str | int | None = None,
                   reference: str = "", representative: str = "", by: Staff) -> Verification:
    """Record what the payer's portal or representative said about a coverage.

    `coverage` is the coverage or its id. `active` is a bool or what staff typed (y, n, active, not active). Amounts are
    typed as staff type money ("$25", "25.00", "1,500"); a blank one is unknown.
    Every refusal names its field, and nothing is saved.
    """
    require(by, Permission.REGISTER_PATIENTS)
    active = _active(active)
    values = {
        "office_copay_cents": _money(office_copay, "office_copay", "Office copay"),
        "specialist_copay_cents": _money(specialist_copay, "specialist_copay",
                                         "Specialist copay"),
        "deductible_total_cents": _money(deductible_total, "deductible_total",
                                         "Deductible total"),
        "deductible_remaining_cents": _money(deductible_remaining, "deductible_remaining",
                                             "Deductible remaining"),
        "coinsurance_percent": parse_coinsurance(coinsurance),
        "oop_max_cents": _money(oop_max, "oop_max", "Out-of-pocket maximum"),
        "oop_remaining_cents": _money(oop_remaining, "oop_remaining",
                                      "Out-of-pocket remaining"),
    }
    _not_more(values["deductible_remaining_cents"], values["deductible_total_cents"],
              field="deductible_remaining", words="The deductible remaining")
    _not_more(values["oop_remaining_cents"], values["oop_max_cents"],
              field="oop_remaining", words="The out-of-pocket remaining")
    reference = typed(reference, field="reference", label="Reference number", limit=50)
    representative = typed(representative, field="representative", label="Representative",
                           limit=80)
    with db.write():
        current = Coverage.get_or_none(Coverage.id == getattr(coverage, "id", coverage))
        if current is None:
            raise NotFound("That coverage is no longer on file.")
        verification = Verification.create(
            coverage=current, verified_at=clock.now(), verified_by=by, source=BY_HAND,
            status="active" if active else "inactive", reference=reference,
            representative=representative, **values)
        audit.record("coverage.verified", by=by, patient=current.patient_id,
                     subject=f"coverage {current.id}",
                     detail={"source": BY_HAND, "status": verification.status,
                             "reference": reference})
        record_change(current.patient_id)
    return verification


def record_change(patient_id: int) -> None:
    """Tell other terminals a patient's eligibility changed; inside the write."""
    changes.record(TOPIC, str(patient_id))
    changes.record("patient", str(patient_id))  # the record and check-in show the benefits


# -- what the estimate and lists read -------------------------------------------------


def benefits_on(coverage: Coverage, day: date) -> Benefits | None:
    """The newest verification of the coverage usable for `day` (by hand or 271), as
    Benefits; None when it was never verified or no answer applies to the day.

    A rejected or unanswered check is skipped for an older one that answered.
    """
    found = (Verification.select()
             .where(Verification.coverage == coverage.id,
                    Verification.status.in_(("active", "inactive")))
             .order_by(Verification.verified_at.desc(), Verification.id.desc()))
    for verification in found:
        if verification.usable_on(day):
            return verification.benefits()
    return None


def last_verified(coverage_ids: Iterable[int]) -> dict[int, Verification]:
    """The newest verification of each coverage (whatever it said), for lists."""
    newest: dict[int, Verification] = {}
    for batch in chunked(sorted(set(coverage_ids)), 900):  # SQLite's bound-value limit
        for verification in (Verification.select()
                             .where(Verification.coverage.in_(batch))
                             .order_by(Verification.verified_at, Verification.id)):
            newest[verification.coverage_id] = verification
    return newest


# -- the worklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One appointment on the insurance worklist, with its primary coverage."""

    appointment_id: int
    start: datetime
    """Aware, in the clinic's zone."""
    provider: str
    patient_id: int
    patient: str
    """Filed name: `García, María`."""
    mrn: str
    dob: date
    coverage_id: int | None
    payer: str
    plan_type: str
    member_id: str
    group_number: str
    coverages: int
    """How many coverages are in force that day (primary, secondary...)."""
    verified_at: datetime | None
    verified_by: str
    source: str
    status: str
    """Of the newest verification; "" when never verified."""
    verification_id: int | None
    rejection: str
    """The payer's reason and what to do, in plain words, when the check was rejected."""
    problem: str
    """Why the row needs attention, in a few words; "" when all is in order."""
    rank: int
    benefits: str = ""
    """What the newest answer said, on one line (`benefits_line`)."""

    @property
    def exception(self) -> bool:
        return self.rank != IN_ORDER

    @property
    def short(self) -> str:
        """The status in the few characters a list column has."""
        if self.rank == IN_ORDER:
            if self.verified_at is None:
                return "self-pay"
            when = clock.local(self.verified_at).date()
            return f"✓ {when.month}/{when.day} {'271' if self.source == FROM_271 else 'by hand'}"
        if self.rank == STALE:
            return self.problem.replace("Verified ", "")
        if self.rank == ENDED:
            return "ended " + self.problem.rsplit(" ", 1)[-1].rsplit("/", 1)[0]
        if self.rank == NO_COVERAGE and self.coverage_id is None and " starts " in self.problem:
            return "starts " + self.problem.rsplit(" ", 1)[-1].rsplit("/", 1)[0]
        return {NO_COVERAGE: "no insurance", REJECTED: "✗ rejected", INACTIVE: "✗ not active",
                NEVER: "never verified", UNKNOWN: "? payer silent"}[self.rank]


def window(first: date | None = None) -> tuple[date, date]:
    """The days the worklist shows by default: today through the configured days ahead."""
    first = first or clock.today()
    return first, first + timedelta(days=config.current().eligibility_days_ahead)


_TO_CHECK = [s.value for s in (Status.SCHEDULED, Status.CONFIRMED, Status.ARRIVED,
                               Status.ROOMED, Status.WITH_PROVIDER)]
"""Visits still to be paid for: a checked-out, cancelled or missed one is off the list."""


def _appointments(first: date, last: date) -> list[tuple]:
    start, _ = clock.day_bounds(first)
    _, end = clock.day_bounds(last)
    return list(
        Appointment.select(Appointment.id, Appointment.start, Provider.last_name,
                           Provider.credentials, Patient.id, Patient.last_name,
                           Patient.first_name, Patient.mrn, Patient.dob)
        .join_from(Appointment, Patient).join_from(Appointment, Provider)
        .where((Appointment.start >= start) & (Appointment.start < end)
               & Appointment.status.in_(_TO_CHECK))
        .order_by(Appointment.start, Provider.position, Provider.id).tuples())


def _short_provider(last_name: str, credentials: str) -> str:
    doctor = credentials.upper().replace(".", "") in ("MD", "DO")
    return f"Dr. {last_name}" if doctor else f"{last_name} {credentials}"


def _ended_coverages(patient_ids: set[int]) -> dict[int, list[tuple[str, date, date | None]]]:
    held: dict[int, list[tuple[str, date, date | None]]] = {}
    for batch in chunked(sorted(patient_ids), 900):
        for patient_id, payer, begins, ends in (
                Coverage.select(Coverage.patient, Payer.name, Coverage.effective_on,
                                Coverage.ends_on).join(Payer)
                .where(Coverage.patient.in_(batch)).tuples()):
            held.setdefault(patient_id, []).append((payer, begins, ends))
    return held


def _day(on: date) -> str:
    return f"{on.month}/{on.day}/{on.year}"


def _not_in_force(held: list[tuple[str, date, date | None]], on: date) -> tuple[int, str]:
    ended = [(ends, payer) for payer, _, ends in held if ends is not None and ends < on]
    if ended:
        ends, payer = max(ended)
        return ENDED, f"{payer} ended {_day(ends)}"
    if held:
        begins, payer = min((begins, payer) for payer, begins, _ in held)
        return NO_COVERAGE, f"{payer} starts {_day(begins)}"
    return NO_COVERAGE, "No insurance on file"


def _judge(verification: Verification | None, on: date, today: date) -> tuple[int, str]:
    if verification is None:
        return NEVER, "Never verified"
    if verification.status == "rejected":
        return REJECTED, "Rejected: " + (verification.rejection_reason or "no reason given")
    if verification.status == "inactive":
        return INACTIVE, "Not active"
    if verification.status == "unknown":
        return UNKNOWN, "Payer did not say"
    if verification.plan_end is not None and verification.plan_end < on:
        return ENDED, f"Plan ended {_day(verification.plan_end)}"
    age = (today - clock.local(verification.verified_at).date()).days
    if age > config.current().verification_fresh_days:
        return STALE, f"Verified {age} days ago"
    return IN_ORDER, ""


def _rejection_words(verification: Verification | None) -> str:
    if verification is None or verification.status != "rejected":
        return ""
    words = verification.rejection_reason or "no reason given"
    if verification.rejection_follow_up:
        words += f"; {verification.rejection_follow_up}"
    return words


def dollars(cents: int) -> str:
    """`$25`, `$1,500`, `$400.50`: benefit amounts in as few characters as are true."""
    whole, part = divmod(cents, 100)
    return f"${whole:,}" if not part else f"${whole:,}.{part:02d}"


def benefits_line(verification: Verification | None) -> str:
    """What the payer said, on one line; an amount not said is left out, never shown as 0."""
    if verification is None or verification.status not in ("active", "inactive"):
        return ""
    parts = []
    if verification.office_copay_cents is not None:
        parts.append(f"copay {dollars(verification.office_copay_cents)}")
    if verification.specialist_copay_cents is not None:
        parts.append(f"specialist {dollars(verification.specialist_copay_cents)}")
    for words, total, left in (
            ("deductible", verification.deductible_total_cents,
             verification.deductible_remaining_cents),
            ("out-of-pocket", verification.oop_max_cents, verification.oop_remaining_cents)):
        if total is not None or left is not None:
            text = f"{words} {dollars(total) if total is not None else '?'}"
            if left is not None:
                text += f" ({dollars(left)} left)"
            parts.append(text)
    if verification.coinsurance_percent is not None:
        parts.append(f"coinsurance {verification.coinsurance_percent.normalize():f}%")
    return " · ".join(parts) if parts else "no amounts given"


def parse_days(text: str, *, today: date) -> tuple[date, date]:
    """The days staff typed for the worklist: "12/3", or "12/3 to 12/8" (also "-", "..")."""
    from frontdesk.dates import parse_date

    cleaned = " ".join(text.split())
    for separator in (" to ", " - ", "..", " until ", " through "):
        if separator in cleaned:
            first_text, last_text = cleaned.split(separator, 1)
            break
    else:
        first_text, last_text = cleaned, ""
    first = parse_date(first_text, today=today)
    last = parse_date(last_text, today=today) if last_text.strip() else first
    if last < first:
        raise InvalidInput("The last day comes before the first.", field="days")
    if (last - first).days > 31:
        raise InvalidInput("Show at most a month of days at once.", field="days")
    return first, last


def _staff_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(Staff.select(Staff.id, Staff.name).where(Staff.id.in_(sorted(ids))).tuples())


def worklist(first: date, last: date) -> list[WorkItem]:
    """Appointments from `first` through `last` with their primary coverage and its
    newest verification; exceptions (no insurance, ended, rejected, not active, never
    or long ago verified) first, each group in time order."""
    if last < first:
        raise InvalidInput("The last day comes before the first.", field="last")
    rows = _appointments(first, last)
    in_force: dict[tuple[int, date], list[Coverage]] = {}
    for row in rows:
        key = (row[4], clock.local(Appointment.start.python_value(row[1])).date())
        if key not in in_force:
            in_force[key] = coverage_on(Patient(id=key[0]), key[1])
    lapsed = _ended_coverages({pid for (pid, _), held in in_force.items() if not held})
    newest = last_verified(held[0].id for held in in_force.values() if held)
    names = _staff_names({v.verified_by_id for v in newest.values() if v.verified_by_id})
    today = clock.today()
    items = []
    for (appointment_id, start, provider_last, credentials, patient_id, last_name,
         first_name, mrn, dob) in rows:
        start = clock.local(Appointment.start.python_value(start))
        held = in_force[(patient_id, start.date())]
        primary = held[0] if held else None
        verification = newest.get(primary.id) if primary else None
        if primary is None:
            rank, problem = _not_in_force(lapsed.get(patient_id, []), start.date())
        elif primary.plan_type == PlanType.SELF_PAY.value:
            rank, problem = IN_ORDER, ""  # nobody to ask: the patient pays
        else:
            rank, problem = _judge(verification, start.date(), today)
        items.append(WorkItem(
            appointment_id=appointment_id, start=start,
            provider=_short_provider(provider_last, credentials), patient_id=patient_id,
            patient=f"{last_name}, {first_name}", mrn=mrn, dob=dob,
            coverage_id=primary.id if primary else None,
            payer=primary.payer.name if primary else "",
            plan_type=primary.plan_type if primary else "",
            member_id=primary.member_id if primary else "",
            group_number=primary.group_number if primary else "", coverages=len(held),
            verified_at=verification.verified_at if verification else None,
            verified_by=names.get(verification.verified_by_id, "command line")
            if verification else "",
            source=verification.source if verification else "",
            status=verification.status if verification else "",
            verification_id=verification.id if verification else None,
            rejection=_rejection_words(verification), problem=problem, rank=rank,
            benefits=benefits_line(verification)))
    return sorted(items, key=lambda item: (not item.exception, item.start))


# -- one verification, opened ---------------------------------------------------------


@dataclass(frozen=True)
class VerificationView:
    """A verification with what the detail view shows; reading it is audited."""

    verification: Verification
    patient: str
    mrn: str
    payer: str
    payer_id: str
    plan_type: str
    member_id: str
    verified_by: str
    file_name: str
    answer: dict[str, Any] = field(default_factory=dict)
    """From a 271: the answer as `eligibility parse --json` prints it ({} by hand)."""
    segments: list[str] = field(default_factory=list)
    """From a 271: the patient's EB lines as the payer sent them."""


def view(verification_id: int, *, by: Staff) -> VerificationView:
    require(by, Permission.VIEW_PATIENTS)
    found = (Verification.select(Verification, Coverage, Payer, Patient)
             .join(Coverage).join(Payer).switch(Coverage).join(Patient)
             .where(Verification.id == verification_id).first())
    if found is None:
        raise NotFound("That verification is no longer on file.")
    coverage = found.coverage
    patient = coverage.patient
    who = "command line"
    if found.verified_by_id is not None:
        who = Staff.get_by_id(found.verified_by_id).name
    file_name = ""
    if found.raw_file_id is not None:
        file_name = (Eligibility271File.select(Eligibility271File.name)
                     .where(Eligibility271File.id == found.raw_file_id).scalar() or "")
    details = json.loads(found.details or "{}")
    with db.write(durable=False):  # a look, not a change
        audit.record("coverage.verification_viewed", by=by, patient=patient.id,
                     subject=f"verification {found.id}")
    return VerificationView(
        verification=found, patient=patient.filed_name, mrn=patient.mrn,
        payer=coverage.payer.name, payer_id=coverage.payer.payer_id,
        plan_type=coverage.plan_type, member_id=coverage.member_id, verified_by=who,
        file_name=file_name, answer=details.get("answer", {}),
        segments=details.get("segments", []))
