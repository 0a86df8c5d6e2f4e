"""Referrals and prior authorizations: the worklist of those that need a call, a
patient's own list, and the form that records them as the payer answers.

The worklist (`a` in the Insurance area; `w` from a patient's list) shows requests
past their follow-up date first, then approvals ending within 14 days, then those
used up; enter opens one to record what the payer said. A patient's list (`r` on
their record or coverages) shows all of theirs, with visits left.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from frontdesk import clock, referrals
from frontdesk.changes import Change
from frontdesk.dates import describe, parse_date, short
from frontdesk.errors import FrontdeskError, InvalidInput
from frontdesk.providers import active_providers
from frontdesk.referrals import Kind, Referral, ReferralDraft, Status, WorkItem
from frontdesk.roles import Permission, allowed
from frontdesk.schedule import AppointmentType
from frontdesk.text import one_line
from screens.actions import (AUTHORIZATIONS, FORM, INSURANCE_AUTHORIZATIONS, REFERRAL_FORM,
                             REFERRALS, bindings)
from screens.base import DeskModal, DeskScreen, FormFields, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["AuthorizationsScreen", "PatientReferrals", "ReferralForm", "AuthorizationsKey",
           "INSURANCE_AUTHORIZATIONS"]

_SECTION_STYLE = {"follow_up": "bold red", "expiring": "bold yellow", "used_up": "magenta"}
_SECTION_WORDS = {"follow_up": "follow-up late", "expiring": "expiring", "used_up": "used up"}
"""Short, so the counts fit the title line at 80 columns."""


def _cell(text: str, style: str = "") -> Text:
    return Text(one_line(text), style=style, overflow="ellipsis", no_wrap=True)


def _dates(r: Referral) -> str:
    if r.starts_on is None and r.ends_on is None:
        return ""
    start = f"{r.starts_on:%m/%d/%y}" if r.starts_on else "…"
    end = f"{r.ends_on:%m/%d/%y}" if r.ends_on else "open"
    return f"{start}–{end}"


class AuthorizationsKey:
    """Mix into a screen (the Insurance area's) with `*bindings(INSURANCE_AUTHORIZATIONS)`
    to open the worklist with one key."""

    def action_authorizations(self) -> None:
        self.app.push_screen(AuthorizationsScreen())


# -- the worklist -----------------------------------------------------------------------------


class AuthorizationsScreen(DeskScreen):
    CSS_PATH = "authorizations.tcss"
    BINDINGS = bindings(AUTHORIZATIONS)
    COMMANDS = {ScreenActions}
    AREA = "authorizations"
    ACTIONS = AUTHORIZATIONS

    @dataclass
    class Loaded(Message):
        items: list[WorkItem]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[WorkItem] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Referrals and authorizations to act on", id="title")
        table = DataTable(id="items", cursor_type="row", zebra_stripes=True)
        # With the cells' padding these fill 80 columns; the lines under the list say
        # the rest of the highlighted one.
        for label, width in (("Why", 21), ("Patient", 17), ("What", 8), ("To", 15),
                             ("Number", 8)):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="about")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @db_work(group="authorizations")
    def _load(self) -> None:
        self.post_message(self.Loaded(referrals.worklist(by=self.app.signed_in)))

    def refresh_day(self, changes: list[Change]) -> None:
        if any(change.topic == referrals.TOPIC for change in changes):
            self._load()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        keep = self.current.referral_id if self.current else None
        table.clear()
        self.items = message.items
        for item in self.items:
            table.add_row(_cell(item.reason, _SECTION_STYLE[item.section]),
                          _cell(item.patient), _cell(item.kind_label), _cell(item.to),
                          _cell(item.number or "—"), key=str(item.referral_id))
        counts = {section: sum(1 for i in self.items if i.section == section)
                  for section in _SECTION_WORDS}
        title = Text("Referrals and authorizations to act on", style="bold")
        if self.items:
            title = Text("Referrals/auths to act on", style="bold")
            title.append(": " + " · ".join(f"{n} {words}" for section, words in
                                           _SECTION_WORDS.items() if (n := counts[section])))
        self.query_one("#title", Static).update(title)
        if self.items:
            row = next((i for i, item in enumerate(self.items) if item.referral_id == keep), 0)
            table.move_cursor(row=row, animate=False)
        self._about_row()

    @property
    def current(self) -> WorkItem | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self.items)

    @on(DataTable.RowHighlighted)
    def _about_row(self) -> None:
        about = self.query_one("#about", Static)
        item = self.current
        if item is None:
            about.update(Text(
                "Nothing to act on: no request past its follow-up date, nothing ending within "
                f"{referrals.EXPIRING_DAYS} days, nothing used up.", style="green"))
        else:
            facts = [f"MRN {item.mrn}", item.status, item.visits]
            if item.payer:
                facts.insert(1, one_line(item.payer))
            if item.ends_on:
                facts.append(f"until {short(item.ends_on)}")
            if item.follow_up_on and item.status in (Status.REQUESTED, Status.PENDING):
                facts.append(f"follow up {short(item.follow_up_on)}")
            about.update(Text.assemble((f"{one_line(item.patient)}  ", "bold"),
                                       " · ".join(facts)))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "patient", "referrals"):
            if action == "edit" and not allowed(self.app.signed_in,
                                                 Permission.REGISTER_PATIENTS):
                return False
            return None if self.current is None else True
        return True

    def action_edit(self) -> None:
        if self.current is not None:
            self.app.push_screen(ReferralForm(self.current.patient_id,
                                              referral_id=self.current.referral_id),
                                 self._saved)

    def _saved(self, saved: bool | None) -> None:
        if saved:
            self.notify("Saved.", timeout=3)
            self._load()

    def action_referrals(self) -> None:
        if self.current is not None:
            self.app.push_screen(PatientReferrals(self.current.patient_id),
                                 lambda _: self._load())

    def action_patient(self) -> None:
        if self.current is not None:
            from screens.patient import PatientScreen  # not at start-up

            self.app.push_screen(PatientScreen(self.current.patient_id))

    def action_close(self) -> None:
        self.dismiss()


# -- one patient's -----------------------------------------------------------------------------


class PatientReferrals(DeskScreen):
    """`PatientReferrals(patient_id)`: every referral and authorisation of one patient."""

    CSS_PATH = "authorizations.tcss"
    BINDINGS = bindings(REFERRALS)
    COMMANDS = {ScreenActions}
    AREA = "referrals"
    ACTIONS = REFERRALS

    @dataclass
    class Loaded(Message):
        found: referrals.PatientReferrals

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.found: referrals.PatientReferrals | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading…", id="title")
        table = DataTable(id="referrals", cursor_type="row", zebra_stripes=True)
        for label, width in (("What", 8), ("Number", 9), ("To", 18), ("Status", 9),
                             ("Left", 5), ("Dates", 17)):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="about")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @db_work(group="referrals")
    def _load(self) -> None:
        self.post_message(self.Loaded(referrals.for_patient(self.patient_id,
                                                            by=self.app.signed_in)))

    def refresh_day(self, changes: list[Change]) -> None:
        if any(c.topic == referrals.TOPIC and c.key == str(self.patient_id) for c in changes):
            self._load()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        found = self.found = message.found
        self.query_one("#title", Static).update(Text.assemble(
            ("Referrals & authorizations · ", "bold"), (one_line(found.patient), "bold"),
            f"   MRN {found.mrn}"))
        table = self.query_one(DataTable)
        keep = self.current.id if self.current else None
        table.clear()
        today = clock.today()
        for r in found.referrals:
            status = r.shown_status(today)
            style = "" if status in (Status.APPROVED, *referrals.WAITING) else "dim"
            left = (f"{r.units_left}/{r.units_authorised}" if r.units_authorised is not None
                    else "")
            table.add_row(_cell("Referral" if r.kind == Kind.REFERRAL else "Auth", style),
                          _cell(r.number or "—", style), _cell(r.to_short, style),
                          _cell(status, style), _cell(left, style), _cell(_dates(r), style),
                          key=str(r.id))
        if found.referrals:
            row = next((i for i, r in enumerate(found.referrals) if r.id == keep), 0)
            table.move_cursor(row=row, animate=False)
        self._about_row()

    @property
    def current(self) -> Referral | None:
        if self.found is None:
            return None
        table = self.query_one(DataTable)
        rows = self.found.referrals
        return row_under_cursor(table, rows)

    @on(DataTable.RowHighlighted)
    def _about_row(self) -> None:
        about = self.query_one("#about", Static)
        r = self.current
        if r is None:
            if self.found is not None:
                about.update(Text("No referral or authorization on file. a adds one.",
                                  style="dim"))
        else:
            facts = []
            if r.service:
                facts.append(one_line(r.service))
            if r.from_name:
                facts.append(f"from {one_line(r.from_name)}")
            if r.units_authorised is not None:
                facts.append(r.visits_words)
            if r.status in referrals.WAITING and r.follow_up_on:
                facts.append(f"follow up {short(r.follow_up_on)}")
            text = Text(" · ".join(facts) or Kind(r.kind).label)
            if r.notes:
                text.append(f"\n{one_line(r.notes)}", style="dim")
            about.update(text)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "edit"):
            if not allowed(self.app.signed_in, Permission.REGISTER_PATIENTS):
                return False
            if action == "add":
                return None if self.found is None else True
            return None if self.current is None else True
        return True

    def action_add(self) -> None:
        self.app.push_screen(ReferralForm(self.patient_id), self._saved)

    def action_edit(self) -> None:
        if self.current is not None:
            self.app.push_screen(ReferralForm(self.patient_id, referral_id=self.current.id),
                                 self._saved)

    def _saved(self, saved: bool | None) -> None:
        if saved:
            self.notify("Saved.", timeout=3)
            self._load()

    def action_worklist(self) -> None:
        self.app.push_screen(AuthorizationsScreen())

    def action_close(self) -> None:
        self.dismiss()


# -- the form ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Setup:
    patient: str
    draft: ReferralDraft
    version: int | None
    coverages: list[tuple[str, int]]
    providers: list[tuple[str, int]]
    kinds: list[tuple[str, int]] = field(default_factory=list)


_KINDS = [("Referral", Kind.REFERRAL.value), ("Prior authorization", Kind.AUTHORIZATION.value)]
_STATUSES = [(s.value, s.value) for s in Status]
_INPUTS = ("number", "from_name", "to_specialty", "service", "units_authorised", "units_used",
           "starts_on", "ends_on", "follow_up_on", "notes")


class ReferralForm(FormFields, DeskModal[bool]):
    """Add a referral or authorisation for a patient, or change one (`referral_id`);
    dismissed True when saved. A refusal keeps what was typed."""

    CSS_PATH = "authorizations.tcss"
    BINDINGS = [*bindings(REFERRAL_FORM), *bindings(FORM)]
    AREA = "referral"
    ACTIONS = REFERRAL_FORM

    @dataclass
    class Ready(Message):
        setup: _Setup

    @dataclass
    class Answered(Message):
        refusal: str = ""
        field: str = ""

    def __init__(self, patient_id: int, *, referral_id: int | None = None) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.referral_id = referral_id
        self.version: int | None = None
        self._ready = False
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            with Horizontal(classes="row"):
                yield Label("Kind", classes="label")
                yield Select(_KINDS, id="kind", compact=True, allow_blank=False,
                             value=Kind.REFERRAL.value)
                yield Label("Status", classes="mid-label")
                yield Select(_STATUSES, id="status", compact=True, allow_blank=False,
                             value=Status.REQUESTED.value)
            with Horizontal(classes="row"):
                yield Label("Number", classes="label")
                yield Input(id="number", compact=True, max_length=30,
                            placeholder="payer's number")
                yield Label("Coverage", classes="mid-label")
                yield Select([], id="coverage", compact=True, prompt="any")
            with Horizontal(classes="row"):
                yield Label("From", classes="label")
                yield Input(id="from_name", compact=True, max_length=80,
                            placeholder="who referred: Dr. Lee, primary care")
            with Horizontal(classes="row"):
                yield Label("To", classes="label")
                yield Select([], id="to_provider", compact=True, prompt="any provider")
                yield Label("Specialty", classes="mid-label")
                yield Input(id="to_specialty", compact=True, max_length=60,
                            placeholder="when no provider")
            with Horizontal(classes="row"):
                yield Label("Service", classes="label")
                yield Input(id="service", compact=True, max_length=120,
                            placeholder="what is authorized")
            with Horizontal(classes="row"):
                yield Label("Visit type", classes="label")
                yield Select([], id="visit_type", compact=True, prompt="any type")
                yield Label("Visits", classes="mid-label")
                yield Input(id="units_authorised", compact=True, max_length=4)
                yield Label("used", classes="tiny-label")
                yield Input("0", id="units_used", compact=True, max_length=4)
            with Horizontal(classes="row"):
                yield Label("Dates", classes="label")
                yield Input(id="starts_on", compact=True, max_length=40, placeholder="from")
                yield Input(id="ends_on", compact=True, max_length=40, placeholder="to")
                yield Label("Follow up", classes="mid-label")
                yield Input(id="follow_up_on", compact=True, max_length=40)
            yield Label("", id="dates-echo", classes="echo-line")
            with Horizontal(classes="row-tight"):
                yield Label("Notes", classes="label")
                yield Input(id="notes", compact=True, max_length=500)
            yield Label("", id="refusal")
            yield Static("⏎ next field, on the last saves · ^s saves · dates as 3/4/2027",
                         id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#form").border_title = "Loading…"
        self.query_one("#kind", Select).focus()
        self._setup()

    @db_work(group="referral-form-setup")
    def _setup(self) -> None:
        found = referrals.for_patient(self.patient_id, by=self.app.signed_in)
        draft, version = ReferralDraft(), None
        if self.referral_id is not None:
            current = referrals.get(self.referral_id)
            draft, version = referrals.draft_of(current), current.version
        kinds = (AppointmentType.select().where(AppointmentType.active)
                 .order_by(AppointmentType.id))
        self.post_message(self.Ready(_Setup(
            found.patient, draft, version, found.coverages,
            [(f"{one_line(p.short_name)} ({one_line(p.specialty)})", p.id)
             for p in active_providers()],
            [(one_line(k.name), k.id) for k in kinds])))

    @on(Ready)
    def _filled(self, message: Ready) -> None:
        setup, d = message.setup, message.setup.draft
        self.version = setup.version
        verb = "Edit" if self.referral_id is not None else "Add"
        self.query_one("#form").border_title = (f"{verb} referral or authorization · "
                                                f"{one_line(setup.patient)}")
        for selector, options, value in (("#coverage", setup.coverages, d.coverage_id),
                                         ("#to_provider", setup.providers, d.to_provider_id),
                                         ("#visit_type", setup.kinds, d.visit_type_id)):
            box = self.query_one(selector, Select)
            box.set_options(options)
            if value is not None and value in {v for _, v in options}:
                box.value = value
        if self.referral_id is None and setup.coverages:
            self.query_one("#coverage", Select).value = setup.coverages[0][1]
        self.query_one("#kind", Select).value = d.kind
        self.query_one("#status", Select).value = d.status
        for name in _INPUTS:
            self.query_one(f"#{name}", Input).value = getattr(d, name)
        self._ready = True
        self._echo_dates()

    @on(Input.Changed, "#starts_on, #ends_on, #follow_up_on")
    def _echo_dates(self) -> None:
        """Say back the days understood, so a misread date is seen at once."""
        def read(selector: str) -> str:
            text = self.query_one(selector, Input).value
            if not text.strip():
                return ""
            try:
                return describe(parse_date(text, today=clock.today()))
            except InvalidInput:
                return "?"

        start, end, follow = read("#starts_on"), read("#ends_on"), read("#follow_up_on")
        parts = []
        if start or end:
            parts.append(f"{start or '…'} to {end or 'no end'}")
        if follow:
            parts.append(f"follow up {follow}")
        self.query_one("#dates-echo", Label).update(("→ " + " · ".join(parts)) if parts else "")

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

    def _typed(self) -> ReferralDraft:
        def chosen(selector: str) -> int | None:
            value = self.query_one(selector, Select).value
            return value if isinstance(value, int) else None

        values = {name: self.query_one(f"#{name}", Input).value for name in _INPUTS}
        return replace(ReferralDraft(), kind=str(self.query_one("#kind", Select).value),
                       status=str(self.query_one("#status", Select).value),
                       coverage_id=chosen("#coverage"), to_provider_id=chosen("#to_provider"),
                       visit_type_id=chosen("#visit_type"), **values)

    def action_save(self) -> None:
        self.submit()

    def submit(self) -> None:
        if self._busy or not self._ready:
            return
        self._busy = True
        self._say("Saving…", error=False)
        self._save(self._typed())

    @db_work(group="referral-form")
    def _save(self, draft: ReferralDraft) -> None:
        try:
            if self.referral_id is None:
                referrals.add_typed(self.patient_id, draft, by=self.app.signed_in)
            else:
                referrals.update_typed(self.referral_id, draft, version=self.version,
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
        if message.field and self.query(f"#{message.field}"):
            self.query_one(f"#{message.field}").focus()

    def _say(self, text: str, *, error: bool = True) -> None:
        refusal = self.query_one("#refusal", Label)
        refusal.update(text)
        refusal.set_class(error, "error")

    def action_close(self) -> None:
        self.dismiss(False)
