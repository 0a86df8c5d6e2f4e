"""The day as a list sorted by time: every appointment, cancelled ones included."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import DataTable

from frontdesk import clock
from frontdesk.schedule import Day, DayAppointment
from frontdesk.text import one_line
from screens.widgets.day_grid import STATUS_STYLES

__all__ = ["DayList"]


class DayList(DataTable):
    """One row per appointment, earliest first; best on a narrow terminal."""

    DEFAULT_CSS = "DayList { height: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._rows: list[DayAppointment] = []

    def on_mount(self) -> None:
        self.add_column("Time", width=11, key="time")
        self.add_column("Provider", width=16, key="provider")
        self.add_column("Patient", width=22, key="patient")
        self.add_column("Type", width=5, key="type")
        self.add_column("Status", width=14, key="status")

    def show(self, day: Day) -> None:
        keep = self.current.id if self.current else None
        names = {p.id: p.short_name for p in day.providers}
        self.clear()
        self._rows = list(day.appointments)
        for appointment in self._rows:
            mark_style, text_style = STATUS_STYLES[appointment.status]
            self.add_row(
                # Text, never str: DataTable reads a str cell as markup, and names are
                # data ("[reverse]x" must show as typed, not restyle the row).
                Text(f"{clock.wall(appointment.start):>5}-{clock.wall(appointment.end)}"),
                Text(one_line(names.get(appointment.provider_id, ""))),
                Text(one_line(appointment.patient), style=text_style),
                Text(one_line(appointment.type_code)),
                Text.assemble((appointment.status.mark, mark_style), " ",
                              appointment.status.label),
                key=str(appointment.id),
            )
        if keep is not None:
            index = next((i for i, a in enumerate(self._rows) if a.id == keep), None)
            if index is not None:
                self.move_cursor(row=index, animate=False)

    def go_to(self, appointment_id: int | None, at: datetime) -> None:
        """Put the cursor on an appointment, else on the first one from a time on."""
        index = next((i for i, a in enumerate(self._rows) if a.id == appointment_id), None)
        if index is None:
            index = next((i for i, a in enumerate(self._rows) if a.start >= at),
                         len(self._rows) - 1)
        if index >= 0:
            self.move_cursor(row=index, animate=False)

    @property
    def current(self) -> DayAppointment | None:
        if not self._rows or not 0 <= self.cursor_row < len(self._rows):
            return None
        return self._rows[self.cursor_row]
