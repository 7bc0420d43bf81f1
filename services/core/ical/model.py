"""The iCalendar data: meeting series, their moved and expanded occurrences, feed items.

Plain frozen dataclasses shared by reading (.ics imports), writing (feeds) and expanding. Every
datetime in them is aware; nothing floating is ever written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class MovedOccurrence:
    """One occurrence of a series moved (or renamed): the RECURRENCE-ID and where it went."""

    original_start: datetime  # aware UTC: the RECURRENCE-ID
    start: datetime  # aware UTC
    end: datetime  # aware UTC
    title: str = ""  # a different title for this occurrence only; "" = the series' title


@dataclass(frozen=True)
class SeriesSpec:
    """A meeting series: a first occurrence in a zone, an optional RRULE, exceptions."""

    uid: str
    title: str
    timezone: str  # IANA name
    start: datetime  # aware; first occurrence start
    duration: timedelta
    rrule: str | None = None  # RRULE value without "RRULE:" (e.g. "FREQ=WEEKLY;BYDAY=TU")
    exdates: tuple[datetime, ...] = ()  # aware UTC original starts that are cancelled
    moved: tuple[MovedOccurrence, ...] = ()  # overridden occurrences
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    rdates: tuple[datetime, ...] = ()  # aware UTC extra occurrence starts (RDATE)
    # RDATE;VALUE=PERIOD: extra occurrences with their own length (start in `rdates` too)
    periods: tuple[tuple[datetime, timedelta], ...] = ()


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a series, in UTC."""

    uid: str
    original_start: datetime  # aware UTC (equals start unless moved)
    start: datetime  # aware UTC
    end: datetime  # aware UTC
    title: str


@dataclass(frozen=True)
class FeedItem:
    """A dated thing for a feed: an action item or deliverable as an all-day event."""

    uid: str  # stable, e.g. "action-42@<workspace>.pmo-bot"
    title: str
    on: date  # the due date (all-day event on that date)
    description: str = ""  # owner, project, state, link
    url: str = ""
    sequence: int = 0
    last_modified: datetime | None = None  # aware
    done: bool = False  # shown as "✓ title" (once); the event stays: VEVENT has no COMPLETED
