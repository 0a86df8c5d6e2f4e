"""The locked terminal: nothing of anyone's work shows until someone proves who they are.

The lock sits on top of the person's screens, which stay exactly as they were
(half-typed forms included). The same person unlocks with their password;
anyone else may sign in instead, and the first person's work waits, unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from frontdesk import clock, staff
from frontdesk.errors import FrontdeskError
from frontdesk.passwords import Secret
from frontdesk.text import one_line
from screens.actions import FORM, bindings
from screens.base import DeskScreen, FormFields, db_work
from screens.widgets import DeskHeader

__all__ = ["LockScreen"]


class LockScreen(FormFields, DeskScreen):
    """Covers the whole terminal; only sign-in fields, no patient data, no keys but these."""

    CSS_PATH = "lock.tcss"
    AUTO_FOCUS = "#password"
    BINDINGS = bindings(FORM)

    @dataclass
    class Answered(Message):
        person: staff.Staff | None
        refusal: str = ""

    def __init__(self, person: staff.Staff) -> None:
        super().__init__()
        self.person = person
        self.locked_at = clock.now()

    def compose(self) -> ComposeResult:
        yield DeskHeader(show_person=False)
        with Center():
            with Vertical(id="box"):
                yield Static("Locked", id="title")
                yield Static(f"{one_line(self.person.name)} locked this terminal at "
                             f"{clock.wall(self.locked_at)}. Their work is kept as it was.",
                             id="who")
                yield Label("Username")
                yield Input(self.person.username, id="username", max_length=32)
                yield Label("Password")
                yield Input(id="password", password=True, max_length=200)
                yield Label("", id="refusal")
                yield Static("Enter unlocks. Someone else: type your own username.",
                             id="hint")

    def submit(self) -> None:
        password = Secret(self.query_one("#password", Input).value)
        self.query_one("#password", Input).clear()  # never left in a widget
        if not password:
            return
        self.query_one("#refusal", Label).update("Checking…")
        self._check(self.query_one("#username", Input).value, password)

    @db_work(group="unlock")
    def _check(self, username: str, password: Secret) -> None:
        try:
            person = staff.sign_in(username, password)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error)))
        else:
            if person.id == self.person.id:
                staff.screen_unlocked(person)
            self.post_message(self.Answered(person))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.person is None:
            self.query_one("#refusal", Label).update(message.refusal)
            self.query_one("#password", Input).focus()
            return
        self.query_one("#refusal", Label).update("")
        self.app.sign_in(message.person)
