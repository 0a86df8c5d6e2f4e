"""A new password, chosen by its owner: required after a reset, before any work."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from frontdesk import passwords, staff
from frontdesk.passwords import Secret
from frontdesk.errors import FrontdeskError
from frontdesk.text import one_line
from screens.actions import FORM, bindings
from screens.base import DeskModal, FormFields, db_work

__all__ = ["ChangePassword"]


class ChangePassword(FormFields, DeskModal[staff.Staff | None]):
    """Dismissed with the updated person, or None when staff give up (Esc)."""

    CSS_PATH = "password.tcss"
    AUTO_FOCUS = "#current"
    BINDINGS = [Binding("escape", "give_up", "Cancel", tooltip="Sign out instead"),
                *bindings(FORM)]

    @dataclass
    class Answered(Message):
        person: staff.Staff | None
        refusal: str = ""
        field: str = ""

    def __init__(self, person: staff.Staff) -> None:
        super().__init__()
        self.person = person

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="box"):
            yield Static(f"{one_line(self.person.name)}, choose a new password", id="title")
            yield Static(f"At least {passwords.MIN_LENGTH} characters; a few unrelated words "
                         "work well. No other rules.", id="rules")
            yield Label("Current (temporary) password")
            yield Input(id="current", password=True, max_length=200)
            yield Label("New password")
            yield Input(id="new", password=True, max_length=200)
            yield Label("New password again")
            yield Input(id="again", password=True, max_length=200)
            yield Label("", id="refusal")

    def submit(self) -> None:
        order = ["current", "new", "again"]
        current, new, again = (Secret(self.query_one(f"#{name}", Input).value)
                               for name in order)
        if new != again:
            self._refuse("The two new passwords differ; type them again.", "new")
            return
        self._save(current, new)

    @db_work(group="password")
    def _save(self, current: str, new: str) -> None:
        try:
            updated = staff.change_password(self.person, current, new)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error), error.field or "new"))
        else:
            self.post_message(self.Answered(updated))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.person is None:
            self._refuse(message.refusal, message.field)
        else:
            self.dismiss(message.person)

    def _refuse(self, text: str, field: str) -> None:
        for name in ("new", "again") + (("current",) if field == "current" else ()):
            self.query_one(f"#{name}", Input).clear()
        self.query_one("#refusal", Label).update(text)
        self.query_one(f"#{'current' if field == 'current' else 'new'}", Input).focus()

    def action_give_up(self) -> None:
        self.dismiss(None)

