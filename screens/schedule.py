"""The day's schedule: the screen after sign-in, across every provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Static

from frontdesk import clock, config, schedule
from frontdesk.changes import Change
from frontdesk.checkin import CAN_ARRIVE, CAN_DEPART
from frontdesk.dates import describe
from frontdesk.schedule import Day, Status
from screens.actions import SCHEDULE, bindings
from screens.base import DeskScreen, db_work
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.day_grid import DayGrid
from screens.widgets.day_list import DayList

__all__ = ["ScheduleScreen"]


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

    def on_mount(self) -> None:
        if self._preloaded is not None and self._preloaded.date == self.showing:
            self._draw(self.DayLoaded(self._preloaded))  # now, before the first frame
            self._preloaded = None
        else:
            self.watch_showing(self.showing)
        self.set_interval(30, self._redraw_now)  # keeps the "now" mark on the right row

    # -- loading ----------------------------------------------------------------------

    def watch_showing(self, day: date) -> None:
        self._set_title(loading=True)
        self._load(day)

    @db_work(group="day")
    def _load(self, day: date) -> None:
        self.post_message(self.DayLoaded(schedule.day(day)))

    @on(DayLoaded)
    def _draw(self, message: DayLoaded) -> None:
        if message.day.date != self.showing:
            return  # an answer for a day staff have already left
        first_draw = self.grid.day is None or self.grid.day.date != message.day.date
        self.grid.show(message.day, config.current().slot_minutes, clock.now())
        if self.day_list is not None:
            self.day_list.show(message.day)
        if first_draw:
            self._place_cursor(message.day)
        self._set_title()
        self.refresh_bindings()

    def _place_cursor(self, day: Day) -> None:
        """Open today at the current time, another day at its first appointment."""
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
               for c in changes):
            self._load(self.showing)

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
