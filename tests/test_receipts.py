"""Receipts: what they print, at both widths, as PDF, and through lp."""

from __future__ import annotations

import re
import subprocess
from datetime import time, timedelta

import pytest

from frontdesk import audit, config, db, drawer, payments, receipts, schedule
from frontdesk.patients import Patient
from tests.conftest import TODAY, ZONE


@pytest.fixture
def paid(clinic):
    config.use(config.Config(timezone=ZONE, clinic_name="Elm Street Family Practice",
                             clinic_address=("12 Elm Street", "Springfield, MA 01101")))
    drawer.open(None, {2000: 5}, by=clinic.desk)
    with db.write():
        Patient.update(balance_cents=6000).where(Patient.id == clinic.maria.id).execute()
    schedule.book(clinic.maria, clinic.kim, clinic.follow_up, TODAY + timedelta(days=7), time(9, 30),
                  by=clinic.desk)
    return payments.take(clinic.maria, "40", "prior_balance", "cash", tendered="50",
                         by=clinic.desk)


@pytest.mark.parametrize("width", [40, 32])
def test_a_receipt_says_everything_within_the_paper(clinic, paid, width):
    text = receipts.receipt_text(paid, width=width)
    assert all(len(line) <= width for line in text.splitlines())
    for words in ("Elm Street", "12 Elm Street", f"RECEIPT #{paid.receipt_number}",
                  "Patient: María García", f"MRN: {clinic.maria.mrn}", "Prior balance",
                  "cash", "Tendered", "$50.00", "Change", "$10.00", "TOTAL PAID", "$40.00",
                  "Balance left", "$20.00", "Tue 12/08/2026 9:30 Kim NP", "Dana Desk"):
        assert words in text, words
    assert "REPRINT" not in text


def test_a_reprint_is_marked_and_audited_and_says_the_same(clinic, paid):
    first = receipts.receipt_text(paid)
    with db.write():  # the balance moves on later; the receipt keeps what it said
        Patient.update(balance_cents=0).where(Patient.id == clinic.maria.id).execute()
    again = receipts.reprint(paid, by=clinic.desk)
    assert "REPRINT" in again
    assert again.replace(" REPRINT", "").replace("REPRINT", "").split() == first.split()
    assert audit.AuditEvent.select().where(
        audit.AuditEvent.action == "payment.receipt_reprinted").count() == 1


def test_void_and_refund_receipts(clinic, paid):
    voided = payments.void(paid, "wrong patient", version=paid.version, by=clinic.desk)
    text = receipts.receipt_text(voided)
    assert "VOID" in text and "wrong patient" in text


def test_a_card_receipt_shows_brand_last_four_only(clinic, paid):
    card = payments.take(clinic.john, "12.5", "copay", "card", card_brand="Visa",
                         card_last4="4242", auth_code="A1B2", by=clinic.desk)
    text = receipts.receipt_text(card.id)
    assert "Visa ••4242 auth A1B2" in text and "none booked" in text


def test_the_pdf_is_a_pdf_a_reader_can_open(clinic, paid):
    pdf = receipts.receipt_pdf(paid, reprint=True)
    assert pdf.startswith(b"%PDF-1.4\n")
    # The cross-reference table points at every object where it really is.
    xref_at = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[xref_at:xref_at + 4] == b"xref"
    count = int(re.search(rb"xref\n0 (\d+)\n", pdf).group(1))
    offsets = re.findall(rb"(\d{10}) 00000 n ", pdf)
    assert len(offsets) == count - 1
    for number, offset in enumerate(offsets, start=1):
        assert pdf[int(offset):].startswith(b"%d 0 obj" % number)
    for stream in re.finditer(rb"<< /Length (\d+) >>\nstream\n", pdf):
        body = pdf[stream.end():stream.end() + int(stream.group(1))]
        assert pdf[stream.end() + int(stream.group(1)):].startswith(b"\nendstream")
        assert b"REPRINT" in body or b"RECEIPT" in body
    assert "Garc\xeda".encode("latin-1") in pdf  # the accent survives, WinAnsi


def test_pdf_text_is_escaped():
    from frontdesk.pdf import text_pdf

    pdf = text_pdf("a (b) \\ c\nsecond line")
    assert b"(a \\(b\\) \\\\ c) Tj" in pdf


def test_printing_goes_through_lp_or_says_why_not(clinic, paid, monkeypatch):
    text = receipts.receipt_text(paid)
    with pytest.raises(receipts.PrinterError, match="No receipt printer is set up"):
        receipts.print_text(text)
    sent = {}

    def fake_run(args, **kwargs):
        sent.update(args=args, input=kwargs["input"])
        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(subprocess, "run", fake_run)
    receipts.print_text(text, "Front_desk")
    assert sent["args"][:3] == ["lp", "-d", "Front_desk"] and sent["input"] == text.encode()

    monkeypatch.setattr(subprocess, "run", lambda args, **kw: subprocess.CompletedProcess(
        args, 1, b"", b"lp: The printer or class does not exist.\n"))
    with pytest.raises(receipts.PrinterError, match="refused the receipt: lp: The printer"):
        receipts.print_text(text, "Nowhere")

    def missing(args, **kwargs):
        raise FileNotFoundError("lp")

    monkeypatch.setattr(subprocess, "run", missing)
    with pytest.raises(receipts.PrinterError, match="lp is not installed"):
        receipts.print_text(text, "Front_desk")


def test_the_receipt_settings_are_checked(tmp_path):
    from frontdesk.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text('clinic_address = ["12 Elm Street", "Springfield"]\n'
                    'receipt_printer = "front_desk"\ndrawer = "Front 2"\n'
                    'drawer_over_short_threshold_cents = 1000\n')
    loaded = config.load(path)
    assert loaded.clinic_address == ("12 Elm Street", "Springfield")
    assert (loaded.receipt_printer, loaded.drawer) == ("front_desk", "Front 2")
    assert loaded.drawer_over_short_threshold_cents == 1000
    for bad in ('clinic_address = ["' + "x" * 41 + '"]', 'receipt_printer = "-o evil"',
                'drawer = ""', "drawer_over_short_threshold_cents = -1"):
        path.write_text(bad + "\n")
        with pytest.raises(ConfigError, match="line 1"):
            config.load(path)
