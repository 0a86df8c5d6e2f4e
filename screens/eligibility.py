"""Insurance verification (alt+v): the coming days' visits and whose coverage needs a check.

Exceptions come first (no insurance, ended, rejected, not active, never or long ago
verified), then the rest, each in time order. From here staff verify by hand (v), write
a 270 for the clearinghouse (x), import the payers' 271 answers (i), open the newest
answer (enter) or the patient (p). Every change goes through frontdesk.eligibility and
frontdesk.clearinghouse; other terminals' lists follow through the change feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import get_current_worker

from frontdesk import clearinghouse, clock, eligibility, schedule
from frontdesk.changes import Change
from frontdesk.dates import describe, short
from frontdesk.eligibility import (ENDED, INACTIVE, NO_COVERAGE, REJECTED, STATUS_WORDS,
                                   VerificationView, WorkItem)
from frontdesk.errors import FrontdeskError, InvalidInput
from frontdesk.text import one_line
from frontdesk.x12 import codes
from screens.actions import (IMPORT_ANSWERS, INSURANCE, INSURANCE_AUTHORIZATIONS,
                             INSURANCE_DAYS, VERIFICATION, bindings)
from screens.authorizations import AuthorizationsKey
from screens.base import DeskModal, DeskScreen, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["InsuranceScreen", "VerificationScreen", "ImportAnswers", "DaysPrompt"]

_URGENT = frozenset({NO_COVERAGE, ENDED, REJECTED, INACTIVE})
"""Problems that mean the visit may not be paid for: shown in red, the rest in yellow."""


def _when(item: WorkItem) -> str:
    return f"{item.start:%a} {clock.wall(item.start):>5}"


def _status_cell(item: WorkItem) -> Text:
    if not item.exception:
        return Text(item.short, style="green")
    return Text(item.short, style="bold red" if item.rank in _URGENT else "yellow",
                overflow="ellipsis")


_PLAN_SHORT = {"Medicare Advantage": "MA", "Self-pay": "self-pay"}
INSURANCE_WIDTH = 16


def insurance_words(payer: str, plan_type: str, width: int = INSURANCE_WIDTH) -> str:
    """Payer and plan type in `width` characters: the payer is cut, never the plan type
    (which the payer's name often says already: "Tricare East", "MassHealth (Medicaid)")."""
    payer = one_line(payer)
    if plan_type.lower() in payer.lower():
        return payer if len(payer) <= width else payer[:width - 1] + "…"
    plan = _PLAN_SHORT.get(plan_type, plan_type)
    room = width - len(plan) - 1
    if len(payer) > room:
        payer = payer[:max(room - 1, 1)] + "…"
    return f"{payer} {plan}"


def _insurance_cell(item: WorkItem) -> Text:
    if item.coverage_id is None:
        return Text("—", style="dim")
    return Text(insurance_words(item.payer, item.plan_type))


def detail_text(item: WorkItem) -> Text:
    """The row under the cursor in full, for the pane under the list."""
    text = Text.assemble((one_line(item.patient), "bold"), f"  MRN {item.mrn}  DOB "
                         f"{short(item.dob)} · {item.start:%a %m/%d} "
                         f"{clock.wall(item.start)} {one_line(item.provider)}\n")
    if item.coverage_id is None:
        text.append(item.problem, style="bold red")
        text.append("\nAdd the insurance on the patient's record (p), or collect as self-pay.")
        return text
    more = f" (+{item.coverages - 1} more)" if item.coverages > 1 else ""
    group = f" · group {one_line(item.group_number)}" if item.group_number else ""
    text.append(f"{insurance_words(item.payer, item.plan_type, 30)} · member "
                f"{one_line(item.member_id)}{group}{more}\n")
    if item.verified_at is not None:
        when = clock.local(item.verified_at)
        how = "by hand" if item.source == eligibility.BY_HAND else "from a 271"
        text.append(f"Checked {short(when.date())} {clock.wall(when)} {how} "
                    f"({one_line(item.verified_by)}): ")
        text.append(STATUS_WORDS.get(item.status, item.status),
                    style="green" if item.status == "active" else "bold red")
        if item.rank in (eligibility.STALE, ENDED):
            text.append(f"  ({item.problem})", style="yellow")
        text.append("\n")
    elif item.exception:
        text.append(item.problem, style="yellow")
        text.append("\n")
    if item.rejection:
        text.append(f"Payer: {item.rejection}", style="bold")
    elif item.benefits:
        text.append(item.benefits)
    elif item.verified_at is None and item.exception:
        text.append("v verifies by hand; x writes a 270 for the clearinghouse.", style="dim")
    return text


class InsuranceScreen(AuthorizationsKey, DeskScreen):
    CSS_PATH = "eligibility.tcss"
    # `a`: the referral and prior-authorization worklist (screens.authorizations).
    BINDINGS = [*bindings(INSURANCE), *bindings(INSURANCE_AUTHORIZATIONS)]
    COMMANDS = {ScreenActions}
    AREA = "insurance"
    ACTIONS = INSURANCE + INSURANCE_AUTHORIZATIONS

    @dataclass
    class Loaded(Message):
        items: list[WorkItem]
        first: date
        last: date

    @dataclass
    class Written(Message):
        written: clearinghouse.Written | None
        refusal: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.first, self.last = eligibility.window()
        self.items: list[WorkItem] = []
        self._loaded = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="title")
        yield DataTable(id="worklist", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("When", width=9, key="when")
        table.add_column("Patient", width=17, key="patient")
        table.add_column("With", width=11, key="provider")
        table.add_column("Insurance", width=INSURANCE_WIDTH, key="insurance")
        table.add_column("Checked", width=15, key="status")
        self._title()
        self._load()

    # -- loading ------------------------------------------------------------------------

    @db_work(group="insurance")
    def _load(self) -> None:
        first, last = self.first, self.last
        self.post_message(self.Loaded(eligibility.worklist(first, last), first, last))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        if (message.first, message.last) != (self.first, self.last):
            return  # an answer for days no longer asked about
        self._loaded = True
        table = self.query_one(DataTable)
        keep = self.current.appointment_id if self.current else None
        self.items = message.items
        table.clear()
        for item in self.items:
            table.add_row(Text(_when(item)), Text(one_line(item.patient), overflow="ellipsis"),
                          Text(one_line(item.provider), overflow="ellipsis"),
                          _insurance_cell(item), _status_cell(item),
                          key=str(item.appointment_id))
        if self.items:
            index = next((i for i, it in enumerate(self.items) if it.appointment_id == keep), 0)
            table.move_cursor(row=index, animate=False)
        self._title()
        self._show_detail()
        self.refresh_bindings()

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when a terminal (this one too) changed something."""
        days = {schedule.day_key(date.fromordinal(n))
                for n in range(self.first.toordinal(), self.last.toordinal() + 1)}
        listed = {"*"} | {str(item.patient_id) for item in self.items}
        if any(c.topic in (eligibility.TOPIC, "coverage")
               or (c.topic == "appointment" and c.key in days)
               or (c.topic == "patient" and c.key in listed) for c in changes):
            self._load()

    def on_screen_resume(self) -> None:
        # The change feed only reaches the area on screen: coming back, look again.
        if self._loaded:
            self._load()

    # -- what staff see -----------------------------------------------------------------

    def _title(self) -> None:
        span = f"{self.first:%a} {self.first.month}/{self.first.day}"
        if self.last != self.first:
            span += f" – {self.last:%a} {self.last.month}/{self.last.day}"
        text = Text.assemble(("Insurance verification", "bold"), f" · {span} · ")
        if not self._loaded:
            text.append("loading…")
        elif not self.items:
            text.append("no appointments")
        else:
            needing = sum(1 for item in self.items if item.exception)
            text.append(f"{needing} of {len(self.items)} visits to check",
                        style="bold" if needing else "")
        self.query_one("#title", Static).update(text)

    def _show_detail(self) -> None:
        item = self.current
        detail = self.query_one("#detail", Static)
        if item is None:
            detail.update(Text("No appointments on these days. [ and ] move a day; g types "
                               "days.") if self._loaded else "")
            return
        detail.update(detail_text(item))

    @property
    def current(self) -> WorkItem | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self.items)

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def _chosen(self) -> None:
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.current
        if action == "open":
            return None if item is None or item.verification_id is None else True
        if action == "verify":
            return None if item is None or item.coverage_id is None else True
        if action == "patient":
            return None if item is None else True
        if action == "request":
            return None if not self.items else True
        return True

    # -- the days shown -----------------------------------------------------------------

    def _show_days(self, first: date, last: date) -> None:
        self.first, self.last = first, last
        self._loaded = False
        self._title()
        self._load()

    def action_shift(self, days: int) -> None:
        step = date.fromordinal
        self._show_days(step(self.first.toordinal() + days), step(self.last.toordinal() + days))

    def action_today(self) -> None:
        self._show_days(*eligibility.window())

    def action_days(self) -> None:
        self.app.push_screen(DaysPrompt(self.first, self.last), self._days_typed)

    def _days_typed(self, days: tuple[date, date] | None) -> None:
        if days is not None:
            self._show_days(*days)

    # -- actions ------------------------------------------------------------------------

    def action_open(self) -> None:
        item = self.current
        if item is not None and item.verification_id is not None:
            self.app.push_screen(VerificationScreen(item.verification_id))

    def action_verify(self) -> None:
        item = self.current
        if item is not None and item.coverage_id is not None:
            from screens.verify import VerifyForm  # not at start-up

            self.app.push_screen(VerifyForm(item), self._verified)

    def _verified(self, saved: bool | None) -> None:
        if saved:
            self.notify("Verification saved.", timeout=4)
            self._load()

    def action_patient(self) -> None:
        if self.current is not None:
            self.app.open_patient(self.current.patient_id)

    def action_request(self) -> None:
        if self.items:
            self.notify("Writing the 270…", timeout=3)
            self._write([item.appointment_id for item in self.items])

    @db_work(group="insurance-270", exclusive=False)
    def _write(self, appointment_ids: list[int]) -> None:
        try:
            written = clearinghouse.write_270_for(appointment_ids, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Written(None, str(error)))
        else:
            self.post_message(self.Written(written))

    @on(Written)
    def _written(self, message: Written) -> None:
        if message.written is None:
            self.notify(message.refusal, severity="error", timeout=12)
            return
        written = message.written
        payers = len(written.payers)
        self.notify(f"270 written for {written.inquiries} coverage"
                    f"{'s' if written.inquiries != 1 else ''} with {payers} payer"
                    f"{'s' if payers != 1 else ''}: {written.path}. Send it to the "
                    "clearinghouse; import the answers with i.", timeout=15)

    def action_import_answers(self) -> None:
        self.app.push_screen(ImportAnswers(), self._imported)

    def _imported(self, imported: bool | None) -> None:
        if imported:
            self._load()


# -- the newest answer, opened ------------------------------------------------------------


def _amount(cents: int | None) -> Text:
    if cents is None:
        return Text("not given", style="dim")
    return Text(eligibility.dollars(cents))


def _service_types(codes_given: list[str]) -> str:
    if not codes_given:
        return "whole plan"
    named = [codes.service_type(code) for code in codes_given[:3]]
    return ", ".join(named) + (f" +{len(codes_given) - 3}" if len(codes_given) > 3 else "")


_NETWORK = {"in": "in network", "out": "out of network", "both": "in and out", None: ""}


def verification_text(seen: VerificationView, *, raw: bool = False) -> Text:
    """Everything a verification says, for the detail screen."""
    found = seen.verification
    when = clock.local(found.verified_at)
    text = Text.assemble((one_line(seen.patient), "bold"), f"   MRN {seen.mrn}\n")
    text.append(f"{one_line(seen.payer)}"
                f"{f' ({one_line(seen.payer_id)})' if seen.payer_id else ''} · {seen.plan_type}"
                f" · member {one_line(seen.member_id)}\n")
    source = "by hand" if found.source == eligibility.BY_HAND else (
        f"from a 271{f' ({one_line(seen.file_name)})' if seen.file_name else ''}")
    text.append(f"Checked {short(when.date())} {clock.wall(when)} {source}, by "
                f"{one_line(seen.verified_by)}\n\n")
    text.append("Status: ")
    text.append(STATUS_WORDS.get(found.status, found.status).upper(),
                style="bold green" if found.status == "active" else "bold red")
    if found.plan_name:
        text.append(f" · plan {one_line(found.plan_name)}")
    if found.plan_begin or found.plan_end:
        text.append(f" · {short(found.plan_begin) if found.plan_begin else '…'} to "
                    f"{short(found.plan_end) if found.plan_end else 'no end date'}")
    text.append("\n")
    if found.status == "rejected":
        text.append("\nThe payer could not answer: ", style="bold")
        text.append(f"{found.rejection_reason or 'no reason given'}"
                    f"{f' (code {found.rejection_code})' if found.rejection_code else ''}\n")
        text.append("What to do: ", style="bold")
        text.append(f"{found.rejection_follow_up or 'call the payer'}\n")
        for other in seen.answer.get("rejections", [])[1:]:
            text.append(f"  also: {other['reason']} ({other['loop']}); {other['follow_up']}\n",
                        style="dim")
    else:
        text.append("\n")
        rows = (("Office copay", _amount(found.office_copay_cents)),
                ("Specialist copay", _amount(found.specialist_copay_cents)),
                ("Deductible", _amount(found.deductible_total_cents)),
                ("  remaining", _amount(found.deductible_remaining_cents)),
                ("Coinsurance", Text(f"{found.coinsurance_percent.normalize():f} %")
                 if found.coinsurance_percent is not None else _amount(None)),
                ("Out-of-pocket max", _amount(found.oop_max_cents)),
                ("  remaining", _amount(found.oop_remaining_cents)))
        for label, value in rows:
            text.append(f"{label:<20}")
            text.append_text(value)
            text.append("\n")
    if found.reference or found.representative:
        text.append(f"\nReference {one_line(found.reference) or '—'}"
                    f"{f' · told by {one_line(found.representative)}' if found.representative else ''}\n")
    copays = seen.answer.get("copays", [])
    if copays:
        text.append("\nCo-pays the payer listed\n", style="bold")
        for copay in copays:
            note = f" — {one_line(copay['note'])}" if copay.get("note") else ""
            text.append(f"  {eligibility.dollars(copay['amount_cents']):>8} "
                        f"{_service_types(copay['service_types'])}"
                        f"{', ' + _NETWORK[copay['network']] if copay['network'] else ''}"
                        f"{note}\n")
    for warning in seen.answer.get("warnings", []):
        text.append(f"\nNote: {one_line(warning)}", style="dim")
    if raw and seen.segments:
        text.append("\n\nThe payer's benefit lines, as sent\n", style="bold")
        for line in seen.segments:
            text.append(f"  {one_line(line)}\n", style="dim")
    return text


class VerificationScreen(DeskScreen):
    """One verification in full: what the payer said, or why it could not answer."""

    CSS_PATH = "eligibility.tcss"
    BINDINGS = bindings(VERIFICATION)
    COMMANDS = {ScreenActions}
    AREA = "verification"
    ACTIONS = VERIFICATION

    @dataclass
    class Loaded(Message):
        seen: VerificationView

    def __init__(self, verification_id: int) -> None:
        super().__init__()
        self.verification_id = verification_id
        self.seen: VerificationView | None = None
        self.raw = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Verification", id="title")
        with VerticalScroll(id="answer"):
            yield Static("loading…", id="body")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    @db_work(group="verification")
    def _load(self) -> None:
        self.post_message(self.Loaded(eligibility.view(self.verification_id,
                                                       by=self.app.signed_in)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.seen = message.seen
        self._draw()
        self.refresh_bindings()

    def _draw(self) -> None:
        if self.seen is not None:
            self.query_one("#body", Static).update(verification_text(self.seen, raw=self.raw))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_raw":
            return None if self.seen is None or not self.seen.segments else True
        return True

    def action_toggle_raw(self) -> None:
        self.raw = not self.raw
        self._draw()

    def action_close(self) -> None:
        self.dismiss()


# -- importing answers ------------------------------------------------------------------------


def outcome_text(outcome: clearinghouse.ImportOutcome) -> Text:
    """What an import did, file by file, in the words of the payers' answers."""
    text = Text(outcome.summary() + "\n", style="bold")
    for found in outcome.files:
        text.append(f"\n{one_line(found.name)}: ", style="bold")
        if found.state != "imported":
            text.append(("refused. " if found.state == "refused" else "")
                        + one_line(found.message) + "\n",
                        style="bold red" if found.state == "refused" else "")
            continue
        text.append(f"{found.answers} answer{'s' if found.answers != 1 else ''}\n")
        for stored in found.stored:
            text.append(f"  {one_line(stored.patient)}: ")
            if stored.status == "rejected":
                text.append("REJECTED", style="bold red")
                text.append(f" — {one_line(stored.rejection)}\n")
            else:
                text.append(STATUS_WORDS.get(stored.status, stored.status),
                            style="green" if stored.status == "active" else "bold red")
                text.append("\n")
        for unmatched in found.unmatched:
            text.append("  not matched to a patient: ", style="yellow")
            text.append(f"{one_line(unmatched)}\n")
    return text


class ImportAnswers(DeskModal[bool]):
    """Import the payers' 271 answers from a file or a folder typed; shows what each said.
    Dismissed True when something was recorded."""

    CSS_PATH = "eligibility.tcss"
    BINDINGS = bindings(IMPORT_ANSWERS)
    AREA = "import 271"
    ACTIONS = IMPORT_ANSWERS
    last_path = ""
    """The path typed last time, offered again: the clearinghouse's download folder."""

    @dataclass
    class Done(Message):
        outcome: clearinghouse.ImportOutcome | None
        refusal: str = ""

    def __init__(self) -> None:
        super().__init__()
        self._recorded = False
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label("A 271 file, or a folder (every .x12 .271 .txt .edi file in it)")
            yield Input(type(self).last_path, id="path", max_length=400, compact=True,
                        placeholder="for example ~/Downloads/271")
            yield Label("", id="refusal")
            with VerticalScroll(id="results"):
                yield Static("", id="outcome")
            yield Static("⏎ imports · Esc closes", id="box-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#box").border_title = "Import the payers' 271 answers"
        self.query_one("#results").display = False
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self.query_one("#refusal", Label).update(
                "Type the path of a 271 file, or of the folder they are downloaded to.")
            return
        if self._busy:
            return
        self._busy = True
        type(self).last_path = path
        self.query_one("#refusal", Label).update("Importing…")
        self._import(path)

    @db_work(group="import-271", exclusive=False)
    def _import(self, path: str) -> None:
        try:
            files = clearinghouse.files_in([path])
            if not files:
                raise InvalidInput(f"There is no 271 file in {path} (.x12 .271 .txt .edi).")
            worker = get_current_worker()
            self.post_message(self.Done(clearinghouse.import_271(
                files, by=self.app.signed_in, cancelled=lambda: worker.is_cancelled)))
        except FrontdeskError as error:
            self.post_message(self.Done(None, str(error)))

    @on(Done)
    def _done(self, message: Done) -> None:
        self._busy = False
        if message.outcome is None:
            self.query_one("#refusal", Label).update(message.refusal)
            return
        self.query_one("#refusal", Label).update("")
        self._recorded = self._recorded or bool(message.outcome.stored)
        self.query_one("#results").display = True
        self.query_one("#outcome", Static).update(outcome_text(message.outcome))

    def action_close(self) -> None:
        self.dismiss(self._recorded)


class DaysPrompt(DeskModal["tuple[date, date] | None"]):
    """The days the worklist shows, typed: 12/3, or 12/3 to 12/8."""

    CSS_PATH = "eligibility.tcss"
    BINDINGS = bindings(INSURANCE_DAYS)
    AREA = "worklist days"
    ACTIONS = INSURANCE_DAYS

    def __init__(self, first: date, last: date) -> None:
        super().__init__()
        self.first, self.last = first, last

    def compose(self) -> ComposeResult:
        typed = short(self.first) + (f" to {short(self.last)}" if self.last != self.first else "")
        with Vertical(id="days-box"):
            yield Label("Days: 12/3, or 12/3 to 12/8 (tomorrow, next fri…)")
            yield Input(typed, id="days", max_length=60, compact=True)
            yield Label("", id="echo")
            yield Label("", id="refusal")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#days-box").border_title = "Show the days"
        self.query_one("#days", Input).focus()

    def _parsed(self) -> tuple[date, date]:
        return eligibility.parse_days(self.query_one("#days", Input).value, today=clock.today())

    @on(Input.Changed, "#days")
    def _echo(self) -> None:
        """Say back the days understood, so 3/4 read as the wrong year shows at once."""
        try:
            first, last = self._parsed()
        except InvalidInput:
            self.query_one("#echo", Label).update("…")
            return
        self.query_one("#echo", Label).update(
            describe(first) + (f" to {describe(last)}" if last != first else ""))

    @on(Input.Submitted, "#days")
    def _submitted(self) -> None:
        try:
            self.dismiss(self._parsed())
        except InvalidInput as error:
            self.query_one("#refusal", Label).update(str(error))

    def action_close(self) -> None:
        self.dismiss(None)
