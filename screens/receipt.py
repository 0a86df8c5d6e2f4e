"""Receipts and drawer close reports on screen, as they print: `p` prints them on the
receipt printer, `s` saves them as a PDF and says where, Esc closes.

What is shown is the text frontdesk.receipts and frontdesk.drawer lay out for the
printer, so what staff read is what the patient gets. A reprint comes from
receipts.reprint, which marks it REPRINT and records who reprinted it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Label, Static

from frontdesk import clock, config, drawer, payments, printouts, receipts
from frontdesk.errors import FrontdeskError
from frontdesk.staff import Staff
from frontdesk.text import clean, one_line
from screens.actions import PRINTOUT, bindings
from screens.base import DeskModal, db_work
from screens.widgets import KeyBar

__all__ = ["Sheet", "Printout", "receipt_sheet", "close_report_sheet"]


@dataclass(frozen=True)
class Sheet:
    """A printout read from the database, ready to show, print and save."""

    title: str
    text: str
    file_name: str
    """Without .pdf; the printouts folder makes it unique."""
    pdf: Callable[[], bytes]
    """Builds the PDF (in a worker: it reads the database)."""
    patient_id: int | None = None
    """Whose data the printout carries, for the audit of a saved copy."""
    printable: bool = True
    """Narrow enough for the receipt printer."""


def receipt_sheet(payment_id: int, *, reprint: bool, by: Staff) -> Sheet:
    paid = payments.payment(payment_id)
    text = (receipts.reprint(paid, by=by) if reprint
            else receipts.receipt_text(paid))
    kind = "Refund" if paid.amount_cents < 0 else "Receipt"
    return Sheet(f"{kind} #{paid.receipt_number}" + (" · reprint" if reprint else ""), text,
                 f"receipt-{paid.receipt_number}" + ("-reprint" if reprint else ""),
                 partial(receipts.receipt_pdf, paid.id, reprint=reprint), paid.patient_id)


def close_report_sheet(session_id: int, *, by: Staff) -> Sheet:
    found = drawer.session(session_id)
    day = clock.local(found.closed_at or found.opened_at).date()
    return Sheet(f"{one_line(found.drawer.name)} closed · report and deposit slip",
                 drawer.close_report_text(found),
                 f"drawer-close-{found.drawer.name}-{day.isoformat()}",
                 partial(drawer.close_report_pdf, found.id))


class Printout(DeskModal[None]):
    """`Printout(read)`: `read(by)` runs in a worker and returns the Sheet to show."""

    CSS_PATH = "receipt.tcss"
    BINDINGS = bindings(PRINTOUT)
    AREA = "printout"
    ACTIONS = PRINTOUT

    @dataclass
    class Loaded(Message):
        sheet: Sheet | None
        refusal: str = ""

    @dataclass
    class Done(Message):
        said: str
        failed: bool = False

    def __init__(self, read: Callable[[Staff], Sheet], *, title: str = "Receipt") -> None:
        super().__init__()
        self.read = read
        self.sheet: Sheet | None = None
        self._title = title
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="paper"):
            with VerticalScroll(id="scroll"):
                yield Static("Reading…", id="text")
            yield Label("", id="said")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#paper").border_title = self._title
        self.query_one("#scroll").focus()
        self._read()

    @db_work(group="printout")
    def _read(self) -> None:
        try:
            self.post_message(self.Loaded(self.read(by=self.app.signed_in)))
        except FrontdeskError as error:
            self.post_message(self.Loaded(None, str(error)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.sheet is None:
            self.query_one("#text", Static).update("")
            self._say(message.refusal, failed=True)
            return
        self.sheet = message.sheet
        self.query_one("#paper").border_title = one_line(self.sheet.title)
        # Printed text is drawn literally: names with [brackets] are not markup.
        self.query_one("#text", Static).update(Text(clean(self.sheet.text, keep_newlines=True)))
        self.refresh_bindings()

    def _say(self, text: str, *, failed: bool = False) -> None:
        said = self.query_one("#said", Label)
        said.update(text)
        said.set_class(failed, "error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print":
            if self.sheet is not None and not self.sheet.printable:
                return False
            return None if self.sheet is None or self._busy else True
        if action == "save_pdf":
            return None if self.sheet is None or self._busy else True
        return True

    def action_print(self) -> None:
        if self.sheet is None or self._busy:
            return
        printer = config.current().receipt_printer
        if not printer:
            # Said at once, not after a worker: nothing is sent anywhere.
            self._say("No receipt printer is set up (receipt_printer in the configuration); "
                      "s saves a PDF instead.", failed=True)
            return
        self._busy = True
        self._say(f"Sending to {one_line(printer)}…")
        self.refresh_bindings()
        self._print(self.sheet.text, printer)

    @db_work(group="printout-print")
    def _print(self, text: str, printer: str) -> None:
        try:
            receipts.print_text(text, printer)
        except FrontdeskError as error:
            self.post_message(self.Done(str(error), failed=True))
        else:
            self.post_message(self.Done(f"Sent to the printer {one_line(printer)}."))

    def action_save_pdf(self) -> None:
        if self.sheet is None or self._busy:
            return
        self._busy = True
        self._say("Saving…")
        self.refresh_bindings()
        self._save(self.sheet)

    @db_work(group="printout-save")
    def _save(self, sheet: Sheet) -> None:
        try:
            written = printouts.save(sheet.file_name, sheet.pdf(), by=self.app.signed_in,
                                     patient=sheet.patient_id)
        except FrontdeskError as error:
            self.post_message(self.Done(str(error), failed=True))
        else:
            self.post_message(self.Done(f"Saved as {written}"))

    @on(Done)
    def _done(self, message: Done) -> None:
        self._busy = False
        self._say(message.said, failed=message.failed)
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(None)
