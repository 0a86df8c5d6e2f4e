"""Driving the app as staff do: keys in, what the screen shows out."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.widgets import Input

from screens.widgets.day_grid import DayGrid


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages be drawn, without sleeping blind."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot, condition, timeout: float = 3.0) -> None:
    """Wait for something another process causes (change feed, say)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not seen within {timeout} s")
        await pilot.pause(0.05)


def screen_text(pilot: Pilot) -> str:
    """Everything drawn on the terminal right now, as plain lines.

    Reads the compositor's strips: private API, but the one way to see exactly the
    characters staff would see, modal dialogs and all.
    """
    strips = pilot.app.screen._compositor.render_strips()  # noqa: SLF001
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def grid(pilot: Pilot) -> DayGrid:
    return pilot.app.screen.query_one("#grid", DayGrid)


def grid_cells(pilot: Pilot) -> str:
    """Every cell of the grid as drawn, joined, for asserting on what it holds."""
    table = grid(pilot)
    return "\n".join(" | ".join(table.cell_text(row, column)
                                for column in range(table.column_count))
                     for row in range(table.row_count))


async def type_into(pilot: Pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector, Input).focus()
    await pilot.pause()
    await pilot.press(*text)


def no_blink(pilot: Pilot) -> None:
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
