"""The clearinghouse: eligibility requests (X12 270) out, the payers' answers (271) in.

`write_270` asks about the coverages of chosen appointments, one transaction per
payer in one interchange, with control numbers that never repeat (counters) and a
trace number per patient (`EligibilityRequest`). `import_271` reads the answers,
finds each one's coverage by its trace number, else by member ID and name, and
records a `Verification` per answer with the file kept whole. A file that cannot be
read is refused with where reading failed, and nothing of it is stored; an answer no
coverage fits is reported, never dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import peewee as pw

from frontdesk import audit, clock, config, counters, db, paths
from frontdesk.eligibility import (FROM_271, EligibilityRequest, Eligibility271File,
                                   Verification, record_change)
from frontdesk.errors import ConfigError, Conflict, InvalidInput, NotFound
from frontdesk.insurance import Coverage, Payer, PlanType, Relationship, coverage_on
from frontdesk.patients import Patient
from frontdesk.roles import Permission, require
from frontdesk.schedule import Appointment, Status
from frontdesk.staff import Staff
from frontdesk.text import fold, one_line
from frontdesk.x12 import (Answer, Batch, Dependent, Envelope, Inquiry, X12Error, build_270_batches,
                           parse_271, split_transactions, tokenize)
from frontdesk.x12 import Payer as X12Payer
from frontdesk.x12 import Provider as X12Provider

__all__ = ["Settings", "settings", "Target", "targets_for_days", "targets_for_patient",
           "targets_for_appointments", "Written", "write_270", "default_folder",
           "FileOutcome", "Stored", "ImportOutcome", "import_271", "files_in", "IMPORTABLE",
           "file_name", "x12_text", "write_270_for"]

IMPORTABLE = (".x12", ".271", ".txt", ".edi")
"""File endings a folder import picks up (a clearinghouse's download folder)."""

_DELIMITERS = "*~^:"
# Letters NFKD does not take apart into a base letter and a mark (as in frontdesk.text):
# without these, "Łukasz" would reach the payer as "UKASZ".
_BASE_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O",
                               "ı": "i", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe",
                               "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"})


# -- settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What the clearinghouse and the payers know the practice by (config.toml)."""

    submitter_id: str
    receiver_id: str
    practice_name: str
    practice_npi: str
    trace_originator: str
    submitter_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    authorization: str = ""
    security: str = ""
    production: bool = False
    service_type: str = "30"

    def missing(self) -> list[str]:
        """The config.toml keys a 270 cannot be written without, if they are empty."""
        needed = (("x12_submitter_id", self.submitter_id), ("x12_receiver_id", self.receiver_id),
                  ("practice_npi", self.practice_npi),
                  ("x12_trace_originator", self.trace_originator))
        return [key for key, value in needed if not value.strip()]

    def envelope(self) -> Envelope:
        return Envelope(
            sender_id=self.submitter_id, receiver_id=self.receiver_id,
            sender_qualifier=self.submitter_qualifier,
            receiver_qualifier=self.receiver_qualifier,
            authorization_qualifier="03" if self.authorization else "00",
            authorization=self.authorization,
            security_qualifier="01" if self.security else "00", security=self.security,
            production=self.production)

    def provider(self) -> X12Provider:
        return X12Provider(npi=self.practice_npi, name=x12_text(self.practice_name),
                           trace_originator=self.trace_originator)


def settings() -> Settings:
    """The settings of config.toml."""
    current = config.current()
    return Settings(
        submitter_id=current.x12_submitter_id, receiver_id=current.x12_receiver_id,
        practice_name=current.practice_name or current.clinic_name,
        practice_npi=current.practice_npi, trace_originator=current.x12_trace_originator,
        submitter_qualifier=current.x12_submitter_qualifier,
        receiver_qualifier=current.x12_receiver_qualifier,
        authorization=current.x12_authorization, security=current.x12_security,
        production=current.x12_production, service_type=current.x12_service_type)


def default_folder() -> Path:
    """Where the worklist writes 270 files: config's eligibility_folder, else user data."""
    chosen = config.current().eligibility_folder
    return Path(chosen).expanduser() if chosen else paths.data_dir() / "eligibility"


# -- who to ask about -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A coverage to ask its payer about, for the day of a visit."""

    coverage: Coverage
    patient: Patient
    service_date: date
    appointment_id: int | None


_TO_CHECK = [s.value for s in (Status.SCHEDULED, Status.CONFIRMED, Status.ARRIVED,
                               Status.ROOMED, Status.WITH_PROVIDER)]


def _targets(visits: Iterable[tuple[int | None, int, date]]) -> list[Target]:
    """Every coverage in force on each visit's day, once per coverage (its first visit)."""
    found: dict[int, Target] = {}
    patients: dict[int, Patient] = {}
    for appointment_id, patient_id, day in visits:
        if patient_id not in patients:
            patients[patient_id] = Patient.get_by_id(patient_id)
        for coverage in coverage_on(patients[patient_id], day):
            if coverage.plan_type == PlanType.SELF_PAY.value or coverage.id in found:
                continue
            found[coverage.id] = Target(coverage, patients[patient_id], day, appointment_id)
    return list(found.values())


def _visits(query) -> list[tuple[int, int, date]]:
    return [(appointment_id, patient_id, clock.local(Appointment.start.python_value(start)).date())
            for appointment_id, patient_id, start in query.tuples()]


def targets_for_days(first: date, last: date) -> list[Target]:
    """The coverages of every appointment still to come from `first` through `last`."""
    start, _ = clock.day_bounds(first)
    _, end = clock.day_bounds(last)
    query = (Appointment.select(Appointment.id, Appointment.patient, Appointment.start)
             .where((Appointment.start >= start) & (Appointment.start < end)
                    & Appointment.status.in_(_TO_CHECK))
             .order_by(Appointment.start, Appointment.id))
    return _targets(_visits(query))


def targets_for_appointments(appointment_ids: Iterable[int]) -> list[Target]:
    """The coverages of the appointments listed (the worklist's rows)."""
    ids = sorted(set(appointment_ids))
    if not ids:
        return []
    query = (Appointment.select(Appointment.id, Appointment.patient, Appointment.start)
             .where(Appointment.id.in_(ids)).order_by(Appointment.start, Appointment.id))
    return _targets(_visits(query))


def targets_for_patient(mrn: str) -> list[Target]:
    """One patient's coverages, for their next visit from today (else for today)."""
    patient = Patient.get_or_none(Patient.mrn == mrn.strip())
    if patient is None:
        raise NotFound(f"There is no patient with MRN {one_line(mrn.strip())}.")
    start, _ = clock.day_bounds(clock.today())
    upcoming = (Appointment.select(Appointment.id, Appointment.patient, Appointment.start)
                .where((Appointment.patient == patient) & (Appointment.start >= start)
                       & Appointment.status.in_(_TO_CHECK))
                .order_by(Appointment.start).limit(1))
    visits = _visits(upcoming) or [(None, patient.id, clock.today())]
    return _targets(visits)


# -- the 270 --------------------------------------------------------------------------


def x12_text(text: str) -> str:
    """A name as payers read it: plain capital letters, no X12 separators."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_BASE_LETTERS))
    plain = "".join(c for c in decomposed if c.isascii() and not unicodedata.combining(c))
    for delimiter in _DELIMITERS:
        plain = plain.replace(delimiter, " ")
    return " ".join(plain.upper().split())


def _sex(value: str) -> str:
    return value if value in ("F", "M") else ""


def _subscriber(coverage: Coverage) -> tuple[str, str, str, date | None]:
    """(relationship, last, first, dob) of the coverage's subscriber; the patient's own
    coverage when the record names no one else."""
    relationship = coverage.subscriber_relationship or Relationship.SELF.value
    last, first = coverage.subscriber_last_name, coverage.subscriber_first_name
    if relationship == Relationship.SELF.value or not (last and first):
        return Relationship.SELF.value, "", "", None
    return relationship, last, first, coverage.subscriber_dob


def _inquiry(target: Target, trace: str, service_type: str) -> Inquiry:
    patient, coverage = target.patient, target.coverage
    member_id = coverage.member_id.strip()
    bad = [c for c in _DELIMITERS if c in member_id]
    if bad:
        raise InvalidInput(
            f"{one_line(patient.filed_name)} (MRN {patient.mrn}): the member ID "
            f"\"{one_line(member_id)}\" holds {' '.join(bad)}, which cannot be sent to the "
            "payer. Correct it on the patient's insurance.", field="member_id")
    relationship, last, first, dob = _subscriber(coverage)
    if relationship == Relationship.SELF.value:
        return Inquiry(trace=trace, member_id=member_id, last=x12_text(patient.last_name),
                       first=x12_text(patient.first_name), dob=patient.dob,
                       gender=_sex(patient.sex), service_date=target.service_date,
                       service_types=(service_type,))
    # The member ID on the card is the subscriber's: the patient goes in the dependent loop.
    return Inquiry(trace=trace, member_id=member_id, last=x12_text(last),
                   first=x12_text(first), dob=dob, service_date=target.service_date,
                   service_types=(service_type,),
                   dependent=Dependent(last=x12_text(patient.last_name),
                                       first=x12_text(patient.first_name), dob=patient.dob,
                                       gender=_sex(patient.sex)))


@dataclass(frozen=True)
class Written:
    """A 270 file written, and what it asks."""

    path: Path
    interchange_control: int
    inquiries: int
    payers: tuple[str, ...]
    traces: tuple[str, ...]


def _refuse_unsendable(targets: Sequence[Target], chosen: Settings) -> None:
    missing = chosen.missing()
    if missing:
        raise ConfigError(
            "A 270 cannot be written yet: config.toml has no " + ", ".join(missing)
            + ". Ask the clearinghouse for the IDs; nothing was written.")
    without: dict[str, int] = {}
    for target in targets:
        if not target.coverage.payer.payer_id.strip():
            name = target.coverage.payer.name
            without[name] = without.get(name, 0) + 1
    if without:
        listed = "; ".join(f"{one_line(name)} ({count} patient{'s' if count > 1 else ''})"
                           for name, count in sorted(without.items()))
        raise Conflict(f"These payers have no electronic payer ID, so they cannot be asked: "
                       f"{listed}. Add the ID the clearinghouse lists for each payer; "
                       "nothing was written.")


def _who(by: Staff | object) -> Staff | None:
    return by if isinstance(by, Staff) else None


def write_270(targets: Sequence[Target], out: str | os.PathLike[str], *, by: Staff | object,
              chosen: Settings | None = None) -> Written:
    """Write the 270 asking about `targets` to `out` and record each request.

    `by` is the staff member, or `audit.COMMAND_LINE`. Refused, with nothing written
    or recorded, when config lacks an ID or a payer has no payer ID.
    """
    if isinstance(by, Staff):
        require(by, Permission.REGISTER_PATIENTS)
    chosen = chosen or settings()
    if not targets:
        raise InvalidInput("None of these appointments has insurance to check; nothing "
                           "was written.")
    _refuse_unsendable(targets, chosen)
    out = Path(out).expanduser()
    if out.is_dir():
        raise InvalidInput(f"{out} is a folder; give the name of the 270 file to write.")
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder {out.parent} does not exist; nothing was written.")
    by_payer: dict[int, list[Target]] = {}
    for target in targets:
        by_payer.setdefault(target.coverage.payer_id, []).append(target)
    created = clock.local(clock.now())
    temporary = None
    try:
        with db.write():
            interchange = counters.next_value("x12.interchange")
            group = counters.next_value("x12.group")
            transactions = counters.take("x12.transaction", len(by_payer))
            traces = counters.take("x12.trace", len(targets))
            batches, rows = [], []
            numbers = iter(traces)
            for control, group_targets in zip(transactions, by_payer.values()):
                payer = group_targets[0].coverage.payer
                inquiries = []
                for target in group_targets:
                    trace = f"{next(numbers):09d}"
                    inquiries.append(_inquiry(target, trace, chosen.service_type))
                    rows.append((target, trace, control))
                batches.append(Batch(X12Payer(x12_text(payer.name), payer.payer_id.strip()),
                                     inquiries, control))
            text = build_270_batches(chosen.envelope(), chosen.provider(), batches,
                                     interchange_control=interchange, group_control=group,
                                     created=created.replace(tzinfo=None))
            now = clock.now()
            for target, trace, control in rows:
                EligibilityRequest.create(
                    trace=trace, coverage=target.coverage, appointment=target.appointment_id,
                    service_date=target.service_date, member_id=target.coverage.member_id,
                    interchange_control=interchange, group_control=group,
                    transaction_control=control, made_at=now, made_by=_who(by),
                    file_path=str(out.resolve())[:500])
                audit.record("eligibility.requested", by=_who(by), patient=target.patient.id,
                             subject=f"coverage {target.coverage.id}",
                             detail={"trace": trace, "interchange": interchange,
                                     "payer": target.coverage.payer.name,
                                     **({} if isinstance(by, Staff)
                                        else {"os_user": audit.os_user()})})
            # Written beside its final name before the commit, renamed after: a failed
            # write leaves no record, and a failed commit no file.
            handle, temporary = tempfile.mkstemp(prefix=".270-", dir=out.parent)
            with os.fdopen(handle, "w", encoding="ascii", newline="") as file:
                file.write(text)
        os.replace(temporary, out)
        temporary = None
    except OSError as error:
        raise InvalidInput(f"{out} cannot be written: {error.strerror or error}. Nothing "
                           "was recorded.") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    return Written(out, interchange, len(rows),
                   tuple(group_targets[0].coverage.payer.name
                         for group_targets in by_payer.values()),
                   tuple(trace for _, trace, _ in rows))


def file_name() -> str:
    """The name the worklist gives a 270 file: sorts by time, says what it is."""
    stamp = clock.local(clock.now()).strftime("%Y%m%d-%H%M%S")
    return f"270-{stamp}.x12"


def write_270_for(appointment_ids: Iterable[int], *, by: Staff) -> Written:
    """The worklist's x: a 270 for the coverages of the appointments listed, written to
    the eligibility folder (made if need be) under a name that sorts by time."""
    require(by, Permission.REGISTER_PATIENTS)
    targets = targets_for_appointments(appointment_ids)
    if targets:
        _refuse_unsendable(targets, settings())  # before a folder is made for nothing
    folder = default_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"The folder {folder} cannot be made: {error.strerror or error}. "
                           "Set eligibility_folder in config.toml to one that can.") from None
    return write_270(targets, folder / file_name(), by=by)


# -- 271s in --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """One answer recorded against a coverage."""

    patient: str
    mrn: str
    payer: str
    status: str
    matched_by: str
    """"trace" or "member ID"."""
    rejection: str
    """Reason and what to do, in plain words, for a rejection."""


@dataclass
class FileOutcome:
    name: str
    state: str
    """"imported", "already" (the same file came before) or "refused"."""
    message: str = ""
    answers: int = 0
    stored: list[Stored] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.state == "refused"]

    @property
    def stored(self) -> list[Stored]:
        return [s for f in self.files for s in f.stored]

    @property
    def unmatched(self) -> list[str]:
        return [u for f in self.files for u in f.unmatched]

    def summary(self) -> str:
        """One line for a status bar or the end of a command."""
        imported = sum(1 for f in self.files if f.state == "imported")
        already = sum(1 for f in self.files if f.state == "already")
        rejected = sum(1 for s in self.stored if s.status == "rejected")
        parts = [f"{imported} file{'s' if imported != 1 else ''} imported",
                 f"{len(self.stored)} answer{'s' if len(self.stored) != 1 else ''} recorded"]
        if rejected:
            parts.append(f"{rejected} rejected")
        if self.unmatched:
            parts.append(f"{len(self.unmatched)} not matched to a patient")
        if already:
            parts.append(f"{already} already imported")
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        return ", ".join(parts) + "."


def files_in(paths_given: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files named, a folder standing for every 271-looking file in it."""
    found: list[Path] = []
    for given in paths_given:
        path = Path(given).expanduser()
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.is_file() and p.suffix.lower() in IMPORTABLE))
        else:
            found.append(path)
    return found


def _cut_off(data: bytes) -> X12Error | None:
    """A transaction without its SE trailer: the file stops part-way through an answer.

    The reader tolerates a missing GE or IEA (payers leave them off), but an answer
    whose end is missing may have lost benefit lines, so it is not recorded.
    """
    for transaction in split_transactions(tokenize(data).segments):
        if transaction.segments[-1].tag != "SE":
            last = transaction.segments[-1]
            return X12Error(
                f"The file is cut off: reading stopped in the {last.tag} segment at byte "
                f"{last.offset}, before the end of transaction {transaction.control_number} "
                "(no SE trailer), so an answer may be missing lines. Download the response "
                "again, or ask the clearinghouse to resend it.",
                offset=last.offset, segment=last.tag)
    return None


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _norm_id(member_id: str) -> str:
    return "".join(member_id.split()).upper()


def _names_fit(answer: Answer, patient: Patient) -> bool:
    """The payer's name for the patient is ours: last names alike (one may be cut short or
    hyphenated), first names alike by their first word; birth dates equal when both say."""
    party = answer.patient
    if party is None:
        return False
    theirs_last, ours_last = fold(party.last), fold(patient.last_name)
    words = party.first.split()
    theirs_first, ours_first = fold(words[0]) if words else "", fold(patient.first_name)
    if not (theirs_last and theirs_first):
        return False
    alike = (lambda a, b: a.startswith(b) or b.startswith(a))
    if not (alike(theirs_last, ours_last) and alike(theirs_first, ours_first)):
        return False
    return party.dob is None or party.dob == patient.dob


def _describe(answer: Answer) -> str:
    party = answer.patient
    who = (f"{party.last}, {party.first}".strip(", ") if party else "") or "no patient named"
    bits = [one_line(who)]
    if answer.member_id:
        bits.append(f"member ID {one_line(answer.member_id)}")
    if party is not None and party.dob is not None:
        bits.append(f"born {party.dob:%m/%d/%Y}")
    bits.append(f"payer {one_line(answer.payer.last if answer.payer else '?')}")
    text = ", ".join(bits) + f": {answer.status}"
    if answer.rejections:
        first = answer.rejections[0]
        text += f" ({first.reason}; {first.follow_up})"
    return text


class _Matcher:
    """Finds each answer's coverage: by trace number, else by member ID and name."""

    def __init__(self, answers: list[Answer]) -> None:
        traces = sorted({a.trace for a in answers if a.trace})
        self.requests: dict[str, EligibilityRequest] = {}
        for batch in _chunks(traces):
            for request in (EligibilityRequest.select(EligibilityRequest, Coverage, Patient, Payer)
                            .join(Coverage).join(Patient).switch(Coverage).join(Payer)
                            .where(EligibilityRequest.trace.in_(batch))):
                self.requests[request.trace] = request
        ids = sorted({_norm_id(a.member_id) for a in answers
                      if a.member_id and a.trace not in self.requests})
        self.by_member: dict[str, list[Coverage]] = {}
        for batch in _chunks(ids):
            for coverage in (Coverage.select(Coverage, Patient, Payer).join(Patient)
                             .switch(Coverage).join(Payer)
                             .where(pw.fn.UPPER(Coverage.member_id).in_(batch))
                             .order_by(Coverage.id)):
                self.by_member.setdefault(_norm_id(coverage.member_id), []).append(coverage)

    def match(self, answer: Answer) -> tuple[Coverage | None, EligibilityRequest | None, str]:
        request = self.requests.get(answer.trace or "")
        if request is not None:
            return request.coverage, request, "trace"
        candidates = self.by_member.get(_norm_id(answer.member_id), [])
        named = answer.patient is not None and (answer.patient.last or answer.patient.first)
        if named:
            candidates = [c for c in candidates if _names_fit(answer, c.patient)]
        elif len({c.patient_id for c in candidates}) != 1:
            return None, None, ""  # an ID alone fits only when one patient holds it
        if not candidates:
            return None, None, ""
        if len({c.patient_id for c in candidates}) > 1:
            return None, None, ""  # two people fit: a person must choose
        today = clock.today()
        in_force = [c for c in candidates if c.covers(today)]
        return (in_force or candidates)[-1], None, "member ID"


def _chunks(values: list[str], size: int = 900) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


_SPECIALIST = re.compile(r"\bSPEC(IALISTS?|\.)?(\b|$)", re.IGNORECASE)


def _specialist(note: str | None) -> bool:
    """A co-pay the payer's note says is for specialists ("SPECIALIST", "SPEC OFFICE")."""
    return bool(note) and _SPECIALIST.search(note) is not None


def _bucket(levels: dict) -> tuple[int | None, int | None]:
    """(total, remaining) of an accumulator: in network first, else not split by network."""
    for name in ("in", "unspecified"):
        amounts = levels[name]
        if amounts.total_cents is not None or amounts.remaining_cents is not None:
            return amounts.total_cents, amounts.remaining_cents
    return None, None


def _columns(answer: Answer) -> dict:
    """The Verification columns an answer fills (NOTES.md section 3)."""
    copays = answer.office_visit_copays()
    office = next((c for c in copays if not _specialist(c.note)), None)
    specialist = next((c for c in copays if _specialist(c.note)), None)
    coinsurance = answer.office_visit_coinsurance()
    deductible_total, deductible_remaining = _bucket(answer.deductible.individual)
    oop_max, oop_remaining = _bucket(answer.out_of_pocket.individual)
    blocking = [r for r in answer.rejections if r.loop == "header" or r.loop[:4] in ("2000", "2100")]
    rejection = (blocking or answer.rejections or [None])[0]
    benefits = answer.status in ("active", "inactive")
    return {
        "status": answer.status,
        "office_copay_cents": office.amount_cents if office and benefits else None,
        "specialist_copay_cents": specialist.amount_cents if specialist and benefits else None,
        "deductible_total_cents": deductible_total if benefits else None,
        "deductible_remaining_cents": deductible_remaining if benefits else None,
        "coinsurance_percent": coinsurance[0].percent if coinsurance and benefits else None,
        "oop_max_cents": oop_max if benefits else None,
        "oop_remaining_cents": oop_remaining if benefits else None,
        "plan_name": one_line(answer.plan_name or "")[:80],
        "plan_begin": answer.plan_begin,
        "plan_end": answer.plan_end,
        "rejection_code": rejection.code[:3] if rejection else "",
        "rejection_reason": rejection.reason[:200] if rejection else "",
        "rejection_follow_up": rejection.follow_up[:200] if rejection else "",
        "details": json.dumps({"answer": answer.to_json(),
                               "segments": [str(b.segment) for b in answer.benefits]},
                              ensure_ascii=False),
    }


def _read(source: Path | tuple[str, bytes]) -> tuple[str, bytes]:
    if isinstance(source, tuple):
        return source
    try:
        return source.name, source.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {source}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{source} is a folder.") from None
    except OSError as error:
        raise InvalidInput(f"{source} cannot be read: {error.strerror or error}.") from None


def _import_one(name: str, data: bytes, by: Staff | None, os_user: str | None) -> FileOutcome:
    digest = hashlib.sha256(data).hexdigest()
    before = Eligibility271File.get_or_none(Eligibility271File.sha256 == digest)
    if before is not None:
        return FileOutcome(name, "already", f"already imported on "
                           f"{clock.local(before.imported_at):%m/%d/%Y at %H:%M} "
                           f"({before.answers} answers); nothing new was recorded")
    try:
        answers = parse_271(data)
        problem = _cut_off(data)
    except X12Error as error:
        return FileOutcome(name, "refused", str(error))
    if problem is not None:
        return FileOutcome(name, "refused", str(problem))
    outcome = FileOutcome(name, "imported", answers=len(answers))
    outcome.warnings = sorted({w for a in answers for w in a.warnings})
    matcher = _Matcher(answers)
    now = clock.now()
    with db.write():
        if Eligibility271File.select().where(Eligibility271File.sha256 == digest).exists():
            # Another terminal imported it while this one was reading.
            return FileOutcome(name, "already", "already imported by another terminal just "
                               "now; nothing new was recorded")
        record = Eligibility271File.create(
            name=name[:255], sha256=digest, raw=_decoded(data), size=len(data),
            imported_at=now, imported_by=by, answers=len(answers), matched=0,
            warnings=json.dumps(outcome.warnings, ensure_ascii=False))
        patients_changed: set[int] = set()
        for answer in answers:
            coverage, request, how = matcher.match(answer)
            if coverage is None:
                outcome.unmatched.append(_describe(answer))
                continue
            columns = _columns(answer)
            Verification.create(coverage=coverage.id, verified_at=now, verified_by=by,
                                source=FROM_271, raw_file=record, request=request, **columns)
            patient = coverage.patient
            audit.record("coverage.verified", by=by, patient=patient.id,
                         subject=f"coverage {coverage.id}",
                         detail={"source": FROM_271, "status": answer.status,
                                 "file": name[:80], "matched_by": how,
                                 **({"os_user": os_user} if os_user else {})})
            patients_changed.add(patient.id)
            rejection = ""
            if answer.status == "rejected":
                rejection = f"{columns['rejection_reason']}; {columns['rejection_follow_up']}"
            outcome.stored.append(Stored(patient.filed_name, patient.mrn, coverage.payer.name,
                                         answer.status, how, rejection))
        (Eligibility271File.update(matched=len(outcome.stored),
                                   unmatched=json.dumps(outcome.unmatched, ensure_ascii=False))
         .where(Eligibility271File.id == record.id).execute())
        for patient_id in sorted(patients_changed):
            record_change(patient_id)
    return outcome


def import_271(sources: Iterable[Path | tuple[str, bytes]], *, by: Staff | object,
               cancelled: Callable[[], bool] = lambda: False) -> ImportOutcome:
    """Import 271 files (paths, or (name, bytes) pairs): each file whole or not at all.

    `by` is the staff member, or `audit.COMMAND_LINE`. A refused file is reported with
    where reading failed; the others are still imported.
    """
    if isinstance(by, Staff):
        require(by, Permission.REGISTER_PATIENTS)
    person = _who(by)
    os_user = None if person is not None else audit.os_user()
    outcome = ImportOutcome()
    for source in sources:
        if cancelled():
            break
        try:
            name, data = _read(source)
        except InvalidInput as error:
            outcome.files.append(FileOutcome(str(source), "refused", str(error)))
            continue
        outcome.files.append(_import_one(name, data, person, os_user))
    return outcome
