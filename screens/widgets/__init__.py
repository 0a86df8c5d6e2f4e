"""Widgets shared by several screens."""

from screens.widgets.header import DeskHeader
from screens.widgets.keybar import KeyBar
from screens.widgets.phonebar import PhoneBar

__all__ = ["DeskHeader", "KeyBar", "PhoneBar"]
