"""The waiting room as a picture (see test_snapshots.py for how to review one)."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk import schedule, staff, waiting
from frontdesk.schedule import Status
from screens.app import FrontdeskApp
from tests.conftest import TODAY
from tests.ui.helpers import settle


def _busy_morning(desk: staff.Staff) -> None:
    """Two of the demo's arrivals taken to rooms, one of them seen, and one more
    patient checked in just now."""
    arrived = [row for row in waiting.room_list(TODAY) if row.state is Status.ARRIVED]
    waiting.room(arrived[-1].appointment, "Exam 2", by=desk)
    seen = waiting.room(arrived[-2].appointment, "Procedure room", by=desk)
    waiting.with_provider(seen, by=desk)
    booked = next(a for a in schedule.day(TODAY).appointments
                  if a.status in (Status.SCHEDULED, Status.CONFIRMED))
    schedule.check_in(schedule.get(booked.id), by=desk)


class TestWaitingRoom:
    def test_waiting_room_at_80x24(self, snap_compare, desk_user) -> None:
        """F4 on the demo clinic at 10:20. The title reads "Waiting room   6 waiting ·
        1 roomed · 1 with provider · 18 out" and, in bold red, "⚠ 1 long". The columns
        are Arrvd, Minutes, Patient, Provider, Appt, Where. The waiting come first,
        longest wait first: the top row (arrived 9:47, under the cursor) shows
        "⚠ 33 min" in bold red with the name in bold; the other five count down from
        14 min to "0 min" (Ortiz, Aaron, checked in just now) and read "▶ waiting room".
        Then Rivera, Matthew "◆ Exam 2" at 0 min, then Ríos, Anh "● with provider",
        then the checked out, dimmed, "—" for minutes and "■ out" with the time,
        latest out first, running past the bottom (scrollbar). Under the table, the
        cursor row's story: "Muñoz, Dorothy  MRN 100250 · arrived 9:47 · waiting
        33 min" and "⚠ over 20 min" in red. The key bar reads ⏎ Open, r Room, s Seen,
        o Check out, then f1 Help, f2 Schedule, f3 Patients."""

        async def shown(pilot: Pilot) -> None:
            await settle(pilot)
            _busy_morning(desk_user)
            await pilot.press("f4")
            await settle(pilot)

        assert snap_compare(FrontdeskApp(signed_in=desk_user), terminal_size=(80, 24),
                            run_before=shown)
