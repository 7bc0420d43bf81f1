"""Dates as people type them: read for the person (zone, date order, now), never surprising."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models import ActionItem
from models.enums import DateOrder
from services.commands.execute import run_text
from services.commands.results import ActionResult
from services.core.date_grammar import (
    MONTHS,
    NUMBER_WORDS,
    SPECIAL,
    UNITS,
    WEEKDAYS,
    date_words,
)
from services.core.date_order import date_order_for_locale, effective_order
from services.core.dates import (
    HORIZON_YEARS,
    DateSense,
    long_day,
    numeric,
    read_date,
    within_horizon,
)
from services.core.errors import InvalidInput
from services.core.refs import plain_text
from tests.conftest import World

MON_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday 23 November 2026
DMY = DateSense("UTC", DateOrder.DMY, MON_NOON)
MDY = DateSense("UTC", DateOrder.MDY, MON_NOON)
YMD = DateSense("UTC", DateOrder.YMD, MON_NOON)


def refusal(text: str, sense: DateSense = DMY, **kw: bool) -> str:
    with pytest.raises(InvalidInput) as err:
        read_date(text, sense, **kw)
    return f"{plain_text(err.value.message)} || {plain_text(err.value.hint)}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-04", date(2026, 12, 4)),
        ("2026/12/4", date(2026, 12, 4)),
        ("today", date(2026, 11, 23)),
        ("tomorrow", date(2026, 11, 24)),
        ("friday", date(2026, 11, 27)),
        ("Fri", date(2026, 11, 27)),
        ("monday", date(2026, 11, 23)),
        ("next tue", date(2026, 12, 1)),
        ("next monday", date(2026, 11, 30)),
        ("in 3 days", date(2026, 11, 26)),
        ("in 2 weeks", date(2026, 12, 7)),
        ("in two weeks", date(2026, 12, 7)),
        ("in a month", date(2026, 12, 23)),
        ("3 days from now", date(2026, 11, 26)),
        ("end of month", date(2026, 11, 30)),
        ("EOM", date(2026, 11, 30)),
        ("end of week", date(2026, 11, 27)),
        ("end of year", date(2026, 12, 31)),
        ("4 Dec", date(2026, 12, 4)),
        ("dec 4", date(2026, 12, 4)),
        ("December 4th, 2026", date(2026, 12, 4)),
        ("the 4th of December", date(2026, 12, 4)),
        ("Thu 31 Dec 2026", date(2026, 12, 31)),
        ("the 4th", date(2026, 12, 4)),
        ("4/12", date(2026, 12, 4)),
        ("31.12.", date(2026, 12, 31)),
        ("31/12/26", date(2026, 12, 31)),
        ("5 Jan", date(2027, 1, 5)),  # year-less: the nearest 5 January
    ],
)
def test_reads_what_a_day_first_person_types(text: str, expected: date) -> None:
    assert read_date(text, DMY) == expected


def test_the_date_order_decides_what_numbers_mean() -> None:
    # The example: for an en-US person 12/31 is 31 December ...
    assert read_date("12/31", MDY) == date(2026, 12, 31)
    assert read_date("12/31", YMD) == date(2026, 12, 31)
    assert read_date("12/5", MDY) == date(2026, 12, 5)
    assert read_date("12/31/2026", MDY) == date(2026, 12, 31)
    assert read_date("2026/12/31", MDY) == read_date("2026/12/31", DMY) == date(2026, 12, 31)
    assert read_date("26/12/31", YMD) == date(2026, 12, 31)
    # ... and for a day-first person it is refused with the date they probably meant.
    said = refusal("12/31", DMY)
    assert "There is no month 31 — did you mean 31/12 (Thursday 31 December 2026)?" in said
    assert "`me dates MDY`" in said
    assert "did you mean 12/31 (Thursday 31 December 2026)?" in refusal("31/12", MDY)


def test_what_used_to_become_a_far_or_odd_date_is_refused() -> None:
    # The old reader stored due:12/31 as 12 Nov 2031; bare and negative numbers became dates.
    assert "2031" not in refusal("12/31", DMY)
    bare = refusal("12")
    assert "'12' is a number, not a date" in bare and "the 12th (Saturday 12 December 2026)" in bare
    assert "is a year, not a date" in refusal("2031")
    assert "is a number, not a date" in refusal("-3")
    assert "is a number, not a date" in refusal("0")
    assert "There is no 31 February" in refusal("31/02")
    assert "There is no 30 February 2027" in refusal("2027-02-30")
    assert "There is no month 13" in refusal("2026-13-01")
    assert "is a Thursday, not a Friday" in refusal("Fri 31 Dec 2026")
    assert "No month has a 32nd" in refusal("the 32nd")
    for junk in ("frobday", "the day after never", "x" * 100, "12 apples", "1/2/3/4", "next"):
        assert "date" in refusal(junk)


def test_beyond_the_horizon_is_refused_either_way() -> None:
    assert "more than 5 years away" in refusal("in 6 years")
    assert "more than 5 years away" in refusal("2032-01-01")
    assert "more than 5 years ago" in refusal("2020-01-01", allow_past=True)
    assert read_date("in 5 years", DMY) == date(2031, 11, 23)


def test_past_due_dates_are_refused_with_how_far_back_and_the_form_to_use() -> None:
    said = refusal("yesterday")
    assert said.startswith("Sunday 22 November 2026 was yesterday; a due date can't be in the past")
    assert "`action done <number>`" in said
    assert refusal("in -3 days").startswith("Friday 20 November 2026 was 3 days ago")
    assert refusal("3 days ago").startswith("Friday 20 November 2026 was 3 days ago")
    assert refusal("last friday").startswith("Friday 20 November 2026 was 3 days ago")
    year_less = refusal("20 Nov")
    assert "For next year's, write 20 Nov 2027." in year_less
    assert refusal("2026-06-01").startswith("Monday 1 June 2026 was 5 months ago")
    # Recording history (leave taken, a project's start) may look back.
    assert read_date("yesterday", DMY, allow_past=True) == date(2026, 11, 22)


def test_relative_dates_follow_the_persons_zone() -> None:
    late_sunday_in_la = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Sun 22 Nov 19:00 in LA
    la = DateSense("America/Los_Angeles", DateOrder.MDY, late_sunday_in_la)
    assert read_date("today", la) == date(2026, 11, 22)
    assert read_date("friday", la) == date(2026, 11, 27)
    kolkata = DateSense("Asia/Kolkata", DateOrder.DMY, late_sunday_in_la)
    assert read_date("tomorrow", kolkata) == date(2026, 11, 24)


def test_end_of_month_in_february_of_a_leap_year() -> None:
    sense = DateSense("UTC", DateOrder.DMY, datetime(2028, 2, 10, 12, tzinfo=UTC))
    assert read_date("end of month", sense) == date(2028, 2, 29)
    assert read_date(
        "in 1 month", DateSense("UTC", DateOrder.DMY, datetime(2027, 1, 31, tzinfo=UTC))
    ) == date(2027, 2, 28)


def test_the_horizon_is_five_years_either_way() -> None:
    today = date(2026, 11, 29)
    assert within_horizon(date(2031, 11, 29), today) and within_horizon(date(2021, 11, 30), today)
    assert not within_horizon(date(2032, 1, 1), today)
    assert not within_horizon(date(2020, 1, 1), today)


@pytest.mark.parametrize(
    ("locale", "order"),
    [
        ("en-US", DateOrder.MDY),
        ("en_US", DateOrder.MDY),
        ("en-PH", DateOrder.MDY),
        ("en-GB", DateOrder.DMY),
        ("en-AU", DateOrder.DMY),
        ("en-IN", DateOrder.DMY),
        ("de-DE", DateOrder.DMY),
        ("fr-FR", DateOrder.DMY),
        ("pt-BR", DateOrder.DMY),
        ("es-LA", DateOrder.DMY),
        ("ja-JP", DateOrder.YMD),
        ("zh-CN", DateOrder.YMD),
        ("zh-Hant-TW", DateOrder.YMD),
        ("ko-KR", DateOrder.YMD),
        ("sv-SE", DateOrder.YMD),
        ("en-CA", DateOrder.YMD),
        ("hu", DateOrder.YMD),
        ("en", None),
        ("", None),
        ("??", None),
    ],
)
def test_date_order_for_locale(locale: str, order: DateOrder | None) -> None:
    assert date_order_for_locale(locale) == order


def test_a_persons_own_order_beats_their_locale_which_beats_the_workspace() -> None:
    assert effective_order("YMD", "en-US", "DMY") == DateOrder.YMD
    assert effective_order(None, "en-US", "DMY") == DateOrder.MDY
    assert effective_order(None, None, "MDY") == DateOrder.MDY
    assert effective_order(None, "en", "MDY") == DateOrder.MDY
    assert effective_order(None, None, None) == DateOrder.DMY


def test_how_many_words_make_the_date() -> None:
    assert date_words(["in", "3", "days", "Send", "the", "plan"]) == 3
    assert date_words(["next", "monday", "please"]) == 2
    assert date_words(["31", "dec", "2026", "launch"]) == 3
    assert date_words(["friday", "2", "reports"]) == 1
    assert date_words(["12", "apples"]) == 0
    assert date_words(["Send", "the", "plan"]) == 0


# --- properties ---------------------------------------------------------------------------

TODAY = MON_NOON.date()
within = st.dates(
    min_value=TODAY - timedelta(days=HORIZON_YEARS * 365),
    max_value=TODAY + timedelta(days=HORIZON_YEARS * 365),
)
orders = st.sampled_from(list(DateOrder))


def in_words(d: date, style: int) -> str:
    month, mon = calendar.month_name[d.month], calendar.month_abbr[d.month]
    return [
        long_day(d),  # Thursday 31 December 2026
        f"{d.day} {month} {d.year}",
        f"{month} {d.day}, {d.year}",
        f"{d:%a} {d.day} {mon} {d.year}",
        f"{mon} {d.day} {d.year}",
        d.isoformat(),
    ][style]


@settings(max_examples=400, deadline=None)
@given(d=within, order=orders, sep=st.sampled_from(["/", ".", "-"]))
def test_numeric_dates_round_trip_in_every_order(d: date, order: DateOrder, sep: str) -> None:
    sense = DateSense("UTC", order, MON_NOON)
    text = numeric(d, order).replace("/", sep)
    assert read_date(text, sense, allow_past=True) == d


@settings(max_examples=400, deadline=None)
@given(d=within, order=orders, style=st.integers(0, 5))
def test_dates_in_words_round_trip(d: date, order: DateOrder, style: int) -> None:
    sense = DateSense("UTC", order, MON_NOON)
    assert read_date(in_words(d, style), sense, allow_past=True) == d


@settings(max_examples=300, deadline=None)
@given(d=within, order=orders)
def test_year_less_dates_are_the_nearest_one(d: date, order: DateOrder) -> None:
    sense = DateSense("UTC", order, MON_NOON)
    got = read_date(numeric(d, order, year=False), sense, allow_past=True)
    assert (got.month, got.day) == (d.month, d.day)
    if (d.month, d.day) != (2, 29):  # the nearest 29 February may be years off
        assert abs((got - TODAY).days) <= 366 // 2 + 1


@settings(max_examples=300, deadline=None)
@given(d=within, order=orders)
def test_a_past_date_is_never_saved_as_a_due_date(d: date, order: DateOrder) -> None:
    sense = DateSense("UTC", order, MON_NOON)
    if d < TODAY:
        with pytest.raises(InvalidInput):
            read_date(d.isoformat(), sense)
    else:
        assert read_date(d.isoformat(), sense) == d


NAMES = set(MONTHS) | set(WEEKDAYS) | set(SPECIAL) | set(UNITS) | set(NUMBER_WORDS)
NAMES |= {"in", "ago", "from", "now", "next", "last", "this", "on", "the", "of", "coming"}
junk_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12).filter(
    lambda w: w not in NAMES
)
junk = st.one_of(
    st.integers(-10_000, 10_000).map(str),  # bare and negative numbers
    st.tuples(st.integers(32, 99), st.integers(13, 99)).map(lambda t: f"{t[0]}/{t[1]}"),
    st.tuples(st.integers(1, 28), st.integers(13, 99), st.integers(2021, 2031)).map(
        lambda t: f"{t[2]}-{t[1]:02d}-{t[0]:02d}"  # month 13+
    ),
    st.integers(0, 9999)
    .filter(lambda y: abs(y - 2026) > HORIZON_YEARS)
    .map(
        lambda y: f"{y:04d}-06-15"  # beyond the horizon
    ),
    st.lists(junk_words, min_size=1, max_size=4).map(" ".join),
    st.text(alphabet="!?#$%&*+=~^|<>", min_size=1, max_size=10),
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(text=junk, order=orders)
def test_junk_is_refused_never_a_date(text: str, order: DateOrder) -> None:
    assume(text.strip())
    sense = DateSense("UTC", order, MON_NOON)
    with pytest.raises(InvalidInput):
        read_date(text, sense, allow_past=True)


# --- the same properties through a command and the database, on both engines ---------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    d=st.dates(min_value=TODAY, max_value=TODAY + timedelta(days=HORIZON_YEARS * 365)),
    order=orders,
    style=st.integers(0, 6),
)
def test_a_typed_due_date_is_stored_as_meant(
    world: World, d: date, order: DateOrder, style: int
) -> None:
    lead = world.person("lead")
    lead.date_order = order.value
    text = numeric(d, order) if style == 6 else in_words(d, style)
    result = run_text(
        world.session, world.actor("lead"), f'action add "Item" due:{text}', now=MON_NOON
    )
    assert isinstance(result, ActionResult) and result.item.due_on == d
    stored = world.session.get(ActionItem, result.item.id)
    assert stored is not None and stored.due_on == d


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=junk)
def test_typed_junk_stores_nothing(world: World, text: str) -> None:
    assume(text.strip() and '"' not in text)
    before = world.session.scalar(select(func.count()).select_from(ActionItem))
    with pytest.raises(InvalidInput):
        run_text(
            world.session, world.actor("lead"), f'action add "Item" due:"{text}"', now=MON_NOON
        )
    assert world.session.scalar(select(func.count()).select_from(ActionItem)) == before
