"""Patients: who they are and how to reach them.

`check` turns what staff typed into clean values or refuses with the field and
the reason; `register` and `register_many` store checked patients and hand out
MRNs. The bulk path runs the very same `check` on every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import peewee as pw

from frontdesk import audit, changes, clock, counters, db, telephone
from frontdesk.dates import Kind, parse_date
from frontdesk.errors import InvalidInput
from frontdesk.names import later_words, sound
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
]

SEXES = {"F": "female", "M": "male", "X": "non-binary", "U": "unknown"}
PHONE_KINDS = ("mobile", "home", "work")
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE "
    "NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "AS GU MP PR VI AA AE AP".split()
)
NAME_MAX = 50
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
            "city": self.city, "state": self.state, "zip": self.zip,
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


def search(query: str, limit: int = 20) -> list:
    """Patients for what staff typed in the one search box, best first (frontdesk.lookup)."""
    from frontdesk.lookup import find  # lookup builds on this module's models

    return find(query, limit)
