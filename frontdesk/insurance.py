"""Payers and the coverages patients hold with them.

Payers come from data/payers.csv (`load_payers`, run by `frontdesk init` and the
demo) and managers edit them: rename, payer ID, plan types, deactivate. A
coverage says who pays first (rank 1 primary, 2 secondary, 3 tertiary), under
which plan, for whom (the subscriber: the patient, or the spouse or parent whose
card it is), from when to when, and what the card says the copays are. A
coverage is ended, never deleted: claims already sent name it. Two coverages of
the same rank never overlap in time, so there is one primary on any day.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import peewee as pw

from frontdesk import audit, changes, clock, db
from frontdesk.dates import Kind, parse_date, short
from frontdesk.errors import Conflict, InvalidInput, NotFound, StaleEdit
from frontdesk.patients import Patient
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff
from frontdesk.text import fold, one_line, typed

__all__ = [
    "PlanType", "Relationship", "RANKS", "Payer", "Coverage", "add_payer", "load_payers",
    "update_payer", "set_payer_active", "payers", "add_coverage", "coverage_on",
    "CoverageDraft", "draft_of", "add_typed", "update_typed", "update_coverage", "end_coverage",
    "end_typed",
    "set_rank", "coverages_of", "get_coverage", "mbi_problem", "member_id_problem",
    "is_specialist", "needs_referral", "referrals_by_default", "PatientCoverages",
    "coverages_for",
]


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


class Relationship(StrEnum):
    """The patient's relationship to the subscriber (whose card it is)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


RANKS = {1: "Primary", 2: "Secondary", 3: "Tertiary"}

_REFERRAL_PLANS = (PlanType.HMO, PlanType.POS)
"""Plans that send the patient to a specialist only with the primary care provider's
referral, unless the card says otherwise."""

PRIMARY_CARE = frozenset(fold(name) for name in (
    "Family Medicine", "Family Practice", "Internal Medicine", "General Practice",
    "Pediatrics", "Geriatrics", "Geriatric Medicine", "Primary Care"))
"""Specialties whose office visit is a primary care visit: the office copay applies,
and an HMO needs no referral."""
DIRECT_ACCESS = frozenset(fold(name) for name in (
    "Obstetrics & Gynecology", "Obstetrics and Gynecology", "Obstetrics", "Gynecology",
    "OB/GYN"))
"""Specialists a plan may not require a referral for (the ACA's direct access to
obstetric and gynecological care); their copay is still the specialist's."""


def is_specialist(specialty: str) -> bool:
    """Whether a provider of this specialty bills a specialist visit (copay)."""
    return fold(specialty) not in PRIMARY_CARE


def needs_referral(specialty: str) -> bool:
    """Whether an HMO or POS plan wants a referral before a visit to this specialty."""
    return is_specialist(specialty) and fold(specialty) not in DIRECT_ACCESS


def referrals_by_default(plan_type: str) -> bool:
    return plan_type in _REFERRAL_PLANS


class Payer(db.Model):
    name = pw.CharField(max_length=80, unique=True)
    payer_id = pw.CharField(max_length=20, default="")
    """The electronic payer ID the clearinghouse knows the payer by."""
    active = pw.BooleanField(default=True)
    plan_types = pw.CharField(max_length=80, default="")
    """The plan types the payer sells, comma-separated: what the coverage form offers first."""
    version = pw.IntegerField(default=1)

    @property
    def plans(self) -> list[str]:
        return [p.strip() for p in self.plan_types.split(",") if p.strip()]


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
    specialist_copay_cents = pw.IntegerField(null=True)
    """The specialist copay as the card states it; unknown is None, never 0."""
    subscriber_relationship = pw.CharField(max_length=10, default=Relationship.SELF.value)
    """The patient's relationship to the subscriber: self, spouse, child, other."""
    subscriber_first_name = pw.CharField(max_length=50, default="")
    """Empty when the subscriber is the patient."""
    subscriber_last_name = pw.CharField(max_length=50, default="")
    subscriber_dob = pw.DateField(null=True)
    referrals_required = pw.BooleanField(default=False)
    updated_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    updated_at = db.InstantField()
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("patient", "rank"), False),)

    def covers(self, on: date) -> bool:
        return self.effective_on <= on and (self.ends_on is None or on <= self.ends_on)

    @property
    def subscriber_is_patient(self) -> bool:
        return self.subscriber_relationship == Relationship.SELF.value

    @property
    def subscriber_name(self) -> str:
        """`Carlos García`, or empty when the subscriber is the patient."""
        return " ".join(p for p in (self.subscriber_first_name, self.subscriber_last_name) if p)

    @property
    def rank_label(self) -> str:
        return RANKS.get(self.rank, str(self.rank))


# -- payers ----------------------------------------------------------------------------------

_PAYER_ID = re.compile(r"^[A-Za-z0-9]{2,20}$")


def _payer_fields(name: str, payer_id: str, plan_types: str | list[str]) -> tuple[str, str, str]:
    name = typed(name, field="name", label="Payer name", limit=80, required=True)
    payer_id = typed(payer_id, field="payer_id", label="Payer ID", limit=20).upper()
    if payer_id and not _PAYER_ID.match(payer_id):
        raise InvalidInput(f"Payer ID \"{payer_id}\" must be letters and digits only "
                           "(2 to 20, no spaces), as the clearinghouse lists it.",
                           field="payer_id")
    if isinstance(plan_types, str):
        plan_types = [p for p in re.split(r"\s*,\s*", plan_types.strip()) if p]
    known = {fold(p.value): p.value for p in PlanType}
    chosen = []
    for plan in plan_types:
        value = known.get(fold(plan))
        if value is None:
            raise InvalidInput(f"Plan type \"{one_line(plan)}\" is not one of "
                               f"{', '.join(p.value for p in PlanType)}.", field="plan_types")
        if value not in chosen:
            chosen.append(value)
    return name, payer_id, ", ".join(chosen)


def add_payer(name: str, payer_id: str = "", *, plan_types: str | list[str] = "",
              by: Staff) -> Payer:
    require(by, Permission.EDIT_SETUP)
    name, payer_id, plans = _payer_fields(name, payer_id, plan_types)
    with db.write():
        if Payer.select().where(pw.fn.LOWER(Payer.name) == name.lower()).exists():
            raise Conflict(f"{name} is already on the payer list.", field="name")
        payer = Payer.create(name=name, payer_id=payer_id, plan_types=plans)
        audit.record("payer.created", by=by, subject=f"payer {payer.id}",
                     detail={"name": name, "payer_id": payer_id})
        changes.record("payer", str(payer.id))
    return payer


def _csv_plan_types(text: str) -> list[str]:
    # data/payers.csv lists plan types separated by spaces; "Medicare Advantage" is two words.
    words, plans = text.split(), []
    while words:
        if len(words) > 1 and fold(" ".join(words[:2])) == fold(PlanType.MEDICARE_ADVANTAGE):
            plans.append(PlanType.MEDICARE_ADVANTAGE.value)
            words = words[2:]
        else:
            plans.append(words.pop(0))
    return plans


def load_payers(*, by: Staff, text: str | None = None) -> list[Payer]:
    """Add the payers of data/payers.csv (or `text` in that form) that are not on the
    list yet, by name; those already there are left as the clinic edited them.
    Returns the payers added."""
    require(by, Permission.EDIT_SETUP)
    if text is None:
        from frontdesk.paths import reference

        text = reference("payers.csv").read_text(encoding="utf-8")
    added = []
    with db.write():
        have = {fold(name) for (name,) in Payer.select(Payer.name).tuples()}
        for row in csv.DictReader(io.StringIO(text)):
            if fold(row.get("name", "")) in have:
                continue
            added.append(add_payer(row.get("name", ""), row.get("payer_id", ""),
                                   plan_types=_csv_plan_types(row.get("plan_types", "")),
                                   by=by))
            have.add(fold(added[-1].name))
    return added


def _payer(payer: Payer | int) -> Payer:
    found = Payer.get_or_none(Payer.id == (payer if isinstance(payer, int) else payer.id))
    if found is None:
        raise NotFound(f"There is no payer {payer if isinstance(payer, int) else payer.id}.")
    return found


def _bump(model: type[db.Model], row_id: int, version: int, what: str, **values) -> None:
    """Write `values` if the row is still at `version`; else StaleEdit."""
    done = (model.update(version=model.version + 1, **values)
            .where((model.id == row_id) & (model.version == version)).execute())
    if not done:
        raise StaleEdit(f"Someone else changed {what} since you opened it; "
                        "look at it again and redo your change.")


def update_payer(payer: Payer | int, *, name: str, payer_id: str,
                 plan_types: str | list[str] = "", version: int, by: Staff) -> Payer:
    """Rename a payer or change its payer ID or plan types."""
    require(by, Permission.EDIT_SETUP)
    name, payer_id, plans = _payer_fields(name, payer_id, plan_types)
    with db.write():
        current = _payer(payer)
        clash = (Payer.select().where((pw.fn.LOWER(Payer.name) == name.lower())
                                      & (Payer.id != current.id)).first())
        if clash is not None:
            raise Conflict(f"{clash.name} is already on the payer list.", field="name")
        _bump(Payer, current.id, version, f"the payer {current.name}",
              name=name, payer_id=payer_id, plan_types=plans)
        audit.record("payer.changed", by=by, subject=f"payer {current.id}", detail={
            "name": [current.name, name], "payer_id": [current.payer_id, payer_id],
            "plan_types": [current.plan_types, plans]})
        changes.record("payer", str(current.id))
    return _payer(current.id)


def set_payer_active(payer: Payer | int, active: bool, *, version: int, by: Staff) -> Payer:
    """Deactivate a payer (no new coverages with it; those on file stay) or bring it back."""
    require(by, Permission.EDIT_SETUP)
    with db.write():
        current = _payer(payer)
        _bump(Payer, current.id, version, f"the payer {current.name}", active=active)
        audit.record("payer.activated" if active else "payer.deactivated", by=by,
                     subject=f"payer {current.id}", detail={"name": current.name})
        changes.record("payer", str(current.id))
    return _payer(current.id)


def payers(*, active_only: bool = False) -> list[Payer]:
    query = Payer.select().order_by(Payer.name)
    if active_only:
        query = query.where(Payer.active)
    return list(query)


# -- checking what staff type -----------------------------------------------------------------

_MBI_EXCLUDED = set("SLOIBZ")
_MBI_LETTERS = "a letter other than S, L, O, I, B or Z"
_MBI_POSITIONS = ("1-9", "A", "AN", "0-9", "A", "AN", "0-9", "A", "A", "0-9", "0-9")
"""CMS's Medicare Beneficiary Identifier, position by position: 1-9 a digit but 0,
0-9 any digit, A a letter (not S, L, O, I, B, Z), AN either."""


def mbi_problem(mbi: str) -> str | None:
    """What is wrong with a Medicare Beneficiary Identifier, or None when it fits the
    CMS format (11 characters; dashes as printed on the card are allowed)."""
    text = mbi.strip().upper().replace("-", "")
    if len(text) != 11:
        return (f"A Medicare number (MBI) has 11 characters; \"{one_line(mbi)}\" has "
                f"{len(text)}.")
    for position, (rule, char) in enumerate(zip(_MBI_POSITIONS, text), 1):
        if rule == "1-9":
            fits, wanted = char in "123456789", "a digit from 1 to 9"
        elif rule == "0-9":
            fits, wanted = char.isascii() and char.isdigit(), "a digit"
        elif rule == "A":
            fits = char.isascii() and char.isalpha() and char not in _MBI_EXCLUDED
            wanted = _MBI_LETTERS
        else:
            fits = (char.isascii() and char.isdigit()) or (
                char.isascii() and char.isalpha() and char not in _MBI_EXCLUDED)
            wanted = f"a digit or {_MBI_LETTERS}"
        if not fits:
            return (f"Medicare number (MBI): character {position} must be {wanted}, "
                    f"not \"{char}\".")
    return None


_MEMBER_ID = re.compile(r"^[A-Za-z0-9-]+$")
MEMBER_ID_LENGTH = (2, 30)


def member_id_problem(member_id: str) -> str | None:
    """What cannot be right about a member ID as typed, or None."""
    if any(c.isspace() for c in member_id.strip()):
        return "Member ID has a space in it; type it as on the card, without spaces."
    text = member_id.strip()
    low, high = MEMBER_ID_LENGTH
    if not low <= len(text) <= high:
        return (f"Member ID must be {low} to {high} characters; \"{one_line(text)}\" has "
                f"{len(text)}.")
    if not _MEMBER_ID.match(text):
        bad = next(c for c in text if not (c.isascii() and (c.isalnum() or c == "-")))
        return (f"Member ID may hold letters, digits and dashes only, not \"{one_line(bad)}\"; "
                "type it as on the card.")
    return None


# -- coverages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    payer: Payer
    plan_type: str
    member_id: str
    group_number: str
    rank: int
    effective_on: date
    ends_on: date | None
    copay_cents: int | None
    specialist_copay_cents: int | None
    relationship: str
    subscriber_first_name: str
    subscriber_last_name: str
    subscriber_dob: date | None
    referrals_required: bool

    def columns(self) -> dict[str, object]:
        return {"payer": self.payer, "plan_type": self.plan_type, "member_id": self.member_id,
                "group_number": self.group_number, "rank": self.rank,
                "effective_on": self.effective_on, "ends_on": self.ends_on,
                "copay_cents": self.copay_cents,
                "specialist_copay_cents": self.specialist_copay_cents,
                "subscriber_relationship": self.relationship,
                "subscriber_first_name": self.subscriber_first_name,
                "subscriber_last_name": self.subscriber_last_name,
                "subscriber_dob": self.subscriber_dob,
                "referrals_required": self.referrals_required}


def _plan_type(value: PlanType | str) -> str:
    known = {fold(p.value): p for p in PlanType}
    plan = known.get(fold(str(value)))
    if plan is None:
        raise InvalidInput(
            f"Plan type \"{one_line(str(value))}\" is not one of "
            f"{', '.join(p.value for p in PlanType)}.", field="plan_type")
    if plan is PlanType.SELF_PAY:
        raise InvalidInput("Self-pay is not a coverage: a patient with no coverage in force "
                           "is self-pay. End their coverages instead.", field="plan_type")
    return plan.value


def _member_id(member_id: str, plan_type: str) -> str:
    member_id = typed(member_id, field="member_id", label="Member ID", limit=40, required=True)
    if plan_type == PlanType.MEDICARE.value:
        problem = mbi_problem(member_id)
        if problem:
            raise InvalidInput(problem, field="member_id")
        return member_id.upper().replace("-", "")
    problem = member_id_problem(member_id)
    if problem:
        raise InvalidInput(problem, field="member_id")
    return member_id.upper()


def _cents(value: int | None, *, field: str, label: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{label} cannot be negative.", field=field)
    from frontdesk.payments import MAX_CENTS

    if value > MAX_CENTS:
        raise InvalidInput(f"{label} is more than any copay could be.", field=field)
    return value


def _check(payer: Payer | None, *, plan_type: PlanType | str, member_id: str,
           effective_on: date | None, group_number: str = "", rank: int = 1,
           ends_on: date | None = None, copay_cents: int | None = None,
           specialist_copay_cents: int | None = None,
           relationship: Relationship | str = Relationship.SELF,
           subscriber_first_name: str = "", subscriber_last_name: str = "",
           subscriber_dob: date | None = None, referrals_required: bool | None = None,
           was_payer: int | None = None) -> _Checked:
    if payer is None:
        raise InvalidInput("Choose the payer.", field="payer")
    payer = _payer(payer)
    if not payer.active and payer.id != was_payer:
        raise InvalidInput(f"{payer.name} is no longer on the payer list (deactivated).",
                           field="payer")
    plan = _plan_type(plan_type)
    member = _member_id(member_id, plan)
    group_number = typed(group_number, field="group_number", label="Group number", limit=30)
    if rank not in RANKS:
        raise InvalidInput("Coverage is primary (1), secondary (2) or tertiary (3).",
                           field="rank")
    if effective_on is None:
        raise InvalidInput("Effective date is required: the day the coverage starts.",
                           field="effective_on")
    if ends_on is not None and ends_on < effective_on:
        raise InvalidInput(f"The coverage ends ({short(ends_on)}) before it starts "
                           f"({short(effective_on)}).", field="ends_on")
    copay = _cents(copay_cents, field="copay", label="Copay")
    specialist = _cents(specialist_copay_cents, field="specialist_copay",
                        label="Specialist copay")
    try:
        relation = Relationship(str(relationship).lower())
    except ValueError:
        raise InvalidInput("The patient is the subscriber (self), or their spouse, child or "
                           "other dependent.", field="relationship") from None
    if relation is Relationship.SELF:
        first = last = ""
        born = None
    else:
        first = typed(subscriber_first_name, field="subscriber_first_name",
                      label="Subscriber's first name", limit=50, required=True)
        last = typed(subscriber_last_name, field="subscriber_last_name",
                     label="Subscriber's last name", limit=50, required=True)
        if subscriber_dob is None:
            raise InvalidInput("The subscriber's date of birth is required: payers match "
                               "the card by it.", field="subscriber_dob")
        if subscriber_dob > clock.today():
            raise InvalidInput("The subscriber's date of birth is in the future.",
                               field="subscriber_dob")
        born = subscriber_dob
    if referrals_required is None:
        referrals_required = referrals_by_default(plan)
    return _Checked(payer, plan, member, group_number, rank, effective_on, ends_on, copay,
                    specialist, relation.value, first, last, born, bool(referrals_required))


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def _same_rank(patient_id: int, checked: _Checked, *, leave_out: int | None = None
               ) -> Coverage | None:
    query = (Coverage.select(Coverage, Payer).join(Payer)
             .where((Coverage.patient == patient_id) & (Coverage.rank == checked.rank)))
    if leave_out is not None:
        query = query.where(Coverage.id != leave_out)
    return next((c for c in query if _overlaps(c.effective_on, c.ends_on,
                                               checked.effective_on, checked.ends_on)), None)


def _rank_taken(other: Coverage, rank: int) -> Conflict:
    until = f" to {short(other.ends_on)}" if other.ends_on else " with no end"
    return Conflict(
        f"{other.payer.name} {other.plan_type} is already {RANKS[rank].lower()} from "
        f"{short(other.effective_on)}{until}. Give this one another rank, or end or "
        "re-rank that one first.", field="rank")


def add_coverage(patient: Patient, payer: Payer | None, *, plan_type: PlanType | str,
                 member_id: str, effective_on: date | None, group_number: str = "",
                 rank: int = 1, ends_on: date | None = None, copay_cents: int | None = None,
                 specialist_copay_cents: int | None = None,
                 relationship: Relationship | str = Relationship.SELF,
                 subscriber_first_name: str = "", subscriber_last_name: str = "",
                 subscriber_dob: date | None = None, referrals_required: bool | None = None,
                 by: Staff) -> Coverage:
    require(by, Permission.REGISTER_PATIENTS)
    checked = _check(payer, plan_type=plan_type, member_id=member_id,
                     effective_on=effective_on, group_number=group_number, rank=rank,
                     ends_on=ends_on, copay_cents=copay_cents,
                     specialist_copay_cents=specialist_copay_cents, relationship=relationship,
                     subscriber_first_name=subscriber_first_name,
                     subscriber_last_name=subscriber_last_name, subscriber_dob=subscriber_dob,
                     referrals_required=referrals_required)
    with db.write():
        other = _same_rank(patient.id, checked)
        if other is not None:
            raise _rank_taken(other, checked.rank)
        coverage = Coverage.create(patient=patient, updated_by=by, updated_at=clock.now(),
                                   **checked.columns())
        audit.record("coverage.added", by=by, patient=patient, subject=f"coverage {coverage.id}",
                     detail={"payer": checked.payer.name, "rank": checked.rank,
                             "plan_type": checked.plan_type})
        changes.record("patient", str(patient.id))
    return coverage


def get_coverage(coverage_id: int) -> Coverage:
    found = (Coverage.select(Coverage, Payer).join(Payer)
             .where(Coverage.id == coverage_id).first())
    if found is None:
        raise NotFound(f"There is no coverage {coverage_id}.")
    return found


_AUDITED = ("payer", "plan_type", "member_id", "group_number", "rank", "effective_on",
            "ends_on", "copay_cents", "specialist_copay_cents", "subscriber_relationship",
            "subscriber_first_name", "subscriber_last_name", "subscriber_dob",
            "referrals_required")


def _plain(value: object) -> object:
    if isinstance(value, Payer):
        return value.name
    if isinstance(value, date):
        return value.isoformat()
    return value


def update_coverage(coverage: Coverage | int, *, version: int, by: Staff, **fields
                    ) -> Coverage:
    """Change a coverage as staff corrected it; refused if someone changed it since
    `version` was read. `fields` are add_coverage's keywords; those left out stay."""
    require(by, Permission.REGISTER_PATIENTS)
    current = get_coverage(coverage if isinstance(coverage, int) else coverage.id)
    given = {name: getattr(current, column) for name, column in (
        ("plan_type", "plan_type"), ("member_id", "member_id"),
        ("effective_on", "effective_on"), ("group_number", "group_number"), ("rank", "rank"),
        ("ends_on", "ends_on"), ("copay_cents", "copay_cents"),
        ("specialist_copay_cents", "specialist_copay_cents"),
        ("relationship", "subscriber_relationship"),
        ("subscriber_first_name", "subscriber_first_name"),
        ("subscriber_last_name", "subscriber_last_name"),
        ("subscriber_dob", "subscriber_dob"), ("referrals_required", "referrals_required"))}
    payer = fields.pop("payer", current.payer)
    unknown = set(fields) - set(given)
    if unknown:
        raise TypeError(f"update_coverage() got unexpected fields {sorted(unknown)}")
    given.update(fields)
    checked = _check(payer, was_payer=current.payer_id, **given)
    with db.write():
        other = _same_rank(current.patient_id, checked, leave_out=current.id)
        if other is not None:
            raise _rank_taken(other, checked.rank)
        columns = checked.columns()
        _bump(Coverage, current.id, version, f"{current.payer.name} coverage",
              updated_by=by, updated_at=clock.now(), **columns)
        changed = {name: [_plain(getattr(current, name)), _plain(columns[name])]
                   for name in _AUDITED
                   if _plain(getattr(current, name)) != _plain(columns[name])}
        audit.record("coverage.changed", by=by, patient=current.patient_id,
                     subject=f"coverage {current.id}", detail=changed)
        changes.record("patient", str(current.patient_id))
    return get_coverage(current.id)


def end_coverage(coverage: Coverage | int, ends_on: date, *, version: int,
                 by: Staff) -> Coverage:
    """The coverage stops after `ends_on` (the last day it covers). Never deleted."""
    require(by, Permission.REGISTER_PATIENTS)
    current = get_coverage(coverage if isinstance(coverage, int) else coverage.id)
    if ends_on < current.effective_on:
        raise InvalidInput(f"The coverage only starts on {short(current.effective_on)}; it "
                           "cannot end before that.", field="ends_on")
    with db.write():
        _bump(Coverage, current.id, version, f"{current.payer.name} coverage",
              ends_on=ends_on, updated_by=by, updated_at=clock.now())
        audit.record("coverage.ended", by=by, patient=current.patient_id,
                     subject=f"coverage {current.id}",
                     detail={"ends_on": [_plain(current.ends_on), ends_on.isoformat()]})
        changes.record("patient", str(current.patient_id))
    return get_coverage(current.id)


def end_typed(coverage_id: int, last_day: str, *, version: int, by: Staff) -> Coverage:
    """End a coverage on the last day as staff typed it."""
    day = _day(last_day, field="ends_on", label="Last day", required=True)
    return end_coverage(coverage_id, day, version=version, by=by)


def set_rank(coverage: Coverage | int, rank: int, *, version: int, by: Staff) -> Coverage:
    """Make a coverage primary, secondary or tertiary. The coverage that held that rank
    over the same days takes this one's old rank, so there is never a second primary."""
    require(by, Permission.REGISTER_PATIENTS)
    if rank not in RANKS:
        raise InvalidInput("Coverage is primary (1), secondary (2) or tertiary (3).",
                           field="rank")
    current = get_coverage(coverage if isinstance(coverage, int) else coverage.id)
    if current.rank == rank:
        return current
    with db.write():
        holders = [c for c in (Coverage.select(Coverage, Payer).join(Payer).where(
            (Coverage.patient == current.patient_id) & (Coverage.rank == rank)
            & (Coverage.id != current.id)))
            if _overlaps(c.effective_on, c.ends_on, current.effective_on, current.ends_on)]
        for other in holders:
            # The one moved down must not collide in its turn with another of that rank.
            clash = [c for c in Coverage.select().where(
                (Coverage.patient == current.patient_id) & (Coverage.rank == current.rank)
                & (Coverage.id != current.id) & (Coverage.id != other.id))
                if _overlaps(c.effective_on, c.ends_on, other.effective_on, other.ends_on)]
            if clash:
                raise Conflict(f"{other.payer.name} would become {current.rank_label.lower()} "
                               "beside another of that rank; end or re-rank one first.",
                               field="rank")
            Coverage.update(rank=current.rank, version=Coverage.version + 1, updated_by=by,
                            updated_at=clock.now()).where(Coverage.id == other.id).execute()
            audit.record("coverage.changed", by=by, patient=current.patient_id,
                         subject=f"coverage {other.id}", detail={"rank": [rank, current.rank]})
        _bump(Coverage, current.id, version, f"{current.payer.name} coverage", rank=rank,
              updated_by=by, updated_at=clock.now())
        audit.record("coverage.changed", by=by, patient=current.patient_id,
                     subject=f"coverage {current.id}", detail={"rank": [current.rank, rank]})
        changes.record("patient", str(current.patient_id))
    return get_coverage(current.id)


def coverage_on(patient: Patient, on: date) -> list[Coverage]:
    """The patient's coverages in force on a day, primary first."""
    return [c for c in Coverage.select(Coverage, Payer).join(Payer)
            .where(Coverage.patient == patient).order_by(Coverage.rank) if c.covers(on)]


def coverages_of(patient_id: int) -> list[Coverage]:
    """Every coverage of a patient, ended ones too: in force first, by rank, newest first."""
    today = clock.today()
    found = list(Coverage.select(Coverage, Payer).join(Payer)
                 .where(Coverage.patient == patient_id)
                 .order_by(Coverage.rank, Coverage.effective_on.desc()))
    def place(c: Coverage) -> int:
        return 0 if c.covers(today) else 1 if c.effective_on > today else 2

    return sorted(found, key=lambda c: (place(c), c.rank))


@dataclass(frozen=True)
class PatientCoverages:
    """A patient's coverages as the coverage screen lists them."""

    patient_id: int
    patient: str
    """Filed name: `García, María`."""
    mrn: str
    dob: date
    coverages: list[Coverage]


def coverages_for(patient_id: int, *, by: Staff) -> PatientCoverages:
    """Every coverage of a patient, in force first; the look is audited."""
    require(by, Permission.VIEW_PATIENTS)
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        raise NotFound(f"There is no patient {patient_id}.")
    found = coverages_of(patient_id)
    with db.write(durable=False):  # a look, not a change
        audit.record("coverage.viewed", by=by, patient=patient_id, subject=f"MRN {patient.mrn}")
    return PatientCoverages(patient.id, patient.filed_name, patient.mrn, patient.dob, found)


# -- the coverage form, as typed ---------------------------------------------------------------


@dataclass(frozen=True)
class CoverageDraft:
    """The coverage form as staff typed it; dates and money are read by the domain."""

    payer_id: int | None = None
    """The payer's row id (not its electronic payer ID)."""
    plan_type: str = ""
    member_id: str = ""
    group_number: str = ""
    rank: int = 1
    effective_on: str = ""
    ends_on: str = ""
    copay: str = ""
    """Empty: not known."""
    specialist_copay: str = ""
    relationship: str = Relationship.SELF.value
    subscriber_first_name: str = ""
    subscriber_last_name: str = ""
    subscriber_dob: str = ""
    referrals_required: bool | None = None
    """None: the plan type's usual (HMO and POS require them)."""


def _money(text: str, *, field: str, label: str) -> int | None:
    from frontdesk.payments import parse_amount

    if not text.strip():
        return None  # not known is not $0
    return parse_amount(text, field=field, label=label, zero=True)


def _day(text: str, *, field: str, label: str, kind: Kind = Kind.ANY,
         required: bool = False) -> date | None:
    if not text.strip():
        if required:
            raise InvalidInput(f"{label} is required.", field=field)
        return None
    try:
        return parse_date(text, today=clock.today(), kind=kind)
    except InvalidInput as error:
        raise InvalidInput(f"{label}: {error}", field=field) from None


def _typed_fields(draft: CoverageDraft) -> dict[str, object]:
    payer = Payer.get_or_none(Payer.id == draft.payer_id) if draft.payer_id else None
    if draft.payer_id and payer is None:
        raise InvalidInput("That payer is no longer on the list; choose another.",
                           field="payer")
    try:
        rank = int(draft.rank)
    except (TypeError, ValueError):
        raise InvalidInput("Coverage is primary (1), secondary (2) or tertiary (3).",
                           field="rank") from None
    return {
        "payer": payer, "plan_type": draft.plan_type, "member_id": draft.member_id,
        "group_number": draft.group_number, "rank": rank,
        "effective_on": _day(draft.effective_on, field="effective_on", label="Effective date",
                             required=True),
        "ends_on": _day(draft.ends_on, field="ends_on", label="End date"),
        "copay_cents": _money(draft.copay, field="copay", label="Copay"),
        "specialist_copay_cents": _money(draft.specialist_copay, field="specialist_copay",
                                         label="Specialist copay"),
        "relationship": draft.relationship,
        "subscriber_first_name": draft.subscriber_first_name,
        "subscriber_last_name": draft.subscriber_last_name,
        "subscriber_dob": (None if draft.relationship == Relationship.SELF.value else
                           _day(draft.subscriber_dob, field="subscriber_dob",
                                label="Subscriber's date of birth", kind=Kind.BIRTH)),
        "referrals_required": draft.referrals_required,
    }


def add_typed(patient_id: int, draft: CoverageDraft, *, by: Staff) -> Coverage:
    """A coverage from the form: every field checked, or InvalidInput naming the field."""
    require(by, Permission.REGISTER_PATIENTS)
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        raise NotFound(f"There is no patient {patient_id}.")
    return add_coverage(patient, by=by, **_typed_fields(draft))


def update_typed(coverage_id: int, draft: CoverageDraft, *, version: int,
                 by: Staff) -> Coverage:
    require(by, Permission.REGISTER_PATIENTS)
    return update_coverage(coverage_id, version=version, by=by, **_typed_fields(draft))


def _amount(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


def draft_of(coverage: Coverage) -> CoverageDraft:
    """A coverage as the form shows it for editing."""
    return CoverageDraft(
        payer_id=coverage.payer_id, plan_type=coverage.plan_type, member_id=coverage.member_id,
        group_number=coverage.group_number, rank=coverage.rank,
        effective_on=short(coverage.effective_on),
        ends_on=short(coverage.ends_on) if coverage.ends_on else "",
        copay=_amount(coverage.copay_cents),
        specialist_copay=_amount(coverage.specialist_copay_cents),
        relationship=coverage.subscriber_relationship,
        subscriber_first_name=coverage.subscriber_first_name,
        subscriber_last_name=coverage.subscriber_last_name,
        subscriber_dob=short(coverage.subscriber_dob) if coverage.subscriber_dob else "",
        referrals_required=coverage.referrals_required)
