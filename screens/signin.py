"""Sign in: the first screen of a terminal, and the one after signing out."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from frontdesk import config, staff
from frontdesk.errors import FrontdeskError
from frontdesk.text import one_line
from screens.actions import FORM, bindings
from screens.base import DeskScreen, FormFields, db_work
from screens.widgets import DeskHeader, KeyBar

__all__ = ["SignInScreen"]


class SignInScreen(FormFields, DeskScreen):
    CSS_PATH = "signin.tcss"
    BINDINGS = bindings(FORM)
    AUTO_FOCUS = "#username"

    @dataclass
    class Answered(Message):
        """The sign-in worker finished: a person, or the refusal to show."""

        person: staff.Staff | None
        refusal: str = ""

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Center():
            with Vertical(id="box"):
                yield Static(one_line(config.current().clinic_name), id="title")
                yield Label("Username")
                yield Input(id="username", max_length=32, placeholder="your username")
                yield Label("Password")
                yield Input(id="password", password=True, max_length=200)
                yield Label("", id="refusal")
                yield Static("Enter signs in · Tab moves between fields", id="hint")
        yield KeyBar()

    def submit(self) -> None:
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        if not username.strip():
            self._refuse("Type your username.", focus="#username")
            return
        if not password:
            self._refuse("Type your password.", focus="#password")
            return
        self.query_one("#refusal", Label).update("Signing in…")
        self.query_one("#box").disabled = True
        self._sign_in(username, password)

    @db_work(group="sign-in")
    def _sign_in(self, username: str, password: str) -> None:
        try:
            person = staff.sign_in(username, password)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error)))
        else:
            self.post_message(self.Answered(person))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self.query_one("#box").disabled = False
        self.query_one("#password", Input).clear()  # never left in a widget, right or wrong
        if message.person is None:
            self._refuse(message.refusal, focus="#password")
            return
        self.query_one("#refusal", Label).update("")
        self.app.sign_in(message.person)

    def _refuse(self, text: str, *, focus: str) -> None:
        self.query_one("#refusal", Label).update(text)
        self.query_one(focus, Input).focus()
