"""The desk's side of the phone lines: what the app does when a line rings, is answered,
held, switched to or ended, and how every phone bar hears of it.

Each line a person answers gets its own Textual mode, `line{n}:{staff_id}`, kept
in the app's `_desks` with that person's areas; its base screen is the line's
CallScreen. Whatever staff open while on the line (the patient's record, a
half-written message) stacks on that mode, so switching lines is `switch_mode`
and coming back finds everything exactly as it was. Holding returns to the area
the person was in; ending the call removes the line's mode.

`PhoneDesk` is mixed into FrontdeskApp; the rules stay in frontdesk.phones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.message import Message
from textual.signal import Signal

from frontdesk import phones
from frontdesk.errors import FrontdeskError
from frontdesk.phones import LineState
from frontdesk.text import one_line
from screens.base import db_work
from screens.widgets.phonebar import LineView

__all__ = ["PhoneDesk", "PHONE_POLL_SECONDS", "PHONE_ACTIONS", "load_lines", "PhonesSeen"]

PHONE_POLL_SECONDS = 0.4
"""How often a terminal looks at the line rows: a ring must show within a second, and the
change feed's own poll (POLL_SECONDS, then a load) can take up to two."""

PHONE_ACTIONS = {"line", "pick_line", "hold", "take_message", "end_call", "ring_by_hand"}
"""The app's phone actions, for its check_action."""


def load_lines() -> tuple[LineView, ...]:
    """Every line with the patients its calling number belongs to (inside a worker)."""
    return tuple(LineView(line, tuple(phones.callers(line.caller)) if line.caller
                          and line.state is not LineState.IDLE else ())
                 for line in phones.lines())


@dataclass
class PhonesSeen(Message):
    """The lines as they are now; `polled` when it came from the regular look."""

    lines: tuple[LineView, ...] | None
    polled: bool = False


@dataclass
class LineTaken(Message):
    """This person now has line `number` on call (answered, resumed or switched to)."""

    number: int
    call_id: int | None
    lines: tuple[LineView, ...]


@dataclass
class LineRefused(Message):
    """Line `number` could not be taken: someone else has it, or it changed."""

    number: int
    refusal: str
    lines: tuple[LineView, ...]


@dataclass
class LineLeft(Message):
    """Line `number` left this person's hands: held (`ended` False) or ended."""

    number: int
    ended: bool
    lines: tuple[LineView, ...]


class PhoneDesk:
    """Mixed into FrontdeskApp (before App): the phone lines and their contexts."""

    phone_lines: tuple[LineView, ...] = ()
    """The lines as last loaded; every PhoneBar draws from this."""

    def start_phones(self) -> None:
        """Begin looking at the lines; called once, at the first sign-in."""
        if getattr(self, "_phones_started", False):
            return
        self._phones_started = True
        self._line_calls: dict[str, int | None] = {}
        """Line mode -> the call it was opened for: a new call on the line gets a new one."""
        self._poll_phones()

    @property
    def phones_signal(self) -> Signal:
        signal = self.__dict__.get("_phones_signal")
        if signal is None:
            signal = self.__dict__["_phones_signal"] = Signal(self, "phones")
        return signal

    # -- loading --------------------------------------------------------------------

    @db_work(group="phone-poll")
    def _poll_phones(self) -> None:
        try:
            found = load_lines()
        except Exception as error:  # the next look tries again; staff need no notice
            self.log.warning(f"phone lines poll failed: {error!r}")
            found = None
        self.post_message(PhonesSeen(found, polled=True))

    def reload_phones(self) -> None:
        """Look at the lines now (the change feed says one changed)."""
        self._load_phones()

    @db_work(group="phone-load")
    def _load_phones(self) -> None:
        self.post_message(PhonesSeen(load_lines()))

    def on_phones_seen(self, message: PhonesSeen) -> None:
        if message.lines is not None:
            self._show_lines(message.lines)
        if message.polled:  # chained, so looks never overlap
            self.set_timer(PHONE_POLL_SECONDS, self._poll_phones)

    def _show_lines(self, lines: tuple[LineView, ...]) -> None:
        if lines == self.phone_lines:
            return
        self.phone_lines = lines
        self.phones_signal.publish(lines)
        self.refresh_bindings()

    # -- where the person is ------------------------------------------------------------

    def line_mode(self, number: int) -> str:
        return f"line{number}:{self.signed_in.id}"

    def _view(self, number: int) -> LineView | None:
        return next((v for v in self.phone_lines if v.number == number), None)

    def _has_context(self, number: int) -> bool:
        return self.line_mode(number) in self._desks.get(self.signed_in.id, set())

    def line_here(self) -> int | None:
        """The line whose screens are showing, if any."""
        mode = self.current_mode or ""
        if mode.startswith("line") and mode.endswith(f":{self.signed_in.id}"):
            return int(mode[4:mode.index(":")])
        return None

    def line_in_hand(self) -> int | None:
        """The line whose screens are showing, or else the one this person is on."""
        here = self.line_here()
        if here is not None:
            return here
        me = self.signed_in.id
        return next((v.number for v in self.phone_lines
                     if v.line.state is LineState.ON_CALL and v.line.staff_id == me), None)

    def phone_action_state(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "line":
            number = int(parameters[0]) if parameters else 0
            return number <= len(self.phone_lines) or not self.phone_lines
        if action in ("hold", "end_call"):
            return self.line_in_hand() is not None
        return True

    # -- answering and switching ------------------------------------------------------

    async def action_line(self, number: int) -> None:
        """F5-F8: answer the line, pick it up from hold, or go back to it."""
        view = self._view(number)
        if view is None:
            return
        line = view.line
        mine = line.staff_id == self.signed_in.id
        if line.state is LineState.ON_CALL and mine:
            await self._go_to_line(number, line.call_id)
        elif line.state is LineState.IDLE and self._has_context(number):
            await self._go_to_line(number, self._line_calls.get(self.line_mode(number)))
            self.notify(f"Line {number}: the caller has hung up. Alt+E closes this call.",
                        timeout=5)
        elif line.state is LineState.IDLE:
            self.notify(f"Line {number} is not ringing.", timeout=3)
        else:
            current = self.line_in_hand()
            if mine and line.state is LineState.ON_HOLD and self._has_context(number):
                # One's own held line: its screens are here, so show them at once and
                # pick it up in the database behind them (a refusal steps back out).
                await self._go_to_line(number, line.call_id)
            self._take(number, line.version, mine, current if current != number else None)

    def action_pick_line(self) -> None:
        from screens.call import LinePicker

        self.push_screen(LinePicker(self.phone_lines), self._line_picked)

    async def _line_picked(self, number: int | None) -> None:
        if number is not None:
            await self.action_line(number)

    @db_work(group="phone-take")
    def _take(self, number: int, version: int, mine: bool, current: int | None) -> None:
        by = self.signed_in
        if mine:  # one's own held line: its version moved when we held it
            version = phones.line(number).version
        try:
            taken = phones.answer(number, version=version, by=by)
        except FrontdeskError as error:
            self.post_message(LineRefused(number, str(error), load_lines()))
            return
        if current is not None:  # like a desk phone: taking a line holds the one in hand
            held = phones.line(current)
            if held.state is LineState.ON_CALL and held.staff_id == by.id:
                phones.hold(current, version=held.version, by=by)
        self.post_message(LineTaken(number, taken.call_id, load_lines()))

    async def on_line_refused(self, message: LineRefused) -> None:
        self._show_lines(message.lines)
        self.notify(message.refusal, severity="error", timeout=8)
        if self.line_here() == message.number:
            await self._back_to_area()

    async def on_line_taken(self, message: LineTaken) -> None:
        self._show_lines(message.lines)
        await self._go_to_line(message.number, message.call_id)

    async def _go_to_line(self, number: int, call_id: int | None) -> None:
        from screens.call import CallScreen

        name = self.line_mode(number)
        desk = self._desks.setdefault(self.signed_in.id, set())
        if name in desk and self._line_calls.get(name) != call_id:
            await self._drop_line(number)  # a new call on the line: a fresh context
        if name not in desk:
            self.add_mode(name, partial(CallScreen, number))
            desk.add(name)
            self._line_calls[name] = call_id
        if self.current_mode != name:
            self.switch_mode(name)  # not awaited: the app itself mounts the screen

    # -- holding and ending -----------------------------------------------------------

    async def action_hold(self) -> None:
        number = self.line_in_hand()
        if number is None:
            self.notify("No call in hand to hold.", timeout=3)
            return
        view = self._view(number)
        if view is not None and view.line.state is LineState.ON_HOLD:
            await self._back_to_area()  # already waiting: just step away from it
            return
        self._hold(number)

    @db_work(group="phone-hold")
    def _hold(self, number: int) -> None:
        line = phones.line(number)
        phones.hold(number, version=line.version, by=self.signed_in)
        self.post_message(LineLeft(number, False, load_lines()))

    async def action_end_call(self) -> None:
        from screens.call import EndCall

        number = self.line_in_hand()
        if number is None:
            self.notify("No call in hand to end.", timeout=3)
            return
        view = self._view(number)
        if view is None or view.line.state is LineState.IDLE:
            await self._drop_line(number)  # the caller hung up: close what was left open
            return
        self.push_screen(EndCall(view), partial(self._end_chosen, number))

    def _end_chosen(self, number: int, disposition: str | None) -> None:
        if disposition is not None:
            self._end(number, disposition)

    @db_work(group="phone-end")
    def _end(self, number: int, disposition: str) -> None:
        line = phones.line(number)
        phones.end(number, disposition, version=line.version, by=self.signed_in)
        self.post_message(LineLeft(number, True, load_lines()))

    async def on_line_left(self, message: LineLeft) -> None:
        self._show_lines(message.lines)
        verb = "ended" if message.ended else "on hold"
        self.notify(f"Line {message.number} {verb}.", timeout=3)
        if message.ended:
            await self._drop_line(message.number)
        elif self.line_here() == message.number:
            await self._back_to_area()

    async def _back_to_area(self) -> None:
        self._open(self._areas.get(self.signed_in.id, "schedule"))

    async def _drop_line(self, number: int) -> None:
        name = self.line_mode(number)
        if self.current_mode == name:
            await self._back_to_area()
        if name in self._desks.get(self.signed_in.id, set()):
            await self.remove_mode(name)
            self._desks[self.signed_in.id].discard(name)
        self._line_calls.pop(name, None)

    def release_lines(self, person) -> None:
        """Signing out: calls left on call wait on hold, where a colleague can take them;
        the person's line contexts go with their other screens (app._desks)."""
        for view in self.phone_lines:
            if view.line.state is LineState.ON_CALL and view.line.staff_id == person.id:
                self._release(view.number, person)
        for name in [n for n in getattr(self, "_line_calls", {}) if n.endswith(f":{person.id}")]:
            self._line_calls.pop(name)

    @db_work(group="phone-release", exclusive=False)
    def _release(self, number: int, person) -> None:
        line = phones.line(number)
        if line.state is LineState.ON_CALL and line.staff_id == person.id:
            phones.hold(number, version=line.version, by=person)
        self.post_message(PhonesSeen(load_lines()))

    # -- messages and marking a line by hand ------------------------------------------

    async def action_take_message(self) -> None:
        try:
            from screens.message import TakeMessage
        except ImportError:
            self.notify("Taking messages is not ready on this desk yet.", severity="warning")
            return
        number = self.line_in_hand()
        if number is not None and self.line_here() != number:
            await self._go_to_line(number, self._line_calls.get(self.line_mode(number)))
        prefill = self._prefill(number) if number is not None else None
        self.push_screen(TakeMessage(prefill), self._message_taken)

    def _prefill(self, number: int):
        from frontdesk.messages import Prefill

        view = self._view(number)
        line = view.line
        patient_id, name = line.patient_id, line.patient_name
        if patient_id is None and len(view.callers) == 1:
            patient_id, name = view.callers[0].patient_id, view.callers[0].name
        last, _, first = one_line(name).partition(", ")
        return Prefill(call_id=line.call_id, callback=line.caller, patient_id=patient_id,
                       caller_name=f"{first} {last}".strip())

    def _message_taken(self, message_id: int | None) -> None:
        if message_id is not None:
            self.notify("Message saved and sent.", timeout=3)

    def action_ring_by_hand(self) -> None:
        from screens.call import RingByHand

        self.push_screen(RingByHand(self.phone_lines), self._rung_by_hand)

    def _rung_by_hand(self, number: int | None) -> None:
        if number is not None:
            self.reload_phones()

