"""The Drawer area (alt+d): this terminal's cash drawer, the day's report, opening it.

The open session of the drawer named in config (`drawer`, "Front 1") with every
payment it took, marks for voids and refunds, and what should be in it per method.
From here staff take a payment (the patient found first), reprint, void, refund a
closed day's receipt, open the drawer with its float, run the guided close
(screens/drawer_close.py) and read the day's report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from frontdesk import clock, drawer, payments, printouts
from frontdesk.changes import Change
from frontdesk.dates import describe
from frontdesk.drawer import ClosePlan, money
from frontdesk.errors import FrontdeskError
from frontdesk.payments import PaymentLine
from frontdesk.text import clean, one_line
from screens.actions import DAY_REPORT, DRAWER, FORM, OPEN_DRAWER, bindings
from screens.base import DeskModal, DeskScreen, FormFields, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.payment import show_receipt, take_payment
from screens.payment_history import about_line, payment_row, short_name, undo_state
from screens.refund import VoidForm, refund_then_receipt
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.count_grid import CountGrid

__all__ = ["DrawerScreen", "OpenDrawer", "DayReportScreen"]

REPORT_WIDTH = 76
"""The day report's columns on screen: 80 less the scroll bar and the margins."""
SHOWN = 200
"""Payments listed at most, the newest: a list of thousands takes seconds to draw, and
the totals and the day report count every one anyway."""


@dataclass(frozen=True)
class _State:
    """The drawer as read: its open session's payments and totals, or its last close."""

    name: str
    session_id: int | None = None
    opened: str = ""
    float_cents: int = 0
    plan: ClosePlan | None = None
    lines: list[PaymentLine] = field(default_factory=list)
    count: int = 0
    """Every payment of the session; more than the lines when the list is cut."""
    last: str = ""
    """When the drawer is shut: when it last closed, and by whom."""


def _when(moment: datetime) -> str:
    local = clock.local(moment)
    day = "" if local.date() == clock.today() else f" on {describe(local.date())}"
    return f"{clock.wall(local)}{day}"


def _read(name: str | None = None) -> _State:
    name = drawer.drawer_name(name)
    session = drawer.current(name)
    if session is None:
        before = drawer.latest(name)
        last = ""
        if before is not None and before.closed_at is not None:
            last = (f"Last closed at {_when(before.closed_at)} by "
                    f"{one_line(before.closed_by.name)}.")
        return _State(name, last=last)
    lines = payments.session_payments(session, newest=SHOWN)
    count = payments.session_count(session) if len(lines) == SHOWN else len(lines)
    return _State(name, session.id,
                  f"open since {_when(session.opened_at)} by {one_line(session.opened_by.name)}",
                  session.float_cents, drawer.close_plan(session), lines, count)


def _totals(state: _State) -> Text:
    plan = state.plan
    if plan is None:
        return Text("")
    checks = len(plan.checks)
    line = Text()
    if state.count > len(state.lines):
        line.append(f"The newest {len(state.lines):,} of {state.count:,} listed; d: the day "
                    "report has them all.\n", style="yellow")
    line.append_text(Text.assemble(
        ("In the drawer: ", "dim"), ("cash ", "dim"), (money(plan.expected_cash_cents), "bold"),
        (f" (float {money(plan.float_cents)})", "dim"), ("  checks ", "dim"),
        (money(plan.expected_checks_cents), "bold"),
        (f" ({checks})" if checks else "", "dim"), ("  card ", "dim"),
        (money(plan.expected_card_cents), "bold")))
    return line


class DrawerScreen(DeskScreen):
    CSS_PATH = "drawer.tcss"
    BINDINGS = bindings(DRAWER)
    COMMANDS = {ScreenActions}
    AREA = "drawer"
    ACTIONS = DRAWER

    @dataclass
    class Loaded(Message):
        state: _State

    def __init__(self) -> None:
        super().__init__()
        self.state: _State | None = None
        self.lines: list[PaymentLine] = []
        self._select: int | None = None
        """The payment to put the cursor on once read: the one just taken here."""

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Reading the drawer…", id="title")
        table = DataTable(id="payments", cursor_type="row", zebra_stripes=True)
        # With the cells' padding these fill 80 columns; the line under the list says
        # the highlighted payment in full.
        for label, width in (("Time", 5), ("#", 4), ("Patient", 14), ("For", 10),
                             ("Method", 15), ("Amount", 9), ("By", 7)):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="about")
        yield Static("", id="totals")
        yield Static("", id="unsettled")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @db_work(group="drawer")
    def _load(self) -> None:
        self.post_message(self.Loaded(_read()))

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when a terminal (this one too) changed something."""
        name = self.state.name if self.state else None
        if any((c.topic == "drawer" and c.key in ("*", name)) or c.topic == "payment"
               for c in changes):
            self._load()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        state = self.state = message.state
        title = self.query_one("#title", Static)
        if state.session_id is None:
            title.update(Text.assemble((one_line(state.name), "bold"), " is not open. ",
                                       (state.last, "dim")))
        else:
            title.update(Text.assemble((one_line(state.name), "bold"), f" · {state.opened}",
                                       (f" · float {money(state.float_cents)}", "dim")))
        table = self.query_one(DataTable)
        keep = self._select or (self.current.id if self.current else None)
        self._select = None
        table.clear()
        self.lines = state.lines
        for line in self.lines:
            table.add_row(clock.wall(line.taken_at), str(line.receipt_number),
                          Text(one_line(line.patient_name), overflow="ellipsis", no_wrap=True),
                          *payment_row(line),
                          Text(short_name(line.taken_by), overflow="ellipsis", no_wrap=True),
                          key=str(line.id))
        if self.lines:
            row = next((i for i, line in enumerate(self.lines) if line.id == keep),
                       len(self.lines) - 1)  # the newest, at the foot, by default
            table.move_cursor(row=row, animate=False)
        self.query_one("#totals", Static).update(_totals(state))
        unsettled = self.query_one("#unsettled", Static)
        if state.plan is not None and state.plan.unsettled:
            count = len(state.plan.unsettled)
            unsettled.update(Text(f"{count} visit{'s' if count > 1 else ''} still "
                                  f"need{'' if count > 1 else 's'} a check-out, no-show or "
                                  "cancel before the close.", style="yellow"))
        else:
            unsettled.update("")
        self._moved()

    @property
    def current(self) -> PaymentLine | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self.lines)

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        line = self.current
        about = self.query_one("#about", Static)
        if line is not None:
            about.update(about_line(line))
        elif self.state is not None and self.state.session_id is None:
            about.update(Text("o opens the drawer, counting its float. d: the day's report.",
                              style="dim"))
        elif self.state is not None:
            about.update(Text("No payments yet. p takes one.", style="dim"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.state
        if action == "open_drawer":
            return None if state is None or state.session_id is not None else True
        if action == "close_drawer":
            return None if state is None or state.session_id is None else True
        if action == "refund":
            return True  # of any closed day's receipt, typed in the form
        if action in ("reprint", "void"):
            return undo_state(self.app, action, self.current)
        return True

    # -- actions ----------------------------------------------------------------------

    def _reload_at(self, payment_id: int | None) -> None:
        self._select = payment_id
        self._load()

    def action_pay(self) -> None:
        take_payment(self.app, then=self._reload_at)

    def action_reprint(self) -> None:
        if self.current is not None:
            show_receipt(self.app, self.current.id, reprint=True)

    def action_void(self) -> None:
        if self.current is not None:
            self.app.push_screen(VoidForm(self.current), self._voided)

    def _voided(self, done: bool | None) -> None:
        if done:
            self.notify("Voided: kept in the list, marked void.", timeout=4)
            self._load()

    def action_refund(self) -> None:
        refund_then_receipt(self.app, None, self._reload_at)

    def action_open_drawer(self) -> None:
        self.app.push_screen(OpenDrawer(), lambda opened: opened and self._load())

    def action_close_drawer(self) -> None:
        if self.state is None or self.state.session_id is None:
            return
        from screens.drawer_close import DrawerClose  # not at start-up

        self.app.push_screen(DrawerClose(self.state.session_id), lambda _: self._load())

    def action_day_report(self) -> None:
        self.app.push_screen(DayReportScreen(clock.today()))


class OpenDrawer(FormFields, DeskModal[bool]):
    """Open this terminal's drawer with its float counted by bill and coin; dismissed
    True once open."""

    CSS_PATH = "drawer.tcss"
    BINDINGS = [*bindings(OPEN_DRAWER), *bindings(FORM)]
    AREA = "open drawer"
    ACTIONS = OPEN_DRAWER

    @dataclass
    class Answered(Message):
        opened: bool
        refusal: str = ""
        field: str | None = None

    def __init__(self, drawer_name: str | None = None) -> None:
        super().__init__()
        self.drawer_name = drawer_name
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static("Count the starting float, bill by bill and coin by coin.",
                         id="ask")
            yield CountGrid(id="float")
            yield Label("", id="refusal")
            yield Static("↑↓ or ⏎ move · ^s opens the drawer · Esc leaves it shut",
                         id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        try:
            name = drawer.drawer_name(self.drawer_name)
        except FrontdeskError:
            name = "the drawer"
        self.query_one("#box").border_title = f"Open {one_line(name)}"
        self.query_one(CountGrid).first().focus()

    def action_save(self) -> None:
        self._submit_after(self._fields())

    def submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.query_one("#refusal", Label).update("Opening…")
        self._open(self.query_one(CountGrid).counts)

    @db_work(group="open-drawer")
    def _open(self, counts: dict[int, str]) -> None:
        try:
            drawer.open(self.drawer_name, counts, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(False, str(error), error.field))
        else:
            self.post_message(self.Answered(True))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._busy = False
        if message.opened:
            self.dismiss(True)
            return
        self.query_one("#refusal", Label).update(message.refusal)
        self.query_one(CountGrid).focus_count(message.field)

    def action_close(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True)
class _Report:
    day: date
    text: str
    report: drawer.DayReport


class DayReportScreen(DeskScreen):
    """The end-of-day report of one clinic day, as the PDF prints it."""

    CSS_PATH = "drawer.tcss"
    BINDINGS = bindings(DAY_REPORT)
    COMMANDS = {ScreenActions}
    AREA = "day report"
    ACTIONS = DAY_REPORT

    @dataclass
    class Loaded(Message):
        report: _Report

    @dataclass
    class Saved(Message):
        said: str
        failed: bool = False

    def __init__(self, day: date) -> None:
        super().__init__()
        self.day = day
        self.report: _Report | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="title")
        with VerticalScroll(id="scroll"):
            yield Static("Reading…", id="text")
        yield Label("", id="said")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#scroll").focus()
        self._show_title()
        self._load(self.day)

    def _show_title(self) -> None:
        self.query_one("#title", Static).update(
            Text.assemble(("End of day · ", "bold"), (describe(self.day), "bold")))

    @db_work(group="day-report")
    def _load(self, day: date) -> None:
        report = drawer.day_report(day, by=self.app.signed_in)
        self.post_message(self.Loaded(_Report(day, drawer.day_report_text(report, REPORT_WIDTH),
                                              report)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.report.day != self.day:
            return  # staff have moved on to another day
        self.report = message.report
        self.query_one("#text", Static).update(Text(clean(message.report.text,
                                                          keep_newlines=True)))
        self.refresh_bindings()

    def _go(self, day: date) -> None:
        self.day = day
        self.report = None
        self._show_title()
        self.query_one("#text", Static).update("Reading…")
        self.query_one("#said", Label).update("")
        self.query_one("#scroll", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()
        self._load(day)

    def action_day(self, step: int) -> None:
        self._go(self.day + timedelta(days=step))

    def action_today(self) -> None:
        self._go(clock.today())

    def action_go_to(self) -> None:
        from screens.goto import GoToDate  # the schedule's own box

        self.app.push_screen(GoToDate(), lambda day: day is not None and self._go(day))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_pdf":
            return None if self.report is None else True
        return True

    def action_save_pdf(self) -> None:
        if self.report is not None:
            self.query_one("#said", Label).update("Saving…")
            self._save(self.report)

    @db_work(group="day-report-save")
    def _save(self, report: _Report) -> None:
        try:
            written = printouts.save(f"day-report-{report.day.isoformat()}",
                                     drawer.day_report_pdf(report.report), by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Saved(str(error), failed=True))
        else:
            self.post_message(self.Saved(f"Saved as {written}"))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        said = self.query_one("#said", Label)
        said.update(message.said)
        said.set_class(message.failed, "error")

    def action_close(self) -> None:
        self.dismiss()
