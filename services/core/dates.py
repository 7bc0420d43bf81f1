"""Turn what people type ("friday", "in 3 days", "end of month", 2026-12-04) into dates."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from services.core.errors import InvalidInput
from services.core.examples import DATE_EXAMPLES

HORIZON_YEARS = 5  # a date a person meant lies within this many years of today, either way

_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARSER_SETTINGS = {
    "PREFER_DATES_FROM": "future",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "DATE_ORDER": "DMY",
    "STRICT_PARSING": False,
}


@cache
def zone(name: str) -> ZoneInfo:
    """ZoneInfo, kept: the standard library's own cache drops zones under load."""
    return ZoneInfo(name)


def local_today(now: datetime, tz: str) -> date:
    """The calendar date it is now in zone `tz`."""
    return now.astimezone(zone(tz)).date()


def _end_of_month(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _special(text: str, today: date) -> date | None:
    words = text.split()
    if text in ("today", "tod", "eod", "end of day"):
        return today
    if text in ("tomorrow", "tmrw", "tmr"):
        return today + timedelta(days=1)
    if text in ("end of month", "eom", "end of the month", "month end"):
        return _end_of_month(today)
    if text in ("end of next month",):
        return _end_of_month(_end_of_month(today) + timedelta(days=1))
    if text in ("end of week", "eow", "end of the week"):
        return today + timedelta(days=(4 - today.weekday()) % 7)
    if text in ("next week",):
        return today + timedelta(days=7 - today.weekday())
    # "friday" / "this fri" = the coming friday (today if it is friday);
    # "next fri" = the friday of next week (weeks start on Monday).
    if len(words) in (1, 2) and words[-1] in _WEEKDAYS:
        target = _WEEKDAYS[words[-1]]
        if len(words) == 1 or words[0] in ("this", "on", "coming"):
            return today + timedelta(days=(target - today.weekday()) % 7)
        if words[0] == "next":
            next_monday = today + timedelta(days=7 - today.weekday())
            return next_monday + timedelta(days=target)
    return None


def parse_date(text: str, *, tz: str, now: datetime) -> date:
    """Resolve `text` to a calendar date in the actor's zone, or raise InvalidInput."""
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    if not cleaned:
        raise InvalidInput("A date is missing.", f"Try one of: {DATE_EXAMPLES}.")
    today = local_today(now, tz)
    if _ISO.match(cleaned):
        try:
            return date.fromisoformat(cleaned)
        except ValueError:
            raise InvalidInput(
                f"{text!r} is not a real calendar date.", "Use YYYY-MM-DD, e.g. 2026-12-04."
            ) from None
    special = _special(cleaned, today)
    if special is not None:
        return special
    if len(cleaned) > 40:
        raise InvalidInput(f"I couldn't read {text[:40]!r}… as a date.", f"Try: {DATE_EXAMPLES}.")
    base = datetime.combine(today, datetime.min.time())
    # dateparser takes a quarter of a second to import: loaded for free-form dates only.
    import dateparser  # noqa: PLC0415

    try:
        parsed = dateparser.parse(
            cleaned,
            languages=["en"],
            settings={**_PARSER_SETTINGS, "RELATIVE_BASE": base},
        )
    except Exception:  # dateparser raises assorted errors on odd input
        parsed = None
    if parsed is None:
        raise InvalidInput(f"I couldn't read {text!r} as a date.", f"Try: {DATE_EXAMPLES}.")
    return parsed.date()


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
