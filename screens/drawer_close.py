"""The guided close of a cash drawer (`c` in the Drawer area): cash drawer reconciliation.

Five steps, PgDn and PgUp between them, each on one screen at 80x24:
1. the day's appointments still without a disposition, each checked out (`o`),
   marked a no-show (`m`) or cancelled (`x`) here, with the schedule's own panels;
2. the cash counted by bill and coin in the count grid, totals as staff type;
3. each check the drawer took, ticked (space) when found in the drawer;
4. the card terminal's batch total;
5. expected against counted per method, the over or short, and, when the drawer is
   off by more than the threshold, a written reason and a manager signing in here.
^s closes; the close report and deposit slip follow, to print or save.

The counting is blind: what the drawer should hold is shown only at the summary, so
a count is what is in the drawer, not what staff expect to find. The rules (what
must be settled, what needs approval, who may approve, one close only) are
frontdesk.drawer's; a refusal is shown as it is, and nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable, Input, Label, Static

from frontdesk import clock, drawer, schedule
from frontdesk.changes import Change
from frontdesk.drawer import ClosePlan, Count, money
from frontdesk.errors import FrontdeskError
from frontdesk.text import one_line
from screens.actions import DRAWER_CLOSE, FORM, bindings
from screens.base import DeskScreen, FormFields, db_work
from screens.commands import ScreenActions
from screens.receipt import Printout, close_report_sheet
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.count_grid import CountGrid

__all__ = ["DrawerClose", "STEPS"]

STEPS = {"visits": "Visits", "cash": "Cash", "checks": "Checks", "card": "Card",
         "summary": "Summary"}
"""Each step's id and its name on the steps line, in order."""
_ORDER = list(STEPS)
_DEPARTS = ("arrived", "roomed", "with_provider")
"""Statuses a patient is checked out from; the others are no-shows or cancels."""
_STEP_OF_FIELD = {"card_batch": "card", "checks": "checks", "reason": "summary",
                  "approver": "summary", "float_kept": "summary", "appointments": "visits"}
"""The step holding the field a refusal names (count_2000 and the like: the cash)."""


def _over_short(cents: int | None) -> Text:
    if cents is None:
        return Text("")
    if cents == 0:
        return Text("even")
    return Text(f"{'over' if cents > 0 else 'short'} {money(abs(cents))}", style="bold")


def _summary(plan: ClosePlan, count: Count) -> Table:
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, header_style="bold")
    table.add_column("", width=8)
    for name in ("Expected", "Counted"):
        table.add_column(name, justify="right", width=11)
    table.add_column("Over or short", width=16)
    for label, totals in (("Cash", count.cash), ("Checks", count.checks), ("Card", count.card)):
        table.add_row(label, money(totals.expected_cents), money(totals.counted_cents or 0),
                      _over_short(totals.over_short_cents))
    return table


class DrawerClose(FormFields, DeskScreen):
    """`DrawerClose(session_id)`: dismissed True once the drawer is closed."""

    CSS_PATH = "drawer_close.tcss"
    BINDINGS = [*bindings(DRAWER_CLOSE), *bindings(FORM)]
    COMMANDS = {ScreenActions}
    AREA = "drawer close"
    ACTIONS = DRAWER_CLOSE

    @dataclass
    class Planned(Message):
        plan: ClosePlan | None
        refusal: str = ""

    @dataclass
    class Marked(Message):
        refusal: str = ""

    @dataclass
    class Closed(Message):
        session_id: int | None
        refusal: str = ""
        field: str | None = None

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.plan: ClosePlan | None = None
        self.step = "visits"
        self.ticked: set[int] = set()
        self.count: Count | None = None
        self._busy = False
        self._leaving = False
        self.closed_id: int | None = None
        """Set once this screen has closed the drawer."""

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Reading the drawer…", id="title")
        yield Static("", id="steps")
        with ContentSwitcher(initial="visits", id="body"):
            with Vertical(id="visits"):
                yield Static("", id="visits-said")
                table = DataTable(id="unsettled", cursor_type="row", zebra_stripes=True)
                for label, width in (("Time", 5), ("Patient", 26), ("With", 20),
                                     ("Status", 14)):
                    table.add_column(label, width=width)
                yield table
            with Horizontal(id="cash"):
                yield CountGrid(id="cash-count")
                yield Static("Count every bill and coin in the drawer, the float included.\n\n"
                             "↑↓ or ⏎ move between rows; from the last row ⏎ goes on to "
                             "the checks.\n\nWhat the drawer should hold is shown at the "
                             "summary, after the count.", id="cash-said")
            with Vertical(id="checks"):
                yield Static("", id="checks-said")
                table = DataTable(id="check-list", cursor_type="row", zebra_stripes=True)
                for label, width in (("In", 3), ("Check", 10), ("Patient", 26), ("Receipt", 8),
                                     ("Amount", 10)):
                    table.add_column(label, width=width)
                yield table
                yield Static("", id="checks-total")
            with Vertical(id="card"):
                yield Static("Print the batch report on the card terminal (its settlement or "
                             "end-of-day report) and type its total.", id="card-said")
                with Horizontal(classes="row"):
                    yield Label("Batch total", classes="label")
                    yield Input(id="card_batch", compact=True, max_length=14,
                                placeholder="0.00")
                    yield Label("", id="card-echo", classes="echo")
            with Vertical(id="summary"):
                yield Static("", id="summary-table")
                yield Static("", id="summary-said")
                with Horizontal(classes="row"):
                    yield Label("Float kept", classes="label")
                    yield Input(id="float_kept", compact=True, max_length=14)
                    yield Label("", id="float-echo", classes="echo")
                # Last: the manager's password is the final thing typed, and its enter
                # closes the drawer.
                with Vertical(id="approval"):
                    with Horizontal(classes="row"):
                        yield Label("Why", classes="label")
                        yield Input(id="reason", compact=True, max_length=500,
                                    placeholder="what happened, as far as you know")
                    with Horizontal(classes="row"):
                        yield Label("Manager", classes="label")
                        yield Input(id="approver_username", compact=True, max_length=60,
                                    placeholder="username")
                    with Horizontal(classes="row"):
                        yield Label("Password", classes="label")
                        yield Input(id="approver_password", compact=True, password=True,
                                    max_length=200)
        yield Label("", id="refusal")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#approval").display = False
        self._load()
        self._show_step()

    # -- the plan: what must be settled and what is expected ---------------------------

    @db_work(group="drawer-close-plan")
    def _load(self) -> None:
        try:
            self.post_message(self.Planned(drawer.close_plan(self.session_id)))
        except FrontdeskError as error:
            self.post_message(self.Planned(None, str(error)))

    def refresh_day(self, changes: list[Change]) -> None:
        """Another terminal took a payment or settled a visit: read the plan again."""
        if any(c.topic in ("drawer", "payment", "appointment") for c in changes):
            self._load()

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        if message.plan is None:
            if self.closed_id is not None:
                return  # closed here: the report is on screen
            # Closed elsewhere, say: the counts stay on screen, the message says why.
            self._say(message.refusal)
            self.refresh_bindings()
            return
        plan = self.plan = message.plan
        self.query_one("#title", Static).update(Text.assemble(
            ("Close ", "bold"), (one_line(plan.drawer_name), "bold"),
            f" · opened {clock.wall(plan.opened_at)} by {one_line(plan.opened_by)}"))
        self._show_unsettled(plan)
        self._show_checks(plan)
        self._echo_float()
        self._recount()
        self._draw_steps()
        self.refresh_bindings()

    def _show_unsettled(self, plan: ClosePlan) -> None:
        table = self.query_one("#unsettled", DataTable)
        row = table.cursor_row
        table.clear()
        for visit in plan.unsettled:
            table.add_row(clock.wall(visit.start),
                          Text(one_line(visit.patient_name), overflow="ellipsis", no_wrap=True),
                          Text(one_line(visit.provider_name), overflow="ellipsis", no_wrap=True),
                          visit.status.replace("_", " "), key=str(visit.id))
        if plan.unsettled:
            table.move_cursor(row=min(row, len(plan.unsettled) - 1), animate=False)
        count = len(plan.unsettled)
        said = self.query_one("#visits-said", Static)
        if count:
            said.update(Text.assemble(
                (f"{count} appointment{'s' if count > 1 else ''} of the day still need"
                 f"{'' if count > 1 else 's'} a disposition", "bold yellow"),
                " before the drawer can close: o checks out, m marks a no-show, x cancels."))
        else:
            said.update(Text("Every appointment of the day has a disposition. PgDn: count "
                             "the cash.", style="bold green"))

    def _show_checks(self, plan: ClosePlan) -> None:
        self.ticked &= {check.payment_id for check in plan.checks}
        table = self.query_one("#check-list", DataTable)
        row = table.cursor_row
        table.clear()
        for check in plan.checks:
            table.add_row(self._tick_mark(check.payment_id),
                          one_line(check.check_number),
                          Text(one_line(check.patient_name), overflow="ellipsis", no_wrap=True),
                          f"#{check.receipt_number}",
                          Text(money(check.amount_cents), justify="right"),
                          key=str(check.payment_id))
        if plan.checks:
            table.move_cursor(row=min(row, len(plan.checks) - 1), animate=False)
        said = self.query_one("#checks-said", Static)
        said.update("Tick each check found in the drawer: space ticks (again unticks), "
                    "a ticks all." if plan.checks
                    else "The drawer took no checks. PgDn: the card batch.")
        self._show_ticked()

    def _tick_mark(self, payment_id: int) -> Text:
        # A Text, not a str: the table would read "[x]" as markup and draw nothing.
        return Text("[x]", style="bold") if payment_id in self.ticked else Text("[ ]")

    def _show_ticked(self) -> None:
        if self.plan is None:
            return
        found = [c for c in self.plan.checks if c.payment_id in self.ticked]
        self.query_one("#checks-total", Static).update(Text.assemble(
            ("Ticked ", "dim"), f"{len(found)} of {len(self.plan.checks)}",
            ("  ·  in the drawer ", "dim"), (money(sum(c.amount_cents for c in found)), "bold")))

    # -- the steps --------------------------------------------------------------------

    def _show_step(self) -> None:
        self.query_one(ContentSwitcher).current = self.step
        self._draw_steps()
        self._focus_step()
        self.refresh_bindings()

    def _draw_steps(self) -> None:
        """The steps line: where staff are, and what each step holds so far."""
        line = Text()
        for index, (step, name) in enumerate(STEPS.items(), 1):
            if index > 1:
                line.append(" › ", style="dim")
            line.append(f"{index} {name}{self._step_note(step)}",
                        style="bold reverse" if step == self.step else "")
        self.query_one("#steps", Static).update(line)

    def _step_note(self, step: str) -> str:
        plan = self.plan
        if plan is None:
            return ""
        if step == "visits":
            return f" {len(plan.unsettled)} left" if plan.unsettled else " ✓"
        if step == "cash":
            total = self.query_one(CountGrid).total_cents
            return f" {money(total)}" if total else ""
        if step == "checks":
            return f" {len(self.ticked)}/{len(plan.checks)}" if plan.checks else ""
        return ""

    def _focus_step(self) -> None:
        # set_focus, not focus(): focus() waits a turn, and keys typed right after PgDn
        # would land in the step left behind.
        if self.step == "visits":
            self.set_focus(self.query_one("#unsettled", DataTable))
        elif self.step == "cash":
            grid = self.query_one(CountGrid)
            if not grid.query("Input:focus"):
                self.set_focus(grid.first())
        elif self.step == "checks":
            self.set_focus(self.query_one("#check-list", DataTable))
        elif self.step == "card":
            self.set_focus(self.query_one("#card_batch", Input))
        else:
            fields = self._step_fields()
            if fields:
                self.set_focus(fields[0])

    def action_step(self, step: int) -> None:
        index = _ORDER.index(self.step) + step
        if not 0 <= index < len(_ORDER):
            return
        self.step = _ORDER[index]
        self._say("")
        if self.step == "summary":
            self._recount()
        self._show_step()

    def _go_to(self, step: str) -> None:
        self.step = step
        self._show_step()

    def _step_fields(self) -> list[Widget]:
        pane = self.query_one(f"#{self.step}")
        return [field for field in pane.query(Input)
                if field.display and all(node.display for node in field.ancestors
                                         if isinstance(node, Widget) and node is not pane)]

    def action_next_field(self) -> None:
        """Enter: down the grid and through the fields; from the last, the next step
        (on the summary: close)."""
        if not isinstance(self.focused, Input):
            raise SkipAction()
        fields = self._step_fields()
        if self.focused in fields and fields.index(self.focused) + 1 < len(fields):
            self.set_focus(fields[fields.index(self.focused) + 1])
        elif self.step == "summary":
            self._submit_after(fields)
        else:
            self.action_step(1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            forward = bool(parameters) and int(parameters[0]) > 0
            at_end = self.step == (_ORDER[-1] if forward else _ORDER[0])
            return None if at_end else True
        if action in ("check_out", "no_show", "cancel"):
            if self.step != "visits":
                return False
            visit = self._visit()
            if visit is None or self._busy:
                return None
            departs = visit.status in _DEPARTS
            return True if (action == "check_out") == departs else None
        if action in ("tick", "tick_all"):
            if self.step != "checks":
                return False
            return None if self.plan is None or not self.plan.checks else True
        if action == "close_drawer":
            if self.step != "summary":
                return False
            return None if self.plan is None or self._busy else True
        return True

    # -- step 1: every visit gets a disposition ---------------------------------------

    def _visit(self) -> drawer.UnsettledAppointment | None:
        if self.plan is None or not self.plan.unsettled:
            return None
        row = self.query_one("#unsettled", DataTable).cursor_row
        return self.plan.unsettled[row] if 0 <= row < len(self.plan.unsettled) else None

    @on(DataTable.RowHighlighted, "#unsettled")
    def _visit_moved(self) -> None:
        self.refresh_bindings()

    def action_check_out(self) -> None:
        visit = self._visit()
        if visit is None:
            return
        from screens.checkin import CheckOutPanel  # the schedule's own check-out

        self.app.push_screen(CheckOutPanel(visit.id), lambda _: self._load())

    def action_cancel(self) -> None:
        visit = self._visit()
        if visit is None:
            return
        from screens.booking import CancelForm  # the schedule's own cancel

        self.app.push_screen(CancelForm(visit.id), lambda done: done and self._load())

    def action_no_show(self) -> None:
        visit = self._visit()
        if visit is None:
            return
        from screens.booking import Confirm

        question = (f"{one_line(visit.patient_name)}, {clock.wall(visit.start)}: mark a "
                    "no-show?")
        self.app.push_screen(Confirm(question, yes="y marks the no-show"),
                             lambda yes: yes and self._mark_no_show(visit.id))

    @db_work(group="drawer-close-no-show")
    def _mark_no_show(self, appointment_id: int) -> None:
        try:
            schedule.mark_no_show(schedule.get(appointment_id), by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Marked(str(error)))
        else:
            self.post_message(self.Marked())

    @on(Marked)
    def _marked(self, message: Marked) -> None:
        self._say(message.refusal)
        self._load()

    # -- step 2: the cash ---------------------------------------------------------------

    @on(CountGrid.Counted)
    def _counted(self) -> None:
        self._leaving = False
        self._draw_steps()
        if self.step == "summary":
            self._recount()  # keys typed fast reach the grid after the step moved on

    # -- step 3: the checks ---------------------------------------------------------------

    def _check_row(self) -> int | None:
        if self.plan is None or not self.plan.checks:
            return None
        row = self.query_one("#check-list", DataTable).cursor_row
        return row if 0 <= row < len(self.plan.checks) else None

    def action_tick(self) -> None:
        row = self._check_row()
        if row is None:
            return
        check = self.plan.checks[row]
        self.ticked ^= {check.payment_id}
        self._leaving = False
        table = self.query_one("#check-list", DataTable)
        table.update_cell_at((row, 0), self._tick_mark(check.payment_id))
        if row + 1 < len(self.plan.checks):
            table.move_cursor(row=row + 1, animate=False)
        self._show_ticked()
        self._draw_steps()

    def action_tick_all(self) -> None:
        if self.plan is None:
            return
        self.ticked = {check.payment_id for check in self.plan.checks}
        self._show_checks(self.plan)
        self._draw_steps()

    # -- step 4: the card batch ------------------------------------------------------------

    @on(Input.Changed, "#card_batch")
    @on(Input.Changed, "#float_kept")
    def _typed_amount(self, event: Input.Changed) -> None:
        from frontdesk.payments import parse_amount  # what staff type as money

        self._leaving = False
        batch = event.input.id == "card_batch"
        echo = self.query_one("#card-echo" if batch else "#float-echo", Label)
        try:
            echo.update(money(parse_amount(
                event.value, field=event.input.id, zero=True,
                label="The card batch total" if batch else "The float kept"))
                if event.value.strip() else "")
        except FrontdeskError as error:
            echo.update(Text(str(error), style="bold red"))
        if event.input.id == "float_kept":
            self._echo_float()
        if self.step == "summary":
            self._recount()

    # -- step 5: the summary ------------------------------------------------------------

    def _echo_float(self) -> None:
        """Empty, the float kept for tomorrow is the one the drawer opened with."""
        if self.plan is not None and not self.query_one("#float_kept", Input).value.strip():
            self.query_one("#float-echo", Label).update(Text(
                f"empty: keeps the {money(self.plan.float_cents)} float",
                style="dim"))

    def _recount(self) -> None:
        """Counted against expected, as the domain counts it, without writing."""
        if self.plan is None:
            return
        table = self.query_one("#summary-table", Static)
        said = self.query_one("#summary-said", Static)
        try:
            count = drawer.counted(self.plan, self.query_one(CountGrid).counts,
                                   sorted(self.ticked), self.query_one("#card_batch", Input).value)
        except FrontdeskError as error:
            self.count = None
            table.update("")
            said.update(Text(f"{error} (step {_ORDER.index(self._step_of(error.field)) + 1})",
                             style="bold red"))
            self.query_one("#approval").display = False
            return
        self.count = count
        table.update(_summary(self.plan, count))
        words = Text()
        if self.plan.unsettled:
            words.append(f"{len(self.plan.unsettled)} appointments still need a disposition "
                         "(step 1): the close will be refused until then.\n", style="bold yellow")
        if count.needs_approval:
            words.append(f"Off by {money(count.difference_cents)} in all, more than the "
                         f"{money(self.plan.threshold_cents)} allowed: say why, and a manager "
                         "signs in here to approve.", style="bold")
        elif count.difference_cents:
            words.append(f"Off by {money(count.difference_cents)} in all, within the "
                         f"{money(self.plan.threshold_cents)} allowed. ^s closes the drawer.")
        else:
            words.append("Everything matches. ^s closes the drawer.", style="bold green")
        said.update(words)
        self.query_one("#approval").display = count.needs_approval

    @staticmethod
    def _step_of(field: str | None) -> str:
        if field and field.startswith("count_"):
            return "cash"
        return _STEP_OF_FIELD.get(field or "", "summary")

    def action_close_drawer(self) -> None:
        if self.step != "summary":
            return
        self._submit_after(self._step_fields())

    def submit(self) -> None:
        if self._busy or self.plan is None:
            return
        self._recount()
        value = {f.id: f.value for f in self.query(Input) if f.id}
        self._busy = True
        self._say("Closing…", error=False)
        self.refresh_bindings()
        self._close(self.plan, self.query_one(CountGrid).counts, sorted(self.ticked),
                    value["card_batch"], value["reason"],
                    (value["approver_username"], value["approver_password"])
                    if self.count is not None and self.count.needs_approval else None,
                    value["float_kept"].strip() or None)

    @db_work(group="drawer-close")
    def _close(self, plan: ClosePlan, counts: dict[int, str], ticked: list[int], batch: str,
               reason: str, manager: tuple[str, str] | None, float_kept: str | None) -> None:
        approver = None
        try:
            if manager is not None and (manager[0].strip() or manager[1]):
                try:
                    approver = drawer.approver(*manager)
                except FrontdeskError as error:
                    # A wrong password says nothing of which field: both are the sign-in.
                    error.field = error.field or "approver"
                    raise
            closed = drawer.close(plan.session_id, cash_counts=counts, checks_ticked=ticked,
                                  card_batch=batch, reason=reason, approver=approver,
                                  float_kept=float_kept, version=plan.version,
                                  by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Closed(None, str(error), error.field))
        else:
            self.post_message(self.Closed(closed.id))

    @on(Closed)
    def _closed(self, message: Closed) -> None:
        self._busy = False
        self.refresh_bindings()
        if message.session_id is not None:
            self.closed_id = message.session_id
            self._say("")
            self.app.push_screen(
                Printout(lambda by: close_report_sheet(message.session_id, by=by),
                         title="Close report"),
                self._report_read)
            return
        self._say(message.refusal)
        step = self._step_of(message.field)
        if message.field == "approver":
            self.query_one("#approver_password", Input).value = ""
        if step != self.step:
            self._go_to(step)
        target = {"approver": "#approver_username", "reason": "#reason",
                  "float_kept": "#float_kept", "card_batch": "#card_batch"}.get(
            message.field or "")
        if message.field and message.field.startswith("count_"):
            self.query_one(CountGrid).focus_count(message.field)
        elif target and self.query_one(target).display:
            self.query_one(target).focus()

    def _report_read(self, _: None) -> None:
        self.dismiss(True)

    def _say(self, text: str, *, error: bool = True) -> None:
        refusal = self.query_one("#refusal", Label)
        refusal.update(text)
        refusal.set_class(error, "error")

    def _counted_anything(self) -> bool:
        return bool(self.query_one(CountGrid).counts or self.ticked
                    or self.query_one("#card_batch", Input).value.strip())

    def action_leave(self) -> None:
        if self._counted_anything() and not self._leaving:
            self._leaving = True  # a whole count must not go with one Esc too many
            self._say("Esc again leaves without closing; what was counted is lost.")
            return
        self.dismiss(False)
