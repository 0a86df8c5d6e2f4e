"""Next available over the providers' books, on the year of 30 providers (about
180,000 appointments) that bench_day.py builds.

Target (issue 5): next available over 30 providers and 90 days under 50 ms. Only
reads, so it runs on that database itself. Cases, each the first 10 free slots:
any provider for a follow-up, also
keeping clear of a patient's own visits; one specialty for a 45-minute new patient on Friday
afternoons; one provider for a new patient in the mornings; and a search that finds
nothing (Sundays), which has to read the whole 90 days.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "perf"))

from bench_day import YEAR, build, report, timed  # noqa: E402

from frontdesk import clock, db, schedule, slots  # noqa: E402
from frontdesk.providers import active_providers  # noqa: E402

RUNS = 60


def main() -> None:
    if not YEAR.exists():
        print(f"Building 500 days for 30 providers in {YEAR} (once)...")
        build()
    db.open_database(YEAR)
    db.migrate()  # a database built by an older version: brought to this one
    kinds = {kind.name: kind for kind in schedule.AppointmentType.select()}
    providers = active_providers()
    first = clock.today()
    last = first + timedelta(days=89)
    busiest = max({p.specialty for p in providers},
                  key=lambda s: sum(p.specialty == s for p in providers))
    print(f"{len(providers)} providers; {first} to {last}; "
          f"{schedule.Appointment.select().count():,} appointments in the database")
    patient = (schedule.Appointment.select(schedule.Appointment.patient)
               .where(schedule.Appointment.start > clock.now())
               .order_by(schedule.Appointment.start).scalar())
    cases = {
        "any provider, follow-up": dict(kind=kinds["Follow-up"]),
        f"{busiest}, new patient, Fri pm": dict(
            kind=kinds["New patient"], specialty=busiest, weekdays=[4],
            part_of_day="afternoon"),
        "one provider, new patient, am": dict(
            kind=kinds["New patient"], provider=providers[0], part_of_day="morning"),
        "any provider, keeping clear of the patient": dict(
            kind=kinds["Follow-up"], patient_id=patient),
        "nothing free (Sundays): all 90 days": dict(kind=kinds["Follow-up"], weekdays=[6]),
    }
    for label, criteria in cases.items():
        found = slots.next_available(start=first, end=last, count=10, **criteria)
        where = f"first {found[0].on} {found[0].at:%H:%M}" if found else "none"
        print(f"  {label}: {len(found)} found, {where}")
        report(label, timed(lambda: slots.next_available(start=first, end=last, count=10,
                                                          **criteria), RUNS), 50)


if __name__ == "__main__":
    main()
