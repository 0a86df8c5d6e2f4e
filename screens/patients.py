"""Patients (F3): find anyone from one box as you type, open them, or register someone new."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Input, Static

from frontdesk import clock, patients, telephone
from frontdesk.dates import short
from frontdesk.lookup import Hit
from frontdesk.patients import Draft
from frontdesk.text import one_line
from screens.actions import PATIENTS, bindings
from screens.base import DeskScreen
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.patient_picker import PatientPicker

__all__ = ["PatientsScreen"]

PAUSE = 0.12
"""Seconds of no typing before the search runs: a fast typist's word is searched once."""

LIMIT = 50

_HINT = "Type to search: smith jo · 3/4/1980 · 555-0142 · 0142 · an MRN"

COLUMNS = (("Patient", 23), ("Born (age)", 15), ("Phone", 14), ("Next", 5), ("", 10))
"""Fits 80 columns: the MRN and the full flags are on the line under the list."""

_FLAG_STYLE = {"deceased": "bold red", "inactive": "dim", "balance due": "yellow",
               "forms missing": "cyan"}
_FLAG_WORD = {"deceased": "deceased", "inactive": "inactive", "balance due": "owes",
              "forms missing": "forms"}


def _flags(hit: Hit) -> Text:
    text = Text()
    for flag in hit.flags:
        if text:
            text.append(" ")
        text.append(_FLAG_WORD[flag], style=_FLAG_STYLE[flag])
    return text


def _next(hit: Hit) -> str:
    """Today's time, a day this year as 12/18, a later one in full."""
    if hit.next_visit is None:
        return ""
    local = clock.local(hit.next_visit)
    if local.date() == clock.today():
        return clock.wall(hit.next_visit)
    if (local.date() - clock.today()).days < 300:
        return local.strftime("%m/%d")
    return short(local.date())


def _row(hit: Hit) -> tuple[Text, ...]:
    name = Text(one_line(hit.filed_name), style="dim" if hit.deceased or not hit.active else "",
                overflow="ellipsis", no_wrap=True)
    born = f"{short(hit.dob)} ({patients.age(hit.dob, clock.today())})"
    phone = telephone.display(hit.phones[0][1]) if hit.phones else ""
    return (name, Text(born), Text(phone), Text(_next(hit)), _flags(hit))


def _about(hit: Hit) -> Text:
    """The line under the list: what the highlighted row holds in full."""
    text = Text(f"MRN {hit.mrn}", style="bold")
    text.append(f" · {one_line(hit.first_name)} {one_line(hit.middle_name)} "
                f"{one_line(hit.last_name)}".replace("  ", " "))
    if hit.balance_cents > 0:
        text.append(f" · owes ${hit.balance_cents // 100:,}.{hit.balance_cents % 100:02d}",
                    style="yellow")
    if hit.forms_due:
        text.append(f" · {len(hit.forms_due)} form{'s' if len(hit.forms_due) > 1 else ''} due",
                    style="cyan")
    for flag in ("deceased", "inactive"):
        if flag in hit.flags:
            text.append(f" · {flag}", style=_FLAG_STYLE[flag])
    return text


class PatientsScreen(DeskScreen):
    CSS_PATH = "patients.tcss"
    BINDINGS = bindings(PATIENTS)
    COMMANDS = {ScreenActions}
    AREA = "patients"
    ACTIONS = PATIENTS
    AUTO_FOCUS = "#query"

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        table = DataTable(id="results", cursor_type="row", zebra_stripes=True)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield PatientPicker(
            Input(id="query", max_length=100,
                  placeholder="name, birth date, phone, last four or MRN"),
            table, show=_row, limit=LIMIT, pause=PAUSE,
            between=[Static(_HINT, id="status")])
        yield Static("", id="about")
        yield KeyBar()

    @property
    def hits(self) -> list[Hit]:
        return self.query_one(PatientPicker).hits

    @on(PatientPicker.Found)
    def _show(self, message: PatientPicker.Found) -> None:
        status = self.query_one("#status", Static)
        if not message.query.strip():
            status.update(_HINT)
        elif not message.hits:
            status.update(f"Nobody fits \"{one_line(message.query)}\". "
                          "Ctrl+N registers a new patient.")
        else:
            more = " (the best 50; type more to narrow)" if len(message.hits) == LIMIT else ""
            status.update(f"{len(message.hits)} found{more}, best match first · "
                          "↓ to the list, ⏎ opens")
        self._about_row()
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#results")
    def _about_row(self) -> None:
        hit = self._chosen()
        self.query_one("#about", Static).update(_about(hit) if hit else "")

    # -- keys ---------------------------------------------------------------------------

    def _chosen(self) -> Hit | None:
        return self.query_one(PatientPicker).highlighted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return True if self._chosen() is not None else None
        return True

    def action_open(self) -> None:
        hit = self._chosen()
        if hit is not None:
            self.open_patient(hit.patient_id)

    def open_patient(self, patient_id: int) -> None:
        from screens.patient import PatientScreen

        self.app.push_screen(PatientScreen(patient_id))

    def action_register(self) -> None:
        from screens.register import open_registration

        open_registration(self, _draft_from(self.query_one("#query", Input).value))

    def action_clear(self) -> None:
        query = self.query_one("#query", Input)
        query.value = ""
        query.focus()


def _draft_from(typed: str) -> Draft:
    """What was searched for, as the start of a registration: "smith, john" or "smith
    john" gives the names (last first, as the desk files them), a birth date the birth
    date, a phone the mobile."""
    from frontdesk.lookup import understand

    query = understand(typed)
    words = [w for w in typed.replace(",", " ").split()
             if not any(ch.isdigit() for ch in w)]
    first = last = ""
    if len(words) >= 2:  # the desk files and searches last name first: "smith john"
        last, first = words[0], words[-1]
    elif words:
        last = words[0]
    return Draft(first_name=first.title() if first.islower() else first,
                 last_name=last.title() if last.islower() else last,
                 dob=short(query.dob) if query.dob else "",
                 phones={"mobile": telephone.display(query.phone)} if query.phone else {})
