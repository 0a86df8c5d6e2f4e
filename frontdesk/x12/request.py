"""Writer for 005010X279A1 270 eligibility requests.

One interchange and one functional group; in it one transaction per payer
(``Batch``): the payer (HL 20), the practice (HL 21), then one subscriber
(HL 22) per inquiry, with a dependent (HL 23) under it when the patient is a
dependent without their own member ID.  Control numbers are passed in;
keeping them unique and persisted is the caller's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from frontdesk.errors import InvalidInput

__all__ = ["Batch", "Dependent", "Envelope", "Inquiry", "Payer", "Provider", "build_270",
           "build_270_batches"]

VERSION = "005010X279A1"
_ISA_VERSION = "00501"
_ELEMENT, _REPETITION, _COMPONENT, _TERMINATOR = "*", "^", ":", "~"
_DELIMITERS = (_ELEMENT, _REPETITION, _COMPONENT, _TERMINATOR)
_MAX_CONTROL = 999_999_999
_TRANSACTION_CONTROL = 1


@dataclass(frozen=True, slots=True)
class Envelope:
    """Clearinghouse settings for ISA/GS (NOTES.md section 4)."""

    sender_id: str
    receiver_id: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    # GS02/GS03 default to the ISA ids; some clearinghouses want others.
    application_sender: str = ""
    application_receiver: str = ""
    authorization_qualifier: str = "00"
    authorization: str = ""
    security_qualifier: str = "00"
    security: str = ""
    production: bool = False
    acknowledgment_requested: bool = False


@dataclass(frozen=True, slots=True)
class Provider:
    """The practice (NM1*1P).  A person when ``first`` is given."""

    npi: str
    name: str
    first: str = ""
    taxonomy: str = ""
    # NM108: XX (NPI) for HIPAA-covered providers; SV when a payer assigned
    # its own provider number instead (then ``npi`` holds that number).
    id_qualifier: str = "XX"
    # TRN03: "1" + the practice's EIN, or an ID the clearinghouse assigned.
    trace_originator: str = ""


@dataclass(frozen=True, slots=True)
class Payer:
    name: str
    id: str


@dataclass(frozen=True, slots=True)
class Dependent:
    """A patient covered under the subscriber's ID (spouse, child)."""

    last: str
    first: str
    dob: date
    gender: str = ""


@dataclass(frozen=True, slots=True)
class Inquiry:
    """One patient to check.

    Send ``dependent`` only when the dependent has no member ID of their
    own; otherwise put the dependent's own ID and name in the subscriber
    fields (NOTES.md section 4).
    """

    trace: str
    member_id: str
    last: str = ""
    first: str = ""
    dob: date | None = None
    dependent: Dependent | None = None
    service_types: Sequence[str] = ("30",)
    service_date: date | None = None
    gender: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    """One payer's inquiries: one ST..SE transaction of the file.

    ``control`` is ST02/SE02 (written with at least four digits);
    ``reference`` is BHT03 and defaults to the group control number.
    """

    payer: Payer
    inquiries: Sequence[Inquiry]
    control: int = _TRANSACTION_CONTROL
    reference: str = ""


@dataclass(slots=True)
class _Writer:
    """Collects segments; trailing empty elements are dropped as X12 asks."""

    segments: list[str] = field(default_factory=list)

    def add(self, *elements: str) -> None:
        values = list(elements)
        while len(values) > 1 and values[-1] == "":
            values.pop()
        self.segments.append(_ELEMENT.join(values))


def _clean(value: str, what: str, field: str | None = None) -> str:
    """Trim a value and refuse delimiter characters that would corrupt the file.

    Data problems are InvalidInput (staff can fix the record); ``field`` is
    the Inquiry/Dependent attribute, so a screen can focus it.
    """
    value = value.strip()
    bad = "".join(c for c in _DELIMITERS if c in value)
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise InvalidInput(
            f"The {what} '{value}' contains {shown}, which cannot be sent to the "
            f"payer. Remove it from the record and check eligibility again.",
            field=field,
        )
    return value


def _fixed(value: str, width: int, what: str) -> str:
    value = _clean(value, what)
    if len(value) > width:
        raise InvalidInput(
            f"The {what} '{value}' is longer than {width} characters. "
            f"Check the clearinghouse settings."
        )
    return value.ljust(width)


def _control(number: int, what: str) -> int:
    # A caller bug (the counters hand out valid numbers), not a data problem.
    if not 1 <= number <= _MAX_CONTROL:
        raise ValueError(f"{what} must be between 1 and {_MAX_CONTROL}, not {number}")
    return number


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _isa(envelope: Envelope, created: datetime, control: int) -> str:
    # Every ISA field is fixed width; the result is always 106 characters
    # with its terminator, and receivers read it by position.
    fields = [
        "ISA",
        _fixed(envelope.authorization_qualifier, 2, "ISA01"),
        _fixed(envelope.authorization, 10, "authorization (ISA02)"),
        _fixed(envelope.security_qualifier, 2, "ISA03"),
        _fixed(envelope.security, 10, "security (ISA04)"),
        _fixed(envelope.sender_qualifier, 2, "sender qualifier (ISA05)"),
        _fixed(envelope.sender_id, 15, "sender ID (ISA06)"),
        _fixed(envelope.receiver_qualifier, 2, "receiver qualifier (ISA07)"),
        _fixed(envelope.receiver_id, 15, "receiver ID (ISA08)"),
        created.strftime("%y%m%d"),
        created.strftime("%H%M"),
        _REPETITION,
        _ISA_VERSION,
        f"{control:09d}",
        "1" if envelope.acknowledgment_requested else "0",
        "P" if envelope.production else "T",
        _COMPONENT,
    ]
    return _ELEMENT.join(fields)


def _group_header(writer: _Writer, envelope: Envelope, created: datetime, group: int) -> None:
    writer.add(
        "GS",
        "HS",
        _clean(envelope.application_sender or envelope.sender_id, "application sender (GS02)"),
        _clean(
            envelope.application_receiver or envelope.receiver_id, "application receiver (GS03)"
        ),
        created.strftime("%Y%m%d"),
        created.strftime("%H%M"),
        str(group),
        "X",
        VERSION,
    )


def _transaction_header(writer: _Writer, created: datetime, control: str, reference: str) -> None:
    writer.add("ST", "270", control, VERSION)
    # 0022 = information source, receiver, subscriber hierarchy; 13 = request.
    writer.add(
        "BHT",
        "0022",
        "13",
        _clean(reference, "reference (BHT03)"),
        created.strftime("%Y%m%d"),
        created.strftime("%H%M"),
    )


def _payer_and_provider(writer: _Writer, payer: Payer, provider: Provider) -> None:
    writer.add("HL", "1", "", "20", "1")
    writer.add(
        "NM1",
        "PR",
        "2",
        _clean(payer.name, "payer name"),
        "",
        "",
        "",
        "",
        "PI",
        _clean(payer.id, "payer ID"),
    )
    writer.add("HL", "2", "1", "21", "1")
    person = bool(provider.first.strip())
    writer.add(
        "NM1",
        "1P",
        "1" if person else "2",
        _clean(provider.name, "provider name"),
        _clean(provider.first, "provider first name"),
        "",
        "",
        "",
        _clean(provider.id_qualifier, "provider ID qualifier"),
        _clean(provider.npi, "provider NPI"),
    )
    if provider.taxonomy.strip():
        writer.add("PRV", "PE", "PXC", _clean(provider.taxonomy, "provider taxonomy"))


def _check(inquiry: Inquiry) -> None:
    has_id = bool(inquiry.member_id.strip())
    has_search = bool(inquiry.last.strip() and inquiry.first.strip() and inquiry.dob)
    if not (has_id or has_search):
        raise InvalidInput(
            "To check eligibility the payer needs the member ID, or the last name, "
            "first name and date of birth. Add them to the patient's insurance.",
            field="member_id",
        )
    if not inquiry.trace.strip():
        raise ValueError("every inquiry needs a trace number (TRN02)")
    if not inquiry.service_types:
        raise ValueError(f"inquiry {inquiry.trace!r} asks for no service type")


def _trace(writer: _Writer, inquiry: Inquiry, provider: Provider) -> None:
    writer.add(
        "TRN",
        "1",
        _clean(inquiry.trace, "trace number", "trace"),
        _clean(provider.trace_originator, "trace originator (TRN03)"),
    )


def _benefit_request(writer: _Writer, inquiry: Inquiry) -> None:
    if inquiry.service_date is not None:
        writer.add("DTP", "291", "D8", _d8(inquiry.service_date))
    # One EQ per service type: every payer accepts it, not every payer
    # accepts EQ01 repetitions.
    for code in inquiry.service_types:
        writer.add("EQ", _clean(code, "service type", "service_types"))


def _subscriber(writer: _Writer, inquiry: Inquiry, provider: Provider, number: int) -> int:
    """HL 22 (and HL 23); returns the next free HL number."""
    dependent = inquiry.dependent
    writer.add("HL", str(number), "2", "22", "1" if dependent else "0")
    if dependent is None:
        _trace(writer, inquiry, provider)
    member_id = _clean(inquiry.member_id, "member ID", "member_id")
    writer.add(
        "NM1",
        "IL",
        "1",
        _clean(inquiry.last, "last name", "last"),
        _clean(inquiry.first, "first name", "first"),
        "",
        "",
        "",
        "MI" if member_id else "",
        member_id,
    )
    if inquiry.dob is not None:
        writer.add("DMG", "D8", _d8(inquiry.dob), _clean(inquiry.gender, "sex", "gender"))
    if dependent is None:
        _benefit_request(writer, inquiry)
        return number + 1
    writer.add("HL", str(number + 1), str(number), "23", "0")
    _trace(writer, inquiry, provider)
    writer.add(
        "NM1",
        "03",
        "1",
        _clean(dependent.last, "dependent's last name", "last"),
        _clean(dependent.first, "dependent's first name", "first"),
    )
    writer.add(
        "DMG", "D8", _d8(dependent.dob), _clean(dependent.gender, "dependent's sex", "gender")
    )
    _benefit_request(writer, inquiry)
    return number + 2


def build_270(
    envelope: Envelope,
    provider: Provider,
    payer: Payer,
    inquiries: Sequence[Inquiry],
    *,
    interchange_control: int,
    group_control: int,
    created: datetime | None = None,
    reference: str | None = None,
    line_breaks: bool = True,
) -> str:
    """The text of a 270 file asking ``payer`` about every inquiry.

    ``reference`` is BHT03 (defaults to the group control number).
    ``line_breaks`` puts a newline after each "~", which clearinghouses
    accept and people can read.
    """
    return build_270_batches(
        envelope,
        provider,
        [Batch(payer, inquiries, _TRANSACTION_CONTROL, reference or "")],
        interchange_control=interchange_control,
        group_control=group_control,
        created=created,
        line_breaks=line_breaks,
    )


def build_270_batches(
    envelope: Envelope,
    provider: Provider,
    batches: Sequence[Batch],
    *,
    interchange_control: int,
    group_control: int,
    created: datetime | None = None,
    line_breaks: bool = True,
) -> str:
    """One 270 file for several payers: a transaction per ``Batch``.

    Every batch needs at least one inquiry and its own control number.
    """
    if not batches:
        raise ValueError("a 270 needs at least one inquiry")
    controls = [batch.control for batch in batches]
    if len(set(controls)) != len(controls):
        raise ValueError(f"transaction control numbers repeat: {controls}")
    for batch in batches:
        if not batch.inquiries:
            raise ValueError("a 270 needs at least one inquiry")
        for inquiry in batch.inquiries:
            _check(inquiry)
    if not provider.trace_originator.strip():
        raise ValueError("the provider needs a trace originator ID (TRN03)")
    created = created or datetime.now()
    interchange_control = _control(interchange_control, "interchange control number")
    group_control = _control(group_control, "group control number")
    writer = _Writer()
    _group_header(writer, envelope, created, group_control)
    for batch in batches:
        control = f"{_control(batch.control, 'transaction control number'):04d}"
        first = len(writer.segments)
        _transaction_header(writer, created, control, batch.reference or str(group_control))
        _payer_and_provider(writer, batch.payer, provider)
        number = 3
        for inquiry in batch.inquiries:
            number = _subscriber(writer, inquiry, provider, number)
        # SE counts its transaction's segments from ST through SE itself.
        writer.add("SE", str(len(writer.segments) - first + 1), control)
    writer.add("GE", str(len(batches)), str(group_control))
    writer.add("IEA", "1", f"{interchange_control:09d}")
    separator = _TERMINATOR + ("\n" if line_breaks else "")
    body = [_isa(envelope, created, interchange_control), *writer.segments]
    return separator.join(body) + separator
