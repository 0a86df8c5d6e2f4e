"""The call log: a day's calls with who answered and how they ended, and calls per hour."""

from __future__ import annotations

from datetime import timedelta

from frontdesk import calllog, clock, phones
from frontdesk.phones import Disposition
from tests.conftest import NOW, TODAY


def _call(clinic, line: int, number: str, at, *, answer: bool = True,
          disposition: Disposition = Disposition.RESOLVED) -> None:
    with clock.frozen(at):
        rung = phones.ring(line, number)
    if not answer:
        with clock.frozen(at + timedelta(seconds=30)):
            phones.hang_up(line)
        return
    with clock.frozen(at + timedelta(seconds=12)):
        answered = phones.answer(line, version=rung.version, by=clinic.desk)
    with clock.frozen(at + timedelta(minutes=3)):
        phones.end(line, disposition, version=answered.version, by=clinic.desk)


def test_the_days_calls_in_order_with_times_caller_patient_staff_and_disposition(clinic):
    _call(clinic, 2, "617-555-0199", NOW - timedelta(hours=1), disposition=Disposition.BOOKED)
    _call(clinic, 1, "617-555-0142", NOW - timedelta(minutes=30))
    _call(clinic, 3, "212-555-0123", NOW - timedelta(minutes=10), answer=False)
    _call(clinic, 1, "617-555-0142", NOW - timedelta(days=1))  # yesterday: not listed
    rows = calllog.calls(TODAY)
    assert [(r.line, r.caller, r.patient_name, r.staff, r.disposition_label) for r in rows] == [
        (2, "+16175550199", "O'Brien-Smith, John", "Dana Desk", "appointment booked"),
        (1, "+16175550142", "García, María", "Dana Desk", "resolved"),
        (3, "+12125550123", "", "", "missed"),
    ]
    first = rows[0]
    assert first.rang == NOW - timedelta(hours=1)
    assert first.waited == timedelta(seconds=12)
    assert first.length == timedelta(minutes=3) - timedelta(seconds=12)
    assert rows[2].answered is None and rows[2].waited is None


def test_a_call_still_on_the_line_says_so(clinic):
    rung = phones.ring(1, "617-555-0142")
    phones.answer(1, version=rung.version, by=clinic.desk)
    (row,) = calllog.calls(TODAY)
    assert row.ended is None and row.disposition_label == "on the line"


def test_calls_per_hour_counts_by_the_clinics_wall_clock(clinic):
    # NOW is 10:20 in the clinic: two calls in the 9 o'clock hour, one at 10.
    _call(clinic, 1, "617-555-0142", NOW - timedelta(minutes=50))
    _call(clinic, 2, "617-555-0199", NOW - timedelta(minutes=35), answer=False)
    _call(clinic, 1, "617-555-0142", NOW - timedelta(minutes=5))
    hours = calllog.per_hour(TODAY)
    assert list(hours) == list(range(24))
    assert {h: n for h, n in hours.items() if n} == {9: 2, 10: 1}


def test_a_day_without_calls_has_none(clinic):
    assert calllog.calls(TODAY) == []
    assert sum(calllog.per_hour(TODAY).values()) == 0
