"""The frontdesk application: sign-in, the areas of the desk, and what joins them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from textual import events, on
from textual.app import App, SystemCommand
from textual.containers import Center
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea
from textual.worker import Worker, WorkerState

from frontdesk import changes, clock, config, staff
from frontdesk.changes import Change
from frontdesk.roles import Permission, allowed
from frontdesk.schedule import Day
from screens.actions import ALL, GLOBAL, bindings, wire_problem
from screens.base import db_work, report_failure
from screens.commands import PatientProvider
from screens.lines import PHONE_ACTIONS, PhoneDesk
from screens.lock import LockScreen
from screens.password import ChangePassword
from screens.schedule import ScheduleScreen
from screens.signin import SignInScreen
from screens.widgets.unread import refresh_unread

__all__ = ["FrontdeskApp", "run", "MIN_SIZE"]

MIN_SIZE = (80, 24)
POLL_SECONDS = 1.0
"""How often a terminal asks what the others changed; the target is under 2 s."""
IDLE_CHECK_SECONDS = 5.0
"""How often the idle lock looks at the clock."""


class TooSmall(Screen):
    """Shown instead of a broken layout while the terminal is below 80x24."""

    DEFAULT_CSS = """
    TooSmall { align: center middle; }
    TooSmall Static { width: auto; height: auto; text-align: center; }
    """

    def compose(self):
        with Center():
            yield Static(id="message")

    def on_mount(self) -> None:
        self.show_size(self.app.size.width, self.app.size.height)

    def show_size(self, width: int, height: int) -> None:
        self.query_one("#message", Static).update(
            f"frontdesk needs a terminal of at least {MIN_SIZE[0]}x{MIN_SIZE[1]}.\n"
            f"This one is {width}x{height}: make the window larger.\nNothing is lost."
        )


def _staff_screen() -> Screen:
    from screens.staff import StaffScreen  # managers' area: not loaded at start-up

    return StaffScreen()


def _patients_screen() -> Screen:
    from screens.patients import PatientsScreen  # loaded when first asked for: start-up counts

    return PatientsScreen()


def _waiting_screen() -> Screen:
    from screens.waiting import WaitingScreen  # loaded when first asked for: start-up counts

    return WaitingScreen()


def _inbox_screen() -> Screen:
    from screens.inbox import InboxScreen  # loaded when first asked for: start-up counts

    return InboxScreen()


def _drawer_screen() -> Screen:
    from screens.drawer import DrawerScreen  # loaded when first asked for: start-up counts

    return DrawerScreen()


def _insurance_screen() -> Screen:
    from screens.eligibility import InsuranceScreen  # loaded when first asked for

    return InsuranceScreen()


AREAS: dict[str, tuple[Callable[..., Screen], Permission]] = {
    "schedule": (ScheduleScreen, Permission.VIEW_PATIENTS),
    "patients": (_patients_screen, Permission.VIEW_PATIENTS),
    "waiting": (_waiting_screen, Permission.VIEW_PATIENTS),
    "staff": (_staff_screen, Permission.MANAGE_STAFF),
    "inbox": (_inbox_screen, Permission.ANSWER_PHONES),
    "insurance": (_insurance_screen, Permission.VIEW_PATIENTS),
    "drawer": (_drawer_screen, Permission.TAKE_PAYMENTS),
}
"""The areas of the desk (Textual modes, one set per person) and who may open each."""

EDITING_KEYS = frozenset({
    "backspace", "delete", "left", "right", "home", "end",
    "shift+left", "shift+right", "shift+home", "shift+end", "ctrl+left", "ctrl+right",
    "ctrl+w", "ctrl+u", "ctrl+k", "ctrl+a", "ctrl+e", "ctrl+d",
})
"""Keys a text box edits or moves its cursor with, which must act in the order typed."""


class FrontdeskApp(PhoneDesk, App):
    CSS_PATH = "app.tcss"
    TITLE = "frontdesk"
    BINDINGS = bindings(GLOBAL)
    MODES = {"signin": SignInScreen}
    COMMANDS = App.COMMANDS | {PatientProvider}

    @dataclass
    class ChangesSeen(Message):
        """What other terminals (or this one) wrote since the last look."""

        last_id: int
        changes: list[Change]

    def __init__(self, *, signed_in: staff.Staff | None = None,
                 first_day: Day | None = None, seen_changes: int | None = None) -> None:
        super().__init__()
        self.signed_in: staff.Staff | None = None
        self._first_person = signed_in
        self._first_day = first_day
        self._last_change: int | None = seen_changes
        """The newest change feed row this terminal has taken into account."""
        self._polling = False
        self._desks: dict[int, set[str]] = {}
        """Per person, the modes (areas) opened: their work, kept while others sign in."""
        self._areas: dict[int, str] = {}
        """Per person, the area they were last in."""
        self._last_activity = clock.now()

    # -- starting, signing in and out -------------------------------------------------

    def on_mount(self) -> None:
        self._apply_keymap()
        if self._first_person is not None:
            self.sign_in(self._first_person)
        else:
            self.switch_mode("signin")
        self._check_size(self.size.width, self.size.height)
        self.set_interval(IDLE_CHECK_SECONDS, self.lock_if_idle)

    def _apply_keymap(self) -> None:
        """Staff's own keys from config.toml, minus any that could never work."""
        keys = dict(config.current().keys)
        known = {action.id for action in ALL}
        problems = [f"no action called {action_id} (F1 shows each id)"
                    for action_id in sorted(set(keys) - known)]
        for action_id, typed in sorted(keys.items()):
            problems += [f"{action_id}: {problem}" for key in typed.split(",")
                         if (problem := wire_problem(key))]
        for action_id in list(keys):
            if action_id not in known or any(wire_problem(k) for k in keys[action_id].split(",")):
                keys.pop(action_id)
        if problems:
            self.notify("config.toml [keys] ignored: " + "; ".join(problems) + ".",
                        severity="warning", timeout=15)
        self.set_keymap(keys)

    def sign_in(self, person: staff.Staff) -> None:
        """Open the desk for a person who has just proved who they are."""
        if person.must_change_password:
            self.push_screen(ChangePassword(person), self._password_chosen)
            return
        self._enter(person)

    def _password_chosen(self, person: staff.Staff | None) -> None:
        if person is not None:
            self._enter(person)

    def _enter(self, person: staff.Staff) -> None:
        self.signed_in = person
        self._last_activity = clock.now()
        self._open(self._areas.get(person.id, "schedule"))
        if isinstance(self.screen, LockScreen):
            self.pop_screen()  # their own work, exactly as they left it
        if not self._polling:
            self._polling = True
            if self._last_change is None:
                self._poll()
            else:  # the first day was read with the feed at this point: look in a second
                self.set_timer(POLL_SECONDS, self._poll)
        self.start_phones()

    def _mode(self, area: str, person: staff.Staff | None = None) -> str:
        return f"{area}:{(person or self.signed_in).id}"

    def _open(self, area: str) -> None:
        person = self.signed_in
        name = self._mode(area)
        desk = self._desks.setdefault(person.id, set())
        if name not in desk:
            factory, _ = AREAS[area]
            if area == "schedule" and self._first_day is not None:
                factory = partial(ScheduleScreen, preloaded=self._first_day)
                self._first_day = None
            self.add_mode(name, factory)
            desk.add(name)
        self._areas[person.id] = area
        self.switch_mode(name)

    def open_patient(self, patient_id: int) -> None:
        """A patient's record, opened over the Patients area (F3 comes back to the search)."""
        from screens.patient import PatientScreen

        self._open("patients")
        self.call_after_refresh(self.push_screen, PatientScreen(patient_id))

    def action_go(self, area: str) -> None:
        if self.check_action("go", (area,)):
            self._open(area)

    async def action_sign_out(self) -> None:
        person = self.signed_in
        if person is None or self.locked:
            return
        self._record_sign_out(person)
        self.release_lines(person)
        self.signed_in = None
        # A fresh sign-in screen, and none of this person's screens (nor the patient
        # data they showed) kept. Others' locked work is not touched.
        await self.remove_mode("signin")
        self.add_mode("signin", SignInScreen)
        await self.switch_mode("signin")
        for name in self._desks.pop(person.id, set()):
            await self.remove_mode(name)
        self._areas.pop(person.id, None)

    @db_work(group="sign-out", exclusive=False)
    def _record_sign_out(self, person: staff.Staff) -> None:
        staff.sign_out(person)

    # -- locking ------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return isinstance(self.screen, LockScreen)

    def action_lock(self, idle: bool = False) -> None:
        """Hide everything until someone signs in; the work underneath stays as it is."""
        if self.signed_in is None or self.locked:
            return
        self.push_screen(LockScreen(self.signed_in))
        self._record_lock(self.signed_in, idle)

    @db_work(group="lock", exclusive=False)
    def _record_lock(self, person: staff.Staff, idle: bool) -> None:
        staff.screen_locked(person, idle=idle)

    def lock_if_idle(self) -> None:
        """Lock when nobody has touched the keyboard for the configured minutes."""
        idle_for = clock.now() - self._last_activity
        if idle_for >= timedelta(minutes=config.current().idle_lock_minutes):
            self.action_lock(idle=True)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp, events.Paste)):
            self._last_activity = clock.now()
        if isinstance(event, events.Key) and not event.is_forwarded and await self._edit_now(event):
            return
        await super().on_event(event)

    async def _edit_now(self, event: events.Key) -> bool:
        """Run a text box's own editing key (backspace, arrows...) in typing order.

        Textual types a character as soon as the box gets it, but runs a box's bindings only
        after the key has bubbled back up to the app: in a burst (fast typing over SSH),
        "20⌫5" came out as "25"-less-the-last, "2". Same box, same binding, no reordering.
        """
        focused = self.focused
        if event.key not in EDITING_KEYS or not isinstance(focused, (Input, TextArea)):
            return False
        bound = self.screen.active_bindings.get(event.key)
        if bound is None or bound.node is not focused or bound.binding.priority:
            return False  # someone else's binding for the key: the usual route decides
        if bound.enabled:  # through the box's own queue, behind the characters it has yet to type
            focused.call_later(self.run_action, bound.binding.action, focused)
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("quit", "focus_next", "focus_previous"):
            return True  # moving between the sign-in or unlock fields shows nothing
        if self.signed_in is None or self.locked:
            return action == "help"
        if action in PHONE_ACTIONS:
            return self.phone_action_state(action, parameters)
        if action == "go":
            area = str(parameters[0]) if parameters else ""
            if area not in AREAS or not allowed(self.signed_in, AREAS[area][1]):
                return False
            return self.current_mode != self._mode(area)  # already there: off the key bar
        return True

    # -- help and the command palette -------------------------------------------------

    def action_help(self) -> None:
        from screens.help import HelpScreen  # imported when first asked for: start-up counts

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title in ("Theme", "Quit"):  # not Screenshot: it writes PHI to disk
                yield command
        if self.signed_in is None or self.locked:
            return
        for action in GLOBAL:
            if action.palette:
                yield SystemCommand(f"app: {action.help[0].lower()}{action.help[1:]}",
                                    action.description, partial(self.run_action, action.action))

    # -- too small a terminal ---------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        if small and not isinstance(self.screen, TooSmall):
            self.push_screen(TooSmall())
        elif small:
            self.screen.show_size(width, height)
        elif isinstance(self.screen, TooSmall):
            self.pop_screen()

    # -- what other terminals changed -------------------------------------------------

    @db_work(group="changes")
    def _poll(self) -> None:
        if self._last_change is None:
            self.post_message(self.ChangesSeen(changes.latest(), []))
            return
        found = changes.since(self._last_change)
        self.post_message(self.ChangesSeen(found[-1].id if found else self._last_change, found))

    @on(ChangesSeen)
    def _changes_seen(self, message: ChangesSeen) -> None:
        self._last_change = message.last_id
        if any(change.topic == "phone" for change in message.changes):
            self.reload_phones()
        if any(change.topic == "message" for change in message.changes):
            refresh_unread(self)
        if message.changes:
            for screen in self.screen_stack:
                refresh = getattr(screen, "refresh_day", None)
                if refresh is not None:
                    refresh(message.changes)
        # Chain the next look from this one, so polls never overlap.
        self.set_timer(POLL_SECONDS, self._poll)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "changes" and event.state is WorkerState.ERROR:
            self.log.warning(f"change feed poll failed: {event.worker.error!r}")
            self.set_timer(POLL_SECONDS * 5, self._poll)  # try again, more gently
            return
        report_failure(self, event)


def run(*, signed_in: staff.Staff | None = None, first_day: Day | None = None,
        seen_changes: int | None = None) -> int:
    app = FrontdeskApp(signed_in=signed_in, first_day=first_day, seen_changes=seen_changes)
    app.run()
    return app.return_code or 0
