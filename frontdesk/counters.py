"""Sequences the clinic hands out: MRNs, receipt numbers, X12 control numbers.

A counter row is read and bumped inside the caller's write transaction, so two
terminals can never hand out the same number.
"""

from __future__ import annotations

import peewee as pw

from frontdesk.db import Model

__all__ = ["Counter", "next_value", "take", "raise_to"]


class Counter(Model):
    name = pw.CharField(max_length=40, primary_key=True)
    value = pw.BigIntegerField()


def next_value(name: str, *, start: int = 1) -> int:
    """The next number of a sequence; call inside `db.write()`."""
    return take(name, 1, start=start)[0]


def take(name: str, count: int, *, start: int = 1) -> range:
    """A block of `count` consecutive numbers, for bulk work; inside `db.write()`."""
    if count < 1:
        return range(0)
    updated = Counter.update(value=Counter.value + count).where(Counter.name == name).execute()
    if not updated:
        Counter.create(name=name, value=start + count - 1)
        return range(start, start + count)
    last = Counter.get_by_id(name).value
    return range(last - count + 1, last + 1)


def raise_to(name: str, value: int, *, start: int = 1) -> None:
    """Make sure the sequence never hands out `value` or anything below it; in `db.write()`."""
    higher = pw.Case(None, [(Counter.value < value, value)], Counter.value)  # portable max()
    if not Counter.update(value=higher).where(Counter.name == name).execute():
        Counter.create(name=name, value=max(value, start - 1))
