"""Phone numbers: stored in E.164, shown the way the clinic's region writes them."""

from __future__ import annotations

import functools
import re

from frontdesk import config
from frontdesk.errors import InvalidInput

__all__ = ["normalize", "display"]

_PLAIN = re.compile(r"^\+?[0-9 ().\-]+$")
"""A number written with digits and the usual punctuation only (no letters, no ext.)."""


@functools.cache
def _lib():
    import phonenumbers  # slow to import: only when a number is handled

    return phonenumbers


def normalize(text: str, *, field: str = "phone", region: str | None = None) -> str:
    """The E.164 form of a typed number, or `InvalidInput` saying what is wrong."""
    pn = _lib()
    region = region or config.current().phone_region
    typed = text.strip()
    if not typed:
        raise InvalidInput("Type a phone number.", field=field)
    # phonenumbers walks the text character by character, twice; handing it just the
    # digits of a plainly written number is the same number, read three times faster.
    plain = ("+" if typed.startswith("+") else "") + re.sub(r"[^0-9]", "", typed) \
        if _PLAIN.match(typed) else typed
    try:
        number = pn.parse(plain, region)
    except pn.NumberParseException as error:
        reasons = {
            pn.NumberParseException.INVALID_COUNTRY_CODE: "its country code is not known",
            pn.NumberParseException.NOT_A_NUMBER: "it is not a phone number",
            pn.NumberParseException.TOO_SHORT_NSN: "it is too short",
            pn.NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short",
            pn.NumberParseException.TOO_LONG: "it is too long",
        }
        reason = reasons.get(error.error_type, "it cannot be read")
        raise InvalidInput(f"Phone number \"{typed}\": {reason}.", field=field) from None
    # The clinic's own region first: one region's rules instead of every region
    # sharing the country code (+1 has two dozen), and most numbers are local.
    if not (pn.is_valid_number_for_region(number, region) or pn.is_valid_number(number)):
        possible = pn.is_possible_number_with_reason(number)
        reason = {
            pn.ValidationResult.TOO_SHORT: "it is too short",
            pn.ValidationResult.TOO_LONG: "it is too long",
            pn.ValidationResult.INVALID_COUNTRY_CODE: "its country code is not known",
        }.get(possible, "no such number can exist; check the area code and the digits")
        raise InvalidInput(f"Phone number \"{typed}\": {reason}.", field=field)
    return pn.format_number(number, pn.PhoneNumberFormat.E164)


def display(e164: str | None, *, region: str | None = None) -> str:
    """A stored number as staff write it: national for local numbers, else international."""
    if not e164:
        return ""
    pn = _lib()
    region = region or config.current().phone_region
    try:
        number = pn.parse(e164, None)
    except pn.NumberParseException:
        return e164
    if pn.region_code_for_number(number) == region:
        return pn.format_number(number, pn.PhoneNumberFormat.NATIONAL)
    return pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL)
