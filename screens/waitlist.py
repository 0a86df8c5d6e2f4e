"""The waitlist (`w` on the schedule), its form, and the offers after a cancellation.

Patients who would take an earlier time say with whom, for what, between which
days and when they can come. When an appointment is cancelled, `WaitlistOffers`
lists who that freed time would suit, first come first served, and books the
one chosen into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from frontdesk import clock, schedule, waitlist
from frontdesk.changes import Change
from frontdesk.dates import describe, short
from frontdesk.errors import FrontdeskError
from frontdesk.lookup import Hit
from frontdesk.providers import Provider, active_providers
from frontdesk.schedule import AppointmentType
from frontdesk.slots import PARTS_OF_DAY
from frontdesk.text import one_line
from screens.actions import FORM, WAITLIST, WAITLIST_FORM, WAITLIST_OFFERS, bindings
from screens.base import DeskModal, DeskScreen, FormFields, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.daytoggle import DayToggle
from screens.widgets.patient_picker import PatientPicker

__all__ = ["WaitlistScreen", "WaitlistForm", "WaitlistOffers"]

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PAUSE = 0.12
"""Seconds of no typing before the patient search runs."""
HITS = 3
"""Patients listed under the search box: the best few; typing more narrows them."""
WINDOW_DAYS = 28
"""The window a new entry starts with: the next four weeks."""


def _hit_line(hit: Hit) -> Text:
    return Text.assemble((one_line(hit.filed_name), "bold"),
                         f"  born {short(hit.dob)}  MRN {hit.mrn}")


def _window(line: waitlist.Line) -> str:
    return f"{line.earliest:%m/%d}-{line.latest:%m/%d}"


def _short_days(days: str) -> str:
    """`Mo We Fr`: three days in a narrow column; the line under the list has them all."""
    return " ".join(_DAY_NAMES[int(day)][:2] for day in days) if days else "any day"


def _about(line: waitlist.Line) -> Text:
    text = Text(f"MRN {line.mrn}", style="bold")
    text.append(f" · {describe(line.earliest)} to {describe(line.latest)} · {line.days}")
    if line.note:
        text.append(f" · {one_line(line.note)}")
    return text


class WaitlistScreen(DeskScreen):
    CSS_PATH = "waitlist.tcss"
    BINDINGS = bindings(WAITLIST)
    COMMANDS = {ScreenActions}
    AREA = "waitlist"
    ACTIONS = WAITLIST

    @dataclass
    class Loaded(Message):
        lines: list[waitlist.Line]

    @dataclass
    class Removed(Message):
        patient: str
        refusal: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[waitlist.Line] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Waitlist: patients who would take an earlier time", id="title")
        table = DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        # With the cells' padding these fill 80 columns; the line under the list says
        # the highlighted entry in full.
        for label, width in (("Patient", 17), ("With", 12), ("Type", 10), ("Days", 8),
                             ("When", 9), ("Window", 11)):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="about")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    @db_work(group="waitlist")
    def _load(self) -> None:
        self.post_message(self.Loaded(waitlist.waiting()))

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when other terminals changed something."""
        if any(change.topic == waitlist.TOPIC for change in changes):
            self._load()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        keep = self.current.id if self.current else None
        table.clear()
        self.lines = message.lines
        for line in self.lines:
            table.add_row(Text(one_line(line.patient), overflow="ellipsis", no_wrap=True),
                          Text(one_line(line.provider), overflow="ellipsis", no_wrap=True),
                          Text(one_line(line.type_name), overflow="ellipsis", no_wrap=True),
                          Text(_short_days(line.weekdays), overflow="ellipsis", no_wrap=True),
                          line.when, _window(line), key=str(line.id))
        if self.lines:
            row = next((i for i, line in enumerate(self.lines) if line.id == keep), 0)
            table.move_cursor(row=row, animate=False)
        else:
            self.query_one("#about", Static).update("Nobody is waiting. a adds a patient.")
        self._about_row()
        self.refresh_bindings()

    @property
    def current(self) -> waitlist.Line | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self.lines)

    @on(DataTable.RowHighlighted)
    def _about_row(self) -> None:
        if self.current is not None:
            self.query_one("#about", Static).update(_about(self.current))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove":
            return True if self.current is not None else None
        return True

    def action_add(self) -> None:
        self.app.push_screen(WaitlistForm(), self._added)

    def _added(self, added: bool | None) -> None:
        if added:
            self.notify("Added to the waitlist.", timeout=4)
            self._load()

    def action_remove(self) -> None:
        if self.current is not None:
            self._remove(self.current)

    @db_work(group="waitlist-change")
    def _remove(self, line: waitlist.Line) -> None:
        try:
            waitlist.remove(line.id, version=line.version, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Removed(line.patient, str(error)))
        else:
            self.post_message(self.Removed(line.patient))

    @on(Removed)
    def _removed(self, message: Removed) -> None:
        if message.refusal:
            self.notify(message.refusal, severity="error", timeout=8)
        else:
            self.notify(f"{one_line(message.patient)}: off the waitlist.", timeout=4)
        self._load()

    def action_close(self) -> None:
        self.dismiss()


@dataclass(frozen=True)
class _Choices:
    providers: list[tuple[str, int]]
    types: list[tuple[str, int]]


class WaitlistForm(FormFields, DeskModal[bool]):
    """Put a patient on the waitlist; dismissed True when saved. A refusal keeps what
    was typed and puts the focus on the field at fault."""

    CSS_PATH = "waitlist.tcss"
    BINDINGS = [*bindings(WAITLIST_FORM), *bindings(FORM)]
    AREA = "waitlist entry"
    ACTIONS = WAITLIST_FORM

    @dataclass
    class Ready(Message):
        choices: _Choices

    @dataclass
    class Answered(Message):
        refusal: str = ""
        field: str = ""

    def compose(self) -> ComposeResult:
        today = clock.today()
        with Vertical(id="form"):
            yield PatientPicker(
                Input(id="patient", compact=True, max_length=100,
                      placeholder="name, birth date, phone or MRN"),
                OptionList(id="hits"), show=_hit_line, limit=HITS, pause=PAUSE,
                before=[Label("Patient", classes="label")],
                nobody=lambda query: f"Nobody fits \"{one_line(query)}\".")
            with Horizontal(classes="row"):
                yield Label("With", classes="label")
                yield Select([], id="provider", compact=True, prompt="Any provider")
            with Horizontal(classes="row"):
                yield Label("Type", classes="label")
                yield Select([], id="type", compact=True, prompt="Any type")
            with Horizontal(classes="row"):
                yield Label("From", classes="label")
                yield Input(short(today), id="earliest", compact=True, max_length=40)
                yield Label("To", classes="short-label")
                yield Input(short(today + timedelta(days=WINDOW_DAYS - 1)), id="latest",
                            compact=True, max_length=40)
            with Horizontal(classes="row"):
                yield Label("Days", classes="label")
                for index, name in enumerate(_DAY_NAMES):
                    yield DayToggle(name, id=f"day{index}", compact=True)
            with Horizontal(classes="row"):
                yield Label("When", classes="label")
                yield Select([(words, part) for part, words in PARTS_OF_DAY.items()],
                             id="part_of_day", value="any", compact=True, allow_blank=False)
            with Horizontal(classes="row"):
                yield Label("Note", classes="label")
                yield Input(id="note", compact=True, max_length=200)
            yield Label("", id="refusal")
            yield Static("⏎ next field, on the last saves · ^s saves · no day ticked: any "
                         "day", id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#form").border_title = "Add to the waitlist"
        self.query_one("#patient", Input).focus()
        self._setup()

    @db_work(group="waitlist-form-setup")
    def _setup(self) -> None:
        kinds = (AppointmentType.select().where(AppointmentType.active)
                 .order_by(AppointmentType.id))
        self.post_message(self.Ready(_Choices(
            [(one_line(p.short_name), p.id) for p in active_providers()],
            [(one_line(k.name), k.id) for k in kinds])))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        self.query_one("#provider", Select).set_options(message.choices.providers)
        self.query_one("#type", Select).set_options(message.choices.types)

    # -- the patient, found as staff type ----------------------------------------------------

    @property
    def hits(self) -> list[Hit]:
        """The patients found for what is typed in the patient box."""
        return self.query_one(PatientPicker).hits

    def _chosen(self) -> Hit | None:
        return self.query_one(PatientPicker).highlighted

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        self.submit()

    def action_close(self) -> None:
        self.dismiss(False)

    def submit(self) -> None:
        hit = self._chosen()
        provider = self.query_one("#provider", Select).value
        kind = self.query_one("#type", Select).value
        values = {
            "patient_id": hit.patient_id if hit else None,
            "provider_id": provider if isinstance(provider, int) else None,
            "type_id": kind if isinstance(kind, int) else None,
            "earliest": self.query_one("#earliest", Input).value,
            "latest": self.query_one("#latest", Input).value,
            "weekdays": [i for i in range(7) if self.query_one(f"#day{i}", Checkbox).value],
            "part_of_day": str(self.query_one("#part_of_day", Select).value),
            "note": self.query_one("#note", Input).value,
        }
        self.query_one("#refusal", Label).update("Saving…")
        self._save(values)

    @db_work(group="waitlist-form")
    def _save(self, values: dict) -> None:
        try:
            waitlist.add_typed(values.pop("patient_id"), **values, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(str(error), error.field or ""))
        else:
            self.post_message(self.Answered())

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if not message.refusal:
            self.dismiss(True)
            return
        self.query_one("#refusal", Label).update(message.refusal)
        target = {"weekdays": "day0"}.get(message.field, message.field)
        found = self.query(f"#{target}") if target else None
        if found:
            found.first().focus()


# -- after a cancellation ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Freed:
    provider_id: int
    provider: str
    on: object
    at: object
    type_id: int
    type_name: str
    minutes: int


class WaitlistOffers(DeskModal[int | None]):
    """Who on the waitlist the time just freed would suit; enter books the one under the
    cursor into it. Dismissed with the new appointment's id, or None when skipped."""

    CSS_PATH = "waitlist.tcss"
    BINDINGS = bindings(WAITLIST_OFFERS)
    AREA = "waitlist offers"
    ACTIONS = WAITLIST_OFFERS

    @dataclass
    class Loaded(Message):
        freed: _Freed
        lines: list[waitlist.Line] = field(default_factory=list)

    @dataclass
    class Booked(Message):
        appointment_id: int | None
        refusal: str = ""

    def __init__(self, appointment_id: int) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.freed: _Freed | None = None
        self.lines: list[waitlist.Line] = []
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="card"):
            yield Static("Looking at the waitlist…", id="freed")
            yield OptionList(id="offers")
            yield Label("", id="refusal")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#card").border_title = "Offer the time to the waitlist"
        self.query_one("#offers", OptionList).focus()
        self._load()

    @db_work(group="waitlist-offers")
    def _load(self) -> None:
        appointment = schedule.get(self.appointment_id)
        start = clock.local(appointment.start)
        kind = appointment.type
        freed = _Freed(appointment.provider_id, appointment.provider.short_name, start.date(),
                       start.time(), kind.id, kind.name, kind.minutes)
        self.post_message(self.Loaded(freed, waitlist.matches(appointment)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.freed, self.lines = message.freed, message.lines
        freed = message.freed
        text = Text.assemble(
            (f"{one_line(freed.provider)}, {describe(freed.on)} {clock.wall(freed.at)}", "bold"),
            f" is free ({one_line(freed.type_name)}, {freed.minutes} min).\n")
        text.append(f"{len(self.lines)} waiting would take it, first come first served:"
                    if self.lines else "Nobody on the waitlist fits this time.")
        self.query_one("#freed", Static).update(text)
        offers = self.query_one("#offers", OptionList)
        offers.clear_options()
        offers.add_options([Option(self._line(line)) for line in self.lines])
        if self.lines:
            offers.highlighted = 0
        self.refresh_bindings()

    @staticmethod
    def _line(line: waitlist.Line) -> Text:
        text = Text.assemble((f"{one_line(line.patient)[:22]:<23}", "bold"),
                             f"{one_line(line.type_name)[:14]} · {line.days} · {line.when}")
        if line.note:
            text.append(f" · {one_line(line.note)}", style="dim")
        text.truncate(72, overflow="ellipsis")
        return text

    def _highlighted(self) -> waitlist.Line | None:
        index = self.query_one("#offers", OptionList).highlighted
        if index is None or not 0 <= index < len(self.lines):
            return None
        return self.lines[index]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "book":
            return None if self._busy or self._highlighted() is None else True
        return True

    def action_book(self) -> None:
        line = self._highlighted()
        if line is None or self._busy or self.freed is None:
            return
        self._busy = True
        self.query_one("#refusal", Label).update("Booking…")
        self.refresh_bindings()
        self._book(line, self.freed)

    @db_work(group="waitlist-offer-book")
    def _book(self, line: waitlist.Line, freed: _Freed) -> None:
        kind_id = waitlist.kind_for(line, freed.type_id)
        try:
            appointment = waitlist.book_from(
                line, Provider.get_by_id(freed.provider_id), freed.on, freed.at,
                AppointmentType.get_by_id(kind_id), by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Booked(None, str(error)))
        else:
            self.post_message(self.Booked(appointment.id))

    @on(Booked)
    def _booked(self, message: Booked) -> None:
        self._busy = False
        if message.appointment_id is not None:
            self.notify("Booked from the waitlist.", timeout=4)
            self.dismiss(message.appointment_id)
            return
        self.query_one("#refusal", Label).update(message.refusal)
        self.refresh_bindings()
        self._load()  # someone may have taken the time or the entry meanwhile

    def action_skip(self) -> None:
        self.dismiss(None)
