"""Writer for 005010X279A1 271 eligibility responses: the payer's side.

The clinic never sends a 271; this writes the answers a payer would, so the
demo clinic, the tests and the benchmarks can import real files through the
same reader that reads the clearinghouse's.  The shape follows the X279 guide
example (shared/x12 file 1): payer, information receiver, then one subscriber
loop per reply, with a dependent loop under it when the patient is a dependent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from .request import (
    _COMPONENT,
    _ELEMENT,
    _REPETITION,
    _TERMINATOR,
    VERSION,
    Envelope,
    Payer,
    Provider,
    _clean,
    _control,
    _d8,
    _fixed,
    _Writer,
)

__all__ = ["Reply", "build_271"]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the payer says about one inquiry.

    ``last``/``first``/``dob`` name the subscriber; with ``dependent_last``
    set, the patient is a dependent under the subscriber's member ID.
    ``rejection`` is (AAA03 reason, AAA04 follow-up) at the patient's 2100
    loop, and then no benefit is sent.  ``extra`` segments (elements without
    the separators) follow the standard benefit lines, for long answers.
    """

    trace: str
    member_id: str
    last: str = ""
    first: str = ""
    dob: date | None = None
    dependent_last: str = ""
    dependent_first: str = ""
    dependent_dob: date | None = None
    active: bool = True
    plan_name: str = ""
    plan_begin: date | None = None
    office_copay_cents: int | None = None
    specialist_copay_cents: int | None = None
    deductible_total_cents: int | None = None
    deductible_remaining_cents: int | None = None
    coinsurance_percent: Decimal | int | None = None
    oop_max_cents: int | None = None
    oop_remaining_cents: int | None = None
    rejection: tuple[str, str] | None = None
    extra: Sequence[Sequence[str]] = field(default_factory=tuple)


def _amount(cents: int) -> str:
    whole, part = divmod(cents, 100)
    return f"{whole}.{part:02d}" if part else str(whole)


def _fraction(percent: Decimal | int) -> str:
    return format((Decimal(percent) / 100).normalize(), "f")


def _isa(envelope: Envelope, created: datetime, control: int) -> str:
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
        "00501",
        f"{control:09d}",
        "0",
        "P" if envelope.production else "T",
        _COMPONENT,
    ]
    return _ELEMENT.join(fields)


def _benefits(writer: _Writer, reply: Reply) -> None:
    if reply.plan_begin is not None:
        writer.add("DTP", "346", "D8", _d8(reply.plan_begin))
    writer.add("EB", "1" if reply.active else "6", "IND", "30", "",
               _clean(reply.plan_name, "plan name"))
    if not reply.active:
        return
    if reply.office_copay_cents is not None:
        writer.add("EB", "B", "IND", "98", "", "", "27", _amount(reply.office_copay_cents),
                   "", "", "", "", "Y")
        writer.add("MSG", "PRIMARY CARE OFFICE VISIT")
    if reply.specialist_copay_cents is not None:
        writer.add("EB", "B", "IND", "98", "", "", "27", _amount(reply.specialist_copay_cents),
                   "", "", "", "", "Y")
        writer.add("MSG", "SPECIALIST OFFICE VISIT")
    for kind, total, remaining in (
        ("C", reply.deductible_total_cents, reply.deductible_remaining_cents),
        ("G", reply.oop_max_cents, reply.oop_remaining_cents),
    ):
        if total is not None:
            writer.add("EB", kind, "IND", "30", "", "", "23", _amount(total),
                       "", "", "", "", "Y")
        if remaining is not None:
            writer.add("EB", kind, "IND", "30", "", "", "29", _amount(remaining),
                       "", "", "", "", "Y")
    if reply.coinsurance_percent is not None:
        writer.add("EB", "A", "IND", "98", "", "", "27", "", _fraction(reply.coinsurance_percent),
                   "", "", "", "Y")
    for segment in reply.extra:
        writer.add(*segment)


def _reply(writer: _Writer, reply: Reply, payer_trace_id: str, number: int) -> int:
    dependent = bool(reply.dependent_last)
    writer.add("HL", str(number), "2", "22", "1" if dependent else "0")
    if not dependent:
        writer.add("TRN", "2", _clean(reply.trace, "trace number"), payer_trace_id)
    writer.add("NM1", "IL", "1", _clean(reply.last, "last name"), _clean(reply.first, "first name"),
               "", "", "", "MI", _clean(reply.member_id, "member ID"))
    if reply.rejection is not None and not dependent:
        writer.add("AAA", "N", "", *reply.rejection)
    if reply.dob is not None:
        writer.add("DMG", "D8", _d8(reply.dob))
    if not dependent:
        if reply.rejection is None:
            _benefits(writer, reply)
        return number + 1
    writer.add("HL", str(number + 1), str(number), "23", "0")
    writer.add("TRN", "2", _clean(reply.trace, "trace number"), payer_trace_id)
    writer.add("NM1", "03", "1", _clean(reply.dependent_last, "dependent's last name"),
               _clean(reply.dependent_first, "dependent's first name"))
    if reply.rejection is not None:
        writer.add("AAA", "N", "", *reply.rejection)
    if reply.dependent_dob is not None:
        writer.add("DMG", "D8", _d8(reply.dependent_dob))
    if reply.rejection is None:
        _benefits(writer, reply)
    return number + 2


def build_271(
    envelope: Envelope,
    payer: Payer,
    provider: Provider,
    replies: Sequence[Reply],
    *,
    interchange_control: int,
    group_control: int,
    created: datetime,
    payer_trace_id: str = "9999999999",
) -> str:
    """The text of a 271 file answering every reply, in one transaction."""
    if not replies:
        raise ValueError("a 271 needs at least one reply")
    interchange_control = _control(interchange_control, "interchange control number")
    group_control = _control(group_control, "group control number")
    writer = _Writer()
    writer.add("GS", "HB", _clean(envelope.sender_id, "sender ID"),
               _clean(envelope.receiver_id, "receiver ID"), created.strftime("%Y%m%d"),
               created.strftime("%H%M"), str(group_control), "X", VERSION)
    writer.add("ST", "271", "0001", VERSION)
    writer.add("BHT", "0022", "11", str(group_control), created.strftime("%Y%m%d"),
               created.strftime("%H%M"))
    writer.add("HL", "1", "", "20", "1")
    writer.add("NM1", "PR", "2", _clean(payer.name, "payer name"), "", "", "", "", "PI",
               _clean(payer.id, "payer ID"))
    writer.add("HL", "2", "1", "21", "1")
    writer.add("NM1", "1P", "2", _clean(provider.name, "provider name"), "", "", "", "",
               provider.id_qualifier, _clean(provider.npi, "provider NPI"))
    number = 3
    for reply in replies:
        number = _reply(writer, reply, payer_trace_id, number)
    writer.add("SE", str(len(writer.segments)), "0001")
    writer.add("GE", "1", str(group_control))
    writer.add("IEA", "1", f"{interchange_control:09d}")
    separator = _TERMINATOR + "\n"
    return separator.join([_isa(envelope, created, interchange_control), *writer.segments]) \
        + separator
