"""The insurance worklist by keys: alt+v, exceptions first, verify by hand, write a 270,
import the 271 answers with a rejection in plain words, open an answer, other terminals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from textual.widgets import DataTable, Input

from frontdesk import clearinghouse, config, eligibility, insurance, schedule
from frontdesk.eligibility import Verification
from frontdesk.x12 import Envelope, Payer, Provider
from frontdesk.x12.response import Reply, build_271
from screens.app import FrontdeskApp
from screens.eligibility import ImportAnswers, InsuranceScreen, VerificationScreen
from screens.verify import VerifyForm
from tests.conftest import TODAY
from tests.ui.helpers import no_blink, screen_text, settle, until

TOMORROW = TODAY + timedelta(days=1)


async def _worklist(pilot) -> InsuranceScreen:
    await settle(pilot)
    await pilot.press("alt+v")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InsuranceScreen)
    return screen


async def _to(pilot, screen: InsuranceScreen, appointment_id: int) -> None:
    index = next(i for i, it in enumerate(screen.items) if it.appointment_id == appointment_id)
    screen.query_one(DataTable).move_cursor(row=index)
    await pilot.pause()


def _notices(pilot) -> str:
    return " ".join(str(n.message) for n in pilot.app._notifications)  # noqa: SLF001


def _book(clinic, patient, day: date, at: time):
    return schedule.book(patient, clinic.patel, clinic.follow_up, day, at, by=clinic.desk)


def _with_ids(clinic_settings, tmp_path) -> None:
    config.use(replace(clinic_settings, x12_submitter_id="CLINIC01",
                       x12_receiver_id="CLEARHOUSE", practice_npi="1234567893",
                       x12_trace_originator="1043219876",
                       eligibility_folder=str(tmp_path / "outbox")))


async def test_alt_v_lists_the_coming_days_exceptions_first(desk_user) -> None:
    first, last = eligibility.window()
    expected = eligibility.worklist(first, last)
    needing = sum(1 for item in expected if item.exception)
    assert 0 < needing < len(expected)  # the demo verified some, not all
    async with FrontdeskApp(signed_in=desk_user).run_test(size=(80, 24)) as pilot:
        screen = await _worklist(pilot)
        assert [i.appointment_id for i in screen.items] == [i.appointment_id
                                                            for i in expected]
        flags = [item.exception for item in screen.items]
        assert flags == sorted(flags, reverse=True)  # every exception above every other row
        text = screen_text(pilot)
        assert "Insurance verification · Tue 12/1 – Fri 12/4" in text
        assert f"{needing} of {len(expected)} visits to check" in text
        first_row = screen.items[0]
        assert first_row.start.date() == TODAY and first_row.exception
        # ] moves the days on; t comes back.
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert (screen.first, screen.last) == (TOMORROW, TODAY + timedelta(days=4))
        assert "Wed 12/2 – Sat 12/5" in screen_text(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert (screen.first, screen.last) == (first, last)


async def test_a_bad_amount_keeps_every_field_then_a_good_one_saves(clinic) -> None:
    visit = _book(clinic, clinic.maria, TOMORROW, time(9))
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _worklist(pilot)
        await _to(pilot, screen, visit.id)
        assert "never verified" in screen_text(pilot)
        await pilot.press("v")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, VerifyForm)
        no_blink(pilot)
        await pilot.press("y", "enter", *"twenty five", "enter", *"$60", "enter",
                          *"1,500", "enter", *"400", "enter", *"20%", "ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert 'Office copay must be an amount such as 25.00, not "twenty five".' in \
            screen_text(pilot)
        assert form.focused.id == "office_copay"
        kept = {name: form.query_one(f"#{name}", Input).value
                for name in ("active", "office_copay", "specialist_copay", "deductible_total",
                             "deductible_remaining", "coinsurance")}
        assert kept == {"active": "y", "office_copay": "twenty five", "specialist_copay": "$60",
                        "deductible_total": "1,500", "deductible_remaining": "400",
                        "coinsurance": "20%"}
        assert Verification.select().count() == 0
        form.query_one("#office_copay", Input).value = ""
        await pilot.press(*"25", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InsuranceScreen)
        await until(pilot, lambda: "✓ 12/1 by hand" in screen_text(pilot))
        text = screen_text(pilot)
        assert "copay $25 · specialist $60 · deductible $1,500 ($400 left)" in text
    saved = Verification.get()
    assert (saved.status, saved.office_copay_cents, saved.specialist_copay_cents) == (
        "active", 2500, 6000)
    assert saved.verified_by_id == clinic.desk.id


async def test_import_shows_a_rejection_in_plain_words_and_what_to_do(clinic, clinic_settings,
                                                                    tmp_path) -> None:
    _with_ids(clinic_settings, tmp_path)
    visit = _book(clinic, clinic.maria, TOMORROW, time(9))
    written = clearinghouse.write_270(clearinghouse.targets_for_days(TODAY, TOMORROW),
                                      tmp_path / "asked.x12", by=clinic.desk)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "answer.271").write_text(build_271(
        Envelope("CLEARHOUSE", "CLINIC01"), Payer("AETNA", "60054"),
        Provider("1234567893", "CLINIC"),
        [Reply(written.traces[0], "W123456789", "GARCIA", "MARIA", date(1980, 3, 4),
               rejection=("72", "C"))],
        interchange_control=5, group_control=5, created=datetime(2026, 12, 1, 10, 0)))
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _worklist(pilot)
        await pilot.press("i")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ImportAnswers)
        no_blink(pilot)
        await pilot.press(*str(downloads), "enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "1 file imported, 1 answer recorded, 1 rejected." in text
        assert "García, María: REJECTED — member ID missing or not valid; correct and" in text
        assert "│ resubmit" in text  # the rest of the line, wrapped in the box
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
        await _to(pilot, screen, visit.id)
        assert "✗ rejected" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, VerificationScreen)
        text = screen_text(pilot)
        assert "Status: REJECTED" in text
        assert "The payer could not answer: member ID missing or not valid (code 72)" in text
        assert "What to do: correct and resubmit" in text
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen


async def test_x_writes_the_270_and_says_where_or_what_is_missing(clinic, clinic_settings,
                                                                tmp_path) -> None:
    _book(clinic, clinic.maria, TOMORROW, time(9))
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        await _worklist(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert "config.toml has no x12_submitter_id" in _notices(pilot)
        assert not (tmp_path / "outbox").exists()
        _with_ids(clinic_settings, tmp_path)
        await pilot.press("x")
        await settle(pilot)
        (written,) = (tmp_path / "outbox").glob("270-*.x12")
        assert written.read_text().startswith("ISA*00*")
        assert f"270 written for 1 coverage with 1 payer: {written}." in _notices(pilot)


async def test_another_terminals_verification_shows_without_a_key(clinic) -> None:
    visit = _book(clinic, clinic.maria, TOMORROW, time(9))
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _worklist(pilot)
        await _to(pilot, screen, visit.id)
        assert "never verified" in screen_text(pilot)
        coverage = insurance.Coverage.get(insurance.Coverage.patient == clinic.maria)
        eligibility.verify_by_hand(coverage, active="n", by=clinic.admin)
        await until(pilot, lambda: "✗ not active" in screen_text(pilot), timeout=4)
        assert "(Alex Admin): not active" in screen_text(pilot)


async def test_p_opens_the_patient_and_a_row_without_insurance_says_so(clinic) -> None:
    visit = _book(clinic, clinic.john, TODAY, time(15))
    async with FrontdeskApp(signed_in=clinic.desk).run_test(size=(80, 24)) as pilot:
        screen = await _worklist(pilot)
        await _to(pilot, screen, visit.id)
        text = screen_text(pilot)
        assert "no insurance" in text and "No insurance on file" in text
        assert screen.check_action("verify", ()) is None  # nothing to verify
        await pilot.press("p")
        await settle(pilot)
        assert "O'Brien-Smith" in screen_text(pilot)
        assert pilot.app.current_mode.startswith("patients")
