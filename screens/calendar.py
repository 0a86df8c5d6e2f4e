"""One provider's calendar: weekly hours, blocks (lunch, meetings, vacation, rounds)
and the on-call rota, each a section a digit away. Opened from the schedule with `p`
on the provider under the cursor; `[` and `]` step through the other providers.

Anyone may look; changing needs a manager or an administrator, and frontdesk.calendar
and frontdesk.providers decide that (and every other rule), not this screen.
"""

from __future__ import annotations

import calendar as week_names
from dataclasses import dataclass
from datetime import date, time, timedelta
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static, TabbedContent, TabPane

from frontdesk import calendar, clock, providers
from frontdesk.calendar import BlockDraft, BlockLine, RotaLine
from frontdesk.changes import Change
from frontdesk.dates import describe, short
from frontdesk.errors import FrontdeskError
from frontdesk.providers import Provider
from frontdesk.roles import Permission, require
from frontdesk.text import one_line
from screens.actions import CALENDAR, CALENDAR_CONFIRM, CALENDAR_FORM, FORM, bindings
from screens.base import DeskModal, DeskScreen, FormFields, db_work
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["CalendarScreen", "HoursForm", "BlockForm", "OnCallForm", "ConfirmRemoval"]

SECTIONS = {"hours": "1 Weekly hours", "blocks": "2 Blocks", "rota": "3 On call"}
ROTA_WEEKS = 12
"""How far ahead the on-call section looks."""


def _stretches(stretches: list[tuple[time, time]]) -> str:
    return ", ".join(f"{clock.wall(a)}-{clock.wall(b)}" for a, b in stretches)


def _day(on: date) -> str:
    return f"{on:%a} {on.month}/{on.day}/{on.year}"


def _soon(on: date) -> str:
    """A day near today, short: the weekday this year, the year after."""
    if on.year == clock.today().year:
        return f"{on:%a} {on.month}/{on.day}"
    return f"{on.month}/{on.day}/{on.year}"


@dataclass(frozen=True)
class Calendar:
    """Everything the screen shows of one provider, read in one worker."""

    provider_id: int
    name: str
    specialty: str
    week: dict[int, list[tuple[time, time]]]
    blocks: list[BlockLine]
    rota: list[RotaLine]
    order: list[int]
    """Active providers' ids in schedule order, for [ and ]."""


class CalendarScreen(DeskScreen):
    CSS_PATH = "calendar.tcss"
    BINDINGS = bindings(CALENDAR)
    COMMANDS = {ScreenActions}
    AREA = "calendar"
    ACTIONS = CALENDAR

    @dataclass
    class Loaded(Message):
        calendar: Calendar

    @dataclass
    class Changed(Message):
        what: str

    def __init__(self, provider_id: int) -> None:
        super().__init__()
        self.provider_id = provider_id
        self.shown: Calendar | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Calendar", id="title")
        with TabbedContent(id="sections"):
            for section, label in SECTIONS.items():
                with TabPane(label, id=section):
                    yield DataTable(id=f"{section}-table", cursor_type="row",
                                    zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#hours-table", DataTable).add_columns(
            Text("Day", style="bold"), Text("Hours", style="bold"))
        self._columns("#blocks-table", ("What", 22), ("Time", 11), ("Repeats", 28),
                      ("Next", 9))
        self._columns("#rota-table", ("From", 14), ("To", 14), ("On call", 14), ("Note", 22))
        self.query_one("#hours-table", DataTable).focus()
        self._load(self.provider_id)

    def _columns(self, table_id: str, *columns: tuple[str, int]) -> None:
        table = self.query_one(table_id, DataTable)
        for label, width in columns:
            table.add_column(Text(label, style="bold"), width=width)

    # -- loading ----------------------------------------------------------------------

    @db_work(group="calendar")
    def _load(self, provider_id: int) -> None:
        provider = providers.get(provider_id)
        today = clock.today()
        self.post_message(self.Loaded(Calendar(
            provider_id=provider.id, name=provider.display_name, specialty=provider.specialty,
            week=calendar.week_of(provider), blocks=calendar.blocks_of(provider.id),
            rota=calendar.rota(today, today + timedelta(weeks=ROTA_WEEKS)),
            order=[p.id for p in providers.active_providers()])))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        if message.calendar.provider_id != self.provider_id:
            return  # staff have already stepped to another provider
        shown = self.shown = message.calendar
        self.query_one("#title", Static).update(
            Text.assemble((one_line(shown.name), "bold"), f"  {one_line(shown.specialty)}"))
        self._fill("#hours-table", [
            (Text(week_names.day_name[day]), Text(_stretches(stretches) or "does not work",
                                                   style="" if stretches else "dim"))
            for day, stretches in shown.week.items()])
        self._fill("#blocks-table", [
            (Text(one_line(calendar.BLOCK_KINDS.get(b.kind, b.kind)
                           + (f": {b.title}" if b.title else ""))),
             Text(b.times), Text(one_line(b.repeat)), Text(_soon(b.next_on)))
            for b in shown.blocks] or [(Text("No blocks", style="dim"), "", "", "")])
        self._fill("#rota-table", [
            (Text(_day(r.starts_on)), Text(_day(r.ends_on)),
             Text(one_line(r.provider), style="bold" if r.provider_id == shown.provider_id
                  else ""), Text(one_line(r.note)))
            for r in shown.rota] or [(Text("Nobody on call yet", style="dim"), "", "", "")])
        self.refresh_bindings()

    def _fill(self, table_id: str, rows: list[tuple]) -> None:
        table = self.query_one(table_id, DataTable)
        row = table.cursor_row
        table.clear()
        table.add_rows(rows)
        table.move_cursor(row=min(row, len(rows) - 1), animate=False)

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when other terminals changed something."""
        if any(c.topic in (calendar.TOPIC, "provider") for c in changes):
            self._load(self.provider_id)

    # -- where staff are ----------------------------------------------------------------

    @property
    def section(self) -> str:
        return self.query_one(TabbedContent).active

    def _row(self, table_id: str) -> int:
        return self.query_one(table_id, DataTable).cursor_row

    @property
    def current_block(self) -> BlockLine | None:
        if self.shown is None or not self.shown.blocks:
            return None
        return self.shown.blocks[min(max(self._row("#blocks-table"), 0),
                                     len(self.shown.blocks) - 1)]

    @property
    def current_rota(self) -> RotaLine | None:
        if self.shown is None or not self.shown.rota:
            return None
        return self.shown.rota[min(max(self._row("#rota-table"), 0), len(self.shown.rota) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.shown is None and action in ("edit_hours", "add", "remove", "provider"):
            return None
        if action == "edit_hours":
            return True if self.section == "hours" else None
        if action == "add":
            return True if self.section in ("blocks", "rota") else None
        if action == "remove":
            current = {"blocks": self.current_block, "rota": self.current_rota}
            return True if current.get(self.section) is not None else None
        if action == "provider":
            return True if len(self.shown.order) > 1 else None
        return True

    @on(TabbedContent.TabActivated)
    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#hours-table")
    def _hours_chosen(self) -> None:
        self.action_edit_hours()

    # -- actions ----------------------------------------------------------------------

    def action_section(self, section: str) -> None:
        self.query_one(TabbedContent).active = section
        self.query_one(f"#{section}-table", DataTable).focus()

    def action_close(self) -> None:
        self.dismiss()

    def action_provider(self, step: int) -> None:
        order = self.shown.order if self.shown else []
        if len(order) < 2:
            return
        here = order.index(self.provider_id) if self.provider_id in order else -1
        self.provider_id = order[(here + step) % len(order)]
        self._load(self.provider_id)

    def _may_edit(self) -> bool:
        """Say at once, in the domain's words, who may change a calendar, rather than
        after a form has been filled in."""
        try:
            require(self.app.signed_in, Permission.EDIT_SETUP)
        except FrontdeskError as error:
            self.notify(str(error), severity="error", timeout=6)
            return False
        return True

    def action_edit_hours(self) -> None:
        if self.shown is None or not self._may_edit():
            return
        weekday = min(max(self._row("#hours-table"), 0), 6)
        self.app.push_screen(HoursForm(self.shown, weekday), self._after)

    def action_add(self) -> None:
        if self.shown is None or not self._may_edit():
            return
        form = BlockForm(self.shown) if self.section == "blocks" else OnCallForm(self.shown)
        self.app.push_screen(form, self._after)

    def action_remove(self) -> None:
        if self.shown is None or not self._may_edit():
            return
        if self.section == "blocks" and (block := self.current_block) is not None:
            kind = calendar.BLOCK_KINDS.get(block.kind, block.kind).lower()
            question = (f"Remove the {kind} block ({block.repeat}, {block.times}) from "
                        f"{self.shown.name}'s calendar?")
            self.app.push_screen(ConfirmRemoval(question),
                                 lambda yes: yes and self._remove_block(block))
        elif self.section == "rota" and (entry := self.current_rota) is not None:
            question = (f"Take {entry.provider} off call from {_day(entry.starts_on)} to "
                        f"{_day(entry.ends_on)}?")
            self.app.push_screen(ConfirmRemoval(question),
                                 lambda yes: yes and self._remove_on_call(entry))

    @db_work(group="calendar-change")
    def _remove_block(self, block: BlockLine) -> None:
        calendar.remove_block(block.id, version=block.version, by=self.app.signed_in)
        self.post_message(self.Changed("Block removed."))

    @db_work(group="calendar-change")
    def _remove_on_call(self, entry: RotaLine) -> None:
        calendar.remove_on_call(entry.id, by=self.app.signed_in)
        self.post_message(self.Changed("On-call days removed."))

    def _after(self, saved: str | None) -> None:
        if saved:
            self.post_message(self.Changed(saved))

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        self.notify(message.what, timeout=4)
        self._load(self.provider_id)

    def on_worker_state_changed(self, event) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group == "calendar-change" and event.worker.error is not None:
            self._load(self.provider_id)  # a stale view is what most refusals come from


# -- the forms ------------------------------------------------------------------------


class _Form(FormFields, DeskModal[str | None]):
    """What the three forms share: Enter moves on and saves on the last field, a
    refusal is shown in the form with everything typed kept, the field at fault
    focused."""

    CSS_PATH = "calendar.tcss"
    BINDINGS = [*bindings(CALENDAR_FORM), *bindings(FORM)]

    @dataclass
    class Answered(Message):
        saved: str | None
        refusal: str = ""
        field: str = ""

    def __init__(self, shown: Calendar) -> None:
        super().__init__()
        self.shown = shown

    def action_close(self) -> None:
        self.dismiss(None)

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {field.id: field.value for field in self.query(Input)}
        values.update({field.id: field.value for field in self.query(Select)})
        return values

    def submit(self) -> None:
        self.query_one("#refusal", Label).update("Saving…")
        self._apply(self._values())

    @db_work(group="calendar-form")
    def _apply(self, values: dict[str, Any]) -> None:
        try:
            saved = self.save(providers.get(self.shown.provider_id), values)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error), error.field or ""))
        else:
            self.post_message(self.Answered(saved))

    save: Callable[[Provider, dict[str, Any]], str]
    """Each form's own save: the domain call, and the words that say what was done."""

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.saved is not None:
            self.dismiss(message.saved)
            return
        self.query_one("#refusal", Label).update(one_line(message.refusal))
        target = self.query(f"#{self.FIELDS.get(message.field, message.field)}") \
            if message.field else None
        if target:
            target.first().focus()

    FIELDS: dict[str, str] = {}
    """Domain field names that are not the id of the widget to focus."""

    def _row(self, label: str, widget) -> Horizontal:
        return Horizontal(Label(label, classes="first"), widget, classes="row")


class HoursForm(_Form):
    """The hours of one weekday, typed as `8:00-12:00, 13:00-17:00`."""

    def __init__(self, shown: Calendar, weekday: int) -> None:
        super().__init__(shown)
        self.weekday = weekday

    def compose(self) -> ComposeResult:
        day = week_names.day_name[self.weekday]
        with Vertical(id="form"):
            yield Static(f"{one_line(self.shown.name)}: hours on {day}s", id="form-title")
            yield self._row("Hours", Input(_stretches(self.shown.week[self.weekday]),
                                           id="hours", max_length=80, compact=True))
            yield Static("As 8:00-12:00, 13:00-17:00 (or 8-12, 1-5); empty: does not work "
                         "that day.", classes="hint")
            yield Label("", id="refusal")
            yield Static("Enter saves · Esc closes without saving", id="form-hint")

    def save(self, provider: Provider, values: dict[str, Any]) -> str:
        stretches = calendar.set_day_hours(provider, self.weekday, values["hours"],
                                           by=self.app.signed_in)
        return f"{week_names.day_name[self.weekday]}: {_stretches(stretches) or 'no hours'}."


class BlockForm(_Form):
    """A block: what, when, and how it repeats, chosen from presets or typed as RRULE."""

    FIELDS = {"repeat": "repeat"}

    def compose(self) -> ComposeResult:
        kinds = [(label, kind) for kind, label in calendar.BLOCK_KINDS.items()]
        presets = [(label, key) for key, label in calendar.PRESETS.items()]
        with Vertical(id="form"):
            yield Static(f"Add a block to {one_line(self.shown.name)}'s calendar",
                         id="form-title")
            yield self._row("What", Select(kinds, id="kind", value="lunch", allow_blank=False,
                                           compact=True))
            yield self._row("Title", Input(id="title", max_length=80, compact=True,
                                           placeholder="optional, as Staff meeting"))
            yield Horizontal(
                Label("First day", classes="first"),
                Input(short(clock.today()), id="starts_on", max_length=20, compact=True,
                      classes="date"),
                Label("", id="starts-echo", classes="echo"), classes="row")
            yield Horizontal(
                Label("From", classes="first"),
                Input(id="start", max_length=8, compact=True, classes="time",
                      placeholder="12:00"),
                Label("to", classes="next"),
                Input(id="end", max_length=8, compact=True, classes="time",
                      placeholder="13:00"),
                Label("both empty: all day", classes="echo"), classes="row")
            yield self._row("Repeats", Select(presets, id="repeat", value="once",
                                              allow_blank=False, compact=True))
            yield self._row("Rule", Input(id="rule", max_length=300, compact=True,
                                          placeholder="FREQ=MONTHLY;BYMONTHDAY=15"))
            yield self._row("Last day", Input(id="ends_on", max_length=20, compact=True,
                                              classes="date", placeholder="optional"))
            yield Label("", id="refusal")
            yield Static("Enter: next field, saves on the last · Esc closes", id="form-hint")

    def on_mount(self) -> None:
        self._custom(False)
        self._echo(self.query_one("#starts_on", Input).value)
        self.query_one("#kind", Select).focus()

    @on(Select.Changed, "#repeat")
    def _repeat_chosen(self, event: Select.Changed) -> None:
        self._custom(event.value == "custom")

    def _custom(self, shown: bool) -> None:
        """The RRULE box only for a custom repeat: nobody types RRULE unless they want to."""
        field = self.query_one("#rule", Input)
        field.parent.display = shown
        field.disabled = not shown

    @on(Input.Changed, "#starts_on")
    def _starts_changed(self, event: Input.Changed) -> None:
        self._echo(event.value)

    def _echo(self, text: str) -> None:
        """Say the first day back, so a misread date is seen before saving."""
        echo = self.query_one("#starts-echo", Label)
        try:
            day = calendar.typed_day(text, field="starts_on", label="First day")
        except FrontdeskError:
            echo.update("…")
            return
        echo.update(f"→ {describe(day)}")

    def save(self, provider: Provider, values: dict[str, Any]) -> str:
        draft = BlockDraft(kind=values["kind"], title=values["title"],
                           starts_on=values["starts_on"], start=values["start"],
                           end=values["end"], repeat=values["repeat"], rule=values["rule"],
                           ends_on=values["ends_on"])
        block = calendar.add_typed_block(provider, draft, by=self.app.signed_in)
        return f"{calendar.BLOCK_KINDS[block.kind]} added: " \
               f"{calendar.describe_rule(block.rule, block.starts_on, block.ends_on)}."


class OnCallForm(_Form):
    """A run of days a provider is on call."""

    @dataclass
    class Providers(Message):
        choices: list[tuple[str, int]]

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static("Put a provider on call", id="form-title")
            # The others arrive from a worker; the provider on screen is the likely one.
            only = [(one_line(self.shown.name), self.shown.provider_id)]
            yield self._row("Provider", Select(only, id="provider", value=self.shown.provider_id,
                                               allow_blank=False, compact=True))
            yield self._row("From", Input(short(clock.today()), id="starts_on", max_length=20,
                                          compact=True, classes="date"))
            yield self._row("To", Input(id="ends_on", max_length=20, compact=True,
                                        classes="date", placeholder="same day"))
            yield self._row("Note", Input(id="note", max_length=120, compact=True,
                                          placeholder="optional"))
            yield Label("", id="refusal")
            yield Static("Enter: next field, saves on the last · Esc closes", id="form-hint")

    def on_mount(self) -> None:
        self._providers()
        self.query_one("#starts_on", Input).focus()

    @db_work(group="calendar-form-providers")
    def _providers(self) -> None:
        self.post_message(self.Providers([(p.display_name, p.id)
                                          for p in providers.active_providers()]))

    @on(Providers)
    def _choices(self, message: Providers) -> None:
        select = self.query_one("#provider", Select)
        chosen = select.value
        select.set_options([(one_line(name), pid) for name, pid in message.choices])
        select.value = chosen

    def save(self, provider: Provider, values: dict[str, Any]) -> str:
        chosen = providers.get(values["provider"])
        entry = calendar.set_typed_on_call(chosen, values["starts_on"], values["ends_on"],
                                           note=values["note"], by=self.app.signed_in)
        return f"{chosen.short_name} on call {_day(entry.starts_on)} to {_day(entry.ends_on)}."


class ConfirmRemoval(DeskModal[bool]):
    """Yes or no before anything is taken off a calendar."""

    CSS_PATH = "calendar.tcss"
    BINDINGS = bindings(CALENDAR_CONFIRM)

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(one_line(self.question), id="question")
            yield Static("y removes · n or Esc keeps it", id="form-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
