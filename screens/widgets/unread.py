"""The unread count in the header: how many phone messages to me or my departments
nobody has opened yet ("✉ 3 new"; nothing when there are none).

Every header of every screen draws from one count per person, kept on the app and
published on `unread_signal(app)`; a count is loaded when the first header appears
and again whenever the change feed says a message changed (`refresh_unread`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App
from textual.message import Message
from textual.signal import Signal
from textual.widgets import Label

from frontdesk import messages
from screens.base import db_work

__all__ = ["UnreadCount", "unread_signal", "refresh_unread"]


def unread_signal(app: App) -> Signal:
    signal = app.__dict__.get("_unread_signal")
    if signal is None:
        signal = app.__dict__["_unread_signal"] = Signal(app, "unread")
    return signal


def _counts(app: App) -> dict[int, int]:
    return app.__dict__.setdefault("_unread_counts", {})


def refresh_unread(app: App) -> None:
    """Count again (a message changed somewhere): the top-most header does it for all."""
    _counts(app).clear()  # others' counts, kept while they are signed out, are old now too
    for screen in reversed(app.screen_stack):
        found = screen.query(UnreadCount)
        if found:
            found.first().load()
            return


class UnreadCount(Label):
    DEFAULT_CSS = """
    UnreadCount { width: auto; height: 1; padding: 0 1; text-style: bold; color: $warning; }
    UnreadCount.-none { display: none; }
    """

    @dataclass
    class Counted(Message):
        staff_id: int
        count: int

    def on_mount(self) -> None:
        self.add_class("-none")
        unread_signal(self.app).subscribe(self, self._draw)
        person = self.app.signed_in
        if person.id in _counts(self.app):
            self._draw((person.id, _counts(self.app)[person.id]))
        else:
            self.load()

    def on_unmount(self) -> None:
        unread_signal(self.app).unsubscribe(self)

    @db_work(group="unread")
    def load(self) -> None:
        person = self.app.signed_in
        if person is None:
            return
        try:
            count = messages.unread_count(person)
        except Exception as error:  # the next change tries again; staff need no notice
            self.log.warning(f"unread count failed: {error!r}")
            return
        self.post_message(self.Counted(person.id, count))

    def on_unread_count_counted(self, message: Counted) -> None:
        _counts(self.app)[message.staff_id] = message.count
        unread_signal(self.app).publish((message.staff_id, message.count))

    def _draw(self, counted: tuple[int, int]) -> None:
        staff_id, count = counted
        person = self.app.signed_in
        if person is None or person.id != staff_id:
            return
        self.update(f"✉ {count} new")
        self.set_class(count == 0, "-none")
