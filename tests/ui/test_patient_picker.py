"""The patient box on its own: searched after a pause, a stale answer dropped, arrows
along the list, a patient taken and untaken, and the F3 way where the list has the focus."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, OptionList

from frontdesk import patients
from screens.widgets.patient_picker import Chosen, PatientPicker
from tests.ui.helpers import settle, until


def _line(hit) -> Text:
    return Text(f"{hit.filed_name}  MRN {hit.mrn}")


class _Desk(App):
    """A bare app around one picker, signed in as the desk, keeping what it is told."""

    def __init__(self, signed_in, *, table: bool = False) -> None:
        super().__init__()
        self.signed_in = signed_in
        self.table = table
        self.picked: list = []
        self.found: list[str] = []

    def compose(self) -> ComposeResult:
        if self.table:
            found = DataTable(id="found", cursor_type="row")
            found.add_column("Patient")
            yield PatientPicker(Input(id="box"), found, show=lambda hit: (_line(hit),),
                                limit=10)
        else:
            yield PatientPicker(Input(id="box"), OptionList(id="found"), show=_line,
                                nobody=lambda query: f"Nobody fits {query}",
                                chosen_line=lambda chosen: Text(f"✓ {chosen.filed_name}"))

    def on_patient_picker_picked(self, message: PatientPicker.Picked) -> None:
        self.picked.append(message.hit.patient_id)

    def on_patient_picker_found(self, message: PatientPicker.Found) -> None:
        self.found.append(message.query)


def _picker(pilot) -> PatientPicker:
    return pilot.app.query_one(PatientPicker)


async def _typed(pilot, text: str) -> PatientPicker:
    picker = _picker(pilot)
    await pilot.press(*text)
    await until(pilot, lambda: not picker.waiting and picker.app.found
                and picker.app.found[-1] == picker.box.value)
    await settle(pilot)
    return picker


async def test_typing_lists_the_patients_found_once_typing_pauses(clinic) -> None:
    patients.register(patients.Draft(first_name="Rosa", last_name="Garner", dob="7/21/1990",
                                     sex="F"), by=clinic.desk)
    async with _Desk(clinic.desk).run_test(size=(80, 24)) as pilot:
        picker = await _typed(pilot, "gar")
        assert [hit.last_name for hit in picker.hits] == ["García", "Garner"]
        assert pilot.app.found == ["gar"]  # one search for the word, not one per key
        assert picker.highlighted.last_name == "García"
        await pilot.press("down")
        assert picker.highlighted.last_name == "Garner"
        await pilot.press("down")  # stays on the last
        assert picker.highlighted.last_name == "Garner"
        await pilot.press("up")
        assert picker.highlighted.last_name == "García"
        assert picker.box.has_focus  # the arrows never leave the box


async def test_an_answer_for_an_older_query_is_dropped(clinic) -> None:
    async with _Desk(clinic.desk).run_test(size=(80, 24)) as pilot:
        picker = await _typed(pilot, "zzqx")
        assert picker.hits == []
        assert "Nobody fits zzqx" in str(picker.found.get_option_at_index(0).prompt)
        picker.post_message(PatientPicker.Searched("garc", patients.search("garc")))
        await settle(pilot)
        assert picker.hits == []


async def test_taking_a_patient_writes_the_name_and_typing_untakes_it(clinic) -> None:
    async with _Desk(clinic.desk).run_test(size=(80, 24)) as pilot:
        picker = await _typed(pilot, "garc")
        assert picker.take().patient_id == clinic.maria.id
        await settle(pilot)
        assert pilot.app.picked == [clinic.maria.id]
        assert picker.chosen == Chosen.of(clinic.maria)
        assert picker.box.value == "García, María"
        assert picker.found.option_count == 1
        assert "✓ García, María" in str(picker.found.get_option_at_index(0).prompt)
        await pilot.press("backspace")
        await settle(pilot)
        assert picker.chosen is None


async def test_enter_before_the_answer_takes_the_best_when_it_comes(clinic) -> None:
    async with _Desk(clinic.desk).run_test(size=(80, 24)) as pilot:
        picker = _picker(pilot)
        await pilot.press(*"obrien")
        assert picker.waiting
        picker.take_when_found()
        await until(pilot, lambda: picker.chosen is not None)
        assert picker.chosen.patient_id == clinic.john.id
        await settle(pilot)
        assert pilot.app.picked == [clinic.john.id]


async def test_an_emptied_box_empties_the_list_at_once(clinic) -> None:
    async with _Desk(clinic.desk).run_test(size=(80, 24)) as pilot:
        picker = await _typed(pilot, "garc")
        assert picker.hits
        await pilot.press(*["backspace"] * 4)
        await pilot.pause()
        assert picker.hits == [] and not picker.waiting
        assert picker.found.option_count == 0


async def test_a_list_with_the_focus_is_entered_by_down_and_left_by_typing(clinic) -> None:
    patients.register(patients.Draft(first_name="Diego", last_name="García", dob="5/6/2010",
                                     sex="M"), by=clinic.desk)
    async with _Desk(clinic.desk, table=True).run_test(size=(80, 24)) as pilot:
        picker = await _typed(pilot, "garc")
        assert len(picker.hits) == 2
        await pilot.press("down")
        assert picker.found.has_focus
        await pilot.press("down")
        assert picker.highlighted == picker.hits[1]
        await pilot.press("up", "up")  # up from the first row: back in the box
        assert picker.box.has_focus
        await pilot.press("down", "x")
        assert picker.box.has_focus and picker.box.value == "garcx"
