"""Receipts: plain text sized for a receipt printer, the same text as a PDF, and `lp`.

A receipt is drawn from the stored payment alone (the balance left is the one stored
with it), so a reprint months later says exactly what the first print said, marked
REPRINT.
"""

from __future__ import annotations

import subprocess

from frontdesk import audit, clock, config, db
from frontdesk.drawer import money
from frontdesk.errors import FrontdeskError
from frontdesk.patients import Patient
from frontdesk.payments import Payment, Purpose, payment as payment_by_id
from frontdesk.providers import Provider
from frontdesk.schedule import Appointment
from frontdesk.staff import Staff
from frontdesk.text import one_line

__all__ = ["WIDTHS", "PrinterError", "receipt_text", "receipt_pdf", "reprint", "print_text"]

WIDTHS = (40, 32)
"""Characters per line of the two common receipt papers (80 mm and 58 mm)."""
PRINT_SECONDS = 15


class PrinterError(FrontdeskError):
    """The receipt could not be handed to the printer."""


def _pair(left: str, right: str, width: int) -> str:
    room = max(1, width - len(right) - 1)
    return f"{left[:room]:<{room}} {right}"


def _centre(text: str, width: int) -> str:
    return one_line(text)[:width].center(width).rstrip()


def _next_visit(patient_id: int) -> str:
    found = (Appointment.select(Appointment.start, Provider.first_name, Provider.last_name,
                                Provider.credentials)
             .join(Provider)
             .where((Appointment.patient == patient_id) & (Appointment.start > clock.now())
                    & Appointment.status.in_(("scheduled", "confirmed")))
             .order_by(Appointment.start).first())
    if found is None:
        return "none booked"
    provider = Provider(first_name=found.provider.first_name, last_name=found.provider.last_name,
                        credentials=found.provider.credentials)
    return (f"{clock.local(found.start):%a %m/%d/%Y} {clock.wall(found.start)} "
            f"{one_line(provider.short_name)}")


def _payment(value: Payment | int) -> Payment:
    return payment_by_id(value if isinstance(value, int) else value.id)


def receipt_text(payment: Payment | int, *, width: int = 40, reprint: bool = False) -> str:
    """The receipt as printed: `width` 40 (80 mm paper) or 32 (58 mm)."""
    if width not in WIDTHS:
        raise FrontdeskError(f"Receipts are {' or '.join(map(str, WIDTHS))} characters wide.")
    paid = _payment(payment)
    patient = Patient.get_by_id(paid.patient_id)
    settings = config.current()
    rule = "-" * width
    lines = [_centre(settings.clinic_name, width)]
    lines += [_centre(line, width) for line in settings.clinic_address]
    lines.append("")
    title = "REFUND" if paid.amount_cents < 0 else "RECEIPT"
    lines.append(_pair(f"{title} #{paid.receipt_number}", "REPRINT" if reprint else "", width)
                 .rstrip())
    taken_by = one_line(Staff.get_by_id(paid.taken_by_id).name)
    lines.append(_pair(f"{clock.local(paid.taken_at):%m/%d/%Y} {clock.wall(paid.taken_at)}",
                       taken_by[:width // 2], width))
    lines.append(f"Patient: {one_line(patient.full_name)}"[:width])
    lines.append(f"MRN: {one_line(patient.mrn)}"[:width])
    lines.append(rule)
    purpose = Purpose(paid.purpose).label.capitalize()
    lines.append(_pair(purpose, money(abs(paid.amount_cents)), width))
    lines.append(f"  {paid.method_words}"[:width])
    if paid.tendered_cents is not None:
        lines.append(_pair("  Tendered", money(paid.tendered_cents), width))
        lines.append(_pair("  Change", money(paid.change_cents), width))
    if paid.refund_of_id:
        original = Payment.get_by_id(paid.refund_of_id)
        lines.append(f"  Refund of receipt #{original.receipt_number}"[:width])
        lines.append(f"  {one_line(paid.refund_reason)}"[:width])
    lines.append(rule)
    total = "TOTAL REFUNDED" if paid.amount_cents < 0 else "TOTAL PAID"
    lines.append(_pair(total, money(abs(paid.amount_cents)), width))
    lines.append(_pair("Balance left", money(paid.balance_after_cents), width))
    if paid.voided:
        lines += ["", _centre(f"*** VOID {clock.local(paid.voided_at):%m/%d/%Y} ***", width),
                  f"  {one_line(paid.void_reason)}"[:width]]
    lines += ["", "Next appointment:"[:width], f"  {_next_visit(paid.patient_id)}"[:width],
              "", _centre("Thank you", width)]
    if reprint:
        lines.append(_centre("REPRINT", width))
    return "\n".join(lines) + "\n"


def receipt_pdf(payment: Payment | int, *, reprint: bool = False) -> bytes:
    from frontdesk.pdf import text_pdf

    paid = _payment(payment)
    return text_pdf(receipt_text(paid, reprint=reprint),
                    title=f"Receipt {paid.receipt_number}")


def reprint(payment: Payment | int, *, by: Staff) -> str:
    """The receipt again, marked REPRINT; who reprinted it is audited."""
    paid = _payment(payment)
    with db.write(durable=False):
        audit.record("payment.receipt_reprinted", by=by, patient=paid.patient_id,
                     subject=f"payment {paid.id}", detail={"receipt": paid.receipt_number})
    return receipt_text(paid, reprint=True)


def print_text(text: str, printer: str | None = None) -> None:
    """Send text to the receipt printer through the system's `lp`."""
    printer = printer if printer is not None else config.current().receipt_printer
    if not printer:
        raise PrinterError("No receipt printer is set up (receipt_printer in the "
                           "configuration).")
    if printer.startswith("-"):
        raise PrinterError(f"\"{one_line(printer)}\" is not a printer name.")
    try:
        done = subprocess.run(["lp", "-d", printer, "-t", "receipt", "-"], input=text.encode(),
                              capture_output=True, timeout=PRINT_SECONDS, check=False)
    except FileNotFoundError:
        raise PrinterError("lp is not installed on this computer, so nothing can be "
                           "printed.") from None
    except subprocess.TimeoutExpired:
        raise PrinterError(f"The printer {printer} did not answer within {PRINT_SECONDS} "
                           "seconds.") from None
    except OSError as error:
        raise PrinterError(f"The receipt could not be sent to {printer}: {error}.") from None
    if done.returncode != 0:
        said = one_line(done.stderr.decode(errors="replace"))[:120] or "no reason given"
        raise PrinterError(f"The printer {printer} refused the receipt: {said}")
