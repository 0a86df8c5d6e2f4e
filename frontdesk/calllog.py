"""The call log as staff and managers read it: a day's calls, and calls per hour.

Every call is a row of frontdesk.phones.Call from its first ring to its end; this
module only reads them, in the clinic's wall-clock day, for the call log screen and
for staffing (how many calls each hour brings).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import peewee as pw

from frontdesk import clock
from frontdesk.patients import Patient
from frontdesk.phones import Call, Disposition
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff

__all__ = ["CallRow", "calls", "per_hour"]


@dataclass(frozen=True)
class CallRow:
    id: int
    line: int
    rang: datetime
    answered: datetime | None
    ended: datetime | None
    caller: str
    """E.164, or empty when the number did not come through."""
    patient_id: int | None
    patient_name: str
    """Filed: last, first."""
    staff: str
    """Who answered; empty if nobody did."""
    disposition: str
    note: str

    @property
    def disposition_label(self) -> str:
        if not self.disposition:
            return "on the line" if self.answered else "ringing"
        try:
            return Disposition(self.disposition).label
        except ValueError:
            return self.disposition

    @property
    def waited(self) -> timedelta | None:
        """From the first ring to the answer."""
        return self.answered - self.rang if self.answered else None

    @property
    def length(self) -> timedelta | None:
        """From the answer to the end."""
        return self.ended - self.answered if self.answered and self.ended else None


def calls(on: date, *, by: Staff | None = None) -> list[CallRow]:
    """Every call that rang on a clinic day, in the order they rang."""
    if by is not None:
        require(by, Permission.ANSWER_PHONES)
    start, end = clock.day_bounds(on)
    query = (Call.select(Call.id, Call.line, Call.rang_at, Call.answered_at, Call.ended_at,
                         Call.caller, Call.patient, Patient.last_name, Patient.first_name,
                         Staff.name, Call.disposition, Call.note)
             .join(Patient, pw.JOIN.LEFT_OUTER, on=(Call.patient == Patient.id))
             .switch(Call).join(Staff, pw.JOIN.LEFT_OUTER, on=(Call.answered_by == Staff.id))
             .where((Call.rang_at >= start) & (Call.rang_at < end))
             .order_by(Call.rang_at, Call.id).tuples())
    instant = Call.rang_at.python_value
    return [CallRow(cid, line, instant(rang), instant(answered), instant(ended), caller or "",
                    patient_id, f"{last}, {first}" if last else "", name or "",
                    disposition or "", note or "")
            for (cid, line, rang, answered, ended, caller, patient_id, last, first, name,
                 disposition, note) in query]


def per_hour(on: date) -> dict[int, int]:
    """Calls that rang in each wall-clock hour of a clinic day (0-23, every hour listed)."""
    start, end = clock.day_bounds(on)
    counted = Counter(
        clock.local(Call.rang_at.python_value(rang)).hour
        for (rang,) in Call.select(Call.rang_at)
        .where((Call.rang_at >= start) & (Call.rang_at < end)).tuples())
    return {hour: counted.get(hour, 0) for hour in range(24)}
