"""Dates as people type them, read in the actor's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.core.dates import parse_date
from services.core.errors import InvalidInput

MON_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday 23 November 2026


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-04", date(2026, 12, 4)),
        ("today", date(2026, 11, 23)),
        ("tomorrow", date(2026, 11, 24)),
        ("friday", date(2026, 11, 27)),
        ("Fri", date(2026, 11, 27)),
        ("monday", date(2026, 11, 23)),
        ("next tue", date(2026, 12, 1)),
        ("next monday", date(2026, 11, 30)),
        ("in 3 days", date(2026, 11, 26)),
        ("in 2 weeks", date(2026, 12, 7)),
        ("end of month", date(2026, 11, 30)),
        ("EOM", date(2026, 11, 30)),
        ("end of week", date(2026, 11, 27)),
        ("4 Dec", date(2026, 12, 4)),
        ("dec 4", date(2026, 12, 4)),
        ("4/12", date(2026, 12, 4)),
    ],
)
def test_parses(text: str, expected: date) -> None:
    assert parse_date(text, tz="UTC", now=MON_NOON) == expected


def test_relative_dates_follow_the_actors_zone() -> None:
    late_sunday_in_la = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Sun 22 Nov 19:00 in LA
    assert parse_date("today", tz="America/Los_Angeles", now=late_sunday_in_la) == date(
        2026, 11, 22
    )
    assert parse_date("tomorrow", tz="Asia/Kolkata", now=late_sunday_in_la) == date(2026, 11, 24)
    assert parse_date("friday", tz="America/Los_Angeles", now=late_sunday_in_la) == date(
        2026, 11, 27
    )


def test_end_of_month_in_february_of_a_leap_year() -> None:
    now = datetime(2028, 2, 10, 12, tzinfo=UTC)
    assert parse_date("end of month", tz="UTC", now=now) == date(2028, 2, 29)


@pytest.mark.parametrize("text", ["frobday", "", "2026-02-30", "the day after never", "x" * 100])
def test_unreadable_dates_get_a_helpful_error(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_date(text, tz="UTC", now=MON_NOON)
    assert "date" in err.value.message.lower()
    assert err.value.hint


def test_the_horizon_is_five_years_either_way() -> None:
    from datetime import date

    from services.core.dates import within_horizon

    today = date(2026, 11, 29)
    assert within_horizon(date(2031, 11, 29), today) and within_horizon(date(2021, 11, 30), today)
    assert not within_horizon(date(2032, 1, 1), today)
    assert not within_horizon(date(2020, 1, 1), today)
