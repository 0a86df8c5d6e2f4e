"""The demo clinic: deterministic, believable, and consistent with its own clock."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from frontdesk import audit, clock, db, demo, providers, staff
from frontdesk.errors import StorageError
from frontdesk.patients import Patient
from frontdesk.schedule import Appointment

from .conftest import NOW, TODAY

DAYS_BACK = DAYS_AHEAD = 30
FIRST_DAY, LAST_DAY = TODAY - timedelta(days=DAYS_BACK), TODAY + timedelta(days=DAYS_AHEAD)


def _digest(path: Path) -> str:
    """A fingerprint of the clinic's people and book (not the salted password hashes)."""
    raw = sqlite3.connect(path)
    try:
        fingerprint = hashlib.sha256()
        for table in ("patient", "patient_phone", "provider", "provider_hours", "coverage",
                      "appointment"):
            for row in raw.execute(f"SELECT * FROM {table} ORDER BY id"):  # noqa: S608
                fingerprint.update(repr(row).encode())
        return fingerprint.hexdigest()
    finally:
        raw.close()


def _small(path: Path, seed: int) -> Path:
    demo.build(path, patients_count=40, providers_count=2, seed=seed, days_back=3, days_ahead=3)
    db.close_database()
    return path


def test_the_same_seed_builds_the_same_clinic_and_another_seed_another(tmp_path):
    first = _digest(_small(tmp_path / "one.db", seed=11))
    again = _digest(_small(tmp_path / "two.db", seed=11))
    other = _digest(_small(tmp_path / "three.db", seed=12))
    assert first == again
    assert other != first


def test_the_demo_is_never_built_over_an_existing_file(tmp_path):
    path = tmp_path / "clinic.db"
    path.write_bytes(b"a real clinic's data")
    with pytest.raises(StorageError, match="already exists"):
        demo.build(path, patients_count=5, providers_count=1)
    assert path.read_bytes() == b"a real clinic's data"


# -- the session's demo clinic (300 patients, 6 providers, NOW +/- 30 days) -----------


_INSTANTS = ("start", "end", "booked_at", "updated_at", "arrived_at", "checked_out_at",
             "cancelled_at")


@pytest.fixture(scope="module")
def book(demo_template) -> list[SimpleNamespace]:
    """Every appointment of the demo, read once (read-only) for the tests that only look."""
    raw = sqlite3.connect(f"{demo_template.as_uri()}?mode=ro", uri=True)
    raw.row_factory = sqlite3.Row
    try:
        rows = raw.execute("SELECT * FROM appointment ORDER BY id").fetchall()
    finally:
        raw.close()
    as_instant = Appointment.start.python_value
    return [SimpleNamespace(**{**dict(row), **{name: as_instant(row[name]) for name in _INSTANTS}})
            for row in rows]


def test_names_carry_diacritics_apostrophes_and_hyphens(demo_db):
    names = [f"{p.first_name} {p.last_name}" for p in Patient.select()]
    assert len(names) == 300
    assert sum(any(ord(ch) > 127 for ch in name) for name in names) >= 3
    assert sum("'" in name for name in names) >= 3
    assert sum("-" in name for name in names) >= 3


def test_nothing_happened_after_now(book):
    for a in book:
        for moment in (a.booked_at, a.updated_at, a.arrived_at, a.checked_out_at, a.cancelled_at):
            assert moment is None or moment <= NOW, a.id


def test_no_visit_that_has_ended_is_still_waiting(book):
    ended = [a for a in book if a.end <= NOW]
    assert ended
    assert not [a.id for a in ended if a.status in ("scheduled", "confirmed")]


def test_nothing_in_the_future_is_checked_out_or_a_no_show(book):
    future = [a for a in book if a.start > NOW]
    assert future
    assert not [a.id for a in future if a.status in ("checked_out", "no_show")]


def test_only_patients_due_about_now_have_arrived(book):
    """Early arrivals are real (a 10:30 patient checks in at 10:20), but not hours early."""
    arrived = [a for a in book if a.status == "arrived"]
    for a in arrived:
        assert a.start - NOW <= timedelta(minutes=20), a.id
        assert a.end > NOW, a.id
        assert clock.local(a.arrived_at).date() == TODAY


def test_timestamps_match_each_status(book):
    for a in book:
        assert (a.arrived_at is not None) == (a.status in ("arrived", "checked_out")), a.id
        assert (a.checked_out_at is not None) == (a.status == "checked_out"), a.id
        assert (a.cancelled_at is not None) == (a.status == "cancelled"), a.id
        if a.status == "cancelled":
            assert a.cancel_reason
        if a.status == "checked_out":
            assert a.start - timedelta(minutes=15) <= a.arrived_at <= a.checked_out_at
            assert clock.local(a.arrived_at).date() == clock.local(a.start).date()


def test_past_days_are_mostly_checked_out_with_some_no_shows_and_cancellations(book):
    past = Counter(a.status for a in book if clock.local(a.start).date() < TODAY)
    total = sum(past.values())
    assert total > 500
    assert past["checked_out"] / total > 0.7
    assert 0 < past["no_show"] / total < 0.15
    assert 0 < past["cancelled"] / total < 0.25
    assert past["scheduled"] == past["confirmed"] == past["arrived"] == 0


def test_today_is_a_mix_of_done_and_still_to_come(book):
    today = Counter(a.status for a in book if clock.local(a.start).date() == TODAY)
    assert today["checked_out"] > 0
    assert today["scheduled"] + today["confirmed"] > 0


def test_providers_are_about_80_percent_booked(demo_db, book):
    columns = providers.active_providers()
    open_minutes = 0
    day = FIRST_DAY
    while day <= LAST_DAY:
        for stretches in providers.hours_on(day, columns).values():
            open_minutes += sum((datetime.combine(day, end) - datetime.combine(day, start))
                                .total_seconds() // 60 for start, end in stretches)
        day += timedelta(days=1)
    booked_minutes = sum((a.end - a.start).total_seconds() // 60
                         for a in book if a.status != "cancelled")
    assert 0.65 <= booked_minutes / open_minutes <= 0.95


def test_no_provider_or_patient_is_double_booked(book):
    holding = sorted((a for a in book if a.status != "cancelled"), key=lambda a: a.start)
    for key in ("provider_id", "patient_id"):
        last_end: dict[int, datetime] = {}
        for a in holding:
            who = getattr(a, key)
            assert who not in last_end or last_end[who] <= a.start, (key, a.id)
            last_end[who] = max(last_end.get(who, a.end), a.end)


def test_the_book_spans_thirty_days_either_side_of_today(demo_db, book):
    days = {clock.local(a.start).date() for a in book}
    columns = providers.active_providers()
    first_open = next(FIRST_DAY + timedelta(days=n) for n in range(DAYS_BACK + 1)
                      if any(providers.hours_on(FIRST_DAY + timedelta(days=n), columns).values()))
    assert min(days) == first_open
    assert max(days) == LAST_DAY
    assert TODAY in days


@pytest.mark.parametrize(("username", "name", "role", "password"), demo.DEMO_STAFF)
def test_the_printed_demo_accounts_sign_in(demo_db, username, name, role, password):
    person = staff.sign_in(username, password)
    assert (person.username, person.name, person.role) == (username, name, role.value)


def test_the_demo_audit_chain_is_whole(demo_db):
    report = audit.verify()
    assert report.whole, str(report)
    assert report.events > 1000
