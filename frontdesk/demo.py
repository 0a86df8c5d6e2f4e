"""The demo clinic: a deterministic synthetic practice made by the real operations.

Everything is built through the same functions staff use (add_staff, register,
book, check_in...), with the clock set to the moment each thing happens, so the
audit trail, the change feed and every status agree with the calendar. The same
seed gives the same clinic, whenever it is built.
"""

from __future__ import annotations

import csv
import io
import os
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from peewee import chunked

from frontdesk import (calendar, checkin, clock, db, estimate, forms, insurance, messages,
                       patients, providers, referrals, schedule, staff)
from frontdesk.dates import short
from frontdesk.errors import Conflict, FrontdeskError, StorageError
from frontdesk.paths import reference
from frontdesk.roles import Role

__all__ = ["DEMO_STAFF", "FRONT_DESK_USER", "Summary", "build", "Progress"]

DEMO_STAFF = (
    ("admin", "Alex Rivera", Role.ADMIN, "garden-lamp-river"),
    ("desk", "Dana Whitfield", Role.FRONT_DESK, "blue-heron-morning"),
    ("manager", "Marcus Bell", Role.MANAGER, "quiet-harbor-lights"),
    ("billing", "Priya Shah", Role.BILLING, "paper-kite-autumn"),
)
"""(username, name, role, password) of the demo's accounts, printed by `frontdesk demo`;
the administrator first, since the first account is the one made without a signed-in person."""
FRONT_DESK_USER = "desk"

Progress = Callable[[str, int, int], None]
"""Called as (phase, done, total) while building."""

_TYPES = (  # name, code, minutes, colour, weight
    ("Follow-up", "F/U", 15, "blue", 30),
    ("Sick visit", "SICK", 15, "red", 20),
    ("Annual physical", "PHYS", 30, "green", 15),
    ("New patient", "NEW", 45, "magenta", 10),
    ("Procedure", "PROC", 30, "yellow", 8),
    ("Telehealth", "TELE", 15, "cyan", 10),
    ("Well child", "WCC", 30, "green", 7),
)

_MORNING, _AFTERNOON = (time(8), time(12)), (time(13), time(17))
_FULL = {d: [_MORNING, _AFTERNOON] for d in range(5)}
_PROVIDER_PLANS = (  # specialty, credentials, weekly hours
    ("Family Medicine", "MD", _FULL),
    ("Internal Medicine", "DO", {**_FULL, 1: [_MORNING, (time(13), time(19))]}),
    ("Pediatrics", "MD", {**_FULL, 5: [(time(9), time(12))]}),
    ("Family Medicine", "NP", {0: [_MORNING, _AFTERNOON], 2: [_MORNING, _AFTERNOON],
                               4: [_MORNING]}),
    ("Cardiology", "MD", {1: [(time(7, 30), time(12)), _AFTERNOON],
                          3: [(time(7, 30), time(12)), _AFTERNOON]}),
    ("Family Medicine", "PA-C", {d: [(time(10), time(14)), (time(14, 30), time(18, 30))]
                                 for d in range(5)}),
    ("Dermatology", "MD", {d: [_MORNING, _AFTERNOON] for d in (0, 1, 3)}),
    ("Obstetrics & Gynecology", "MD", _FULL),
)

# Fates of an appointment, by where its day lies from today.
_PAST = (("checked_out", 85), ("no_show", 7), ("late_cancel", 8))
_FILL = 0.8
_SLOT = timedelta(minutes=15)
_BULK_CHUNK = 10_000
_PARALLEL_FROM = 50_000


@dataclass
class Summary:
    path: str
    staff: list[tuple[str, str, str, str]]
    providers: int
    patients: int
    appointments: int
    first_day: date
    last_day: date
    counts: dict[str, int] = field(default_factory=dict)


# -- reference lists ----------------------------------------------------------------


def _lines(name: str) -> list[str]:
    text = reference(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class _Lists:
    female: tuple[str, ...]
    male: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]
    places: tuple[tuple[str, str, str, tuple[str, ...]], ...]

    @classmethod
    def load(cls) -> _Lists:
        firsts = [line.split(" ", 1) for line in _lines("first_names.txt")]
        rows = csv.DictReader(io.StringIO(reference("places.csv").read_text(encoding="utf-8")))
        return cls(
            female=tuple(name for sex, name in firsts if sex == "F"),
            male=tuple(name for sex, name in firsts if sex == "M"),
            last=tuple(_lines("last_names.txt")),
            streets=tuple(_lines("streets.txt")),
            places=tuple((r["city"], r["state"], r["zip"], tuple(r["area_codes"].split()))
                         for r in rows),
        )


# -- patients -----------------------------------------------------------------------


def _phone(rng: random.Random, area_codes: tuple[str, ...]) -> str:
    exchange = rng.randint(201, 989)
    if exchange % 100 == 11:  # N11 codes are service numbers, never exchanges
        exchange += 1
    return f"({rng.choice(area_codes)}) {exchange}-{rng.randint(0, 9999):04d}"


def _birth(rng: random.Random, today: date) -> date:
    age_days = int(rng.triangular(0, 95 * 365.25, 42 * 365.25))
    return today - timedelta(days=age_days)


def _draft(rng: random.Random, lists: _Lists, today: date) -> patients.Draft:
    sex = rng.choices("FMXU", weights=(50, 48, 1, 1))[0]
    pool = lists.female if sex == "F" else lists.male if sex == "M" else lists.female + lists.male
    first = rng.choice(pool)
    last = rng.choice(lists.last)
    if rng.random() < 0.04:
        last = f"{last}-{rng.choice(lists.last)}".replace(" ", "")
    city, state, zip_code, area_codes = rng.choice(lists.places)
    phones = {"mobile": _phone(rng, area_codes)}
    if rng.random() < 0.3:
        phones["home"] = _phone(rng, area_codes)
    email = ""
    if rng.random() < 0.7:
        handle = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and
                         (ch.isalnum() or ch == "."))
        email = f"{handle.strip('.') or 'patient'}{rng.randint(1, 99)}@example.com"
    return patients.Draft(
        first_name=first, last_name=last,
        middle_name=rng.choice(pool)[:1] if rng.random() < 0.3 else "",
        dob=_birth(rng, today).isoformat(), sex=sex, phones=phones, email=email,
        address1=f"{rng.randint(1, 999)} {rng.choice(lists.streets)}",
        address2=f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else "",
        city=city, state=state, zip=zip_code,
    )


def _checked_chunk(seed: int, chunk: int, count: int, today: date) -> list[patients.Checked]:
    """Make and check one chunk of demo patients; runs in a worker process for big clinics."""
    rng = random.Random(f"{seed}:patients:{chunk}")
    lists = _Lists.load()
    return [patients.check(_draft(rng, lists, today), today=today) for _ in range(count)]


def _patient_chunks(seed: int, total: int, today: date) -> Iterator[list[patients.Checked]]:
    counts = [min(_BULK_CHUNK, total - start) for start in range(0, total, _BULK_CHUNK)]
    if total < _PARALLEL_FROM:
        for chunk, count in enumerate(counts):
            yield _checked_chunk(seed, chunk, count, today)
        return
    workers = max(1, min(len(counts), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_checked_chunk, [seed] * len(counts), range(len(counts)), counts,
                            [today] * len(counts))


# -- the appointment book -----------------------------------------------------------


@dataclass
class _Plan:
    """One appointment to be, and what will happen to it."""

    provider: providers.Provider
    kind: schedule.AppointmentType
    day: date
    at: time
    start: datetime
    end: datetime
    fate: str
    patient_id: int
    appointment: schedule.Appointment | None = None


def _fate(rng: random.Random, plan_start: datetime, plan_end: datetime, now: datetime,
          in_gap: bool) -> str:
    if in_gap:
        return "cancelled"
    if plan_end <= now:
        today = clock.local(plan_start).date() == clock.local(now).date()
        if today:
            return rng.choices(("checked_out", "no_show"), weights=(92, 8))[0]
        return rng.choices(*zip(*_PAST))[0]
    if plan_start <= now or plan_start - now < timedelta(minutes=20) and rng.random() < 0.5:
        return "arrived"
    soon = plan_start - now < timedelta(days=2)
    return "confirmed" if rng.random() < (0.6 if soon else 0.15) else "scheduled"


def _plans(rng: random.Random, columns: list[providers.Provider],
           kinds: list[schedule.AppointmentType], weights: list[int], first: date, last: date,
           now: datetime, patient_ids: list[int]) -> list[_Plan]:
    plans = []
    day = first
    while day <= last:
        hours = providers.hours_on(day, columns)
        for provider in columns:
            for starts, ends in hours[provider.id]:
                cursor = clock.at_local(day, starts)
                stop = clock.at_local(day, ends)
                while cursor + _SLOT <= stop:
                    gap = rng.random() >= _FILL
                    if gap and rng.random() > 0.3:
                        cursor += _SLOT
                        continue
                    # A visit that will be cancelled sits in a free slot and fits it
                    # exactly, so it never stands in the way of one that is kept.
                    longest = _SLOT if gap else stop - cursor
                    fits = [(k, w) for k, w in zip(kinds, weights)
                            if timedelta(minutes=k.minutes) <= longest]
                    kind = rng.choices(*zip(*fits))[0] if fits else None
                    if kind is None:
                        break
                    end = cursor + timedelta(minutes=kind.minutes)
                    plans.append(_Plan(provider, kind, day, clock.local(cursor).time(), cursor,
                                       end, _fate(rng, cursor, end, now, gap),
                                       rng.choice(patient_ids)))
                    cursor = cursor + _SLOT if gap else end
        day += timedelta(days=1)
    return plans


def _at_office_hours(rng: random.Random, day: date) -> datetime:
    return clock.at_local(day, time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))))


def _events(rng: random.Random, plan: _Plan, now: datetime) -> list[tuple[datetime, str]]:
    """When each thing happens to a planned appointment; never after `now`."""
    booked = min(_at_office_hours(rng, plan.day - timedelta(days=rng.randint(2, 40))),
                 now - timedelta(minutes=rng.randint(60, 600)))
    events = [(booked, "book")]
    if plan.fate in ("confirmed", "checked_out", "arrived") and rng.random() < 0.7:
        moment = min(plan.start - timedelta(days=1, hours=rng.randint(0, 6)), now)
        if moment > booked:
            events.append((moment, "confirm"))
    if plan.fate in ("arrived", "checked_out"):
        arrived = min(plan.start - timedelta(minutes=rng.randint(0, 15)), now)
        arrived = max(arrived, clock.at_local(plan.day, time(0, 1)))
        events.append((arrived, "check_in"))
        if plan.fate == "checked_out":
            events.append((min(plan.end + timedelta(minutes=rng.randint(0, 12)), now),
                           "check_out"))
    elif plan.fate == "no_show":
        events.append((min(plan.start + timedelta(minutes=20), now), "no_show"))
    elif plan.fate in ("cancelled", "late_cancel"):
        latest = min(plan.start, now)
        span = max(60, int((latest - booked).total_seconds()) - 60)
        events.append((booked + timedelta(seconds=rng.randint(60, span)), "cancel"))
    return events


_CANCEL_REASONS = ("Patient request", "Patient sick", "Transportation", "Work conflict",
                   "Provider request", "Weather", "Rescheduled by phone")
_CANCELLED_BY = {"Provider request": "provider", "Weather": "weather"}
"""Reasons not the patient's doing; the rest are the patient's."""


def _replay(rng: random.Random, plans: list[_Plan], desk: staff.Staff,
            patient_ids: list[int], now: datetime, progress: Progress) -> dict[str, int]:
    timeline = sorted(
        ((moment, order, action, plan)
         for order, plan in enumerate(plans) for moment, action in _events(rng, plan, now)),
        key=lambda item: (item[0], item[1]),
    )
    known = _patients_by_id({plan.patient_id for plan in plans})
    counts: dict[str, int] = {}
    for done, (moment, _, action, plan) in enumerate(timeline, 1):
        with clock.frozen(moment):
            if action == "book":
                plan.appointment = _book(rng, plan, desk, patient_ids, known)
            elif plan.appointment is not None:
                plan.appointment = _act(rng, action, plan.appointment, desk)
        if plan.appointment is not None:
            counts[action] = counts.get(action, 0) + 1
        if done % 500 == 0 or done == len(timeline):
            progress("appointments", done, len(timeline))
    return counts


def _patients_by_id(ids: set[int]) -> dict[int, patients.Patient]:
    found = {}
    for batch in chunked(sorted(ids), 500):
        found.update((p.id, p) for p in patients.Patient.select()
                     .where(patients.Patient.id.in_(batch)))
    return found


def _book(rng: random.Random, plan: _Plan, desk: staff.Staff, patient_ids: list[int],
          known: dict[int, patients.Patient]) -> schedule.Appointment | None:
    for attempt in range(4):  # the same patient may already be booked elsewhere then
        patient_id = plan.patient_id if attempt == 0 else rng.choice(patient_ids)
        patient = known.get(patient_id) or patients.Patient.get_by_id(patient_id)
        try:
            return schedule.book(patient, plan.provider, plan.kind, plan.day, plan.at, by=desk)
        except Conflict:
            continue
    return None


def _act(rng: random.Random, action: str, appointment: schedule.Appointment,
         desk: staff.Staff) -> schedule.Appointment:
    if action == "confirm":
        return schedule.confirm(appointment, by=desk)
    if action == "check_in":
        # Most patients go over their details at the desk; every seventh does not
        # (by id, so the random streams, and the rest of the demo, stay as they were).
        verified = appointment.patient_id % 7 != 0
        version = patients.Patient.select(patients.Patient.version).where(
            patients.Patient.id == appointment.patient_id).scalar()
        return checkin.arrive(appointment, verified=verified, version_of_patient=version,
                              by=desk)
    if action == "check_out":
        return schedule.check_out(appointment, by=desk)
    if action == "no_show":
        return schedule.mark_no_show(appointment, by=desk)
    reason = rng.choice(_CANCEL_REASONS)
    return schedule.cancel(appointment, category=_CANCELLED_BY.get(reason, "patient"),
                           reason=reason, by=desk)


# -- the cash drawer ----------------------------------------------------------------

_DEMO_FLOAT = {2000: 5, 1000: 5, 500: 10, 100: 20, 25: 40}  # $230.00
_PAYMENT_DAYS = 3
"""Days before today with payments, each closed at the end of the day; today stays open."""


def _in_notes(cents: int) -> dict[int, int]:
    """A cash count that adds up to `cents`, largest denominations first."""
    from frontdesk.drawer import DENOMINATIONS

    counts = {}
    for denomination in DENOMINATIONS:
        counts[denomination], cents = divmod(cents, denomination)
    return {d: n for d, n in counts.items() if n}


def _collect(rng: random.Random, visit: schedule.Appointment, desk: staff.Staff):
    from frontdesk import payments

    patient = patients.Patient.get_by_id(visit.patient_id)
    coverages = insurance.coverage_on(patient, clock.local(visit.start).date())
    copay = coverages[0].copay_cents if coverages and coverages[0].copay_cents else \
        rng.choice((2000, 2500, 3000, 4000))
    method = rng.choices(("cash", "card", "check"), weights=(40, 45, 15))[0]
    extra = {"cash": {"tendered": -(-copay // 2000) * 2000},
             "check": {"check_number": str(rng.randint(1001, 4999))},
             "card": {"card_brand": rng.choice(("Visa", "Mastercard", "Discover")),
                      "card_last4": f"{rng.randint(0, 9999):04d}",
                      "auth_code": f"{rng.randint(0, 0xFFFFFF):06X}"}}[method]
    with clock.frozen(visit.arrived_at + timedelta(minutes=2)):
        return payments.take(patient, copay, "copay", method, appointment=visit, by=desk,
                             **extra)


def _add_payments(rng: random.Random, people: dict[str, staff.Staff], today: date,
                  now: datetime) -> None:
    """Copays taken at check-in over the last days, a void, a refund; past days closed."""
    from frontdesk import drawer, payments

    desk, manager = people[FRONT_DESK_USER], people["manager"]
    refundable = None
    for back in range(_PAYMENT_DAYS, -1, -1):
        day = today - timedelta(days=back)
        with clock.frozen(clock.at_local(day, time(7, 45))):
            session = drawer.current() or drawer.open(None, _DEMO_FLOAT, by=desk)
        start, end = clock.day_bounds(day)
        visits = (schedule.Appointment.select()
                  .where((schedule.Appointment.start >= start) & (schedule.Appointment.start < end)
                         & schedule.Appointment.arrived_at.is_null(False))
                  .order_by(schedule.Appointment.arrived_at))
        taken = [_collect(rng, v, desk) for v in visits
                 if v.arrived_at + timedelta(minutes=2) <= now and rng.random() < 0.7]
        if taken and back in (1, 0):
            wrong = taken[-1]
            with clock.frozen(min(wrong.taken_at + timedelta(minutes=4), now)):
                payments.void(wrong, "Typed the wrong amount", version=wrong.version, by=desk)
        if back >= 2 and refundable is None:
            refundable = next((p for p in taken if p.method != "check"), None)
        if back == 0:
            if refundable is not None:
                with clock.frozen(now - timedelta(minutes=30)):
                    payments.refund(refundable, refundable.amount_cents,
                                    "Copay waived by the provider", refundable.method,
                                    auth_code="R00001" if refundable.method == "card" else "",
                                    by=people["billing"])
            continue
        with clock.frozen(clock.at_local(day, time(17, 50))):
            plan = drawer.close_plan(session)
            short = 2000 if back == 1 else 0  # one day a $20 bill went missing
            drawer.close(session, cash_counts=_in_notes(plan.expected_cash_cents - short),
                         checks_ticked=[c.payment_id for c in plan.checks],
                         card_batch=plan.expected_card_cents,
                         reason="A $20 bill missing; counted twice" if short else "",
                         approver=manager if short else None, version=plan.version, by=desk)


# -- the whole clinic ---------------------------------------------------------------


def _npi(rng: random.Random) -> str:
    while True:
        body = "1" + "".join(rng.choice("0123456789") for _ in range(8))
        for check in "0123456789":
            if providers.npi_is_valid(body + check):
                return body + check


def _add_staff(setup: datetime) -> dict[str, staff.Staff]:
    people: dict[str, staff.Staff] = {}
    with clock.frozen(setup):
        for username, name, role, password in DEMO_STAFF:
            people[username] = staff.add_staff(username, name, role, password,
                                               by=people.get("admin"))
    return people


def _add_providers(rng: random.Random, count: int, lists: _Lists, admin: staff.Staff,
                   setup: datetime) -> list[providers.Provider]:
    made = []
    with clock.frozen(setup):
        for index in range(count):
            specialty, credentials, week = _PROVIDER_PLANS[index % len(_PROVIDER_PLANS)]
            first = rng.choice(lists.female + lists.male)
            provider = providers.add_provider(
                first_name=first, last_name=rng.choice(lists.last), credentials=credentials,
                npi=_npi(rng), specialty=specialty,
                colour=providers.COLOURS[index % len(providers.COLOURS)], by=admin,
            )
            providers.set_hours(provider, week, by=admin)
            made.append(provider)
    return made


def _add_payers(admin: staff.Staff, setup: datetime) -> list[tuple[insurance.Payer, list[str]]]:
    with clock.frozen(setup):
        return [(payer, payer.plans) for payer in insurance.load_payers(by=admin)]


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def _mbi(number: int) -> str:
    """A Medicare number (MBI) made from `number`, so the demo's draws stay as they were."""
    out = []
    for rule in ("1-9", "A", "AN", "0-9", "A", "AN", "0-9", "A", "A", "0-9", "0-9"):
        alphabet = {"1-9": "123456789", "0-9": "0123456789", "A": _MBI_LETTERS,
                    "AN": "0123456789" + _MBI_LETTERS}[rule]
        number, index = divmod(number, len(alphabet))
        out.append(alphabet[index])
    return "".join(out)


@dataclass(frozen=True)
class _Subscriber:
    relationship: str
    first_name: str
    last_name: str
    dob: date


def _subscriber(extra: random.Random, patient: patients.Patient, lists: _Lists,
                today: date) -> _Subscriber | None:
    """Children are on a parent's plan; some adults on their spouse's."""
    if patient.dob > today - timedelta(days=18 * 365):
        relationship, years = "child", extra.randint(24, 42)
    elif extra.random() < 0.15:
        relationship, years = "spouse", extra.randint(-6, 6)
    else:
        return None
    first = extra.choice(lists.female if extra.random() < 0.5 else lists.male)
    born = patient.dob - timedelta(days=365 * years + extra.randint(0, 364))
    return _Subscriber(relationship, first, patient.last_name, min(born, today))


def _add_coverages(rng: random.Random, patient_ids: set[int], payers, desk: staff.Staff,
                   setup: datetime, ending: random.Random, extra: random.Random,
                   lists: _Lists) -> None:
    """Coverage for the patients booked; `ending` and `extra` (subscribers, specialist
    copays) are streams of their own, so `rng` draws as it did before and the book
    stays the same for a seed."""
    copays = (None, 0, 20, 25, 30, 40, 50)
    entered = clock.local(setup).date()
    with clock.frozen(setup), db.write():
        for patient_id in sorted(patient_ids):
            if rng.random() < 0.1:
                continue  # self-pay
            payer, plan_types = rng.choice(payers)
            plan_type = rng.choice(plan_types).replace("_", " ")
            copay = rng.choice(copays)
            number = rng.randint(10**8, 10**9 - 1)
            member_id = (_mbi(number) if plan_type == insurance.PlanType.MEDICARE
                         else f"{payer.name[:1].upper()}{number}")
            group_number = f"G{rng.randint(1000, 99999)}" if rng.random() < 0.8 else ""
            effective_on = date(setup.year - rng.randint(0, 6), rng.randint(1, 12), 1)
            ends_on = _ends(ending, setup)
            patient = patients.Patient.get_by_id(patient_id)
            subscriber = (None if plan_type.startswith("Medicare")
                          else _subscriber(extra, patient, lists, entered))
            specialist = (copay + extra.choice((15, 20, 25)) if copay else copay)
            insurance.add_coverage(
                patient, payer, plan_type=plan_type,
                member_id=member_id, group_number=group_number, effective_on=effective_on,
                ends_on=ends_on if ends_on and ends_on >= effective_on else None,
                copay_cents=None if copay is None else copay * 100,
                specialist_copay_cents=None if specialist is None else specialist * 100,
                relationship=subscriber.relationship if subscriber else "self",
                subscriber_first_name=subscriber.first_name if subscriber else "",
                subscriber_last_name=subscriber.last_name if subscriber else "",
                subscriber_dob=subscriber.dob if subscriber else None, by=desk,
            )


def _ends(ending: random.Random, setup: datetime) -> date | None:
    """A few plans end at the close of a month after setup (a job left, a plan year
    over): chart prep finds them lapsed before the visit."""
    if ending.random() >= 0.05:
        return None
    month = clock.local(setup).date().replace(day=1) + timedelta(days=32 * ending.randint(1, 3))
    return month.replace(day=1) - timedelta(days=1)


def _add_forms(rng: random.Random, patient_ids: set[int], desk: staff.Staff,
               setup: datetime, today: date) -> None:
    """The paper forms on file when the clinic moved to frontdesk, entered that day.

    Most patients signed everything some months before; some signed long enough ago
    to be due again by now; a few skipped one form and a few never signed any.
    """
    entered = clock.local(setup).date()
    signings = []
    for patient in _patients_by_id(patient_ids).values():
        fate = rng.random()
        if fate < 0.06 or patient.dob > entered:
            continue  # nothing signed yet
        days_ago = rng.randint(366, 600) if fate < 0.22 else rng.randint(20, 250)
        signed = max(min(today - timedelta(days=days_ago), entered), patient.dob)
        skipped = rng.choice(list(forms.KINDS)) if rng.random() < 0.08 else None
        signings += [(patient, kind, signed) for kind in forms.KINDS if kind != skipped]
    with clock.frozen(setup):
        forms.record_many(signings, by=desk)


def _midday_gap(provider: providers.Provider) -> tuple[time, time] | None:
    """The break between a provider's first two stretches of a weekday: their lunch."""
    week = calendar.week_of(provider)
    for day in range(5):
        if len(week[day]) >= 2:
            return week[day][0][1], week[day][1][0]
    return None


def _add_calendars(rng: random.Random, columns: list[providers.Provider], admin: staff.Staff,
                   setup: datetime, first: date, last: date) -> None:
    """Blocks and the on-call rota, set up with the clinic, where the book has nobody:
    lunch in each provider's midday break, the monthly staff meeting before anyone's
    first patient, one provider's vacation week after the last day booked. `rng` is
    the calendar's own stream, so the book stays the same for a seed."""
    weekdays = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    with clock.frozen(setup):
        opening = clock.local(setup).date()
        for provider in columns:
            if gap := _midday_gap(provider):
                calendar.add_block(provider, "lunch", *gap, starts_on=opening, rule=weekdays,
                                   by=admin)
            calendar.add_block(provider, "meeting", time(7), time(7, 30), starts_on=opening,
                               rule="FREQ=MONTHLY;BYDAY=1TU", title="Staff meeting", by=admin)
        away = rng.choice(columns)
        monday = last + timedelta(days=7 - last.weekday())
        calendar.add_block(away, "vacation", *calendar.ALL_DAY, starts_on=monday,
                           rule="FREQ=DAILY", ends_on=monday + timedelta(days=4), by=admin)
        doctors = [p for p in columns if p.is_doctor] or columns
        order = rng.sample(doctors, len(doctors))
        week = first - timedelta(days=first.weekday())
        for turn in range((last - week).days // 7 + 1):
            start = week + timedelta(weeks=turn)
            calendar.set_on_call(order[turn % len(order)], start, start + timedelta(days=6),
                                 by=admin)


_DEPARTMENTS = {"desk": ["front_desk"], "billing": ["billing"]}
"""The demo's people and the departments whose messages they get."""

_MESSAGES = (  # hours ago, taken by, to, reason, text, best time, what happened since
    (26, "billing", "front_desk", "appointment",
     "Wants to move Thursday's visit to next week, mornings only.", "after 9", "in_progress"),
    (3, "desk", "billing", "billing",
     "Got a statement for a visit the insurance should have paid. Please call.", "any time",
     "new"),
    (1.5, "desk", "nursing", "refill", "Needs a refill of the blood pressure pills; the "
     "pharmacy is the one on Main St.", "before 5", "new"),
    (0.7, "billing", "front_desk", "other",
     "Says their chest hurts climbing the stairs, since last night.", "now", "read"),
)
"""A few phone messages, so the front desk's and billing's inboxes have something in them."""


def _add_messages(rng: random.Random, people: dict[str, staff.Staff], patient_ids: list[int],
                  busy_today: set[int], now: datetime) -> None:
    """Messages taken through the real operation (so triage and the audit apply), about
    patients not seen today; the front desk's are already opened, so its unread count is 0."""
    with clock.frozen(now - timedelta(days=100)):
        for username, departments in _DEPARTMENTS.items():
            messages.set_departments(people[username], departments, by=people["admin"])
    pool = sorted(set(patient_ids) - busy_today) or sorted(patient_ids)
    chosen = rng.sample(pool, min(len(pool), len(_MESSAGES)))
    found = _patients_by_id(set(chosen))
    numbers = patients.phones_of(found.values())
    for (hours, taker, to, reason, text, best, state), pid in zip(_MESSAGES, chosen):
        patient = found[pid]
        taken_at = now - timedelta(hours=hours)
        with clock.frozen(taken_at):
            message = messages.take(
                caller_name=patient.full_name, relationship="self", patient=patient,
                callback=(numbers.get(pid) or [("", "+16175550100")])[0][1], best_time=best,
                reason=reason, text=text, urgent=False, to_department=to, by=people[taker])
        if state != "new":
            with clock.frozen(taken_at + timedelta(minutes=10)):
                messages.mark(message, state, version=message.version, by=people["desk"])


def _specialist_visits(columns: list[providers.Provider], now: datetime
                       ) -> list[schedule.Appointment]:
    """Visits to specialists from today on, not yet begun, of patients whose plan requires
    referrals: today's first."""
    wanted = [p.id for p in columns if insurance.needs_referral(p.specialty)]
    if not wanted:
        return []
    start, _ = clock.day_bounds(clock.local(now).date())
    visits = (schedule.Appointment.select()
              .where(schedule.Appointment.provider.in_(wanted)
                     & (schedule.Appointment.start >= start)
                     & schedule.Appointment.status.in_(["scheduled", "confirmed"]))
              .order_by(schedule.Appointment.start))
    found, seen = [], set()
    for visit in visits:
        held = insurance.coverage_on(visit.patient, clock.local(visit.start).date())
        if visit.patient_id not in seen and held and held[0].referrals_required:
            found.append(visit)
            seen.add(visit.patient_id)
    return found


def _add_referrals(rng: random.Random, desk: staff.Staff, columns: list[providers.Provider],
                   now: datetime) -> None:
    """Something in each part of the referral worklist, made through the real form's
    operation: an HMO patient seeing the specialist soon on a referral with 4 of its 6
    visits used, a referral ending within the fortnight, one used up, and a prior
    authorisation still pending past its follow-up date. Other HMO patients booked with
    the specialist have none: booking one more warns."""
    visits = _specialist_visits(columns, now)
    if not visits:
        return
    today = clock.local(now).date()
    primary_care = next((p for p in columns if not insurance.is_specialist(p.specialty)), None)
    referrer = primary_care.short_name if primary_care else "Primary care"

    def add(visit: schedule.Appointment, days_ago: int, **typed) -> None:
        held = insurance.coverage_on(visit.patient, clock.local(visit.start).date())
        draft = referrals.ReferralDraft(coverage_id=held[0].id if held else None,
                                        from_name=referrer, **typed)
        with clock.frozen(now - timedelta(days=days_ago, hours=rng.randint(1, 6))):
            referrals.add_typed(visit.patient_id, draft, by=desk)

    def number() -> str:
        return f"R{rng.randint(100000, 999999)}"

    first = visits[0]
    add(first, 60, kind="referral", status="approved", number=number(),
        to_provider_id=first.provider_id, service="Consult and follow-up visits",
        units_authorised="6", units_used="4", starts_on=short(today - timedelta(days=60)),
        ends_on=short(today + timedelta(days=120)))
    if len(visits) > 1:
        add(visits[1], 80, kind="referral", status="approved", number=number(),
            to_specialty=visits[1].provider.specialty, units_authorised="4", units_used="1",
            starts_on=short(today - timedelta(days=80)),
            ends_on=short(today + timedelta(days=6)))
    if len(visits) > 2:
        add(visits[2], 120, kind="referral", status="approved", number=number(),
            to_provider_id=visits[2].provider_id, units_authorised="3", units_used="3",
            starts_on=short(today - timedelta(days=120)),
            ends_on=short(today + timedelta(days=45)))
    last = visits[-1] if len(visits) > 3 else first
    add(last, 10, kind="authorization", status="pending",
        service="Echocardiogram, transthoracic", to_provider_id=last.provider_id,
        units_authorised="1", follow_up_on=short(today - timedelta(days=3)),
        notes="Faxed clinical notes; payer said 5-7 business days.")


_DEMO_CLEARINGHOUSE = dict(submitter_id="DEMOCLINIC", receiver_id="DEMOHOUSE",
                           practice_npi="1234567893", trace_originator="1000000001")
"""The demo's own clearinghouse IDs: config.toml's are left alone (the x key on the
insurance worklist says which are missing until the clinic sets its own)."""


def _add_verifications(rng: random.Random, desk: staff.Staff, target: Path,
                       now: datetime) -> None:
    """The insurance worklist's first days, partly checked: a few coverages verified by
    hand (one long ago), others asked about in a 270 this morning and answered by the
    payers' 271s, imported through the real reader: one not active, one rejected."""
    from frontdesk import clearinghouse, eligibility
    from frontdesk.x12 import Envelope
    from frontdesk.x12 import Payer as X12Payer
    from frontdesk.x12 import Provider as X12Provider
    from frontdesk.x12.response import Reply, build_271

    first, last = eligibility.window(clock.local(now).date())
    with clock.frozen(now):
        visits = [v for v in clearinghouse.targets_for_days(first, last) if v.coverage.rank == 1]
    if len(visits) < 6:
        return
    chosen = rng.sample(visits, min(len(visits) // 2, 16))
    by_hand, asked = chosen[: len(chosen) // 3], chosen[len(chosen) // 3:]
    for index, visit in enumerate(by_hand):
        total = rng.choice((50000, 150000, 300000))
        with clock.frozen(now - timedelta(days=45 if index == 0 else rng.randint(1, 6),
                                          hours=rng.randint(0, 5))):
            eligibility.verify_by_hand(
                visit.coverage, active=True, office_copay=visit.coverage.copay_cents,
                specialist_copay=visit.coverage.specialist_copay_cents,
                deductible_total=total, deductible_remaining=rng.randrange(0, total + 1, 100),
                coinsurance=rng.choice(("20", "10", "")),
                reference=str(rng.randint(10**7, 10**8)),
                representative=rng.choice(("Kelly", "portal", "Sam R.")), by=desk)
    with clock.frozen(now - timedelta(hours=3)):
        written = clearinghouse.write_270(
            asked, target.with_name(f"{target.name}-eligibility-270.x12"), by=desk,
            chosen=clearinghouse.Settings(practice_name="Demo Clinic", **_DEMO_CLEARINGHOUSE))
    answers: dict[int, list[Reply]] = {}
    for index, request in enumerate(eligibility.EligibilityRequest.select()
                                    .where(eligibility.EligibilityRequest.trace
                                           .in_(written.traces))
                                    .order_by(eligibility.EligibilityRequest.id)):
        coverage, patient = request.coverage, request.coverage.patient
        other = coverage.subscriber_relationship != "self"
        subscriber = ((coverage.subscriber_last_name, coverage.subscriber_first_name,
                       coverage.subscriber_dob) if other
                      else (patient.last_name, patient.first_name, patient.dob))
        total = rng.choice((100000, 200000, 350000))
        answers.setdefault(coverage.payer_id, []).append(Reply(
            trace=request.trace, member_id=coverage.member_id,
            last=clearinghouse.x12_text(subscriber[0]),
            first=clearinghouse.x12_text(subscriber[1]), dob=subscriber[2],
            dependent_last=clearinghouse.x12_text(patient.last_name) if other else "",
            dependent_first=clearinghouse.x12_text(patient.first_name) if other else "",
            dependent_dob=patient.dob if other else None, active=index != 1,
            plan_name=f"{coverage.plan_type} {coverage.group_number}".strip(),
            office_copay_cents=coverage.copay_cents,
            specialist_copay_cents=coverage.specialist_copay_cents,
            deductible_total_cents=total, deductible_remaining_cents=rng.randrange(0, total, 100),
            coinsurance_percent=rng.choice((10, 20, 30)), oop_max_cents=total * 3,
            oop_remaining_cents=rng.randrange(total, total * 3, 100),
            rejection=("73", "C") if index == 3 else None))
    files = []
    for number, (payer_id, replies) in enumerate(answers.items(), 1):
        payer = insurance.Payer.get_by_id(payer_id)
        text = build_271(Envelope("DEMOHOUSE", "DEMOCLINIC"),
                         X12Payer(clearinghouse.x12_text(payer.name), payer.payer_id),
                         X12Provider("1234567893", "DEMO CLINIC"), replies,
                         interchange_control=number, group_control=number,
                         created=clock.local(now - timedelta(hours=2)).replace(tzinfo=None))
        files.append((f"271-{payer.payer_id}.x12", text.encode("ascii")))
    with clock.frozen(now - timedelta(hours=1)):
        clearinghouse.import_271(files, by=desk)


def build(path: str | os.PathLike[str], *, patients_count: int = 2000, providers_count: int = 6,
          seed: int = 1, days_back: int = 30, days_ahead: int = 30,
          progress: Progress = lambda phase, done, total: None) -> Summary:
    """Create the demo clinic in a new database file and return what was made."""
    if patients_count < 1 or providers_count < 1:
        raise FrontdeskError("A demo clinic needs at least one patient and one provider.")
    target = Path(path)
    if target.exists() and target.stat().st_size > 0:
        raise StorageError(f"{target} already exists; the demo is built in a new file.")
    db.open_database(target)
    db.migrate()
    # A big clinic's indexes outgrow the usual page cache; random-order inserts into
    # them then read pages back from disk. This process alone may use more memory.
    db.database.execute_sql("PRAGMA cache_size = -262144")  # 256 MB
    now = clock.now()
    today = clock.local(now).date()
    setup = now - timedelta(days=days_back + 60)
    rng = random.Random(seed)
    lists = _Lists.load()

    people = _add_staff(setup)
    admin, desk = people["admin"], people[FRONT_DESK_USER]
    columns = _add_providers(rng, providers_count, lists, admin, setup)
    with clock.frozen(setup):
        kinds = [schedule.add_type(name, code, minutes, colour=colour, by=admin)
                 for name, code, minutes, colour, _ in _TYPES]
    weights = [weight for *_, weight in _TYPES]
    payers = _add_payers(admin, setup)
    with clock.frozen(setup):
        estimate.load_fee_schedule(by=admin)

    patient_ids: list[int] = []
    with clock.frozen(setup):
        for checked in _patient_chunks(seed, patients_count, today):
            patient_ids.extend(patients.register_many(checked, by=desk))
            progress("patients", len(patient_ids), patients_count)

    first, last = today - timedelta(days=days_back), today + timedelta(days=days_ahead)
    plans = _plans(rng, columns, kinds, weights, first, last, now, patient_ids)
    _add_coverages(rng, {p.patient_id for p in plans}, payers, desk, setup,
                   random.Random(f"{seed}:coverage-ends"),
                   random.Random(f"{seed}:subscribers"), lists)
    _add_forms(random.Random(f"{seed}:forms"), {p.patient_id for p in plans}, desk, setup, today)
    _add_calendars(random.Random(f"{seed}:calendar"), columns, admin, setup, first, last)
    with db.write():  # one transaction: each operation inside is a savepoint
        counts = _replay(rng, plans, desk, patient_ids, now, progress)
    with db.write():
        _add_payments(random.Random(f"{seed}:payments"), people, today, now)
    _add_messages(random.Random(f"{seed}:messages"), people, patient_ids,
                  {p.patient_id for p in plans if p.day == today}, now)
    _add_referrals(random.Random(f"{seed}:referrals"), desk, columns, now)
    _add_verifications(random.Random(f"{seed}:eligibility"), desk, target, now)
    booked = sum(1 for p in plans if p.appointment is not None)
    return Summary(
        path=str(target), staff=[(u, n, r.label, p) for u, n, r, p in DEMO_STAFF],
        providers=len(columns), patients=len(patient_ids), appointments=booked,
        first_day=first, last_day=last, counts=counts,
    )
