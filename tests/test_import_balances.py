"""Balances from the billing system: `frontdesk import balances FILE.csv`."""

from __future__ import annotations

import pytest

from frontdesk import audit, payments
from frontdesk.errors import NotAllowed
from frontdesk.importing import UnreadableFile
from frontdesk.patients import Patient


def test_balances_are_set_and_bad_rows_reported(clinic, tmp_path):
    path = tmp_path / "balances.csv"
    path.write_text(
        "MRN,Balance,As of\n"
        f"{clinic.maria.mrn},125.50,2026-11-30\n"
        f"{clinic.john.mrn},-10.00,11/30/2026\n"
        "999999,5.00,\n"
        f"{clinic.maria.mrn},12.345,\n"
        f"{clinic.john.mrn},abc,\n"
        f"{clinic.john.mrn},1.00,2027-01-01\n"
        f"{clinic.john.mrn},1.00,yesterday\n", encoding="utf-8")
    outcome = payments.import_balances(path, by=clinic.desk)
    assert outcome.updated == 2 and outcome.refused == 5
    assert Patient.get_by_id(clinic.maria.id).balance_cents == 12550
    assert Patient.get_by_id(clinic.john.id).balance_cents == -1000
    reasons = [str(r) for r in outcome.refusals.shown]
    assert reasons[0].startswith("Row 5, balance") and "two decimals" in reasons[0]
    assert reasons[1].startswith("Row 6, balance")
    assert reasons[2].startswith("Row 7, as_of") and "after today" in reasons[2]
    assert reasons[3].startswith("Row 8, as_of")
    assert reasons[4] == "Row 4, mrn: No patient has MRN 999999."
    assert audit.AuditEvent.select().where(
        audit.AuditEvent.action == "balances.imported").count() == 1
    again = payments.import_balances(path, by=clinic.desk)
    assert (again.updated, again.unchanged) == (0, 2)


def test_a_file_without_the_columns_is_refused_whole(clinic, tmp_path):
    path = tmp_path / "balances.csv"
    path.write_text("mrn,amount\n1,2\n", encoding="utf-8")
    with pytest.raises(UnreadableFile):
        payments.import_balances(path, by=clinic.desk)


def test_an_administrator_may_not_import_balances(clinic, tmp_path):
    path = tmp_path / "balances.csv"
    path.write_text("mrn,balance\n", encoding="utf-8")
    with pytest.raises(NotAllowed):
        payments.import_balances(path, by=clinic.admin)
