"""Provider calendars: blocks that repeat by RFC 5545 rules, and the on-call rota."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from dateutil.rrule import rrulestr
from playhouse.test_utils import count_queries

from frontdesk import audit, calendar, changes, providers
from frontdesk.calendar import Block, add_block, busy_between, busy_on
from frontdesk.errors import Conflict, InvalidInput, NotAllowed, StaleEdit
from tests.conftest import TODAY

WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


def _lunch(clinic, **extra) -> Block:
    values = {"starts_on": TODAY, "rule": WEEKDAYS, "by": clinic.admin, **extra}
    return add_block(clinic.patel, "lunch", time(12), time(13), **values)


def test_a_weekday_lunch_happens_every_weekday_and_not_at_weekends(clinic) -> None:
    _lunch(clinic)
    [busy] = busy_on(clinic.patel.id, TODAY)
    assert (busy.start, busy.end, busy.kind) == (time(12), time(13), "lunch")
    assert busy.label == "at lunch 12:00-13:00"
    assert busy_on(clinic.patel.id, date(2026, 12, 5)) == []  # Saturday
    assert busy_on(clinic.patel.id, date(2026, 12, 7))  # Monday
    assert busy_on(clinic.kim.id, TODAY) == []  # another provider's lunch is hers
    assert busy_on(clinic.patel.id, TODAY - timedelta(days=1)) == []  # before it began


def test_every_other_week(clinic) -> None:
    rule = calendar.preset_rule("fortnightly", TODAY)
    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    add_block(clinic.patel, "rounds", time(8), time(9), starts_on=TODAY, rule=rule,
              by=clinic.admin)
    found = busy_between([clinic.patel.id], TODAY, TODAY + timedelta(days=34))
    assert sorted(day for _, day in found) == [date(2026, 12, 1), date(2026, 12, 15),
                                               date(2026, 12, 29)]


def test_until_in_the_rule_becomes_the_last_day(clinic) -> None:
    block = _lunch(clinic, rule=WEEKDAYS + ";UNTIL=20261204T000000Z")
    assert block.ends_on == date(2026, 12, 4) and "UNTIL" not in block.rule
    days = {day for _, day in busy_between([clinic.patel.id], TODAY, TODAY + timedelta(days=14))}
    assert days == {date(2026, 12, d) for d in (1, 2, 3, 4)}


def test_count_becomes_the_last_day_and_ends_on_cuts_too(clinic) -> None:
    counted = _lunch(clinic, rule="RRULE:FREQ=DAILY;COUNT=3")
    assert (counted.rule, counted.ends_on) == ("FREQ=DAILY", date(2026, 12, 3))
    ended = add_block(clinic.kim, "admin", time(16), time(17), starts_on=TODAY, rule=WEEKDAYS,
                      ends_on=date(2026, 12, 2), by=clinic.admin)
    assert ended.ends_on == date(2026, 12, 2)
    assert busy_on(clinic.kim.id, date(2026, 12, 3)) == []
    assert busy_on(clinic.patel.id, date(2026, 12, 4)) == []


def test_the_last_day_before_the_first_is_refused(clinic) -> None:
    with pytest.raises(InvalidInput) as refused:
        _lunch(clinic, ends_on=TODAY - timedelta(days=1))
    assert refused.value.field == "ends_on" and "before the first" in str(refused.value)


def test_a_block_must_end_after_it_starts(clinic) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_block(clinic.patel, "lunch", time(13), time(12), starts_on=TODAY, by=clinic.admin)
    assert refused.value.field == "end"


def test_a_dst_day_keeps_the_wall_clock_times(clinic) -> None:
    """Clocks go forward on Sunday 3/14/2027 and back on Sunday 11/7/2027."""
    add_block(clinic.patel, "meeting", time(9), time(10), starts_on=date(2027, 3, 7),
              rule="FREQ=WEEKLY;BYDAY=SU", title="Sunday huddle", by=clinic.admin)
    for sunday in (date(2027, 3, 14), date(2027, 11, 7), date(2027, 3, 7)):
        [busy] = busy_on(clinic.patel.id, sunday)
        assert (busy.start, busy.end) == (time(9), time(10))
        assert busy.label == "in a meeting (Sunday huddle) 9:00-10:00"


def test_a_block_in_the_skipped_hour_still_happens_at_its_wall_time(clinic) -> None:
    add_block(clinic.patel, "other", time(2, 15), time(2, 45), starts_on=date(2027, 3, 10),
              rule="FREQ=DAILY", by=clinic.admin)
    [busy] = busy_on(clinic.patel.id, date(2027, 3, 14))
    assert (busy.start, busy.end) == (time(2, 15), time(2, 45))


@pytest.mark.parametrize("rule, words", [
    ("FREQ=SOMETIMES", "FREQ=DAILY, WEEKLY"),
    ("BYDAY=MO", "how often"),
    ("hello", "NAME=VALUE"),
    ("FREQ=HOURLY", "how often"),
    ("FREQ=WEEKLY;BYHOUR=9", "start and end"),
    ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
    ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
    ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "never happen"),
    ("FREQ=WEEKLY;UNTIL=20261101", "never happen"),
    ("DTSTART:20261201T120000\nRRULE:FREQ=DAILY", "only the rule"),
    ("FREQ=DAILY;COUNT=2;UNTIL=20270101", "not both"),
    ("FREQ=DAILY;COUNT=0", "COUNT"),
])
def test_rules_that_cannot_be_understood_are_refused_in_staff_words(clinic, rule,
                                                                     words) -> None:
    with pytest.raises(InvalidInput) as refused:
        _lunch(clinic, rule=rule)
    assert str(refused.value).startswith("The repeat rule is not understood: ")
    assert words in str(refused.value) and refused.value.field == "rule"
    assert Block.select().count() == 0


@pytest.mark.parametrize("rule", [
    "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=DAILY;BYDAY=MO,FR", "FREQ=WEEKLY",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "FREQ=WEEKLY;INTERVAL=3", WEEKDAYS,
    "FREQ=MONTHLY;BYDAY=1TU", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;INTERVAL=2",
    "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2",
    "FREQ=MONTHLY;INTERVAL=2;BYDAY=2WE,-1MO", "FREQ=MONTHLY;INTERVAL=3;BYDAY=4TH",
    "FREQ=DAILY;INTERVAL=2;BYDAY=SA,SU", "FREQ=WEEKLY;INTERVAL=4;BYDAY=SU,SA",
    "FREQ=YEARLY", "FREQ=YEARLY;BYMONTH=7;BYDAY=1MO", "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,MO",
])
@pytest.mark.parametrize("starts_on", [date(2025, 1, 31), date(2026, 11, 30)])
def test_expansion_agrees_with_dateutil_over_any_window(rule, starts_on) -> None:
    """The quick paths (date arithmetic; dateutil started near the window) find the same
    days as dateutil run from the first day."""
    start = datetime.combine(starts_on, time(12))
    reference = rrulestr(rule, dtstart=start)
    for first in (starts_on, date(2026, 12, 1), date(2027, 2, 27)):
        last = first + timedelta(days=90)
        expected = [m.date() for m in reference.between(
            datetime.combine(first, time.min), datetime.combine(last, time.max), inc=True)]
        assert calendar._days(rule, starts_on, time(12), None, first, last) == expected, first


def test_presets_make_rules_and_read_back_in_words() -> None:
    tuesday = date(2026, 12, 1)
    words = {preset: calendar.describe_rule(calendar.preset_rule(preset, tuesday), tuesday)
             for preset in calendar.PRESETS if preset != "custom"}
    assert words == {
        "once": "once, Tue 12/1/2026", "daily": "every day", "weekdays": "every weekday",
        "weekly": "every week on Tue", "fortnightly": "every other week on Tue",
        "monthly": "every month on the first Tue",
    }
    assert calendar.preset_rule("monthly", date(2026, 12, 29)) == "FREQ=MONTHLY;BYDAY=-1TU"
    assert calendar.describe_rule("FREQ=MONTHLY;BYMONTHDAY=15", tuesday,
                                  date(2027, 6, 30)) == "FREQ=MONTHLY;BYMONTHDAY=15 until 6/30/2027"


def test_a_block_once_with_a_last_day_is_refused(clinic) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_block(clinic.patel, "vacation", *calendar.ALL_DAY, starts_on=TODAY,
                  ends_on=TODAY + timedelta(days=4), by=clinic.admin)
    assert "Every day" in str(refused.value)


def test_vacation_all_day_for_a_run_of_days(clinic) -> None:
    add_block(clinic.patel, "vacation", *calendar.ALL_DAY, starts_on=date(2027, 1, 4),
              rule="FREQ=DAILY", ends_on=date(2027, 1, 8), by=clinic.admin)
    found = busy_between([clinic.patel.id], date(2027, 1, 1), date(2027, 1, 31))
    assert sorted(day.day for _, day in found) == [4, 5, 6, 7, 8]
    assert found[(clinic.patel.id, date(2027, 1, 4))][0].label == "on vacation all day"


def test_front_desk_may_read_but_not_change_calendars(clinic) -> None:
    with pytest.raises(NotAllowed):
        _lunch(clinic, by=clinic.desk)
    with pytest.raises(NotAllowed):
        calendar.set_on_call(clinic.patel, TODAY, TODAY, by=clinic.desk)
    assert busy_on(clinic.patel.id, TODAY) == []


def test_removing_a_block_checks_the_version_and_is_recorded(clinic) -> None:
    block = _lunch(clinic)
    seen = changes.latest()
    with pytest.raises(StaleEdit):
        calendar.remove_block(block, version=block.version + 1, by=clinic.admin)
    calendar.remove_block(block, version=block.version, by=clinic.admin)
    assert busy_on(clinic.patel.id, TODAY) == []
    assert Block.get_by_id(block.id).active is False  # kept for the record
    with pytest.raises(StaleEdit):
        calendar.remove_block(block, version=block.version + 1, by=clinic.admin)
    actions = [e.action for e in audit.AuditEvent.select().order_by(audit.AuditEvent.id)]
    assert actions[-2:] == ["calendar.block_added", "calendar.block_removed"]
    assert [(c.topic, c.key) for c in changes.since(seen)] == [("calendar", str(clinic.patel.id))]


def test_blocks_of_lists_what_still_happens_with_the_next_day(clinic) -> None:
    _lunch(clinic)
    add_block(clinic.patel, "meeting", time(7), time(7, 30), starts_on=date(2026, 12, 1),
              rule="FREQ=MONTHLY;BYDAY=1TU", title="Staff meeting", by=clinic.admin)
    add_block(clinic.patel, "other", time(9), time(10), starts_on=TODAY - timedelta(days=3),
              by=clinic.admin)  # once, already past
    lines = calendar.blocks_of(clinic.patel.id, today=date(2026, 12, 2))
    assert [(line.kind, line.repeat, line.next_on) for line in lines] == [
        ("lunch", "every weekday", date(2026, 12, 2)),
        ("meeting", "every month on the first Tue", date(2027, 1, 5)),
    ]
    assert lines[1].times == "7:00-7:30"
    # Today (10:20), this morning's meeting is over: the next one is in January.
    today = {line.kind: line.next_on for line in calendar.blocks_of(clinic.patel.id)}
    assert today == {"lunch": TODAY, "meeting": date(2027, 1, 5)}


def test_busy_between_reads_every_provider_in_one_query(clinic) -> None:
    others = [providers.add_provider(first_name="Doc", last_name=f"Number{i}", credentials="MD",
                                     npi=_npi(i), specialty="Family Medicine", by=clinic.admin)
              for i in range(28)]
    everyone = [clinic.patel, clinic.kim, *others]
    for provider in everyone:
        add_block(provider, "lunch", time(12), time(13), starts_on=date(2026, 1, 5),
                  rule=WEEKDAYS, by=clinic.admin)
        add_block(provider, "meeting", time(7), time(8), starts_on=date(2026, 1, 6),
                  rule="FREQ=MONTHLY;BYDAY=1TU", by=clinic.admin)
    with count_queries() as counted:
        found = busy_between([p.id for p in everyone], TODAY, TODAY + timedelta(days=89))
    assert counted.count == 1
    assert len(found[(others[0].id, date(2027, 1, 5))]) == 2  # lunch and the meeting
    assert sum(len(v) for v in found.values()) == 30 * (64 + 3)


def _npi(index: int) -> str:
    body = f"1{index:08d}"
    return next(body + d for d in "0123456789" if providers.npi_is_valid(body + d))


def test_on_call_rota(clinic) -> None:
    assert calendar.on_call(TODAY) is None
    calendar.set_on_call(clinic.patel, TODAY, TODAY + timedelta(days=6), by=clinic.admin)
    calendar.set_on_call(clinic.kim, TODAY + timedelta(days=7), TODAY + timedelta(days=13),
                         note="covering", by=clinic.admin)
    assert calendar.on_call(TODAY + timedelta(days=6)).id == clinic.patel.id
    assert calendar.on_call(TODAY + timedelta(days=7)).id == clinic.kim.id
    assert calendar.on_call(TODAY + timedelta(days=14)) is None
    lines = calendar.rota(TODAY, TODAY + timedelta(days=30))
    assert [(line.provider, line.note) for line in lines] == [("Dr. Patel", ""),
                                                               ("Kim NP", "covering")]


def test_overlapping_on_call_is_refused_naming_who_is_on_call(clinic) -> None:
    calendar.set_on_call(clinic.patel, TODAY, TODAY + timedelta(days=6), by=clinic.admin)
    with pytest.raises(Conflict) as refused:
        calendar.set_on_call(clinic.kim, TODAY + timedelta(days=3), TODAY + timedelta(days=9),
                             by=clinic.admin)
    assert str(refused.value) == ("Dr. Patel is already on call Tue 12/1/2026 to Mon 12/7/2026; "
                                  "change that first.")
    with pytest.raises(InvalidInput):
        calendar.set_on_call(clinic.kim, TODAY, TODAY - timedelta(days=1), by=clinic.admin)


def test_removing_an_on_call_run(clinic) -> None:
    entry = calendar.set_on_call(clinic.patel, TODAY, TODAY, by=clinic.admin)
    seen = changes.latest()
    calendar.remove_on_call(entry.id, by=clinic.admin)
    assert calendar.on_call(TODAY) is None
    assert [(c.topic, c.key) for c in changes.since(seen)] == [("calendar", "on_call")]


@pytest.mark.parametrize("typed, stretches", [
    ("8:00-12:00, 13:00-17:00", [(time(8), time(12)), (time(13), time(17))]),
    ("8-12, 1-5", [(time(8), time(12)), (time(13), time(17))]),
    ("12-1", [(time(12), time(13))]),
    ("7:30am-12:30pm", [(time(7, 30), time(12, 30))]),
    ("0830-1700", [(time(8, 30), time(17))]),
    ("", []),
    ("off", []),
])
def test_hours_as_staff_type_them(typed, stretches) -> None:
    assert calendar.parse_stretches(typed) == stretches


@pytest.mark.parametrize("typed", ["8", "8-25", "9-8am", "8-12, 11-14", "lunch"])
def test_hours_that_cannot_be_read_are_refused(typed) -> None:
    with pytest.raises(InvalidInput) as refused:
        calendar.parse_stretches(typed)
    assert refused.value.field == "hours"


def test_week_of_reads_the_whole_week(clinic) -> None:
    week = calendar.week_of(clinic.patel)
    assert week[1] == [(time(8), time(12)), (time(13), time(17))] and week[6] == []


def test_one_weekdays_hours_change_and_the_rest_of_the_week_stays(clinic):
    from datetime import time as at

    before = calendar.week_of(clinic.patel)
    saved = calendar.set_day_hours(clinic.patel, 2, "9:00-13:00", by=clinic.admin)
    assert saved == [(at(9), at(13))]
    after = calendar.week_of(clinic.patel)
    assert after[2] == [(at(9), at(13))]
    assert {d: h for d, h in after.items() if d != 2} == {d: h for d, h in before.items() if d != 2}
    with pytest.raises(NotAllowed):
        calendar.set_day_hours(clinic.patel, 2, "8:00-12:00", by=clinic.desk)
