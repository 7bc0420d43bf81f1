"""Working time of a person: their zone, working days, hours and leave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo


@cache
def zone(name: str) -> ZoneInfo:
    """ZoneInfo, kept: the standard library's own cache drops zones under load."""
    return ZoneInfo(name)


def in_quiet(t: time, start: time | None, end: time | None) -> bool:
    """Whether the time of day `t` lies in the quiet hours start-end (which may span
    midnight: 18:00-08:00); no quiet hours when either end is unset or they are equal."""
    if start is None or end is None or start == end:
        return False
    return start <= t < end if start < end else (t >= start or t < end)


def after_quiet(now: datetime, tz: str, start: time | None, end: time | None) -> datetime:
    """`now`, or the end of the quiet hours it falls in (in the person's zone `tz`)."""
    local = now.astimezone(zone(tz))
    if end is None or not in_quiet(local.time(), start, end):
        return now
    over = datetime.combine(local.date(), end, tzinfo=zone(tz))
    if over <= local:
        over = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone(tz))
    return over.astimezone(UTC)


@dataclass(frozen=True)
class WorkWeek:
    """When a person can be nudged: working days (ISO digits), hours, zone, leave."""

    timezone: str
    working_days: str = "12345"
    work_start: time = time(9, 0)
    work_end: time = time(17, 30)
    leave: tuple[tuple[date, date], ...] = ()
    holidays: frozenset[date] = frozenset()
    quiet: tuple[time | None, time | None] = (None, None)

    def local(self, now: datetime) -> datetime:
        return now.astimezone(zone(self.timezone))

    def on_leave(self, d: date) -> bool:
        return any(start <= d <= end for start, end in self.leave)

    def is_working_day(self, d: date) -> bool:
        """One of their working weekdays and not a workspace holiday."""
        return str(d.isoweekday()) in self.working_days and d not in self.holidays

    def in_window(self, now: datetime) -> bool:
        """A working day, within working hours, in their own zone."""
        local = self.local(now)
        t = local.time()
        return (
            self.is_working_day(local.date())
            and self.work_start <= t < self.work_end
            and not in_quiet(t, *self.quiet)
        )

    def _first_free(self, d: date, after: time) -> datetime | None:
        """The first moment of day `d` at or after `after` within working hours and outside
        the quiet hours, in UTC; None when there is none that day."""
        t = max(after, self.work_start)
        if in_quiet(t, *self.quiet):
            t = self.quiet[1] or t
        if not self.work_start <= t < self.work_end:
            return None
        return datetime.combine(d, t, tzinfo=zone(self.timezone)).astimezone(UTC)

    def day_start(self, d: date) -> datetime:
        """The start of their working day `d`, in UTC (DST-correct)."""
        return datetime.combine(d, self.work_start, tzinfo=zone(self.timezone)).astimezone(UTC)

    def previous_working_day(self, d: date) -> date:
        prev = d - timedelta(days=1)
        for _ in range(14):
            if self.is_working_day(prev):
                return prev
            prev -= timedelta(days=1)
        return prev

    def working_days_between(self, after: date, until: date) -> int:
        """Working days in (after, until]."""
        n, d = 0, after + timedelta(days=1)
        while d <= until:
            n += self.is_working_day(d)
            d += timedelta(days=1)
        return n

    def next_window_start(self, now: datetime) -> datetime:
        """`now` if inside their window, else the start of their next working day."""
        if self.in_window(now):
            return now
        local = self.local(now)
        d = local.date()
        if self.is_working_day(d):
            today = self._first_free(d, local.time())
            if today is not None and today >= now:
                return today
        d += timedelta(days=1)
        for _ in range(14):
            if self.is_working_day(d):
                first = self._first_free(d, self.work_start)
                if first is not None:
                    return first
            d += timedelta(days=1)
        return self.day_start(d)
