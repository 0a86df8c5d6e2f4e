"""Check-in and check-out panels, opened from the schedule with `a` and `o`.

Check-in lays out what to go through with the patient at the window, then marks
them arrived (and, when staff say so, the demographics confirmed) in one go.
Check-out marks the visit done at once and offers the next visit's times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk import checkin, clock, schedule, telephone
from frontdesk.checkin import CheckInSheet, Offer
from frontdesk.dates import describe, short
from frontdesk.errors import Conflict, FrontdeskError
from frontdesk.patients import SEXES, Patient, age
from frontdesk.roles import Permission, allowed
from frontdesk.text import one_line
from screens.actions import CHECK_IN, CHECK_OUT, bindings
from screens.base import DeskModal, db_work
from screens.widgets import KeyBar

__all__ = ["CheckInPanel", "CheckOutPanel", "money"]

OFFERS_SHOWN = 5
_INTERVAL_KEYS = (("n", "next"), ("w", "1w"), ("2", "2w"), ("m", "1m"), ("3", "3m"),
                  ("6", "6m"), ("y", "1y"))
"""The keys of CHECK_OUT's intervals, in the order the panel lists them."""
_INTERVAL_WORDS = {"next": "next day", "1w": "1 wk", "2w": "2 wk", "1m": "1 mo",
                   "3m": "3 mo", "6m": "6 mo", "1y": "1 yr"}
"""Short, so the seven fit one line at 80 columns."""


def money(cents: int) -> str:
    """Cents as staff read money: `$1,234.50`."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def _day(moment: datetime) -> str:
    """A date as the desk writes it: 3/4/2025."""
    return f"{moment.month}/{moment.day}/{moment.year}"


def _verified(sheet: CheckInSheet) -> Text:
    if sheet.verified_at is None:
        return Text("never verified", style="bold yellow")
    text = Text(f"last verified {_day(sheet.verified_at)}")
    if sheet.verified_by:
        text.append(f" by {one_line(sheet.verified_by)}")
    if not sheet.verified_this_year:
        text.append("  ⚠ not this year", style="bold yellow")
    return text


def _coverage(sheet: CheckInSheet) -> Text:
    if not sheet.coverage:
        return Text(f"none on file for {short(sheet.start.date())}", style="bold yellow")
    text = Text()
    for line in sheet.coverage:
        copay = "copay unknown" if line.copay_cents is None else f"copay {money(line.copay_cents)}"
        if text:
            text.append("\n")
        text.append(f"{one_line(line.payer)} {line.plan_type}", style="bold")
        text.append(f" · {one_line(line.member_id)} · {copay}")
    return text


def _collect(sheet: CheckInSheet, working: bool) -> Text:
    """What to ask for today: the visit's estimate less what was paid for it, and the
    prior balance; with the estimate's working under it when asked for (w)."""
    c = sheet.collect
    estimate = c.estimate
    text = Text()
    total = c.total_cents
    if total is not None:
        text.append(f"{money(total)} today", style="bold yellow" if total else "bold green")
        text.append(": ")
    if estimate.known:
        text.append(f"estimate {money(estimate.patient_cents)}")
        if c.paid_for_visit_cents:
            text.append(f" less {money(c.paid_for_visit_cents)} paid")
    else:
        text.append(estimate.headline[0].lower() + estimate.headline[1:], style="bold yellow")
    if c.balance_cents > 0:
        text.append(f" + balance {money(c.balance_cents)}")
    text.append("  w: working" if not working else "", style="dim")
    if working:
        for line in estimate.working:
            text.append(f"\n· {one_line(line)}", style="dim")
    return text


def _referral(sheet: CheckInSheet) -> Text:
    standing = sheet.referral
    return Text(one_line(standing.text), style="bold yellow" if standing.warning else "")


def _forms(sheet: CheckInSheet) -> Text:
    due = sheet.forms_due
    if not due:
        return Text("none", style="green")
    return Text(", ".join(form.label for form in due), style="bold")


def _demographics(sheet: CheckInSheet) -> list[tuple[str, Text | str]]:
    d = sheet
    born = f"{short(d.dob)} (age {age(d.dob, clock.today())}), {SEXES.get(d.sex, d.sex)}"
    phones = ", ".join(f"{telephone.display(n)} {k}" for k, n in d.phones) or "none"
    return [
        ("  Born", born),
        ("  Phone", Text(phones, overflow="ellipsis", no_wrap=True)),
        ("  Address", Text(one_line(", ".join(d.address)) or "none on file",
                         overflow="ellipsis", no_wrap=True)),
        ("  Email", one_line(d.email) or "none"),
    ]


def _sheet_table(sheet: CheckInSheet, working: bool = False) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True, width=12)
    grid.add_column(ratio=1)
    visit = (f"{clock.wall(sheet.start)}-{clock.wall(sheet.end)} {one_line(sheet.type_name)} "
             f"with {one_line(sheet.provider)} · {sheet.status.label}")
    if sheet.start.date() != clock.today():
        visit = f"{describe(sheet.start.date())} " + visit
    grid.add_row("Visit", Text(visit, overflow="ellipsis", no_wrap=True))
    grid.add_row("Demographics", _verified(sheet))
    for label, value in _demographics(sheet):
        grid.add_row(label, value)
    grid.add_row("Coverage", _coverage(sheet))
    grid.add_row("Forms due", _forms(sheet))
    if sheet.referral is not None:
        grid.add_row(sheet.referral.label, _referral(sheet))
    if sheet.collect is not None:
        grid.add_row("Collect", _collect(sheet, working))
    elif sheet.balance_cents > 0:
        grid.add_row("Balance", Text(f"{money(sheet.balance_cents)} · collect today",
                                     style="bold yellow"))
    if sheet.alerts:
        # Styled as a span, not the cell: the mark ends where the words end.
        grid.add_row("Alert", Text.assemble((f" {one_line(sheet.alerts)} ", "bold reverse red")))
    return grid


class CheckInPanel(DeskModal[bool]):
    """The check-in sheet of one appointment; dismissed True once the patient is arrived."""

    CSS_PATH = "checkin.tcss"
    BINDINGS = bindings(CHECK_IN)
    AREA = "check-in"
    ACTIONS = CHECK_IN

    @dataclass
    class Loaded(Message):
        sheet: CheckInSheet

    @dataclass
    class Refused(Message):
        reason: str
        stale: bool = False

    @dataclass
    class Arrived(Message):
        pass

    def __init__(self, appointment_id: int) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.sheet: CheckInSheet | None = None
        self.confirmed = False
        """Staff went through the demographics with the patient: saved with the arrival."""
        self.working = False
        """The estimate's working is shown under what to collect (w)."""
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="card"):
            yield Static("Loading…", id="sheet")
            yield Static("", id="confirm")
            yield Label("", id="refusal")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#card").border_title = "Check in"
        self._load()

    @db_work(group="check-in")
    def _load(self) -> None:
        self.post_message(self.Loaded(checkin.sheet(self.appointment_id,
                                                    by=self.app.signed_in)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        sheet = self.sheet = message.sheet
        self.query_one("#card").border_title = (
            f"Check in · {one_line(sheet.patient)} · MRN {one_line(sheet.mrn)}")
        self.query_one("#sheet", Static).update(_sheet_table(sheet, self.working))
        self._show_confirmed()
        self.refresh_bindings()

    def _show_confirmed(self) -> None:
        box = "[x]" if self.confirmed else "[ ]"
        line = Text(f"{box} Demographics confirmed with the patient",
                    style="bold green" if self.confirmed else "")
        line.append("  (v)", style="dim")
        self.query_one("#confirm", Static).update(line)

    def _say(self, text: str) -> None:
        self.query_one("#refusal", Label).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("arrive", "confirm", "edit"):
            return None if self.sheet is None or self._busy else True
        if action in ("coverage", "working"):
            return None if self.sheet is None else True
        if action == "pay":
            if not allowed(self.app.signed_in, Permission.TAKE_PAYMENTS):
                return False
            return None if self.sheet is None else True
        return True

    # -- actions ----------------------------------------------------------------------

    def action_confirm(self) -> None:
        self.confirmed = not self.confirmed
        self._show_confirmed()

    def action_edit(self) -> None:
        if self.sheet is None:
            return
        from screens.register import RegisterForm  # the patient record's own form

        sheet = self.sheet
        self.app.push_screen(
            RegisterForm(sheet.draft, patient_id=sheet.patient_id,
                         version=sheet.patient_version,
                         title=f"Edit demographics · {one_line(sheet.patient)}"),
            self._edited)

    def _edited(self, patient_id: int | None) -> None:
        if patient_id is not None:
            # Edited with the patient at the window: that is going through them.
            self.confirmed = True
            self._say("")
            self._load()

    def action_pay(self) -> None:
        if self.sheet is None:
            return
        from screens.payment import take_payment  # not at start-up

        take_payment(self.app, appointment_id=self.sheet.appointment.id, then=self._paid)

    def _paid(self, payment_id: int | None) -> None:
        if payment_id is not None:
            self._load()  # what is owed and due, as it now is

    def action_coverage(self) -> None:
        if self.sheet is None:
            return
        from screens.coverage import CoverageScreen  # not at start-up

        self.app.push_screen(CoverageScreen(self.sheet.patient_id), lambda _: self._load())

    def action_working(self) -> None:
        self.working = not self.working
        if self.sheet is not None:
            self.query_one("#sheet", Static).update(_sheet_table(self.sheet, self.working))

    def action_arrive(self) -> None:
        if self.sheet is None or self._busy:
            return
        self._busy = True
        self._say("Saving…")
        self.refresh_bindings()
        self._arrive(self.sheet, self.confirmed)

    @db_work(group="check-in-arrive")
    def _arrive(self, sheet: CheckInSheet, confirmed: bool) -> None:
        try:
            checkin.arrive(sheet.appointment, verified=confirmed,
                           version_of_patient=sheet.patient_version, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Refused(str(error), stale=isinstance(error, Conflict)))
        else:
            self.post_message(self.Arrived())

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._busy = False
        self._say(message.reason)
        self.refresh_bindings()
        if message.stale:
            self._load()  # show what is there now; the refusal stays on screen

    @on(Arrived)
    def _arrived(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True)
class _Visit:
    """The visit being checked out, as the panel names it."""

    patient: str
    type_name: str
    provider: str
    checked_out_at: datetime | None


class CheckOutPanel(DeskModal[bool]):
    """Checks the patient out as it opens, then offers the next visit; dismissed True
    when a next visit was booked."""

    CSS_PATH = "checkin.tcss"
    BINDINGS = bindings(CHECK_OUT)
    AREA = "check-out"
    ACTIONS = CHECK_OUT

    @dataclass
    class Departed(Message):
        visit: _Visit
        refusal: str = ""

    @dataclass
    class Offered(Message):
        interval: str
        offers: list[Offer] = field(default_factory=list)

    @dataclass
    class Booked(Message):
        offer: Offer | None
        refusal: str = ""

    def __init__(self, appointment_id: int) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.interval = "next"
        self.offers: list[Offer] = []
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="card"):
            yield Static("Checking out…", id="visit")
            yield Static("", id="next-title")
            yield OptionList(id="offers")
            yield Static(self._interval_line(), id="intervals")
            yield Label("", id="refusal")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#card").border_title = "Check out"
        self.query_one("#offers", OptionList).focus()
        self._depart()
        self._offer(self.interval)

    # -- checking out -----------------------------------------------------------------

    @db_work(group="check-out")
    def _depart(self) -> None:
        appointment = schedule.get(self.appointment_id)
        patient = Patient.get_by_id(appointment.patient_id)
        kind = appointment.type
        visit = _Visit(patient.filed_name, kind.name, appointment.provider.short_name, None)
        try:
            done = checkin.depart(appointment, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Departed(visit, str(error)))
        else:
            self.post_message(self.Departed(
                _Visit(visit.patient, visit.type_name, visit.provider, done.checked_out_at)))

    @on(Departed)
    def _departed(self, message: Departed) -> None:
        visit = message.visit
        self.query_one("#card").border_title = f"Check out · {one_line(visit.patient)}"
        text = Text()
        if visit.checked_out_at is not None:
            text.append(f"Checked out at {clock.wall(visit.checked_out_at)}", style="bold")
        else:
            text.append("Not checked out", style="bold red")
        text.append(f" · {one_line(visit.type_name)} with {one_line(visit.provider)}")
        self.query_one("#visit", Static).update(text)
        if message.refusal:
            self._say(message.refusal)

    # -- the next visit ---------------------------------------------------------------

    def _interval_line(self) -> Text:
        line = Text("From: ", style="dim")
        for key, interval in _INTERVAL_KEYS:
            chosen = interval == self.interval
            line.append(key, style="bold reverse" if chosen else "bold")
            line.append(f" {_INTERVAL_WORDS[interval]}  ", style="bold" if chosen else "")
        line.rstrip()
        return line

    def action_interval(self, interval: str) -> None:
        self.interval = interval
        self.query_one("#intervals", Static).update(self._interval_line())
        self._offer(interval)

    @db_work(group="check-out-offers")
    def _offer(self, interval: str) -> None:
        appointment = schedule.get(self.appointment_id)
        self.post_message(self.Offered(interval, checkin.next_visit_offers(
            appointment, OFFERS_SHOWN, interval=interval)))

    @on(Offered)
    def _offered(self, message: Offered) -> None:
        if message.interval != self.interval:
            return  # staff have since asked for another interval
        self.offers = message.offers
        label, _ = checkin.FOLLOW_UPS[message.interval]
        self.query_one("#next-title", Static).update(
            Text.assemble(("Next visit ", "bold"), f"{label}, first free times:"))
        offers = self.query_one("#offers", OptionList)
        offers.clear_options()
        offers.add_options([Option(self._offer_line(offer), id=str(index))
                            for index, offer in enumerate(message.offers)])
        if message.offers:
            offers.highlighted = 0
        else:
            offers.add_option(Option("No free time in the next three months from then.",
                                     disabled=True))
        self.refresh_bindings()

    @staticmethod
    def _offer_line(offer: Offer) -> Text:
        return Text.assemble((f"{describe(offer.on):<18}", "bold"),
                             (f"{clock.wall(offer.at):>5}  ", "bold"),
                             f"{one_line(offer.type_name)}, {one_line(offer.provider)}")

    def _highlighted(self) -> Offer | None:
        index = self.query_one("#offers", OptionList).highlighted
        if index is None or not 0 <= index < len(self.offers):
            return None
        return self.offers[index]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "book":
            return None if self._busy or not self.offers else True
        if action == "pay":
            return allowed(self.app.signed_in, Permission.TAKE_PAYMENTS)
        return True

    def action_pay(self) -> None:
        from screens.payment import take_payment  # not at start-up

        take_payment(self.app, appointment_id=self.appointment_id)

    def action_book(self) -> None:
        offer = self._highlighted()
        if offer is None or self._busy:
            return
        self._busy = True
        self._say("Booking…")
        self.refresh_bindings()
        self._book(offer)

    @on(OptionList.OptionSelected)
    def _picked(self) -> None:
        self.action_book()  # a click on an offer

    @db_work(group="check-out-book")
    def _book(self, offer: Offer) -> None:
        try:
            checkin.book_offer(offer, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Booked(None, str(error)))
        else:
            self.post_message(self.Booked(offer))

    @on(Booked)
    def _booked(self, message: Booked) -> None:
        self._busy = False
        if message.offer is None:
            self._say(message.refusal)
            self._offer(self.interval)  # the time was taken: offer what is free now
            return
        offer = message.offer
        self.app.notify(f"Next visit booked: {describe(offer.on)} {clock.wall(offer.at)} "
                        f"with {one_line(offer.provider)}.", timeout=6)
        self.dismiss(True)

    def _say(self, text: str) -> None:
        self.query_one("#refusal", Label).update(text)

    def action_done(self) -> None:
        self.dismiss(False)
