"""The cash drawer: sessions opened with a float, the guided close, the day's report.

Each workstation has a drawer ("Front 1", from config or the command line). A drawer
is opened with a starting float counted by denomination; payments go to its open
session. At the end of the day the close walks staff through what must be true before
the money is counted (every appointment of the day has a disposition), then compares
what was counted against what the system recorded, per method. A difference over the
threshold in config needs a written reason and a manager's approval. Closing freezes
the session: the database itself refuses to change a closed session or its payments.

Expected amounts, per method, over the session's payments that are not voided (a
refund is a negative payment, so it lowers what is expected):
cash = float + cash amounts (the amount kept, not the cash tendered: change went back),
checks = check amounts, card = card amounts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import peewee as pw

from frontdesk import audit, changes, clock, config, db
from frontdesk.errors import Conflict, FrontdeskError, InvalidInput, NotAllowed, NotFound, StaleEdit
from frontdesk.roles import Permission, allowed, require
from frontdesk.staff import Staff
from frontdesk.text import one_line, typed

__all__ = [
    "DENOMINATIONS", "denomination_label", "money", "counted_total",
    "NoOpenDrawer", "SessionState", "Method", "Drawer", "DrawerSession",
    "drawer_name", "open", "current", "latest", "session",
    "UnsettledAppointment", "CheckLine", "MethodTotals", "ClosePlan", "close_plan",
    "Count", "counted", "approver", "close",
    "close_report_text", "deposit_slip_text", "close_report_pdf",
    "ReportLine", "SessionLine", "DayReport", "day_report", "day_report_text", "day_report_pdf",
]

DENOMINATIONS = (10000, 5000, 2000, 1000, 500, 200, 100, 50, 25, 10, 5, 1)
"""Bills and coins a US drawer holds, in cents, largest first."""
MAX_COUNT = 100_000


class NoOpenDrawer(FrontdeskError):
    """No session is open on the drawer: the screen offers to open one."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not open. Open the drawer with its float first.")
        self.drawer_name = name


class SessionState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Method(StrEnum):
    CASH = "cash"
    CHECK = "check"
    CARD = "card"


def denomination_label(cents: int) -> str:
    """`$100`, `$1`, `25¢`."""
    return f"${cents // 100}" if cents >= 100 else f"{cents}¢"


def money(cents: int) -> str:
    """`$1,234.50`, `-$5.00`: amounts as staff read them."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


class Drawer(db.Model):
    name = pw.CharField(max_length=40, unique=True)
    active = pw.BooleanField(default=True)


class DrawerSession(db.Model):
    drawer = pw.ForeignKeyField(Drawer, backref="sessions", on_delete="RESTRICT")
    opened_at = db.InstantField(index=True)
    opened_by = pw.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    float_counts = pw.TextField(default="{}")
    """The starting float by denomination, as JSON {"2000": 5, ...}."""
    float_cents = pw.IntegerField(default=0)
    state = pw.CharField(max_length=8, default=SessionState.OPEN.value)
    open_key = pw.IntegerField(null=True, unique=True)
    """The drawer's id while the session is open, NULL once closed: a unique index then
    allows one open session per drawer, on SQLite and PostgreSQL alike."""
    closed_at = db.InstantField(null=True)
    closed_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    cash_counts = pw.TextField(default="{}")
    cash_counted_cents = pw.IntegerField(null=True)
    checks_ticked = pw.TextField(default="[]")
    """Ids of the check payments found in the drawer at close, as JSON."""
    checks_counted_cents = pw.IntegerField(null=True)
    card_batch_cents = pw.IntegerField(null=True)
    expected_cash_cents = pw.IntegerField(null=True)
    expected_checks_cents = pw.IntegerField(null=True)
    expected_card_cents = pw.IntegerField(null=True)
    over_short_cash_cents = pw.IntegerField(null=True)
    """Counted less expected: positive over, negative short."""
    over_short_checks_cents = pw.IntegerField(null=True)
    over_short_card_cents = pw.IntegerField(null=True)
    float_kept_cents = pw.IntegerField(null=True)
    """Cash left in the drawer for tomorrow; the rest goes to the bank."""
    reason = pw.CharField(max_length=500, default="")
    approved_by = pw.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    version = pw.IntegerField(default=1)

    @property
    def is_open(self) -> bool:
        return self.state == SessionState.OPEN

    @property
    def float_dict(self) -> dict[int, int]:
        return {int(k): v for k, v in json.loads(self.float_counts).items()}

    @property
    def cash_dict(self) -> dict[int, int]:
        return {int(k): v for k, v in json.loads(self.cash_counts).items()}


# -- counting -------------------------------------------------------------------------


def _count(value: int | str, denomination: int) -> int:
    label = denomination_label(denomination)
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return 0
        if not value.isdigit():
            raise InvalidInput(f"The count of {label} must be a whole number.",
                               field=f"count_{denomination}")
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"The count of {label} must be a whole number, 0 or more.",
                           field=f"count_{denomination}")
    if value > MAX_COUNT:
        raise InvalidInput(f"{value:,} × {label} cannot be right.", field=f"count_{denomination}")
    return value


def _counts(counts: Mapping[Any, int | str]) -> dict[int, int]:
    """Counts by denomination, checked; zero counts dropped."""
    checked = {}
    for key, value in counts.items():
        denomination = int(key)
        if denomination not in DENOMINATIONS:
            raise InvalidInput(f"A drawer holds no {denomination_label(denomination)} "
                               "bills or coins.", field=f"count_{denomination}")
        number = _count(value, denomination)
        if number:
            checked[denomination] = number
    return checked


def counted_total(counts: Mapping[Any, int | str]) -> int:
    """The cash counted, in cents; for the live total of the count grid."""
    return sum(d * n for d, n in _counts(counts).items())


def _as_json(counts: dict[int, int]) -> str:
    return json.dumps({str(d): n for d, n in sorted(counts.items(), reverse=True)})


# -- opening --------------------------------------------------------------------------


def drawer_name(name: str | None = None) -> str:
    """The drawer asked for, else this terminal's drawer from config."""
    return _chosen(name)


def _chosen(name: str | None) -> str:
    # Parameters named drawer_name below would hide the public function.
    return typed(name or config.current().drawer, field="drawer", label="Drawer", limit=40,
                 required=True)


def _opened_words(found: DrawerSession) -> str:
    return f"opened by {found.opened_by.name} at {clock.wall(found.opened_at)}"


def open(drawer_name: str | None, float_counts: Mapping[Any, int | str], *,  # noqa: A001
         by: Staff) -> DrawerSession:
    """Open the drawer with its starting float; one open session per drawer."""
    require(by, Permission.TAKE_PAYMENTS)
    name = _chosen(drawer_name)
    counts = _counts(float_counts)
    with db.write():
        drawer, _ = Drawer.get_or_create(name=name)
        already = current(name)
        if already is not None:
            raise Conflict(f"{name} is already open ({_opened_words(already)}).")
        opened = DrawerSession.create(
            drawer=drawer, opened_at=clock.now(), opened_by=by, float_counts=_as_json(counts),
            float_cents=sum(d * n for d, n in counts.items()), open_key=drawer.id)
        audit.record("drawer.opened", by=by, subject=f"drawer session {opened.id}",
                     detail={"drawer": name, "float_cents": opened.float_cents})
        changes.record("drawer", name)
    return opened


def current(drawer_name: str | None = None) -> DrawerSession | None:
    """The open session of the drawer, or None."""
    name = _chosen(drawer_name)
    return (DrawerSession.select(DrawerSession, Drawer).join(Drawer)
            .where((Drawer.name == name) & (DrawerSession.state == SessionState.OPEN.value))
            .first())


def latest(drawer_name: str | None = None) -> DrawerSession | None:
    """The drawer's most recent session, open or closed, or None if it never opened."""
    name = _chosen(drawer_name)
    return (DrawerSession.select(DrawerSession, Drawer).join(Drawer)
            .where(Drawer.name == name)
            .order_by(DrawerSession.opened_at.desc(), DrawerSession.id.desc()).first())


def session(session_id: int) -> DrawerSession:
    found = (DrawerSession.select(DrawerSession, Drawer).join(Drawer)
             .where(DrawerSession.id == session_id).first())
    if found is None:
        raise NotFound(f"There is no drawer session {session_id}.")
    return found


def _session(value: DrawerSession | int) -> DrawerSession:
    return session(value if isinstance(value, int) else value.id)


# -- the guided close -----------------------------------------------------------------


@dataclass(frozen=True)
class UnsettledAppointment:
    id: int
    start: datetime
    patient_name: str
    provider_name: str
    status: str
    version: int


@dataclass(frozen=True)
class CheckLine:
    payment_id: int
    check_number: str
    amount_cents: int
    patient_name: str
    receipt_number: int


@dataclass(frozen=True)
class MethodTotals:
    expected_cents: int
    counted_cents: int | None = None
    over_short_cents: int | None = None


@dataclass(frozen=True)
class ClosePlan:
    session_id: int
    version: int
    drawer_name: str
    opened_at: datetime
    opened_by: str
    unsettled: tuple[UnsettledAppointment, ...]
    float_cents: int
    expected_cash_cents: int
    checks: tuple[CheckLine, ...]
    expected_checks_cents: int
    expected_card_cents: int
    threshold_cents: int


_OPEN_STATUSES = ("scheduled", "confirmed", "arrived", "roomed", "with_provider")


def _unsettled(opened_at: datetime) -> tuple[UnsettledAppointment, ...]:
    """Appointments from the session's first day to today still waiting for a disposition."""
    from frontdesk.patients import Patient
    from frontdesk.providers import Provider
    from frontdesk.schedule import Appointment

    start = clock.day_bounds(clock.local(opened_at).date())[0]
    end = clock.day_bounds(clock.today())[1]
    rows = (Appointment.select(Appointment, Patient, Provider).join(Patient)
            .switch(Appointment).join(Provider)
            .where((Appointment.start >= start) & (Appointment.start < end)
                   & Appointment.status.in_(_OPEN_STATUSES))
            .order_by(Appointment.start, Provider.position))
    return tuple(UnsettledAppointment(
        a.id, a.start, one_line(a.patient.full_name), one_line(a.provider.short_name),
        a.status, a.version) for a in rows)


def _sums(session_id: int) -> dict[str, int]:
    """Net amounts per method of the session's payments that are not voided."""
    from frontdesk.payments import Payment

    rows = (Payment.select(Payment.method, pw.fn.SUM(Payment.amount_cents))
            .where((Payment.session == session_id) & Payment.voided_at.is_null())
            .group_by(Payment.method).tuples())
    return {method: total for method, total in rows}


def _checks(session_id: int) -> tuple[CheckLine, ...]:
    from frontdesk.patients import Patient
    from frontdesk.payments import Payment

    rows = (Payment.select(Payment.id, Payment.check_number, Payment.amount_cents,
                           Patient.first_name, Patient.last_name, Payment.receipt_number)
            .join(Patient)
            .where((Payment.session == session_id) & Payment.voided_at.is_null()
                   & (Payment.method == Method.CHECK.value) & (Payment.amount_cents > 0))
            .order_by(Payment.id).tuples())
    return tuple(CheckLine(pid, number, amount, one_line(f"{first} {last}"), receipt)
                 for pid, number, amount, first, last, receipt in rows)


def close_plan(value: DrawerSession | int) -> ClosePlan:
    """What the close screen walks through: dispositions first, then the expected money."""
    found = _session(value)
    if not found.is_open:
        raise _closed(found)
    sums = _sums(found.id)
    return ClosePlan(
        session_id=found.id, version=found.version, drawer_name=found.drawer.name,
        opened_at=found.opened_at, opened_by=one_line(found.opened_by.name),
        unsettled=_unsettled(found.opened_at), float_cents=found.float_cents,
        expected_cash_cents=found.float_cents + sums.get(Method.CASH, 0),
        checks=_checks(found.id), expected_checks_cents=sums.get(Method.CHECK, 0),
        expected_card_cents=sums.get(Method.CARD, 0),
        threshold_cents=config.current().drawer_over_short_threshold_cents)


@dataclass(frozen=True)
class Count:
    cash: MethodTotals
    checks: MethodTotals
    card: MethodTotals
    difference_cents: int
    needs_approval: bool
    cash_counts: dict[int, int] = field(default_factory=dict)
    checks_ticked: tuple[int, ...] = ()


def _batch(value: str | int) -> int:
    from frontdesk.payments import parse_amount

    return parse_amount(value, field="card_batch", label="The card batch total", zero=True)


def counted(plan: ClosePlan, cash_counts: Mapping[Any, int | str], checks_ticked: Iterable[int],
            card_batch: str | int) -> Count:
    """Counted against expected per method; no write, for the screen's live step."""
    counts = _counts(cash_counts)
    ticked = tuple(dict.fromkeys(int(i) for i in checks_ticked))
    amounts = {c.payment_id: c.amount_cents for c in plan.checks}
    strangers = [i for i in ticked if i not in amounts]
    if strangers:
        raise InvalidInput("A ticked check is not one this drawer took.", field="checks")
    cash = sum(d * n for d, n in counts.items())
    checks = sum(amounts[i] for i in ticked)
    card = _batch(card_batch)
    totals = [MethodTotals(plan.expected_cash_cents, cash, cash - plan.expected_cash_cents),
              MethodTotals(plan.expected_checks_cents, checks,
                           checks - plan.expected_checks_cents),
              MethodTotals(plan.expected_card_cents, card, card - plan.expected_card_cents)]
    difference = sum(abs(t.over_short_cents) for t in totals)
    return Count(*totals, difference_cents=difference,
                 needs_approval=difference > plan.threshold_cents,
                 cash_counts=counts, checks_ticked=ticked)


def approver(username: str, password: str) -> Staff:
    """A manager signing in at this terminal to approve a drawer that is over or short."""
    from frontdesk import staff

    person = staff.sign_in(username, password)
    if not allowed(person, Permission.APPROVE_OVER_SHORT):
        raise NotAllowed(f"{one_line(person.name)} may not approve a drawer that is over or "
                         "short; a manager must.", field="approver")
    return person


def _closed(found: DrawerSession) -> Conflict:
    who = Staff.get_by_id(found.closed_by_id).name if found.closed_by_id else "someone"
    when = clock.local(found.closed_at)
    day = "" if when.date() == clock.today() else f" on {when:%m/%d/%Y}"
    return Conflict(f"{found.drawer.name} was already closed by {one_line(who)} at "
                    f"{clock.wall(found.closed_at)}{day}.")


def _refuse_unsettled(unsettled: tuple[UnsettledAppointment, ...]) -> None:
    if not unsettled:
        return
    named = "; ".join(f"{clock.wall(a.start)} {a.patient_name} ({a.status.replace('_', ' ')})"
                      for a in unsettled[:3])
    more = f" and {len(unsettled) - 3} more" if len(unsettled) > 3 else ""
    raise Conflict(f"{len(unsettled)} appointment{'s' if len(unsettled) > 1 else ''} still "
                   f"need{'' if len(unsettled) > 1 else 's'} checking out, a no-show or a "
                   f"cancellation first: {named}{more}.", field="appointments")


def _float_kept(value: int | str | None, found: DrawerSession, cash: int) -> int:
    from frontdesk.payments import parse_amount

    if value is None:
        return min(found.float_cents, cash)
    kept = parse_amount(value, field="float_kept", label="The float kept", zero=True)
    if kept > cash:
        raise InvalidInput(f"The float kept ({money(kept)}) is more than the cash counted "
                           f"({money(cash)}).", field="float_kept")
    return kept


def close(value: DrawerSession | int, *, cash_counts: Mapping[Any, int | str],
          checks_ticked: Iterable[int], card_batch: str | int, reason: str = "",
          approver: Staff | None = None, float_kept: int | str | None = None, version: int,
          by: Staff) -> DrawerSession:
    """Close the session with what was counted; afterwards it never changes."""
    require(by, Permission.TAKE_PAYMENTS)
    reason = typed(reason, field="reason", label="Reason", limit=500)
    with db.write():
        found = _session(value)  # read under the write lock: a rival close is finished
        if not found.is_open:
            raise _closed(found)
        if found.version != version:
            raise StaleEdit(f"{found.drawer.name} changed since it was read; look again.")
        plan = close_plan(found)
        _refuse_unsettled(plan.unsettled)
        count = counted(plan, cash_counts, checks_ticked, card_batch)
        if count.needs_approval:
            if not reason:
                raise InvalidInput(
                    f"The drawer is off by {money(count.difference_cents)}, over the "
                    f"{money(plan.threshold_cents)} allowed: say why.", field="reason")
            if approver is None or not allowed(approver, Permission.APPROVE_OVER_SHORT):
                raise NotAllowed("A drawer this far over or short needs a manager's approval: "
                                 "a manager signs in here.", field="approver")
        kept = _float_kept(float_kept, found, count.cash.counted_cents)
        values = {
            DrawerSession.state: SessionState.CLOSED.value, DrawerSession.open_key: None,
            DrawerSession.closed_at: clock.now(), DrawerSession.closed_by: by.id,
            DrawerSession.cash_counts: _as_json(count.cash_counts),
            DrawerSession.cash_counted_cents: count.cash.counted_cents,
            DrawerSession.checks_ticked: json.dumps(list(count.checks_ticked)),
            DrawerSession.checks_counted_cents: count.checks.counted_cents,
            DrawerSession.card_batch_cents: count.card.counted_cents,
            DrawerSession.expected_cash_cents: plan.expected_cash_cents,
            DrawerSession.expected_checks_cents: plan.expected_checks_cents,
            DrawerSession.expected_card_cents: plan.expected_card_cents,
            DrawerSession.over_short_cash_cents: count.cash.over_short_cents,
            DrawerSession.over_short_checks_cents: count.checks.over_short_cents,
            DrawerSession.over_short_card_cents: count.card.over_short_cents,
            DrawerSession.float_kept_cents: kept, DrawerSession.reason: reason,
            DrawerSession.approved_by: approver.id if count.needs_approval else None,
            DrawerSession.version: DrawerSession.version + 1,
        }
        updated = (DrawerSession.update(values)
                   .where((DrawerSession.id == found.id) & (DrawerSession.version == version)
                          & (DrawerSession.state == SessionState.OPEN.value)).execute())
        if not updated:  # cannot happen under the write lock; kept as the last guard
            raise _closed(_session(found.id))
        audit.record("drawer.closed", by=by, subject=f"drawer session {found.id}", detail={
            "drawer": found.drawer.name, "over_short_cents": {
                "cash": count.cash.over_short_cents, "checks": count.checks.over_short_cents,
                "card": count.card.over_short_cents},
            "reason": reason, "approved_by": approver.id if count.needs_approval else None})
        changes.record("drawer", found.drawer.name)
    return _session(found.id)


# -- close report and deposit slip ----------------------------------------------------


def _pair(left: str, right: str, width: int) -> str:
    room = max(1, width - len(right))
    return f"{left[:room - 1]:<{room}}{right}"


def _header(title: str, width: int) -> list[str]:
    settings = config.current()
    lines = [one_line(settings.clinic_name)[:width].center(width).rstrip()]
    lines += [one_line(a)[:width].center(width).rstrip() for a in settings.clinic_address]
    return lines + ["", title.center(width).rstrip(), "-" * width]


def _over_short_words(cents: int | None) -> str:
    if cents is None:
        return "-"
    if cents == 0:
        return "even"
    return f"{'over' if cents > 0 else 'short'} {money(abs(cents))}"


def deposit_slip_text(value: DrawerSession | int, width: int = 40) -> str:
    """What goes to the bank: the cash counted less the float kept, and the checks."""
    found = _session(value)
    if found.is_open:
        raise Conflict(f"{found.drawer.name} is still open; the deposit slip comes at close.")
    lines = _header("DEPOSIT SLIP", width)
    lines.append(_pair("Drawer", found.drawer.name, width))
    lines.append(_pair("Closed", f"{clock.local(found.closed_at):%m/%d/%Y} "
                                 f"{clock.wall(found.closed_at)}", width))
    cash = found.cash_counted_cents - found.float_kept_cents
    lines += ["", _pair("Cash counted", money(found.cash_counted_cents), width),
              _pair("Less float kept", money(-found.float_kept_cents), width),
              _pair("Cash to deposit", money(cash), width), "", "Checks:"]
    ticked = set(json.loads(found.checks_ticked))
    checks = [c for c in _checks(found.id) if c.payment_id in ticked]
    for check in checks:
        lines.append(_pair(f"  #{one_line(check.check_number)} {check.patient_name}",
                           money(check.amount_cents), width))
    if not checks:
        lines.append("  none")
    total_checks = sum(c.amount_cents for c in checks)
    lines += [_pair("Checks to deposit", money(total_checks), width), "-" * width,
              _pair("DEPOSIT TOTAL", money(cash + total_checks), width)]
    return "\n".join(lines) + "\n"


def close_report_text(value: DrawerSession | int, width: int = 40) -> str:
    """The close report, the deposit slip after it."""
    found = _session(value)
    if found.is_open:
        raise Conflict(f"{found.drawer.name} is still open; the close report comes at close.")
    lines = _header("DRAWER CLOSE", width)
    lines += [_pair("Drawer", found.drawer.name, width),
              _pair("Opened", f"{clock.local(found.opened_at):%m/%d/%Y} "
                              f"{clock.wall(found.opened_at)} {one_line(found.opened_by.name)}"[:width - 8],
                    width),
              _pair("Closed", f"{clock.local(found.closed_at):%m/%d/%Y} "
                              f"{clock.wall(found.closed_at)} "
                              f"{one_line(Staff.get_by_id(found.closed_by_id).name)}"[:width - 8],
                    width),
              "", _pair("Float", money(found.float_cents), width), ""]
    lines.append(_pair("", "expected   counted", width))
    for label, expected, count, diff in (
            ("Cash", found.expected_cash_cents, found.cash_counted_cents,
             found.over_short_cash_cents),
            ("Checks", found.expected_checks_cents, found.checks_counted_cents,
             found.over_short_checks_cents),
            ("Card", found.expected_card_cents, found.card_batch_cents,
             found.over_short_card_cents)):
        lines.append(_pair(label, f"{money(expected):>10}{money(count):>10}", width))
        lines.append(_pair("", _over_short_words(diff), width))
    lines.append("")
    lines.append("Cash counted:")
    for denomination, number in sorted(found.cash_dict.items(), reverse=True):
        lines.append(_pair(f"  {number} x {denomination_label(denomination)}",
                           money(number * denomination), width))
    if found.reason:
        lines += ["", "Reason: " + one_line(found.reason)]
    if found.approved_by_id:
        lines.append("Approved by " + one_line(Staff.get_by_id(found.approved_by_id).name))
    return "\n".join(lines) + "\n\n" + deposit_slip_text(found, width)


def close_report_pdf(value: DrawerSession | int) -> bytes:
    from frontdesk.pdf import LETTER, text_pdf

    return text_pdf(close_report_text(value, width=60), page=LETTER, size=10,
                    title="Drawer close")


# -- the day's report -----------------------------------------------------------------


@dataclass(frozen=True)
class ReportLine:
    receipt_number: int
    at: datetime
    patient_name: str
    amount_cents: int
    method: str
    by: str
    reason: str


@dataclass(frozen=True)
class SessionLine:
    drawer: str
    opened_at: datetime
    opened_by: str
    state: str
    closed_at: datetime | None
    closed_by: str
    reason: str
    approved_by: str
    over_short_cents: int | None


@dataclass(frozen=True)
class DayReport:
    day: date
    methods: dict[str, MethodTotals]
    by_purpose: dict[str, int]
    by_provider: dict[str, int]
    by_staff: dict[str, int]
    voids: tuple[ReportLine, ...]
    refunds: tuple[ReportLine, ...]
    sessions: tuple[SessionLine, ...]
    total_cents: int
    payments_count: int

    def as_json(self) -> dict[str, Any]:
        def line(item: ReportLine) -> dict[str, Any]:
            return {"receipt": item.receipt_number, "at": item.at.isoformat(),
                    "patient": item.patient_name, "amount": item.amount_cents,
                    "method": item.method, "by": item.by, "reason": item.reason}

        return {
            "date": self.day.isoformat(),
            "methods": {m: {"expected": t.expected_cents, "counted": t.counted_cents,
                            "over_short": t.over_short_cents} for m, t in self.methods.items()},
            "by_purpose": self.by_purpose, "by_provider": self.by_provider,
            "by_staff": self.by_staff, "voids": [line(v) for v in self.voids],
            "refunds": [line(r) for r in self.refunds],
            "sessions": [{"drawer": s.drawer, "opened_at": s.opened_at.isoformat(),
                          "opened_by": s.opened_by, "state": s.state,
                          "closed_at": s.closed_at.isoformat() if s.closed_at else None,
                          "closed_by": s.closed_by, "reason": s.reason,
                          "approved_by": s.approved_by, "over_short": s.over_short_cents}
                         for s in self.sessions],
            "total": self.total_cents, "payments": self.payments_count,
        }


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {i: one_line(n) for i, n in
            Staff.select(Staff.id, Staff.name).where(Staff.id.in_(wanted)).tuples()}


def _method_totals(sessions: list[DrawerSession], sums: dict[tuple[int, str], int]
                   ) -> dict[str, MethodTotals]:
    """Expected, counted and over/short per method; counted only when every drawer closed."""
    closed = all(not s.is_open for s in sessions) and bool(sessions)
    result = {}
    for method, counted_of, expected_of in (
            ("cash", "cash_counted_cents", "expected_cash_cents"),
            ("check", "checks_counted_cents", "expected_checks_cents"),
            ("card", "card_batch_cents", "expected_card_cents")):
        expected = 0
        for s in sessions:
            frozen = getattr(s, expected_of)
            if frozen is not None:
                expected += frozen
            else:
                expected += sums.get((s.id, method), 0) + (s.float_cents if method == "cash" else 0)
        if closed:
            count = sum(getattr(s, counted_of) for s in sessions)
            result[method] = MethodTotals(expected, count, count - expected)
        else:
            result[method] = MethodTotals(expected)
    return result


def day_report(day: date, *, by: Staff | None = None) -> DayReport:
    """Everything the drawers took over the sessions opened on a clinic day."""
    from frontdesk.patients import Patient
    from frontdesk.payments import Payment
    from frontdesk.providers import Provider
    from frontdesk.schedule import Appointment

    start, end = clock.day_bounds(day)
    sessions = list(DrawerSession.select(DrawerSession, Drawer).join(Drawer)
                    .where((DrawerSession.opened_at >= start) & (DrawerSession.opened_at < end))
                    .order_by(DrawerSession.opened_at))
    ids = [s.id for s in sessions]
    kept = Payment.session.in_(ids) & Payment.voided_at.is_null()

    def totals(*columns, join=None) -> list[tuple]:
        # Sums in SQL: a day of 5,000 payments is never pulled into Python row by row.
        query = Payment.select(*columns, pw.fn.SUM(Payment.amount_cents), pw.fn.COUNT(Payment.id))
        if join is not None:
            query = join(query)
        return list(query.where(kept).group_by(*columns).tuples()) if ids else []

    sums = {(session_id, method): cents
            for session_id, method, cents, _ in totals(Payment.session, Payment.method)}
    by_purpose = {purpose: cents for purpose, cents, _ in totals(Payment.purpose)}
    by_provider = {
        (one_line(f"{first} {last}, {cred}") if last else "no appointment"): cents
        for first, last, cred, cents, _ in totals(
            Provider.first_name, Provider.last_name, Provider.credentials,
            join=lambda q: q.join(Appointment, pw.JOIN.LEFT_OUTER)
            .join(Provider, pw.JOIN.LEFT_OUTER))}
    by_staff_id = {who: cents for who, cents, _ in totals(Payment.taken_by)}
    total = sum(by_purpose.values())
    count = sum(n for *_, n in totals(Payment.purpose))
    odd = (list(Payment.select(Payment, Patient.first_name, Patient.last_name).join(Patient)
                .where(Payment.session.in_(ids) & (Payment.voided_at.is_null(False)
                                                   | Payment.refund_of.is_null(False)))
                .order_by(Payment.id)) if ids else [])
    names = _names([*by_staff_id, *(p.voided_by_id for p in odd), *(p.taken_by_id for p in odd),
                    *(s.opened_by_id for s in sessions), *(s.closed_by_id for s in sessions),
                    *(s.approved_by_id for s in sessions)])

    def line(p, at: datetime, who: int, reason: str) -> ReportLine:
        return ReportLine(p.receipt_number, at, one_line(f"{p.patient.first_name} "
                                                         f"{p.patient.last_name}"),
                          p.amount_cents, p.method, names.get(who, ""), one_line(reason))

    voids = [line(p, p.voided_at, p.voided_by_id, p.void_reason) for p in odd if p.voided]
    refunds = [line(p, p.taken_at, p.taken_by_id, p.refund_reason) for p in odd
               if not p.voided and p.refund_of_id]
    by_staff = {names.get(i, str(i)): cents for i, cents in by_staff_id.items()}
    session_lines = tuple(SessionLine(
        s.drawer.name, s.opened_at, names.get(s.opened_by_id, ""), s.state, s.closed_at,
        names.get(s.closed_by_id, ""), one_line(s.reason), names.get(s.approved_by_id, ""),
        None if s.is_open else (s.over_short_cash_cents + s.over_short_checks_cents
                                + s.over_short_card_cents)) for s in sessions)
    if by is not None:
        if by is not audit.COMMAND_LINE:
            require(by, Permission.TAKE_PAYMENTS)
        with db.write(durable=False):
            audit.record("drawer.report_read", by=by, subject=f"day {day.isoformat()}",
                         detail={"os_user": audit.os_user()} if by is audit.COMMAND_LINE
                         else None)
    return DayReport(day, _method_totals(sessions, sums), by_purpose, by_provider, by_staff,
                     tuple(voids), tuple(refunds), session_lines, total, count)


def day_report_text(report: DayReport, width: int = 78) -> str:
    lines = _header(f"END OF DAY  {report.day:%A %m/%d/%Y}", width)
    if not report.sessions:
        return "\n".join(lines + ["No drawer was opened that day."]) + "\n"
    lines.append(_pair("Method", f"{'expected':>12}{'counted':>12}{'over/short':>14}", width))
    for method, totals in report.methods.items():
        counted_words = "open" if totals.counted_cents is None else money(totals.counted_cents)
        lines.append(_pair(method.capitalize(), f"{money(totals.expected_cents):>12}"
                           f"{counted_words:>12}{_over_short_words(totals.over_short_cents):>14}",
                           width))
    lines.append(_pair(f"Total taken ({report.payments_count} payments)",
                       money(report.total_cents), width))
    for title, table in (("By purpose", report.by_purpose), ("By provider", report.by_provider),
                         ("By staff", report.by_staff)):
        lines += ["", title]
        for name, cents in sorted(table.items()):
            lines.append(_pair("  " + name.replace("_", " "), money(cents), width))
    for title, items in (("Voids", report.voids), ("Refunds", report.refunds)):
        lines += ["", title + ("" if items else ": none")]
        for item in items:
            lines.append(_pair(f"  #{item.receipt_number} {clock.wall(item.at)} "
                               f"{item.patient_name} ({item.method}, {item.by})",
                               money(item.amount_cents), width))
            lines.append(f"    {item.reason}"[:width])
    lines += ["", "Drawers"]
    for s in report.sessions:
        closed = (f"closed {clock.wall(s.closed_at)} by {s.closed_by}" if s.closed_at
                  else "still open")
        lines.append(f"  {s.drawer}: opened {clock.wall(s.opened_at)} by {s.opened_by}, "
                     f"{closed}"[:width])
        if s.closed_at:
            lines.append(f"    {_over_short_words(s.over_short_cents)}"
                         + (f"; {s.reason}" if s.reason else "")
                         + (f"; approved by {s.approved_by}" if s.approved_by else ""))
    return "\n".join(lines) + "\n"


def day_report_pdf(report: DayReport) -> bytes:
    from frontdesk.pdf import LETTER, text_pdf

    return text_pdf(day_report_text(report, width=90), page=LETTER, size=8,
                    title=f"End of day {report.day.isoformat()}")
