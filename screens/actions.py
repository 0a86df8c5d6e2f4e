"""The one registry of what staff can do by key.

Screens build their BINDINGS from here, the command palette lists the same
entries, and F1 help reads the bindings the screen has in force, so a key and its
palette entry cannot drift apart. Every entry has a stable dotted id: staff remap
keys in config.toml under [keys] ("schedule.next_day" = "n"), applied with
`App.set_keymap`.

Keys must arrive over SSH from PuTTY, xterm and the Linux console: F-keys,
plain letters, alt+letter. Never alt+digit, ctrl+h/i/j/m or ctrl+[ (see
DESIGN.md); tests/test_keys.py feeds each binding's raw bytes through
Textual's parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

__all__ = ["Action", "GLOBAL", "SCHEDULE", "STAFF", "PATIENTS", "FORM", "DETAIL", "AUDIT", "bindings", "ALL",
           "by_id", "wire_problem", "CHART_PREP", "SIGN_FORMS", "PATIENT", "REGISTER",
           "DUPLICATES", "CHECK_IN", "CHECK_OUT", "WAITING", "ROOM"]


@dataclass(frozen=True)
class Action:
    id: str
    """Stable dotted id: what config.toml's [keys] table names."""
    keys: str
    """Default keys, comma-separated, in Textual's key names."""
    action: str
    """The action method run, without its `action_` prefix."""
    description: str
    """Short label for the footer."""
    help: str
    """One line for F1 help, the palette and the footer's tooltip."""
    show: bool = True
    """Shown in the footer (F1 help lists every action either way)."""
    palette: bool = True
    """Offered in the command palette."""
    key_display: str | None = None

    priority: bool = False
    """Taken before the focused widget's own binding for the same key."""

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show,
                       key_display=self.key_display, priority=self.priority, tooltip=self.help,
                       id=self.id)


GLOBAL = (
    Action("app.help", "f1", "help", "Help", "Show every key of this screen"),
    Action("app.schedule", "f2", "go('schedule')", "Schedule", "Go to the day's schedule"),
    Action("app.patients", "f3", "go('patients')", "Patients",
           "Find a patient by name, birth date, phone or MRN, or register one"),
    Action("app.waiting", "f4", "go('waiting')", "Waiting",
           "The waiting room: today's arrived patients, how long each has waited"),
    Action("app.staff", "f10", "go('staff')", "Staff",
           "Staff accounts: add, deactivate, reset passwords, change roles"),
    # Priority: it must work over any dialog and inside any field.
    Action("app.lock", "ctrl+l", "lock", "Lock", "Lock the screen now, when stepping away",
           key_display="^l", priority=True),
    Action("app.palette", "ctrl+p", "command_palette", "Commands",
           "Search commands and actions", show=False, palette=False, key_display="^p"),
    Action("app.sign_out", "f12", "sign_out", "Sign out",
           "Sign out and leave the terminal at the sign-in screen", show=False),
    Action("app.quit", "ctrl+q", "quit", "Quit", "Close frontdesk", show=False,
           key_display="^q"),
)

SCHEDULE = (
    # Priority: the grid's own enter would otherwise hide "Open" from the footer.
    Action("schedule.open", "enter", "open", "Open", "Open the appointment under the cursor",
           priority=True),
    Action("schedule.previous_day", "left_square_bracket", "previous_day", "Prev day",
           "Go to the previous day", key_display="["),
    Action("schedule.next_day", "right_square_bracket", "next_day", "Next day",
           "Go to the next day", key_display="]"),
    Action("schedule.today", "t", "today", "Today", "Go to today"),
    Action("schedule.go_to", "g", "go_to", "Go to", "Go to a date typed as 3/4, 12/1/2026, "
           "tomorrow or next tue"),
    Action("schedule.list", "l", "toggle_list", "List",
           "Switch between the provider grid and a list of the whole day"),
    Action("schedule.left", "h", "cursor('left')", "Left", "Move to the provider on the left",
           show=False, palette=False),
    Action("schedule.down", "j", "cursor('down')", "Down", "Move down one slot",
           show=False, palette=False),
    Action("schedule.up", "k", "cursor('up')", "Up", "Move up one slot",
           show=False, palette=False),
    Action("schedule.previous_providers", "less_than_sign", "page_providers(-1)", "Prev providers",
           "Show the previous page of providers", show=False, key_display="<"),
    Action("schedule.next_providers", "greater_than_sign", "page_providers(1)", "More providers",
           "Show the next page of providers", show=False, key_display=">"),
    Action("schedule.chart_prep", "c", "chart_prep", "Chart prep",
           "Chart prep for the day shown: forms due, demographics, insurance"),
    Action("schedule.check_in", "a", "check_in", "Check in",
           "Check in the patient of the appointment under the cursor"),
    Action("schedule.check_out", "o", "check_out", "Check out",
           "Check out the patient under the cursor and offer the next visit"),
)

STAFF = (
    Action("staff.add", "a", "add", "Add", "Add a staff member with a temporary password"),
    Action("staff.reset", "p", "reset_password", "Reset password",
           "Give the person under the cursor a temporary password"),
    Action("staff.role", "r", "change_role", "Role", "Change the person's role"),
    Action("staff.deactivate", "d", "deactivate", "Deactivate",
           "Stop this account signing in (it is kept, never deleted)"),
    Action("staff.reactivate", "v", "reactivate", "Reactivate", "Let this account sign in again"),
    Action("staff.audit", "u", "audit", "Audit",
           "The audit report: who looked at a patient, or what someone looked at"),
)

PATIENTS = (
    # Priority: the box and the list would otherwise take enter for themselves.
    Action("patients.open", "enter", "open", "Open", "Open the patient under the cursor",
           priority=True),
    Action("patients.register", "ctrl+n", "register", "New patient",
           "Register a new patient, starting from what was typed", key_display="^n"),
    Action("patients.clear", "escape", "clear", "Clear", "Clear the search box"),
)

FORM = (
    # Priority, and moving focus at once: a fast typist's next characters must land
    # in the next field, never after a password in the username box.
    Action("form.next", "enter", "next_field", "Next",
           "Go to the next field; on the last one, send the form", show=False,
           palette=False, priority=True),
)

DETAIL = (
    Action("detail.close", "escape", "close", "Close", "Close the appointment"),
)

AUDIT = (
    # Priority: each field's own enter would otherwise hide "Run" from the key bar.
    Action("audit.run", "enter", "run", "Run",
           "Run the report for the MRN or username and the days typed", priority=True),
    Action("audit.close", "escape", "close", "Close", "Close the audit report"),
)

CHART_PREP = (
    # Priority: the table's own enter would otherwise hide "Open" from the key bar.
    Action("chart_prep.open", "enter", "open", "Open", "Open the appointment under the cursor",
           priority=True),
    Action("chart_prep.sign", "s", "sign", "Forms signed",
           "Record intake forms the patient has signed"),
    Action("chart_prep.verify", "v", "verify", "Verified",
           "The patient has confirmed their demographics"),
    Action("chart_prep.next", "n,j", "next_gap", "Next",
           "Go to the next appointment that still needs something", key_display="n"),
    Action("chart_prep.close", "escape", "close", "Close", "Close chart prep"),
)

SIGN_FORMS = (
    # One key per form, its first letter; shown beside each form in the dialog.
    Action("sign_forms.registration", "r", "sign('registration')", "Registration",
           "Record the registration form as signed", show=False, palette=False),
    Action("sign_forms.privacy", "p", "sign('privacy')", "Privacy",
           "Record the notice of privacy practices as signed", show=False, palette=False),
    Action("sign_forms.history", "h", "sign('history')", "History",
           "Record the medical history as signed", show=False, palette=False),
    Action("sign_forms.consent", "c", "sign('consent')", "Consent",
           "Record the consent to treat as signed", show=False, palette=False),
    Action("sign_forms.financial", "f", "sign('financial')", "Financial",
           "Record the financial policy as signed", show=False, palette=False),
    Action("sign_forms.close", "escape", "close", "Close",
           "Close; the forms recorded stay recorded", palette=False),
)

PATIENT = (
    Action("patient.edit", "e", "edit", "Edit",
           "Edit the demographics: names, birth date, phones, email, address, alerts"),
    Action("patient.verify", "v", "verify", "Verified",
           "The patient has just confirmed their demographics"),
    # Plain digits, named on the section tabs themselves: one key to any section.
    Action("patient.details", "1", "section('details')", "Details",
           "Show the patient's details and contacts", show=False),
    Action("patient.insurance", "2", "section('insurance')", "Insurance",
           "Show the patient's insurance", show=False),
    Action("patient.visits", "3", "section('visits')", "Visits",
           "Show the patient's upcoming and past appointments", show=False),
    Action("patient.forms", "4", "section('forms')", "Forms",
           "Show the patient's intake forms", show=False),
    Action("patient.close", "escape", "close", "Back", "Close the patient's record"),
)

REGISTER = (
    # Priority: it must save from inside any field, whatever the field does with keys.
    Action("register.save", "ctrl+s", "save", "Save",
           "Save the form from any field", key_display="^s", priority=True),
    Action("register.close", "escape", "close", "Close", "Close without saving"),
)

DUPLICATES = (
    # Priority: the list's own enter would otherwise hide "Open" from the key bar.
    Action("duplicates.open", "enter", "open", "Open this one",
           "Open the patient under the cursor instead of registering", priority=True),
    Action("duplicates.register", "r", "register_anyway", "Register anyway",
           "None of these is the patient: register a new one"),
    Action("duplicates.back", "escape", "back", "Back", "Back to the form, to change it"),
)

CHECK_IN = (
    # Priority: enter means "Arrived" wherever the focus is in the panel.
    Action("check_in.arrive", "enter", "arrive", "Arrived", "Mark the patient arrived now",
           priority=True),
    Action("check_in.confirm", "v", "confirm", "Confirmed",
           "The patient confirmed the demographics (press again to take it back)"),
    Action("check_in.edit", "e", "edit", "Edit",
           "Edit the demographics with what the patient says"),
    Action("check_in.cancel", "escape", "cancel", "Cancel", "Close without checking in"),
)

CHECK_OUT = (
    # Priority: the offer list's own enter would otherwise hide "Book" from the key bar.
    Action("check_out.book", "enter", "book", "Book",
           "Book the highlighted time for the next visit", priority=True),
    # The intervals are listed in the panel itself; the key bar has no room for seven.
    Action("check_out.next_day", "n", "interval('next')", "Next day",
           "Offer times from the next working day", show=False),
    Action("check_out.one_week", "w", "interval('1w')", "1 week",
           "Offer times from a week today", show=False),
    Action("check_out.two_weeks", "2", "interval('2w')", "2 weeks",
           "Offer times from two weeks today", show=False),
    Action("check_out.one_month", "m", "interval('1m')", "1 month",
           "Offer times from a month today", show=False),
    Action("check_out.three_months", "3", "interval('3m')", "3 months",
           "Offer times from three months today", show=False),
    Action("check_out.six_months", "6", "interval('6m')", "6 months",
           "Offer times from six months today", show=False),
    Action("check_out.one_year", "y", "interval('1y')", "1 year",
           "Offer times from a year today", show=False),
    Action("check_out.done", "escape", "done", "Done",
           "Close without booking; the visit stays checked out"),
)

WAITING = (
    # Priority: the table's own enter would otherwise hide "Open" from the key bar.
    Action("waiting.open", "enter", "open", "Open", "Open the appointment under the cursor",
           priority=True),
    Action("waiting.room", "r", "room", "Room",
           "Take the patient under the cursor to a room, or move them to another"),
    Action("waiting.seen", "s", "seen", "Seen",
           "The provider is with the patient under the cursor"),
    Action("waiting.check_out", "o", "check_out", "Check out",
           "Check out the patient under the cursor: the visit is done"),
)

ROOM = (
    Action("room.cancel", "escape", "cancel", "Cancel", "Close without rooming the patient",
           palette=False),
)

ALL = (GLOBAL + SCHEDULE + STAFF + PATIENTS + FORM + DETAIL + AUDIT + CHART_PREP + SIGN_FORMS
       + PATIENT + REGISTER + DUPLICATES + CHECK_IN + CHECK_OUT + WAITING + ROOM)


_COLLIDING = {"ctrl+h": "backspace", "ctrl+i": "tab", "ctrl+m": "enter", "ctrl+j": "newline",
              "ctrl+left_square_bracket": "escape"}


def wire_problem(key: str) -> str | None:
    """Why a key cannot be relied on over SSH, or None when it can."""
    key = key.strip()
    if key in _COLLIDING:
        return f"{key} arrives as {_COLLIDING[key]}"
    if key.startswith("alt+") and key[4:].isdigit():
        return f"{key} arrives as a symbol, not a key"
    if key.startswith("super+") or (key.startswith("ctrl+") and key[5:].isdigit()):
        return f"{key} is never sent by a terminal"
    return None


def by_id(action_id: str) -> Action:
    return next(a for a in ALL if a.id == action_id)


def bindings(actions: tuple[Action, ...]) -> list[Binding]:
    return [action.binding() for action in actions]
