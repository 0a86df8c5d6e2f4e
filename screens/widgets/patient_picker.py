"""The patient box: staff type a name, birth date, phone or MRN, and the patients found
appear under it as they type.

One widget for every screen that finds a patient (F3, booking, the waitlist, a phone
message). The search waits for a short pause in the typing, runs in an exclusive
worker (a newer query cancels an older one), and an answer for anything but what the
box holds now is dropped, so a slow answer never lands on a newer query.

Two ways to move between box and list, chosen by the list given:
- a `DataTable` takes the focus: down from the box goes into the list, up from its
  first row or typing there goes back to the box (F3, where the list is the screen);
- an `OptionList` never takes the focus: up and down in the box move its highlight,
  and the screen takes the highlighted patient with `take()` (the forms, whose enter
  goes on to the next field).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker

from frontdesk import patients
from frontdesk.lookup import Hit
from frontdesk.text import one_line
from screens.actions import PATIENT_PICKER, bindings
from screens.base import db_work, report_failure

__all__ = ["PatientPicker", "Chosen"]


@dataclass(frozen=True)
class Chosen:
    """The patient taken from the list, or given by the screen (a caller matched, a
    patient just registered)."""

    patient_id: int
    filed_name: str
    mrn: str
    dob: date

    @classmethod
    def of(cls, found: Hit | patients.Patient) -> Chosen:
        patient_id = found.patient_id if isinstance(found, Hit) else found.id
        return cls(patient_id, found.filed_name, found.mrn, found.dob)


class PatientPicker(Widget):
    """An Input and the patients found for what it holds.

    `box` and `found` are built by the screen (their ids, placeholder and classes are
    the screen's, and so is its stylesheet); `show` draws one patient found: a Text for
    an OptionList, a row of cells for a DataTable. `before` and `after` sit beside the
    box on its row (a label, an echo), `between` between the box and the list.
    """

    DEFAULT_CSS = """
    PatientPicker { height: auto; width: 1fr; }
    """
    BINDINGS = bindings(PATIENT_PICKER)

    @dataclass
    class Searched(Message):
        """The worker's answer for `query`: drawn only if the box still holds it."""

        query: str
        hits: list[Hit]

    @dataclass
    class Found(Message):
        """The patients found for what is typed are in the list (none for an empty box)."""

        picker: PatientPicker
        query: str
        hits: list[Hit]

        @property
        def control(self) -> PatientPicker:
            return self.picker

    @dataclass
    class Picked(Message):
        """Staff took a patient from the list (enter in a form, or a click)."""

        picker: PatientPicker
        hit: Hit

        @property
        def control(self) -> PatientPicker:
            return self.picker

    def __init__(self, box: Input, found: OptionList | DataTable, *,
                 show: Callable[[Hit], Text | tuple[Text, ...]], limit: int = 3,
                 pause: float = 0.12, before: Iterable[Widget] = (),
                 after: Iterable[Widget] = (), between: Iterable[Widget] = (),
                 nobody: Callable[[str], str] | None = None,
                 chosen_line: Callable[[Chosen], Text] | None = None,
                 hide_when_empty: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.box, self.found = box, found
        self.show, self.limit, self.pause = show, limit, pause
        self._before, self._after, self._between = tuple(before), tuple(after), tuple(between)
        self.nobody = nobody
        """What the list says when nobody fits a query; None says nothing."""
        self.chosen_line = chosen_line
        """What the list shows once a patient is chosen; None empties it."""
        self.hide_when_empty = hide_when_empty
        self.hits: list[Hit] = []
        self.chosen: Chosen | None = None
        """The patient whose name the box shows; typing anything else unchooses."""
        self._pending: Timer | None = None
        self._take_when_found = False

    def compose(self) -> ComposeResult:
        if self._before or self._after:
            yield Horizontal(*self._before, self.box, *self._after, classes="row")
        else:
            yield self.box
        yield from self._between
        yield self.found

    def on_mount(self) -> None:
        if isinstance(self.found, OptionList):
            self.found.can_focus = False  # up and down stay in the box
        if self.hide_when_empty:
            self.found.display = False

    @property
    def waiting(self) -> bool:
        """Typed, and the pause before the search not yet over."""
        return self._pending is not None

    @property
    def highlighted(self) -> Hit | None:
        if isinstance(self.found, DataTable):
            index = self.found.cursor_row
        else:
            index = self.found.highlighted
        if not self.hits or index is None or not 0 <= index < len(self.hits):
            return None
        return self.hits[index]

    # -- searching as staff type ------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input is not self.box:
            return
        if self.chosen is not None and event.value == one_line(self.chosen.filed_name):
            return  # the name of the one just chosen, written into the box
        self.chosen = None
        self._take_when_found = False
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        if not event.value.strip():
            self._draw(self.Searched("", []))
            return
        self._pending = self.set_timer(self.pause, self._search_now)

    def _search_now(self) -> None:
        self._pending = None
        self._search(self.box.value, self.app.signed_in)

    @db_work(group="patient-search")
    def _search(self, query: str, person) -> None:
        self.post_message(self.Searched(query, patients.search(query, self.limit, by=person)))

    @on(Searched)
    def _draw(self, message: Searched) -> None:
        if message.query != self.box.value or self.chosen is not None:
            return  # staff have typed on (a newer search is coming) or chosen already
        self.hits = message.hits
        if isinstance(self.found, DataTable):
            self.found.clear()
            for hit in message.hits:
                self.found.add_row(*self.show(hit), key=str(hit.patient_id))
        else:
            self._list([Option(self.show(hit)) for hit in message.hits])
            if message.hits:
                self.found.highlighted = 0
            elif message.query.strip() and self.nobody is not None:
                self._list([Option(self.nobody(message.query), disabled=True)])
        self.post_message(self.Found(self, message.query, message.hits))
        if self._take_when_found:
            self._take_when_found = False
            self.take()

    def _list(self, options: list[Option]) -> None:
        self.found.clear_options()
        self.found.add_options(options)
        if self.hide_when_empty:
            self.found.display = bool(options)

    # -- choosing ---------------------------------------------------------------------

    def take(self) -> Hit | None:
        """Choose the highlighted patient (None if nobody is); says so with `Picked`."""
        hit = self.highlighted
        if hit is not None:
            self.choose(Chosen.of(hit))
            self.post_message(self.Picked(self, hit))
        return hit

    def take_when_found(self) -> None:
        """Enter came before the search answered: take the best one when it does."""
        self._take_when_found = True

    def choose(self, chosen: Chosen) -> None:
        """Show `chosen` in the box, and the list shows only them (or nothing)."""
        self.chosen = chosen
        self.box.value = one_line(chosen.filed_name)
        self.hits = []
        self._list([Option(self.chosen_line(chosen))] if self.chosen_line else [])

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        if event.option_list is self.found and self.hits:
            self.found.highlighted = event.option_index
            self.take()

    # -- keys -------------------------------------------------------------------------

    def action_hit(self, step: int) -> None:
        """Up and down in the box: move along the patients found (or, on F3, into them)."""
        if not self.box.has_focus or not self.hits or self.chosen is not None:
            return
        if isinstance(self.found, DataTable):
            if step > 0:
                self.found.focus()
            return
        index = self.found.highlighted or 0
        self.found.highlighted = max(0, min(len(self.hits) - 1, index + step))

    def on_key(self, event) -> None:
        # From a list that has the focus, typing or up from the first row goes back to
        # the box (before the list's own up takes the key).
        if not self.found.has_focus:
            return
        if event.is_printable and event.character:
            self.box.focus()
            self.box.insert_text_at_cursor(event.character)
            event.stop()
        elif event.key == "up" and self.found.cursor_row == 0:
            self.box.focus()
            event.stop()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self.app, event)
