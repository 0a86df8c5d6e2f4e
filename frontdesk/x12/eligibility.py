"""271 eligibility response -> one ``Answer`` per patient.

Two passes: ``_LoopBuilder`` rebuilds the HL hierarchy (payer 20, provider
21, subscriber 22, dependent 23) and attaches DTP, MSG, REF, HSD, AAA and
LS..LE related entities to the EB they follow; ``_answer`` then reads one
patient's loops the way the front desk needs them (status, plan, co-pays,
coinsurance, deductible, out-of-pocket).  The rules are those of
shared/x12/NOTES.md section 3.

Money is integer cents parsed from the decimal text, never through float.
A value the payer did not send stays None; an explicit 0 stays 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from . import codes
from .segments import Segment, Transaction, X12Error, split_transactions, tokenize

__all__ = [
    "Accumulator",
    "Amounts",
    "Answer",
    "Benefit",
    "Coinsurance",
    "Copay",
    "DateSpan",
    "Level",
    "Party",
    "Rejection",
    "RelatedEntity",
    "parse_271",
    "parse_cents",
]

ACTIVE = frozenset("12345")
INACTIVE = frozenset("678")
PLAN_SCOPE = "30"
# EB12 -> network of a co-pay or coinsurance line.
_NETWORKS = {"Y": "in", "N": "out", "W": "both"}
# EB12 -> deductible / OOP bucket.  W ("not applicable") is not split by
# network, so it lands with the blank ones.
_BUCKETS = {"Y": "in", "N": "out"}
_BUCKET_NAMES = ("in", "out", "unspecified")
# EB02 codes that count one person; blank is the patient's own line too
# (Medicare and many 4010 payers leave EB02 empty).
_INDIVIDUAL_LEVELS = frozenset({"IND", "EMP", ""})
# EB06 that make an amount the accumulator's total; blank usually means
# the total as well (NOTES.md, files 6, 8, 13).
_TOTAL_PERIODS = ("23", "22", "25", "")
_REMAINING_PERIOD = "29"
_MET_PERIOD = "24"
# Which service types best stand for "the plan" when a payer sends several
# deductibles of the same kind: plan level first, then what a physician
# office bills (office visit, medical, professional).
_ACCUMULATOR_SCOPE = {"30": 0, "": 0, "98": 1, "1": 2, "96": 3}
_OFFICE_VISIT_SCOPE = ("98", "1", "96", "30")
_OFFICE_NETWORK_PREFERENCE = ("in", "both", None)

_LOOP_LETTERS = {"20": "A", "21": "B", "22": "C", "23": "D"}
_PARENT_CODE = {"21": "20", "22": "21", "23": "22"}
# DTP qualifiers that open or close a coverage window when sent as one date.
_BEGIN_QUALIFIERS = frozenset(
    {"346", "348", "356", "193", "290", "291", "292", "295", "307", "435"}
)
_END_QUALIFIERS = frozenset({"347", "349", "357", "194"})
# At the 2100 level only plan and eligibility dates bound the benefits;
# 307 there is the "as of" date of the answer and 472 the service date.
_LEVEL_WINDOW_QUALIFIERS = frozenset({"346", "347", "356", "357", "291"})
_PLAN_BEGIN_QUALIFIERS = ("346", "291", "356")
_PLAN_END_QUALIFIERS = ("347", "291", "357")
_REFERENCE_QUALIFIERS = ("472", "307")
_OPEN_ENDED_YEAR = 9999

_MONEY = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")


# --------------------------------------------------------------------------
# parsed loops


@dataclass(slots=True)
class Party:
    """An NM1 name (plus DMG for patients)."""

    entity: str
    last: str = ""
    first: str = ""
    middle: str = ""
    id_qualifier: str = ""
    id: str = ""
    dob: date | None = None
    gender: str = ""


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A DTP: one date (``last`` None) or an RD8 range."""

    qualifier: str
    first: date
    last: date | None = None

    def bounds(self) -> tuple[date | None, date | None] | None:
        """The coverage window this DTP sets, or None if it sets none."""
        known = self.qualifier in _BEGIN_QUALIFIERS or self.qualifier in _END_QUALIFIERS
        if not known:
            return None
        if self.last is not None:
            return self.first, self.last
        if self.qualifier in _END_QUALIFIERS:
            return None, self.first
        return self.first, None


@dataclass(frozen=True, slots=True)
class Rejection:
    """An AAA segment and the loop it sits in (e.g. "2100C")."""

    loop: str
    valid: str
    code: str
    follow_up_code: str
    offset: int

    @property
    def reason(self) -> str:
        return codes.reject_reason(self.code)

    @property
    def follow_up(self) -> str:
        return codes.follow_up_action(self.follow_up_code)

    def to_json(self) -> dict[str, str]:
        return {
            "loop": self.loop,
            "code": self.code,
            "reason": self.reason,
            "follow_up": self.follow_up,
        }


@dataclass(slots=True)
class RelatedEntity:
    """An LS..LE (2120) block: PCP, other payer, facility..."""

    party: Party | None = None
    dates: list[DateSpan] = field(default_factory=list)
    references: list[tuple[str, str, str]] = field(default_factory=list)
    details: list[Segment] = field(default_factory=list)


@dataclass(slots=True)
class Benefit:
    """One EB line with everything that followed it up to the next EB."""

    segment: Segment
    # EB01 and EB03 are read for every line many times over; kept as fields.
    info: str
    service_types: list[str]
    messages: list[str] = field(default_factory=list)
    dates: list[DateSpan] = field(default_factory=list)
    references: list[tuple[str, str, str]] = field(default_factory=list)
    entities: list[RelatedEntity] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    details: list[Segment] = field(default_factory=list)

    @property
    def coverage_level(self) -> str:
        return self.segment.get(2)

    @property
    def insurance_type(self) -> str:
        return self.segment.get(4)

    @property
    def description(self) -> str:
        return self.segment.get(5)

    @property
    def period(self) -> str:
        return self.segment.get(6)

    @property
    def amount(self) -> str:
        return self.segment.get(7)

    @property
    def percent(self) -> str:
        return self.segment.get(8)

    @property
    def quantity_qualifier(self) -> str:
        return self.segment.get(9)

    @property
    def quantity(self) -> str:
        return self.segment.get(10)

    @property
    def authorization_required(self) -> bool:
        return self.segment.get(11) == "Y"

    @property
    def network(self) -> str:
        return self.segment.get(12)

    def covers(self, wanted: Iterable[str]) -> bool:
        """True if the line is plan-wide (blank EB03) or names a wanted type."""
        return not self.service_types or any(t in self.service_types for t in wanted)

    def window(self) -> tuple[date | None, date | None]:
        return _intersect(span.bounds() for span in self.dates)


@dataclass(slots=True)
class Level:
    """One HL loop (2000/2100/2110 of A, B, C or D)."""

    number: str
    code: str
    offset: int
    parent: Level | None = None
    party: Party | None = None
    relationship: str = ""
    traces: list[tuple[str, str, str]] = field(default_factory=list)
    dates: list[DateSpan] = field(default_factory=list)
    references: list[tuple[str, str, str]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    children: list[Level] = field(default_factory=list)

    @property
    def letter(self) -> str:
        return _LOOP_LETTERS.get(self.code, "?")

    def chain(self) -> list[Level]:
        """This level and its ancestors, payer first."""
        levels: list[Level] = []
        level: Level | None = self
        while level is not None:
            levels.append(level)
            level = level.parent
        return levels[::-1]

    def window(self) -> tuple[date | None, date | None]:
        return _intersect(
            span.bounds() for span in self.dates if span.qualifier in _LEVEL_WINDOW_QUALIFIERS
        )


# --------------------------------------------------------------------------
# answer


@dataclass(slots=True)
class Amounts:
    total_cents: int | None = None
    remaining_cents: int | None = None
    met_cents: int | None = None

    def to_json(self) -> dict[str, int | None]:
        return {
            "total_cents": self.total_cents,
            "remaining_cents": self.remaining_cents,
            "met_cents": self.met_cents,
        }


def _empty_buckets() -> dict[str, Amounts]:
    return {name: Amounts() for name in _BUCKET_NAMES}


@dataclass(slots=True)
class Accumulator:
    """A deductible or out-of-pocket maximum, by coverage level and network."""

    individual: dict[str, Amounts] = field(default_factory=_empty_buckets)
    family: dict[str, Amounts] = field(default_factory=_empty_buckets)

    def to_json(self) -> dict[str, dict[str, dict[str, int | None]]]:
        return {
            "individual": {name: self.individual[name].to_json() for name in _BUCKET_NAMES},
            "family": {name: self.family[name].to_json() for name in _BUCKET_NAMES},
        }


@dataclass(frozen=True, slots=True)
class Copay:
    service_types: list[str]
    amount_cents: int
    network: str | None
    per: str | None
    note: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "service_types": list(self.service_types),
            "amount_cents": self.amount_cents,
            "network": self.network,
            "per": self.per,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Coinsurance:
    service_types: list[str]
    percent: Decimal | None
    network: str | None
    note: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "service_types": list(self.service_types),
            "percent": _json_number(self.percent),
            "network": self.network,
            "note": self.note,
        }


@dataclass(slots=True)
class Answer:
    """What one 271 says about one patient."""

    status: str
    payer: Party | None
    provider: Party | None
    patient: Party | None
    relationship: str
    member_id: str
    plan_name: str | None = None
    plan_begin: date | None = None
    plan_end: date | None = None
    rejections: list[Rejection] = field(default_factory=list)
    copays: list[Copay] = field(default_factory=list)
    coinsurance: list[Coinsurance] = field(default_factory=list)
    deductible: Accumulator = field(default_factory=Accumulator)
    out_of_pocket: Accumulator = field(default_factory=Accumulator)
    trace: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Every EB of the patient, including those outside the date of service,
    # for screens that want more than the summary (PCP, limits, messages).
    benefits: list[Benefit] = field(default_factory=list)
    reference_date: date | None = None
    # REFs of the patient's 2100 loop, then the subscriber's: group (6P),
    # plan number (18)...  (qualifier, value, description).
    references: list[tuple[str, str, str]] = field(default_factory=list)
    # INS02 of the patient: 18 self, 01 spouse, 19 child...; "" if not sent.
    relationship_code: str = ""

    @property
    def other_payers(self) -> list[Benefit]:
        """EB*R lines: another payer is primary or runs these benefits."""
        return [b for b in self.benefits if b.info == "R"]

    def office_visit_copays(self) -> list[Copay]:
        """Co-pay candidates for an office visit at an in-network practice.

        Service type 98 first, else 1, 96, 30 (blank counts as 30); EB12 Y
        before W before blank, out-of-network dropped.  Several candidates
        can remain (PCP vs specialist); each keeps its MSG note.
        """
        return _office_visit(self.copays)

    def office_visit_coinsurance(self) -> list[Coinsurance]:
        return _office_visit(self.coinsurance)

    def to_json(self) -> dict[str, Any]:
        patient = self.patient or Party("")
        payer = self.payer or Party("")
        return {
            "status": self.status,
            "payer": {"name": payer.last, "id": payer.id},
            "patient": {
                "last": patient.last,
                "first": patient.first,
                "dob": _iso(patient.dob),
                "member_id": self.member_id,
                "relationship": self.relationship,
            },
            "plan": {
                "name": self.plan_name,
                "begin": _iso(self.plan_begin),
                "end": _iso(self.plan_end),
            },
            "rejections": [r.to_json() for r in self.rejections],
            "copays": [c.to_json() for c in self.copays],
            "coinsurance": [c.to_json() for c in self.coinsurance],
            "deductible": self.deductible.to_json(),
            "out_of_pocket": self.out_of_pocket.to_json(),
            "trace": self.trace,
            "warnings": list(self.warnings),
        }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _office_visit(entries: Sequence[Any]) -> list[Any]:
    for scope in _OFFICE_VISIT_SCOPE:
        matching = [
            e
            for e in entries
            if scope in e.service_types or (scope == PLAN_SCOPE and not e.service_types)
        ]
        ranked = [e for e in matching if e.network in _OFFICE_NETWORK_PREFERENCE]
        if ranked:
            return sorted(ranked, key=lambda e: _OFFICE_NETWORK_PREFERENCE.index(e.network))
    return []


# --------------------------------------------------------------------------
# values


def parse_cents(text: str) -> int | None:
    """Exact cents from an X12 decimal ("10.5" -> 1050, "1000" -> 100000).

    Returns None for an empty element; raises ValueError for text that is
    not a number.  More than two decimals are rounded half-up.
    """
    text = text.strip()
    if not text:
        return None
    match = _MONEY.fullmatch(text)
    if match is None or not (match.group(2) or match.group(3)):
        raise ValueError(f"not an amount: {text!r}")
    sign, whole, fraction = match.group(1), match.group(2) or "0", match.group(3) or ""
    cents = int(whole) * 100 + int((fraction[:2] or "0").ljust(2, "0"))
    if len(fraction) > 2 and fraction[2] >= "5":
        cents += 1
    return -cents if sign == "-" else cents


def _parse_percent(text: str) -> Decimal | None:
    """EB08 fraction as a percent: ".1" -> 10, "1.0" -> 100."""
    text = text.strip()
    if not text:
        return None
    try:
        fraction = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a fraction: {text!r}") from None
    if not fraction.is_finite():
        raise ValueError(f"not a fraction: {text!r}")
    return (fraction * 100).normalize()


def _parse_d8(text: str) -> date | None:
    if len(text) < 8 or not text[:8].isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _intersect(
    bounds: Iterable[tuple[date | None, date | None] | None],
) -> tuple[date | None, date | None]:
    begin: date | None = None
    end: date | None = None
    for bound in bounds:
        if bound is None:
            continue
        low, high = bound
        if low is not None and (begin is None or low > begin):
            begin = low
        if high is not None and (end is None or high < end):
            end = high
    return begin, end


def _within(window: tuple[date | None, date | None], day: date | None) -> bool:
    if day is None:
        return True
    begin, end = window
    return (begin is None or begin <= day) and (end is None or day <= end)


# --------------------------------------------------------------------------
# pass 1: loops


class _LoopBuilder:
    """Feeds the segments of one transaction into HL levels."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        self.levels: list[Level] = []
        self.header_rejections: list[Rejection] = []
        self.created: date | None = None
        self._by_number: dict[str, Level] = {}
        self._level: Level | None = None
        self._benefit: Benefit | None = None
        self._entity: RelatedEntity | None = None

    def feed(self, segment: Segment) -> None:
        handler = _HANDLERS.get(segment.tag)
        if handler is not None:
            handler(self, segment)

    # -- where am I

    def _loop_name(self) -> str:
        if self._level is None:
            return "header"
        letter = self._level.letter
        if self._entity is not None:
            return f"2120{letter}"
        if self._benefit is not None:
            return f"2110{letter}"
        if self._level.party is None:
            return f"2000{letter}"
        return f"2100{letter}"

    def _date_target(self) -> list[DateSpan] | None:
        if self._entity is not None:
            return self._entity.dates
        if self._benefit is not None:
            return self._benefit.dates
        return self._level.dates if self._level is not None else None

    # -- segment handlers

    def _bht(self, segment: Segment) -> None:
        self.created = _parse_d8(segment.get(4))

    def _hl(self, segment: Segment) -> None:
        level = Level(segment.get(1), segment.get(3), segment.offset)
        level.parent = self._by_number.get(segment.get(2)) or self._fallback_parent(level.code)
        if level.parent is not None:
            level.parent.children.append(level)
        self.levels.append(level)
        self._by_number[level.number] = level
        self._level, self._benefit, self._entity = level, None, None

    def _fallback_parent(self, code: str) -> Level | None:
        # HL02 missing or wrong: hang the level under the latest one above it.
        wanted = _PARENT_CODE.get(code)
        for level in reversed(self.levels):
            if level.code == wanted:
                return level
        return None

    def _nm1(self, segment: Segment) -> None:
        party = Party(
            entity=segment.get(1),
            last=segment.get(3),
            first=segment.get(4),
            middle=segment.get(5),
            id_qualifier=segment.get(8),
            id=segment.get(9),
        )
        if self._entity is not None:
            if self._entity.party is None:
                self._entity.party = party
        elif self._benefit is not None:
            # An NM1 right after an EB without LS: still a related entity.
            self._benefit.entities.append(RelatedEntity(party))
        elif self._level is not None and self._level.party is None:
            self._level.party = party

    def _aaa(self, segment: Segment) -> None:
        rejection = Rejection(
            loop=self._loop_name(),
            valid=segment.get(1),
            code=segment.get(3),
            follow_up_code=segment.get(4),
            offset=segment.offset,
        )
        if self._level is None:
            self.header_rejections.append(rejection)
            return
        self._level.rejections.append(rejection)
        if self._benefit is not None:
            self._benefit.rejections.append(rejection)

    def _dtp(self, segment: Segment) -> None:
        target = self._date_target()
        span = self._date_span(segment)
        if target is not None and span is not None:
            target.append(span)

    def _date_span(self, segment: Segment) -> DateSpan | None:
        qualifier, form, value = segment.get(1), segment.get(2), segment.get(3)
        if form == "RD8" and "-" in value:
            low, high = value.split("-", 1)
            first, last = _parse_d8(low), _parse_d8(high)
            if first is not None and last is not None:
                return DateSpan(qualifier, first, last)
        elif form in ("D8", "DT"):
            first = _parse_d8(value)
            if first is not None:
                return DateSpan(qualifier, first)
        self.warnings.append(
            f"could not read the date '{value}' in the DTP*{qualifier} segment "
            f"at byte {segment.offset}"
        )
        return None

    def _dmg(self, segment: Segment) -> None:
        if self._entity is not None or self._level is None or self._level.party is None:
            return
        party = self._level.party
        if segment.get(1) == "D8" and segment.get(2):
            party.dob = _parse_d8(segment.get(2))
            if party.dob is None:
                self.warnings.append(
                    f"could not read the date of birth '{segment.get(2)}' at byte {segment.offset}"
                )
        party.gender = segment.get(3)

    def _ins(self, segment: Segment) -> None:
        if self._entity is None and self._level is not None:
            self._level.relationship = segment.get(2)

    def _trn(self, segment: Segment) -> None:
        if self._level is not None and self._benefit is None:
            self._level.traces.append((segment.get(1), segment.get(2), segment.get(3)))

    def _ref(self, segment: Segment) -> None:
        reference = (segment.get(1), segment.get(2), segment.get(3))
        if self._entity is not None:
            self._entity.references.append(reference)
        elif self._benefit is not None:
            self._benefit.references.append(reference)
        elif self._level is not None:
            self._level.references.append(reference)

    def _eb(self, segment: Segment) -> None:
        self._entity = None
        if self._level is None:
            self.warnings.append(
                f"ignored an EB segment outside any HL loop at byte {segment.offset}"
            )
            return
        self._benefit = Benefit(segment, segment.get(1), segment.repeats(3))
        self._level.benefits.append(self._benefit)

    def _msg(self, segment: Segment) -> None:
        if self._benefit is not None and segment.get(1):
            self._benefit.messages.append(segment.get(1))

    def _ls(self, segment: Segment) -> None:
        self._entity = RelatedEntity()
        if self._benefit is not None:
            self._benefit.entities.append(self._entity)

    def _le(self, segment: Segment) -> None:
        self._entity = None

    def _detail(self, segment: Segment) -> None:
        if self._entity is not None:
            self._entity.details.append(segment)
        elif self._benefit is not None:
            self._benefit.details.append(segment)


_HANDLERS: dict[str, Callable[[_LoopBuilder, Segment], None]] = {
    "BHT": _LoopBuilder._bht,
    "HL": _LoopBuilder._hl,
    "NM1": _LoopBuilder._nm1,
    "AAA": _LoopBuilder._aaa,
    "DTP": _LoopBuilder._dtp,
    "DMG": _LoopBuilder._dmg,
    "INS": _LoopBuilder._ins,
    "TRN": _LoopBuilder._trn,
    "REF": _LoopBuilder._ref,
    "EB": _LoopBuilder._eb,
    "MSG": _LoopBuilder._msg,
    "LS": _LoopBuilder._ls,
    "LE": _LoopBuilder._le,
    "HSD": _LoopBuilder._detail,
    "III": _LoopBuilder._detail,
    "N3": _LoopBuilder._detail,
    "N4": _LoopBuilder._detail,
    "PER": _LoopBuilder._detail,
    "PRV": _LoopBuilder._detail,
}


# --------------------------------------------------------------------------
# pass 2: one patient


@dataclass(slots=True)
class _Context:
    """What every answer of one transaction shares."""

    builder: _LoopBuilder
    warnings: list[str]
    service_date: date | None
    wanted: tuple[str, ...]


def _patients(levels: list[Level]) -> list[Level]:
    """Subscribers without dependents (or with own benefits), and dependents."""
    patients = []
    for level in levels:
        if level.code == "23":
            patients.append(level)
        elif level.code == "22":
            has_dependents = any(child.code == "23" for child in level.children)
            if not has_dependents or level.benefits:
                patients.append(level)
    return patients


def _first_of(chain: list[Level], code: str) -> Level | None:
    return next((level for level in chain if level.code == code), None)


def _rejections_for(patient: Level, chain: list[Level], header: list[Rejection]) -> list[Rejection]:
    """Rejections on the patient's path: every level above, plus its own 2110s."""
    found = list(header)
    for level in chain:
        for rejection in level.rejections:
            if level is patient or rejection.loop[:4] in ("2000", "2100"):
                found.append(rejection)
    return found


def _is_blocking(rejection: Rejection) -> bool:
    """An AAA at or above the patient (not on one benefit line)."""
    return rejection.loop == "header" or rejection.loop[:4] in ("2000", "2100")


def _reference_date(levels: list[Level], created: date | None) -> date | None:
    for level in levels:
        for qualifier in _REFERENCE_QUALIFIERS:
            for span in level.dates:
                if span.qualifier == qualifier:
                    return span.first
    return created


def _coverage(
    benefits: list[Benefit],
    applicable: list[Benefit],
    wanted: tuple[str, ...],
    day: date | None,
    warnings: list[str],
) -> tuple[str, list[Benefit]]:
    """Status from EB01 and the lines that decided it (NOTES.md rule 2)."""
    active = [b for b in applicable if b.info in ACTIVE]
    inactive = [b for b in applicable if b.info in INACTIVE]
    active_here = [b for b in active if b.covers(wanted)]
    inactive_here = [b for b in inactive if b.covers(wanted)]
    if active_here:
        if inactive_here:
            warnings.append(
                "the payer sent both active and inactive lines for this plan; shown as active"
            )
        return "active", active_here
    if inactive_here:
        return "inactive", inactive_here
    if active:
        types = ", ".join(sorted({t for b in active for t in b.service_types}))
        warnings.append(f"coverage is confirmed only for service types {types}")
        return "active", active
    if inactive:
        return "inactive", inactive
    dated_out = [b for b in benefits if b.info in ACTIVE]
    if dated_out:
        warnings.append(f"the coverage lines sent do not include the date {_iso(day)}")
        return "inactive", dated_out
    return "unknown", []


def _plan_name(deciding: list[Benefit]) -> str | None:
    return next((b.description for b in deciding if b.description), None)


def _open_ended(day: date | None) -> date | None:
    # 9999-12-31 is how payers write "no end date".
    if day is not None and day.year == _OPEN_ENDED_YEAR:
        return None
    return day


def _plan_dates(levels: list[Level], deciding: list[Benefit]) -> tuple[date | None, date | None]:
    """Plan begin/end: 346/347, else 291, else 356/357 (patient level first).

    Without any EB there is no plan to date: a rejected 271 often echoes
    the request's DTP*291 (the date of service), which is not a plan date.
    """
    if not levels[0].benefits:
        return None, None
    for level in levels:
        begin = _first_bound(level.dates, _PLAN_BEGIN_QUALIFIERS, 0)
        end = _first_bound(level.dates, _PLAN_END_QUALIFIERS, 1)
        if begin is not None or end is not None:
            return begin, _open_ended(end)
    # No plan dates at the 2100 level: use the dates of the deciding EB.
    if deciding:
        begin, end = deciding[0].window()
        return begin, _open_ended(end)
    return None, None


def _first_bound(spans: list[DateSpan], qualifiers: tuple[str, ...], side: int) -> date | None:
    for qualifier in qualifiers:
        for span in spans:
            bounds = span.bounds()
            if span.qualifier == qualifier and bounds is not None and bounds[side] is not None:
                return bounds[side]
    return None


def _trace(levels: list[Level]) -> str | None:
    """TRN*2 echoes the trace number we sent in the 270 (NOTES.md rule 8)."""
    for level in levels:
        for kind, number, _originator in level.traces:
            if kind == "2" and number:
                return number
    return None


def _note(benefit: Benefit, plan_name: str | None) -> str | None:
    parts = []
    if benefit.description and benefit.description != plan_name:
        parts.append(benefit.description)
    parts.extend(benefit.messages)
    return "; ".join(parts) if parts else None


def _money(benefit: Benefit, warnings: list[str]) -> int | None:
    try:
        return parse_cents(benefit.amount)
    except ValueError:
        warnings.append(
            f"could not read the amount '{benefit.amount}' in the EB segment "
            f"at byte {benefit.segment.offset}"
        )
        return None


def _copays(benefits: list[Benefit], plan_name: str | None, warnings: list[str]) -> list[Copay]:
    copays = []
    for benefit in benefits:
        if benefit.info != "B":
            continue
        cents = _money(benefit, warnings)
        if cents is None:
            continue
        copays.append(
            Copay(
                service_types=list(benefit.service_types),
                amount_cents=cents,
                network=_NETWORKS.get(benefit.network),
                per=codes.time_period(benefit.period) if benefit.period else None,
                note=_note(benefit, plan_name),
            )
        )
    return copays


def _coinsurance(
    benefits: list[Benefit], plan_name: str | None, warnings: list[str]
) -> list[Coinsurance]:
    found = []
    for benefit in benefits:
        if benefit.info != "A":
            continue
        try:
            percent = _parse_percent(benefit.percent)
        except ValueError:
            warnings.append(
                f"could not read the coinsurance '{benefit.percent}' in the EB "
                f"segment at byte {benefit.segment.offset}"
            )
            percent = None
        found.append(
            Coinsurance(
                service_types=list(benefit.service_types),
                percent=percent,
                network=_NETWORKS.get(benefit.network),
                note=_note(benefit, plan_name),
            )
        )
    return found


def _scope_rank(benefit: Benefit) -> int:
    types = benefit.service_types or [""]
    return min(_ACCUMULATOR_SCOPE.get(t, len(_ACCUMULATOR_SCOPE)) for t in types)


def _accumulator(benefits: list[Benefit], kind: str, warnings: list[str]) -> Accumulator:
    """Deductible (C) or out-of-pocket (G) totals, remaining and met amounts."""
    groups: dict[tuple[str, str], list[tuple[Benefit, int]]] = {}
    for benefit in benefits:
        if benefit.info != kind:
            continue
        cents = _money(benefit, warnings)
        if cents is None:
            continue  # a quantity-only line (e.g. blood pints), no money
        level = "individual" if benefit.coverage_level in _INDIVIDUAL_LEVELS else "family"
        bucket = _BUCKETS.get(benefit.network, "unspecified")
        groups.setdefault((level, bucket), []).append((benefit, cents))
    result = Accumulator()
    for (level, bucket), lines in groups.items():
        best = min(_scope_rank(b) for b, _ in lines)
        chosen = [(b, cents) for b, cents in lines if _scope_rank(b) == best]
        getattr(result, level)[bucket] = _amounts(chosen)
    return result


def _amounts(lines: list[tuple[Benefit, int]]) -> Amounts:
    """First total, first remaining, first met (EB06 24) or total - remaining."""

    def first(periods: Iterable[str]) -> int | None:
        wanted = tuple(periods)
        return next((cents for b, cents in lines if b.period in wanted), None)

    total = first(_TOTAL_PERIODS)
    remaining = first((_REMAINING_PERIOD,))
    met = first((_MET_PERIOD,))
    if met is None and total is not None and remaining is not None and total >= remaining:
        met = total - remaining
    return Amounts(total, remaining, met)


def _answer(patient: Level, context: _Context) -> Answer:
    chain = patient.chain()
    subscriber = _first_of(chain, "22")
    payer = _first_of(chain, "20")
    provider = _first_of(chain, "21")
    # The patient's own loop first, then the subscriber's (for dependents).
    own_levels = [patient] + (
        [subscriber] if subscriber is not None and subscriber is not patient else []
    )
    warnings = list(context.warnings)
    rejections = _rejections_for(patient, chain, context.builder.header_rejections)
    day = context.service_date or _reference_date(own_levels, context.builder.created)
    plan_window = _plan_window(own_levels)
    applicable = [
        b for b in patient.benefits if _within(plan_window, day) and _within(b.window(), day)
    ]
    decided, deciding = _coverage(patient.benefits, applicable, context.wanted, day, warnings)
    rejected = any(_is_blocking(r) for r in rejections)
    plan_name = _plan_name(deciding)
    plan_begin, plan_end = _plan_dates(own_levels, deciding)
    return Answer(
        status="rejected" if rejected else decided,
        payer=payer.party if payer else None,
        provider=provider.party if provider else None,
        patient=patient.party,
        relationship="dependent" if patient.code == "23" else "subscriber",
        member_id=_member_id(patient, subscriber),
        plan_name=plan_name,
        plan_begin=plan_begin,
        plan_end=plan_end,
        rejections=rejections,
        copays=_copays(applicable, plan_name, warnings),
        coinsurance=_coinsurance(applicable, plan_name, warnings),
        deductible=_accumulator(applicable, "C", warnings),
        out_of_pocket=_accumulator(applicable, "G", warnings),
        trace=_trace(own_levels),
        warnings=warnings,
        benefits=list(patient.benefits),
        reference_date=day,
        references=[ref for level in own_levels for ref in level.references],
        relationship_code=patient.relationship,
    )


def _plan_window(levels: list[Level]) -> tuple[date | None, date | None]:
    """Plan/eligibility window of the patient's loop, else the subscriber's."""
    for level in levels:
        window = level.window()
        if window != (None, None):
            return window
    return None, None


def _member_id(patient: Level, subscriber: Level | None) -> str:
    """The subscriber's NM109 (the ID on the card), else the patient's own."""
    for level in (subscriber, patient):
        if level is not None and level.party is not None and level.party.id:
            return level.party.id
    return ""


def _answer_without_patient(context: _Context) -> Answer:
    """A response with no subscriber loop: payer/provider rejection (file 3)."""
    builder = context.builder
    rejections = list(builder.header_rejections)
    for level in builder.levels:
        rejections.extend(level.rejections)
    payer = next((lvl for lvl in builder.levels if lvl.code == "20"), None)
    provider = next((lvl for lvl in builder.levels if lvl.code == "21"), None)
    warnings = list(context.warnings)
    if not rejections:
        warnings.append("the response names no patient and gives no reason")
    return Answer(
        status="rejected" if rejections else "unknown",
        payer=payer.party if payer else None,
        provider=provider.party if provider else None,
        patient=None,
        relationship="subscriber",
        member_id="",
        rejections=rejections,
        warnings=warnings,
    )


def _answers_for(
    transaction: Transaction,
    context_warnings: list[str],
    service_date: date | None,
    wanted: tuple[str, ...],
) -> list[Answer]:
    warnings = list(context_warnings) + transaction.warnings
    builder = _LoopBuilder(warnings)
    for segment in transaction.segments[1:]:
        builder.feed(segment)
    context = _Context(builder, warnings, service_date, wanted)
    patients = _patients(builder.levels)
    if not patients:
        return [_answer_without_patient(context)]
    return [_answer(patient, context) for patient in patients]


def _not_a_response(transactions: list[Transaction]) -> X12Error:
    first = transactions[0].header
    return X12Error(
        f"This file holds a {first.get(1) or 'unknown'} transaction (ST segment at byte "
        f"{first.offset}), not an eligibility response (271). Check that you "
        f"opened the response file, not the request or an acknowledgement.",
        offset=first.offset,
        segment="ST",
    )


def parse_271(
    data: bytes | str,
    *,
    service_date: date | None = None,
    service_type: str = PLAN_SCOPE,
) -> list[Answer]:
    """Read a 271 (5010 or 4010) into one Answer per patient.

    ``service_date`` is the date benefits are judged on; by default the
    response's own service date (DTP 472), else its eligibility date (DTP
    307), else the date it was created (BHT04).  ``service_type`` is the
    EQ01 that was asked about; coverage of plan code 30 always counts.

    Raises X12Error only when the file cannot be read at all; envelope
    problems are reported in each Answer's ``warnings``.
    """
    tokens = tokenize(data)
    transactions = split_transactions(tokens.segments)
    responses = [t for t in transactions if t.set_id == "271"]
    if not responses:
        raise _not_a_response(transactions)
    warnings = list(tokens.warnings)
    skipped = len(transactions) - len(responses)
    if skipped:
        warnings.append(f"skipped {skipped} transaction(s) that are not eligibility responses")
    wanted = tuple(dict.fromkeys((PLAN_SCOPE, service_type)))
    answers: list[Answer] = []
    for transaction in responses:
        answers.extend(_answers_for(transaction, warnings, service_date, wanted))
    return answers
