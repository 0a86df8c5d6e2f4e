"""One patient's record: who they are, how to reach them, insurance, visits, forms.

Above the sections, always in sight, what the desk must know before speaking to
the patient: alerts, deceased or inactive, money owed, forms due, the next visit,
and whether the demographics were confirmed. The sections are tabs, one digit
each (1-4, named on the tabs): one key reaches any of them, nothing is below the
fold at 80x24, and staff never scroll past demographics to find the insurance.
Every opening is audited (frontdesk.patients.record).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from frontdesk import clock, patients, schedule, telephone
from frontdesk.changes import Change
from frontdesk.dates import short
from frontdesk.errors import FrontdeskError
from frontdesk.patients import SEXES, Record
from frontdesk.roles import Permission, allowed
from frontdesk.text import one_line
from screens.actions import PATIENT, bindings
from screens.base import DeskScreen, db_work
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["PatientScreen", "SECTIONS"]

SECTIONS = {"details": "1 Details", "insurance": "2 Insurance", "visits": "3 Visits",
            "forms": "4 Forms"}
"""Section id -> its tab, named with the digit that opens it."""

_RANKS = {1: "Primary", 2: "Secondary", 3: "Tertiary"}


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True, width=11)
    grid.add_column()
    return grid


def _details(r: Record) -> Group:
    grid = _grid()
    name = " ".join(one_line(part) for part in (r.first_name, r.middle_name, r.last_name) if part)
    grid.add_row("Name", name)
    grid.add_row("Born", f"{short(r.dob)} · age {r.age} · {SEXES.get(r.sex, r.sex)}")
    for kind, number in r.phones:
        grid.add_row(kind.capitalize(), telephone.display(number))
    if not r.phones:
        grid.add_row("Phone", Text("none on file", style="dim"))
    grid.add_row("Email", one_line(r.email) or Text("none", style="dim"))
    lines = [one_line(line) for line in (r.address1, r.address2) if line]
    place = " ".join(part for part in (one_line(r.city) + ("," if r.city else ""), r.state,
                                       r.zip) if part.strip(","))
    lines += [place] if place else []
    grid.add_row("Address", "\n".join(lines) or Text("none", style="dim"))
    if r.verified_at:
        grid.add_row("Verified", f"{short(r.verified_at.date())} by {one_line(r.verified_by)}")
    else:
        grid.add_row("Verified", Text("never confirmed with the patient", style="yellow"))
    grid.add_row("Changed", f"{short(r.updated_at.date())} {clock.wall(r.updated_at)}"
                 + (f" by {one_line(r.updated_by)}" if r.updated_by else ""))
    contacts = _grid()
    for contact in r.contacts:
        contacts.add_row(one_line(contact.relationship)[:11].capitalize(),
                         f"{one_line(contact.name)}   {telephone.display(contact.phone)}")
    if not r.contacts:
        contacts.add_row("", Text("no contacts on file", style="dim"))
    return Group(grid, Text(""), Text("Contacts", style="bold underline"), contacts)


def _insurance(r: Record) -> Table | Text:
    if not r.coverages:
        return Text("No insurance on file: self-pay unless the patient brings a card.",
                    style="yellow")
    table = Table(box=None, padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
    for column, width in (("", 9), ("Payer", 13), ("Plan", 9), ("Member ID", 12),
                          ("From", 10), ("To", 10), ("Copay", 7)):
        table.add_column(column, width=width, no_wrap=True, overflow="ellipsis")
    for c in r.coverages:
        style = "" if c.in_force else "dim"
        table.add_row(_RANKS.get(c.rank, str(c.rank)), one_line(c.payer), c.plan_type,
                      one_line(c.member_id), short(c.effective_on),
                      short(c.ends_on) if c.ends_on else "",
                      money(c.copay_cents) if c.copay_cents is not None else "?", style=style)
    return table


def _visit_rows(title: str, visits: tuple[patients.Visit, ...], empty: str) -> list:
    table = Table(box=None, padding=(0, 1), show_edge=False, show_header=False)
    for width in (16, 5, 14, 16, 14):
        table.add_column(width=width, no_wrap=True, overflow="ellipsis")
    for visit in visits:
        status = schedule.Status(visit.status)
        table.add_row(f"{visit.start:%a} {short(visit.start.date())}", clock.wall(visit.start),
                      one_line(visit.provider), one_line(visit.type_name),
                      f"{status.mark} {status.label}",
                      style="" if status in schedule.HOLDS_SLOT else "dim")
    body = table if visits else Text(empty, style="dim")
    return [Text(title, style="bold underline"), body]


def _visits(r: Record) -> Group:
    return Group(*_visit_rows("Upcoming", r.upcoming, "nothing booked"), Text(""),
                 *_visit_rows(f"Past (latest {patients.PAST_SHOWN})", r.past, "no visits yet"))


def _forms(r: Record) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("Form", width=30)
    table.add_column("Signed", width=10)
    table.add_column("", width=30)
    today = clock.today()
    for form in r.forms:
        if form.signed_on is None:
            state = Text("never signed: due", style="bold yellow")
        elif form.due:
            state = Text(f"ran out {short(form.renew_on)}: due", style="bold yellow")
        elif form.renew_on:
            state = Text(f"good until {short(form.renew_on)}",
                         style="" if form.renew_on > today else "yellow")
        else:
            state = Text("signed once is enough", style="dim")
        table.add_row(form.label, short(form.signed_on) if form.signed_on else "—", state)
    return table


def _band(r: Record) -> Text:
    """What the desk must see before anything else, in two lines at most."""
    band = Text()
    if r.alerts:
        band.append(f"⚠ {one_line(r.alerts)}\n", style="bold red")
    facts: list[Text] = []
    if r.deceased:
        facts.append(Text("DECEASED", style="bold reverse"))
    elif not r.active:
        facts.append(Text("INACTIVE", style="bold reverse"))
    if r.balance_cents > 0:
        facts.append(Text(f"owes {money(r.balance_cents)}", style="bold"))
    due = [f for f in r.forms if f.due]
    if due:
        facts.append(Text(f"forms due: {len(due)}", style="yellow"))
    nxt = next((v for v in r.upcoming if v.status in schedule.HOLDS_SLOT), None)
    if nxt is not None:
        facts.append(Text(f"next: {nxt.start:%a} {short(nxt.start.date())[:5]} "
                          f"{clock.wall(nxt.start)} {one_line(nxt.provider)}"))
    primary = next((c for c in r.coverages if c.in_force), None)
    facts.append(Text(one_line(primary.payer)) if primary else Text("no insurance",
                                                                   style="yellow"))
    if r.verified_at is None or r.verified_at.year < clock.today().year:
        facts.append(Text("verify demographics", style="yellow"))
    band.append(Text(" · ").join(facts))
    return band


class PatientScreen(DeskScreen):
    """`PatientScreen(patient_id)`: pushed on the current area's stack; Esc goes back."""

    CSS_PATH = "patient.tcss"
    BINDINGS = bindings(PATIENT)
    COMMANDS = {ScreenActions}
    AREA = "patient"
    ACTIONS = PATIENT

    @dataclass
    class Loaded(Message):
        record: Record

    @dataclass
    class Verified(Message):
        refusal: str = ""

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.record: Record | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading…", id="title")
        yield Static("", id="band")
        with TabbedContent(id="sections"):
            for section, label in SECTIONS.items():
                with TabPane(label, id=section):
                    with VerticalScroll(id=f"{section}-scroll"):
                        yield Static("", id=f"{section}-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()
        self.query_one("#details-scroll").focus()

    @db_work(group="patient")
    def _load(self) -> None:
        self.post_message(self.Loaded(patients.record(self.patient_id, by=self.app.signed_in)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        r = self.record = message.record
        self.query_one("#title", Static).update(Text.assemble(
            (one_line(r.filed_name), "bold"), f"   MRN {r.mrn}   {short(r.dob)} ({r.age}) {r.sex}"))
        self.query_one("#band", Static).update(_band(r))
        self.query_one("#details-body", Static).update(_details(r))
        self.query_one("#insurance-body", Static).update(_insurance(r))
        self.query_one("#visits-body", Static).update(_visits(r))
        self.query_one("#forms-body", Static).update(_forms(r))
        self.refresh_bindings()

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when a terminal (this one too) changed something."""
        if self.record is None:
            return
        # Each reload is an audited look: only for changes that can touch this record.
        days = {schedule.day_key(v.start.date()) for v in self.record.upcoming}
        if any((c.topic == "patient" and c.key in ("*", str(self.patient_id)))
               or (c.topic == "appointment" and c.key in days) for c in changes):
            self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "verify"):
            if not allowed(self.app.signed_in, Permission.REGISTER_PATIENTS):
                return False
            return None if self.record is None else True
        if action == "book":
            if not allowed(self.app.signed_in, Permission.SCHEDULE):
                return False
            return None if self.record is None else True
        if action == "pay":
            return allowed(self.app.signed_in, Permission.TAKE_PAYMENTS)
        return True

    # -- actions ----------------------------------------------------------------------

    def action_section(self, section: str) -> None:
        self.query_one(TabbedContent).active = section
        self.query_one(f"#{section}-scroll").focus()

    @on(TabbedContent.TabActivated)
    def _tab_chosen(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id if event.pane else None
        if pane and not self.query_one("Tabs").has_focus:
            self.query_one(f"#{pane}-scroll").focus()

    def action_edit(self) -> None:
        from screens.register import RegisterForm  # shares the registration form

        r = self.record
        if r is None:
            return
        title = f"Edit {one_line(r.full_name)} · MRN {r.mrn}"
        self.app.push_screen(RegisterForm(r.draft(), patient_id=r.id, version=r.version,
                                          title=title), self._edited)

    def _edited(self, patient_id: int | None) -> None:
        if patient_id is not None:
            self.notify("Saved.", timeout=3)
            self._load()

    def action_book(self) -> None:
        """Book for this patient: the provider, day and time are chosen in the form."""
        from screens.booking import BookForm  # not at start-up

        r = self.record
        if r is None:
            return
        self.app.push_screen(BookForm(patient_id=r.id, patient_name=r.filed_name,
                                      patient_about=f"born {short(r.dob)}  MRN {r.mrn}"),
                             lambda booked: booked is not None and self._load())

    def action_pay(self) -> None:
        from screens.payment import take_payment  # not at start-up

        take_payment(self.app, patient_id=self.patient_id, then=self._paid)

    def _paid(self, payment_id: int | None) -> None:
        if payment_id is not None:
            self._load()  # the balance, as it now is

    def action_payments(self) -> None:
        from screens.payment_history import PaymentHistory  # not at start-up

        self.app.push_screen(PaymentHistory(self.patient_id), lambda _: self._load())

    def action_coverage(self) -> None:
        from screens.coverage import CoverageScreen  # not at start-up

        self.app.push_screen(CoverageScreen(self.patient_id), lambda _: self._load())

    def action_referrals(self) -> None:
        from screens.authorizations import PatientReferrals  # not at start-up

        self.app.push_screen(PatientReferrals(self.patient_id))

    def action_verify(self) -> None:
        if self.record is not None:
            self._verify(self.record.version)

    @db_work(group="patient-verify")
    def _verify(self, version: int) -> None:
        try:
            patients.verify(self.patient_id, version=version, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Verified(str(error)))
        else:
            self.post_message(self.Verified())

    @on(Verified)
    def _verified(self, message: Verified) -> None:
        if message.refusal:
            self.notify(message.refusal, severity="error", timeout=8)
        else:
            self.notify("Demographics verified with the patient.", timeout=3)
        self._load()  # either way, show the record as it now is

    def action_close(self) -> None:
        self.dismiss()
