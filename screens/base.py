"""What every screen shares: database workers and how their failures reach staff."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from textual import work
from textual.actions import SkipAction
from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input
from textual.worker import Worker, WorkerState

from frontdesk import db
from frontdesk.errors import FrontdeskError

__all__ = ["db_work", "report_failure", "DeskScreen", "DeskModal", "FormFields",
           "GENERIC_FAILURE", "row_under_cursor"]

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
T = TypeVar("T")

GENERIC_FAILURE = "Something went wrong and nothing was changed. Try again; if it keeps " \
                  "happening, tell whoever looks after frontdesk (details are in the log)."


def db_work(group: str, *, exclusive: bool = True) -> Callable[[F], F]:
    """A thread worker with its own database connection, closed when it ends.

    Peewee keeps one connection per thread and Textual runs each thread worker
    in a new thread, so the worker opens its own and must close it. The body
    never touches widgets: it posts a message and a handler draws.
    """

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def body(*args: Any, **kwargs: Any) -> Any:
            with db.database.connection_context():
                return method(*args, **kwargs)

        return work(thread=True, exclusive=exclusive, exit_on_error=False, group=group)(body)

    return decorate


def report_failure(app: App, event: Worker.StateChanged) -> None:
    """Turn a failed worker into a message staff can act on; never a traceback."""
    if event.state is not WorkerState.ERROR:
        return
    error = event.worker.error
    if isinstance(error, FrontdeskError):
        app.notify(str(error), severity="error", timeout=8)
    else:
        app.log.error(f"worker {event.worker.name} failed: {error!r}")
        app.notify(GENERIC_FAILURE, severity="error", timeout=10)


class DeskScreen(Screen):
    """A full screen of frontdesk."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self.app, event)


class DeskModal(ModalScreen[R], Generic[R]):
    """A dialog over a screen; `dismiss` hands its caller a result of type R."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self.app, event)


class FormFields:
    """Enter in a field moves to the next one at once, and on the last sends the form.

    Textual's own Enter posts a message that is handled after the keys already
    typed; a receptionist typing "desk⏎secret⏎" would put the password in the
    username box. This binding (screens.actions.FORM, with priority) moves the
    focus before the next key is read, and sends the form only after the fields
    have taken every key typed before the last Enter. Mix in before the Screen class, bind FORM,
    and implement `submit()`.
    """

    def _fields(self) -> list[Widget]:
        return [field for field in self.query("Input, Select")
                if field.display and not field.disabled]

    def action_next_field(self) -> None:
        if not isinstance(self.focused, Input):
            raise SkipAction()  # elsewhere (a list, a Select) Enter keeps its own meaning
        fields = self._fields()
        if self.focused in fields and fields.index(self.focused) + 1 < len(fields):
            self.set_focus(fields[fields.index(self.focused) + 1])
        else:
            self._submit_after(fields)

    def _submit_after(self, fields: list[Widget]) -> None:
        """Send the form once every field has taken the keys already typed into it
        (they wait in each field's own queue; a callback queued there comes after)."""
        if fields:
            fields[0].call_later(self._submit_after, fields[1:])
        else:
            self.submit()

    submit: Callable[[], None]
    """Each form's own: what sending it means."""


def row_under_cursor(table: DataTable, rows: Sequence[T]) -> T | None:
    """The item of `rows` the table's cursor is on; None when there is none (empty list, or
    the table redrawn shorter than the cursor)."""
    row = table.cursor_row
    return rows[row] if rows and 0 <= row < len(rows) else None
