"""The clinic's settings, from a TOML file with sensible defaults.

A missing file means the defaults. A bad value is refused with a message that
names the key and its line, so whoever edits the file can fix it without help.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdesk import paths
from frontdesk.errors import ConfigError

__all__ = ["Config", "load", "current", "use", "SLOT_MINUTES"]

SLOT_MINUTES = (5, 10, 15, 20, 30, 60)


@dataclass(frozen=True)
class Config:
    clinic_name: str = "Frontdesk Clinic"
    """Shown in the header and printed on receipts."""
    timezone: str = "America/New_York"
    """IANA zone of the clinic's wall clock; every time staff read is in it."""
    phone_region: str = "US"
    """Region for phone numbers typed without a country code (ISO 3166 code)."""
    slot_minutes: int = 15
    """Height of one row of the schedule, in minutes."""
    phone_lines: int = 4
    """How many phone lines the desk has."""
    idle_lock_minutes: int = 5
    """Minutes without a key press before the screen locks."""
    late_cancel_hours: int = 24
    """A cancellation this many hours or fewer before the start is marked late."""
    no_show_grace_minutes: int = 15
    """Minutes after the start before a patient who has not come may be marked a no-show."""
    long_wait_minutes: int = 20
    """Minutes in the waiting room after which a patient is flagged as waiting too long."""
    hold_warn_minutes: int = 2
    """Minutes on hold after which the phone bar flags a line: the caller is waiting."""
    message_due_hours: int = 24
    """Hours a phone message may wait before the inbox flags it overdue (urgent: one hour)."""
    form_renewal_months: dict[str, int] = field(default_factory=lambda: {
        "registration": 12, "privacy": 0, "history": 12, "consent": 12, "financial": 12})
    """Per intake form, months a signed form stays current (0: once is enough)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Key overrides: binding id -> keys, for example "schedule.next_day" = "n"."""
    clinic_address: tuple[str, ...] = ()
    """Up to four lines printed under the clinic's name on receipts and reports."""
    receipt_printer: str = ""
    """The `lp` printer (destination) receipts go to; empty: no receipt printer."""
    drawer: str = "Front 1"
    """The cash drawer this terminal takes payments into."""
    drawer_over_short_threshold_cents: int = 500
    """A drawer off by more than this (in cents) needs a reason and a manager's approval."""
    eligibility_days_ahead: int = 3
    """The insurance worklist lists appointments from today through this many days ahead."""
    verification_fresh_days: int = 30
    """A coverage verified longer ago than this many days is listed as needing a new check."""
    eligibility_folder: str = ""
    """Where the insurance worklist writes 270 files; empty: the user data folder's
    `eligibility` folder. The screen says where each file went."""
    practice_name: str = ""
    """The practice's name as the payers have it, sent in 270 requests; empty: clinic_name."""
    practice_npi: str = ""
    """The practice's (group) NPI, sent in 270 requests (NM1*1P, qualifier XX)."""
    x12_submitter_id: str = ""
    """The clinic's submitter ID at the clearinghouse (ISA06 and GS02 of a 270)."""
    x12_submitter_qualifier: str = "ZZ"
    """What kind of ID x12_submitter_id is (ISA05): ZZ mutually defined, 30 tax ID, 01 DUNS."""
    x12_receiver_id: str = ""
    """The clearinghouse's receiver ID (ISA08 and GS03 of a 270)."""
    x12_receiver_qualifier: str = "ZZ"
    """What kind of ID x12_receiver_id is (ISA07)."""
    x12_authorization: str = ""
    """ISA02, only when the clearinghouse asks for one (ISA01 is then 03)."""
    x12_security: str = ""
    """ISA04, the clearinghouse's interchange password, only when it asks for one."""
    x12_production: bool = False
    """True once the clearinghouse has approved live files (ISA15 P); False sends test files."""
    x12_trace_originator: str = ""
    """TRN03 of each request: "1" followed by the practice's EIN (1043219876), or the ID
    the clearinghouse assigned."""
    x12_service_type: str = "30"
    """What a 270 asks about (EQ01): 30 the whole plan, 98 office visits."""


def _check_timezone(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a time zone name such as \"America/Chicago\""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"\"{value}\" is not a time zone name (try \"America/Chicago\")"
    return None


def _check_region(value: Any) -> str | None:
    import phonenumbers  # slow to import; only needed when the file sets a region

    if not isinstance(value, str) or value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        return "must be a two-letter country code such as \"US\""
    return None


def _whole(low: int, high: int):
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"must be a whole number from {low} to {high}"
        return None

    return check


def _check_slot(value: Any) -> str | None:
    if value not in SLOT_MINUTES or isinstance(value, bool):
        return "must be one of " + ", ".join(map(str, SLOT_MINUTES))
    return None


def _check_name(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 80:
        return "must be text of 1 to 80 characters"
    return None


def _check_renewals(value: Any) -> str | None:
    from frontdesk.forms import KINDS  # the form names live with the forms

    if not isinstance(value, dict) or not all(
        k in KINDS and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 120
        for k, v in value.items()
    ):
        return ("must be a table of form = months (0 to 120), forms being "
                + ", ".join(KINDS))
    return None


def _check_address(value: Any) -> str | None:
    if not isinstance(value, list) or len(value) > 4 or not all(
        isinstance(line, str) and len(line) <= 40 and line.isprintable() for line in value
    ):
        return "must be a list of up to 4 lines of at most 40 characters"
    return None


def _check_drawer(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return "must be a drawer name of 1 to 40 characters, such as \"Front 1\""
    return None


def _check_printer(value: Any) -> str | None:
    # The name goes to lp as one argument: a leading dash would read as an option.
    if not isinstance(value, str) or len(value) > 60 or value.startswith("-") or (
            value and not re.fullmatch(r"[A-Za-z0-9_.@:/-]+", value)):
        return "must be a printer name as lpstat -p lists it (letters, digits, _ . - @)"
    return None


_X12_DELIMITERS = "*~^:"


def _x12_text(width: int, what: str):
    """An ID or password that goes into a fixed-width X12 field."""
    def check(value: Any) -> str | None:
        if (not isinstance(value, str) or len(value) > width or not value.isascii()
                or not value.isprintable() or any(c in value for c in _X12_DELIMITERS)):
            return (f"must be {what} of at most {width} letters and digits, "
                    "without * ~ ^ or :")
        return None

    return check


def _check_qualifier(value: Any) -> str | None:
    if value not in ("01", "14", "20", "27", "28", "29", "30", "33", "ZZ"):
        return "must be an ISA ID qualifier such as \"ZZ\", \"30\" or \"01\""
    return None


def _check_npi(value: Any) -> str | None:
    from frontdesk.providers import npi_is_valid  # only when the file sets an NPI

    if not isinstance(value, str) or (value and not npi_is_valid(value)):
        return "must be a 10-digit NPI whose check digit is right"
    return None


def _check_service_type(value: Any) -> str | None:
    from frontdesk.x12.codes import SERVICE_TYPES  # only when the file sets one

    if not isinstance(value, str) or value not in SERVICE_TYPES:
        return "must be an X12 service type code such as \"30\" (plan) or \"98\" (office visit)"
    return None


def _check_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _check_folder(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 400 or not value.isprintable():
        return "must be a folder path"
    return None


def _check_practice(value: Any) -> str | None:
    if value == "":
        return None
    return _check_name(value)


def _check_keys(value: Any) -> str | None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        return "must be a table of binding id = \"key\" lines"
    return None


_CHECKS = {
    "clinic_name": _check_name,
    "timezone": _check_timezone,
    "phone_region": _check_region,
    "slot_minutes": _check_slot,
    "phone_lines": _whole(1, 12),
    "idle_lock_minutes": _whole(1, 240),
    "late_cancel_hours": _whole(0, 168),
    "no_show_grace_minutes": _whole(0, 240),
    "long_wait_minutes": _whole(1, 480),
    "hold_warn_minutes": _whole(1, 60),
    "message_due_hours": _whole(1, 168),
    "form_renewal_months": _check_renewals,
    "keys": _check_keys,
    "clinic_address": _check_address,
    "receipt_printer": _check_printer,
    "drawer": _check_drawer,
    "drawer_over_short_threshold_cents": _whole(0, 100_000),
    "eligibility_days_ahead": _whole(0, 30),
    "verification_fresh_days": _whole(1, 365),
    "eligibility_folder": _check_folder,
    "practice_name": _check_practice,
    "practice_npi": _check_npi,
    "x12_submitter_id": _x12_text(15, "an ID"),
    "x12_submitter_qualifier": _check_qualifier,
    "x12_receiver_id": _x12_text(15, "an ID"),
    "x12_receiver_qualifier": _check_qualifier,
    "x12_authorization": _x12_text(10, "text"),
    "x12_security": _x12_text(10, "text"),
    "x12_production": _check_bool,
    "x12_trace_originator": _x12_text(10, "an ID"),
    "x12_service_type": _check_service_type,
}


def _line_of(text: str, key: str) -> int | None:
    # [ \t], not \s: \s would run back over blank lines and report an earlier line.
    pattern = re.compile(rf"^[ \t]*(\[[ \t]*)?{re.escape(key)}[ \t]*(=|\])", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _where(path: Path, text: str, key: str) -> str:
    line = _line_of(text, key)
    return f"{path}, line {line}" if line else str(path)


def load(path: Path | None = None) -> Config:
    """Read the configuration, or the defaults when there is no file."""
    path = path or paths.config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read the configuration {path}: {error}") from None
    import tomllib  # only when there is a file to read

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error}).") from None
    known = {f.name for f in dataclasses.fields(Config)}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"{_where(path, text, key)}: unknown setting \"{key}\" "
                f"(known: {', '.join(sorted(known))})."
            )
        problem = _CHECKS[key](value)
        if problem:
            raise ConfigError(f"{_where(path, text, key)}: {key} {problem}.")
    if "form_renewal_months" in raw:  # a file names only the forms it changes
        raw["form_renewal_months"] = {**Config().form_renewal_months,
                                      **raw["form_renewal_months"]}
    if "clinic_address" in raw:  # frozen config: a tuple, not TOML's list
        raw["clinic_address"] = tuple(raw["clinic_address"])
    if "phone_region" in raw:
        raw["phone_region"] = raw["phone_region"].upper()
    return Config(**raw)


_current = Config()


def current() -> Config:
    """The configuration this process runs with."""
    return _current


def use(config: Config) -> None:
    """Run with `config` from now on; the clinic clock follows its time zone."""
    global _current
    from frontdesk import clock

    _current = config
    clock.set_zone(config.timezone)
