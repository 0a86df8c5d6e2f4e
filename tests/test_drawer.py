"""Drawer sessions: the float, the guided close, over/short, the day's report."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import traceback
from datetime import time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from frontdesk import audit, clock, config, db, drawer, payments, schedule, staff
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, SignInRefused, StaleEdit
from frontdesk.roles import Role
from tests.conftest import NOW, PASSWORD, TODAY

FLOAT = {2000: 5, 500: 10, 100: 20, 25: 40}  # $180.00


@pytest.fixture
def opened(clinic):
    return drawer.open(None, FLOAT, by=clinic.desk)


@pytest.fixture
def manager(clinic):
    return staff.add_staff("mgr", "Morgan Manager", Role.MANAGER, PASSWORD, by=clinic.admin)


def _take_some(clinic):
    payments.take(clinic.maria, "25", "copay", "cash", tendered="40", by=clinic.desk)
    payments.take(clinic.john, "30", "copay", "check", check_number="1042", by=clinic.desk)
    payments.take(clinic.maria, "12.50", "coinsurance", "check", check_number="77",
                  by=clinic.desk)
    payments.take(clinic.john, "100", "deductible", "card", card_brand="Visa",
                  card_last4="4242", auth_code="A1", by=clinic.desk)
    oops = payments.take(clinic.maria, "60", "copay", "cash", by=clinic.desk)
    payments.void(oops, "typed 60 not 6", version=oops.version, by=clinic.desk)


def _even(plan, by, **overrides):
    values = dict(cash_counts={1: plan.expected_cash_cents},
                  checks_ticked=[c.payment_id for c in plan.checks],
                  card_batch=plan.expected_card_cents, version=plan.version, by=by)
    values.update(overrides)
    return values


# -- opening --------------------------------------------------------------------------------

def test_a_drawer_opens_with_its_float_counted_by_denomination(clinic):
    session = drawer.open("Front 1", {"2000": "5", 500: 10, 100: 20, 25: 40, 10: ""},
                          by=clinic.desk)
    assert session.float_cents == 18000 and session.is_open
    assert session.float_dict == {2000: 5, 500: 10, 100: 20, 25: 40}
    assert drawer.current().id == session.id and drawer.current("Front 2") is None
    assert drawer.counted_total({2000: "2", 1: "3"}) == 4003


def test_one_open_session_per_drawer(clinic, opened):
    with pytest.raises(Conflict, match=r"Front 1 is already open \(opened by Dana Desk at 10:20\)"):
        drawer.open("Front 1", {}, by=clinic.desk)
    assert drawer.open("Front 2", {}, by=clinic.desk).is_open


@pytest.mark.parametrize("counts, field", [({2000: "-1"}, "count_2000"), ({500: "two"}, "count_500"),
                                          ({300: 1}, "count_300"), ({100: 10**6}, "count_100")])
def test_bad_counts_are_refused_naming_the_cell(clinic, counts, field):
    with pytest.raises(InvalidInput) as refused:
        drawer.open(None, counts, by=clinic.desk)
    assert refused.value.field == field


def test_an_administrator_does_not_open_a_drawer(clinic):
    with pytest.raises(NotAllowed):
        drawer.open(None, FLOAT, by=clinic.admin)


def test_the_drawer_of_a_terminal_comes_from_config(clinic):
    config.use(config.Config(timezone="America/New_York", drawer="Back office"))
    assert drawer.open(None, {}, by=clinic.desk).drawer.name == "Back office"


# -- the plan -------------------------------------------------------------------------------

def test_the_plan_lists_expected_money_per_method(clinic, opened):
    _take_some(clinic)
    plan = drawer.close_plan(opened)
    assert plan.expected_cash_cents == 18000 + 2500  # the void left out, change given back
    assert plan.expected_checks_cents == 4250 and plan.expected_card_cents == 10000
    assert [(c.check_number, c.amount_cents) for c in plan.checks] == [("1042", 3000), ("77", 1250)]
    assert plan.threshold_cents == 500 and plan.unsettled == ()


def test_appointments_without_a_disposition_must_be_settled_first(clinic, opened):
    visit = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(11),
                          by=clinic.desk)
    plan = drawer.close_plan(opened)
    assert [(a.id, a.patient_name, a.status) for a in plan.unsettled] == [
        (visit.id, "María García", "scheduled")]
    with pytest.raises(Conflict, match="1 appointment still needs checking out.*María García"):
        drawer.close(opened, **_even(plan, clinic.desk))
    schedule.cancel(visit, category="patient", by=clinic.desk)
    assert drawer.close_plan(opened).unsettled == ()


# -- counting and closing -------------------------------------------------------------------

def test_counted_shows_over_and_short_per_method(clinic, opened):
    _take_some(clinic)
    plan = drawer.close_plan(opened)
    ticked = [plan.checks[0].payment_id]
    count = drawer.counted(plan, {2000: 6, 500: 10, 100: 20, 25: 40, 1: "400"}, ticked, "99.00")
    assert (count.cash.expected_cents, count.cash.counted_cents,
            count.cash.over_short_cents) == (20500, 20400, -100)
    assert count.checks.over_short_cents == -1250 and count.card.over_short_cents == -100
    assert count.difference_cents == 1450 and count.needs_approval
    even = drawer.counted(plan, {1: 20500}, [c.payment_id for c in plan.checks], 10000)
    assert even.difference_cents == 0 and not even.needs_approval
    with pytest.raises(InvalidInput) as refused:
        drawer.counted(plan, {}, [999], 0)
    assert refused.value.field == "checks"
    with pytest.raises(InvalidInput) as refused:
        drawer.counted(plan, {}, [], "12.345")
    assert refused.value.field == "card_batch"


def test_an_even_close_freezes_the_session(clinic, opened):
    _take_some(clinic)
    plan = drawer.close_plan(opened)
    closed = drawer.close(opened, **_even(plan, clinic.desk))
    assert not closed.is_open and closed.closed_by_id == clinic.desk.id
    assert (closed.over_short_cash_cents, closed.over_short_checks_cents,
            closed.over_short_card_cents) == (0, 0, 0)
    assert closed.float_kept_cents == 18000 and closed.open_key is None
    assert drawer.current() is None
    with pytest.raises(Conflict, match="already closed by Dana Desk at 10:20"):
        drawer.close(opened, **_even(plan, clinic.desk, version=closed.version))
    with pytest.raises(Conflict, match="already closed"):
        drawer.close_plan(opened)
    assert drawer.open(None, FLOAT, by=clinic.desk).is_open  # the next day's session


def test_a_small_difference_closes_without_approval(clinic, opened):
    plan = drawer.close_plan(opened)
    closed = drawer.close(opened, **_even(plan, clinic.desk,
                                          cash_counts={1: plan.expected_cash_cents - 300}))
    assert closed.over_short_cash_cents == -300 and closed.approved_by_id is None


def test_over_the_threshold_needs_a_reason_and_a_manager(clinic, opened, manager):
    plan = drawer.close_plan(opened)
    short = _even(plan, clinic.desk, cash_counts={1: plan.expected_cash_cents - 2000})
    with pytest.raises(InvalidInput, match=r"off by \$20.00, over the \$5.00") as refused:
        drawer.close(opened, **short)
    assert refused.value.field == "reason"
    with pytest.raises(NotAllowed, match="manager") as refused:
        drawer.close(opened, reason="a $20 bill missing", **short)
    assert refused.value.field == "approver"
    with pytest.raises(SignInRefused):
        drawer.approver("mgr", "wrong password")
    with pytest.raises(NotAllowed, match="a manager must"):
        drawer.approver("desk", PASSWORD)
    approving = drawer.approver("mgr", PASSWORD)
    closed = drawer.close(opened, reason="a $20 bill missing", approver=approving, **short)
    assert closed.approved_by_id == manager.id and closed.reason == "a $20 bill missing"
    event = audit.AuditEvent.select().where(audit.AuditEvent.action == "drawer.closed").get()
    assert json.loads(event.detail)["over_short_cents"]["cash"] == -2000


def test_a_stale_close_is_refused(clinic, opened):
    plan = drawer.close_plan(opened)
    with pytest.raises(StaleEdit):
        drawer.close(opened, **_even(plan, clinic.desk, version=plan.version + 1))


def test_the_close_report_and_deposit_slip(clinic, opened):
    config.use(config.Config(timezone="America/New_York", clinic_name="Elm Street Family Practice",
                             clinic_address=("12 Elm Street", "Springfield, MA 01101")))
    _take_some(clinic)
    plan = drawer.close_plan(opened)
    closed = drawer.close(opened, **_even(plan, clinic.desk, float_kept="150"))
    report = drawer.close_report_text(closed)
    assert "Elm Street Family Practice" in report and "12 Elm Street" in report
    assert "DRAWER CLOSE" in report and "DEPOSIT SLIP" in report
    assert all(len(line) <= 40 for line in report.splitlines())
    slip = drawer.deposit_slip_text(closed)
    # $205.00 counted less $150.00 kept, plus $42.50 of checks.
    assert "$55.00" in slip and "#1042" in slip and "$97.50" in slip
    pdf = drawer.close_report_pdf(closed)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    with pytest.raises(InvalidInput, match="more than the cash counted"):
        second = drawer.open(None, {}, by=clinic.desk)
        drawer.close(second, **_even(drawer.close_plan(second), clinic.desk, float_kept="5"))


# -- the day's report -----------------------------------------------------------------------

def test_the_day_report_totals_by_method_purpose_provider_and_staff(clinic, opened, manager):
    visit = schedule.book(clinic.maria, clinic.patel, clinic.follow_up, TODAY, time(8),
                          by=clinic.desk)
    payments.take(clinic.maria, "25", "copay", "cash", appointment=visit, by=clinic.desk)
    _take_some(clinic)
    schedule.check_in(visit, by=clinic.desk)
    schedule.check_out(schedule.get(visit.id), by=clinic.desk)
    open_report = drawer.day_report(TODAY)
    assert open_report.methods["cash"].counted_cents is None
    assert open_report.methods["cash"].expected_cents == 18000 + 5000
    plan = drawer.close_plan(opened)
    drawer.close(opened, reason="short a $10", approver=drawer.approver("mgr", PASSWORD),
                 **_even(plan, clinic.desk, cash_counts={1: plan.expected_cash_cents - 1000}))
    report = drawer.day_report(TODAY, by=manager)
    assert report.methods["cash"].over_short_cents == -1000
    assert report.methods["check"].expected_cents == 4250
    assert report.by_purpose == {"copay": 8000, "coinsurance": 1250, "deductible": 10000}
    assert report.by_provider == {"Anita Patel, MD": 2500, "no appointment": 16750}
    assert report.by_staff == {"Dana Desk": 19250} and report.payments_count == 5
    assert [(v.amount_cents, v.reason, v.by) for v in report.voids] == [
        (6000, "typed 60 not 6", "Dana Desk")]
    assert report.sessions[0].approved_by == "Morgan Manager"
    shown = report.as_json()
    assert shown["methods"]["cash"] == {"expected": 23000, "counted": 22000, "over_short": -1000}
    assert json.loads(json.dumps(shown)) == shown
    text = drawer.day_report_text(report)
    assert "short $10.00" in text and "typed 60 not 6" in text
    assert drawer.day_report_pdf(report).startswith(b"%PDF")
    assert drawer.day_report(TODAY - timedelta(days=1)).sessions == ()


# -- sums are exact -------------------------------------------------------------------------

_steps = st.lists(st.one_of(
    st.tuples(st.just("take"), st.sampled_from(["cash", "check", "card"]),
              st.integers(min_value=1, max_value=50_000)),
    st.tuples(st.just("void"), st.integers(min_value=0, max_value=30), st.just(0))),
    max_size=25)


_examples = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps, refunds=st.lists(st.integers(min_value=0, max_value=30), max_size=6))
def test_expected_totals_are_the_sum_of_what_was_not_voided(clinic, steps, refunds):
    name = f"Test {next(_examples)}"  # examples share the database: a drawer each
    first = drawer.open(name, {2000: 1}, by=clinic.desk)
    taken: list[payments.Payment] = []
    for step, a, b in steps:
        if step == "take":
            extra = {"check": dict(check_number="1"),
                     "card": dict(card_brand="Visa", card_last4="1111", auth_code="A")}.get(a, {})
            taken.append(payments.take(clinic.john, b, "copay", a, drawer=name, by=clinic.desk,
                                       **extra))
        elif taken:
            victim = payments.payment(taken[a % len(taken)].id)
            if not victim.voided:
                payments.void(victim, "test", version=victim.version, by=clinic.desk)
    kept = [p for p in (payments.payment(p.id) for p in taken) if not p.voided]
    plan = drawer.close_plan(first)
    by_method = {m: sum(p.amount_cents for p in kept if p.method == m)
                 for m in ("cash", "check", "card")}
    assert plan.expected_cash_cents == first.float_cents + by_method["cash"]
    assert plan.expected_checks_cents == by_method["check"]
    assert plan.expected_card_cents == by_method["card"]
    drawer.close(first, **_even(plan, clinic.desk))
    second = drawer.open(name, {}, by=clinic.desk)
    given_back = {"cash": 0, "card": 0}
    for index in refunds:
        original = kept[index % len(kept)] if kept else None
        if original is None or original.method == "check":
            continue
        left = payments.refundable_cents(original)
        if left:
            payments.refund(original, left, "test", original.method, drawer=name,
                            auth_code="R" if original.method == "card" else "", by=clinic.desk)
            given_back[original.method] += left
    later = drawer.close_plan(second)
    assert later.expected_cash_cents == -given_back["cash"]
    assert later.expected_card_cents == -given_back["card"]


# -- two terminals closing at once ----------------------------------------------------------

def _closer(path: str, session_id: int, desk_id: int, go, results) -> None:
    try:
        db.open_database(path)
        with clock.frozen(NOW):
            config.use(config.Config(timezone="America/New_York"))
            person = staff.Staff.get_by_id(desk_id)
            plan = drawer.close_plan(session_id)
            go.wait()  # both have read the open session before either closes it
            try:
                drawer.close(session_id, **_even(plan, person))
                results.put(("won", ""))
            except Conflict as refused:
                results.put(("lost", str(refused)))
    except BaseException:
        results.put(("error", traceback.format_exc()))
    finally:
        db.close_database()


def test_two_terminals_closing_the_same_drawer_one_wins(clinic, opened, database: Path):
    _take_some(clinic)
    other = staff.add_staff("desk2", "Alex Desk", Role.FRONT_DESK, PASSWORD, by=clinic.admin)
    db.close_database()  # a connection must not cross a fork
    context = multiprocessing.get_context("fork")
    go, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_closer, args=(str(database), opened.id, who, go, results))
               for who in (clinic.desk.id, other.id)]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=10)
    db.open_database(database)
    assert [o[0] for o in outcomes] == ["lost", "won"], outcomes
    assert "already closed by" in outcomes[0][1] and "at 10:20" in outcomes[0][1]
    assert drawer.session(opened.id).state == "closed"


# -- the command line -----------------------------------------------------------------------

def test_the_drawer_report_command_prints_json_and_text(clinic, opened, database, capsys):
    from frontdesk import cli

    _take_some(clinic)
    drawer.close(opened, **_even(drawer.close_plan(opened), clinic.desk))
    db.close_database()
    assert cli.main(["drawer", "report", "--db", str(database), "--date", TODAY.isoformat(),
                     "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["date"] == "2026-12-01"
    assert shown["methods"]["cash"] == {"expected": 20500, "counted": 20500, "over_short": 0}
    assert set(shown["methods"]) == {"cash", "check", "card"}
    assert cli.main(["drawer", "report", "--db", str(database), "--date", "2026-12-01"]) == 0
    assert "END OF DAY" in capsys.readouterr().out
    db.open_database(database)


def test_the_import_balances_command(clinic, database, tmp_path, capsys):
    from frontdesk import cli

    path = tmp_path / "owed.csv"
    path.write_text(f"mrn,balance\n{clinic.maria.mrn},40\nnobody,1\n", encoding="utf-8")
    db.close_database()
    assert cli.main(["import", "balances", str(path), "--db", str(database),
                     "--as", "desk"]) == 1
    out = capsys.readouterr().out
    assert "1 balances set" in out and "Row 3, mrn: No patient has MRN nobody." in out
    db.open_database(database)
