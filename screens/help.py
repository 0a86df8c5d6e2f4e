"""F1: every key of the screen in front, and what the schedule's marks mean."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from frontdesk.schedule import Status
from screens.actions import ALL
from screens.base import DeskModal

__all__ = ["HelpScreen"]


class HelpScreen(DeskModal):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "close", "Close", tooltip="Close help")]

    def __init__(self, behind: Screen) -> None:
        super().__init__()
        self._behind = behind

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as scroll:
            scroll.border_title = "Help"
            yield Static(self._keys(), id="keys")
            yield Static(self._legend(), id="legend")
            yield Static("Esc closes this help. Keys can be changed in config.toml "
                         "([keys] table, by the id in brackets).", id="hint")

    def _keys(self) -> Table:
        """The registry's actions in force on the screen behind, with their real keys."""
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        registry = {action.id: action for action in ALL}
        local, everywhere = [], []
        shown: set[str] = set()
        for active in self._behind.active_bindings.values():
            binding = active.binding
            if binding.id not in registry or binding.id in shown:
                continue
            shown.add(binding.id)
            row = (self.app.get_key_display(binding), binding.description,
                   Text.assemble(binding.tooltip, (f"  [{binding.id}]", "dim"),
                                 style="" if active.enabled else "dim"))
            (everywhere if binding.id.startswith("app.") else local).append(row)
        table.add_row("", Text("On this screen", style="bold underline"), "")
        for row in local:
            table.add_row(*row)
        if local:
            table.add_row("arrows", "Move", "Arrow keys move the cursor too")
        table.add_row("", Text("Everywhere", style="bold underline"), "")
        for row in everywhere:
            table.add_row(*row)
        return table

    def _legend(self) -> Text:
        text = Text("Marks on the schedule: ", style="bold")
        text.append("  ".join(f"{status.mark} {status.label}" for status in Status))
        text.append(". Dotted slots are outside the provider's hours; the time marked ▸ is "
                    "now.")
        return text

    def action_close(self) -> None:
        self.dismiss(None)
