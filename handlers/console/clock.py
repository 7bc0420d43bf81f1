"""The console's own clock: the real time plus an offset that `clock` moves forward.

Local mode runs the same sweeps as `pmo-bot serve`; moving this clock lets a newcomer see a
whole status round — the nudge, the chasers, the report — in two minutes instead of a week.
Time keeps flowing after a move (the offset stays), and it never goes back: what was sent
stays sent.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from models.enums import DateOrder
from services.core.dates import DateSense, parse_time, read_date, zone
from services.core.errors import InvalidInput

STEP = re.compile(r"^\+?\s*(\d{1,4})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
LIMIT = timedelta(days=400)
USAGE = "Use: `clock +3d`, `clock +2h`, `clock next thu 10:00`, `clock fri 17:00` or `clock`."


def system_now() -> datetime:
    """The real current time, aware UTC."""
    return datetime.now(UTC)


class LocalClock:
    """A clock that reads the real time shifted by an offset (thread-safe)."""

    def __init__(self, real: Callable[[], datetime] = system_now) -> None:
        self._real = real
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._real() + self._offset

    @property
    def moved(self) -> timedelta:
        """How far ahead of the real time this clock runs."""
        with self._lock:
            return self._offset

    def move_to(self, when: datetime) -> None:
        """Run from `when` on (never backwards)."""
        with self._lock:
            now = self._real() + self._offset
            if when > now:
                self._offset += when - now


def target(text: str, *, now: datetime, tz: str, order: DateOrder = DateOrder.DMY) -> datetime:
    """Where `clock <text>` moves to: `+3d`, `+90m`, `+2h`, `+1w`, or a date with an optional
    time read in the person's zone (`next thu 10:00`, `fri 17:00`, `2026-12-03 9:30`,
    `tomorrow`, `10:00`). A time alone means its next occurrence; a date alone, 09:00."""
    words = " ".join(text.strip().lower().split())
    if not words:
        raise InvalidInput("Where should the clock go?", USAGE)
    step = STEP.match(words)
    if step:
        amount, unit = int(step.group(1)), UNITS[step.group(2)[0]]
        delta = timedelta(**{unit: amount})
        if delta > LIMIT:
            raise InvalidInput("That is too far ahead; move the clock at most 400 days at once.")
        return now + delta
    if words.startswith("-"):
        raise InvalidInput(
            "The clock only moves forward: what was sent stays sent.",
            "Run `pmo-bot demo` to start the sample portfolio again from today.",
        )
    parts = words.split()
    at = None
    if parts and re.match(r"^\d{1,2}([:.h]\d{2})?\s*(am|pm)?$", parts[-1]):
        at = parse_time(parts[-1])
        parts = parts[:-1]
    local = now.astimezone(zone(tz))
    if not parts:
        assert at is not None
        when = datetime.combine(local.date(), at, tzinfo=zone(tz))
        if when <= local:
            when += timedelta(days=1)
    else:
        day = read_date(" ".join(parts), DateSense(tz, order, now), allow_past=True)
        when = datetime.combine(day, at or parse_time("9:00"), tzinfo=zone(tz))
    moved = when.astimezone(UTC)
    if moved <= now:
        shown = f"{when:%a %d %b %H:%M}"
        raise InvalidInput(
            f"{shown} has passed on the local clock ({local:%a %d %b %H:%M} now).",
            "The clock only moves forward. " + USAGE,
        )
    if moved - now > LIMIT:
        raise InvalidInput("That is too far ahead; move the clock at most 400 days at once.")
    return moved
