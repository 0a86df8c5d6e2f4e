"""A drawer day of 5,000 payments: close it and report it; print a receipt.

Targets (issue 8): close and report a day of 5,000 payments under 200 ms; a receipt
under 50 ms. The day is taken through the real operations (payments.take) once, into
a file under $FRONTDESK_BENCH_DIR; each close runs on a fresh copy of it, since a
closed session cannot be closed again.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from frontdesk import (clock, config, db, drawer, patients, payments,  # noqa: E402
                       receipts, staff)
from frontdesk.roles import Role  # noqa: E402

BENCH = Path(os.environ.get("FRONTDESK_BENCH_DIR", "/tmp/frontdesk-bench"))
DAY_FILE = BENCH / "drawer-5000-payments.db"
PAYMENTS = 5000
OPENED = datetime(2026, 12, 1, 12, 45, tzinfo=timezone.utc)  # 7:45 in the clinic
DAY = date(2026, 12, 1)


def build() -> None:
    BENCH.mkdir(parents=True, exist_ok=True)
    db.open_database(DAY_FILE)
    db.migrate()
    with clock.frozen(OPENED):
        admin = staff.add_staff("admin", "Alex Admin", Role.ADMIN, "bench-password-1", by=None)
        desks = [staff.add_staff(f"desk{i}", f"Desk {i}", Role.FRONT_DESK, "bench-password-1",
                                 by=admin) for i in range(3)]
        people = [patients.register(patients.Draft(first_name=f"Pat{i}", last_name="Bench",
                                                   dob="1/2/1980", sex="U"), by=desks[0])
                  for i in range(200)]
        drawer.open(None, {2000: 5, 500: 10}, by=desks[0])
    started = time.perf_counter()
    with db.write():  # one transaction: each payment a savepoint, as the demo does
        for i in range(PAYMENTS):
            with clock.frozen(OPENED + timedelta(seconds=7 * i)):
                method = ("cash", "card", "check")[i % 3]
                extra = {"cash": {"tendered": "50"}, "check": {"check_number": str(1000 + i)},
                         "card": {"card_brand": "Visa", "card_last4": "4242",
                                  "auth_code": "A1"}}[method]
                paid = payments.take(people[i % len(people)], 2000 + i % 7 * 100, "copay",
                                     method, by=desks[i % 3], **extra)
                if i % 97 == 0:
                    payments.void(paid, "bench", version=paid.version, by=desks[i % 3])
    print(f"  built {PAYMENTS:,} payments in {time.perf_counter() - started:.1f} s")
    db.close_database()


def report(label: str, times: list[float], target: float) -> None:
    times = sorted(times)
    print(f"{label:<40} median {statistics.median(times):7.2f} ms   max {times[-1]:7.2f} ms"
          f"   (target under {target:g} ms)")


def _in_notes(cents: int) -> dict[int, int]:
    counts = {}
    for denomination in drawer.DENOMINATIONS:
        counts[denomination], cents = divmod(cents, denomination)
    return counts


def close_once(copy: Path) -> tuple[float, float, float]:
    shutil.copyfile(DAY_FILE, copy)
    db.open_database(copy)
    desk = staff.Staff.get(staff.Staff.username == "desk0")
    with clock.frozen(OPENED + timedelta(hours=10)):
        started = time.perf_counter()
        plan = drawer.close_plan(drawer.current())
        drawer.close(plan.session_id, cash_counts=_in_notes(plan.expected_cash_cents),
                     checks_ticked=[c.payment_id for c in plan.checks],
                     card_batch=plan.expected_card_cents, version=plan.version, by=desk)
        closed = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        text = drawer.day_report_text(drawer.day_report(DAY, by=desk))
        reported = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        drawer.close_report_text(plan.session_id)
        closing_text = (time.perf_counter() - started) * 1000
    assert "Total taken" in text
    db.close_database()
    return closed, reported, closing_text


def main() -> None:
    config.use(config.Config(timezone="America/New_York"))
    if not DAY_FILE.exists():
        build()
    copy = BENCH / "drawer-copy.db"
    results = [close_once(copy) for _ in range(5)]
    report("close_plan + close (5,000 payments)", [r[0] for r in results], 200)
    report("day_report + text (5,000 payments)", [r[1] for r in results], 200)
    report("close report + deposit slip text", [r[2] for r in results], 200)
    report("close + report together", [r[0] + r[1] for r in results], 200)

    db.open_database(copy)
    some = [p.id for p in payments.Payment.select(payments.Payment.id).limit(200)]
    times = []
    with clock.frozen(OPENED + timedelta(hours=11)):
        for payment_id in some:
            started = time.perf_counter()
            receipts.receipt_text(payment_id)
            times.append((time.perf_counter() - started) * 1000)
    report("receipt text", times, 50)
    times = []
    for payment_id in some[:50]:
        started = time.perf_counter()
        receipts.receipt_pdf(payment_id)
        times.append((time.perf_counter() - started) * 1000)
    report("receipt PDF", times, 50)
    db.close_database()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
