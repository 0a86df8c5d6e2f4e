"""Providers and their weekly hours."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

import peewee as pw

from frontdesk import audit, changes, db
from frontdesk.errors import NotFound, Conflict, InvalidInput
from frontdesk.roles import Permission, require
from frontdesk.staff import Staff
from frontdesk.text import typed

__all__ = [
    "Provider",
    "ProviderHours",
    "COLOURS",
    "npi_is_valid",
    "add_provider",
    "set_hours",
    "hours_on",
    "stretches",
    "active_providers",
]

COLOURS = ("blue", "green", "magenta", "cyan", "yellow", "red")
"""Colours that read in 16-colour terminals; a provider's column is tinted with one."""

_DOCTORS = {"MD", "DO", "DPM", "DDS", "DMD", "OD", "PHD", "PSYD", "DC"}


def npi_is_valid(npi: str) -> bool:
    """The NPI check digit: Luhn over the prefix 80840 and the first nine digits."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(d) for d in "80840" + npi[:9]]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:  # doubled: every second digit from the right, starting here
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


class Provider(db.Model):
    first_name = pw.CharField(max_length=50)
    last_name = pw.CharField(max_length=50)
    credentials = pw.CharField(max_length=20)
    npi = pw.CharField(max_length=10, unique=True)
    specialty = pw.CharField(max_length=60)
    colour = pw.CharField(max_length=12, default="blue")
    active = pw.BooleanField(default=True)
    position = pw.IntegerField(default=0)
    """Order of the provider's column on the schedule."""
    max_at_once = pw.SmallIntegerField(default=1)
    """Appointments the provider may hold at the same time (over 1 allows overbooking,
    each one confirmed by staff)."""

    @property
    def is_doctor(self) -> bool:
        return self.credentials.replace(".", "").upper() in _DOCTORS

    @property
    def short_name(self) -> str:
        """What fits a schedule column: `Dr. Patel`, or `Kim NP`."""
        if self.is_doctor:
            return f"Dr. {self.last_name}"
        return f"{self.last_name} {self.credentials}"

    @property
    def display_name(self) -> str:
        """The full, unique name scripts use: `Anita Patel, MD`."""
        return f"{self.first_name} {self.last_name}, {self.credentials}"


class ProviderHours(db.Model):
    """One stretch of a provider's working week, in the clinic's wall-clock time."""

    provider = pw.ForeignKeyField(Provider, backref="hours", on_delete="CASCADE")
    weekday = pw.SmallIntegerField()
    """0 is Monday, as in Python's `date.weekday()`."""
    starts = pw.TimeField()
    ends = pw.TimeField()

    class Meta:
        indexes = ((("provider", "weekday"), False),)


def add_provider(*, first_name: str, last_name: str, credentials: str, npi: str,
                 specialty: str, colour: str = "blue", by: Staff) -> Provider:
    require(by, Permission.EDIT_SETUP)
    first_name = typed(first_name, field="first_name", label="First name", limit=50, required=True)
    last_name = typed(last_name, field="last_name", label="Last name", limit=50, required=True)
    credentials = typed(credentials, field="credentials", label="Credentials", limit=20, required=True)
    specialty = typed(specialty, field="specialty", label="Specialty", limit=60, required=True)
    npi = npi.strip()
    if not (len(npi) == 10 and npi.isdigit()):
        raise InvalidInput(f"NPI \"{npi}\" must be 10 digits.", field="npi")
    if not npi_is_valid(npi):
        raise InvalidInput(f"NPI {npi} fails its check digit; check for a typo.", field="npi")
    if colour not in COLOURS:
        raise InvalidInput(f"Colour must be one of {', '.join(COLOURS)}.", field="colour")
    with db.write():
        if Provider.select().where(Provider.npi == npi).exists():
            raise Conflict(f"A provider with NPI {npi} is already on file.", field="npi")
        position = (Provider.select(pw.fn.MAX(Provider.position)).scalar() or 0) + 1
        provider = Provider.create(first_name=first_name, last_name=last_name,
                                   credentials=credentials, npi=npi, specialty=specialty,
                                   colour=colour, position=position)
        audit.record("provider.created", by=by, subject=f"provider {provider.id}",
                     detail={"name": provider.display_name, "npi": npi})
        changes.record("provider", str(provider.id))
    return provider


def set_hours(provider: Provider, week: dict[int, Iterable[tuple[time, time]]], *,
              by: Staff) -> None:
    """Replace a provider's weekly hours: weekday -> stretches of (start, end)."""
    require(by, Permission.EDIT_SETUP)
    rows = []
    for weekday, stretches in week.items():
        if not 0 <= weekday <= 6:
            raise InvalidInput(f"Weekday {weekday} must be 0 (Monday) to 6 (Sunday).")
        ordered = sorted(stretches)
        for (start, end), following in zip(ordered, ordered[1:] + [None]):
            if end <= start:
                raise InvalidInput(f"Hours {start:%H:%M}-{end:%H:%M} end before they start.")
            if following and following[0] < end:
                raise InvalidInput(
                    f"Hours {start:%H:%M}-{end:%H:%M} overlap {following[0]:%H:%M}-"
                    f"{following[1]:%H:%M}."
                )
            rows.append({"provider": provider.id, "weekday": weekday, "starts": start,
                         "ends": end})
    with db.write():
        ProviderHours.delete().where(ProviderHours.provider == provider).execute()
        if rows:
            ProviderHours.insert_many(rows).execute()
        audit.record("provider.hours_set", by=by, subject=f"provider {provider.id}",
                     detail={"stretches": len(rows)})
        changes.record("provider", str(provider.id))


def get(provider_id: int) -> Provider:
    """One provider, or NotFound in staff words."""
    found = Provider.get_or_none(Provider.id == provider_id)
    if found is None:
        raise NotFound(f"There is no provider {provider_id}.")
    return found


def active_providers() -> list[Provider]:
    return list(Provider.select().where(Provider.active).order_by(Provider.position,
                                                                  Provider.id))


_stretches = db.Statement(lambda v: (
    ProviderHours.select(ProviderHours.starts, ProviderHours.ends)
    .where((ProviderHours.provider == v("provider")) & (ProviderHours.weekday == v("weekday")))
    .order_by(ProviderHours.starts)
))


def stretches(provider: Provider, day: date) -> list[tuple[time, time]]:
    """One provider's working stretches on a day."""
    to_time = ProviderHours.starts.python_value
    return [(to_time(a), to_time(b)) for a, b in _stretches.rows(provider=provider.id, weekday=day.weekday())]


def hours_on(day: date, providers: Iterable[Provider]) -> dict[int, list[tuple[time, time]]]:
    """Each provider's working stretches on a day, in one query."""
    ids = [p.id for p in providers]
    found: dict[int, list[tuple[time, time]]] = {i: [] for i in ids}
    query = (ProviderHours.select(ProviderHours.provider, ProviderHours.starts, ProviderHours.ends)
             .where(ProviderHours.provider.in_(ids), ProviderHours.weekday == day.weekday())
             .order_by(ProviderHours.starts).tuples())
    for provider_id, starts, ends in query:
        found[provider_id].append((starts, ends))
    return found
