"""The day's schedule: the screen after sign-in, across every provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Static

from frontdesk import calendar, clock, config, schedule
from frontdesk.changes import Change
from frontdesk.checkin import CAN_ARRIVE, CAN_DEPART
from frontdesk.dates import describe
from frontdesk.errors import FrontdeskError
from frontdesk.providers import Provider
from frontdesk.roles import Permission, allowed
from frontdesk.schedule import HOLDS_SLOT, Day, DayAppointment, Status
from frontdesk.text import one_line
from screens.actions import SCHEDULE, bindings
from screens.base import DeskScreen, db_work
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.day_grid import DayGrid
from screens.widgets.day_list import DayList

__all__ = ["ScheduleScreen"]

_WHILE_MOVING = frozenset({"drop", "type_time", "put_back", "previous_day", "next_day",
                           "go_to", "cursor", "page_providers"})
"""The keys that work while an appointment is picked up; the others step aside."""
_CHANGEABLE = (Status.SCHEDULED, Status.CONFIRMED)
"""What can be moved, cancelled or marked a no-show (the domain says so too)."""


class ScheduleScreen(DeskScreen):
    CSS_PATH = "schedule.tcss"
    BINDINGS = bindings(SCHEDULE)
    COMMANDS = {ScreenActions}
    AREA = "schedule"
    ACTIONS = SCHEDULE

    showing: reactive[date] = reactive(clock.today, init=False)
    """The day on screen."""

    @dataclass
    class DayLoaded(Message):
        day: Day
        on_call: str | None = None
        """Who is on call that day, as the schedule names them; None: not read yet."""

    @dataclass
    class Allowances(Message):
        """How many each provider may see at once: over one, `n` may book over others."""

        most: dict[int, int]

    @dataclass
    class Lifted(Message):
        """An appointment picked up to move, read with the version staff move."""

        appointment: schedule.Appointment
        shown: DayAppointment

    @dataclass
    class Dropped(Message):
        place: object
        """Where it was put (screens.booking.Place)."""
        refusal: object | None = None
        """Why not (screens.booking.Refusal)."""

    @dataclass
    class Marked(Message):
        patient: str
        refusal: str = ""

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="title")
        with ContentSwitcher(initial="grid"):
            yield DayGrid(id="grid")  # the list is made the first time staff ask for it
        yield KeyBar()

    def __init__(self, *, preloaded: Day | None = None) -> None:
        super().__init__()
        self._preloaded = preloaded
        """Today, read before the app started, so the first frame already shows it."""
        self._on_call: tuple[date, str] | None = None
        """(day, who is on call) as last read, for the title."""
        self._allowances: dict[int, int] = {}
        self._moving: ScheduleScreen.Lifted | None = None
        """The appointment picked up to move, while it is."""
        self._move_answers = None
        self._move_refusal: tuple[object, str] = (None, "")
        """(where the cursor was, why the drop there was refused): shown until it moves."""

    def on_mount(self) -> None:
        if self._preloaded is not None and self._preloaded.date == self.showing:
            self._draw(self.DayLoaded(self._preloaded))  # now, before the first frame
            self._preloaded = None
            self._load(self.showing)  # who is on call: the preloaded day does not say
        else:
            self.watch_showing(self.showing)
        self.set_interval(30, self._redraw_now)  # keeps the "now" mark on the right row
        self._read_allowances()

    # -- loading ----------------------------------------------------------------------

    def watch_showing(self, day: date) -> None:
        self._set_title(loading=True)
        self._load(day)

    @db_work(group="day")
    def _load(self, day: date) -> None:
        on_call = calendar.on_call(day)
        self.post_message(self.DayLoaded(schedule.day(day),
                                         on_call.short_name if on_call else ""))

    @on(DayLoaded)
    def _draw(self, message: DayLoaded) -> None:
        if message.day.date != self.showing:
            return  # an answer for a day staff have already left
        first_draw = self.grid.day is None or self.grid.day.date != message.day.date
        if message.on_call is not None:
            self._on_call = (message.day.date, message.on_call)
        self.grid.show(message.day, config.current().slot_minutes, clock.now())
        if self.day_list is not None:
            self.day_list.show(message.day)
        if first_draw:
            self._place_cursor(message.day)
        self._set_title()
        self.refresh_bindings()

    def _place_cursor(self, day: Day) -> None:
        """Open today at the current time, another day at its first appointment."""
        if self._moving is not None:
            return  # the cursor carries what is being moved: same time, same provider
        if self._place_free_slot(day):
            return
        if day.date == clock.today():
            self.grid.go_to_time(clock.local(clock.now()).time())
        elif day.appointments:
            self.grid.go_to_time(day.appointments[0].start.time())

    def _redraw_now(self) -> None:
        self.grid.set_now(clock.now())

    def refresh_day(self, changes: list[Change]) -> None:
        """Called by the app when other terminals changed something."""
        key = schedule.day_key(self.showing)
        if any((c.topic == "appointment" and c.key == key) or c.topic == "provider"
               or c.topic == calendar.TOPIC for c in changes):
            self._load(self.showing)
        if any(c.topic == "provider" for c in changes):
            self._read_allowances()

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_screen_resume(self) -> None:
        if getattr(self, "_away", False):
            self._away = False
            self._load(self.showing)  # what changed while another area was in front

    # -- what staff see ---------------------------------------------------------------

    @property
    def grid(self) -> DayGrid:
        return self.query_one("#grid", DayGrid)

    @property
    def day_list(self) -> DayList | None:
        found = self.query("#list")
        return found.first(DayList) if found else None

    @property
    def in_list(self) -> bool:
        return self.query_one(ContentSwitcher).current == "list"

    def _set_title(self, *, loading: bool = False) -> None:
        title = describe(self.showing)
        offset = (self.showing - clock.today()).days
        when = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(offset)
        text = f"{title} ({when})" if when else title
        day = self.grid.day
        if loading or day is None or day.date != self.showing:
            text += "   loading…"
        else:
            counts: dict[Status, int] = {}
            for appointment in day.appointments:
                counts[appointment.status] = counts.get(appointment.status, 0) + 1
            booked = sum(n for s, n in counts.items() if s is not Status.CANCELLED)
            parts = [f"{booked} booked"]
            for status in (Status.ARRIVED, Status.CHECKED_OUT, Status.NO_SHOW, Status.CANCELLED):
                if counts.get(status):
                    parts.append(f"{counts[status]} {status.label}")
            if not day.providers:
                parts = ["no providers on file yet"]
            if self._on_call and self._on_call[0] == self.showing and self._on_call[1]:
                # Who is on call matters more on the phone than the smaller counts: at 80
                # columns those give way, from the last.
                on_call = f"on call: {one_line(self._on_call[1])}"
                room = (self.size.width or self.app.size.width) - 2 - len(text) - 3
                while len(parts) > 1 and len(" · ".join([*parts, on_call])) > room:
                    parts.pop()
                parts.append(on_call)
            text += "   " + " · ".join(parts)
        self.query_one("#title", Static).update(text)

    def _current_appointment_id(self) -> int | None:
        if self.in_list:
            current = self.day_list.current
            return current.id if current else None
        slot = self.grid.slot_at()
        if slot is None or not slot.appointments:
            return None
        live = [a for a in slot.appointments if a.status is not Status.NO_SHOW]
        return (live or list(slot.appointments))[0].id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._moving is not None:
            return action in _WHILE_MOVING
        if action in ("drop", "type_time", "put_back"):
            return False
        if action in ("book", "reschedule", "cancel", "no_show"):
            if not allowed(self.app.signed_in, Permission.SCHEDULE):
                return False
            return True if self._may_change(action) else None
        if action == "open":
            return True if self._current_appointment_id() is not None else None
        if action in ("cursor", "page_providers"):
            return not self.in_list
        if action in ("check_in", "check_out"):
            return True if self._may(action) else None
        return True

    def _may(self, action: str) -> bool:
        """Check-in for today's booked patients; check-out for those here."""
        appointment_id, day = self._current_appointment_id(), self.grid.day
        status = next((a.status for a in day.appointments if a.id == appointment_id),
                      None) if day is not None else None
        if action == "check_in":
            return status in CAN_ARRIVE and self.showing == clock.today()
        return status in CAN_DEPART

    @on(DayGrid.CursorMoved)
    @on(DataTable.RowHighlighted)
    def _cursor_moved(self) -> None:
        self.refresh_bindings()  # "Open" greys out on an empty slot
        if self._moving is not None:
            self._say_moving()

    @on(DayGrid.Chosen)
    @on(DataTable.RowSelected)
    def _chosen(self) -> None:
        self.action_open()

    # -- actions ----------------------------------------------------------------------

    def action_open(self) -> None:
        appointment_id = self._current_appointment_id()
        if appointment_id is not None:
            from screens.appointment import AppointmentScreen  # not at start-up

            self.app.push_screen(AppointmentScreen(appointment_id))

    def action_previous_day(self) -> None:
        self.showing -= timedelta(days=1)

    def action_next_day(self) -> None:
        self.showing += timedelta(days=1)

    def action_today(self) -> None:
        if self.showing == clock.today():
            self.grid.go_to_time(clock.local(clock.now()).time())
        self.showing = clock.today()

    def action_go_to(self) -> None:
        def chosen(day: date | None) -> None:
            if day is not None:
                self.showing = day

        from screens.goto import GoToDate  # not at start-up

        self.app.push_screen(GoToDate(), chosen)

    async def action_toggle_list(self) -> None:
        """Switch views, keeping staff on the same appointment (or the same time)."""
        switcher = self.query_one(ContentSwitcher)
        if self.day_list is None:
            await switcher.mount(DayList(id="list"))
            if self.grid.day is not None:
                self.day_list.show(self.grid.day)
        if self.in_list:
            current = self.day_list.current
            switcher.current = "grid"
            if current is not None:
                self.grid.go_to_appointment(current)
            self.grid.focus()
        else:
            slot = self.grid.slot_at()
            switcher.current = "list"
            if slot is not None:
                self.day_list.go_to(slot.appointments[0].id if slot.appointments else None,
                                    slot.starts)
            self.day_list.focus()
        self.refresh_bindings()

    def action_cursor(self, direction: str) -> None:
        rows, columns = {"left": (0, -1), "down": (1, 0), "up": (-1, 0)}[direction]
        self.grid.action_move(rows, columns)

    def action_page_providers(self, step: int) -> None:
        self.grid.page_columns(step)

    def action_provider_calendar(self) -> None:
        if self.in_list:
            current = self.day_list.current
            provider_id = current.provider_id if current else None
        else:
            slot = self.grid.slot_at()
            provider_id = slot.provider.id if slot else None
        if provider_id is None:
            return
        from screens.calendar import CalendarScreen  # not at start-up

        self.app.push_screen(CalendarScreen(provider_id))

    def action_next_available(self) -> None:
        """Free times for the provider under the cursor (staff may widen it to anyone)."""
        from screens.nextfree import NextAvailable  # not at start-up

        if self.in_list:
            current = self.day_list.current
            provider_id = current.provider_id if current else None
        else:
            slot = self.grid.slot_at()
            provider_id = slot.provider.id if slot else None
        self.app.push_screen(NextAvailable(provider_id=provider_id, first=self.showing),
                             self._go_to_free)

    def _go_to_free(self, slot) -> None:
        """Go to the free time picked in next available: its day, provider and time."""
        if slot is None:
            return
        self._free_slot = slot
        day = self.grid.day
        if self.showing == slot.on and day is not None and day.date == slot.on:
            self._place_free_slot(day)
        else:
            self.showing = slot.on  # placed when the day is drawn

    def _place_free_slot(self, day: Day) -> bool:
        slot = getattr(self, "_free_slot", None)
        if slot is None or slot.on != day.date:
            return False
        self._free_slot = None
        if self.in_list:
            self.query_one(ContentSwitcher).current = "grid"
            self.grid.focus()
        column = next((i for i, c in enumerate(day.providers) if c.id == slot.provider_id), None)
        if column is not None:
            self.grid.move_to(column=column)
        self.grid.go_to_time(slot.at)
        self.refresh_bindings()
        return True

    def action_waitlist(self) -> None:
        from screens.waitlist import WaitlistScreen  # not at start-up

        self.app.push_screen(WaitlistScreen())

    def action_chart_prep(self) -> None:
        from screens.chartprep import ChartPrepScreen  # not at start-up

        self.app.push_screen(ChartPrepScreen(self.showing))

    def action_check_in(self) -> None:
        self._desk_panel("check_in")

    def action_check_out(self) -> None:
        self._desk_panel("check_out")

    def _desk_panel(self, action: str) -> None:
        appointment_id = self._current_appointment_id()
        if appointment_id is None or not self._may(action):
            return
        from screens.checkin import CheckInPanel, CheckOutPanel  # not at start-up

        panel = CheckInPanel if action == "check_in" else CheckOutPanel
        # Reload at once rather than wait for the change feed: staff look for the mark.
        self.app.push_screen(panel(appointment_id), lambda _: self._load(self.showing))

    # -- booking, moving, cancelling, no-shows (the dialogs: screens/booking.py) ------------

    @db_work(group="allowances")
    def _read_allowances(self) -> None:
        rows = Provider.select(Provider.id, Provider.max_at_once).where(Provider.active)
        self.post_message(self.Allowances({p.id: max(p.max_at_once or 1, 1) for p in rows}))

    @on(Allowances)
    def _allowances_read(self, message: Allowances) -> None:
        self._allowances = message.most
        self.refresh_bindings()

    def _reload(self) -> None:
        self._load(self.showing)

    def _appointment_here(self) -> DayAppointment | None:
        appointment_id, day = self._current_appointment_id(), self.grid.day
        if appointment_id is None or day is None:
            return None
        return next((a for a in day.appointments if a.id == appointment_id), None)

    def _slot_to_book(self):
        """The slot under the cursor if it can take a booking: nobody there, or fewer than
        its provider may see at once (staff confirm the overbooking)."""
        slot = None if self.in_list else self.grid.slot_at()
        if slot is None:
            return None
        held = [a for a in slot.appointments if a.status in HOLDS_SLOT]
        return slot if len(held) < self._allowances.get(slot.provider.id, 1) else None

    def _may_change(self, action: str) -> bool:
        if action == "book":
            return self._slot_to_book() is not None
        here = self._appointment_here()
        return here is not None and here.status in _CHANGEABLE

    def action_book(self) -> None:
        slot = self._slot_to_book()
        if slot is None or self.grid.day is None:
            return
        from screens.booking import BookForm  # not at start-up

        self.app.push_screen(BookForm(provider_id=slot.provider.id,
                                      provider_name=slot.provider.short_name,
                                      on=self.grid.day.date, at=slot.starts.time(),
                                      when_taken=self._reload),
                             lambda booked: booked is not None and self._reload())

    # Moving: the appointment is picked up and the cursor carries it; arrows, [ and ]
    # choose where, enter drops it there. Nothing changes until the domain agrees.

    async def action_reschedule(self) -> None:
        here = self._appointment_here()
        if here is None or here.status not in _CHANGEABLE or self._moving is not None:
            return
        if self.in_list:
            await self.action_toggle_list()  # moving is done on the grid
        self._lift(here)

    @db_work(group="lift")
    def _lift(self, shown: DayAppointment) -> None:
        self.post_message(self.Lifted(schedule.get(shown.id), shown))

    @on(Lifted)
    def _lifted(self, message: Lifted) -> None:
        from screens.booking import Answers

        self._moving, self._move_answers = message, Answers()
        if self.grid.day is not None and self.grid.day.date == message.shown.start.date():
            self.grid.go_to_appointment(message.shown)
        self.grid.lift(message.shown)
        self._say_moving()
        self.refresh_bindings()

    def _say_moving(self, refusal: str | None = None) -> None:
        """The line under the grid while moving: what, to where, the keys, and why the
        last drop was refused until the cursor moves on."""
        where = (self.showing, self.grid.cursor)
        if refusal is not None:
            self._move_refusal = (where, refusal)
        elif self._move_refusal[0] != where:
            self._move_refusal = (where, "")
        refusal = self._move_refusal[1]
        found = self.query("#moving")
        if self._moving is None:
            found.remove()
            return
        if found:
            line = found.first(Static)
        else:
            line = Static(id="moving")
            self.mount(line, after=self.query_one(ContentSwitcher))
        shown, slot = self._moving.shown, self.grid.slot_at()
        text = Text.assemble(("Moving ", "bold"), (one_line(shown.patient), "bold"),
                             f" ({one_line(shown.type_code)} {shown.minutes} min)")
        if slot is not None and self.grid.day is not None:
            text.append(f" to {one_line(slot.provider.short_name)}, "
                        f"{self.grid.day.date:%a %m/%d} {clock.wall(slot.starts)}")
        if refusal:  # the keys are on the key bar too: the reason matters more
            text.append(f"\n{refusal}", style="bold red")
        else:
            text.append(": arrows move, [ ] change day, enter drops, t types a time, "
                        "esc puts it back", style="dim")
        line.update(text)

    def action_drop(self) -> None:
        slot = self.grid.slot_at()
        if self._moving is None or slot is None or self.grid.day is None:
            return
        from screens.booking import Answers, Place

        self._move_answers = Answers()  # a new place: earlier answers were for another
        self._move_to(Place(slot.provider.id, self.grid.day.date, slot.starts.time()))

    def action_type_time(self) -> None:
        slot = self.grid.slot_at()
        if self._moving is None or slot is None:
            return
        from screens.booking import Answers, MoveTime, Place

        def typed(when) -> None:
            if when is not None and self._moving is not None:
                self._move_answers = Answers()
                self._move_to(Place(slot.provider.id, *when))

        shown = self._moving.shown
        self.app.push_screen(MoveTime(f"{shown.patient} ({shown.type_code} {shown.minutes} min)",
                                      slot.provider.short_name, self.showing,
                                      slot.starts.time()), typed)

    def _move_to(self, place) -> None:
        self._say_moving("Moving…")
        self._move(self._moving.appointment, place, self._move_answers)

    @db_work(group="move")
    def _move(self, appointment: schedule.Appointment, place, answers) -> None:
        from screens.booking import Refusal

        try:
            schedule.move(appointment, Provider.get_by_id(place.provider_id), place.on,
                          place.at, version=appointment.version, by=self.app.signed_in,
                          overbook=answers.overbook, override_reason=answers.override_reason)
        except FrontdeskError as error:
            self.post_message(self.Dropped(place, Refusal.of(error)))
        else:
            self.post_message(self.Dropped(place))

    @on(Dropped)
    def _dropped(self, message: Dropped) -> None:
        from screens.booking import answer_refusal

        if self._moving is None:
            return
        if message.refusal is None:
            shown, place = self._moving.shown, message.place
            self._put_down()
            self.notify(f"Moved {one_line(shown.patient)} to {self._provider_name(place)}, "
                        f"{describe(place.on)} at {clock.wall(place.at)}.", timeout=5)
            self._go_to_free(place)
            self._reload()
            return
        if message.refusal.in_the_way:
            self._reload()  # show what is in the way now, not at the next look
        answer_refusal(self, message.refusal, self._move_answers,
                       lambda: self._move_to(message.place), self._move_refused)

    def _move_refused(self, refusal) -> None:
        self.notify(refusal.message, severity="error", timeout=8)
        self._say_moving(refusal.message)  # still picked up: staff try elsewhere or put back

    def _provider_name(self, place) -> str:
        day = self.grid.day
        columns = day.providers if day is not None else ()
        return one_line(next((c.short_name for c in columns if c.id == place.provider_id), ""))

    def action_put_back(self) -> None:
        if self._moving is None:
            return
        from screens.booking import Place

        shown = self._moving.shown
        self._put_down()
        self._go_to_free(Place(shown.provider_id, shown.start.date(), shown.start.time()))

    def _put_down(self) -> None:
        self._moving = None
        self.grid.lift(None)
        self._say_moving()
        self.refresh_bindings()

    def action_cancel(self) -> None:
        here = self._appointment_here()
        if here is None or here.status not in _CHANGEABLE:
            return
        from screens.booking import CancelForm  # not at start-up

        self.app.push_screen(CancelForm(here.id), self._cancelled)

    def _cancelled(self, done) -> None:
        if done is None:
            return
        late = " (late cancel)" if done.late else ""
        self.notify(f"Cancelled{late}: {one_line(done.words)}.", timeout=5)
        self._reload()
        if done.offers:
            from screens.waitlist import WaitlistOffers  # not at start-up

            self.app.push_screen(WaitlistOffers(done.appointment_id), lambda _: self._reload())

    def action_no_show(self) -> None:
        here = self._appointment_here()
        if here is None or here.status not in _CHANGEABLE:
            return
        from screens.booking import Confirm  # not at start-up

        question = (f"{one_line(here.patient)}, {clock.wall(here.start)} "
                    f"{one_line(here.type_code)}: mark a no-show?")
        self.app.push_screen(Confirm(question, yes="y marks the no-show"),
                             lambda yes: yes and self._mark_no_show(here))

    @db_work(group="no-show")
    def _mark_no_show(self, here: DayAppointment) -> None:
        try:
            schedule.mark_no_show(schedule.get(here.id), by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Marked(here.patient, str(error)))
        else:
            self.post_message(self.Marked(here.patient))

    @on(Marked)
    def _marked(self, message: Marked) -> None:
        if message.refusal:
            self.notify(message.refusal, severity="error", timeout=8)
        else:
            self.notify(f"{one_line(message.patient)}: no-show.", timeout=5)
            self._reload()
