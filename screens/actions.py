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

__all__ = ["Action", "GLOBAL", "SCHEDULE", "STAFF", "FORM", "DETAIL", "AUDIT", "bindings", "ALL",
           "by_id", "wire_problem"]


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

ALL = GLOBAL + SCHEDULE + STAFF + FORM + DETAIL + AUDIT


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
