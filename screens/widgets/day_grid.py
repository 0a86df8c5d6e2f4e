"""The day as a grid: a column per provider, a row per slot of the clinic's size.

Drawn line by line (Textual's line API) and only for what is on screen: a clinic
with thirty providers shows three or four columns at 80 characters, and draws
only those. Cells are rendered once per day shown and cached as segments, so
moving the cursor repaints in well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from frontdesk import calendar, clock
from frontdesk.schedule import Column, Day, DayAppointment, Status
from frontdesk.text import one_line

__all__ = ["DayGrid", "Slot", "STATUS_STYLES", "MIN_COLUMN"]

MIN_COLUMN = 20
"""Narrowest provider column: a mark, a name that can be read, a visit code."""
LABEL_WIDTH = 7
"""The times on the left: `10:15▸ `."""
CODE_WIDTH = 4
"""Visit codes are cut to this, so they line up down a column."""
_GAP = 1

STATUS_STYLES = {
    Status.SCHEDULED: ("", ""),
    Status.CONFIRMED: ("green", ""),
    Status.ARRIVED: ("bold yellow", "bold"),
    Status.ROOMED: ("bold cyan", "bold"),
    Status.WITH_PROVIDER: ("cyan", ""),
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


class DayGrid(Widget, can_focus=True):
    """The providers' day, one cell per provider and slot, with a cell cursor."""

    DEFAULT_CSS = """
    DayGrid { height: 1fr; }
    DayGrid > .day-grid--header { text-style: bold; background: $panel; }
    DayGrid > .day-grid--times { background: $panel; color: $text-muted; }
    DayGrid > .day-grid--closed { background: $panel-darken-1; color: $text-disabled; }
    DayGrid > .day-grid--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    DayGrid:focus > .day-grid--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    COMPONENT_CLASSES = {"day-grid--header", "day-grid--times", "day-grid--closed",
                         "day-grid--cursor"}
    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move(-9999, 0)", "First slot", show=False),
        Binding("end", "move(9999, 0)", "Last slot", show=False),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0), init=False)
    """(row, provider column) of the cell under the cursor."""

    class CursorMoved(Message):
        """The cursor is on another slot (or the day under it changed)."""

        def __init__(self, grid: DayGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> DayGrid:
            return self.grid

    class Chosen(Message):
        """A slot was double-clicked: open what is there."""

        def __init__(self, grid: DayGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> DayGrid:
            return self.grid

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.day: Day | None = None
        self.slot_minutes = 15
        self.now: datetime = clock.now()
        self._times: list[datetime] = []
        self._columns: list[Column] = []
        self._held: dict[tuple[int, int], tuple[DayAppointment, ...]] = {}
        self._cells: dict[tuple[int, int], list[Segment]] = {}
        self._first_row = 0
        self._first_column = 0
        self.lifted: DayAppointment | None = None
        """An appointment picked up to move: drawn at the cursor, its old place marked."""

    # -- what is where ----------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._times)

    @property
    def column_count(self) -> int:
        return len(self._columns)

    @property
    def first_column(self) -> int:
        """The leftmost provider column on screen."""
        return self._first_column

    def visible_columns(self) -> int:
        width = self.size.width or self.app.size.width
        return max(1, (width - LABEL_WIDTH) // (MIN_COLUMN + _GAP))

    def _column_width(self) -> int:
        width = self.size.width or self.app.size.width
        shown = max(1, min(self.visible_columns(), len(self._columns) or 1))
        return max(MIN_COLUMN, (width - LABEL_WIDTH) // shown - _GAP)

    def _body_height(self) -> int:
        return max(1, (self.size.height or 1) - 1)

    def slot_at(self, row: int | None = None, column: int | None = None) -> Slot | None:
        if row is None or column is None:
            row, column = self.cursor
        if not (0 <= row < len(self._times) and 0 <= column < len(self._columns)):
            return None
        starts = self._times[row]
        return Slot(self._columns[column], starts, starts + timedelta(minutes=self.slot_minutes),
                    self._held.get((row, column), ()))

    def cell_text(self, row: int, column: int) -> str:
        """The characters of one cell, as drawn (for tests and screen readers)."""
        cell = self._cell(row, column)
        if self.lifted is not None:
            cell = self._lifted_cell(row, column, cell)
        return "".join(segment.text for segment in cell)

    # -- drawing ----------------------------------------------------------------------

    def show(self, day: Day, slot_minutes: int, now: datetime) -> None:
        """Draw a day, keeping the cursor on the same provider and time when it can."""
        keep = self.slot_at() if self.day else None
        self.day, self.slot_minutes, self.now = day, slot_minutes, now
        self._columns = list(day.providers)
        first, last = day.span(slot_minutes)
        zone = clock.zone()
        minute, stop = _minutes(first), max(_minutes(last), _minutes(first) + slot_minutes)
        self._times = []
        while minute < stop:
            self._times.append(datetime.combine(day.date, time(minute // 60, minute % 60),
                                                tzinfo=zone))
            minute += slot_minutes
        self._held = self._hold(day)
        self._cells.clear()
        if keep is not None and not self._restore(keep):
            keep = None
        if keep is None:
            self._place(*self.cursor)
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def lift(self, appointment: DayAppointment | None) -> None:
        """Carry an appointment with the cursor (None puts it down)."""
        self.lifted = appointment
        self.refresh()

    def _lifted_rows(self) -> range:
        """The rows the appointment being moved would take, from the cursor down."""
        if self.lifted is None:
            return range(0)
        rows = max(1, -(-self.lifted.minutes // self.slot_minutes))
        return range(self.cursor[0], min(len(self._times), self.cursor[0] + rows))

    def _lifted_cell(self, row: int, column: int, cell: list[Segment]) -> list[Segment]:
        """The appointment being moved at the cursor, and its old place marked."""
        lifted = self.lifted
        if column == self.cursor[1] and row in self._lifted_rows():
            if row == self.cursor[0]:
                room = max(1, self._column_width() - 3 - CODE_WIDTH)
                name = one_line(lifted.patient)
                name = name if len(name) <= room else name[: room - 1] + "…"
                text = Text.assemble(("⇕", "bold"), " ", (f"{name:<{room}}", "bold"),
                                     (f" {one_line(lifted.type_code)[:CODE_WIDTH]:<{CODE_WIDTH}}",
                                      "bold"))
            else:
                text = Text.assemble(("┆", "bold"), " ", ("moving", "italic"))
        elif any(held.id == lifted.id for held in self._held.get((row, column), ())):
            text = Text.assemble(("◌", "dim"), " ", ("moving from here", "dim italic"))
        else:
            return cell
        text.truncate(self._column_width(), pad=True)
        return list(text.render(self.app.console))

    def set_now(self, now: datetime) -> None:
        """Move the "now" mark without rebuilding the day."""
        self.now = now
        self.refresh()

    def _hold(self, day: Day) -> dict[tuple[int, int], tuple[DayAppointment, ...]]:
        """Which appointments hold each cell, computed once per day shown."""
        index = {column.id: i for i, column in enumerate(self._columns)}
        step = timedelta(minutes=self.slot_minutes)
        held: dict[tuple[int, int], list[DayAppointment]] = {}
        first = self._times[0] if self._times else None
        for appointment in day.appointments:
            column = index.get(appointment.provider_id)
            if column is None or appointment.status not in _IN_GRID or first is None:
                continue
            row = max(0, int((appointment.start - first) // step))
            while row < len(self._times) and self._times[row] < appointment.end:
                if self._times[row] + step > appointment.start:
                    held.setdefault((row, column), []).append(appointment)
                row += 1
        return {cell: tuple(appointments) for cell, appointments in held.items()}

    def _cell(self, row: int, column: int) -> list[Segment]:
        cached = self._cells.get((row, column))
        if cached is None:
            width = self._column_width()
            text = self._cell_text(row, column, width)
            text.truncate(width, pad=True)
            cached = self._cells[(row, column)] = list(text.render(self.app.console))
        return cached

    def _cell_text(self, row: int, column: int, width: int) -> Text:
        provider = self._columns[column]
        starts = self._times[row]
        ends = starts + timedelta(minutes=self.slot_minutes)
        held = self._held.get((row, column), ())
        if not held:
            last_second = (ends - timedelta(seconds=1)).time()
            block = provider.away_at(starts.time(), last_second)
            if block is not None:  # lunch, a meeting, vacation: named on its first row
                first_row = starts.time() <= block.start or starts == self._times[0]
                words = calendar.BLOCK_KINDS.get(block.kind, "Blocked")
                if block.title:
                    words += f": {block.title}"
                return Text(f"░ {one_line(words)}" if first_row else "░",
                            style=self.get_component_rich_style("day-grid--closed"))
            if provider.works_at(starts.time(), last_second):
                return Text("")
            return Text("· " * (width // 2), style=self.get_component_rich_style(
                "day-grid--closed"))
        first = held[0]
        mark_style, text_style = STATUS_STYLES[first.status]
        if starts <= first.start < ends:
            extra = f"+{len(held) - 1} " if len(held) > 1 else ""
            room = max(1, width - 3 - CODE_WIDTH - len(extra))
            name = one_line(first.patient)
            name = name if len(name) <= room else name[: room - 1] + "…"
            code = one_line(first.type_code)[:CODE_WIDTH]
            return Text.assemble((first.status.mark, mark_style), " ",
                                 (f"{name:<{room}}", text_style), (extra, "bold"),
                                 (f" {code:<{CODE_WIDTH}}", "dim"))
        # The visit goes on from an earlier slot: say what it is on its second row.
        second_row = starts - timedelta(minutes=self.slot_minutes) <= first.start
        detail = one_line(first.type_name) if second_row else ""
        return Text.assemble(("│", mark_style or "dim"), " ", (detail, "dim"))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._header_line(width)
        row = self._first_row + y - 1
        if row >= len(self._times):
            return Strip.blank(width, self.rich_style)
        segments = [self._time_label(row)]
        gap = Segment(" " * _GAP, self.rich_style)
        cursor_style = self.get_component_rich_style("day-grid--cursor")
        for column in self._visible_range():
            cell = self._cell(row, column)
            if self.lifted is not None:
                cell = self._lifted_cell(row, column, cell)
            if (row, column) == self.cursor or (self.lifted is not None and column ==
                                               self.cursor[1] and row in self._lifted_rows()):
                cell = [Segment(s.text, (s.style or Style()) + cursor_style) for s in cell]
            segments.extend(cell)
            segments.append(gap)
        return Strip(segments).adjust_cell_length(width, self.rich_style).simplify()

    def _visible_range(self) -> range:
        return range(self._first_column,
                     min(len(self._columns), self._first_column + self.visible_columns()))

    def _time_label(self, row: int) -> Segment:
        starts = self._times[row]
        now = clock.local(self.now)
        times_style = self.get_component_rich_style("day-grid--times")
        label = f"{clock.wall(starts):>5}"
        if starts <= now < starts + timedelta(minutes=self.slot_minutes):
            return Segment(f"{label}▸ ", times_style + Style(bold=True, reverse=True))
        style = times_style + (Style(bold=True) if starts.minute == 0 else Style())
        return Segment(f"{label}  ", style)

    def _header_line(self, width: int) -> Strip:
        header = self.get_component_rich_style("day-grid--header")
        visible = self._visible_range()
        more_left = "◂" if self._first_column > 0 else " "
        segments = [Segment(f"{more_left:<{LABEL_WIDTH}}", header)]
        column_width = self._column_width()
        for column in visible:
            provider = self._columns[column]
            name = one_line(provider.short_name)[:column_width]
            style = header + Style.parse(f"bold {provider.colour}")
            segments.append(Segment(f"{name:<{column_width}}", style))
            segments.append(Segment(" " * _GAP, header))
        strip = Strip(segments)
        if visible and visible.stop < len(self._columns):
            hint = f" {len(self._columns) - visible.stop} more ▸"
            strip = strip.crop(0, max(0, width - len(hint))).adjust_cell_length(
                max(0, width - len(hint)), header)
            strip = Strip([*strip, Segment(hint, header)])
        return strip.adjust_cell_length(width, header)

    # -- the cursor -------------------------------------------------------------------

    def watch_cursor(self) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def _place(self, row: int, column: int) -> None:
        """Put the cursor in bounds (the day may have fewer rows or providers now)."""
        row = min(max(row, 0), max(0, len(self._times) - 1))
        column = min(max(column, 0), max(0, len(self._columns) - 1))
        if (row, column) != self.cursor:
            self.cursor = (row, column)
        else:
            self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        row, column = self.cursor
        body = self._body_height()
        if row < self._first_row:
            self._first_row = row
        elif row >= self._first_row + body:
            self._first_row = row - body + 1
        self._first_row = max(0, min(self._first_row, max(0, len(self._times) - body)))
        shown = self.visible_columns()
        if column < self._first_column:
            self._first_column = column
        elif column >= self._first_column + shown:
            self._first_column = column - shown + 1
        self._first_column = max(0, min(self._first_column, max(0, len(self._columns) - shown)))

    def action_move(self, rows: int, columns: int) -> None:
        row, column = self.cursor
        self._place(row + rows, column + columns)

    def action_page(self, direction: int) -> None:
        self.action_move(direction * self._body_height(), 0)

    def page_columns(self, step: int) -> None:
        """Show the next (or previous) page of providers, the cursor going along."""
        shown = self.visible_columns()
        last_page = max(0, len(self._columns) - shown)
        self._first_column = min(max(self._first_column + step * shown, 0), last_page)
        self.move_to(column=self.cursor[1] + step * shown)
        self.refresh()

    def move_to(self, *, row: int | None = None, column: int | None = None) -> None:
        self._place(self.cursor[0] if row is None else row,
                    self.cursor[1] if column is None else column)

    def go_to_time(self, at: time) -> None:
        """Put the cursor on the row holding a wall-clock time (today's now, say)."""
        for index, row_time in enumerate(self._times):
            if row_time.time() <= at < (row_time + timedelta(minutes=self.slot_minutes)).time():
                self.move_to(row=index)
                return

    def go_to_appointment(self, appointment: DayAppointment) -> None:
        column = next((i for i, c in enumerate(self._columns)
                       if c.id == appointment.provider_id), None)
        if column is not None:
            self.move_to(column=column)
            self.go_to_time(appointment.start.time())

    def _restore(self, keep: Slot) -> bool:
        row = next((i for i, t in enumerate(self._times) if t.time() == keep.starts.time()),
                   None)
        column = next((i for i, c in enumerate(self._columns) if c.id == keep.provider.id),
                      None)
        if row is None or column is None:
            return False
        self._place(row, column)
        return True

    def on_resize(self) -> None:
        self._cells.clear()  # column widths follow the terminal
        self._scroll_to_cursor()

    def on_click(self, event: events.Click) -> None:
        row = self._first_row + event.y - 1
        column = self._first_column + (event.x - LABEL_WIDTH) // (self._column_width() + _GAP)
        if event.y >= 1 and event.x >= LABEL_WIDTH and self.slot_at(row, column):
            self.move_to(row=row, column=column)
            if event.chain >= 2:
                self.post_message(self.Chosen(self))

    @property
    def date(self) -> date | None:
        return self.day.date if self.day else None
