"""The audit report: who looked at a patient, or what one staff member did.

For managers and administrators (the domain refuses anyone else, and this screen
shows that refusal). Type an MRN or a username, optionally the first and last
day, and press enter; the events come back newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import Worker, WorkerState

from frontdesk import audit, clock
from frontdesk.dates import describe, parse_date, short
from frontdesk.errors import FrontdeskError, InvalidInput
from frontdesk.text import one_line
from screens.actions import AUDIT, bindings
from screens.base import DeskScreen, db_work
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar

__all__ = ["AuditScreen", "Criteria"]

LIMIT = 500
"""The newest events one screenful of report holds; narrower days show older ones."""

_FIELDS = {"mrn": "who", "username": "who", "start": "from"}
"""Where the fields the domain names in a refusal are on this form."""

HINT = "Type an MRN or a username, and the days if you like; enter runs the report."


@dataclass(frozen=True)
class Criteria:
    """What staff asked for, read from the form."""

    mrn: str | None
    username: str | None
    start: date | None
    end: date | None

    @property
    def whose(self) -> str:
        return f"MRN {self.mrn}" if self.mrn else f"username {self.username}"

    @property
    def days(self) -> str:
        """The days as nobody can misread them."""
        if self.start and self.end:
            return f"{describe(self.start)} to {describe(self.end)}"
        if self.start:
            return f"from {describe(self.start)}"
        return f"up to {describe(self.end)}" if self.end else "all days"


def _day(typed: str, label: str, field: str) -> date | None:
    if not typed.strip():
        return None
    try:
        return parse_date(typed, today=clock.today())
    except InvalidInput as error:
        raise InvalidInput(f"{label}: {error}", field=field) from None


def read_form(who: str, start: str, end: str) -> Criteria:
    """The form as criteria, or `InvalidInput` naming the field to fix.

    All digits is an MRN (the clinic hands out numbers); anything else a username.
    """
    who = who.strip()
    if not who:
        raise InvalidInput("Type a patient's MRN or a staff member's username.", field="who")
    mrn, username = (who, None) if who.isdigit() else (None, who.lower())
    return Criteria(mrn, username, _day(start, "From", "from"), _day(end, "To", "to"))


_COLUMNS = {  # key: (label, width); None takes what is left
    "when": ("When", 16), "who": ("Who", 16), "what": ("What", 24),
    "patient": ("Patient", 24), "detail": ("Detail", None),
}


def _columns(criteria: Criteria) -> tuple[str, ...]:
    """The report's columns, less the one that would say the same thing on every row.

    Five columns do not fit 80 wide; a patient's report names the patient in its
    title, a staff member's report names the person there.
    """
    same = "patient" if criteria.mrn else "who"
    return tuple(key for key in _COLUMNS if key != same)


def _event_line(row: audit.ReportRow) -> str:
    """What the narrow Detail column cuts short, in full, for the event under the cursor."""
    return one_line(" · ".join(part for part in (row.subject, row.detail) if part))


def _cells(row: audit.ReportRow, columns: tuple[str, ...]) -> list[str | Text]:
    # Text, not str: a str cell is read as markup, and these come from the database.
    values = {
        "when": f"{short(row.at.date())} {row.at:%H:%M}",
        "who": Text(one_line(row.staff)),
        "what": row.action,
        "patient": Text(one_line(f"{row.patient} ({row.mrn})" if row.mrn else "")),
        "detail": Text(_event_line(row)),
    }
    return [values[key] for key in columns]


def _title(criteria: Criteria, rows: list[audit.ReportRow]) -> str:
    if criteria.mrn:
        name = rows[0].patient if rows else ""
    else:
        name = next((r.staff for r in rows if r.username == criteria.username), "")
    return one_line(f"Audit report · {criteria.whose}" + (f" · {name}" if name else ""))


class AuditScreen(DeskScreen):
    CSS_PATH = "audit.tcss"
    BINDINGS = bindings(AUDIT)
    COMMANDS = {ScreenActions}
    AREA = "audit"
    ACTIONS = AUDIT

    @dataclass
    class Loaded(Message):
        criteria: Criteria
        rows: list[audit.ReportRow]

    def __init__(self) -> None:
        super().__init__()
        self._asked: Criteria | None = None
        """The newest criteria sent to the database; an older answer is not drawn."""
        self._rows: dict[str, audit.ReportRow] = {}
        """The events on screen by row key, for the line that shows one in full."""

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Audit report", id="title")
        with Horizontal(id="form"):
            yield Input(id="who", placeholder="MRN or username", max_length=32)
            yield Input(id="from", placeholder="3/4, 11/1/2026…", max_length=40)
            yield Input(id="to", placeholder="today, yesterday…", max_length=40)
        yield Label(HINT, id="message")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Static("", id="event")
        yield KeyBar()

    def on_mount(self) -> None:
        for field_id, title in (("who", "MRN or username"), ("from", "From"), ("to", "To")):
            self.query_one(f"#{field_id}", Input).border_title = title
        self._set_columns(tuple(_COLUMNS))
        self.query_one("#who", Input).focus()

    def _set_columns(self, columns: tuple[str, ...]) -> None:
        table = self.query_one("#results", DataTable)
        table.clear(columns=True)
        for key in columns:
            label, width = _COLUMNS[key]
            table.add_column(label, width=width, key=key)

    # -- running the report -----------------------------------------------------------

    def action_run(self) -> None:
        if self.app.signed_in is None:
            # A screen left over from a sign-out: say so (the domain would refuse too).
            self._say("Sign in to read the audit trail.", error=True)
            return
        try:
            criteria = read_form(*(self.query_one(f"#{name}", Input).value
                                   for name in ("who", "from", "to")))
        except InvalidInput as error:
            self._say(str(error), error=True, field=error.field)
            return
        self._asked = criteria
        self._say(f"Looking up {criteria.whose}, {criteria.days}…")
        self._load(self.app.signed_in, criteria)

    @db_work(group="audit")
    def _load(self, person, criteria: Criteria) -> None:
        rows = audit.report(by=person, patient_mrn=criteria.mrn,
                            staff_username=criteria.username, start=criteria.start,
                            end=criteria.end, limit=LIMIT)
        self.post_message(self.Loaded(criteria, rows))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        if message.criteria != self._asked:
            return  # staff have asked for something else since
        criteria, count = message.criteria, len(message.rows)
        columns = _columns(criteria)
        self._set_columns(columns)
        self._rows = {str(row.id): row for row in message.rows}
        table = self.query_one("#results", DataTable)
        for row in message.rows:
            table.add_row(*_cells(row, columns), key=str(row.id))
        if count == LIMIT:
            self._say(f"{criteria.days}: the newest {LIMIT} events (narrow the days for "
                      "older).")
        else:
            self._say(f"{criteria.days}: {count} events, newest first.")
        self._show_event(table.cursor_row)
        self.query_one("#title", Static).update(Text(_title(criteria, message.rows)))
        if count:
            table.focus()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_event(event.cursor_row)

    def _show_event(self, index: int) -> None:
        """The event under the cursor in full, on the line below the table."""
        table = self.query_one("#results", DataTable)
        row = None
        if 0 <= index < table.row_count:
            row = self._rows.get(table.coordinate_to_cell_key((index, 0)).row_key.value)
        self.query_one("#event", Static).update(Text(_event_line(row) if row else ""))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)  # the notice staff see either way
        error = event.worker.error if event.state is WorkerState.ERROR else None
        if isinstance(error, FrontdeskError):
            # Kept on the screen too: the notice fades, the reason should not. The
            # rows of an earlier report go, so they cannot pass for this one's.
            self.query_one("#results", DataTable).clear()
            self._rows = {}
            self._show_event(-1)
            self.query_one("#title", Static).update("Audit report")
            self._say(str(error), error=True, field=_FIELDS.get(error.field or ""))

    def _say(self, text: str, *, error: bool = False, field: str | None = None) -> None:
        label = self.query_one("#message", Label)
        label.update(Text(one_line(text)))  # it can hold what was typed: never markup
        label.set_class(error, "error")
        if field:
            self.query_one(f"#{field}", Input).focus()

    def action_close(self) -> None:
        # Pushed over another screen, go back to it; as an area of its own (a mode),
        # go back to the schedule, since a mode's last screen cannot be popped.
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)
        else:
            self.app.switch_mode("schedule")
