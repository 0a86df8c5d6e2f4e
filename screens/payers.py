"""The payer list (`p` on a patient's coverages): who the clinic bills, and the payer
IDs its clearinghouse knows them by. Everyone may look; managers and administrators
add, rename, change IDs, deactivate (a payer is never deleted: coverages name it),
and load the payers shipped in data/payers.csv that the list lacks."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static

from frontdesk import insurance
from frontdesk.changes import Change
from frontdesk.errors import FrontdeskError
from frontdesk.insurance import Payer
from frontdesk.roles import Permission, allowed
from frontdesk.text import one_line
from screens.actions import FORM, PAYER_FORM, PAYERS, bindings
from screens.base import DeskModal, DeskScreen, FormFields, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["PayersScreen", "PayerForm"]


class PayersScreen(DeskScreen):
    CSS_PATH = "payers.tcss"
    BINDINGS = bindings(PAYERS)
    COMMANDS = {ScreenActions}
    AREA = "payers"
    ACTIONS = PAYERS

    @dataclass
    class Loaded(Message):
        payers: list[Payer]

    @dataclass
    class Changed(Message):
        said: str
        refusal: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.payers: list[Payer] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Payers: who the clinic bills, and their payer IDs", id="title")
        table = DataTable(id="payers", cursor_type="row", zebra_stripes=True)
        for label, width in (("Payer", 34), ("Payer ID", 9), ("Plans", 20), ("", 6)):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="about")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @db_work(group="payers")
    def _load(self) -> None:
        self.post_message(self.Loaded(insurance.payers()))

    def refresh_day(self, changes: list[Change]) -> None:
        if any(change.topic == "payer" for change in changes):
            self._load()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        keep = self.current.id if self.current else None
        table.clear()
        self.payers = message.payers
        for p in self.payers:
            style = "" if p.active else "dim"
            table.add_row(Text(one_line(p.name), style=style, overflow="ellipsis", no_wrap=True),
                          Text(one_line(p.payer_id) or "—", style=style),
                          Text(one_line(p.plan_types), style=style, overflow="ellipsis",
                               no_wrap=True),
                          Text("" if p.active else "off", style="dim"), key=str(p.id))
        if self.payers:
            row = next((i for i, p in enumerate(self.payers) if p.id == keep), 0)
            table.move_cursor(row=row, animate=False)
        self._about_row()

    @property
    def current(self) -> Payer | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self.payers)

    @on(DataTable.RowHighlighted)
    def _about_row(self) -> None:
        about = self.query_one("#about", Static)
        if not self.payers:
            about.update(Text("No payers yet: l loads the list shipped with frontdesk.",
                              style="yellow"))
        elif not allowed(self.app.signed_in, Permission.EDIT_SETUP):
            about.update(Text("A manager or administrator changes this list.", style="dim"))
        elif self.current is not None and not self.current.active:
            about.update("Deactivated: no new coverages with it; d brings it back.")
        else:
            about.update("")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "edit", "toggle_active", "load"):
            if not allowed(self.app.signed_in, Permission.EDIT_SETUP):
                return False
            if action in ("edit", "toggle_active"):
                return None if self.current is None else True
        return True

    def action_add(self) -> None:
        self.app.push_screen(PayerForm(None), self._saved)

    def action_edit(self) -> None:
        if self.current is not None:
            self.app.push_screen(PayerForm(self.current), self._saved)

    def _saved(self, saved: bool | None) -> None:
        if saved:
            self.notify("Payer saved.", timeout=3)
            self._load()

    def action_toggle_active(self) -> None:
        if self.current is not None:
            self._toggle(self.current)

    @db_work(group="payers-change")
    def _toggle(self, payer: Payer) -> None:
        try:
            done = insurance.set_payer_active(payer, not payer.active, version=payer.version,
                                              by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Changed("", str(error)))
        else:
            now = "is back on the list" if done.active else "deactivated"
            self.post_message(self.Changed(f"{one_line(done.name)} {now}."))

    def action_load(self) -> None:
        self._load_shipped()

    @db_work(group="payers-change")
    def _load_shipped(self) -> None:
        try:
            added = insurance.load_payers(by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Changed("", str(error)))
        else:
            self.post_message(self.Changed(
                f"{len(added)} payers added from the shipped list." if added
                else "Every shipped payer is already listed."))

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        if message.refusal:
            self.notify(message.refusal, severity="error", timeout=8)
        else:
            self.notify(message.said, timeout=4)
        self._load()

    def action_close(self) -> None:
        self.dismiss()


class PayerForm(FormFields, DeskModal[bool]):
    """Add a payer (`payer` None) or change one; dismissed True when saved."""

    CSS_PATH = "payers.tcss"
    BINDINGS = [*bindings(PAYER_FORM), *bindings(FORM)]
    AREA = "payer"
    ACTIONS = PAYER_FORM

    @dataclass
    class Answered(Message):
        refusal: str = ""
        field: str = ""

    def __init__(self, payer: Payer | None) -> None:
        super().__init__()
        self.payer = payer

    def compose(self) -> ComposeResult:
        p = self.payer
        with Vertical(id="form"):
            with Horizontal(classes="row"):
                yield Label("Name", classes="label")
                yield Input(p.name if p else "", id="name", compact=True, max_length=80)
            with Horizontal(classes="row"):
                yield Label("Payer ID", classes="label")
                yield Input(p.payer_id if p else "", id="payer_id", compact=True, max_length=20,
                            placeholder="as the clearinghouse lists it")
            with Horizontal(classes="row"):
                yield Label("Plans", classes="label")
                yield Input(p.plan_types if p else "", id="plan_types", compact=True,
                            max_length=80, placeholder="HMO, PPO, Medicare Advantage…")
            yield Label("", id="refusal")
            yield Static("⏎ next field, on the last saves · ^s saves", id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#form").border_title = (f"Payer · {one_line(self.payer.name)}"
                                                if self.payer else "Add a payer")
        self.query_one("#name", Input).focus()

    def action_save(self) -> None:
        self.submit()

    def submit(self) -> None:
        values = {field: self.query_one(f"#{field}", Input).value
                  for field in ("name", "payer_id", "plan_types")}
        self.query_one("#refusal", Label).update("Saving…")
        self._save(values)

    @db_work(group="payer-form")
    def _save(self, values: dict[str, str]) -> None:
        try:
            if self.payer is None:
                insurance.add_payer(values["name"], values["payer_id"],
                                    plan_types=values["plan_types"], by=self.app.signed_in)
            else:
                insurance.update_payer(self.payer, **values, version=self.payer.version,
                                       by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(str(error), error.field or ""))
        else:
            self.post_message(self.Answered())

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if not message.refusal:
            self.dismiss(True)
            return
        self.query_one("#refusal", Label).update(message.refusal)
        if message.field and self.query(f"#{message.field}"):
            self.query_one(f"#{message.field}").focus()

    def action_close(self) -> None:
        self.dismiss(False)
