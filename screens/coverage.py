"""A patient's insurance coverages (`i` on the patient's record and at check-in).

The list shows every coverage, in force first; the line under it says the rest of
the one highlighted (subscriber, group, specialist copay, referrals). `a` adds one
from the card, enter edits, `x` ends one (it is kept: claims name it), 1 2 3 make
it primary, secondary or tertiary (the one holding that rank moves to its place).
The form checks every field in the domain and, refused, keeps what was typed and
puts the cursor on the field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static

from frontdesk import clock, insurance
from frontdesk.changes import Change
from frontdesk.dates import describe, parse_date, short
from frontdesk.drawer import money
from frontdesk.errors import FrontdeskError, InvalidInput
from frontdesk.insurance import Coverage, CoverageDraft, PatientCoverages, PlanType, Relationship
from frontdesk.roles import Permission, allowed
from frontdesk.text import one_line
from screens.actions import COVERAGE, COVERAGE_FORM, END_COVERAGE, FORM, bindings
from screens.base import DeskModal, DeskScreen, FormFields, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.daytoggle import DayToggle  # a checkbox readable without colour

__all__ = ["CoverageScreen", "CoverageForm", "EndCoverage"]

_RELATIONSHIPS = [("the subscriber", Relationship.SELF.value),
                  ("spouse of", Relationship.SPOUSE.value),
                  ("child of", Relationship.CHILD.value),
                  ("dependent of", Relationship.OTHER.value)]
"""What the patient is to the person whose card it is."""
_SUBSCRIBER_IS = {Relationship.SPOUSE.value: "spouse", Relationship.CHILD.value: "parent",
                  Relationship.OTHER.value: "guardian or other"}
"""Who the subscriber is to the patient, as the desk says it."""
_PLANS = [(p.value, p.value) for p in PlanType if p is not PlanType.SELF_PAY]


def _day(value) -> str:
    return f"{value:%m/%d/%y}"


def _dates(c: Coverage) -> str:
    return f"{_day(c.effective_on)}–{_day(c.ends_on) if c.ends_on else 'open'}"


def _state(c: Coverage) -> Text:
    today = clock.today()
    if c.covers(today):
        return Text(c.rank_label, style="bold")
    if c.effective_on > today:
        return Text(f"{c.rank_label[:3]}·later", style="yellow")
    return Text("ended", style="dim")


def _copays(c: Coverage) -> str:
    office = money(c.copay_cents) if c.copay_cents is not None else "?"
    return office


def _about(c: Coverage) -> Text:
    text = Text()
    if c.subscriber_is_patient:
        text.append("Subscriber: the patient", style="bold")
    else:
        born = f", born {short(c.subscriber_dob)}" if c.subscriber_dob else ""
        text.append(f"Subscriber: {one_line(c.subscriber_name)}", style="bold")
        text.append(f", the patient's {_SUBSCRIBER_IS.get(c.subscriber_relationship, 'other')}"
                    f"{born}")
    facts = [f"group {one_line(c.group_number)}" if c.group_number else "no group number",
             "specialist copay " + (money(c.specialist_copay_cents)
                                    if c.specialist_copay_cents is not None else "not known"),
             "referrals required" if c.referrals_required else "no referrals needed"]
    text.append("\n" + " · ".join(facts))
    return text


class CoverageScreen(DeskScreen):
    """`CoverageScreen(patient_id)`: pushed over the patient's record or check-in."""

    CSS_PATH = "coverage.tcss"
    BINDINGS = bindings(COVERAGE)
    COMMANDS = {ScreenActions}
    AREA = "coverage"
    ACTIONS = COVERAGE

    @dataclass
    class Loaded(Message):
        found: PatientCoverages

    @dataclass
    class Changed(Message):
        said: str
        refusal: str = ""

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.found: PatientCoverages | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading…", id="title")
        table = DataTable(id="coverages", cursor_type="row", zebra_stripes=True)
        # With the cells' padding these fill 80 columns; the lines under the list say
        # the rest of the highlighted coverage.
        for label, width in (("Rank", 9), ("Payer", 13), ("Plan", 9), ("Member ID", 12),
                             ("Dates", 17), ("Copay", 7)):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="about")
        yield Static("a add · ⏎ edit · x end it · 1 2 3 make it primary, secondary, tertiary",
                     id="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @db_work(group="coverage")
    def _load(self) -> None:
        self.post_message(self.Loaded(insurance.coverages_for(self.patient_id,
                                                              by=self.app.signed_in)))

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when a terminal (this one too) changed something."""
        if any(c.topic == "patient" and c.key in ("*", str(self.patient_id)) for c in changes):
            self._load()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        found = self.found = message.found
        self.query_one("#title", Static).update(Text.assemble(
            ("Coverage · ", "bold"), (one_line(found.patient), "bold"),
            f"   MRN {found.mrn}   born {short(found.dob)}"))
        table = self.query_one(DataTable)
        keep = self.current.id if self.current else None
        table.clear()
        for c in found.coverages:
            table.add_row(_state(c),
                          Text(one_line(c.payer.name), overflow="ellipsis", no_wrap=True),
                          Text(c.plan_type, overflow="ellipsis", no_wrap=True),
                          Text(one_line(c.member_id), overflow="ellipsis", no_wrap=True),
                          _dates(c), _copays(c), key=str(c.id))
        if found.coverages:
            row = next((i for i, c in enumerate(found.coverages) if c.id == keep), 0)
            table.move_cursor(row=row, animate=False)
        self._about_row()
        self.refresh_bindings()

    @property
    def current(self) -> Coverage | None:
        if self.found is None:
            return None
        table = self.query_one(DataTable)
        rows = self.found.coverages
        return row_under_cursor(table, rows)

    @on(DataTable.RowHighlighted)
    def _about_row(self) -> None:
        about = self.query_one("#about", Static)
        if self.current is not None:
            about.update(_about(self.current))
        elif self.found is not None:
            about.update(Text("No coverage on file: self-pay unless the patient has a card. "
                              "a adds one.", style="yellow"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "edit", "end", "rank"):
            if not allowed(self.app.signed_in, Permission.REGISTER_PATIENTS):
                return False
            if action == "add":
                return None if self.found is None else True
            return None if self.current is None else True
        return True

    # -- actions ----------------------------------------------------------------------

    def action_add(self) -> None:
        if self.found is None:
            return
        taken = {c.rank for c in self.found.coverages if c.covers(clock.today())}
        rank = next((r for r in insurance.RANKS if r not in taken), 1)
        self.app.push_screen(CoverageForm(self.patient_id, self.found.patient,
                                          CoverageDraft(rank=rank)), self._saved)

    def action_edit(self) -> None:
        coverage = self.current
        if coverage is None or self.found is None:
            return
        self.app.push_screen(CoverageForm(self.patient_id, self.found.patient,
                                          insurance.draft_of(coverage), coverage=coverage),
                             self._saved)

    def _saved(self, saved: bool | None) -> None:
        if saved:
            self.notify("Coverage saved.", timeout=3)
            self._load()

    def action_end(self) -> None:
        if self.current is not None:
            self.app.push_screen(EndCoverage(self.current), self._ended)

    def _ended(self, ended: bool | None) -> None:
        if ended:
            self.notify("Coverage ended; it stays on file.", timeout=4)
            self._load()

    def action_rank(self, rank: int) -> None:
        coverage = self.current
        if coverage is not None and coverage.rank != rank:
            self._rank(coverage, rank)

    @db_work(group="coverage-rank")
    def _rank(self, coverage: Coverage, rank: int) -> None:
        try:
            insurance.set_rank(coverage, rank, version=coverage.version, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Changed("", str(error)))
        else:
            self.post_message(self.Changed(f"{one_line(coverage.payer.name)} is now "
                                           f"{insurance.RANKS[rank].lower()}."))

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        if message.refusal:
            self.notify(message.refusal, severity="error", timeout=8)
        else:
            self.notify(message.said, timeout=4)
        self._load()

    def action_payers(self) -> None:
        from screens.payers import PayersScreen

        self.app.push_screen(PayersScreen())

    def action_referrals(self) -> None:
        from screens.authorizations import PatientReferrals

        self.app.push_screen(PatientReferrals(self.patient_id))

    def action_close(self) -> None:
        self.dismiss()


# -- the form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Choices:
    payers: list[tuple[str, int]]
    plans: dict[int, list[str]] = field(default_factory=dict)
    """Payer id -> the plan types it sells, to offer the first."""


_FIELD_IDS = {f.name: f.name for f in fields(CoverageDraft)}
_FIELD_IDS.update({"payer_id": "payer", "payer": "payer"})


class CoverageForm(FormFields, DeskModal[bool]):
    """Add a coverage (`coverage` None) or edit one; dismissed True when saved."""

    CSS_PATH = "coverage.tcss"
    BINDINGS = [*bindings(COVERAGE_FORM), *bindings(FORM)]
    AREA = "coverage form"
    ACTIONS = COVERAGE_FORM

    @dataclass
    class Ready(Message):
        choices: _Choices

    @dataclass
    class Answered(Message):
        refusal: str = ""
        field: str = ""

    def __init__(self, patient_id: int, patient_name: str, draft: CoverageDraft, *,
                 coverage: Coverage | None = None) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.patient_name = patient_name
        self.draft = draft
        self.coverage = coverage
        self.plans: dict[int, list[str]] = {}
        self._referrals_chosen = coverage is not None
        """Staff ticked or unticked it (or it was saved so): the plan type no longer sets it."""
        self._busy = False

    def compose(self) -> ComposeResult:
        d = self.draft
        with Vertical(id="form"):
            with Horizontal(classes="row"):
                yield Label("Payer", classes="label")
                yield Select([], id="payer", compact=True, prompt="choose the payer")
                yield Label("Plan", classes="short-label")
                yield Select(_PLANS, id="plan_type", compact=True, prompt="plan type",
                             value=d.plan_type if d.plan_type in dict(_PLANS) else Select.NULL)
            with Horizontal(classes="row"):
                yield Label("Member ID", classes="label")
                yield Input(d.member_id, id="member_id", compact=True, max_length=40,
                            placeholder="as on the card")
                yield Label("Group", classes="short-label")
                yield Input(d.group_number, id="group_number", compact=True, max_length=30)
            with Horizontal(classes="row"):
                yield Label("Rank", classes="label")
                yield Select([(f"{n} {word}", n) for n, word in insurance.RANKS.items()],
                             id="rank", compact=True, allow_blank=False, value=d.rank)
                yield Label("Patient is", classes="mid-label")
                yield Select(_RELATIONSHIPS, id="relationship", compact=True,
                             allow_blank=False, value=d.relationship)
            with Horizontal(classes="row subscriber"):
                yield Label("Subscriber", classes="label")
                yield Input(d.subscriber_first_name, id="subscriber_first_name", compact=True,
                            max_length=50, placeholder="first name")
                yield Input(d.subscriber_last_name, id="subscriber_last_name", compact=True,
                            max_length=50, placeholder="last name")
                yield Label("Born", classes="tiny-label")
                yield Input(d.subscriber_dob, id="subscriber_dob", compact=True, max_length=40)
            with Horizontal(classes="row"):
                yield Label("From", classes="label")
                yield Input(d.effective_on, id="effective_on", compact=True, max_length=40,
                            placeholder="effective")
                yield Label("To", classes="tiny-label")
                yield Input(d.ends_on, id="ends_on", compact=True, max_length=40,
                            placeholder="no end")
                yield Label("", id="dates-echo", classes="echo")
            with Horizontal(classes="row"):
                yield Label("Copay", classes="label")
                yield Input(d.copay, id="copay", compact=True, max_length=12,
                            placeholder="not known")
                yield Label("Specialist", classes="mid-label")
                yield Input(d.specialist_copay, id="specialist_copay", compact=True,
                            max_length=12, placeholder="not known")
                yield DayToggle("Referrals required", d.referrals_required or False,
                                id="referrals_required", compact=True)
            yield Label("", id="refusal")
            yield Static("⏎ next field, on the last saves · ^s saves · blank copay: not known",
                         id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        verb = "Edit" if self.coverage is not None else "Add"
        self.query_one("#form").border_title = f"{verb} coverage · {one_line(self.patient_name)}"
        self._show_subscriber()
        self._echo_dates()
        self.query_one("#payer", Select).focus()
        self._setup()

    @db_work(group="coverage-form-setup")
    def _setup(self) -> None:
        listed = insurance.payers(active_only=True)
        if self.coverage is not None and all(p.id != self.coverage.payer_id for p in listed):
            listed.append(self.coverage.payer)  # deactivated since: still its payer
        self.post_message(self.Ready(_Choices(
            [(one_line(p.name), p.id) for p in listed], {p.id: p.plans for p in listed})))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        self.plans = message.choices.plans
        payer = self.query_one("#payer", Select)
        payer.set_options(message.choices.payers)
        if self.draft.payer_id in self.plans:
            with self.prevent(Select.Changed):
                payer.value = self.draft.payer_id

    # -- what the form says back -----------------------------------------------------------

    @on(Select.Changed, "#payer")
    def _payer_chosen(self, event: Select.Changed) -> None:
        plan = self.query_one("#plan_type", Select)
        offered = self.plans.get(event.value, []) if isinstance(event.value, int) else []
        if plan.is_blank() and offered and offered[0] in dict(_PLANS):
            plan.value = offered[0]

    @on(Select.Changed, "#plan_type")
    def _plan_chosen(self, event: Select.Changed) -> None:
        if not self._referrals_chosen and isinstance(event.value, str):
            box = self.query_one("#referrals_required", Checkbox)
            with self.prevent(Checkbox.Changed):
                box.value = insurance.referrals_by_default(event.value)

    @on(Checkbox.Changed, "#referrals_required")
    def _referrals_ticked(self) -> None:
        self._referrals_chosen = True

    @on(Select.Changed, "#relationship")
    def _show_subscriber(self) -> None:
        self_ = self.query_one("#relationship", Select).value == Relationship.SELF.value
        self.query_one(".subscriber").display = not self_

    @on(Input.Changed, "#effective_on, #ends_on")
    def _echo_dates(self) -> None:
        """Say back the days understood, so a misread date is seen at once."""
        def read(text: str) -> str:
            if not text.strip():
                return ""
            try:
                return describe(parse_date(text, today=clock.today()))
            except InvalidInput:
                return "?"

        start = read(self.query_one("#effective_on", Input).value)
        end = read(self.query_one("#ends_on", Input).value)
        echo = ""
        if start or end:
            echo = f"→ {start or '…'} to {end or 'no end'}"
        self.query_one("#dates-echo", Label).update(echo)

    def action_next_field(self) -> None:
        """Enter on a list box goes on to the next field (space or down opens the list),
        as in the booking form."""
        focused = self.focused
        if isinstance(focused, Select):
            fields = self._fields()
            if focused in fields and fields.index(focused) + 1 < len(fields):
                self.set_focus(fields[fields.index(focused) + 1])
            else:
                self._submit_after(fields)
            return
        super().action_next_field()

    # -- saving -------------------------------------------------------------------------------

    def _typed(self) -> CoverageDraft:
        def value(selector: str) -> str:
            return self.query_one(selector, Input).value

        payer = self.query_one("#payer", Select).value
        plan = self.query_one("#plan_type", Select).value
        return CoverageDraft(
            payer_id=payer if isinstance(payer, int) else None,
            plan_type=plan if isinstance(plan, str) else "",
            member_id=value("#member_id"), group_number=value("#group_number"),
            rank=int(self.query_one("#rank", Select).value),
            effective_on=value("#effective_on"), ends_on=value("#ends_on"),
            copay=value("#copay"), specialist_copay=value("#specialist_copay"),
            relationship=str(self.query_one("#relationship", Select).value),
            subscriber_first_name=value("#subscriber_first_name"),
            subscriber_last_name=value("#subscriber_last_name"),
            subscriber_dob=value("#subscriber_dob"),
            referrals_required=self.query_one("#referrals_required", Checkbox).value)

    def action_save(self) -> None:
        self.submit()

    def submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._say("Saving…", error=False)
        self._save(self._typed())

    @db_work(group="coverage-form")
    def _save(self, draft: CoverageDraft) -> None:
        try:
            if self.coverage is None:
                insurance.add_typed(self.patient_id, draft, by=self.app.signed_in)
            else:
                insurance.update_typed(self.coverage.id, draft, version=self.coverage.version,
                                       by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(str(error), error.field or ""))
        else:
            self.post_message(self.Answered())

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._busy = False
        if not message.refusal:
            self.dismiss(True)
            return
        self._say(message.refusal)
        target = _FIELD_IDS.get(message.field, "")
        if target and self.query(f"#{target}"):
            self.query_one(f"#{target}").focus()

    def _say(self, text: str, *, error: bool = True) -> None:
        refusal = self.query_one("#refusal", Label)
        refusal.update(text)
        refusal.set_class(error, "error")

    def action_close(self) -> None:
        self.dismiss(False)


class EndCoverage(FormFields, DeskModal[bool]):
    """The last day a coverage covers; dismissed True once ended."""

    CSS_PATH = "coverage.tcss"
    BINDINGS = [*bindings(END_COVERAGE), *bindings(FORM)]
    AREA = "end coverage"
    ACTIONS = END_COVERAGE

    @dataclass
    class Answered(Message):
        refusal: str = ""

    def __init__(self, coverage: Coverage) -> None:
        super().__init__()
        self.coverage = coverage

    def compose(self) -> ComposeResult:
        c = self.coverage
        with Vertical(id="end"):
            yield Static(Text.assemble(
                (f"{one_line(c.payer.name)} {c.plan_type}", "bold"),
                f" · {one_line(c.member_id)} · from {short(c.effective_on)}\n"
                "It stays on file (claims name it); it no longer covers visits after the "
                "last day."), id="question")
            with Horizontal(classes="row"):
                yield Label("Last day", classes="label")
                yield Input(short(clock.today()), id="ends_on", compact=True, max_length=40)
                yield Label("", id="echo", classes="echo")
            yield Label("", id="refusal")
            yield Static("⏎ ends it · Esc keeps it", id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#end").border_title = "End coverage"
        self.query_one("#ends_on", Input).focus()
        self._echo()

    @on(Input.Changed, "#ends_on")
    def _echo(self) -> None:
        text = self.query_one("#ends_on", Input).value
        try:
            said = f"→ {describe(parse_date(text, today=clock.today()))}"
        except InvalidInput:
            said = "3/4, 12/31/2026 or yesterday"
        self.query_one("#echo", Label).update(said)

    def submit(self) -> None:
        self.query_one("#refusal", Label).update("Saving…")
        self._end(self.query_one("#ends_on", Input).value)

    @db_work(group="coverage-end")
    def _end(self, text: str) -> None:
        try:
            insurance.end_typed(self.coverage.id, text, version=self.coverage.version,
                                by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(str(error)))
        else:
            self.post_message(self.Answered())

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.refusal:
            self.query_one("#refusal", Label).update(message.refusal)
        else:
            self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)
