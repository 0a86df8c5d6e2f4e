"""One of a few choices on one line, each with its own key: `c copay  d deductible ...`.

Faster than a drop-down for what staff choose all day (what a payment is for, how it
is paid): one letter chooses, and the form moves on to the next field. Left and right
move along the choices too. The choices and their keys come from the registry
(screens.actions): a subclass names its actions, whose `action` is `choose('value')`,
and binds them, so F1 help and the line on screen show the same keys.

A screen with a `key_chosen(choice)` method has it called the moment a choice is
made by its key, before the next key is read (to show the rows that choice needs and
move on); `Changed` follows as a message either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from screens.actions import CHOICE, Action, bindings

__all__ = ["KeyChoice"]

_CHOOSE = re.compile(r"^choose\('([^']+)'\)$")


class KeyChoice(Widget, can_focus=True):
    DEFAULT_CSS = """
    KeyChoice { height: 1; width: 1fr; }
    KeyChoice:focus { background: $primary 30%; }
    KeyChoice.-invalid { background: $error 30%; }
    """
    BINDINGS = bindings(CHOICE)
    ACTIONS: tuple[Action, ...] = ()
    """The subclass's choices, in the order shown."""

    value: reactive[str | None] = reactive(None, always_update=True)
    """The value chosen; None until staff choose."""

    @dataclass
    class Changed(Message):
        """A choice was made; `by_key` when by its own key (the form then moves on)."""

        choice: KeyChoice
        value: str
        by_key: bool

        @property
        def control(self) -> KeyChoice:
            return self.choice

    def __init__(self, value: str | None = None, *, only: tuple[str, ...] | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.options = [(match.group(1), action) for action in self.ACTIONS
                        if (match := _CHOOSE.match(action.action))
                        and (only is None or match.group(1) in only)]
        """(value, action) of each choice offered."""
        self.set_reactive(KeyChoice.value, value)

    @property
    def values(self) -> list[str]:
        return [value for value, _ in self.options]

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        for value, action in self.options:
            chosen = value == self.value
            key = action.key_display or action.keys.split(",")[0]
            line.append(key, style="bold reverse" if chosen else "bold")
            line.append(f" {action.description}", style="bold reverse" if chosen else "")
            line.append("  ")
        line.rstrip()
        return line

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            return bool(parameters) and parameters[0] in self.values
        return True

    def action_choose(self, value: str) -> None:
        if value in self.values:
            self.value = value
            self.post_message(self.Changed(self, value, True))
            # At once, not by message: the keys typed next belong to the next field.
            chosen = getattr(self.screen, "key_chosen", None)
            if chosen is not None:
                chosen(self)

    def action_step(self, step: int) -> None:
        values = self.values
        if not values:
            return
        index = values.index(self.value) + step if self.value in values else 0
        self.value = values[max(0, min(len(values) - 1, index))]
        self.post_message(self.Changed(self, self.value, False))
