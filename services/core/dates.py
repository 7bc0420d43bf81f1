"""Dates as people type them, read the one way every path reads them (`read_date`).

A date is read for a person: in their time zone (what "today" and "friday" are), in their date
order (`12/05` is 12 May for DMY, 5 December for MDY), against `now`. What does not read as a
date a person meant is refused with a suggestion, never saved: bare or negative numbers,
impossible days, anything beyond HORIZON_YEARS, and — unless the caller records history — a
date in the past. The grammar itself is in `date_grammar`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from models.enums import DateOrder
from services.core import date_grammar as g
from services.core.errors import InvalidInput
from services.core.refs import Cmd, Text, parts_of, phrase

HORIZON_YEARS = 5  # a date a person meant lies within this many years of today, either way
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$")
_ORDER_LABEL = {DateOrder.DMY: "day/month", DateOrder.MDY: "month/day", DateOrder.YMD: "month/day"}
_MONTH_NAMES = list(calendar.month_name)


@cache
def zone(name: str) -> ZoneInfo:
    """ZoneInfo, kept: the standard library's own cache drops zones under load."""
    return ZoneInfo(name)


def local_today(now: datetime, tz: str) -> date:
    """The calendar date it is now in zone `tz`."""
    return now.astimezone(zone(tz)).date()


@dataclass(frozen=True)
class DateSense:
    """How one person reads dates: their zone, their numeric order, and now."""

    tz: str
    order: DateOrder
    now: datetime

    @property
    def today(self) -> date:
        return local_today(self.now, self.tz)


def numeric(d: date, order: DateOrder, *, year: bool = True) -> str:
    """`d` written in numbers the way a person of `order` writes it (31/12/2026)."""
    if order == DateOrder.YMD:
        return f"{d.year}/{d.month}/{d.day}" if year else f"{d.month}/{d.day}"
    first, second = (d.day, d.month) if order == DateOrder.DMY else (d.month, d.day)
    return f"{first}/{second}/{d.year}" if year else f"{first}/{second}"


def long_day(d: date) -> str:
    """'Thursday 31 December 2026'."""
    return f"{d:%A} {d.day} {_MONTH_NAMES[d.month]} {d.year}"


def examples(order: DateOrder) -> str:
    """What to type, for a person of `order`."""
    sample = numeric(date(2026, 12, 4), order, year=False)
    return (
        f"2026-12-04, {sample} ({_ORDER_LABEL[order]}), 4 Dec, friday, next tue, tomorrow, "
        "in 3 days, end of month"
    )


def _end_of_month(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year = d.year + y
    if not 1 <= year <= 9999:
        raise OverflowError
    return date(year, m + 1, min(d.day, calendar.monthrange(year, m + 1)[1]))


def _real(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest(month: int, day: int, today: date) -> date | None:
    """The day `day`/`month` nearest to today (a year-less date means the closest one)."""
    years = range(today.year - 4, today.year + 5)  # 29 February: the nearest leap year's
    found = [d for y in years if (d := _real(y, month, day))]
    return min(found, key=lambda d: (abs((d - today).days), d < today), default=None)


def _no_such(day: int, month: int, year: int | None) -> str:
    if not 1 <= month <= 12:
        return f"There is no month {month}"
    name = _MONTH_NAMES[month]
    return f"There is no {day} {name}" + (f" {year}" if year is not None else "")


def _unreadable(text: str, order: DateOrder) -> InvalidInput:
    shown = text.strip()[:40]
    return InvalidInput(f"I couldn't read {shown!r} as a date.", f"Try: {examples(order)}.")


def _numeric(p: g.Numeric, sense: DateSense, text: str) -> date:
    parts, order = p.parts, sense.order
    nums = [int(x) for x in parts]
    if len(parts) == 3:
        if len(parts[0]) == 4:
            y, m, d = nums
        elif (len(parts[2]) in (2, 4) and order != DateOrder.YMD) or len(parts[2]) == 4:
            y = nums[2] + (2000 if len(parts[2]) == 2 else 0)
            d, m = (nums[0], nums[1]) if order == DateOrder.DMY else (nums[1], nums[0])
        elif len(parts[0]) == 2 and order == DateOrder.YMD:
            y, m, d = 2000 + nums[0], nums[1], nums[2]
        else:
            raise _unreadable(text, order)
    elif any(len(x) > 2 for x in parts):
        raise InvalidInput(
            f"{text.strip()[:40]!r} is not a day: it has no day and month I can tell apart.",
            f"Try: {examples(order)}.",
        )
    else:
        y = None
        d, m = (nums[0], nums[1]) if order == DateOrder.DMY else (nums[1], nums[0])
    found = _real(y, m, d) if y is not None else _nearest(m, d, sense.today)
    if found is not None:
        return found
    swapped = _real(y, d, m) if y is not None else _nearest(d, m, sense.today)
    if swapped is not None and m > 12:
        mine = numeric(swapped, order, year=y is not None)
        raise InvalidInput(
            f"There is no month {m} — did you mean {mine} ({long_day(swapped)})?",
            phrase(
                f"You write dates {_ORDER_LABEL[order]} ({order.value}); to change that, type ",
                Cmd("me dates MDY" if order != DateOrder.MDY else "me dates DMY"),
                ".",
            ),
        )
    raise InvalidInput(f"{_no_such(d, m, y)}.", f"Try: {examples(order)}.")


def _named(p: g.Named, sense: DateSense) -> date:
    found = (
        _real(p.year, p.month, p.day)
        if p.year is not None
        else _nearest(p.month, p.day, sense.today)
    )
    if found is None:
        raise InvalidInput(f"{_no_such(p.day, p.month, p.year)}.", f"Try: {examples(sense.order)}.")
    if p.weekday is not None and found.weekday() != p.weekday:
        raise InvalidInput(
            f"{found.day} {_MONTH_NAMES[found.month]} {found.year} is a {found:%A}, "
            f"not a {calendar.day_name[p.weekday]}.",
            "Give the date or the weekday, or both as they really are.",
        )
    return found


def _ordinal(day: int, today: date) -> date | None:
    month = today.replace(day=1)
    for _ in range(13):
        found = _real(month.year, month.month, day)
        if found is not None and found >= today:
            return found
        month = _add_months(month, 1)
    return None


def _weekday(p: g.Weekday, today: date) -> date:
    if p.which == "coming":
        return today + timedelta(days=(p.weekday - today.weekday()) % 7)
    if p.which == "next":
        return today + timedelta(days=7 - today.weekday() + p.weekday)
    return today - timedelta(days=(today.weekday() - p.weekday - 1) % 7 + 1)


def _relative(p: g.Relative, today: date) -> date:
    if p.unit in ("days", "weeks", "fortnights"):
        per = {"days": 1, "weeks": 7, "fortnights": 14}[p.unit]
        return today + timedelta(days=p.amount * per)
    return _add_months(today, p.amount * (12 if p.unit == "years" else 1))


def _special(word: str, today: date) -> date:
    match word:
        case "today":
            return today
        case "tomorrow":
            return today + timedelta(days=1)
        case "yesterday":
            return today - timedelta(days=1)
        case "end_of_week":
            return today + timedelta(days=(4 - today.weekday()) % 7)
        case "next_week":
            return today + timedelta(days=7 - today.weekday())
        case "end_of_month":
            return _end_of_month(today)
        case "end_of_next_month":
            return _end_of_month(_end_of_month(today) + timedelta(days=1))
        case _:
            return date(today.year, 12, 31)


def _not_a_date(n: int, text: str, sense: DateSense) -> InvalidInput:
    shown = text.strip()[:20]
    if 1 <= n <= 31 and (the := _ordinal(n, sense.today)) is not None:
        return InvalidInput(
            f"{shown!r} is a number, not a date.",
            f"Did you mean the {n}{_suffix(n)} ({long_day(the)})? "
            f"Write it as {the.day} {the:%b} or {the.isoformat()}.",
        )
    if 1900 <= n <= 2200:
        return InvalidInput(
            f"{shown!r} is a year, not a date.", f"Give a day in it, e.g. 31 Dec {n} or {n}-12-31."
        )
    return InvalidInput(f"{shown!r} is a number, not a date.", f"Try: {examples(sense.order)}.")


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _resolve(found: g.DatePhrase, sense: DateSense, text: str) -> date:
    today = sense.today
    match found:
        case g.Special(word):
            return _special(word, today)
        case g.Iso(y, m, d):
            real = _real(y, m, d)
            if real is None:
                raise InvalidInput(
                    f"{_no_such(d, m, y)}.", "Write it as YYYY-MM-DD, e.g. 2026-12-04."
                )
            return real
        case g.Numeric():
            return _numeric(found, sense, text)
        case g.Named():
            return _named(found, sense)
        case g.Ordinal(day):
            the = _ordinal(day, today)
            if the is None:
                raise InvalidInput(
                    f"No month has a {day}{_suffix(day)}.", f"Try: {examples(sense.order)}."
                )
            return the
        case g.Weekday():
            return _weekday(found, today)
        case g.Relative():
            return _relative(found, today)
        case g.NotADate(n):
            raise _not_a_date(n, text, sense)


def _ago(days: int) -> str:
    if days == 1:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


PAST_HINT = phrase(
    "Give today or a later date. Work already finished is recorded by marking it done: ",
    Cmd("action done <number>"),
    " or ",
    Cmd("deliverable done <number>"),
    ".",
)


def read_date(
    text: str, sense: DateSense, *, allow_past: bool = False, past_hint: Text | None = None
) -> date:
    """The date `text` means for this person, or InvalidInput saying why it is refused.

    Every path that reads a typed date (commands, forms, one-line settings) comes here. A date
    before today is refused unless `allow_past` (leave taken, a project's start); one beyond
    HORIZON_YEARS either way is always refused.
    """
    if not text.strip():
        raise InvalidInput("A date is missing.", f"Try one of: {examples(sense.order)}.")
    if len(text) > 60:
        raise InvalidInput(
            f"I couldn't read {text[:40]!r}… as a date.", f"Try: {examples(sense.order)}."
        )
    found = g.phrase(text)
    if found is None:
        raise _unreadable(text, sense.order)
    try:
        d = _resolve(found, sense, text)
    except OverflowError:
        d = date.max
    today = sense.today
    if not within_horizon(d, today):
        when = "ago" if d < today else "away"
        shown = long_day(d) if d not in (date.max, date.min) else "That date"
        raise InvalidInput(
            f"{shown} is more than {HORIZON_YEARS} years {when}.",
            f"Dates within {HORIZON_YEARS} years of today are accepted; check the year.",
        )
    if d < today and not allow_past:
        hint: Text = past_hint if past_hint is not None else PAST_HINT
        year_less = isinstance(found, g.Named) and found.year is None
        if year_less or (isinstance(found, g.Numeric) and len(found.parts) == 2):
            later = _real(d.year + 1, d.month, d.day)
            if later is not None:
                again = f"For next year's, write {later.day} {later:%b} {later.year}. "
                hint = phrase(again, *parts_of(hint))
        raise InvalidInput(
            f"{long_day(d)} was {_ago((today - d).days)}; a due date can't be in the past.", hint
        )
    return d


def within_horizon(d: date, today: date) -> bool:
    """Whether `d` lies within HORIZON_YEARS of `today` (dates beyond are refused or flagged)."""
    return abs((d - today).days) <= HORIZON_YEARS * 366


def day_label(d: date, today: date) -> str:
    """'Fri 27 Nov', with the year when it is not this year's."""
    return f"{d:%a} {d.day} {d:%b}" + (f" {d.year}" if d.year != today.year else "")


def relative_phrase(d: date, today: date) -> tuple[str, bool]:
    """('today' | 'tomorrow' | 'in 4 days' | '3 days overdue', whether it is overdue)."""
    delta = (d - today).days
    if delta == 0:
        return "today", False
    if delta == 1:
        return "tomorrow", False
    if delta > 0:
        return f"in {delta} days", False
    return f"{-delta} day{'s' if delta != -1 else ''} overdue", True


def parse_time(text: str) -> time:
    """A time of day: 9, 9:30, 09.30, 9am, 5:15pm, 17:15."""
    m = _TIME.match(text.strip().lower())
    if m:
        hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
        if half and 1 <= hour <= 12:
            hour = hour % 12 + (12 if half == "pm" else 0)
        if (not half or 1 <= int(m.group(1)) <= 12) and hour < 24 and minute < 60:
            return time(hour, minute)
    raise InvalidInput(f"{text[:40]!r} is not a time of day.", "Write it like 9:30, 08:45 or 5pm.")
