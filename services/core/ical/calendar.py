"""iCalendar in and out: meeting series read from .ics exports (Google, Outlook), expanded the
way calendar apps expand them, and the feeds we publish (action items, deliverables, meetings).

Pure functions over plain dataclasses: no database, no chat platform. Every datetime going in or
out is aware; nothing floating is ever written.

Decisions worth knowing:
- occurrences() returns what overlaps [start, end) (recurring_ical_events' rule); filter on
  `.start` for "starts in the window".
- An imported event without UID gets "ics-<hash of title, start, rule>@import.pmo-bot", so a
  re-import finds the same series; a UID over 255 characters is replaced by a hash the same way.
- A custom VTIMEZONE (Outlook's "Customized Time Zone") becomes the IANA zone with the same
  offsets and clock changes; with no such zone the instants are kept, in the calendar's zone.
- Done feed items stay in the feed as "✓ title" (VEVENT has no COMPLETED status).
- In a feed, two entries with one UID: the first wins (two masters with one UID are invalid).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfoNotFoundError, available_timezones

import recurring_ical_events
from dateutil.rrule import rrulestr
from icalendar import TRANSP, Calendar, Component, Event, Timezone, vBroken, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from services.core.dates import parse_time, zone
from services.core.errors import InvalidInput

PRODID = "-//PMO Bot//EN"
MAX_BYTES = 2_000_000
MAX_SERIES = 500
DEFAULT_DURATION = timedelta(hours=1)
MAX_UID = 255
RECURRENCE_EXAMPLES = (
    "weekly on tue 10:00 · every mon, thu 14:30 · daily 9:15 · weekdays at 9:00 · "
    "every 2 weeks on fri 11:00 · monthly on the first monday 10:00 · "
    "monthly on the last fri 16:00 · FREQ=WEEKLY;BYDAY=TU 10:00"
)
_IMPORT_HINT = (
    "Export the calendar as .ics (iCalendar) from Google Calendar or Outlook and try again."
)
_TOO_OFTEN = ("SECONDLY", "MINUTELY", "HOURLY")
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
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_EVENT_UIDS = re.compile(rb"(?ims)^BEGIN:VEVENT\r?$.*?^UID[;:]([^\r\n]*)")


# --- the data -----------------------------------------------------------------------------------


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


# --- small helpers ------------------------------------------------------------------------------


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")
    return value


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def clean_text(text: str) -> str:
    """Text safe for any iCalendar reader: no control characters, CR/CRLF become LF.

    icalendar escapes commas, semicolons, backslashes and newlines itself; this only removes what
    RFC 5545 forbids in TEXT values altogether (and lone surrogates, which cannot be encoded).
    """
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_url(url: str) -> str:
    """A URI with no whitespace or control characters (they are percent-encoded)."""
    return quote(url.strip(), safe=_URL_SAFE)


def _zone_or_invalid(name: str) -> tzinfo:
    try:
        return zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{name[:60]!r} is not a time zone I know.", "Use an IANA name like Europe/Berlin."
        ) from None


# --- recurrence rules ---------------------------------------------------------------------------


def _recur(rule: str) -> vRecur:
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


def _freq(recur: vRecur) -> str:
    freq = recur.get("FREQ")
    value = freq[0] if isinstance(freq, list) and freq else freq
    if not value:
        raise ValueError("FREQ is missing")
    return str(value).upper()


def _feasible(recur: vRecur) -> bool:
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
    recur = _recur(rule)
    until = recur.get("UNTIL")
    if until:
        value = until[0] if isinstance(until, list) else until
        if isinstance(value, datetime):
            local = value if value.tzinfo else value.replace(tzinfo=tz)
        else:
            local = datetime.combine(value, time(23, 59, 59), tzinfo=tz)
        recur["UNTIL"] = [_utc(local)]
    return str(recur.to_ical().decode())


def _checked_rule(rule: str, start: datetime, *, label: str) -> str:
    """The normalized rule, or InvalidInput saying what is wrong with it."""
    tz = start.tzinfo
    assert tz is not None
    try:
        recur = _recur(rule)
        unknown = sorted(set(recur) - _RULE_PARTS)
        freq = _freq(recur)
        normalized = _normalize_rule(rule, tz)
        with warnings.catch_warnings(action="ignore"):
            rrulestr(normalized, dtstart=start)
        problem = None
        if unknown:
            problem = f"uses {', '.join(unknown)}, which I don't support"
        elif freq in _TOO_OFTEN:
            problem = "repeats more often than daily"
        elif "COUNT" in recur and "UNTIL" in recur:
            problem = "has both COUNT and UNTIL"
        elif not _feasible(recur):
            problem = "never happens (that day does not exist in that month)"
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        problem = f"has a repeat rule I can't read ({str(exc)[:80]})"
        normalized = ""
    if problem:
        raise InvalidInput(
            f"{label} {problem}: {rule[:120]!r}.",
            "Meetings can repeat daily, weekly, monthly or yearly, e.g. FREQ=WEEKLY;BYDAY=TU.",
        )
    return normalized


# --- building events ----------------------------------------------------------------------------


def _event(
    *,
    uid: str,
    title: str,
    start: date | datetime,
    end: date | datetime,
    stamp: datetime,
    sequence: int,
    description: str = "",
    location: str = "",
    url: str = "",
    recurrence_id: datetime | None = None,
    transparent: bool = False,
    last_modified: datetime | None = None,
) -> Event:
    return Event.new(
        uid=clean_text(uid),
        summary=clean_text(title),
        start=start,
        end=end,
        stamp=stamp,
        sequence=max(0, int(sequence)),
        description=clean_text(description) or None,
        location=clean_text(location) or None,
        url=clean_url(url) or None,
        recurrence_id=recurrence_id,
        transparency=TRANSP.TRANSPARENT if transparent else None,
        last_modified=_utc(_aware(last_modified, "last_modified")) if last_modified else None,
    )


def series_events(spec: SeriesSpec, *, stamp: datetime | None = None) -> list[Event]:
    """The series as VEVENTs: the master (RRULE, EXDATE, RDATE) and one per moved occurrence.

    DTSTART, DTEND, EXDATE, RDATE and RECURRENCE-ID all carry TZID=spec.timezone, so a weekly
    10:00 meeting stays at 10:00 local across DST. `stamp` is the DTSTAMP (default: now, UTC).
    An occurrence both cancelled and moved stays cancelled.
    """
    if not spec.uid.strip():
        raise ValueError("a series needs a UID")
    tz = _zone_or_invalid(spec.timezone)
    first = _aware(spec.start, "SeriesSpec.start").astimezone(tz)
    if spec.duration < timedelta(0):
        raise InvalidInput(f"{spec.title[:60]!r} ends before it starts.")
    stamp = _utc(_aware(stamp, "stamp") if stamp else datetime.now(UTC)).replace(microsecond=0)
    common: dict[str, Any] = {
        "uid": spec.uid,
        "stamp": stamp,
        "sequence": spec.sequence,
        "description": spec.description,
        "location": spec.location,
        "url": spec.url,
    }
    master = _event(
        title=spec.title,
        start=first,
        end=(_utc(first) + spec.duration).astimezone(tz),
        **common,
    )
    if spec.rrule:
        rule = _checked_rule(spec.rrule, first, label=f"The meeting {spec.title[:60]!r}")
        master.add("RRULE", vRecur.from_ical(rule))
    if spec.rdates:
        master.add("RDATE", [_aware(d, "rdate").astimezone(tz) for d in sorted(spec.rdates)])
    cancelled = {_utc(_aware(d, "exdate")) for d in spec.exdates}
    if cancelled:
        master.add("EXDATE", [d.astimezone(tz) for d in sorted(cancelled)])
    events = [master]
    seen: set[datetime] = set()
    for moved in sorted(spec.moved, key=lambda m: m.original_start):
        original = _utc(_aware(moved.original_start, "original_start"))
        if original in cancelled or original in seen:
            continue
        seen.add(original)
        if moved.end < moved.start:
            raise InvalidInput(f"A moved occurrence of {spec.title[:60]!r} ends before it starts.")
        events.append(
            _event(
                title=moved.title or spec.title,
                start=_aware(moved.start, "start").astimezone(tz),
                end=_aware(moved.end, "end").astimezone(tz),
                recurrence_id=original.astimezone(tz),
                **common,
            )
        )
    return events


_STAMP = datetime(2000, 1, 1, tzinfo=UTC)


def occurrences(spec: SeriesSpec, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence that overlaps [start, end), in UTC, sorted by start.

    Overlaps means it starts before `end` and ends after `start` (a zero-length one: starts in
    [start, end)), so a meeting in progress at `start` is included; callers wanting "starts in
    the window" filter on `.start`. Expanded by recurring_ical_events from series_events(spec),
    so EXDATE, RDATE, RECURRENCE-ID and DST behave exactly as in the feed calendar apps read.
    """
    a, b = _utc(_aware(start, "start")), _utc(_aware(end, "end"))
    if b <= a:
        return []
    cal = Calendar.new(prodid=PRODID, subcomponents=series_events(spec, stamp=_STAMP))
    out = []
    for ev in recurring_ical_events.of(cal).between(a, b):
        begin, finish = ev.start, ev.end
        if not isinstance(begin, datetime) or not isinstance(finish, datetime):
            continue  # cannot happen for specs (always timed), kept for type safety
        rid = ev.get("RECURRENCE-ID")
        original = rid.dt if rid is not None and isinstance(rid.dt, datetime) else begin
        out.append(
            Occurrence(
                uid=str(ev.get("UID")),
                original_start=_utc(original),
                start=_utc(begin),
                end=_utc(finish),
                title=str(ev.get("SUMMARY", "")),
            )
        )
    return sorted(out, key=lambda o: (o.start, o.original_start))


# --- feeds --------------------------------------------------------------------------------------


def _item_event(item: FeedItem, stamp: datetime) -> Event:
    title = clean_text(item.title)
    return _event(
        uid=item.uid,
        title=f"✓ {title}" if item.done and not title.startswith("✓") else title,
        start=item.on,
        end=item.on + timedelta(days=1),
        stamp=stamp,
        sequence=item.sequence,
        description=item.description,
        url=item.url,
        transparent=True,
        last_modified=item.last_modified,
    )


def _earliest(series: Iterable[SeriesSpec]) -> date | None:
    starts = [
        _utc(d)
        for spec in series
        for d in (
            spec.start,
            *spec.exdates,
            *spec.rdates,
            *(m.original_start for m in spec.moved),
            *(m.start for m in spec.moved),
        )
    ]
    return min(starts).date() if starts else None


def feed(name: str, *, items: list[FeedItem], series: list[SeriesSpec], now: datetime) -> bytes:
    """A complete VCALENDAR to publish: items as all-day events, series with their exceptions.

    CRLF line endings, lines folded at 75 octets, a VTIMEZONE for every zone used, every VEVENT
    with UID and DTSTAMP (= now). Two entries with the same UID: the first wins, later ones are
    dropped (a calendar must not hold two masters with one UID). Done items read "✓ title".
    """
    stamp = _utc(_aware(now, "now")).replace(microsecond=0)
    cal = Calendar.new(prodid=PRODID, calscale="GREGORIAN", method="PUBLISH", name=clean_text(name))
    cal.pop("UID", None)  # a random calendar UID would make every render differ
    cal.add("X-PUBLISHED-TTL", "PT1H")
    cal.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    uids: set[str] = set()
    for item in items:
        if item.uid not in uids:
            uids.add(item.uid)
            cal.add_component(_item_event(item, stamp))
    used = []
    for spec in series:
        if spec.uid not in uids:
            uids.add(spec.uid)
            used.append(spec)
            for ev in series_events(spec, stamp=stamp):
                cal.add_component(ev)
    earliest = _earliest(used)
    first = Timezone.DEFAULT_FIRST_DATE
    if earliest is not None and earliest - timedelta(days=1) > first:
        first = earliest - timedelta(days=1)
    last = max(Timezone.DEFAULT_LAST_DATE, stamp.date() + timedelta(days=366 * 10))
    cal.add_missing_timezones(first_date=first, last_date=last)
    return bytes(cal.to_ical())


# --- reading .ics files -------------------------------------------------------------------------


@dataclass
class _Override:
    uid: str
    original: tuple[datetime, str] | date  # the RECURRENCE-ID as read
    start: datetime | None  # aware; None = cancelled
    duration: timedelta
    title: str
    sequence: int


@dataclass
class _Master:
    uid: str
    title: str
    timezone: str
    start: datetime
    duration: timedelta
    rrule: str | None
    exdates: set[datetime]
    rdates: set[datetime]
    description: str
    location: str
    url: str
    sequence: int


@dataclass(frozen=True)
class _Zones:
    """How one calendar file names its zones: default for floating times, its VTIMEZONEs."""

    floating: str  # IANA zone for floating times (X-WR-TIMEZONE, else the default)
    utc_as: str  # zone for UTC times ("UTC", or X-WR-TIMEZONE as Google means it)
    vtimezones: dict[str, Timezone]
    default: str
    custom: dict[str, tuple[tzinfo, str | None] | None] = field(default_factory=dict)

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


def _iana(name: str) -> str | None:
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
    return tuple(z for z in preferred + rest if _iana(z) == z)


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


def _resolve(
    value: Any, tzid: str | None, zones: _Zones, series_zone: str | None
) -> tuple[datetime, str] | date:
    """(aware datetime, its IANA zone) for a parsed DATE-TIME, or the date of a DATE.

    TZID: its IANA zone (Windows and /vendor/ names mapped), else the file's own VTIMEZONE
    matched to an IANA zone with the same offsets; UTC: kept (in an X-WR-TIMEZONE calendar the
    instant is read in that zone, as Google means it); floating and unknown TZIDs: the series'
    zone, else X-WR-TIMEZONE, else the default zone. The wall time is always the one written.
    """
    if isinstance(value, tuple):  # a PERIOD (RDATE): its start
        value = value[0]
    if not isinstance(value, datetime):
        if isinstance(value, date):
            return value
        raise ValueError(f"{str(value)[:40]!r} is not a date or time")
    wall = value.replace(tzinfo=None)
    if tzid:
        iana = _iana(tzid)
        if iana is not None:
            return wall.replace(tzinfo=zone(iana)), iana
        own = zones.own(tzid, wall.year)
        if own is not None:
            tz, name = own
            if name is not None:
                return wall.replace(tzinfo=zone(name)), name
            return _utc(wall.replace(tzinfo=tz)).astimezone(zone(zones.floating)), zones.floating
    elif value.tzinfo is not None:
        return _utc(value).astimezone(zone(zones.utc_as)), zones.utc_as
    name = series_zone or zones.floating
    return wall.replace(tzinfo=zone(name)), name


def _tzid(prop: Any) -> str | None:
    params = getattr(prop, "params", None)
    tzid = params.get("TZID") if params else None
    return str(tzid) if tzid else None


def _props(component: Component, name: str) -> list[Any]:
    raw = component.get(name)
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list) else [raw]


def _text(component: Component, name: str) -> str:
    props = _props(component, name)
    return clean_text(str(props[0])).strip() if props else ""


def _dt_prop(ev: Component, name: str, label: str) -> Any:
    prop: Any = ev.get(name)
    if isinstance(prop, list):
        prop = prop[0] if prop else None
    if prop is not None and (isinstance(prop, vBroken) or not hasattr(prop, "dt")):
        raise InvalidInput(f"{label} has a {name} I can't read: {str(prop)[:60]!r}.", _IMPORT_HINT)
    return prop


def _list_values(
    ev: Component, name: str, label: str, zones: _Zones, series_zone: str
) -> list[tuple[datetime, str] | date]:
    """Every value of a property that may repeat and hold comma lists (EXDATE, RDATE)."""
    out = []
    for prop in _props(ev, name):
        dts = getattr(prop, "dts", None)
        if dts is None:
            raise InvalidInput(f"{label} has a {name} I can't read: {str(prop)[:60]!r}.")
        tzid = _tzid(prop)
        for one in dts:
            out.append(_resolve(one.dt, tzid or _tzid(one), zones, series_zone))
    return out


def _at_time_of(value: tuple[datetime, str] | date, first: datetime) -> datetime:
    """UTC instant of a resolved value; a bare date means the series' local start time that day."""
    if isinstance(value, tuple):
        return _utc(value[0])
    return _utc(datetime.combine(value, first.timetz().replace(fold=0)))


def _uid(ev: Component, raw_start: Any, raw_rule: str) -> str:
    """The event's UID; one made from its content if it has none (stable across re-imports);
    a hash of it if it is longer than MAX_UID characters."""
    uid = _text(ev, "UID")
    if not uid:
        basis = "\n".join((_text(ev, "SUMMARY"), str(raw_start), raw_rule))
        return f"ics-{hashlib.sha256(basis.encode()).hexdigest()[:24]}@import.pmo-bot"
    if len(uid) > MAX_UID:
        return f"ics-{hashlib.sha256(uid.encode()).hexdigest()[:24]}@import.pmo-bot"
    return uid


def _sequence(ev: Component) -> int:
    try:
        return max(0, int(str(ev.get("SEQUENCE", 0))))
    except ValueError:
        return 0


def _read_calendars(data: bytes) -> list[Calendar]:
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_series reads bytes")
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            "That calendar file is too large (over 2 MB).",
            "Export only the calendar with the project's meetings, or a shorter date range.",
        )
    raw = bytes(data)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as some Windows tools save
        with contextlib.suppress(UnicodeError):
            raw = raw.decode("utf-16").encode()
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise InvalidInput("That file is empty.", _IMPORT_HINT)
    if head.startswith(b"<"):
        raise InvalidInput(
            "That file is a web page (HTML or XML), not a calendar — perhaps a sign-in page.",
            _IMPORT_HINT,
        )
    if not head.startswith(b"begin:vcalendar"):
        raise InvalidInput(
            "That file is not an iCalendar (.ics) file: it should start with BEGIN:VCALENDAR.",
            _IMPORT_HINT,
        )
    uids = set(_EVENT_UIDS.findall(raw))  # a cheap count before the slow parse; errs low
    if len(uids) > MAX_SERIES:
        raise _too_many(len(uids))
    try:
        with warnings.catch_warnings(action="ignore"):
            found = Calendar.from_ical(raw, multiple=True)
    except Exception as exc:  # icalendar raises assorted errors on damaged files
        why = clean_text(str(exc)).replace("\n", " ")[:80]
        raise InvalidInput(f"That calendar file is damaged ({why}).", _IMPORT_HINT) from None
    calendars = [c for c in found if c.name == "VCALENDAR"]
    if not calendars:
        raise InvalidInput(
            "That calendar file is damaged: it has no complete BEGIN:VCALENDAR … END:VCALENDAR.",
            _IMPORT_HINT,
        )
    return calendars


def parse_series(data: bytes, *, default_timezone: str = "UTC") -> list[SeriesSpec]:
    """Every timed meeting series of an uploaded .ics file (a Google or Outlook export).

    One SeriesSpec per UID: the master VEVENT with its RRULE (first one), EXDATEs and RDATEs in
    UTC; RECURRENCE-ID overrides become `moved` (STATUS:CANCELLED ones become exdates; ones that
    change nothing we keep are dropped). Floating times are read in X-WR-TIMEZONE, else
    `default_timezone`; Windows TZIDs are mapped to IANA zones. All-day events are skipped, as
    are cancelled masters and overrides whose master is all-day or cancelled; an override whose
    master is missing becomes a one-off. An event without UID gets one made from its title, start
    and rule, so importing the same file twice finds the same series. Sorted by start, then UID.
    Raises InvalidInput (never anything else) on a file that is not usable.
    """
    default = _iana(default_timezone) or "UTC"
    masters: dict[str, _Master] = {}
    overrides: dict[str, list[_Override]] = {}
    dropped: set[str] = set()  # UIDs of all-day or cancelled masters
    seen_events = all_day = 0
    for cal in _read_calendars(data):
        xwr = _iana(_text(cal, "X-WR-TIMEZONE") or "") if "X-WR-TIMEZONE" in cal else None
        zones = _Zones(
            floating=xwr or default,
            utc_as=xwr or "UTC",
            vtimezones={str(tz.get("TZID", "")): tz for tz in cal.timezones},
            default=default,
        )
        for ev in cal.walk("VEVENT"):
            seen_events += 1
            title = _text(ev, "SUMMARY")
            label = f"The event {title[:60]!r}" if title else "An event without a title"
            try:
                kind = _read_event(ev, title, label, zones, masters, overrides, dropped)
            except InvalidInput:
                raise
            except Exception as exc:  # whatever a hostile file trips, the user gets a sentence
                why = clean_text(str(exc)).replace("\n", " ")[:80]
                raise InvalidInput(f"{label} could not be read ({why}).", _IMPORT_HINT) from None
            all_day += kind == "all-day"
    specs = _assemble(masters, overrides, dropped)
    if not specs:
        if not seen_events:
            raise InvalidInput("That calendar has no events.", _IMPORT_HINT)
        if all_day:
            raise InvalidInput(
                "That calendar has only all-day events; a meeting needs a start time.",
                "Export the calendar that holds the meetings themselves.",
            )
        raise InvalidInput(
            "I found no meetings in that calendar: they are cancelled or have no start time.",
            _IMPORT_HINT,
        )
    if len(specs) > MAX_SERIES:
        raise _too_many(len(specs))
    return specs


def _too_many(count: int) -> InvalidInput:
    return InvalidInput(
        f"That calendar has {count} meetings; I can import at most {MAX_SERIES} at a time.",
        "Export only the calendar with the project's meetings. Nothing was imported.",
    )


def _duration(ev: Component, label: str, first: datetime, zones: _Zones, tz_name: str) -> timedelta:
    """DTEND - DTSTART (exactly, in UTC), else DURATION, else one hour."""
    duration = DEFAULT_DURATION
    dtend = _dt_prop(ev, "DTEND", label)
    raw_duration: Any = ev.get("DURATION")
    if dtend is not None:
        end = _resolve(dtend.dt, _tzid(dtend), zones, tz_name)
        if isinstance(end, tuple):
            duration = _utc(end[0]) - _utc(first)
    elif raw_duration is not None and isinstance(getattr(raw_duration, "dt", None), timedelta):
        duration = raw_duration.dt
    if duration < timedelta(0):
        raise InvalidInput(f"{label} ends before it starts.", _IMPORT_HINT)
    return duration


def _read_event(
    ev: Component,
    title: str,
    label: str,
    zones: _Zones,
    masters: dict[str, _Master],
    overrides: dict[str, list[_Override]],
    dropped: set[str],
) -> str:
    """Add one VEVENT to `masters` or `overrides`; say what it was."""
    dtstart = _dt_prop(ev, "DTSTART", label)
    if dtstart is None:
        return "no start"
    rid = _dt_prop(ev, "RECURRENCE-ID", label)
    rules = _props(ev, "RRULE")
    if any(not isinstance(r, vRecur) for r in rules):
        raise InvalidInput(
            f"{label} has a repeat rule I can't read: {str(rules[0])[:80]!r}.",
            "Fix or remove the RRULE line, or recreate the meeting in your calendar app.",
        )
    raw_rule = rules[0].to_ical().decode() if rules else ""
    uid = _uid(ev, dtstart.to_ical(), raw_rule)
    status = _text(ev, "STATUS").upper()
    start = _resolve(dtstart.dt, _tzid(dtstart), zones, None)
    if rid is not None:
        zone_name = start[1] if isinstance(start, tuple) else None
        overrides.setdefault(uid, []).append(
            _Override(
                uid=uid,
                original=_resolve(rid.dt, _tzid(rid), zones, zone_name),
                # cancelled, or turned all-day (no longer a meeting at a time): None
                start=start[0] if isinstance(start, tuple) and status != "CANCELLED" else None,
                duration=(
                    _duration(ev, label, start[0], zones, start[1])
                    if isinstance(start, tuple)
                    else timedelta(0)
                ),
                title=title,
                sequence=_sequence(ev),
            )
        )
        return "override"
    if not isinstance(start, tuple):
        dropped.add(uid)
        return "all-day"
    if status == "CANCELLED":
        dropped.add(uid)
        return "cancelled"
    first, tz_name = start
    exdates = {_at_time_of(v, first) for v in _list_values(ev, "EXDATE", label, zones, tz_name)}
    rdates = {_at_time_of(v, first) for v in _list_values(ev, "RDATE", label, zones, tz_name)}
    master = _Master(
        uid=uid,
        title=title,
        timezone=tz_name,
        start=first,
        duration=_duration(ev, label, first, zones, tz_name),
        rrule=_checked_rule(raw_rule, first, label=label) if raw_rule else None,
        exdates=exdates,
        rdates=rdates,
        description=_text(ev, "DESCRIPTION"),
        location=_text(ev, "LOCATION"),
        url=_text(ev, "URL"),
        sequence=_sequence(ev),
    )
    current = masters.get(uid)
    if current is None or master.sequence >= current.sequence:
        masters[uid] = master
    return "master"


def _assemble(
    masters: dict[str, _Master], overrides: dict[str, list[_Override]], dropped: set[str]
) -> list[SeriesSpec]:
    specs = []
    for uid, master in masters.items():
        latest: dict[datetime, _Override] = {}
        for o in sorted(overrides.get(uid, []), key=lambda o: o.sequence):
            latest[_at_time_of(o.original, master.start)] = o
        exdates = set(master.exdates)
        moved = []
        for original, o in sorted(latest.items()):
            if o.start is None:
                exdates.add(original)
                continue
            start = _utc(o.start)
            if start == original and o.duration == master.duration and o.title == master.title:
                continue  # an override that changes nothing we keep
            moved.append(
                MovedOccurrence(
                    original_start=original,
                    start=start,
                    end=start + o.duration,
                    title="" if o.title == master.title else o.title,
                )
            )
        specs.append(
            SeriesSpec(
                uid=uid,
                title=master.title,
                timezone=master.timezone,
                start=master.start,
                duration=master.duration,
                rrule=master.rrule,
                exdates=tuple(sorted(exdates)),
                moved=tuple(moved),
                description=master.description,
                location=master.location,
                url=master.url,
                sequence=master.sequence,
                rdates=tuple(sorted(master.rdates - exdates)),
            )
        )
    for uid, orphans in overrides.items():
        if uid in masters or uid in dropped:
            continue
        live: dict[datetime, tuple[datetime, _Override]] = {}
        for o in sorted(orphans, key=lambda o: o.sequence):  # the latest word on each one wins
            if o.start is not None:
                live[_at_time_of(o.original, o.start)] = (o.start, o)
            elif isinstance(o.original, tuple):
                live.pop(_utc(o.original[0]), None)
        ordered = sorted(live.items(), key=lambda kv: (_utc(kv[1][0]), kv[0]))
        for i, (original, (start, o)) in enumerate(ordered):
            specs.append(
                SeriesSpec(
                    uid=uid if i == 0 else f"{uid}#{original:%Y%m%dT%H%M%SZ}",
                    title=o.title,
                    timezone=str(getattr(start.tzinfo, "key", "UTC")),
                    start=start,
                    duration=o.duration,
                    sequence=o.sequence,
                )
            )
    return sorted(specs, key=lambda s: (_utc(s.start), s.uid))


# --- the meeting command's recurrence phrase ----------------------------------------------------

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
        recur = _recur(rule_words[0])
        freq = _freq(recur)
    except (ValueError, TypeError) as exc:
        raise _unreadable(text, str(exc)[:80]) from None
    if freq in _TOO_OFTEN:
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
    _checked_rule(rule, datetime(2026, 1, 1, at.hour, at.minute, tzinfo=UTC), label="That rule")
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


def next_start(rule: str, at: time, *, timezone: str, after: datetime) -> datetime | None:
    """The first start of (rule, local time `at`) in `timezone` at or after `after`, aware UTC.

    A helper for turning parse_recurrence's answer into SeriesSpec.start; None if the rule has
    no occurrence left (COUNT or UNTIL already passed counts from `after`'s day).
    """
    tz = _zone_or_invalid(timezone)
    local = _aware(after, "after").astimezone(tz)
    anchor = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
    normalized = _checked_rule(rule, anchor, label="That repeat")
    with warnings.catch_warnings(action="ignore"):
        found = rrulestr(normalized, dtstart=anchor).after(local, inc=True)
    return _utc(found) if found is not None else None
