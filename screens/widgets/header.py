"""The top of every screen: clinic, date and time, who is signed in; under it, once
someone is signed in, the phone lines (screens.widgets.phonebar)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from frontdesk import clock, config
from frontdesk.text import one_line
from screens.widgets.phonebar import PhoneBar
from screens.widgets.unread import UnreadCount

__all__ = ["DeskHeader"]


class DeskHeader(Horizontal):
    DEFAULT_CSS = """
    DeskHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    DeskHeader > Label { height: 1; padding: 0 1; }
    DeskHeader > #clinic { width: 1fr; text-style: bold; }
    DeskHeader > #now { width: auto; color: $text-muted; }
    DeskHeader > #person { width: auto; }
    DeskHeader.-phones { height: 2; }
    """

    def __init__(self, *, show_person: bool = True) -> None:
        super().__init__()
        self._show_person = show_person
        """False on screens that must not say who is at the desk (the lock)."""

    def compose(self) -> ComposeResult:
        yield Label(one_line(config.current().clinic_name), id="clinic")
        yield Label(id="now")
        yield Label(id="person")
        # Not on the sign-in or lock screens: who is calling is patient data.
        if self._show_person and getattr(self.app, "signed_in", None) is not None:
            self.add_class("-phones")
            yield UnreadCount()
            yield PhoneBar()

    def on_mount(self) -> None:
        person = getattr(self.app, "signed_in", None)
        if person is not None and self._show_person:
            self.query_one("#person", Label).update(f"{one_line(person.name)} · {person.role_label}")
        self._tick()
        self.set_interval(15, self._tick)  # minutes are what staff read; 15 s keeps it honest

    def _tick(self) -> None:
        now = clock.local(clock.now())
        self.query_one("#now", Label).update(f"{now:%a, %b} {now.day}, {now.year}  {clock.wall(now)}")
