"""Recurrence rules (RRULE): reading, checking and normalizing them, and the next start of one.

Meetings repeat daily, weekly, monthly or yearly; UNTIL is written in UTC (RFC 5545 wants that
once DTSTART has a TZID); a rule that can never happen is refused before dateutil would search
to year 9999 for it.
"""

from __future__ import annotations

import warnings
from datetime import datetime, time, timedelta, tzinfo

from dateutil.rrule import rrulestr
from icalendar import vRecur

from services.core.errors import InvalidInput
from services.core.ical.zones import aware, utc, zone_or_invalid

TOO_OFTEN = ("SECONDLY", "MINUTELY", "HOURLY")
_RULE_PARTS = {
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_rule(rule: str) -> vRecur:
    """An RRULE value ("RRULE:" optional) as a vRecur; ValueError if it is malformed."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or any(c.isspace() for c in text):
        raise ValueError("an RRULE has no spaces")
    recur = vRecur.from_ical(text.upper())
    for pair in text.strip(";").split(";"):
        if "=" not in pair:
            raise ValueError(f"{pair!r} is not NAME=VALUE")
    return recur


def frequency(recur: vRecur) -> str:
    """The rule's FREQ in upper case; ValueError if it has none."""
    freq = recur.get("FREQ")
    value = freq[0] if isinstance(freq, list) and freq else freq
    if not value:
        raise ValueError("FREQ is missing")
    return str(value).upper()


def more_than_daily(recur: vRecur, freq: str) -> bool:
    """Whether the rule can happen more than once a day: an hourly (or finer) frequency, a
    BYSECOND, or several hours or minutes. Cheap: nothing is expanded."""
    return (
        freq in TOO_OFTEN
        or "BYSECOND" in recur
        or len(recur.get("BYHOUR", [])) > 1
        or len(recur.get("BYMINUTE", [])) > 1
    )


def feasible(recur: vRecur) -> bool:
    """Whether BYMONTH and BYMONTHDAY can ever meet (dateutil would search to year 9999)."""
    days = [int(d) for d in recur.get("BYMONTHDAY", [])]
    if not days:
        return True
    months = [int(m) for m in recur.get("BYMONTH", [])] or list(range(1, 13))
    return any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days if 1 <= m <= 12)


def _normalize_rule(rule: str, tz: tzinfo) -> str:
    """RRULE text with UNTIL in UTC (RFC 5545 wants that once DTSTART has a TZID).

    A date-only or floating UNTIL is read in `tz`; a date means the end of that day.
    """
    recur = parse_rule(rule)
    until = recur.get("UNTIL")
    if until:
        value = until[0] if isinstance(until, list) else until
        if isinstance(value, datetime):
            local = value if value.tzinfo else value.replace(tzinfo=tz)
        else:
            local = datetime.combine(value, time(23, 59, 59), tzinfo=tz)
        recur["UNTIL"] = [utc(local)]
    return str(recur.to_ical().decode())


def checked_rule(rule: str, start: datetime, *, label: str) -> str:
    """The normalized rule, or InvalidInput saying what is wrong with it."""
    tz = start.tzinfo
    assert tz is not None
    normalized = ""
    try:
        recur = parse_rule(rule)
        unknown = sorted(set(recur) - _RULE_PARTS)
        freq = frequency(recur)
        problem = None
        if unknown:
            problem = f"uses {', '.join(unknown)}, which I don't support"
        elif freq in TOO_OFTEN:
            problem = "repeats more often than daily"
        elif more_than_daily(recur, freq):
            problem = "happens more than once a day (one time a day: make two series)"
        elif "COUNT" in recur and "UNTIL" in recur:
            problem = "has both COUNT and UNTIL"
        elif not feasible(recur):
            problem = "never happens (that day does not exist in that month)"
        else:  # the cheap checks passed: now dateutil may read it
            normalized = _normalize_rule(rule, tz)
            with warnings.catch_warnings(action="ignore"):
                rrulestr(normalized, dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        problem = f"has a repeat rule I can't read ({str(exc)[:80]})"
        normalized = ""
    if problem:
        raise InvalidInput(
            f"{label} {problem}: {rule[:120]!r}.",
            "Meetings can repeat daily, weekly, monthly or yearly, e.g. FREQ=WEEKLY;BYDAY=TU.",
        )
    return normalized


def next_start(rule: str, at: time, *, timezone: str, after: datetime) -> datetime | None:
    """The first start of (rule, local time `at`) in `timezone` at or after `after`, aware UTC.

    A series begins where it first happens: on the first day from `after` on that the rule's
    pattern matches ("biweekly on wed" starts on the coming Wednesday, and its fortnights are
    counted from there). None if the rule has no occurrence left (UNTIL already passed).
    """
    tz = zone_or_invalid(timezone)
    local = aware(after, "after").astimezone(tz)
    anchor = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
    normalized = checked_rule(rule, anchor, label="That repeat")
    recur = parse_rule(normalized)
    pattern = vRecur({k: v for k, v in recur.items() if k not in ("INTERVAL", "COUNT", "UNTIL")})
    with warnings.catch_warnings(action="ignore"):
        first = rrulestr(pattern.to_ical().decode(), dtstart=anchor).after(local, inc=True)
        if first is None:
            return None
        found = rrulestr(normalized, dtstart=first).after(local, inc=True)
    return utc(found) if found is not None else None
