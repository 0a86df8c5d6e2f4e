"""F1: every key of the screen in front, and what the schedule's marks mean."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from frontdesk.schedule import Status
from screens.base import DeskModal

__all__ = ["HelpScreen"]


class HelpScreen(DeskModal):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "close", "Close", tooltip="Close help")]

    def __init__(self, behind: Screen) -> None:
        super().__init__()
        self._behind = behind

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(self._keys(), id="keys")
            yield Static(self._legend(), id="legend")
            yield Static("Esc closes this help. Keys can be changed in config.toml "
                         "([keys] table, by the id in brackets).", id="hint")

    def _keys(self) -> Text:
        text = Text("Keys on this screen\n", style="bold")
        seen: set[str] = set()
        for key, active in self._behind.active_bindings.items():
            binding = active.binding
            if binding.id in seen or not binding.description:
                continue
            seen.add(binding.id or binding.action)
            display = self.app.get_key_display(binding)
            line = Text.assemble((f" {display:>8} ", "bold"), f" {binding.description:<16}",
                                 (f" {binding.tooltip}", "" if active.enabled else "dim"))
            if binding.id:
                line.append(f" [{binding.id}]", style="dim")
            text.append_text(line)
            text.append("\n")
        return text

    def _legend(self) -> Text:
        text = Text("\nMarks on the schedule\n", style="bold")
        for status in Status:
            text.append(f"  {status.mark}  {status.label}\n")
        text.append("  Shaded slots are outside the provider's hours; ")
        text.append("the highlighted time is now.\n")
        return text

    def action_close(self) -> None:
        self.dismiss(None)
