"""`f` on the schedule: the first free times for what the patient asks for.

One provider or any of a specialty, a visit type, a range of days typed the way
staff type dates, the days of the week and the part of the day the patient can
come. The list follows every change as it is made; enter picks the highlighted
time, and the schedule goes there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from frontdesk import calendar, clock, schedule, slots
from frontdesk.dates import describe, short
from frontdesk.errors import FrontdeskError
from frontdesk.providers import active_providers
from frontdesk.slots import PARTS_OF_DAY, Slot
from frontdesk.text import one_line
from screens.actions import NEXT_AVAILABLE, bindings
from screens.base import DeskModal, db_work
from screens.widgets import KeyBar
from screens.widgets.daytoggle import DayToggle

__all__ = ["NextAvailable", "Criteria", "Choices", "SHOWN", "DAYS_AHEAD"]

SHOWN = 12
"""Free times listed: what fits the dialog at 80x24."""
DAYS_AHEAD = 30
"""The range searched unless staff type another: a month from the first day."""
PAUSE = 0.15
"""Seconds of no typing before the search runs: a date typed is searched once."""
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Choices:
    """What the dialog offers: (label, value) for who and for the visit types."""

    who: list[tuple[str, str]]
    types: list[tuple[str, int]]


@dataclass(frozen=True)
class Criteria:
    """What is asked, as the form holds it."""

    who: str
    """`p:<provider id>`, `s:<specialty>` or `any`."""
    type_id: int | None
    first: str
    last: str
    weekdays: tuple[int, ...]
    part_of_day: str


def _who_choices() -> list[tuple[str, str]]:
    providers = active_providers()
    specialties = sorted({p.specialty for p in providers})
    return ([("Any provider", "any")]
            + [(f"Any {one_line(s)}", f"s:{s}") for s in specialties]
            + [(f"{one_line(p.short_name)} ({one_line(p.specialty)})", f"p:{p.id}")
               for p in providers])


def find(criteria: Criteria, count: int = SHOWN) -> list[Slot]:
    """The search behind the dialog, from what the form holds."""
    first = calendar.typed_day(criteria.first, field="first", label="From")
    last = calendar.typed_day(criteria.last, field="last", label="To", required=False)
    last = last or first + timedelta(days=DAYS_AHEAD - 1)
    kind = schedule.AppointmentType.get_by_id(criteria.type_id)
    provider = int(criteria.who[2:]) if criteria.who.startswith("p:") else None
    specialty = criteria.who[2:] if criteria.who.startswith("s:") else None
    try:
        return slots.next_available(kind, provider=provider, specialty=specialty, start=first,
                                    end=last, weekdays=criteria.weekdays or None,
                                    part_of_day=criteria.part_of_day, count=count)
    except FrontdeskError as error:
        if error.field == "end":
            error.field = "last"
        raise


class NextAvailable(DeskModal[Slot | None]):
    """Dismissed with the free time picked, or None."""

    CSS_PATH = "nextfree.tcss"
    BINDINGS = bindings(NEXT_AVAILABLE)
    AREA = "next available"
    ACTIONS = NEXT_AVAILABLE

    @dataclass
    class Ready(Message):
        choices: Choices

    @dataclass
    class Found(Message):
        criteria: Criteria
        slots: list[Slot] = field(default_factory=list)
        refusal: str = ""

    def __init__(self, *, provider_id: int | None = None, specialty: str | None = None,
                 first: date | None = None) -> None:
        super().__init__()
        if provider_id is not None:
            self._who = f"p:{provider_id}"
        else:
            self._who = f"s:{specialty}" if specialty else "any"
        self._first = max(first or clock.today(), clock.today())
        self.slots: list[Slot] = []
        self._shown_for: Criteria | None = None
        self._pending: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="card"):
            with Horizontal(classes="row"):
                yield Label("With", classes="label")
                yield Select([], id="who", compact=True, allow_blank=True, prompt="…")
                yield Label("Type", classes="label")
                yield Select([], id="type", compact=True, allow_blank=True, prompt="…")
            with Horizontal(classes="row"):
                yield Label("From", classes="label")
                yield Input(short(self._first), id="first", compact=True, max_length=40)
                yield Label("To", classes="label")
                yield Input(short(self._first + timedelta(days=DAYS_AHEAD - 1)), id="last",
                            compact=True, max_length=40)
                yield Select([(words, part) for part, words in PARTS_OF_DAY.items()],
                             id="part", value="any", compact=True, allow_blank=False)
            with Horizontal(classes="row", id="days"):
                yield Label("Days", classes="label")
                for index, name in enumerate(_DAY_NAMES):
                    yield DayToggle(name, id=f"day{index}", compact=True)
            yield Static("Looking…", id="status")
            yield OptionList(id="results")
        yield KeyBar()

    def on_mount(self) -> None:
        card = self.query_one("#card")
        card.border_title = "Next available"
        card.border_subtitle = "no day ticked: any day · dates as 12/1, tomorrow, next tue"
        self._setup()

    @db_work(group="next-available-setup")
    def _setup(self) -> None:
        kinds = (schedule.AppointmentType.select().where(schedule.AppointmentType.active)
                 .order_by(schedule.AppointmentType.id))
        self.post_message(self.Ready(Choices(_who_choices(),
                                             [(one_line(k.name), k.id) for k in kinds])))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        who = self.query_one("#who", Select)
        values = [value for _, value in message.choices.who]
        who.set_options(message.choices.who)
        who.value = self._who if self._who in values else "any"
        kinds = self.query_one("#type", Select)
        kinds.set_options(message.choices.types)
        if message.choices.types:
            kinds.value = message.choices.types[0][1]
        self.query_one("#results", OptionList).focus()
        self._search_now()

    # -- searching as criteria change ------------------------------------------------------

    def criteria(self) -> Criteria:
        who, kind = self.query_one("#who", Select).value, self.query_one("#type", Select).value
        return Criteria(
            who=who if isinstance(who, str) else "any",
            type_id=kind if isinstance(kind, int) else None,
            first=self.query_one("#first", Input).value,
            last=self.query_one("#last", Input).value,
            weekdays=tuple(i for i in range(7) if self.query_one(f"#day{i}", Checkbox).value),
            part_of_day=str(self.query_one("#part", Select).value))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(PAUSE, self._search_now)

    def _search_now(self) -> None:
        self._pending = None
        criteria = self.criteria()
        if criteria.type_id is None:
            return  # the choices are still being read
        self.query_one("#status", Static).update("Looking…")
        self._search(criteria)

    @db_work(group="next-available")
    def _search(self, criteria: Criteria) -> None:
        try:
            self.post_message(self.Found(criteria, find(criteria)))
        except FrontdeskError as error:
            self.post_message(self.Found(criteria, refusal=str(error)))

    @on(Found)
    def _found(self, message: Found) -> None:
        if message.criteria != self.criteria():
            return  # staff have changed something since: a newer search is coming
        self._shown_for = message.criteria
        self.slots = message.slots
        results = self.query_one("#results", OptionList)
        results.clear_options()
        status = self.query_one("#status", Static)
        if message.refusal:
            status.update(Text(message.refusal, style="bold red"))
        elif not message.slots:
            status.update("No free time fits that; widen the days, the time or the provider.")
        else:
            status.update(f"The first {len(message.slots)} free times, earliest first · "
                          "⏎ picks the highlighted one")
        results.add_options([Option(self._line(slot)) for slot in message.slots])
        if message.slots:
            results.highlighted = 0
        self.refresh_bindings()

    @staticmethod
    def _line(slot: Slot) -> Text:
        offset = (slot.on - clock.today()).days
        when = {0: "today", 1: "tomorrow"}.get(offset, "")
        return Text.assemble((f"{describe(slot.on):<18}", "bold"),
                             (f"{clock.wall(slot.at):>5}  ", "bold"),
                             f"{one_line(slot.provider_name):<18}", (when, "dim"))

    # -- keys -------------------------------------------------------------------------------

    def _highlighted(self) -> Slot | None:
        if not self.slots:
            return None  # nothing found yet (the keys are asked before the form exists)
        index = self.query_one("#results", OptionList).highlighted
        if self._shown_for != self.criteria() or index is None:
            return None  # what is listed is not yet what is asked
        return self.slots[index] if 0 <= index < len(self.slots) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":
            return True if self._highlighted() is not None else None
        return True

    def action_pick(self) -> None:
        focused = self.focused
        if focused is not None and any(isinstance(node, Select)
                                       for node in focused.ancestors_with_self):
            raise SkipAction()  # enter opens or chooses in a list of choices
        slot = self._highlighted()
        if slot is not None:
            self.dismiss(slot)

    def action_close(self) -> None:
        self.dismiss(None)
