"""Verify by hand (v on the insurance worklist): what the payer's portal or phone
representative said, typed as it was said. A refusal keeps every field as typed and puts
the focus on the one at fault; a blank amount means the payer did not say."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from frontdesk import clock, eligibility
from frontdesk.eligibility import WorkItem
from frontdesk.errors import FrontdeskError
from frontdesk.text import one_line
from screens.actions import FORM, VERIFY_FORM, bindings
from screens.base import DeskModal, FormFields, db_work
from screens.widgets import KeyBar

__all__ = ["VerifyForm", "FIELDS", "ROWS"]

ROWS = (  # (id, label, width, placeholder) per field, one or two to a row
    (("active", "Active (y/n)", 5, ""),),
    (("office_copay", "Office copay", 11, "$"), ("specialist_copay", "Specialist", 11, "$")),
    (("deductible_total", "Deductible", 11, "$ total"),
     ("deductible_remaining", "remaining", 11, "$")),
    (("coinsurance", "Coinsurance", 11, "% patient"),),
    (("oop_max", "Out-of-pocket", 11, "$ max"), ("oop_remaining", "remaining", 11, "$")),
    (("reference", "Reference #", 14, ""), ("representative", "Told by", 18, "name or portal")),
)
"""The form as staff read a portal's page, top to bottom; Enter walks it in this order."""
FIELDS = tuple(field for row in ROWS for field in row)


class VerifyForm(FormFields, DeskModal[bool]):
    """Dismissed True when the verification is saved."""

    CSS_PATH = "verify.tcss"
    BINDINGS = [*bindings(VERIFY_FORM), *bindings(FORM)]
    AREA = "verify by hand"
    ACTIONS = VERIFY_FORM

    @dataclass
    class Answered(Message):
        refusal: str = ""
        field: str = ""

    def __init__(self, item: WorkItem) -> None:
        super().__init__()
        self.item = item
        self._saving = False

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical(id="form"):
            yield Static(Text.assemble(
                (one_line(item.patient), "bold"), f"  MRN {item.mrn}  ·  visit "
                f"{item.start:%a %m/%d} {clock.wall(item.start)}\n",
                f"{one_line(item.payer)} {item.plan_type} · member {one_line(item.member_id)}"),
                id="about")
            for row in ROWS:
                with Horizontal(classes="row"):
                    for index, field in enumerate(row):
                        yield from self._field(*field, second=index > 0)
            yield Label("", id="refusal")
            yield Static("⏎ next field, saves on the last · ^s saves · blank: not said",
                         id="form-hint")
        yield KeyBar()

    @staticmethod
    def _field(name: str, label: str, width: int, placeholder: str, *,
               second: bool = False) -> ComposeResult:
        yield Label(label, classes="second-label" if second else "label")
        field = Input(id=name, compact=True, max_length=80, placeholder=placeholder)
        field.styles.width = width
        yield field

    def on_mount(self) -> None:
        self.query_one("#form").border_title = "Verify by hand"
        self.query_one("#active", Input).focus()

    def action_save(self) -> None:
        self.submit()

    def action_close(self) -> None:
        self.dismiss(False)

    def submit(self) -> None:
        if self._saving:
            return
        self._saving = True
        values = {name: self.query_one(f"#{name}", Input).value for name, *_ in FIELDS}
        self.query_one("#refusal", Label).update("Saving…")
        self._save(self.item.coverage_id, values)

    @db_work(group="verify-form")
    def _save(self, coverage_id: int, values: dict[str, str]) -> None:
        try:
            eligibility.verify_by_hand(coverage_id, **values, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(str(error), error.field or ""))
        else:
            self.post_message(self.Answered())

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._saving = False
        if not message.refusal:
            self.dismiss(True)
            return
        self.query_one("#refusal", Label).update(message.refusal)
        found = self.query(f"#{message.field}") if message.field else None
        if found:
            found.first().focus()
