"""`g` on the schedule: go to a date typed the way staff type dates."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from frontdesk import clock
from frontdesk.dates import HINT, describe, parse_date
from frontdesk.errors import InvalidInput
from screens.actions import FORM, bindings
from screens.base import DeskModal, FormFields

__all__ = ["GoToDate"]


class GoToDate(FormFields, DeskModal[date | None]):
    CSS_PATH = "goto.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Stay on this day"),
                *bindings(FORM)]

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static("Go to date", id="title")
            yield Input(id="date", placeholder="3/4, 12/1/2026, tomorrow, next tue",
                        max_length=40)
            yield Label(f"Enter goes there · Esc stays · {HINT}", id="message")

    @on(Input.Changed)
    def _preview(self, event: Input.Changed) -> None:
        """Say back what the typed text means before staff commit to it."""
        label = self.query_one("#message", Label)
        label.remove_class("error")
        if not event.value.strip():
            label.update(f"Enter goes there · Esc stays · {HINT}")
            return
        try:
            label.update(f"→ {describe(parse_date(event.value, today=clock.today()))}")
        except InvalidInput:
            label.update("…")

    def submit(self) -> None:
        try:
            chosen = parse_date(self.query_one("#date", Input).value, today=clock.today())
        except InvalidInput as error:
            label = self.query_one("#message", Label)
            label.update(str(error))
            label.add_class("error")
            return
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
