"""Two terminals at one desk: a change made by another process shows without a key."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

from frontdesk import clock, schedule
from frontdesk.schedule import Status
from screens.app import FrontdeskApp
from tests.conftest import TODAY
from tests.ui.helpers import grid, grid_cells, settle, until

BOOK_ELSEWHERE = """
import sys
from datetime import date, time
from frontdesk import db, patients, providers, schedule, staff
db.open_database(sys.argv[1])
who = staff.Staff.get(staff.Staff.username == "manager")
schedule.book(patients.Patient.get_by_id(int(sys.argv[2])),
              providers.Provider.get_by_id(int(sys.argv[3])),
              schedule.AppointmentType.get(schedule.AppointmentType.code == "F/U"),
              date.fromisoformat(sys.argv[4]), time.fromisoformat(sys.argv[5]), by=who)
"""

CANCEL_ELSEWHERE = """
import sys
from frontdesk import db, schedule, staff
db.open_database(sys.argv[1])
who = staff.Staff.get(staff.Staff.username == "manager")
schedule.cancel(schedule.get(int(sys.argv[2])), reason="Patient called", by=who)
"""


def _free_slot():
    """A 15-minute slot inside some provider's hours later today with nobody in it."""
    day = schedule.day(TODAY)
    for column in day.providers:
        for starts, ends in column.hours:
            at = clock.at_local(TODAY, starts)
            while at + timedelta(minutes=15) <= clock.at_local(TODAY, ends):
                taken = any(a.provider_id == column.id and a.status is not Status.CANCELLED
                            and a.start < at + timedelta(minutes=15) and a.end > at
                            for a in day.appointments)
                if not taken and at > clock.now():
                    return column, clock.local(at)
                at += timedelta(minutes=15)
    raise AssertionError("the demo day has no free slot left")


def _patient_free_at(moment):
    busy = {a.patient_id for a in schedule.day(TODAY).appointments
            if a.start < moment + timedelta(minutes=15) and a.end > moment}
    from frontdesk.patients import Patient
    return Patient.select().where(Patient.id.not_in(busy)).order_by(Patient.id).first()


async def test_a_booking_from_another_process_appears_within_two_seconds(desk_user,
                                                                         demo_db) -> None:
    column, at = _free_slot()
    patient = _patient_free_at(at)
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        def shown() -> bool:
            drawn = grid(pilot).day
            return (any(a.patient_id == patient.id for a in drawn.appointments)
                    and patient.last_name in grid_cells(pilot))

        assert not shown()
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", BOOK_ELSEWHERE, str(demo_db), str(patient.id),
                        str(column.id), TODAY.isoformat(), at.strftime("%H:%M")], check=True)
        booked = time.monotonic()
        await until(pilot, shown, timeout=2.0)
        seen = time.monotonic()
        assert seen - booked < 2.0, f"seen {seen - booked:.2f} s after the booking committed"
        assert started <= booked


async def test_a_cancellation_elsewhere_clears_the_slot_and_keeps_the_cursor(desk_user,
                                                                             demo_db) -> None:
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = grid(pilot)
        target = next(a for a in schedule.day(TODAY).appointments
                      if a.status is Status.SCHEDULED and a.start > clock.now())
        table.go_to_appointment(target)
        await pilot.pause()
        cursor = table.cursor
        assert table.slot_at().appointments[0].id == target.id
        subprocess.run([sys.executable, "-c", CANCEL_ELSEWHERE, str(demo_db), str(target.id)],
                       check=True)
        await until(pilot, lambda: not table.slot_at().appointments or
                    table.slot_at().appointments[0].id != target.id, timeout=2.0)
        assert table.cursor == cursor
