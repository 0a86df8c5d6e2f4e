"""Staff accounts, for managers and administrators: add, deactivate, reset, change role,
and the departments whose messages each person reads.

Accounts are never deleted: a deactivated one keeps everything it did in the audit
trail. Each change goes through frontdesk.staff, which checks the role of whoever
asks, the version on screen, and records before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static

from frontdesk import clock, messages, staff
from frontdesk.errors import FrontdeskError
from frontdesk.passwords import Secret
from frontdesk.roles import Permission, Role, allowed
from frontdesk.text import one_line
from screens.actions import FORM, STAFF, STAFF_DEPARTMENTS, bindings
from screens.base import DeskModal, DeskScreen, FormFields, db_work, row_under_cursor
from screens.commands import ScreenActions
from screens.widgets import DeskHeader, KeyBar
from screens.widgets.daytoggle import DayToggle

__all__ = ["StaffScreen", "AccountForm", "DepartmentsForm"]


def _status(person: staff.Staff) -> Text:
    if not person.active:
        return Text("deactivated", style="dim")
    if person.locked_until and person.locked_until > clock.now():
        return Text(f"locked until {clock.wall(person.locked_until)}", style="bold red")
    if person.must_change_password:
        return Text("must set a password", style="yellow")
    return Text("active")


def _departments(keys: list[str]) -> str:
    return ", ".join(messages.DEPARTMENTS[key] for key in keys)


class StaffScreen(DeskScreen):
    CSS_PATH = "staff.tcss"
    BINDINGS = bindings(STAFF)
    COMMANDS = {ScreenActions}
    AREA = "staff"
    ACTIONS = STAFF

    @dataclass
    class Loaded(Message):
        people: list[staff.Staff]
        departments: dict[int, list[str]]

    @dataclass
    class Changed(Message):
        person: staff.Staff
        what: str

    def __init__(self) -> None:
        super().__init__()
        self._people: list[staff.Staff] = []
        self._departments: dict[int, list[str]] = {}

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Staff accounts", id="title")
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="about")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # With the cells' padding these fill 80 columns; the line under the list names
        # the highlighted person's departments in full.
        table.add_column("Username", width=10, key="username")
        table.add_column("Name", width=16, key="name")
        table.add_column("Role", width=13, key="role")
        table.add_column("Status", width=19, key="status")
        table.add_column("Departments", width=11, key="departments")
        self._load()

    @db_work(group="staff")
    def _load(self) -> None:
        people = staff.everyone(by=self.app.signed_in)
        self.post_message(self.Loaded(people, messages.everyone_departments()))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        keep = self.current.id if self.current else None
        table.clear()
        self._people, self._departments = message.people, message.departments
        for person in self._people:
            table.add_row(Text(one_line(person.username), overflow="ellipsis", no_wrap=True),
                          Text(one_line(person.name), overflow="ellipsis", no_wrap=True),
                          Text(Role(person.role).label), _status(person),
                          Text(_departments(self._departments.get(person.id, [])),
                               overflow="ellipsis", no_wrap=True),
                          key=str(person.id))
        row = next((i for i, p in enumerate(self._people) if p.id == keep), 0)
        if self._people:
            table.move_cursor(row=row, animate=False)
        self._moved()

    @property
    def current(self) -> staff.Staff | None:
        table = self.query_one(DataTable)
        return row_under_cursor(table, self._people)

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        person = self.current
        about = self.query_one("#about", Static)
        if person is None:
            about.update("")
        else:
            kept = self._departments.get(person.id, [])
            about.update(Text.assemble(
                (one_line(person.name), "bold"),
                f" reads the messages of {_departments(kept)}" if kept
                else " is in no department: only messages to them by name"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        person = self.current
        if action in ("deactivate", "reset_password", "change_role", "departments"):
            return None if person is None or not person.active else True
        if action == "reactivate":
            return None if person is None or person.active else True
        if action == "audit":
            return allowed(self.app.signed_in, Permission.READ_AUDIT)
        return True

    # -- actions ----------------------------------------------------------------------

    def action_audit(self) -> None:
        from screens.audit import AuditScreen  # managers' report: loaded when asked for

        self.app.push_screen(AuditScreen())

    def action_add(self) -> None:
        self.app.push_screen(AccountForm("add", None), self._after)

    def action_reset_password(self) -> None:
        if self.current:
            self.app.push_screen(AccountForm("reset", self.current), self._after)

    def action_change_role(self) -> None:
        if self.current:
            self.app.push_screen(AccountForm("role", self.current), self._after)

    def action_departments(self) -> None:
        if self.current:
            self.app.push_screen(
                DepartmentsForm(self.current, self._departments.get(self.current.id, [])),
                self._after)

    def action_deactivate(self) -> None:
        if self.current:
            self._toggle(self.current, active=False)

    def action_reactivate(self) -> None:
        if self.current:
            self._toggle(self.current, active=True)

    @db_work(group="staff-change")
    def _toggle(self, person: staff.Staff, *, active: bool) -> None:
        change = staff.reactivate if active else staff.deactivate
        changed = change(person, by=self.app.signed_in)
        self.post_message(self.Changed(changed, "reactivated" if active else "deactivated"))

    def _after(self, result: tuple[staff.Staff, str] | None) -> None:
        if result is not None:
            self.post_message(self.Changed(*result))

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        self.notify(f"{one_line(message.person.name)}: {message.what}.", timeout=4)
        self._load()


_TITLES = {"add": "Add a staff member", "reset": "Reset the password of {name}",
           "role": "Change the role of {name}"}


class AccountForm(FormFields, DeskModal[tuple[staff.Staff, str] | None]):
    """One form for the three account changes that need typing: nothing typed is lost
    when the change is refused; the field at fault gets the focus."""

    CSS_PATH = "staff.tcss"
    BINDINGS = [Binding("escape", "close", "Close", tooltip="Close without saving"),
                *bindings(FORM)]

    @dataclass
    class Answered(Message):
        result: tuple[staff.Staff, str] | None
        refusal: str = ""
        field: str = ""

    def __init__(self, kind: str, person: staff.Staff | None) -> None:
        super().__init__()
        self.kind, self.person = kind, person

    def _roles(self) -> list[tuple[str, str]]:
        grant = allowed(self.app.signed_in, Permission.GRANT_ADMIN)
        return [(role.label, role.value) for role in Role
                if grant or role not in (Role.ADMIN, Role.MANAGER)]

    def compose(self) -> ComposeResult:
        name = one_line(self.person.name) if self.person else ""
        with Vertical(id="form"):
            yield Static(_TITLES[self.kind].format(name=name), id="form-title")
            if self.kind == "add":
                yield Label("Username")
                yield Input(id="username", max_length=32)
                yield Label("Full name")
                yield Input(id="name", max_length=80)
            if self.kind in ("add", "role"):
                yield Label("Role")
                current = self.person.role if self.person else Role.FRONT_DESK.value
                yield Select(self._roles(), id="role", value=current, allow_blank=False)
            if self.kind in ("add", "reset"):
                yield Label("Temporary password (they choose their own at first sign-in)")
                yield Input(id="password", password=True, max_length=200)
            yield Label("", id="refusal")
            yield Static("Enter saves · Esc closes without saving", id="form-hint")

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Select.Changed)
    def _role_chosen(self, event: Select.Changed) -> None:
        if self.kind == "role" and event.value != self.person.role:
            self.submit()  # choosing another role is the whole form

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in self.query(Input):
            values[field.id] = Secret(field.value) if field.password else field.value
        for field in self.query(Select):
            values[field.id] = field.value
        return values

    def submit(self) -> None:
        self.query_one("#refusal", Label).update("Saving…")
        self._apply(self._values())

    @db_work(group="account-form")
    def _apply(self, values: dict[str, Any]) -> None:
        by = self.app.signed_in
        try:
            if self.kind == "add":
                person = staff.add_staff(values["username"], values["name"], values["role"],
                                         values["password"], by=by, temporary=True)
                result = (person, "added; they choose their own password at first sign-in")
            elif self.kind == "reset":
                person = staff.reset_password(self.person, values["password"], by=by)
                result = (person, "password reset; they choose a new one at next sign-in")
            else:
                person = staff.change_role(self.person, values["role"], by=by)
                result = (person, f"now {Role(person.role).label}")
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error), error.field or ""))
        else:
            self.post_message(self.Answered(result))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.result is not None:
            self.dismiss(message.result)
            return
        self.query_one("#refusal", Label).update(message.refusal)
        target = self.query(f"#{message.field}") if message.field else None
        if target:
            target.first().focus()


class DepartmentsForm(DeskModal[tuple[staff.Staff, str] | None]):
    """A box per department, ticked for those the person reads the messages of; space
    ticks, enter saves. A refusal is said in the form and nothing ticked is lost."""

    CSS_PATH = "staff.tcss"
    BINDINGS = bindings(STAFF_DEPARTMENTS)
    AREA = "departments"
    ACTIONS = STAFF_DEPARTMENTS

    @dataclass
    class Answered(Message):
        result: tuple[staff.Staff, str] | None
        refusal: str = ""

    def __init__(self, person: staff.Staff, departments: list[str]) -> None:
        super().__init__()
        self.person, self.departments = person, departments

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(f"Departments of {one_line(self.person.name)}", id="form-title")
            yield Static("Their inbox holds each ticked department's messages.",
                         classes="hint")
            for key, label in messages.DEPARTMENTS.items():
                yield DayToggle(label, key in self.departments, id=f"dept-{key}",
                                compact=True)
            yield Label("", id="refusal")
            yield Static("↑↓ move · space ticks · enter saves · Esc closes", id="form-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Checkbox).focus()

    def ticked(self) -> list[str]:
        return [key for key in messages.DEPARTMENTS
                if self.query_one(f"#dept-{key}", Checkbox).value]

    def action_save(self) -> None:
        self.query_one("#refusal", Label).update("Saving…")
        self._save(self.ticked())

    @db_work(group="departments-form")
    def _save(self, departments: list[str]) -> None:
        try:
            kept = messages.set_departments(self.person, departments, by=self.app.signed_in)
        except FrontdeskError as error:
            self.post_message(self.Answered(None, str(error)))
        else:
            words = f"reads {_departments(kept)}" if kept else "in no department"
            self.post_message(self.Answered((self.person, words)))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.result is not None:
            self.dismiss(message.result)
        else:
            self.query_one("#refusal", Label).update(message.refusal)

    def action_close(self) -> None:
        self.dismiss(None)
