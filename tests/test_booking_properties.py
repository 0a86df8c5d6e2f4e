"""Whatever staff try, in whatever order, the book never holds more visits at once
than a provider allows, nor one patient in two places; a refusal changes nothing."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from frontdesk import db, patients, providers, schedule
from frontdesk.errors import FrontdeskError
from frontdesk.schedule import HOLDS_SLOT, Appointment, AppointmentChange, OverbookPossible

DAYS = (date(2026, 12, 2), date(2026, 12, 3))
HELD = ", ".join(f"'{status.value}'" for status in HOLDS_SLOT)

TOO_MANY_AT_ONCE = f"""
    SELECT a.id, COUNT(*), p.max_at_once
    FROM appointment a
    JOIN provider p ON p.id = a.provider_id
    JOIN appointment b ON b.provider_id = a.provider_id
                      AND b.start <= a.start AND b."end" > a.start
    WHERE a.status IN ({HELD}) AND b.status IN ({HELD})
    GROUP BY a.id, p.max_at_once
    HAVING COUNT(*) > p.max_at_once
"""
"""Held visits running at the start of another beyond the provider's allowance: the
most at once is always reached at some visit's start, so this finds every excess."""

PATIENT_TWICE = f"""
    SELECT a.id, b.id FROM appointment a
    JOIN appointment b ON b.patient_id = a.patient_id AND b.id <> a.id
                      AND b.start < a."end" AND b."end" > a.start
    WHERE a.status IN ({HELD}) AND b.status IN ({HELD})
"""


def overlaps_left() -> list[tuple]:
    return (db.database.execute_sql(TOO_MANY_AT_ONCE).fetchall()
            + db.database.execute_sql(PATIENT_TWICE).fetchall())


def test_the_checker_finds_an_overlap_written_behind_the_rules_back(world):
    booked = schedule.book(world.people[0], world.patel, world.kinds[0], DAYS[0], time(9),
                           by=world.desk)
    assert overlaps_left() == []
    copy = {**booked.__data__}
    copy.pop("id")
    copy["patient"] = world.people[1].id
    Appointment.insert(copy).execute()  # the kind of row a bug would leave
    assert len(overlaps_left()) == 2


@pytest.fixture
def world(clinic):
    """Dr. Patel sees one at a time, Kim NP two; four patients; two visit types."""
    providers.Provider.update(max_at_once=2).where(providers.Provider.id == clinic.kim.id
                                                   ).execute()
    more = [patients.register(patients.Draft(first_name=name, last_name="Lee", dob="1/2/1990",
                                             sex="U"), by=clinic.desk) for name in ("Ana", "Bo")]
    clinic.people = [clinic.maria, clinic.john, *more]
    clinic.kinds = [clinic.follow_up, clinic.new_patient]
    return clinic


def _staff_pick(world, pick: int):
    return providers.Provider.get_by_id((world.patel.id, world.kim.id)[pick])


slots = st.tuples(st.sampled_from(DAYS),
                  st.integers(7 * 4 + 2, 17 * 4 + 1).map(lambda q: time(q // 4, q % 4 * 15)))
books = st.tuples(st.just("book"), st.integers(0, 3), st.integers(0, 1), slots,
                  st.integers(0, 1), st.booleans())
moves = st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 1), slots, st.booleans())
cancels = st.tuples(st.just("cancel"), st.integers(0, 30))
steps = st.lists(st.one_of(books, books, moves, cancels), min_size=1, max_size=25)


def _state() -> list[tuple]:
    return list(Appointment.select().order_by(Appointment.id).tuples())


def _run(world, step) -> None:
    made = list(Appointment.select().order_by(Appointment.id))
    if step[0] == "book":
        _, who, provider, (on, at), kind, overbook = step
        try:
            schedule.book(world.people[who], _staff_pick(world, provider), world.kinds[kind],
                          on, at, by=world.desk, overbook=overbook)
        except OverbookPossible:  # staff confirm, as the screen asks them to
            schedule.book(world.people[who], _staff_pick(world, provider), world.kinds[kind],
                          on, at, by=world.desk, overbook=True)
    elif step[0] == "move" and made:
        _, which, provider, (on, at), overbook = step
        chosen = made[which % len(made)]
        schedule.move(chosen, _staff_pick(world, provider), on, at, version=chosen.version,
                      by=world.desk, overbook=overbook)
    elif step[0] == "cancel" and made:
        chosen = made[step[1] % len(made)]
        schedule.cancel(chosen, category="patient", by=world.desk)


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_random_books_moves_and_cancels_never_overlap_beyond_the_allowance(world, steps):
    with db.write():  # each example starts from an empty book
        AppointmentChange.delete().execute()
        Appointment.delete().execute()
    for step in steps:
        before = _state()
        try:
            _run(world, step)
            event(f"{step[0]} done")  # --hypothesis-show-statistics: how many got through
        except FrontdeskError as refused:
            event(f"{step[0]} refused: {type(refused).__name__}")
            assert _state() == before, f"a refused {step[0]} changed the book"
        assert overlaps_left() == [], f"after {step}"
