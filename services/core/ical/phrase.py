"""The meeting command's repeat phrase ("weekly on tue 10:00", a raw RRULE) read into a rule."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

from services.core.dates import parse_time
from services.core.errors import InvalidInput
from services.core.ical.rules import TOO_OFTEN, checked_rule, frequency, parse_rule

RECURRENCE_EXAMPLES = (
    "weekly on tue 10:00 · every mon, thu 14:30 · daily 9:15 · weekdays at 9:00 · "
    "every 2 weeks on fri 11:00 · monthly on the first monday 10:00 · "
    "monthly on the last fri 16:00 · FREQ=WEEKLY;BYDAY=TU 10:00"
)
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = {
    name: i
    for i, names in enumerate(
        (
            ("mon", "monday", "mondays"),
            ("tue", "tues", "tuesday", "tuesdays"),
            ("wed", "weds", "wednesday", "wednesdays"),
            ("thu", "thur", "thurs", "thursday", "thursdays"),
            ("fri", "friday", "fridays"),
            ("sat", "saturday", "saturdays"),
            ("sun", "sunday", "sundays"),
        )
    )
    for name in names
}
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "other": 2}
_FILLER = {"on", "the", "and", "at", "of", "@", "each", "in"}
_UNITS = {
    "day": "DAILY",
    "days": "DAILY",
    "week": "WEEKLY",
    "weeks": "WEEKLY",
    "month": "MONTHLY",
    "months": "MONTHLY",
    "year": "YEARLY",
    "years": "YEARLY",
}
_SUBDAILY = {"hour", "hours", "hourly", "minute", "minutes", "min", "mins", "second", "seconds"}
_MONTH_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")


def _unreadable(text: str, why: str = "") -> InvalidInput:
    return InvalidInput(
        f"I couldn't read {text[:80]!r} as a repeat{f' ({why})' if why else ''}.",
        f"Try: {RECURRENCE_EXAMPLES}.",
    )


def _too_often(text: str) -> InvalidInput:
    return InvalidInput(
        f"{text[:80]!r} repeats more often than once a day; meetings can repeat at most daily.",
        f"Try: {RECURRENCE_EXAMPLES}.",
    )


def _take_time(words: list[str]) -> tuple[time | None, list[str]]:
    """The time of day in the phrase (last, else anywhere it is unmistakably a time)."""

    def as_time(token: str) -> time | None:
        if token == "noon":
            return time(12)
        try:
            return parse_time(token)
        except InvalidInput:
            return None

    if len(words) >= 2 and words[-1] in ("am", "pm"):
        found = as_time(words[-2] + words[-1])
        if found is not None:
            return found, words[:-2]
    if words:
        found = as_time(words[-1])
        if found is not None and not (len(words) >= 2 and words[-2] == "every"):
            return found, words[:-1]
    for i, token in enumerate(words):
        if re.search(r"[:.h]\d\d$|am$|pm$", token) or token == "noon":
            found = as_time(token)
            if found is not None:
                return found, words[:i] + words[i + 1 :]
    return None, words


def _split_ranges(words: list[str]) -> list[str]:
    """'mon-fri' → 'mon to fri' (other hyphenated words stay as they are)."""
    out: list[str] = []
    for word in words:
        parts = word.split("-")
        if len(parts) == 2 and all(p in _DAY_NAMES for p in parts):
            out += [parts[0], "to", parts[1]]
        else:
            out.append(word)
    return out


def _days(expanded: list[str], text: str) -> list[int]:
    """Weekday numbers (0 = Monday) from 'mon thu', 'mon to fri'."""
    days: list[int] = []
    i = 0
    while i < len(expanded):
        word = expanded[i]
        if word not in _DAY_NAMES:
            raise _unreadable(text, f"{word!r} is not a day of the week")
        if i + 2 < len(expanded) and expanded[i + 1] in ("to", "through", "thru"):
            last = expanded[i + 2]
            if last not in _DAY_NAMES:
                raise _unreadable(text, f"{last!r} is not a day of the week")
            a, b = _DAY_NAMES[word], _DAY_NAMES[last]
            days += list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(0, b + 1)]
            i += 3
            continue
        days.append(_DAY_NAMES[word])
        i += 1
    return sorted(set(days))


def _byday(days: list[int]) -> str:
    return ",".join(_DAY_CODES[d] for d in days)


def _monthly(words: list[str], text: str) -> str:
    """BYDAY=1MO / BYDAY=-1FR / BYDAY=1TU,3TU / BYMONTHDAY=15 / BYMONTHDAY=-1 for a month."""
    if not words:
        raise _unreadable(text, "which day of the month? e.g. 'the first monday' or 'the 15th'")
    if words in (["last", "day"], ["last"]):
        return "BYMONTHDAY=-1"
    ordinals = [_ORDINALS[w] for w in words[:-1] if w in _ORDINALS]
    if words[-1] in _DAY_NAMES and len(ordinals) == len(words) - 1 and ordinals:
        code = _DAY_CODES[_DAY_NAMES[words[-1]]]
        return "BYDAY=" + ",".join(f"{n}{code}" for n in sorted(set(ordinals), key=lambda n: n % 6))
    month_days = [_MONTH_DAY.match(w) for w in words]
    if all(month_days):
        numbers = sorted({int(m.group(1)) for m in month_days if m})
        if all(1 <= n <= 31 for n in numbers):
            return "BYMONTHDAY=" + ",".join(str(n) for n in numbers)
    raise _unreadable(text, "which day of the month? e.g. 'the first monday' or 'the 15th'")


def _interval(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


def _phrase_rule(words: list[str], text: str) -> str:
    """FREQ=…;INTERVAL=…;BY… for the words of a phrase (time already taken out)."""
    if any(w in _SUBDAILY for w in words):
        raise _too_often(text)
    words = [w for w in _split_ranges(words) if w not in _FILLER]
    if not words:
        raise _unreadable(text, "how often? e.g. weekly on tue")
    head, rest = words[0], words[1:]
    freq, interval = "", 1
    if head in ("daily", "everyday"):
        freq = "DAILY"
    elif head in ("weekdays", "weekday"):
        freq, rest = "WEEKLY", ["mon", "to", "fri", *rest]
    elif head == "weekly":
        freq = "WEEKLY"
    elif head in ("biweekly", "bi-weekly", "fortnightly"):
        freq, interval = "WEEKLY", 2
    elif head == "monthly":
        freq = "MONTHLY"
    elif head in ("yearly", "annually"):
        freq = "YEARLY"
    elif head in _DAY_NAMES:
        freq, rest = "WEEKLY", words
    elif head == "every" and rest:
        if rest[0] in ("weekday", "weekdays"):
            freq, rest = "WEEKLY", ["mon", "to", "fri", *rest[1:]]
        else:
            n = _interval(rest[0])
            if n is not None:
                interval, rest = n, rest[1:]
            if rest and rest[0] in _UNITS:
                freq, rest = _UNITS[rest[0]], rest[1:]
            elif rest and rest[0] in _DAY_NAMES:
                freq = "WEEKLY"
    if not freq:
        raise _unreadable(text)
    if not 1 <= interval <= 99:
        raise _unreadable(text, "repeat every 1 to 99 days, weeks or months")
    parts = [f"FREQ={freq}"] + ([f"INTERVAL={interval}"] if interval > 1 else [])
    if freq == "DAILY":
        if rest:
            raise _unreadable(text, f"what is {' '.join(rest)!r}?")
    elif freq == "WEEKLY":
        if not rest:
            raise _unreadable(text, "which day? e.g. weekly on tue 10:00")
        parts.append("BYDAY=" + _byday(_days(rest, text)))
    elif freq == "MONTHLY":
        parts.append(_monthly(rest, text))
    elif rest:
        raise _unreadable(text, "a yearly meeting repeats on the day it first happens")
    return ";".join(parts)


def _raw_rule(words: list[str], text: str) -> tuple[str, time]:
    """A typed RRULE ('FREQ=WEEKLY;BYDAY=TU 10:00' or with BYHOUR/BYMINUTE) and its time."""
    rule_words = [w for w in words if "=" in w]
    if len(rule_words) != 1:
        raise _unreadable(text, "write the RRULE without spaces")
    at, others = _take_time([w for w in words if "=" not in w])
    if [w for w in others if w not in _FILLER]:
        raise _unreadable(text, f"what is {' '.join(others)!r}?")
    try:
        recur = parse_rule(rule_words[0])
        freq = frequency(recur)
    except (ValueError, TypeError) as exc:
        raise _unreadable(text, str(exc)[:80]) from None
    if freq in TOO_OFTEN:
        raise _too_often(text)
    hours = [int(h) for h in recur.pop("BYHOUR", [])]
    minutes = [int(m) for m in recur.pop("BYMINUTE", [])]
    recur.pop("BYSECOND", None)
    if len(hours) > 1 or len(minutes) > 1:
        raise _too_often(text)
    if hours:
        from_rule = time(hours[0], minutes[0] if minutes else 0)
        if at is not None and at != from_rule:
            raise _unreadable(text, f"the rule says {from_rule:%H:%M} but you wrote {at:%H:%M}")
        at = from_rule
    if at is None:
        raise InvalidInput(
            f"{text[:80]!r} has no time of day.",
            "Add one, e.g. FREQ=WEEKLY;BYDAY=TU 10:00 (or BYHOUR=10;BYMINUTE=0 in the rule).",
        )
    rule = recur.to_ical().decode()
    checked_rule(rule, datetime(2026, 1, 1, at.hour, at.minute, tzinfo=UTC), label="That rule")
    return rule, at


def parse_recurrence(text: str) -> tuple[str, time]:
    """The meeting command's repeat phrase as (RRULE value, local start time).

    Phrases: "weekly on tue 10:00", "every tuesday at 10am", "every mon, thu 14:30",
    "daily 9:15", "weekdays at 9:00", "biweekly on wed 15:00", "every 2 weeks on fri 11:00",
    "every other tue 10:00", "monthly on the first monday 10:00", "monthly on the last fri
    16:00", "monthly on the 15th 9:00"; or a raw RRULE ("RRULE:" optional) with the time in the
    text or in BYHOUR/BYMINUTE. The rule has no BYHOUR/BYMINUTE/BYSECOND (the time is returned
    apart) and keeps any UNTIL as written (series_events turns it into UTC). Anything more often
    than daily, without a time, or unreadable: InvalidInput with examples.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput("How often does the meeting repeat?", f"Try: {RECURRENCE_EXAMPLES}.")
    if len(cleaned) > 200:
        raise _unreadable(cleaned, "that is too long")
    if "=" in cleaned:
        return _raw_rule(cleaned.split(), cleaned)
    words = cleaned.lower().replace(",", " ").replace("&", " and ").split()
    at, rest = _take_time(words)
    if at is None:
        if any(w in _SUBDAILY for w in words):
            raise _too_often(cleaned)
        raise InvalidInput(
            f"{cleaned[:80]!r} has no time of day.", "Add one, e.g. weekly on tue 10:00."
        )
    return _phrase_rule(rest, cleaned), at
