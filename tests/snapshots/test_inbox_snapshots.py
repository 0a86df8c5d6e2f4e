"""Phone messages and the call log as pictures (see test_snapshots.py for how to review one).

The small hand-made clinic at the frozen instant (Tue 12/01/2026 10:20), signed in as
Dana Desk, who works in the front desk department.
"""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import Select

from frontdesk import clock, messages, phones
from frontdesk.messages import Prefill
from frontdesk.phones import Disposition
from screens.app import FrontdeskApp
from screens.calllog import CallLogScreen
from screens.message import TakeMessage
from tests.conftest import NOW
from tests.ui.helpers import no_blink, settle


def _take(clinic, hours_ago: float, **given):
    values = dict(caller_name="María García", relationship="self", patient=clinic.maria,
                  callback="(617) 555-0142", best_time="", reason="appointment",
                  text="Wants to move Thursday's visit.", urgent=False,
                  to_department="front_desk", by=clinic.admin)
    values.update(given)
    with clock.frozen(NOW - timedelta(hours=hours_ago)):
        return messages.take(**values)


class TestTakeMessage:
    def test_a_red_flag_raises_the_banner(self, snap_compare, clinic) -> None:
        """The Take a message dialog over the schedule, titled "Take a message · call
        from (617) 555-0142". Under the title, a red banner in bold: "⚠ CHEST PAIN —
        Tell the caller to hang up and call 911 now. Stay on the line until they say
        they will." (wrapping to a second line). Caller: María García; Patient:
        "García, María" with "MRN … · 03/04/1980" beside it; Call back (617) 555-0142;
        Reason "Other"; Urgent ticked by the flag (a bold X in red); For "a person or a department…"
        (nothing chosen yet); the message box holds "Says her chest hurts since this
        morning". The hint reads "^s saves and sends · Tab next field · Esc closes";
        the key bar shows ^s Save."""
        rung = phones.ring(1, "617-555-0142")

        async def typed(pilot: Pilot) -> None:
            await settle(pilot)
            form = TakeMessage(Prefill(call_id=rung.call_id, callback="+16175550142",
                                       patient_id=clinic.maria.id, caller_name="María García"))
            await pilot.app.push_screen(form)
            await settle(pilot)
            form.query_one("#reason", Select).value = "other"
            await pilot.press(*"Says her chest hurts since this morning")
            await settle(pilot)
            no_blink(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=typed)


class TestInbox:
    def test_urgent_first_then_overdue_then_newest(self, snap_compare, clinic) -> None:
        """Dana Desk's inbox (alt+i). The header ends with "✉ 2 new" after Dana's name.
        Title: "Inbox · you and Front desk · 3 open · 2 new". The list, in order: ⚠ new,
        María García, García, María, Other, 20m (the urgent one, under the cursor);
        in progress, Ann Lee, —, Billing, "26h, late" in bold red (overdue); new, John
        O'Brien-Sm…, Refill, 2h. Neither the done message nor the one to billing is
        listed. The pane below shows the urgent message in full: a reversed "⚠ CHEST
        PAIN — Tell the caller to hang up and call 911 now…" (two lines), "María García
        (self) about García, María · call back (617) 555-0142", "Other · for Front desk
        · new · due 11:00", the text, then the history "10:00 taken by Alex Admin →
        Front desk". The key bar: ⏎ Open, p In progress, d Done, r Reply, f Forward,
        a Reassign, n New."""
        messages.set_departments(clinic.desk, ["front_desk"], by=clinic.admin)
        late = _take(clinic, 26, caller_name="Ann Lee", relationship="daughter", patient=None,
                     reason="billing", text="Statement question.")
        with clock.frozen(NOW - timedelta(hours=25)):
            messages.mark(late, "in_progress", version=1, by=clinic.desk)
        _take(clinic, 2, caller_name="John O'Brien-Smith", patient=clinic.john,
              callback="617-555-0199", reason="refill", text="Needs his inhaler refilled.")
        _take(clinic, 1 / 3, reason="other", text="Says her chest hurts since this morning.")
        done = _take(clinic, 3, text="Already handled.")
        messages.mark(done, "done", version=1, by=clinic.desk)
        _take(clinic, 1, to_department="billing", text="Not for the front desk.")

        async def opened(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("alt+i")
            await settle(pilot)
            await pilot.pause()

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=opened)


class TestCallLog:
    def test_the_days_calls_and_calls_per_hour(self, snap_compare, clinic) -> None:
        """The call log (l from the inbox) for Tue, Dec 1, 2026: "5 calls, 4 answered,
        1 missed". A bar chart of calls per hour from 7 to 18: 2 at 8 o'clock, 2 at
        9 (the tallest bars, "2" at the top right), 1 at 10; the hours under the bars
        and the counts under them ("·" for none). Then the list in the order the calls
        rang: line, time rang, wait, talk time, caller (national format), patient
        (García, María / O'Brien-Smith, John / —), staff (Dana) and how each ended
        (booked, resolved, missed, message, on line)."""
        plan = [(2.2, 1, "617-555-0142", Disposition.BOOKED),
                (1.9, 2, "617-555-0199", Disposition.RESOLVED),
                (1.2, 1, "212-555-0123", None),
                (0.9, 3, "617-555-0142", Disposition.MESSAGE),
                (0.2, 1, "617-555-0199", "open")]
        for hours, line, number, ending in plan:
            at = NOW - timedelta(hours=hours)
            with clock.frozen(at):
                rung = phones.ring(line, number)
            if ending is None:
                with clock.frozen(at + timedelta(seconds=40)):
                    phones.hang_up(line)
                continue
            with clock.frozen(at + timedelta(seconds=9)):
                answered = phones.answer(line, version=rung.version, by=clinic.desk)
            if ending != "open":
                with clock.frozen(at + timedelta(minutes=4, seconds=9)):
                    phones.end(line, ending, version=answered.version, by=clinic.desk)

        async def shown(pilot: Pilot) -> None:
            await settle(pilot)
            await pilot.press("alt+i")
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot)
            assert isinstance(pilot.app.screen, CallLogScreen)

        assert snap_compare(FrontdeskApp(signed_in=clinic.desk), terminal_size=(80, 24),
                            run_before=shown)
