"""Providers: the NPI check digit, names as the schedule shows them, weekly hours."""

from __future__ import annotations

from datetime import date, time

import pytest

from frontdesk import audit, providers
from frontdesk.errors import Conflict, InvalidInput
from frontdesk.providers import Provider, ProviderHours

from .conftest import WEEKDAY_HOURS


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126", "1588667638"])
def test_valid_npis_pass_the_check_digit(npi):
    assert providers.npi_is_valid(npi)


@pytest.mark.parametrize("npi", ["1234567890", "1234567894", "1245319590", "2134567893",
                                 "123456789", "12345678930", "123456789X", ""])
def test_invalid_npis_fail(npi):
    assert not providers.npi_is_valid(npi)


def _add(clinic, **changes) -> Provider:
    values = dict(first_name="Omar", last_name="Haddad", credentials="DO", npi="1003000126",
                  specialty="Internal Medicine", by=clinic.admin)
    values.update(changes)
    return providers.add_provider(**values)


def test_add_provider_refuses_a_typo_in_the_npi(clinic):
    with pytest.raises(InvalidInput, match="NPI 1003000127 fails its check digit") as refused:
        _add(clinic, npi="1003000127")
    assert refused.value.field == "npi"
    assert Provider.select().count() == 2


@pytest.mark.parametrize("npi", ["100300012", "10030001266", "1003-00012"])
def test_add_provider_refuses_an_npi_that_is_not_10_digits(clinic, npi):
    with pytest.raises(InvalidInput, match="must be 10 digits") as refused:
        _add(clinic, npi=npi)
    assert refused.value.field == "npi"


def test_add_provider_refuses_an_npi_already_on_file(clinic):
    with pytest.raises(Conflict, match="NPI 1234567893 is already on file"):
        _add(clinic, npi="1234567893")


@pytest.mark.parametrize(("field", "value"), [("first_name", ""), ("last_name", "x" * 51),
                                              ("credentials", "M\x1bD"), ("specialty", "  ")])
def test_add_provider_refuses_bad_names_naming_the_field(clinic, field, value):
    with pytest.raises(InvalidInput) as refused:
        _add(clinic, **{field: value})
    assert refused.value.field == field


def test_add_provider_refuses_a_colour_a_16_colour_terminal_lacks(clinic):
    with pytest.raises(InvalidInput, match="Colour must be one of") as refused:
        _add(clinic, colour="teal")
    assert refused.value.field == "colour"


def test_add_provider_places_the_new_column_last_and_audits(clinic):
    haddad = _add(clinic)
    assert haddad.position == 3
    assert [p.last_name for p in providers.active_providers()] == ["Patel", "Kim", "Haddad"]
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).first()
    assert (event.action, event.staff_id) == ("provider.created", clinic.admin.id)


@pytest.mark.parametrize(("credentials", "short"), [
    ("MD", "Dr. Patel"), ("D.O.", "Dr. Patel"), ("DDS", "Dr. Patel"), ("NP", "Patel NP"),
    ("PA-C", "Patel PA-C"),
])
def test_short_name_says_dr_only_for_doctors(credentials, short):
    provider = Provider(first_name="Anita", last_name="Patel", credentials=credentials)
    assert provider.short_name == short
    assert provider.display_name == f"Anita Patel, {credentials}"


def test_short_and_display_names_of_stored_providers(clinic):
    assert (clinic.patel.short_name, clinic.patel.display_name) == ("Dr. Patel", "Anita Patel, MD")
    assert (clinic.kim.short_name, clinic.kim.display_name) == ("Kim NP", "Grace Kim, NP")


def test_set_hours_replaces_the_week(clinic):
    providers.set_hours(clinic.kim, {2: [(time(9), time(13))], 5: [(time(8), time(11))]},
                        by=clinic.admin)
    assert providers.stretches(clinic.kim, date(2026, 12, 2)) == [(time(9), time(13))]
    assert providers.stretches(clinic.kim, date(2026, 12, 1)) == []  # Tuesday went away
    assert providers.hours_on(date(2026, 12, 5), [clinic.patel, clinic.kim]) == {
        clinic.patel.id: [], clinic.kim.id: [(time(8), time(11))]}


def test_stretches_come_in_time_order(clinic):
    providers.set_hours(clinic.kim, {0: [(time(13), time(17)), (time(8), time(12))]},
                        by=clinic.admin)
    monday = date(2026, 11, 30)
    assert providers.stretches(clinic.kim, monday) == [(time(8), time(12)), (time(13), time(17))]
    assert providers.hours_on(monday, [clinic.kim])[clinic.kim.id] == [
        (time(8), time(12)), (time(13), time(17))]


def test_touching_stretches_are_allowed(clinic):
    providers.set_hours(clinic.kim, {0: [(time(8), time(12)), (time(12), time(16))]},
                        by=clinic.admin)
    assert len(providers.stretches(clinic.kim, date(2026, 11, 30))) == 2


@pytest.mark.parametrize(("week", "words"), [
    ({0: [(time(8), time(12)), (time(11), time(15))]}, "08:00-12:00 overlap 11:00-15:00"),
    ({0: [(time(8), time(17)), (time(9), time(10))]}, "08:00-17:00 overlap 09:00-10:00"),
    ({3: [(time(12), time(8))]}, "12:00-08:00 end before they start"),
    ({3: [(time(9), time(9))]}, "09:00-09:00 end before they start"),
    ({7: [(time(9), time(12))]}, "Weekday 7 must be 0 \\(Monday\\) to 6 \\(Sunday\\)"),
])
def test_set_hours_refuses_overlapping_or_inverted_stretches(clinic, week, words):
    before = list(ProviderHours.select().where(ProviderHours.provider == clinic.kim).tuples())
    with pytest.raises(InvalidInput, match=words):
        providers.set_hours(clinic.kim, week, by=clinic.admin)
    after = list(ProviderHours.select().where(ProviderHours.provider == clinic.kim).tuples())
    assert after == before  # the old week is still there
    assert len(after) == sum(len(s) for s in WEEKDAY_HOURS.values())
