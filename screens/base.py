"""What every screen shares: database workers and how their failures reach staff."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual import work
from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from frontdesk import db
from frontdesk.errors import FrontdeskError

__all__ = ["db_work", "report_failure", "DeskScreen", "DeskModal", "GENERIC_FAILURE"]

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")

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
