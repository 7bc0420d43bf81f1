"""Time zones for iCalendar: aware instants, IANA names, and the zones a .ics file uses.

A TZID is read as an IANA name, a Windows/Outlook name or a /vendor/Olson/Name; floating times
take X-WR-TIMEZONE (else the importer's default zone). A custom VTIMEZONE (Outlook's "Customized
Time Zone") becomes the IANA zone with the same offsets and clock changes; with no such zone the
instants are kept, in the calendar's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfoNotFoundError, available_timezones

from icalendar import Timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from services.core.dates import zone
from services.core.errors import InvalidInput
from services.core.ical.outlook import display_name_zone


def aware(value: datetime, what: str) -> datetime:
    """`value` itself if it is timezone-aware; ValueError naming `what` if not."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")
    return value


def utc(value: datetime) -> datetime:
    """The same instant in UTC."""
    return value.astimezone(UTC)


def zone_or_invalid(name: str) -> tzinfo:
    """The zone an IANA name names, or InvalidInput saying it is not one."""
    try:
        return zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{name[:60]!r} is not a time zone I know.", "Use an IANA name like Europe/Berlin."
        ) from None


@dataclass(frozen=True)
class Zones:
    """How one calendar file names its zones: default for floating times, its VTIMEZONEs."""

    floating: str  # IANA zone for floating times (X-WR-TIMEZONE, else the default)
    utc_as: str  # zone for UTC times ("UTC", or X-WR-TIMEZONE as Google means it)
    vtimezones: dict[str, Timezone]
    default: str
    custom: dict[str, tuple[tzinfo, str | None] | None] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)  # TZID → what was done instead

    def own(self, tzid: str, year: int) -> tuple[tzinfo, str | None] | None:
        """The file's own VTIMEZONE for `tzid` and the IANA zone it matches (once per TZID)."""
        if tzid not in self.custom:
            vtimezone = self.vtimezones.get(tzid)
            try:
                own = vtimezone.to_tz(lookup_tzid=False) if vtimezone is not None else None
            except Exception:  # a broken VTIMEZONE: times in it are read as floating
                own = None
            year = min(max(year, 1971), 2036)
            first = (self.floating, self.default)
            self.custom[tzid] = None if own is None else (own, _matching_iana(own, year, first))
        return self.custom[tzid]


def iana_zone(name: str) -> str | None:
    """The IANA zone a TZID names: IANA itself, a Windows name, or a /vendor/Olson/Name."""
    cleaned = name.strip().strip('"').strip("/")
    candidates = [cleaned, WINDOWS_TO_OLSON.get(cleaned, "")]
    if name.strip().startswith("/"):
        parts = cleaned.split("/")
        candidates += ["/".join(parts[i:]) for i in range(1, len(parts))]
    for candidate in candidates:
        if candidate:
            try:
                zone(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return candidate
    return None


def _samples(year: int) -> tuple[datetime, ...]:
    return tuple(
        datetime(y, m, d, 12, tzinfo=UTC)
        for y in (year, year + 1)
        for m in range(1, 13)
        for d in (1, 15)
    )


def _offset(tz: tzinfo, at: datetime) -> float:
    offset = at.astimezone(tz).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _transitions(tz: tzinfo, year: int) -> tuple[tuple[datetime, float], ...]:
    """Each change of UTC offset in `year` and the next, to the hour (US and Cuba differ so)."""
    out = []
    at = datetime(year, 1, 1, tzinfo=UTC)
    before = _offset(tz, at)
    for _ in range(731):
        nxt = at + timedelta(days=1)
        after = _offset(tz, nxt)
        if after != before:
            hour = at
            while _offset(tz, hour) == before:
                hour += timedelta(hours=1)
            out.append((hour, after))
        at, before = nxt, after
    return tuple(out)


@cache
def _zone_offsets(name: str, year: int) -> tuple[float, ...]:
    return tuple(_offset(zone(name), s) for s in _samples(year))


@cache
def _zone_transitions(name: str, year: int) -> tuple[tuple[datetime, float], ...]:
    return _transitions(zone(name), year)


@cache
def _zone_candidates() -> tuple[str, ...]:
    """IANA zones to try, the ones Windows zones map to first (New York before Havana)."""
    preferred = list(dict.fromkeys(WINDOWS_TO_OLSON.values()))
    rest = sorted(available_timezones() - set(preferred))
    return tuple(z for z in preferred + rest if iana_zone(z) == z)


def _matching_iana(tz: tzinfo, year: int, first_choices: Sequence[str]) -> str | None:
    """An IANA zone whose offsets and changes (to the hour) equal `tz`'s in `year` and the next."""
    try:
        coarse = tuple(_offset(tz, s) for s in _samples(year))
        fine = None
        for name in (*first_choices, *_zone_candidates()):
            if _zone_offsets(name, year) != coarse:
                continue
            fine = fine if fine is not None else _transitions(tz, year)
            if _zone_transitions(name, year) == fine:
                return name
    except (ValueError, TypeError, AttributeError, OverflowError):
        return None
    return None


def resolve(
    value: Any, tzid: str | None, zones: Zones, series_zone: str | None
) -> tuple[datetime, str] | date:
    """(aware datetime, its IANA zone) for a parsed DATE-TIME, or the date of a DATE.

    TZID: its IANA zone (Windows and /vendor/ names mapped), else the file's own VTIMEZONE
    matched to an IANA zone with the same offsets, else an Outlook display name ("(UTC-05:00)
    Eastern Time (US & Canada)"), else the file's own VTIMEZONE as it stands; UTC: kept (in an
    X-WR-TIMEZONE calendar the instant is read in that zone, as Google means it); floating and
    unknown TZIDs: the series' zone, else X-WR-TIMEZONE, else the default zone. The wall time
    is always the one written. What could not be placed is noted in `zones.unread`.
    """
    if isinstance(value, tuple):  # a PERIOD (RDATE): its start
        value = value[0]
    if not isinstance(value, datetime):
        if isinstance(value, date):
            return value
        raise ValueError(f"{str(value)[:40]!r} is not a date or time")
    wall = value.replace(tzinfo=None)
    if tzid:
        iana = iana_zone(tzid)
        if iana is not None:
            return wall.replace(tzinfo=zone(iana)), iana
        own = zones.own(tzid, wall.year)
        if own is not None and own[1] is not None:
            return wall.replace(tzinfo=zone(own[1])), own[1]
        named = display_name_zone(tzid)
        if named is not None:
            return wall.replace(tzinfo=zone(named)), named
        if own is not None:
            zones.unread.setdefault(
                tzid,
                f"its own definition of {tzid[:60]!r} matches no known zone: times kept as "
                f"the file gives them, shown in {zones.floating}",
            )
            return utc(wall.replace(tzinfo=own[0])).astimezone(zone(zones.floating)), zones.floating
    elif value.tzinfo is not None:
        return utc(value).astimezone(zone(zones.utc_as)), zones.utc_as
    name = series_zone or zones.floating
    if tzid:
        zones.unread.setdefault(
            tzid, f"I couldn't tell which time zone {tzid[:60]!r} is: its times were read in {name}"
        )
    return wall.replace(tzinfo=zone(name)), name
