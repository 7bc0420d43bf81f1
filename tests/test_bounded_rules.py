"""Bounded work per request (issue 15, part 2): a repeat rule a status round or a meeting can't
have is refused before anything is expanded, and every expansion of a calendar someone uploads
is capped, so no input ties up a worker. Before: `FREQ=SECONDLY` in the status settings took
about a minute (dateutil walked every second since 2020) and a holiday file with a secondly
all-day event never finished."""

from __future__ import annotations

import time
from datetime import date

import pytest

from services.commands.execute import run_text
from services.core import holidays
from services.core.errors import InvalidInput
from tests.conftest import NOW, World

EVERY_SECOND_OF_THE_DAY = (
    "FREQ=DAILY;BYHOUR="
    + ",".join(str(h) for h in range(24))
    + ";BYMINUTE="
    + ",".join(str(m) for m in range(60))
    + ";BYSECOND="
    + ",".join(str(s) for s in range(60))
)


def refused_quickly(call, match: str) -> InvalidInput:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    with pytest.raises(InvalidInput, match=match) as err:
        call()
    # A generous bound on a loaded machine; the unbounded versions took a minute or more.
    assert time.monotonic() - started < 5
    return err.value


@pytest.fixture
def apollo(world: World) -> World:
    run_text(world.session, world.actor("lead"), 'project new APOLLO "Apollo"', now=NOW)
    return world


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=1",
        "FREQ=HOURLY;BYDAY=MO",
        "freq=secondly",
        EVERY_SECOND_OF_THE_DAY,
        "FREQ=DAILY;BYHOUR=9,15",
        "FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,30",
    ],
)
def test_a_status_round_more_often_than_daily_is_refused_before_it_is_expanded(
    apollo: World, rule: str
) -> None:
    lead = apollo.actor("lead")
    err = refused_quickly(
        lambda: run_text(apollo.session, lead, f"status settings APOLLO rrule {rule}", now=NOW),
        "more often than once a day|more often than daily",
    )
    assert err.field == "rrule"  # the settings form shows it on the rule's field
    # A rule it can have is still taken.
    ok = run_text(
        apollo.session, lead, "status settings APOLLO rrule FREQ=WEEKLY;BYDAY=TH;BYHOUR=10", now=NOW
    )
    assert "BYDAY=TH" in ok.cadence.rrule  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "rule", ["FREQ=DAILY;BYHOUR=9,15", "FREQ=MINUTELY", "FREQ=HOURLY", EVERY_SECOND_OF_THE_DAY]
)
def test_a_meeting_series_happens_at_most_once_a_day(apollo: World, rule: str) -> None:
    lead = apollo.actor("lead")
    refused_quickly(
        lambda: run_text(apollo.session, lead, f'meeting new APOLLO "Sync" {rule} 10:00', now=NOW),
        "more often than once a day|more than once a day|more often than daily|too long",
    )


def _holiday_file(rule: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:storm@x\r\nDTSTART;VALUE=DATE:20261201\r\n"
        f"RRULE:{rule}\r\nSUMMARY:Storm\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:day@x\r\nDTSTART;VALUE=DATE:20261207\r\n"
        "DTEND;VALUE=DATE:20261208\r\nSUMMARY:Company day\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=HOURLY;INTERVAL=1"])
def test_a_holiday_file_with_a_rule_repeating_within_a_day_imports_the_rest(
    world: World, rule: str
) -> None:
    started = time.monotonic()
    result = holidays.import_ics(
        world.session, workspace_id=world.ws.id, data=_holiday_file(rule), today=date(2026, 11, 23)
    )
    assert time.monotonic() - started < 5
    assert dict(result.days) == {date(2026, 12, 7): "Company day"}
    assert any("Storm" in n and "more often than daily" in n for n in result.notes), result.notes


def test_a_holiday_file_with_too_many_days_is_refused_not_expanded_forever(world: World) -> None:
    # Daily "holidays" for two years is 730 days: allowed. Twenty thousand events is not a
    # holiday calendar; the expansion stops at its cap and says so.
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{n}@x\r\nDTSTART;VALUE=DATE:20261201\r\nRRULE:FREQ=DAILY\r\n"
        f"SUMMARY:Day {n}\r\nEND:VEVENT\r\n"
        for n in range(40)
    )
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{events}END:VCALENDAR\r\n"
    started = time.monotonic()
    with pytest.raises(InvalidInput, match="too many"):
        holidays.import_ics(
            world.session, workspace_id=world.ws.id, data=data.encode(), today=date(2026, 11, 23)
        )
    assert time.monotonic() - started < 30  # loaded CI machines; unbounded, it never ended
