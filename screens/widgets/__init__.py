"""Widgets shared by several screens."""

from screens.widgets.header import DeskHeader

__all__ = ["DeskHeader"]
