"""Widgets shared by several screens."""

from screens.widgets.header import DeskHeader
from screens.widgets.keybar import KeyBar

__all__ = ["DeskHeader", "KeyBar"]
