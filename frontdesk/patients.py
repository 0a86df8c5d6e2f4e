"""Patients: who they are and how to reach them.

`check` turns what staff typed into clean values or refuses with the field and
the reason; `register` and `register_many` store checked patients and hand out
MRNs. The bulk path runs the very same `check` on every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import peewee as pw

from frontdesk import audit, changes, clock, counters, db, telephone
from frontdesk.dates import Kind, parse_date
from frontdesk.errors import Conflict, InvalidInput, NotFound, StaleEdit
from frontdesk.names import later_words, likeness, sound
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff
from frontdesk.text import fold, typed

__all__ = [
    "Patient",
    "PatientPhone",
    "Draft",
    "Checked",
    "SEXES",
    "PHONE_KINDS",
    "US_STATES",
    "check",
    "register",
    "register_many",
    "age",
    "search",
    "PatientNamePart",
    "PatientContact",
    "Record",
    "Contact",
    "CoverageLine",
    "Visit",
    "record",
    "update",
    "set_status",
    "verify",
    "add_contact",
    "remove_contact",
    "possible_duplicates",
    "similar_names",
    "phones_of",
]

SEXES = {"F": "female", "M": "male", "X": "non-binary", "U": "unknown"}
PHONE_KINDS = ("mobile", "home", "work")
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE "
    "NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "AS GU MP PR VI AA AE AP".split()
)
NAME_MAX = 50
ALERTS_MAX = 200
MRN_START = 100001
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class Patient(db.Model):
    mrn = pw.CharField(max_length=20, unique=True)
    first_name = pw.CharField(max_length=NAME_MAX)
    middle_name = pw.CharField(max_length=NAME_MAX, default="")
    last_name = pw.CharField(max_length=NAME_MAX)
    first_key = pw.CharField(max_length=NAME_MAX)
    last_key = pw.CharField(max_length=NAME_MAX)
    dob = pw.DateField(index=True)
    sex = pw.CharField(max_length=1)
    email = pw.CharField(max_length=120, default="")
    address1 = pw.CharField(max_length=100, default="")
    address2 = pw.CharField(max_length=100, default="")
    city = pw.CharField(max_length=60, default="")
    state = pw.CharField(max_length=2, default="")
    zip = pw.CharField(max_length=10, default="")
    first_sound = pw.CharField(max_length=8, default="")
    last_sound = pw.CharField(max_length=8, default="")
    """Sound-alike keys (Soundex of the folded names): "Smyth" finds "Smith"."""
    active = pw.BooleanField(default=True)
    deceased = pw.BooleanField(default=False)
    alerts = pw.CharField(max_length=200, default="")
    """What the desk must know before speaking to the patient: "Needs a Spanish interpreter"."""
    balance_cents = pw.IntegerField(default=0)
    """What the patient owes, as the billing system last said."""
    verified_at = db.InstantField(null=True)
    """When staff last confirmed the demographics with the patient."""
    verified_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    created_at = db.InstantField()
    updated_at = db.InstantField()
    updated_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = (
            (("last_key", "first_key"), False),
            (("first_key", "last_key"), False),
            (("last_sound", "first_sound"), False),
        )

    @property
    def full_name(self) -> str:
        """First name first, as said aloud: `Maria García`."""
        return f"{self.first_name} {self.last_name}"

    @property
    def filed_name(self) -> str:
        """Last name first, as on a schedule or a chart label: `García, Maria`."""
        return f"{self.last_name}, {self.first_name}"


class PatientPhone(db.Model):
    patient = pw.ForeignKeyField(Patient, backref="phones", on_delete="CASCADE")
    kind = pw.CharField(max_length=10)
    number = pw.CharField(max_length=16, index=True)
    """E.164, the form callers' numbers arrive in."""
    last4 = pw.CharField(max_length=4, index=True)
    """Its last four digits: what a caller reads out, or staff remember."""


class PatientNamePart(db.Model):
    """The later words of a name ("Jones" of "Smith-Jones", "Cruz" of "de la Cruz"),
    so any word of a name finds the patient; the first word is the name's own key."""

    patient = pw.ForeignKeyField(Patient, backref="+", on_delete="CASCADE")
    key = pw.CharField(max_length=50, index=True)
    last = pw.BooleanField()
    """A word of the last name (else of the first)."""


class PatientContact(db.Model):
    """Someone to call about the patient: next of kin, emergency contact, guarantor."""

    patient = pw.ForeignKeyField(Patient, backref="contacts", on_delete="CASCADE")
    name = pw.CharField(max_length=100)
    relationship = pw.CharField(max_length=40)
    phone = pw.CharField(max_length=16, default="")
    """E.164, or empty."""


@dataclass
class Draft:
    """A patient as typed on a form or read from a file: every field is text."""

    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    dob: str = ""
    sex: str = ""
    phones: dict[str, str] = field(default_factory=dict)
    """kind -> number as typed, for kinds in PHONE_KINDS."""
    email: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    alerts: str = ""
    """What the desk must know before speaking to the patient; optional."""


@dataclass(frozen=True)
class Checked:
    """A draft that passed `check`: clean values, ready to store."""

    first_name: str
    middle_name: str
    last_name: str
    dob: date
    sex: str
    phones: tuple[tuple[str, str], ...]
    email: str
    address1: str
    address2: str
    city: str
    state: str
    zip: str
    alerts: str = ""

    def later_words(self) -> list[tuple[str, bool]]:
        """(word, of the last name) for the words after the first of each name."""
        return ([(key, False) for key in later_words(self.first_name)]
                + [(key, True) for key in later_words(self.last_name)])

    def columns(self) -> dict[str, object]:
        return {
            "first_name": self.first_name, "middle_name": self.middle_name,
            "last_name": self.last_name, "first_key": fold(self.first_name),
            "last_key": fold(self.last_name), "first_sound": sound(fold(self.first_name)),
            "last_sound": sound(fold(self.last_name)), "dob": self.dob, "sex": self.sex,
            "email": self.email, "address1": self.address1, "address2": self.address2,
            "city": self.city, "state": self.state, "zip": self.zip, "alerts": self.alerts,
        }


def _name(value: str, field_name: str, label: str, *, required: bool) -> str:
    value = typed(value, field=field_name, label=label, limit=NAME_MAX, required=required)
    if value and not any(ch.isalpha() for ch in value):
        raise InvalidInput(f"{label} \"{value}\" has no letters in it.", field=field_name)
    return value


def _sex(value: str) -> str:
    # The code or its word ("F", "female", "non-binary"); not any word that merely
    # starts with a code letter, so "Mango" is a typo rather than "M".
    typed = fold(value)
    for code, word in SEXES.items():
        if typed in (code.lower(), fold(word)):
            return code
    raise InvalidInput(
        "Sex must be F (female), M (male), X (non-binary) or U (unknown).", field="sex"
    )


def _email(value: str) -> str:
    value = value.strip()
    if value and (len(value) > 120 or not _EMAIL.match(value)):
        raise InvalidInput(f"Email \"{value}\" is not an email address.", field="email")
    return value


def _address(draft: Draft) -> tuple[str, str, str, str, str]:
    address1 = typed(draft.address1, field="address1", label="Address", limit=100)
    address2 = typed(draft.address2, field="address2", label="Address line 2", limit=100)
    city = typed(draft.city, field="city", label="City", limit=60)
    state = draft.state.strip().upper()
    if state and state not in US_STATES:
        raise InvalidInput(f"State \"{draft.state.strip()}\" is not a US state code such as NY.",
                           field="state")
    zip_code = draft.zip.strip()
    if zip_code and not _ZIP.match(zip_code):
        raise InvalidInput(f"ZIP \"{zip_code}\" must be 5 digits, or 5+4 as in 10001-1234.",
                           field="zip")
    return address1, address2, city, state, zip_code


def _phones(typed: dict[str, str]) -> tuple[tuple[str, str], ...]:
    numbers = []
    for kind, text in typed.items():
        if kind not in PHONE_KINDS:
            raise InvalidInput(f"Unknown kind of phone \"{kind}\".", field="phone")
        if text.strip():
            numbers.append((kind, telephone.normalize(text, field=f"phone_{kind}")))
    return tuple(numbers)


def check(draft: Draft, *, today: date | None = None) -> Checked:
    """Clean values for a new patient, or `InvalidInput` naming the field and why."""
    today = today or clock.today()
    first = _name(draft.first_name, "first_name", "First name", required=True)
    last = _name(draft.last_name, "last_name", "Last name", required=True)
    middle = _name(draft.middle_name, "middle_name", "Middle name", required=False)
    if not draft.dob.strip():
        raise InvalidInput("Date of birth is required.", field="dob")
    try:
        dob = parse_date(draft.dob, today=today, kind=Kind.BIRTH)
    except InvalidInput as error:
        raise InvalidInput(f"Date of birth: {error.message}", field="dob") from None
    address1, address2, city, state, zip_code = _address(draft)
    return Checked(
        first_name=first, middle_name=middle, last_name=last, dob=dob, sex=_sex(draft.sex),
        phones=_phones(draft.phones), email=_email(draft.email), address1=address1,
        address2=address2, city=city, state=state, zip=zip_code,
        alerts=typed(draft.alerts, field="alerts", label="Alerts", limit=ALERTS_MAX),
    )


def age(dob: date, on: date) -> int:
    """Whole years old on a day."""
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _new_mrns(count: int) -> list[str]:
    return [str(n) for n in counters.take("mrn", count, start=MRN_START)]


def _assign_mrns(count: int, given: Sequence[str | None] | None) -> list[str]:
    """Kept MRNs as given, ours for the rest; ours never land on a kept one."""
    given = list(given) if given is not None else [None] * count
    if len(given) != count:
        raise ValueError("one MRN (or None) per patient")
    numeric = [int(mrn) for mrn in given if mrn and mrn.isdigit()]
    if numeric:  # a later registration must not be handed a number an import kept
        counters.raise_to("mrn", max(numeric), start=MRN_START)
    ours = iter(_new_mrns(sum(1 for mrn in given if not mrn)))
    return [mrn or next(ours) for mrn in given]


def register(draft: Draft, *, by: Staff) -> Patient:
    """Check and store one new patient, with an MRN from the clinic's sequence."""
    require(by, Permission.REGISTER_PATIENTS)
    (patient_id,) = register_many([check(draft)], by=by)
    return Patient.get_by_id(patient_id)


_insert_patient = db.Insert(Patient)
_insert_phone = db.Insert(PatientPhone)
_insert_part = db.Insert(PatientNamePart)
_new_since = db.Statement(lambda v: Patient.select(Patient.mrn, Patient.id)
                          .where(Patient.id > v("last_id")))


def register_many(checked: Sequence[Checked], *, by: Staff,
                  mrns: Sequence[str | None] | None = None) -> list[int]:
    """Store checked patients in one transaction and return their ids, in order.

    `mrns` keeps numbers from another system (None where a patient has none, to
    be given the next of ours). One audit event names the whole batch, so a bulk
    load does not bury the trail under a million lines that say the same thing.
    """
    require(by, Permission.REGISTER_PATIENTS)
    if not checked:
        return []
    now = clock.now()
    with db.write():
        mrns = _assign_mrns(len(checked), mrns)
        # Inside the write lock nobody else inserts: the new rows are those past the last id.
        last_id = Patient.select(pw.fn.MAX(Patient.id)).scalar() or 0
        batch = _insert_patient.values(created_at=now, updated_at=now, updated_by=by.id)
        constant = {name: batch[name] for name in ("created_at", "updated_at", "updated_by",
                                                    "active", "version")}
        _insert_patient.many(
            _insert_patient.values({**constant, "mrn": mrn, "dob": c.dob.isoformat()},
                                   **c.columns())
            for c, mrn in zip(checked, mrns))
        by_mrn = dict(_new_since.rows(last_id=last_id))
        ids = [by_mrn[mrn] for mrn in mrns]
        _insert_phone.many({"patient": patient_id, "kind": kind, "number": number,
                            "last4": number[-4:]}
                           for c, patient_id in zip(checked, ids) for kind, number in c.phones)
        _insert_part.many({"patient": patient_id, "key": key, "last": last}
                          for c, patient_id in zip(checked, ids) for key, last in c.later_words())
        if len(checked) == 1:
            audit.record("patient.created", by=by, patient=ids[0], subject=f"MRN {mrns[0]}")
        else:
            audit.record("patient.created_many", by=by, subject=f"MRN {mrns[0]}-{mrns[-1]}",
                         detail={"count": len(checked)})
        changes.record("patient", "*")
    return ids


def phones_of(patients: Iterable[Patient]) -> dict[int, list[tuple[str, str]]]:
    """(kind, number) pairs per patient id, in one query."""
    found: dict[int, list[tuple[str, str]]] = {}
    ids = [p.id for p in patients]
    query = (PatientPhone.select(PatientPhone.patient, PatientPhone.kind, PatientPhone.number)
             .where(PatientPhone.patient.in_(ids)).order_by(PatientPhone.id).tuples())
    for patient_id, kind, number in query:
        found.setdefault(patient_id, []).append((kind, number))
    return found


# -- the record screen: one patient, everything the desk shows of them ------------------

PAST_SHOWN = 20
"""Past appointments the record lists, newest first; older ones are in the chart."""
UPCOMING_SHOWN = 20


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    relationship: str
    phone: str
    """E.164, or empty."""


@dataclass(frozen=True)
class CoverageLine:
    """One coverage as the record summarises it."""

    id: int
    payer: str
    rank: int
    """1 primary, 2 secondary, 3 tertiary."""
    plan_type: str
    member_id: str
    group_number: str
    effective_on: date
    ends_on: date | None
    copay_cents: int | None
    """None when unknown (never 0 for unknown)."""
    in_force: bool
    """Covers today."""


@dataclass(frozen=True)
class Visit:
    """One appointment as the record lists it."""

    id: int
    start: datetime
    """Aware, on the clinic's wall clock."""
    provider: str
    type_name: str
    status: str
    """A schedule.Status value."""


@dataclass(frozen=True)
class Record:
    """Everything the patient record screen shows, read in a few queries and audited."""

    id: int
    mrn: str
    first_name: str
    middle_name: str
    last_name: str
    dob: date
    age: int
    sex: str
    email: str
    address1: str
    address2: str
    city: str
    state: str
    zip: str
    alerts: str
    active: bool
    deceased: bool
    balance_cents: int
    verified_at: datetime | None
    """Aware, on the clinic's wall clock; None when never verified."""
    verified_by: str
    updated_at: datetime
    updated_by: str
    version: int
    phones: tuple[tuple[str, str], ...]
    """(kind, E.164), in PHONE_KINDS order."""
    contacts: tuple[Contact, ...]
    coverages: tuple[CoverageLine, ...]
    """Primary first; ended ones included (in_force False)."""
    upcoming: tuple[Visit, ...]
    """Soonest first."""
    past: tuple[Visit, ...]
    """Newest first, at most PAST_SHOWN."""
    forms: tuple  # of frontdesk.forms.FormState, in KINDS order

    @property
    def filed_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def draft(self) -> Draft:
        """The record as the edit form starts from: every field as staff would type it."""
        return Draft(
            first_name=self.first_name, middle_name=self.middle_name, last_name=self.last_name,
            dob=self.dob.strftime("%m/%d/%Y"), sex=self.sex,
            phones={kind: telephone.display(number) for kind, number in self.phones},
            email=self.email, address1=self.address1, address2=self.address2, city=self.city,
            state=self.state, zip=self.zip, alerts=self.alerts,
        )


def _get(patient_id: int) -> Patient:
    found = Patient.get_or_none(Patient.id == patient_id)
    if found is None:
        raise NotFound(f"There is no patient {patient_id}.")
    return found


def _visits(patient_id: int, *, upcoming: bool) -> tuple[Visit, ...]:
    from frontdesk.providers import Provider
    from frontdesk.schedule import Appointment, AppointmentType

    now = clock.now()
    query = (Appointment
             .select(Appointment.id, Appointment.start, Appointment.status,
                     Provider.first_name, Provider.last_name, Provider.credentials,
                     AppointmentType.name)
             .join_from(Appointment, Provider).join_from(Appointment, AppointmentType)
             .where(Appointment.patient == patient_id))
    # (patient, start) is indexed: each half of the list is one index range.
    if upcoming:
        query = query.where(Appointment.start >= now).order_by(Appointment.start)
        query = query.limit(UPCOMING_SHOWN)
    else:
        query = query.where(Appointment.start < now).order_by(Appointment.start.desc())
        query = query.limit(PAST_SHOWN)
    zone = clock.zone()
    return tuple(
        Visit(id=row.id, start=row.start.astimezone(zone),
              provider=Provider(first_name=row.provider.first_name,
                                last_name=row.provider.last_name,
                                credentials=row.provider.credentials).short_name,
              type_name=row.type.name, status=row.status)
        for row in query)


def _coverages(patient_id: int, today: date) -> tuple[CoverageLine, ...]:
    from frontdesk.insurance import Coverage, Payer

    query = (Coverage.select(Coverage, Payer.name).join(Payer)
             .where(Coverage.patient == patient_id)
             .order_by(Coverage.rank, Coverage.effective_on.desc()))
    return tuple(
        CoverageLine(id=c.id, payer=c.payer.name, rank=c.rank, plan_type=c.plan_type,
                     member_id=c.member_id, group_number=c.group_number,
                     effective_on=c.effective_on, ends_on=c.ends_on,
                     copay_cents=c.copay_cents, in_force=c.covers(today))
        for c in query)


def _phone_order(phones: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    rank = {kind: i for i, kind in enumerate(PHONE_KINDS)}
    return tuple(sorted(phones, key=lambda pair: rank.get(pair[0], len(rank))))


def record(patient_id: int, *, by: Staff) -> Record:
    """Read one patient for the record screen; the look is audited."""
    require(by, Permission.VIEW_PATIENTS)
    from frontdesk import forms

    verifier, changer = Staff.alias(), Staff.alias()
    row = (Patient.select(Patient, verifier.name.alias("verifier"),
                          changer.name.alias("changer"))
           .join_from(Patient, verifier, pw.JOIN.LEFT_OUTER,
                      on=(Patient.verified_by == verifier.id), attr="_verifier")
           .join_from(Patient, changer, pw.JOIN.LEFT_OUTER,
                      on=(Patient.updated_by == changer.id), attr="_changer")
           .where(Patient.id == patient_id).objects().first())
    if row is None:
        raise NotFound(f"There is no patient {patient_id}.")
    today = clock.today()
    contacts = tuple(Contact(c.id, c.name, c.relationship, c.phone) for c in
                     PatientContact.select().where(PatientContact.patient == patient_id)
                     .order_by(PatientContact.id))
    phones = _phone_order(phones_of([row]).get(row.id, []))
    found = Record(
        id=row.id, mrn=row.mrn, first_name=row.first_name, middle_name=row.middle_name,
        last_name=row.last_name, dob=row.dob, age=age(row.dob, today), sex=row.sex,
        email=row.email, address1=row.address1, address2=row.address2, city=row.city,
        state=row.state, zip=row.zip, alerts=row.alerts, active=row.active,
        deceased=row.deceased, balance_cents=row.balance_cents,
        verified_at=clock.local(row.verified_at) if row.verified_at else None,
        verified_by=row.verifier or "", updated_at=clock.local(row.updated_at),
        updated_by=row.changer or "",
        version=row.version, phones=phones, contacts=contacts,
        coverages=_coverages(row.id, today), upcoming=_visits(row.id, upcoming=True),
        past=_visits(row.id, upcoming=False), forms=tuple(forms.states(row.id, today)),
    )
    with db.write(durable=False):  # a look, not a change
        audit.record("patient.viewed", by=by, patient=row.id, subject=f"MRN {row.mrn}")
    return found


# -- changing a patient ---------------------------------------------------------------

_AUDITED = ("first_name", "middle_name", "last_name", "dob", "sex", "email", "address1",
            "address2", "city", "state", "zip", "alerts")
"""The columns staff edit, as the audit names them (the keys follow the names)."""


def _stale(patient_id: int) -> StaleEdit:
    current = Patient.get_or_none(Patient.id == patient_id)
    if current is None:
        return StaleEdit("That patient is no longer on file.")
    who = (Staff.select(Staff.name).where(Staff.id == current.updated_by_id).scalar()
           or "someone else")
    return StaleEdit(
        f"{current.full_name}'s record was changed by {who} at "
        f"{clock.wall(current.updated_at)}; look again before changing it."
    )


def _current(patient: Patient | int, version: int) -> Patient:
    """The patient as stored now, inside the write lock; StaleEdit unless at `version`."""
    patient_id = getattr(patient, "id", patient)
    current = Patient.get_or_none(Patient.id == patient_id)
    if current is None or current.version != version:
        raise _stale(patient_id)
    return current


def _save(current: Patient, version: int, values: dict[str, object], *, by: Staff) -> None:
    """Write changed columns with the version guard, and who and when."""
    values = {**values, "updated_at": clock.now(), "updated_by": by.id,
              "version": Patient.version + 1}
    updated = (Patient.update(values)
               .where((Patient.id == current.id) & (Patient.version == version)).execute())
    if not updated:  # cannot happen under the write lock; kept as the guard it is
        raise _stale(current.id)


def _stored_phones(patient_id: int) -> dict[str, str]:
    return {kind: number for kind, number in
            PatientPhone.select(PatientPhone.kind, PatientPhone.number)
            .where(PatientPhone.patient == patient_id).tuples()}


def _rekey_names(patient_id: int, checked: Checked) -> None:
    PatientNamePart.delete().where(PatientNamePart.patient == patient_id).execute()
    _insert_part.many({"patient": patient_id, "key": key, "last": last}
                      for key, last in checked.later_words())


def _renumber(patient_id: int, phones: tuple[tuple[str, str], ...]) -> None:
    PatientPhone.delete().where(PatientPhone.patient == patient_id).execute()
    _insert_phone.many({"patient": patient_id, "kind": kind, "number": number,
                        "last4": number[-4:]} for kind, number in phones)


def _as_audited(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def update(patient: Patient | int, draft: Draft, *, version: int, by: Staff) -> Patient:
    """Change a patient's demographics to what the edit form holds.

    The same checks as registration; only what differs is written, and the audit
    names each changed field before and after. `version` is the one the form was
    filled from: if someone saved in between, StaleEdit names them and nothing is
    written, so the form keeps what was typed.
    """
    require(by, Permission.REGISTER_PATIENTS)
    checked = check(draft)
    new_columns = checked.columns()
    with db.write():
        current = _current(patient, version)
        before = {name: _as_audited(getattr(current, name)) for name in _AUDITED}
        after = {name: _as_audited(new_columns[name]) for name in _AUDITED}
        changed = {name for name in _AUDITED if before[name] != after[name]}
        old_phones, new_phones = _stored_phones(current.id), dict(checked.phones)
        if not changed and old_phones == new_phones:
            return current
        names_changed = bool({"first_name", "last_name"} & changed)
        keys = ("first_key", "last_key", "first_sound", "last_sound") if names_changed else ()
        _save(current, version, {name: new_columns[name] for name in (*changed, *keys)}, by=by)
        if names_changed:
            _rekey_names(current.id, checked)
        detail_before = {name: before[name] for name in sorted(changed)}
        detail_after = {name: after[name] for name in sorted(changed)}
        if old_phones != new_phones:
            _renumber(current.id, checked.phones)
            for kind in PHONE_KINDS:
                if old_phones.get(kind) != new_phones.get(kind):
                    detail_before[f"phone_{kind}"] = old_phones.get(kind, "")
                    detail_after[f"phone_{kind}"] = new_phones.get(kind, "")
        audit.record("patient.updated", by=by, patient=current.id, subject=f"MRN {current.mrn}",
                     detail={"before": detail_before, "after": detail_after})
        changes.record("patient", str(current.id))
    return Patient.get_by_id(current.id)


def set_status(patient: Patient | int, *, active: bool, deceased: bool, version: int,
               by: Staff) -> Patient:
    """Mark a patient inactive (moved away, left the practice) or deceased, or undo it.

    Not part of the demographics form: it is a deliberate act, said once, with its
    own line in the audit. A deceased patient is inactive too.
    """
    require(by, Permission.REGISTER_PATIENTS)
    active = bool(active) and not deceased
    with db.write():
        current = _current(patient, version)
        before = {"active": current.active, "deceased": current.deceased}
        after = {"active": active, "deceased": bool(deceased)}
        if before == after:
            return current
        _save(current, version, after, by=by)
        audit.record("patient.status_set", by=by, patient=current.id,
                     subject=f"MRN {current.mrn}", detail={"before": before, "after": after})
        changes.record("patient", str(current.id))
    return Patient.get_by_id(current.id)


def verify(patient: Patient | int, *, version: int | None = None, by: Staff) -> Patient:
    """The patient has just confirmed their demographics with staff.

    `version` defaults to the one of the patient given, for callers that have just
    read it (check-in, chart prep).
    """
    require(by, Permission.REGISTER_PATIENTS)
    if version is None:
        version = patient.version if isinstance(patient, Patient) else _get(patient).version
    now = clock.now()
    with db.write():
        current = _current(patient, version)
        _save(current, version, {"verified_at": now, "verified_by": by.id}, by=by)
        audit.record("patient.verified", by=by, patient=current.id, subject=f"MRN {current.mrn}",
                     detail={"from": _as_audited(current.verified_at and
                                                 clock.local(current.verified_at).date()),
                             "to": clock.today().isoformat()})
        changes.record("patient", str(current.id))
    return Patient.get_by_id(current.id)


# -- contacts: people to call about the patient ----------------------------------------

CONTACTS_MAX = 10


def add_contact(patient: Patient | int, name: str, relationship: str, phone: str = "", *,
                by: Staff) -> PatientContact:
    """Add someone to call about the patient (next of kin, emergency contact, guarantor)."""
    require(by, Permission.REGISTER_PATIENTS)
    name = typed(name, field="contact_name", label="Contact's name", limit=100, required=True)
    if not any(ch.isalpha() for ch in name):
        raise InvalidInput(f"Contact's name \"{name}\" has no letters in it.",
                           field="contact_name")
    relationship = typed(relationship, field="relationship", label="Relationship", limit=40,
                         required=True)
    number = telephone.normalize(phone, field="contact_phone") if phone.strip() else ""
    patient_id = getattr(patient, "id", patient)
    with db.write():
        if PatientContact.select().where(PatientContact.patient == patient_id).count() \
                >= CONTACTS_MAX:
            raise Conflict(f"A patient has at most {CONTACTS_MAX} contacts; remove one first.")
        contact = PatientContact.create(patient=patient_id, name=name,
                                        relationship=relationship, phone=number)
        audit.record("patient.contact_added", by=by, patient=patient_id,
                     subject=f"contact {contact.id}",
                     detail={"name": name, "relationship": relationship})
        changes.record("patient", str(patient_id))
    return contact


def remove_contact(contact: PatientContact | int, *, by: Staff) -> None:
    """Take a contact off the record (not a money, care or law record: it goes)."""
    require(by, Permission.REGISTER_PATIENTS)
    contact_id = getattr(contact, "id", contact)
    with db.write():
        found = PatientContact.get_or_none(PatientContact.id == contact_id)
        if found is None:
            return  # removed a moment ago at another terminal: what was asked is done
        found.delete_instance()
        audit.record("patient.contact_removed", by=by, patient=found.patient_id,
                     subject=f"contact {found.id}",
                     detail={"name": found.name, "relationship": found.relationship})
        changes.record("patient", str(found.patient_id))


# -- the duplicate check before registering ------------------------------------------

LIKENESS = 0.85
"""How close two names must be (frontdesk.names.likeness) to be taken for one."""


def _alike(key: str, sound_key: str, other_key: str, other_sound: str) -> bool:
    if not key or not other_key:
        return False
    return (key == other_key or (sound_key and sound_key == other_sound)
            or max(likeness(key, other_key), likeness(other_key, key)) >= LIKENESS)


def similar_names(first: tuple[str, str], last: tuple[str, str],
                  other_first: tuple[str, str], other_last: tuple[str, str]) -> bool:
    """Whether two (key, sound) names could be one person's: both parts alike, the
    parts typed the wrong way round, or the same first name (a last name changed
    at marriage)."""
    return ((_alike(*first, *other_first) and _alike(*last, *other_last))
            or (_alike(*first, *other_last) and _alike(*last, *other_first))
            or first[0] == other_first[0])


_CANDIDATE_COLUMNS = (Patient.id, Patient.first_key, Patient.first_sound, Patient.last_key,
                      Patient.last_sound)


def possible_duplicates(checked: Checked, limit: int = 5, *, excluding: int | None = None,
                        by: Staff | None = None) -> list[Patient]:
    """Patients on file who may be the one being registered: born the same day, or
    with one of the same phone numbers, and with a name like this one's.

    Two indexed lookups (date of birth; phone number), however many patients are on
    file. With `by`, showing them is audited (they are other patients' details).
    """
    columns = checked.columns()
    first = (columns["first_key"], columns["first_sound"])
    last = (columns["last_key"], columns["last_sound"])
    same_day = Patient.select(*_CANDIDATE_COLUMNS).where(Patient.dob == checked.dob)
    numbers = [number for _, number in checked.phones]
    queries = [same_day]
    if numbers:
        queries.append(Patient.select(*_CANDIDATE_COLUMNS)
                       .join(PatientPhone, on=(PatientPhone.patient == Patient.id))
                       .where(PatientPhone.number.in_(numbers)))
    ids: list[int] = []
    for query in queries:
        for pid, first_key, first_sound, last_key, last_sound in query.tuples():
            if pid in ids or pid == excluding:
                continue
            if similar_names(first, last, (first_key, first_sound), (last_key, last_sound)):
                ids.append(pid)
    ids = ids[:limit]
    if not ids:
        return []
    found = {p.id: p for p in Patient.select().where(Patient.id.in_(ids))}
    candidates = [found[pid] for pid in ids if pid in found]
    if by is not None:
        with db.write(durable=False):  # a look at other patients, not a change
            audit.record("patient.duplicates_shown", by=by,
                         subject=f"{len(candidates)} possible duplicates",
                         detail={"mrns": [p.mrn for p in candidates]})
    return candidates


def search(query: str, limit: int = 20, *, by: Staff | None = None) -> list:
    """Patients for what staff typed in the one search box, best first (frontdesk.lookup);
    with `by`, the search is audited as that person's (or the command line's)."""
    from frontdesk.lookup import find  # lookup builds on this module's models

    return find(query, limit, by=by)
