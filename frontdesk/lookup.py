"""Finding a patient from one box: a name in any order, a birth date, a phone, an MRN.

What staff type is read for what it can mean (`understand`), each meaning asks
the database through an index for a bounded handful of candidates, and the
candidates are ranked by how well the typed words fit the name: exact, then
prefix, then sound-alike or misspelt. Sound-alikes are only looked for when the
exact and prefix hits do not fill the list, since they would rank below them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import peewee as pw

from frontdesk import audit, clock, db, telephone
from frontdesk.dates import Kind, parse_date
from frontdesk.errors import InvalidInput
from frontdesk.names import likeness, sound
from frontdesk.patients import Patient, PatientNamePart, PatientPhone
from frontdesk.roles import Permission, require
from frontdesk.text import fold, one_line

__all__ = ["Hit", "Query", "understand", "find"]

CANDIDATES = 60
"""Rows each index probe may bring back. Index order is name order, so exact names
come first in a prefix range; three screens of hits is plenty to rank."""

SOUND_CANDIDATES = 400
FUZZY_FLOOR = 0.82
"""Jaro-Winkler likeness under which a word is not a misspelling of a name..."""
SOUND_FLOOR = 0.7
"""...unless it sounds the same and is at least this alike ("zzqx" is not "Zhou")."""

_PHONE_MARKS = re.compile(r"[\s().+\-]")
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().\-]{5,}\d")
_MRN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,19}$")
_DATE_LIKE = re.compile(r"^\d{1,4}[/\-.]\d{1,2}([/\-.]\d{1,4})?$|^\d{8}$|^\d{6}$")


@dataclass(frozen=True)
class Query:
    """What a typed query can mean; several at once ("0312" is an MRN or a last four)."""

    text: str
    names: tuple[str, ...] = ()
    """Folded name words, in the order typed."""
    last_first: bool = False
    """Typed as "Last, First": the first word is the last name."""
    dob: date | None = None
    phone: str | None = None
    """E.164."""
    last4: str | None = None
    digits: str = ""
    """A local number typed without its area code: the phone must end with these."""
    mrn: str | None = None


@dataclass(frozen=True)
class Hit:
    patient_id: int
    mrn: str
    first_name: str
    middle_name: str
    last_name: str
    dob: date
    phones: tuple[tuple[str, str], ...]
    """(kind, E.164)."""
    next_visit: datetime | None
    """The start of the next booked appointment (UTC), if any."""
    active: bool
    deceased: bool
    balance_cents: int
    forms_due: tuple[str, ...]
    score: float
    """0 to 100: 100 an exact MRN or full name, about 90 prefixes, 50-80 sound-alikes."""
    matched: str
    """What the query matched: mrn, phone, dob, name or sound."""
    flags: tuple[str, ...] = field(default=())

    @property
    def filed_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


# -- reading the query ----------------------------------------------------------------

def understand(text: str, *, today: date | None = None) -> Query:
    today = today or clock.today()
    text = " ".join(text.split())[:100]
    if not text:
        return Query(text)
    whole = _whole_query(text, today)
    if whole is not None:
        return whole
    names: list[str] = []
    dob = mrn = phone = None
    rest = text
    for run in _PHONE_RUN.findall(text):  # "(617) 555-0101" is one thing, spaces and all
        if number := _as_phone(run):
            phone = number
            rest = text.replace(run, " ")
            break
    for word in re.split(r"[\s,]+", rest.strip()):
        if any(ch.isdigit() for ch in word):
            dob = dob or _as_date(word, today)
            if dob is None and _MRN.match(word):
                mrn = word
        elif key := fold(word):
            names.append(key)
    return Query(text, names=tuple(names), last_first="," in text, dob=dob, mrn=mrn,
                 phone=phone)


def _whole_query(text: str, today: date) -> Query | None:
    """The query as one thing: a date, a phone number, a last four, an MRN."""
    digits = _PHONE_MARKS.sub("", text)
    mrn = text if _MRN.match(text) and any(ch.isdigit() for ch in text) else None
    if _DATE_LIKE.match(text) and (dob := _as_date(text, today)):
        return Query(text, dob=dob, mrn=mrn if "/" not in text else None)
    if digits.isdigit():
        if len(digits) == 4:
            return Query(text, last4=digits, mrn=mrn)
        if len(digits) >= 7:
            if phone := _as_phone(text):
                return Query(text, phone=phone, mrn=mrn)
            return Query(text, last4=digits[-4:], digits=digits, mrn=mrn)
    return Query(text, mrn=mrn) if mrn else None


def _as_date(word: str, today: date) -> date | None:
    if not _DATE_LIKE.match(word):
        return None
    try:
        return parse_date(word, today=today, kind=Kind.BIRTH)
    except InvalidInput:
        return None


def _as_phone(text: str) -> str | None:
    try:
        return telephone.normalize(text)
    except InvalidInput:
        return None


# -- asking the database --------------------------------------------------------------

def _after(prefix: str) -> str:
    """The first key past every key that starts with `prefix` (keys are folded)."""
    return prefix + "\U0010ffff"


def _prefix(column: pw.Field, value) -> pw.Expression:
    # A range, not LIKE: SQLite only uses an index for LIKE under rules that
    # PostgreSQL does not share; a range works on both.
    return (column >= value(f"{column.name}_low")) & (column < value(f"{column.name}_high"))


_COLUMNS = (Patient.id, Patient.first_key, Patient.last_key, Patient.first_sound,
            Patient.last_sound, Patient.active, Patient.deceased, Patient.dob)

_by_last = db.Statement(lambda v: Patient.select(*_COLUMNS)
                        .where(_prefix(Patient.last_key, v)).order_by(Patient.last_key,
                                                                      Patient.first_key)
                        .limit(pw.SQL(str(CANDIDATES))))
_by_first = db.Statement(lambda v: Patient.select(*_COLUMNS)
                         .where(_prefix(Patient.first_key, v)).order_by(Patient.first_key,
                                                                        Patient.last_key)
                         .limit(pw.SQL(str(CANDIDATES))))
_by_both = db.Statement(lambda v: Patient.select(*_COLUMNS)
                        .where(_prefix(Patient.last_key, v) & _prefix(Patient.first_key, v))
                        .limit(pw.SQL(str(CANDIDATES))))
_with_words = lambda: Patient.select(*_COLUMNS, PatientNamePart.key).join(  # noqa: E731
    PatientNamePart, on=(PatientNamePart.patient == Patient.id))
_by_word = db.Statement(lambda v: _with_words().where(_prefix(PatientNamePart.key, v))
                        .limit(pw.SQL(str(CANDIDATES))))
_by_word_and_name = db.Statement(
    lambda v: _with_words().where(
        _prefix(PatientNamePart.key, v)
        & (((Patient.first_key >= v("other_low")) & (Patient.first_key < v("other_high")))
           | ((Patient.last_key >= v("other_low")) & (Patient.last_key < v("other_high")))))
    .limit(pw.SQL(str(CANDIDATES))))
_by_sound = db.Statement(lambda v: Patient.select(*_COLUMNS)
                         .where((Patient.last_sound == v("last")) & (Patient.first_sound == v("first")))
                         .limit(pw.SQL(str(SOUND_CANDIDATES))))
_by_last_sound = db.Statement(lambda v: Patient.select(*_COLUMNS)
                              .where(Patient.last_sound == v("last")).limit(pw.SQL(str(SOUND_CANDIDATES))))
_by_dob = db.Statement(lambda v: Patient.select(*_COLUMNS).where(Patient.dob == v("dob")))
_by_mrn = db.Statement(lambda v: Patient.select(*_COLUMNS).where(Patient.mrn == v("mrn")))
_by_phone = db.Statement(lambda v: PatientPhone.select(PatientPhone.patient)
                         .where(PatientPhone.number == v("number")).limit(pw.SQL(str(CANDIDATES))))
_by_last4 = db.Statement(lambda v: PatientPhone.select(PatientPhone.patient, PatientPhone.number)
                         .where(PatientPhone.last4 == v("last4")).limit(pw.SQL(str(CANDIDATES))))


def _range(prefix: str, column: str) -> dict[str, str]:
    return {f"{column}_low": prefix, f"{column}_high": _after(prefix)}


Row = tuple  # as _COLUMNS: id, first_key, last_key, first_sound, last_sound, active, ...


def _among(sql: str, ids: list[int]) -> list[tuple]:
    """Run `sql`, whose `{ids}` is a list of ids. Peewee would spend longer writing
    a few hundred placeholders than SQLite spends answering."""
    if not ids:
        return []
    marks = ", ".join([db.database.param] * len(ids))
    return db.database.execute_sql(sql.format(ids=marks), ids).fetchall()


_ROW_SQL = ("SELECT id, first_key, last_key, first_sound, last_sound, active, deceased, dob"
            " FROM patient WHERE id IN ({ids})")


def _rows_by_id(ids: list[int]) -> list[Row]:
    return _among(_ROW_SQL, ids)


def _name_candidates(names: tuple[str, ...], last_first: bool) -> list[Row]:
    rows: list[Row] = []
    if len(names) == 1:
        (word,) = names
        rows += _by_last.rows(**_range(word, "last_key"))
        rows += _by_first.rows(**_range(word, "first_key"))
    else:
        # The first and last words typed are the first and last names, either way round.
        one, other = names[0], names[-1]
        for last, first in ((one, other),) + (((other, one),) if not last_first else ()):
            rows += _by_both.rows(**_range(last, "last_key"), **_range(first, "first_key"))
    return rows


WORD_MIN = 3
"""Letters a word needs before later words of names are searched for it: two letters
of a second surname fit thousands of people and none of them in particular."""


def _later_word_candidates(names: tuple[str, ...]) -> list[Row]:
    """Patients a typed word fits by a later word of their name ("jones" of Smith-Jones,
    "cruz" of de la Cruz); each row carries the word it was found by."""
    if len(names) == 1:
        return _by_word.rows(**_range(names[0], "key")) if len(names[0]) >= WORD_MIN else []
    rows: list[Row] = []
    for word, other in ((names[0], names[-1]), (names[-1], names[0])):
        if len(word) >= WORD_MIN:
            rows += _by_word_and_name.rows(**_range(word, "key"), other_low=other,
                                           other_high=_after(other))
    return rows


def _sound_candidates(names: tuple[str, ...]) -> list[Row]:
    sounds = [sound(word) for word in names]
    if len(names) == 1:
        return _by_last_sound.rows(last=sounds[0]) if sounds[0] else []
    rows: list[Row] = []
    for last, first in ((sounds[0], sounds[-1]), (sounds[-1], sounds[0])):
        if last and first:
            rows += _by_sound.rows(last=last, first=first)
    return rows


# -- ranking --------------------------------------------------------------------------

def _word_fit(word: str, keys: list[str], sounds: list[str]) -> tuple[float, bool]:
    """How well one typed word fits a name: (quality 0-1, only by sound or spelling)."""
    best, fuzzy = 0.0, True
    for index, key in enumerate(keys):
        later = index >= 2  # a later word of a name fits a little less than its start
        if word == key:
            best, fuzzy = max(best, 0.97 if later else 1.0), False
        elif key.startswith(word):
            best, fuzzy = max(best, 0.88 if later else 0.9), False
    if not fuzzy:
        return best, False
    for key, said in zip(keys, sounds):
        closeness = likeness(word, key)
        if closeness >= FUZZY_FLOOR or (closeness >= SOUND_FLOOR and said == sound(word)):
            best = max(best, 0.45 + 0.35 * closeness)
    return best, True


def _name_score(names: tuple[str, ...], row: Row, parts: dict[int, list[str]]) -> tuple[float, bool]:
    _, first_key, last_key, first_sound, last_sound = row[:5]
    keys = [last_key, first_key] + parts.get(row[0], [])
    sounds = [last_sound, first_sound] + [""] * len(parts.get(row[0], []))
    fits = [_word_fit(word, keys, sounds) for word in names]
    if any(quality == 0 for quality, _ in fits):
        return 0.0, True
    score = 100 * sum(quality for quality, _ in fits) / len(fits)
    return score, any(fuzzy for _, fuzzy in fits)


def _later_words(ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for pid, key in _among("SELECT patient_id, key FROM patient_name_part"
                           " WHERE patient_id IN ({ids})", ids):
        found.setdefault(pid, []).append(key)
    return found


def _scored(query: Query, limit: int) -> dict[int, tuple[float, str]]:
    """Patient id -> (score, what matched), for every candidate worth showing."""
    scores: dict[int, tuple[float, str]] = {}

    def take(pid: int, score: float, matched: str) -> None:
        if score > scores.get(pid, (0.0, ""))[0]:
            scores[pid] = (score, matched)

    if query.mrn:
        for row in _by_mrn.rows(mrn=query.mrn):
            take(row[0], 100.0, "mrn")
    if query.phone and not query.names:
        for (pid,) in _by_phone.rows(number=query.phone):
            take(pid, 95.0, "phone")
    if query.last4:
        for pid, number in _by_last4.rows(last4=query.last4):
            if number.endswith(query.digits):
                take(pid, 85.0, "phone")
    if query.dob and not query.names:
        for row in _by_dob.rows(dob=query.dob.isoformat()):
            take(row[0], 95.0, "dob")
    if query.names:
        narrowed = query.dob or query.phone
        if narrowed:  # a handful of people: their later words are worth a look
            rows = (_by_dob.rows(dob=query.dob.isoformat()) if query.dob
                    else _rows_by_id([pid for (pid,) in _by_phone.rows(number=query.phone)]))
            if query.dob and query.phone:
                with_phone = {pid for (pid,) in _by_phone.rows(number=query.phone)}
                rows = [row for row in rows if row[0] in with_phone]
            rows += [row + (key,) for row in rows for key in _later_words([row[0]]).get(row[0], [])]
        else:
            rows = _name_candidates(query.names, query.last_first)
        _rank_names(query.names, rows, take, fuzzy_allowed=bool(narrowed))
        # A later word fits almost as well as a name's start, so it is looked for
        # unless the list is already full of exact names.
        exact = sum(1 for score, _ in scores.values() if score >= 97)
        if exact < limit and not narrowed:
            _rank_names(query.names, _later_word_candidates(query.names), take,
                        fuzzy_allowed=False)
        strong = sum(1 for score, _ in scores.values() if score >= 85)
        if strong < limit and not narrowed:
            _rank_names(query.names, _sound_candidates(query.names), take, fuzzy_allowed=True)
    return scores


def _rank_names(names, rows, take, *, fuzzy_allowed: bool) -> None:
    """Score candidate rows; a row found by a later word of its name carries that word."""
    unique = {row[0]: row[:8] for row in rows}
    parts: dict[int, list[str]] = {}
    if len(names) > 2:  # "de la cruz": every word must find its part of the name
        parts = _later_words(list(unique))
    for row in rows:
        if len(row) > 8 and row[8] not in parts.get(row[0], []):
            parts.setdefault(row[0], []).append(row[8])
    for pid, row in unique.items():
        score, fuzzy = _name_score(names, row, parts)
        if score and (fuzzy_allowed or not fuzzy):
            take(pid, score if not fuzzy else min(score, 80.0), "sound" if fuzzy else "name")


# -- the answer -----------------------------------------------------------------------

def find(text: str, limit: int = 20, *, by=None) -> list[Hit]:
    """The patients that fit what staff typed, best first (at most `limit`).

    With `by` (a person, or audit.COMMAND_LINE) the search is audited: who
    searched for what, and how many patients it showed.
    """
    if by is not None and by is not audit.COMMAND_LINE:
        require(by, Permission.VIEW_PATIENTS)
    hits = _found(text, limit)
    if by is not None and text.strip():
        with db.write(durable=False):  # a look, not a change
            audit.record("patient.searched", by=None if by is audit.COMMAND_LINE else by,
                         subject=one_line(text)[:100],
                         detail={"results": len(hits)} | (
                             {"os_user": audit.os_user()} if by is audit.COMMAND_LINE else {}))
    return hits


def _found(text: str, limit: int) -> list[Hit]:
    scored = _scored(understand(text), limit)
    rows = {row[0]: row for row in _rows_by_id(list(scored))}

    def order(pid: int) -> tuple:
        _, first_key, last_key, _, _, active, deceased, dob = rows[pid]
        # Inactive and deceased patients last among equals: rarely the one wanted.
        return (-scored[pid][0], not active or bool(deceased), last_key, first_key, str(dob))

    best = sorted(rows, key=order)[:limit]
    return _hits(best, scored)


_PHONES_SQL = ("SELECT patient_id, kind, number FROM patient_phone WHERE patient_id IN ({ids})"
               " ORDER BY id")
_NEXT_SQL = ("SELECT patient_id, MIN(start) FROM appointment WHERE patient_id IN ({ids})"
             " AND start >= {now} AND status IN ({booked}) GROUP BY patient_id")


def _next_visits(ids: list[int]) -> dict[int, str]:
    """Patient id -> the stored start of their next booked appointment."""
    from frontdesk.schedule import Appointment, Status

    if not ids:
        return {}
    param = db.database.param
    booked = (Status.SCHEDULED.value, Status.CONFIRMED.value)
    sql = _NEXT_SQL.format(ids=", ".join([param] * len(ids)), now=param,
                           booked=", ".join([param] * len(booked)))
    values = [*ids, Appointment.start.db_value(clock.now()), *booked]
    return dict(db.database.execute_sql(sql, values).fetchall())


def _hits(ids: list[int], scored) -> list[Hit]:
    from frontdesk import forms
    from frontdesk.schedule import Appointment

    patients = {p.id: p for p in Patient.select().where(Patient.id.in_(ids))}
    phones: dict[int, list[tuple[str, str]]] = {}
    for pid, kind, number in _among(_PHONES_SQL, ids):
        phones.setdefault(pid, []).append((kind, number))
    upcoming = _next_visits(ids)
    due = forms.due(ids, clock.today())
    hits = []
    for pid in ids:
        patient = patients[pid]
        flags = tuple(flag for flag, on in (
            ("deceased", patient.deceased), ("inactive", not patient.active),
            ("balance due", patient.balance_cents > 0), ("forms missing", bool(due.get(pid))),
        ) if on)
        nxt = upcoming.get(pid)
        hits.append(Hit(
            patient_id=pid, mrn=patient.mrn, first_name=patient.first_name,
            middle_name=patient.middle_name, last_name=patient.last_name, dob=patient.dob,
            phones=tuple(phones.get(pid, ())),
            next_visit=Appointment.start.python_value(nxt) if nxt else None,
            active=patient.active, deceased=patient.deceased,
            balance_cents=patient.balance_cents, forms_due=tuple(due.get(pid, ())),
            score=round(scored[pid][0], 1), matched=scored[pid][1], flags=flags))
    return hits
