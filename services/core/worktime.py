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


@dataclass(frozen=True)
class WorkWeek:
    """When a person can be nudged: working days (ISO digits), hours, zone, leave."""

    timezone: str
    working_days: str = "12345"
    work_start: time = time(9, 0)
    work_end: time = time(17, 30)
    leave: tuple[tuple[date, date], ...] = ()
    holidays: frozenset[date] = frozenset()

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
        return self.is_working_day(local.date()) and self.work_start <= local.time() < self.work_end

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
        if local.time() >= self.work_start or not self.is_working_day(d):
            d += timedelta(days=1)
        for _ in range(14):
            if self.is_working_day(d):
                return self.day_start(d)
            d += timedelta(days=1)
        return self.day_start(d)
