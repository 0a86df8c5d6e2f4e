"""A day of the week to tick, readable without colour."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox

__all__ = ["DayToggle"]


class DayToggle(Checkbox):
    """A compact checkbox that shows X only when ticked.

    Textual's own draws an X either way and tells ticked from not by colour alone,
    which a 16-colour or NO_COLOR terminal cannot show.
    """

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button
