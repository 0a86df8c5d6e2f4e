"""Taking a payment (`p` at check-in, check-out, on the patient's record, in the Drawer
area), its receipt, and every bad input refused with the form kept; keys only, 80x24."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from frontdesk import audit, clock, config, drawer, payments, schedule
from frontdesk.payments import Payment
from screens.app import FrontdeskApp
from screens.checkin import CheckInPanel, CheckOutPanel
from screens.drawer import DrawerScreen, OpenDrawer
from screens.patient import PatientScreen
from screens.payment import PaymentForm
from screens.payment_history import PaymentHistory
from screens.refund import VoidForm
from screens.receipt import Printout
from tests.conftest import TODAY, ZONE
from tests.ui.helpers import grid, screen_text, settle


@pytest.fixture(autouse=True)
def printouts_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Saved PDFs go under a user data directory of the test's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "frontdesk" / "printouts"


def _copay_due(status: str = "scheduled") -> schedule.DayAppointment:
    """Today's first appointment in `status` whose patient has a copay still due."""
    for appointment in schedule.day(TODAY).appointments:
        if appointment.status.value == status:
            due = payments.collect_today(appointment.patient_id, appointment.id).copay_due_cents
            if due:
                return appointment
    raise AssertionError(f"the demo has no {status} appointment with a copay due")


async def _open_record(pilot, patient_id: int) -> None:
    await settle(pilot)
    pilot.app.open_patient(patient_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, PatientScreen)


def _field(pilot, selector: str) -> str:
    return pilot.app.screen.query_one(selector).value


async def test_cash_with_change_at_check_in_then_voided_from_the_drawer(desk_user) -> None:
    appointment = _copay_due()
    due = payments.collect_today(appointment.patient_id, appointment.id).copay_due_cents
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid(pilot).go_to_appointment(appointment)
        await pilot.pause()
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckInPanel)
        await pilot.press("p")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, PaymentForm)
        text = screen_text(pilot)
        assert f"estimate {drawer.money(due)} due" in text
        assert _field(pilot, "#amount") == f"{due // 100}.{due % 100:02d}"
        assert form.query_one("#purpose").value == "copay"
        # The amount is right: on to what it is for (copay, kept), cash, the tendered.
        tendered = due // 100 + 20
        await pilot.press("enter", "c", "c", *str(tendered))
        await settle(pilot)
        assert f"Change due $20.00" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Printout)
        receipt = screen_text(pilot)
        assert "Tendered" in receipt and f"${tendered}.00" in receipt and "$20.00" in receipt
        taken = Payment.select().order_by(Payment.id.desc()).first()
        assert (taken.amount_cents, taken.purpose, taken.method) == (due, "copay", "cash")
        assert (taken.tendered_cents, taken.change_cents) == (tendered * 100, 2000)
        assert taken.appointment_id == appointment.id and taken.taken_by_id == desk_user.id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckInPanel)  # the check-in goes on
        await pilot.press("escape", "alt+d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DrawerScreen)
        assert f"#{taken.receipt_number}" in screen_text(pilot)  # the newest, under the cursor
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(pilot.app.screen, VoidForm)
        await pilot.press("enter")  # no reason: refused, the dialog stays
        await settle(pilot)
        assert "Say why the payment is voided." in screen_text(pilot)
        await pilot.press(*"Wrong patient", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DrawerScreen)
        assert "✗ void" in screen_text(pilot) and "VOID: Wrong patient" in screen_text(pilot)
    voided = Payment.get_by_id(taken.id)
    assert voided.voided_at == clock.now() and voided.voided_by_id == desk_user.id
    assert voided.void_reason == "Wrong patient" and voided.amount_cents == due  # kept


async def test_bad_inputs_are_refused_under_their_field_and_the_form_kept(desk_user) -> None:
    appointment = _copay_due()
    before = Payment.select().count()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _open_record(pilot, appointment.patient_id)
        await pilot.press("p")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, PaymentForm)
        amount = form.query_one("#amount")

        async def attempt(typed: str, message: str) -> None:
            amount.value = typed
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert pilot.app.screen is form
            assert message in screen_text(pilot), screen_text(pilot)
            assert amount.value == typed

        await attempt("0", "Amount must be more than zero.")
        await attempt("-5", "Amount cannot be negative.")
        await attempt("12.345", "Amount has more than two decimals (cents).")
        await attempt("12.34", "Choose how the patient pays: cash, check, card.")
        # Cash: a tendered amount under the amount is said at once, and again on ^s.
        form.query_one("#method").focus()
        await pilot.press("c", *"10")
        await settle(pilot)
        said = "The cash tendered ($10.00) is less than the amount ($12.34)."
        assert said in screen_text(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert said in screen_text(pilot) and _field(pilot, "#tendered") == "10"
        # A check with no number.
        form.query_one("#method").focus()
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "A check payment needs the check's number." in screen_text(pilot)
        # Card digits that are a whole card number: never kept.
        form.query_one("#method").focus()
        await pilot.press("d", "v", *"4111 1111 1111 1111", "enter", *"A1B2")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "looks like a full card number" in screen_text(pilot)
        assert _field(pilot, "#card_last4") == "4111 1111 1111 1111"
        assert _field(pilot, "#auth_code") == "A1B2" and amount.value == "12.34"
        assert form.query_one("#card_brand").value == "Visa"
        # Put right, the same form takes it.
        form.query_one("#card_last4").value = "1111"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Printout)
        assert "Visa ••1111 auth A1B2" in screen_text(pilot)
    assert Payment.select().count() == before + 1
    assert audit.AuditEvent.select().where(audit.AuditEvent.action == "payment.taken").count()


async def test_with_no_drawer_open_staff_open_it_and_the_payment_goes_on(
        desk_user, clinic_settings) -> None:
    config.use(config.Config(timezone=ZONE, drawer="Front 2"))
    appointment = _copay_due()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _open_record(pilot, appointment.patient_id)
        await pilot.press("p")
        await settle(pilot)
        assert "Front 2 is not open" in screen_text(pilot)
        await pilot.press("enter", "c", "d", "v", *"4242", "enter", *"ok77", "enter")
        await settle(pilot)
        assert "Front 2 is not open. Open it now, counting its float?" in screen_text(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OpenDrawer)
        await pilot.press("enter", "enter", *"5", "enter", *"10")  # 5 × $20, 10 × $10
        await settle(pilot)
        assert "$200.00" in screen_text(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Printout)
        assert "Visa ••4242 auth OK77" in screen_text(pilot)
    session = drawer.current("Front 2")
    assert session.float_cents == 20000 and session.float_dict == {2000: 5, 1000: 10}
    paid = Payment.select().order_by(Payment.id.desc()).first()
    assert paid.session_id == session.id and paid.card_last4 == "4242"


async def test_the_history_on_the_record_reprints_marked_reprint(desk_user) -> None:
    paid = Payment.select().where(Payment.voided_at.is_null()).order_by(Payment.id).first()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await _open_record(pilot, paid.patient_id)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PaymentHistory)
        text = screen_text(pilot)
        assert "Payments · " in text and str(paid.receipt_number) in text
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Printout)
        assert "REPRINT" in screen_text(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PatientScreen)
    actions = {e.action for e in audit.AuditEvent.select().where(
        audit.AuditEvent.patient_id == paid.patient_id)}
    assert {"payment.history_viewed", "payment.receipt_reprinted"} <= actions


async def test_print_says_when_no_printer_is_set_up_and_the_pdf_says_where(
        desk_user, printouts_here, clinic_settings, tmp_path, monkeypatch) -> None:
    paid = Payment.select().order_by(Payment.id).first()
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from screens.payment import show_receipt

        show_receipt(pilot.app, paid.id, reprint=True)
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert "No receipt printer is set up" in screen_text(pilot)
        await pilot.press("s")
        await settle(pilot)
        saved = printouts_here / f"receipt-{paid.receipt_number}-reprint.pdf"
        assert saved.exists() and saved.read_bytes().startswith(b"%PDF")
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert "Saved as" in screen_text(pilot)  # the whole path, wrapped in the box:
        assert str(pilot.app.screen.query_one("#said").content) == f"Saved as {saved}"
        # With a printer set up, the receipt goes to lp.
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        printed = tmp_path / "printed.txt"
        fake = bin_dir / "lp"
        fake.write_text(f"#!/bin/sh\ncat > {printed}\n")
        fake.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        config.use(config.Config(timezone=ZONE, receipt_printer="desk-receipts"))
        await pilot.press("p")
        await settle(pilot)
        assert "Sent to the printer desk-receipts." in screen_text(pilot)
    assert "REPRINT" in printed.read_text() and f"#{paid.receipt_number}" in printed.read_text()


async def test_check_out_takes_a_payment_for_its_visit(desk_user) -> None:
    appointment = _copay_due("arrived")
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid(pilot).go_to_appointment(appointment)
        await pilot.pause()
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckOutPanel)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PaymentForm)
        assert appointment.patient.split(",")[0] in screen_text(pilot)
        await pilot.press("enter", "c", "k", *"2211", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, Printout)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckOutPanel)
    paid = Payment.select().order_by(Payment.id.desc()).first()
    assert paid.appointment_id == appointment.id and paid.check_number == "2211"
