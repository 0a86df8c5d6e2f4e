"""The change feed: how one terminal learns what another just wrote."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from frontdesk import changes, clock, db, providers, schedule
from frontdesk.changes import Change, ChangeFeedRow
from frontdesk.errors import Conflict

from .conftest import NOW, TODAY, WEEKDAY_HOURS


def _pairs(last_id: int) -> list[tuple[str, str]]:
    return [(c.topic, c.key) for c in changes.since(last_id)]


def test_an_empty_feed_starts_at_zero(database):
    assert changes.latest() == 0
    assert changes.since(0) == []


def test_since_returns_later_changes_oldest_first_and_latest_the_newest(database):
    with db.write():
        changes.record("appointment", "2026-12-01")
        changes.record("patient", "*")
        changes.record("provider", "2")
    everything = changes.since(0)
    assert [(c.topic, c.key) for c in everything] == [
        ("appointment", "2026-12-01"), ("patient", "*"), ("provider", "2")]
    assert [c.id for c in everything] == sorted(c.id for c in everything)
    assert changes.latest() == everything[-1].id
    assert changes.since(everything[0].id) == everything[1:]
    assert changes.since(changes.latest()) == []


def test_a_change_rolled_back_leaves_no_row(database):
    with pytest.raises(RuntimeError):
        with db.write():
            changes.record("appointment", "2026-12-01")
            raise RuntimeError
    assert changes.latest() == 0


def test_a_booking_announces_its_clinic_day(clinic):
    last = changes.latest()
    schedule.book(clinic.maria, clinic.patel, clinic.follow_up, date(2026, 12, 2), time(9),
                  by=clinic.desk)
    assert _pairs(last) == [("appointment", "2026-12-02")]


def test_a_status_change_announces_the_clinic_day_not_the_utc_day(clinic):
    providers.set_hours(clinic.patel, {**WEEKDAY_HOURS, 1: [(time(8), time(21))]},
                        by=clinic.admin)
    late = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(20, 30),
                         by=clinic.desk)  # 01:30 UTC on Dec 2
    last = changes.latest()
    schedule.cancel(late, reason="Patient request", by=clinic.desk)
    assert _pairs(last) == [("appointment", "2026-12-01")]


def test_a_refused_booking_announces_nothing(clinic):
    last = changes.latest()
    with pytest.raises(Conflict):
        schedule.book(clinic.maria, clinic.patel, clinic.follow_up, date(2026, 12, 5), time(9),
                      by=clinic.desk)  # a Saturday
    assert changes.since(last) == []


def test_old_rows_are_forgotten_now_and_then(database):
    with clock.frozen(NOW - timedelta(days=3)), db.write():
        for _ in range(10):
            changes.record("appointment", "old")
    with db.write():
        for _ in range(490):  # the 500th row sweeps what is older than two days
            changes.record("appointment", "new")
    remaining = changes.since(0)
    assert {c.key for c in remaining} == {"new"}
    assert len(remaining) == 490
    assert changes.latest() == 500
    assert ChangeFeedRow.select().where(ChangeFeedRow.key == "old").count() == 0
    assert remaining[0] == Change(11, "appointment", "new")
