"""The change feed: how one terminal learns what another has just written.

Each write that other screens may be showing records a (topic, key) pair, for
example ("appointment", "2026-12-01"), in the same transaction. Terminals poll
for rows past the last id they have seen, a query on the primary key that costs
next to nothing, and refresh only what the topics touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import peewee as pw

from frontdesk import clock
from frontdesk.db import InstantField, Model

__all__ = ["Change", "ChangeFeedRow", "record", "since", "latest"]

KEEP = timedelta(days=2)
"""How long change rows are kept; a terminal away longer reloads everything."""


class ChangeFeedRow(Model):
    at = InstantField()
    topic = pw.CharField(max_length=40)
    key = pw.CharField(max_length=80)

    class Meta:
        table_name = "change_feed"


@dataclass(frozen=True)
class Change:
    id: int
    topic: str
    key: str


def record(topic: str, key: str) -> None:
    """Note a change; call inside the write transaction that made it."""
    database = ChangeFeedRow._meta.database
    p = database.param  # hand-written: this runs in every write transaction
    cursor = database.execute_sql(
        f"INSERT INTO change_feed (at, topic, key) VALUES ({p}, {p}, {p})",
        (ChangeFeedRow.at.db_value(clock.now()), topic, key),
    )
    if cursor.lastrowid and cursor.lastrowid % 500 == 0:  # now and then, forget old rows
        ChangeFeedRow.delete().where(ChangeFeedRow.at < clock.now() - KEEP).execute()


def latest() -> int:
    """The id of the newest change, or 0: where a new terminal starts listening."""
    return ChangeFeedRow.select(pw.fn.MAX(ChangeFeedRow.id)).scalar() or 0


def since(last_id: int) -> list[Change]:
    """Changes after `last_id`, oldest first."""
    query = (
        ChangeFeedRow.select(ChangeFeedRow.id, ChangeFeedRow.topic, ChangeFeedRow.key)
        .where(ChangeFeedRow.id > last_id)
        .order_by(ChangeFeedRow.id)
        .tuples()
    )
    return [Change(*row) for row in query]
