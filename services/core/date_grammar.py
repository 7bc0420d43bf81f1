"""What a date looks like when people type one, before anyone knows who typed it.

`phrase(text)` reads text into a `DatePhrase` (or None when it is not a date at all), without
resolving it: the same phrase means different days for different people ("12/05" depends on
the person's date order, "friday" on their today). `date_words(words)` says how many leading
words of a command form a date, so a date of several words can sit anywhere a date goes
(`due:in 3 days Send the plan`).

The grammar is closed on purpose: a bare number, a negative number or a word soup is not a
date, whatever a "helpful" library would make of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WORDS = 6
WEEKDAYS: dict[str, int] = {
    name: i
    for i, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
MONTHS: dict[str, int] = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}
SPECIAL: dict[str, str] = {
    "today": "today",
    "tod": "today",
    "eod": "today",
    "end of day": "today",
    "tonight": "today",
    "tomorrow": "tomorrow",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "yesterday": "yesterday",
    "end of week": "end_of_week",
    "end of the week": "end_of_week",
    "eow": "end_of_week",
    "next week": "next_week",
    "end of month": "end_of_month",
    "end of the month": "end_of_month",
    "month end": "end_of_month",
    "eom": "end_of_month",
    "end of next month": "end_of_next_month",
    "end of year": "end_of_year",
    "end of the year": "end_of_year",
    "eoy": "end_of_year",
}
UNITS = {
    "day": "days",
    "days": "days",
    "d": "days",
    "week": "weeks",
    "weeks": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "w": "weeks",
    "fortnight": "fortnights",
    "fortnights": "fortnights",
    "month": "months",
    "months": "months",
    "mo": "months",
    "year": "years",
    "years": "years",
    "yr": "years",
    "yrs": "years",
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,4})([/.\-])(\d{1,4})(?:\2(\d{1,4}))?\.?$")
_DAY = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")
_YEAR = re.compile(r"^\d{4}$")
_INT = re.compile(r"^[+-]?\d{1,4}$")


@dataclass(frozen=True)
class Iso:
    """2026-12-31: year first, four digits; the same for everyone."""

    year: int
    month: int
    day: int


@dataclass(frozen=True)
class Numeric:
    """12/31, 31.12., 31/12/2026, 12-31-26: read in the person's date order."""

    parts: tuple[str, ...]
    sep: str


@dataclass(frozen=True)
class Named:
    """31 Dec, December 31 2026, Thu 31 Dec: a month by name, maybe a year and a weekday."""

    day: int
    month: int
    year: int | None = None
    weekday: int | None = None


@dataclass(frozen=True)
class Ordinal:
    """the 4th: that day of this month (or the next, if it has passed)."""

    day: int


@dataclass(frozen=True)
class Weekday:
    """friday / this fri (the coming one), next fri (next week's), last fri (the one before)."""

    weekday: int
    which: str  # "coming" | "next" | "last"


@dataclass(frozen=True)
class Relative:
    """in 3 days, 2 weeks from now, 3 days ago, in -3 days."""

    amount: int
    unit: str  # days | weeks | fortnights | months | years


@dataclass(frozen=True)
class Special:
    """today, tomorrow, end of month …"""

    word: str


@dataclass(frozen=True)
class NotADate:
    """Something that only looks like a date (a bare number); the text says why not."""

    number: int


DatePhrase = Iso | Numeric | Named | Ordinal | Weekday | Relative | Special | NotADate


def normalize(text: str) -> str:
    """Lower case, commas and doubled spaces gone, a trailing full stop dropped."""
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    return cleaned[:-1] if cleaned.endswith(".") and not _NUMERIC.match(cleaned) else cleaned


def _amount(word: str) -> int | None:
    if _INT.match(word):
        return int(word)
    return NUMBER_WORDS.get(word)


def _relative(words: list[str]) -> Relative | None:
    # in N unit(s) · N unit(s) from now/today · N unit(s) ago · in a week
    if len(words) == 3 and words[0] == "in" and words[2] in UNITS:
        n = _amount(words[1])
        return Relative(n, UNITS[words[2]]) if n is not None else None
    if len(words) == 4 and words[1] in UNITS and words[2:] in (["from", "now"], ["from", "today"]):
        n = _amount(words[0])
        return Relative(n, UNITS[words[1]]) if n is not None else None
    if len(words) == 3 and words[1] in UNITS and words[2] == "ago":
        n = _amount(words[0])
        return Relative(-n, UNITS[words[1]]) if n is not None else None
    return None


def _weekday(words: list[str]) -> Weekday | None:
    if len(words) == 1 and words[0] in WEEKDAYS:
        return Weekday(WEEKDAYS[words[0]], "coming")
    if len(words) == 2 and words[1] in WEEKDAYS:
        which = {"this": "coming", "on": "coming", "coming": "coming", "next": "next"}
        which |= {"last": "last", "past": "last", "previous": "last"}
        if words[0] in which:
            return Weekday(WEEKDAYS[words[1]], which[words[0]])
    return None


def _named(words: list[str]) -> Named | None:
    weekday = None
    if words and words[0] in WEEKDAYS and len(words) >= 3:
        weekday, words = WEEKDAYS[words[0]], words[1:]
    if words[:1] == ["the"]:
        words = words[1:]
    year = None
    if len(words) == 3 and _YEAR.match(words[2]):
        year, words = int(words[2]), words[:2]
    if len(words) == 3 and words[1] == "of":  # the 4th of december
        words = [words[0], words[2]]
    if len(words) != 2:
        return None
    first, second = words
    if first in MONTHS and (m := _DAY.match(second)):
        return Named(int(m.group(1)), MONTHS[first], year, weekday)
    if second in MONTHS and (m := _DAY.match(first)):
        return Named(int(m.group(1)), MONTHS[second], year, weekday)
    return None


def phrase(text: str) -> DatePhrase | None:
    """The date phrase `text` is, or None when it is not one."""
    cleaned = normalize(text)
    if not cleaned:
        return None
    if cleaned in SPECIAL:
        return Special(SPECIAL[cleaned])
    if m := _ISO.match(cleaned):
        return Iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _NUMERIC.match(cleaned):
        parts = tuple(p for p in (m.group(1), m.group(3), m.group(4)) if p is not None)
        return Numeric(parts, m.group(2))
    if _INT.match(cleaned):
        return NotADate(int(cleaned))
    if m := _ORDINAL.match(cleaned.removeprefix("the ")):
        return Ordinal(int(m.group(1)))
    words = cleaned.split()
    if len(words) > MAX_WORDS:
        return None
    return _relative(words) or _weekday(words) or _named(words)


def date_words(words: list[str]) -> int:
    """How many of the leading `words` make the longest date phrase (0: none do)."""
    for n in range(min(len(words), MAX_WORDS), 0, -1):
        found = phrase(" ".join(words[:n]))
        if found is not None and not isinstance(found, NotADate):
            return n
    return 0
