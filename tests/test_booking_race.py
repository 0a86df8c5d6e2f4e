"""Eight real processes book the same times at the same moment against one file:
exactly one wins each time, the others are told who took it, and nobody ever sees
"database is locked"."""

from __future__ import annotations

import multiprocessing
import traceback
from datetime import date, time
from pathlib import Path

from frontdesk import db, patients, schedule, staff
from frontdesk.errors import Conflict
from frontdesk.providers import Provider

from .test_booking_properties import overlaps_left

WED = date(2026, 12, 2)
PROCESSES = 8
TIMES = [time(hour, minute) for hour in (8, 9, 10, 11, 13, 14, 15, 16)
         for minute in (0, 15, 30, 45)]


def _booker(path: str, provider_ids: list[int], patient_id: int, type_id: int, desk_id: int,
            go, results) -> None:
    """One terminal: try every time, in the same order as all the others."""
    outcome: list[tuple] = []
    try:
        db.open_database(path)
        providers = [Provider.get_by_id(i) for i in provider_ids]
        patient = patients.Patient.get_by_id(patient_id)
        kind = schedule.AppointmentType.get_by_id(type_id)
        desk = staff.Staff.get_by_id(desk_id)
        go.wait()
        for at in TIMES:
            for provider in providers:
                try:
                    booked = schedule.book(patient, provider, kind, WED, at, by=desk)
                    outcome.append(("won", provider.id, at, booked.id, ""))
                except Conflict as refused:
                    outcome.append(("lost", provider.id, at, None, str(refused)))
    except BaseException:  # whatever it is, the parent must see it, not a hang
        outcome.append(("error", None, None, None, traceback.format_exc()))
    finally:
        db.close_database()
        results.put((patient_id, outcome))


def test_eight_processes_booking_the_same_times_one_wins_each(clinic, database: Path):
    people = [patients.register(patients.Draft(first_name=f"Racer{chr(65 + i)}",
                                               last_name="Quick", dob="1/2/1990", sex="U"),
                                by=clinic.desk) for i in range(PROCESSES)]
    names = {p.id: p.full_name for p in people}
    db.close_database()  # a connection must not cross a fork
    context = multiprocessing.get_context("fork")
    go, results = context.Event(), context.Queue()
    workers = [context.Process(target=_booker, args=(
        str(database), [clinic.patel.id, clinic.kim.id], person.id, clinic.follow_up.id,
        clinic.desk.id, go, results)) for person in people]
    for worker in workers:
        worker.start()
    go.set()
    outcomes = dict(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=10)
    db.open_database(database)

    every = [row for outcome in outcomes.values() for row in outcome]
    assert [row[4] for row in every if row[0] == "error"] == []
    assert not any("locked" in row[4] or "busy" in row[4] for row in every)
    winners = {}
    for result, provider_id, at, _, _ in every:
        if result == "won":
            assert (provider_id, at) not in winners, f"{at} won twice"
            winners[(provider_id, at)] = True
    assert len(winners) == 2 * len(TIMES)
    assert len(every) == PROCESSES * 2 * len(TIMES)

    stored = {(a.provider_id, a.start): a.patient_id for a in schedule.Appointment.select()}
    assert len(stored) == schedule.Appointment.select().count() == 2 * len(TIMES)
    for person in people:
        for result, provider_id, at, _, words in outcomes[person.id]:
            if result != "lost":
                continue
            # Told who took it, or that this patient is already in the other room then.
            wall = f"{at.hour}:{at.minute:02d}-"
            owner = stored[(provider_id, schedule.clock.at_local(WED, at))]
            assert (f"already has {names[owner]} at {wall}" in words
                    or f"{person.full_name} is already booked with" in words), words
    assert overlaps_left() == []
