"""Fixtures every test stands on: a frozen clinic clock, no developer config, a fresh
database file per test (never :memory: — a thread worker would see another, empty
database), and a demo clinic built once per session and copied per test."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from frontdesk import clock, config, db, demo, insurance, patients, providers, schedule, staff

NOW = datetime(2026, 12, 1, 15, 20, tzinfo=timezone.utc)
"""Tuesday 1 December 2026, 10:20 in the clinic (America/New_York): mid-morning."""
TODAY = date(2026, 12, 1)
ZONE = "America/New_York"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def clinic_settings(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Iterator[config.Config]:
    """Defaults, whatever config.toml the developer running the tests has."""
    missing = tmp_path_factory.getbasetemp() / "no-config.toml"
    monkeypatch.setenv("FRONTDESK_CONFIG", str(missing))
    monkeypatch.delenv("FRONTDESK_DB", raising=False)
    settings = config.Config(timezone=ZONE)
    config.use(settings)
    yield settings
    config.use(config.Config())


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[datetime]:
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id still, with light parameters: sign-ins are many in tests."""
    monkeypatch.setattr(staff, "hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                         parallelism=1))
    staff._decoy_hash.cache_clear()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "clinic.db"


@pytest.fixture
def database(db_path: Path) -> Iterator[Path]:
    """A new, migrated clinic database file."""
    db.open_database(db_path)
    db.migrate()
    yield db_path
    db.close_database()


@dataclass
class Clinic:
    """A small clinic made by hand, for domain tests."""

    admin: staff.Staff
    desk: staff.Staff
    patel: providers.Provider
    kim: providers.Provider
    follow_up: schedule.AppointmentType
    new_patient: schedule.AppointmentType
    maria: patients.Patient
    john: patients.Patient


WEEKDAY_HOURS = {d: [(time(8), time(12)), (time(13), time(17))] for d in range(5)}


@pytest.fixture
def clinic(database: Path) -> Clinic:
    admin = staff.add_staff("admin", "Alex Admin", staff.Role.ADMIN, PASSWORD, by=None)
    desk = staff.add_staff("desk", "Dana Desk", staff.Role.FRONT_DESK, PASSWORD, by=admin)
    patel = providers.add_provider(first_name="Anita", last_name="Patel", credentials="MD",
                                   npi="1234567893", specialty="Family Medicine", by=admin)
    kim = providers.add_provider(first_name="Grace", last_name="Kim", credentials="NP",
                                 npi="1245319599", specialty="Family Medicine", by=admin)
    providers.set_hours(patel, WEEKDAY_HOURS, by=admin)
    providers.set_hours(kim, WEEKDAY_HOURS, by=admin)
    follow_up = schedule.add_type("Follow-up", "F/U", 15, by=admin)
    new_patient = schedule.add_type("New patient", "NEW", 45, by=admin)
    maria = patients.register(patients.Draft(
        first_name="María", last_name="García", dob="3/4/1980", sex="F",
        phones={"mobile": "(617) 555-0142"}), by=desk)
    john = patients.register(patients.Draft(
        first_name="John", last_name="O'Brien-Smith", dob="1975-07-09", sex="M",
        phones={"home": "617-555-0199"}), by=desk)
    payer = insurance.add_payer("Aetna", "60054", by=admin)
    insurance.add_coverage(maria, payer, plan_type="PPO", member_id="W123456789",
                           effective_on=date(2025, 1, 1), copay_cents=2500, by=desk)
    return Clinic(admin, desk, patel, kim, follow_up, new_patient, maria, john)


DEMO_PATIENTS = 300
DEMO_PROVIDERS = 6
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo clinic, built once per test run at the frozen instant.

    With xdist the workers share one build (the first builds it under a lock, the others
    wait and copy): building it takes about 20 s of a core each time.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by every worker of this run, and by no other run
    path = root / "demo-template.db"
    with open(root / "demo-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "demo-template.built").exists():
            with clock.frozen(NOW):
                config.use(config.Config(timezone=ZONE))
                demo.build(path, patients_count=DEMO_PATIENTS, providers_count=DEMO_PROVIDERS,
                           seed=DEMO_SEED)
            db.close_database()
            (root / "demo-template.built").touch()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the demo clinic, open."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db.open_database(path)
    db.migrate()
    yield path
    db.close_database()


@pytest.fixture
def desk_user(demo_db: Path) -> staff.Staff:
    return staff.Staff.get(staff.Staff.username == demo.FRONT_DESK_USER)
