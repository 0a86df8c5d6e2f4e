"""The cash count: one row per bill and coin, counts typed, each line's amount and the
total updated as staff type.

The same grid counts the float when a drawer opens and the cash when it closes, so
staff learn one grid. Up and down move between rows; enter moves down too (the
screen's form handling), and from the last row goes on. Only digits can be typed;
the amounts come from frontdesk.drawer, which also says when a count cannot be right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label

from frontdesk import drawer
from frontdesk.errors import InvalidInput
from screens.actions import COUNT_GRID, bindings

__all__ = ["CountGrid"]

MAX_DIGITS = 6


class CountGrid(Widget):
    DEFAULT_CSS = """
    CountGrid { height: auto; width: 40; }
    CountGrid .count-row { height: 1; }
    CountGrid .count-head { height: 1; color: $text-muted; }
    CountGrid .denomination { width: 8; text-align: right; padding-right: 2; }
    CountGrid Input { width: 9; background: $boost; }
    CountGrid Input:focus { background: $primary 45%; }
    CountGrid .times { width: 3; color: $text-muted; }
    CountGrid .line { width: 14; text-align: right; }
    CountGrid .count-total { height: 2; border-top: solid $primary; }
    CountGrid .count-total Label { text-style: bold; }
    CountGrid #count-total { width: 1fr; text-align: right; padding-right: 4; }
    CountGrid #count-problem { height: auto; width: 40; color: $error; text-style: bold; }
    """
    BINDINGS = bindings(COUNT_GRID)

    @dataclass
    class Counted(Message):
        """The counts changed; `total_cents` is None while a count cannot be right."""

        grid: CountGrid
        counts: dict[int, str]
        total_cents: int | None

        @property
        def control(self) -> CountGrid:
            return self.grid

    def __init__(self, counts: Mapping[int, int] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._start = dict(counts or {})

    def compose(self) -> ComposeResult:
        with Horizontal(classes="count-head"):
            yield Label("", classes="denomination")
            yield Label("count", classes="count-word")
        for denomination in drawer.DENOMINATIONS:
            start = self._start.get(denomination)
            with Horizontal(classes="count-row"):
                yield Label(drawer.denomination_label(denomination), classes="denomination")
                yield Input(str(start) if start else "", id=f"count_{denomination}",
                            restrict=r"\d*", max_length=MAX_DIGITS, compact=True)
                yield Label("×", classes="times")
                yield Label("", id=f"line_{denomination}", classes="line")
        with Horizontal(classes="count-total"):
            yield Label("Total", classes="denomination")
            yield Label("", id="count-total")
        yield Label("", id="count-problem")

    def on_mount(self) -> None:
        self._recount()

    @property
    def counts(self) -> dict[int, str]:
        """What is typed, by denomination (empty rows left out)."""
        return {d: value for d in drawer.DENOMINATIONS
                if (value := self.query_one(f"#count_{d}", Input).value.strip())}

    @property
    def total_cents(self) -> int | None:
        try:
            return drawer.counted_total(self.counts)
        except InvalidInput:
            return None

    def first(self) -> Input:
        return self.query_one(f"#count_{drawer.DENOMINATIONS[0]}", Input)

    def focus_count(self, field: str | None = None) -> None:
        """Focus the row a refusal names (`count_2000`), else the first."""
        found = self.query(f"#{field}") if field and field.startswith("count_") else None
        (found.first() if found else self.first()).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._recount()

    def _recount(self) -> None:
        problem = ""
        for denomination in drawer.DENOMINATIONS:
            typed = self.query_one(f"#count_{denomination}", Input).value.strip()
            line = self.query_one(f"#line_{denomination}", Label)
            try:
                cents = drawer.counted_total({denomination: typed})
            except InvalidInput as error:
                line.update(Text("?", style="bold"))
                problem = problem or str(error)
                continue
            line.update(drawer.money(cents) if typed else "")
        total = self.total_cents
        self.query_one("#count-total", Label).update(
            "?" if total is None else drawer.money(total))
        shown = self.query_one("#count-problem", Label)
        shown.update(problem)
        shown.display = bool(problem)
        self.post_message(self.Counted(self, self.counts, total))

    def action_move(self, step: int) -> None:
        cells = list(self.query(Input))
        focused = self.screen.focused
        if focused not in cells:
            return
        index = cells.index(focused) + step
        if 0 <= index < len(cells):
            # At once, not focus(): the digits typed next belong to that row.
            self.screen.set_focus(cells[index])
