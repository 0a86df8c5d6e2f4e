"""What the patient is expected to pay for a visit, with the working shown.

The visit type gives the procedure codes a visit of that type is expected to bill
(data/visit_codes.csv), and the fee schedule their allowed amounts
(data/fees.csv); both are loaded into the database with `load_fee_schedule` and
edited there by managers. The payer's benefits (a verification by hand or a 271:
`Benefits`) then give the patient's share, by the rules in shared/x12/NOTES.md:

- a copay applies: the share is the copay (the specialist's for a specialist);
- otherwise the deductible still to meet takes the allowed amount first, and the
  coinsurance takes its percent of the rest;
- the out-of-pocket still to reach caps the share.

A figure the payer did not give is unknown and said so, never taken as 0; when
the share cannot be worked out, the estimate says what is missing and the most
the visit could cost the patient. It is always an estimate: the claim decides.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import peewee as pw

from frontdesk import audit, changes, clock, db
from frontdesk.dates import short
from frontdesk.drawer import money
from frontdesk.errors import Conflict, InvalidInput, NotFound, StaleEdit
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment, AppointmentType
from frontdesk.staff import Staff
from frontdesk.text import fold, one_line, typed

__all__ = [
    "Benefits", "Fee", "VisitCodes", "Estimate", "estimate", "for_appointment",
    "benefits_for", "load_fee_schedule", "set_fee", "set_visit_codes", "fee_schedule",
    "visit_codes", "cpt_problem", "money",
]


@dataclass(frozen=True)
class Benefits:
    """What the payer said for in-network office care; None = not said (never 0)."""
    active: bool | None
    office_copay_cents: int | None
    specialist_copay_cents: int | None
    deductible_total_cents: int | None
    deductible_remaining_cents: int | None
    coinsurance_percent: Decimal | None   # the patient's share, 20 = 20 %
    oop_max_cents: int | None
    oop_remaining_cents: int | None
    source: str                            # "by hand" or "271"
    verified_at: datetime                  # UTC instant


# -- the fee schedule ---------------------------------------------------------------------------


class Fee(db.Model):
    """One procedure code of the fee schedule and the amount payers allow for it."""

    code = pw.CharField(max_length=5, unique=True)
    description = pw.CharField(max_length=120)
    allowed_cents = pw.IntegerField()
    active = pw.BooleanField(default=True)
    updated_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)


class VisitCodes(db.Model):
    """The procedure codes a visit type is expected to bill, space-separated."""

    type = pw.ForeignKeyField(AppointmentType, unique=True, backref="+", on_delete="RESTRICT")
    codes = pw.CharField(max_length=60)
    updated_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    @property
    def code_list(self) -> list[str]:
        return self.codes.split()


_CPT = re.compile(r"^(?:[0-9]{4}[0-9FTU]|[A-V][0-9]{4})$")
"""CPT (five digits; category II and III end in F or T) or HCPCS level II (a letter
and four digits, G0439 say)."""


def cpt_problem(code: str) -> str | None:
    if not _CPT.match(code):
        return (f"\"{one_line(code)[:12]}\" is not a procedure code: five digits (99213), four "
                "and F or T, or a letter and four digits (G0439).")
    return None


def _code(text: str) -> str:
    code = typed(text, field="code", label="Procedure code", limit=5, required=True).upper()
    problem = cpt_problem(code)
    if problem:
        raise InvalidInput(problem, field="code")
    return code


def _allowed(value: str | int) -> int:
    from frontdesk.payments import parse_amount  # payments reads the schedule's neighbours

    return parse_amount(value, field="allowed", label="Allowed amount", zero=True)


def set_fee(code: str, *, description: str, allowed: str | int, version: int | None = None,
            by: Staff) -> Fee:
    """Add a code to the fee schedule (`version` None) or change one (`version` as read)."""
    require(by, Permission.EDIT_SETUP)
    code = _code(code)
    description = typed(description, field="description", label="Description", limit=120,
                        required=True)
    cents = _allowed(allowed)
    with db.write():
        current = Fee.get_or_none(Fee.code == code)
        if current is None:
            if version is not None:
                raise NotFound(f"{code} is not in the fee schedule.")
            fee = Fee.create(code=code, description=description, allowed_cents=cents,
                             updated_by=by, updated_at=clock.now())
            audit.record("fee.added", by=by, subject=f"fee {code}",
                         detail={"allowed_cents": cents})
        else:
            if version is None:
                raise Conflict(f"{code} is already in the fee schedule at "
                               f"{money(current.allowed_cents)}.", field="code")
            done = (Fee.update(description=description, allowed_cents=cents,
                               updated_by=by, updated_at=clock.now(),
                               version=Fee.version + 1)
                    .where((Fee.id == current.id) & (Fee.version == version)).execute())
            if not done:
                raise StaleEdit(f"Someone else changed {code} since you read it; look again.")
            audit.record("fee.changed", by=by, subject=f"fee {code}",
                         detail={"allowed_cents": [current.allowed_cents, cents]})
            fee = Fee.get_by_id(current.id)
        changes.record("fees", code)
    return fee


def _visit_type(kind: AppointmentType | int | str) -> AppointmentType:
    if isinstance(kind, AppointmentType):
        return kind
    if isinstance(kind, int):
        found = AppointmentType.get_or_none(AppointmentType.id == kind)
    else:
        found = next((k for k in AppointmentType.select() if fold(k.name) == fold(kind)), None)
    if found is None:
        raise NotFound(f"There is no visit type {kind}.")
    return found


def set_visit_codes(kind: AppointmentType | int | str, codes: str | list[str], *,
                    version: int | None = None, by: Staff) -> VisitCodes:
    """The procedure codes a visit type is expected to bill; each must be in the fee
    schedule. `version` as read when changing a mapping that exists."""
    require(by, Permission.EDIT_SETUP)
    kind = _visit_type(kind)
    wanted = codes.replace(",", " ").split() if isinstance(codes, str) else list(codes)
    if not wanted:
        raise InvalidInput(f"Give {kind.name} at least one procedure code.", field="codes")
    wanted = [c.upper() for c in wanted]
    for code in wanted:
        problem = cpt_problem(code)
        if problem:
            raise InvalidInput(problem, field="codes")
    joined = " ".join(wanted)
    if len(joined) > 60:
        raise InvalidInput("Too many codes for one visit type (60 characters at most).",
                           field="codes")
    with db.write():
        known = {f.code for f in Fee.select(Fee.code).where(Fee.code.in_(wanted))}
        missing = [c for c in wanted if c not in known]
        if missing:
            raise InvalidInput(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                               "not in the fee schedule; add the fee first.", field="codes")
        current = VisitCodes.get_or_none(VisitCodes.type == kind.id)
        if current is None:
            mapping = VisitCodes.create(type=kind, codes=joined, updated_by=by,
                                        updated_at=clock.now())
            before = ""
        else:
            if version is None:
                version = current.version  # staff asked for this mapping, whatever it was
            done = (VisitCodes.update(codes=joined, updated_by=by, updated_at=clock.now(),
                                      version=VisitCodes.version + 1)
                    .where((VisitCodes.id == current.id) & (VisitCodes.version == version))
                    .execute())
            if not done:
                raise StaleEdit(f"Someone else changed the codes of {kind.name}; look again.")
            mapping, before = VisitCodes.get_by_id(current.id), current.codes
        audit.record("visit_codes.set", by=by, subject=f"type {kind.id}",
                     detail={"codes": [before, joined]})
        changes.record("fees", f"type {kind.id}")
    return mapping


def load_fee_schedule(*, by: Staff, fees_text: str | None = None,
                      codes_text: str | None = None) -> tuple[int, int]:
    """Add the codes of data/fees.csv that are not in the schedule yet, and map the visit
    types of data/visit_codes.csv that have no codes yet (by name); what the clinic
    already set is left alone. Returns (codes added, visit types mapped)."""
    require(by, Permission.EDIT_SETUP)
    from frontdesk.paths import reference

    if fees_text is None:
        fees_text = reference("fees.csv").read_text(encoding="utf-8")
    if codes_text is None:
        codes_text = reference("visit_codes.csv").read_text(encoding="utf-8")
    added = mapped = 0
    with db.write():
        have = {code for (code,) in Fee.select(Fee.code).tuples()}
        for number, row in enumerate(csv.DictReader(io.StringIO(fees_text)), 2):
            code = (row.get("code") or "").strip().upper()
            if code in have:
                continue
            try:
                set_fee(code, description=row.get("description") or "",
                        allowed=row.get("allowed") or "", by=by)
            except InvalidInput as error:
                raise InvalidInput(f"fees.csv line {number}: {error}", field=error.field) from None
            have.add(code)
            added += 1
        kinds = {fold(k.name): k for k in AppointmentType.select()}
        done = {row.type_id for row in VisitCodes.select(VisitCodes.type)}
        for number, row in enumerate(csv.DictReader(io.StringIO(codes_text)), 2):
            kind = kinds.get(fold(row.get("visit_type") or ""))
            if kind is None or kind.id in done:
                continue  # a visit type this clinic does not have, or already set
            try:
                set_visit_codes(kind, row.get("codes") or "", by=by)
            except InvalidInput as error:
                raise InvalidInput(f"visit_codes.csv line {number}: {error}",
                                   field=error.field) from None
            done.add(kind.id)
            mapped += 1
    return added, mapped


def fee_schedule() -> list[Fee]:
    return list(Fee.select().order_by(Fee.code))


def visit_codes() -> dict[int, VisitCodes]:
    """Visit type id -> its codes."""
    return {row.type_id: row for row in VisitCodes.select()}


# -- the estimate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """The patient's expected share of one visit, and how it was worked out."""

    patient_cents: int | None
    """The share; None when something it needs is not known (`unknown` says what)."""
    most_cents: int | None
    """When the share is not known: the most it can be (the allowed amount, capped by
    the out-of-pocket still to reach); None when even that is not known."""
    allowed_cents: int | None
    codes: tuple[str, ...]
    working: tuple[str, ...]
    """Lines of text, in the order the rules apply: what the desk can read out."""
    unknown: tuple[str, ...] = ()
    """What the payer (or the fee schedule) did not say, in words: "the deductible
    remaining"."""
    parts: tuple[tuple[str, int], ...] = ()
    """The share by what it pays for (copay, deductible, coinsurance), in cents, for a
    payment's purpose; self-pay visits have none."""
    self_pay: bool = False
    verified: bool = False
    """Benefits from the payer (by hand or a 271) were used, not only the card."""

    LABEL = "Estimate"

    @property
    def known(self) -> bool:
        return self.patient_cents is not None

    @property
    def headline(self) -> str:
        """One line: `Estimate $25.00`, or what keeps it from being known."""
        if self.patient_cents is not None:
            return f"{self.LABEL} {money(self.patient_cents)}"
        most = f"; at most {money(self.most_cents)}" if self.most_cents is not None else ""
        return f"{self.LABEL} not known: {_words(self.unknown)} not known{most}"


def _words(items: tuple[str, ...]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _percent(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return f"{text}%"


def _share_of(cents: int, percent: Decimal) -> int:
    return int((Decimal(cents) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class _Working:
    lines: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)

    def missing(self, what: str, line: str) -> None:
        self.unknown.append(what)
        self.lines.append(line)


def _allowed_for(kind: AppointmentType, work: _Working) -> tuple[int | None, tuple[str, ...]]:
    mapping = VisitCodes.get_or_none(VisitCodes.type == kind.id)
    if mapping is None:
        work.missing("the allowed amount", f"Allowed amount: not known (no procedure codes set "
                                           f"for {one_line(kind.name)})")
        return None, ()
    codes = tuple(mapping.code_list)
    fees = {f.code: f for f in Fee.select().where(Fee.code.in_(codes))}
    missing = [c for c in codes if c not in fees or not fees[c].active]
    if missing:
        work.missing("the allowed amount",
                     f"Allowed amount: not known ({', '.join(missing)} not in the fee schedule)")
        return None, codes
    total = sum(fees[c].allowed_cents for c in codes)
    if len(codes) == 1:
        work.say(f"Allowed {money(total)} ({codes[0]})")
    else:
        work.say(f"Allowed {money(total)} ("
                 + " + ".join(f"{c} {money(fees[c].allowed_cents)}" for c in codes) + ")")
    return total, codes


def _source(benefits: Benefits) -> str:
    when = short(clock.local(benefits.verified_at).date())
    if benefits.source == "271":
        return f"from the 271 of {when}"
    return f"verified {benefits.source} {when}"


def _appointment(appointment: Appointment | int) -> Appointment:
    """The appointment with its patient, provider and type: as given when it is a row
    read with them (check-in's), else read here in one query."""
    from frontdesk.patients import Patient
    from frontdesk.providers import Provider

    if isinstance(appointment, Appointment) and {"patient", "provider", "type"} <= set(
            appointment.__rel__):
        return appointment
    appointment_id = appointment if isinstance(appointment, int) else appointment.id
    row = (Appointment.select(Appointment, Patient, Provider, AppointmentType)
           .join_from(Appointment, Patient).join_from(Appointment, Provider)
           .join_from(Appointment, AppointmentType)
           .where(Appointment.id == appointment_id).first())
    if row is None:
        raise NotFound(f"There is no appointment {appointment_id}.")
    return row


def estimate(appointment: Appointment | int, benefits: Benefits | None, *,
             coverages: list | None = None) -> Estimate:
    """The patient's share of a visit under its primary coverage and `benefits` (what
    the payer said; None when the coverage was never verified: the card's copay is
    used, nothing else is assumed). `coverages`: those in force that day, when the
    caller has them already."""
    from frontdesk import insurance

    row = _appointment(appointment)
    day = clock.local(row.start).date()
    work = _Working()
    allowed, codes = _allowed_for(row.type, work)
    held = coverages if coverages is not None else insurance.coverage_on(row.patient, day)

    def done(share: int | None, *, most: int | None = None, parts=(), self_pay=False
             ) -> Estimate:
        return Estimate(share, most if share is None else None, allowed, codes,
                        tuple(work.lines), tuple(work.unknown), tuple(parts), self_pay,
                        benefits is not None)

    if not held:
        work.say(f"No coverage in force on {short(day)}: self-pay, the allowed amount")
        return done(allowed, most=None, self_pay=True)
    primary = held[0]
    payer = one_line(primary.payer.name)
    if benefits is not None and benefits.active is False:
        work.say(f"{payer} says the coverage is not active ({_source(benefits)}): self-pay, "
                 "the allowed amount")
        return done(allowed, self_pay=True)
    if benefits is None:
        work.say(f"Not verified with {payer}: the card's copay")
    else:
        work.say(f"{payer} benefits {_source(benefits)}")
        if benefits.active is None:
            work.say("Whether the coverage is active was not said")

    specialist = insurance.is_specialist(row.provider.specialty)
    share, parts = _share(allowed, primary, benefits, specialist, work)
    share, parts, most = _capped(share, parts, allowed, benefits, work)
    for other in held[1:]:
        work.say(f"{one_line(other.payer.name)} ({other.rank_label.lower()}) may pay part of this")
    return done(share, most=most, parts=parts)


def _copay(primary, benefits: Benefits | None, specialist: bool
           ) -> tuple[int | None, str, int | None]:
    """(the copay that applies or None, where it came from, the office copay when a
    specialist's is not known: a sign the plan works by copays)."""
    if specialist:
        said = benefits.specialist_copay_cents if benefits else None
        card = primary.specialist_copay_cents
        office = (benefits.office_copay_cents if benefits else None)
        office = office if office is not None else primary.copay_cents
    else:
        said = benefits.office_copay_cents if benefits else None
        card = primary.copay_cents
        office = None
    if said is not None:
        return said, "", office
    if card is not None:
        return card, " (as on the card)", office
    return None, "", office


def _share(allowed: int | None, primary, benefits: Benefits | None, specialist: bool,
           work: _Working) -> tuple[int | None, list[tuple[str, int]]]:
    label = "Specialist copay" if specialist else "Copay"
    copay, where, office = _copay(primary, benefits, specialist)
    if copay is not None:
        work.say(f"{label} {money(copay)}{where}")
        return copay, [("copay", copay)]
    if specialist and office is not None:
        work.missing("the specialist copay", f"Specialist copay: not known (the office copay "
                                             f"is {money(office)})")
        return None, []
    if benefits is None:
        work.missing("the copay", "Copay: not on the card; verify with the payer")
        return None, []
    # No copay said: the deductible, then the coinsurance.
    remaining = benefits.deductible_remaining_cents
    if remaining is None and benefits.deductible_total_cents == 0:
        remaining = 0  # a plan with no deductible has none left to meet
    if allowed is None:
        if remaining is None:
            work.missing("the deductible remaining", "Deductible remaining: not known")
        return None, []
    if remaining is None:
        work.missing("the deductible remaining", "Deductible remaining: not known")
        return None, []
    deductible = min(allowed, remaining)
    work.say(f"Deductible: {money(deductible)} of {money(remaining)} remaining")
    rest = allowed - deductible
    percent = benefits.coinsurance_percent
    if percent is None:
        if rest == 0:
            work.say("Coinsurance: nothing left after the deductible")
            return deductible, [("deductible", deductible)]
        work.missing("the coinsurance", f"Coinsurance on {money(rest)}: not known")
        return None, []
    coinsurance = _share_of(rest, percent)
    work.say(f"Coinsurance {_percent(percent)} of {money(rest)}"
             + (f": {money(coinsurance)}" if rest else ""))
    parts = [("deductible", deductible)] if deductible else []
    if coinsurance:
        parts.append(("coinsurance", coinsurance))
    return deductible + coinsurance, parts


def _capped(share: int | None, parts: list[tuple[str, int]], allowed: int | None,
            benefits: Benefits | None, work: _Working
            ) -> tuple[int | None, list[tuple[str, int]], int | None]:
    """The share capped by the out-of-pocket still to reach; with the most it can be
    when the share is not known."""
    remaining = benefits.oop_remaining_cents if benefits else None
    if remaining is not None and remaining <= 0:
        work.say("Out-of-pocket max reached: $0")
        return 0, [], None
    if share is None:
        bounds = [b for b in (allowed, remaining) if b is not None]
        return None, [], min(bounds) if bounds else None
    if remaining is None:
        if benefits is not None:
            work.say("Out-of-pocket remaining: not known (not capped)")
        return share, parts, None
    if share > remaining:
        work.say(f"Capped at the out-of-pocket remaining: {money(remaining)}")
        return remaining, _cut(parts, share - remaining), None
    work.say(f"Out-of-pocket: {money(remaining)} remaining, not reached")
    return share, parts, None


def _cut(parts: list[tuple[str, int]], excess: int) -> list[tuple[str, int]]:
    """Take `excess` off the parts, last first (coinsurance, then deductible, then copay)."""
    kept = []
    for name, cents in reversed(parts):
        off = min(cents, excess)
        excess -= off
        if cents - off:
            kept.append((name, cents - off))
    return list(reversed(kept))


def benefits_for(coverage, day: date) -> Benefits | None:
    """The latest verification of `coverage` usable for `day` (helper ELIG's
    eligibility.benefits_on), or None when never verified."""
    try:
        from frontdesk.eligibility import benefits_on
    except ImportError:  # the eligibility side is not installed in this build
        return None
    return benefits_on(coverage, day)


def for_appointment(appointment: Appointment | int, *,
                    coverages: list | None = None) -> Estimate:
    """The estimate with the benefits last verified for the primary coverage."""
    from frontdesk import insurance

    row = _appointment(appointment)
    day = clock.local(row.start).date()
    held = coverages if coverages is not None else insurance.coverage_on(row.patient, day)
    benefits = benefits_for(held[0], day) if held else None
    return estimate(row, benefits, coverages=held)
