"""Finding patients from the one search box, on a clinic of tricky names."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from frontdesk import patients, schedule
from frontdesk.lookup import understand
from frontdesk.patients import Draft

from .conftest import TODAY

PEOPLE = [
    # first, last, dob, phone
    ("John", "Smith", "1980-03-04", "(617) 555-0101"),
    ("Jon", "Smithers", "1990-01-02", ""),
    ("Johanna", "Smith-Jones", "1985-06-07", "617-555-0102"),
    ("María", "García", "1975-11-12", "+1 617 555 0103"),
    ("Seán", "O'Brien", "1966-02-03", "6175550104"),
    ("Ana", "de la Cruz", "2001-09-10", ""),
    ("Ngọc", "Nguyễn", "1999-12-31", ""),
    ("Peter", "Smyth", "1970-05-05", ""),
    ("Jane", "Doe", "1980-03-04", "(212) 555-0199"),
    ("Jane", "Doe", "1981-04-05", "(212) 555-0199"),
]


@pytest.fixture
def people(clinic):
    found = {}
    for first, last, dob, phone in PEOPLE:
        draft = Draft(first_name=first, last_name=last, dob=dob, sex="U",
                      phones={"mobile": phone} if phone else {})
        found[(first, last, dob)] = patients.register(draft, by=clinic.desk)
    return found


def names(query: str, limit: int = 20) -> list[str]:
    return [f"{hit.first_name} {hit.last_name}" for hit in patients.search(query, limit)]


@pytest.mark.parametrize("query", ["smith john", "john smith", "Smith, John", "SMITH JOHN",
                                   "smi jo", "jo smi", "  smith   john  "])
def test_names_in_any_order_and_form_find_john_smith_first(people, query):
    assert names(query)[0] == "John Smith"


@pytest.mark.parametrize(("query", "who"), [
    ("garcia", "María García"), ("GARCÍA maria", "María García"), ("obrien", "Seán O'Brien"),
    ("o'brien sean", "Seán O'Brien"), ("jones", "Johanna Smith-Jones"),
    ("cruz", "Ana de la Cruz"), ("delacruz", "Ana de la Cruz"), ("de la cruz", "Ana de la Cruz"),
    ("ana de la cruz", "Ana de la Cruz"), ("Cruz, Ana", "Ana de la Cruz"), ("nguyen ngoc", "Ngọc Nguyễn"),
])
def test_diacritics_punctuation_and_later_words_are_ignored(people, query, who):
    assert who in names(query)


def test_typos_and_sound_alikes_are_forgiven_but_rank_after_exact_and_prefix(people):
    found = names("Jon Smyth")
    assert "John Smith" in found
    # "Jon" is exactly Jon Smithers' first name and "Smyth" a prefix of nobody else:
    # Peter Smyth (exact last) and Jon Smithers (exact first, prefix-ish last) are near.
    hits = patients.search("Jon Smyth")
    john = next(h for h in hits if h.last_name == "Smith")
    assert john.matched == "sound" and john.score <= 80
    assert names("smiht john")[0] == "John Smith"
    assert names("garica")[0] == "María García"


def test_exact_beats_prefix_beats_sound(people):
    hits = patients.search("smith")
    order = [f"{h.first_name} {h.last_name}" for h in hits]
    assert order.index("John Smith") < order.index("Jon Smithers") < order.index("Peter Smyth")
    assert hits[0].score == 100


def test_a_word_that_fits_nobody_finds_nothing(people):
    assert names("zzyzx") == []
    assert names("") == []
    assert names("   ") == []


@pytest.mark.parametrize("query", ["3/4/1980", "03041980", "1980-03-04", "3/4/80", "03/04/1980"])
def test_date_of_birth_as_staff_type_it(people, query):
    # The clinic fixture's María García shares the birthday.
    assert sorted(names(query)) == ["Jane Doe", "John Smith", "María García"]
    assert all(hit.matched == "dob" for hit in patients.search(query))


def test_name_and_date_of_birth_together_narrow_and_forgive(people):
    assert names("doe 3/4/1980") == ["Jane Doe"]
    assert names("smyth 3/4/1980") == ["John Smith"]  # the birth date makes a typo safe


def test_name_and_phone_together_pick_one_of_a_family(people):
    assert [str(h.dob) for h in patients.search("doe jane 212-555-0199")] == [
        "1980-03-04", "1981-04-05"]
    assert names("smiht (617) 555-0101") == ["John Smith"]
    assert names("doe 3/4/1980 212-555-0199") == ["Jane Doe"]
    assert names("smith 212-555-0199") == []


@pytest.mark.parametrize("query", ["(617) 555-0101", "617-555-0101", "6175550101",
                                   "+1 617 555 0101", "617.555.0101", "0101", "555-0101"])
def test_phone_numbers_in_any_form_or_the_last_four(people, query):
    assert names(query)[0] == "John Smith"


def test_a_shared_phone_finds_the_whole_family(people):
    hits = patients.search("212 555 0199")
    assert [(h.first_name, str(h.dob)) for h in hits] == [("Jane", "1980-03-04"),
                                                         ("Jane", "1981-04-05")]


def test_mrn_exactly(people):
    maria = people[("María", "García", "1975-11-12")]
    hits = patients.search(maria.mrn)
    assert hits[0].patient_id == maria.id and hits[0].score == 100 and hits[0].matched == "mrn"
    assert all(h.mrn == maria.mrn for h in patients.search(maria.mrn) if h.matched == "mrn")
    assert patients.search(maria.mrn[:-1])[:1] != hits[:1]  # exactly, not a prefix


def test_results_carry_what_the_list_shows(people, clinic):
    john = people[("John", "Smith", "1980-03-04")]
    monday = TODAY + timedelta(days=7 - TODAY.weekday())
    booked = schedule.book(john, clinic.patel, clinic.follow_up, monday, time(9, 0),
                           by=clinic.desk)
    patients.Patient.update(balance_cents=4500).where(patients.Patient.id == john.id).execute()
    hit = patients.search("smith john")[0]
    assert hit.mrn == john.mrn and str(hit.dob) == "1980-03-04"
    assert hit.phones == (("mobile", "+16175550101"),)
    assert hit.next_visit == booked.start
    assert "balance due" in hit.flags and "forms missing" in hit.flags
    assert hit.forms_due  # nothing signed yet


def test_inactive_and_deceased_are_flagged_and_listed_after_equals(people):
    jane_1980 = people[("Jane", "Doe", "1980-03-04")]
    patients.Patient.update(deceased=True).where(patients.Patient.id == jane_1980.id).execute()
    hits = patients.search("jane doe")
    assert [str(h.dob) for h in hits] == ["1981-04-05", "1980-03-04"]
    assert "deceased" in hits[1].flags


def test_limit_is_kept(people):
    assert len(patients.search("j", limit=2)) == 2


@pytest.mark.parametrize(("text", "meaning"), [
    ("3/4/1980", {"dob": "1980-03-04"}),
    ("0101", {"last4": "0101"}),
    ("smith, john", {"names": ("smith", "john"), "last_first": True}),
    ("A-1234", {"mrn": "A-1234"}),
])
def test_what_a_query_is_read_as(text, meaning):
    query = understand(text, today=TODAY)
    for name, value in meaning.items():
        assert str(getattr(query, name)) == str(value)


def test_a_search_by_staff_is_audited_with_what_they_typed(people, clinic):
    from frontdesk import audit

    hits = patients.search("smith john", by=clinic.desk)
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).get()
    assert (event.action, event.staff_id, event.subject) == ("patient.searched",
                                                             clinic.desk.id, "smith john")
    assert f'"results": {len(hits)}' in event.detail
    assert audit.verify().whole


def test_a_search_without_a_person_is_not_recorded(people):
    from frontdesk import audit

    before = audit.AuditEvent.select().count()
    patients.search("smith")
    assert audit.AuditEvent.select().count() == before


def test_command_line_search_prints_json_best_first_and_is_audited(people, database, capsys):
    import json

    from frontdesk import audit, cli

    assert cli.main(["patients", "search", "smith, john", "--db", str(database), "--json",
                     "--limit", "3"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert len(found) <= 3
    assert found[0] | {"score": 0} == found[0] | {
        "mrn": people[("John", "Smith", "1980-03-04")].mrn, "first": "John", "last": "Smith",
        "dob": "1980-03-04", "phones": ["+16175550101"], "score": 0}
    assert [row["score"] for row in found] == sorted((row["score"] for row in found), reverse=True)
    event = audit.AuditEvent.select().order_by(audit.AuditEvent.id.desc()).get()
    assert event.action == "patient.searched" and event.staff_id is None
    assert '"os_user"' in event.detail


def test_command_line_search_as_a_table_and_when_nobody_fits(people, database, capsys):
    from frontdesk import cli

    assert cli.main(["patients", "search", "0101", "--db", str(database)]) == 0
    out = capsys.readouterr()
    assert "Smith, John" in out.out and "(617) 555-0101" in out.out
    assert cli.main(["patients", "search", "zzyzx", "--db", str(database)]) == 0
    assert "Nobody fits" in capsys.readouterr().err
