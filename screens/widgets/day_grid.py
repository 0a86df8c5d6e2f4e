"""The day as a grid: a column per provider, a row per slot of the clinic's size.

Built on DataTable: it gives the cell cursor, a fixed column of times and
horizontal scrolling through providers that do not fit. The times are a fixed
first column rather than row labels: DataTable measures row labels lazily, on
idle, and a rebuilt table could be painted without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rich.style import Style
from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from frontdesk import clock
from frontdesk.schedule import Column, Day, DayAppointment, Status
from frontdesk.text import one_line

__all__ = ["DayGrid", "Slot", "STATUS_STYLES", "MIN_COLUMN"]

MIN_COLUMN = 20
"""Narrowest provider column: a mark, a name that can be read, a visit code."""
LABEL_WIDTH = 6
CODE_WIDTH = 4
"""Visit codes are cut to this, so they line up down a column."""
_SCROLLBAR = 2
_PADDING = 1

STATUS_STYLES = {
    Status.SCHEDULED: ("", ""),
    Status.CONFIRMED: ("green", ""),
    Status.ARRIVED: ("bold yellow", "bold"),
    Status.CHECKED_OUT: ("dim", "dim"),
    Status.NO_SHOW: ("bold red", "dim"),
    Status.CANCELLED: ("dim", "dim strike"),
}
"""(mark style, text style) per status; the mark alone tells it without colour."""

_IN_GRID = frozenset(Status) - {Status.CANCELLED}


@dataclass(frozen=True)
class Slot:
    """One cell of the grid: a provider at a time."""

    provider: Column
    starts: datetime
    ends: datetime
    appointments: tuple[DayAppointment, ...]
    """Appointments that hold any of this slot, earliest first."""


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


class DayGrid(DataTable):
    """The providers' day, one cell per provider and slot."""

    DEFAULT_CSS = """
    DayGrid { height: 1fr; }
    DayGrid > .datatable--header { text-style: bold; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=False, cell_padding=_PADDING,
                         fixed_columns=1, show_row_labels=False, **kwargs)
        self.day: Day | None = None
        self.slot_minutes = 15
        self._times: list[datetime] = []
        self._columns: list[Column] = []

    # -- what is under the cursor ---------------------------------------------------

    def slot_at(self, coordinate: Coordinate | None = None) -> Slot | None:
        coordinate = coordinate or self.cursor_coordinate
        if not self._times or not self._columns:
            return None
        column = coordinate.column - 1  # column 0 holds the times
        if not (0 <= coordinate.row < len(self._times) and 0 <= column < len(self._columns)):
            return None
        provider = self._columns[column]
        starts = self._times[coordinate.row]
        ends = starts + timedelta(minutes=self.slot_minutes)
        held = tuple(a for a in self.day.appointments
                     if a.provider_id == provider.id and a.status in _IN_GRID
                     and a.start < ends and a.end > starts)
        return Slot(provider, starts, ends, held)

    def _usable_width(self) -> int:
        """Columns left for providers once the times and the scrollbar are drawn."""
        width = self.size.width or self.app.size.width
        return max(MIN_COLUMN + 2 * _PADDING,
                   width - (LABEL_WIDTH + 2 * _PADDING) - _SCROLLBAR)

    def visible_columns(self) -> int:
        return max(1, self._usable_width() // (MIN_COLUMN + 2 * _PADDING))

    # -- drawing ----------------------------------------------------------------------

    def show(self, day: Day, slot_minutes: int, now: datetime) -> None:
        """Draw a day, keeping the cursor on the same provider and time when it can."""
        keep = self.slot_at() if self.day else None
        self.day, self.slot_minutes = day, slot_minutes
        self._columns = list(day.providers)
        first, last = day.span(slot_minutes)
        zone = clock.zone()
        step = timedelta(minutes=slot_minutes)
        self._times = []
        minute = _minutes(first)
        stop = max(_minutes(last), minute + slot_minutes)
        while minute < stop:
            self._times.append(datetime.combine(day.date, time(minute // 60, minute % 60),
                                                tzinfo=zone))
            minute += slot_minutes
        self.clear(columns=True)
        visible = min(len(self._columns), self.visible_columns()) or 1
        width = max(MIN_COLUMN, self._usable_width() // visible - 2 * _PADDING)
        self.add_column("", width=LABEL_WIDTH, key="time")
        for column in self._columns:
            self.add_column(Text(one_line(column.short_name), style=f"bold {column.colour}"),
                            width=width, key=str(column.id))
        by_provider = self._by_provider(day)
        shade = self._shade_style()
        now_local = clock.local(now)
        for row_time in self._times:
            row_end = row_time + step
            cells = [self._cell(column, row_time, row_end, by_provider.get(column.id, []),
                                width, shade) for column in self._columns]
            self.add_row(self._label(row_time, row_end, now_local), *cells,
                         key=row_time.isoformat())
        self._restore(keep)

    def _shade_style(self) -> Style:
        variables = self.app.theme_variables
        return Style(bgcolor=variables.get("panel", "grey15"), dim=True)

    @staticmethod
    def _by_provider(day: Day) -> dict[int, list[DayAppointment]]:
        grouped: dict[int, list[DayAppointment]] = {}
        for appointment in day.appointments:
            if appointment.status in _IN_GRID:
                grouped.setdefault(appointment.provider_id, []).append(appointment)
        return grouped

    def _label(self, starts: datetime, ends: datetime, now: datetime) -> Text:
        text = f"{clock.wall(starts):>5}"
        if starts <= now < ends:
            return Text(text + "▸", style="bold reverse")
        return Text(text + " ", style="dim" if starts.minute else "")

    def _cell(self, column: Column, starts: datetime, ends: datetime,
              appointments: list[DayAppointment], width: int, shade: Style) -> Text:
        held = [a for a in appointments if a.start < ends and a.end > starts]
        working = column.works_at(starts.time(), (ends - timedelta(seconds=1)).time())
        if not held:
            if working:
                return Text("")
            return Text(("· " * (width // 2)).ljust(width), style=shade)
        first = held[0]
        extra = f"+{len(held) - 1} " if len(held) > 1 else ""
        mark_style, text_style = STATUS_STYLES[first.status]
        if starts <= first.start < ends:
            code = one_line(first.type_code)[:CODE_WIDTH]
            room = max(1, width - 3 - CODE_WIDTH - len(extra))
            name = one_line(first.patient)
            name = name if len(name) <= room else name[: room - 1] + "…"
            return Text.assemble((first.status.mark, mark_style), " ",
                                 (f"{name:<{room}}", text_style), (extra, "bold"),
                                 (f" {code:<{CODE_WIDTH}}", "dim"))
        # The appointment goes on from an earlier slot: say what it is, once.
        second_row = starts - timedelta(minutes=self.slot_minutes) <= first.start
        detail = one_line(first.type_name) if second_row else ""
        return Text.assemble(("│", mark_style or "dim"), " ", (detail[: width - 2], "dim"))

    def _restore(self, keep: Slot | None) -> None:
        if keep is None:
            return
        row = next((i for i, t in enumerate(self._times)
                    if t.time() == keep.starts.time()), None)
        column = next((i for i, c in enumerate(self._columns, 1) if c.id == keep.provider.id),
                      None)
        if row is None or column is None:
            return
        self.move_cursor(row=row, column=column, animate=False)

    def go_to_time(self, at: time) -> None:
        """Put the cursor on the row holding a wall-clock time (today's now, say)."""
        for index, row_time in enumerate(self._times):
            if row_time.time() <= at < (row_time + timedelta(minutes=self.slot_minutes)).time():
                self.move_cursor(row=index, column=max(1, self.cursor_coordinate.column),
                                 animate=False)
                return

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        """The times are not a place to stand: step back onto the first provider."""
        super().watch_cursor_coordinate(old, new)
        if new.column == 0 and len(self.columns) > 1:
            self.move_cursor(column=1, animate=False)

    def go_to_appointment(self, appointment: DayAppointment) -> None:
        column = next((i for i, c in enumerate(self._columns, 1)
                       if c.id == appointment.provider_id), None)
        if column is None:
            return
        self.move_cursor(column=column, animate=False)
        self.go_to_time(appointment.start.time())

    @property
    def date(self) -> date | None:
        return self.day.date if self.day else None
