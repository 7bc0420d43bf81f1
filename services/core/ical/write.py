"""The iCalendar we publish: a meeting series as VEVENTs, and feeds of items and series.

Text and URLs are cleaned of what RFC 5545 forbids. Done feed items stay in the feed as
"✓ title" (VEVENT has no COMPLETED status). In a feed, two entries with one UID: the first wins
(two masters with one UID are invalid).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from icalendar import TRANSP, Calendar, Event, Timezone, vRecur

from services.core.errors import InvalidInput
from services.core.ical.model import FeedItem, SeriesSpec
from services.core.ical.rules import checked_rule
from services.core.ical.zones import aware, utc, zone_or_invalid

PRODID = "-//PMO Bot//EN"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def clean_text(text: str) -> str:
    """Text safe for any iCalendar reader: no control characters, CR/CRLF become LF.

    icalendar escapes commas, semicolons, backslashes and newlines itself; this only removes what
    RFC 5545 forbids in TEXT values altogether (and lone surrogates, which cannot be encoded).
    """
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_url(url: str) -> str:
    """A URI with no whitespace or control characters (they are percent-encoded)."""
    return quote(url.strip(), safe=_URL_SAFE)


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
        last_modified=utc(aware(last_modified, "last_modified")) if last_modified else None,
    )


def series_events(spec: SeriesSpec, *, stamp: datetime | None = None) -> list[Event]:
    """The series as VEVENTs: the master (RRULE, EXDATE, RDATE) and one per moved occurrence.

    DTSTART, DTEND, EXDATE, RDATE and RECURRENCE-ID all carry TZID=spec.timezone, so a weekly
    10:00 meeting stays at 10:00 local across DST. `stamp` is the DTSTAMP (default: now, UTC).
    An occurrence both cancelled and moved stays cancelled.
    """
    if not spec.uid.strip():
        raise ValueError("a series needs a UID")
    tz = zone_or_invalid(spec.timezone)
    first = aware(spec.start, "SeriesSpec.start").astimezone(tz)
    if spec.duration < timedelta(0):
        raise InvalidInput(f"{spec.title[:60]!r} ends before it starts.")
    stamp = utc(aware(stamp, "stamp") if stamp else datetime.now(UTC)).replace(microsecond=0)
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
        end=(utc(first) + spec.duration).astimezone(tz),
        **common,
    )
    if spec.rrule:
        rule = checked_rule(spec.rrule, first, label=f"The meeting {spec.title[:60]!r}")
        master.add("RRULE", vRecur.from_ical(rule))
    own_length = {utc(aware(d, "period")): length for d, length in spec.periods}
    plain = [d for d in sorted(spec.rdates) if utc(aware(d, "rdate")) not in own_length]
    if plain:
        master.add("RDATE", [d.astimezone(tz) for d in plain])
    for start, length in sorted(own_length.items()):  # RFC 5545 PERIOD, in UTC as it allows
        master.add("RDATE", [(start, start + length)], parameters={"VALUE": "PERIOD"})
    cancelled = {utc(aware(d, "exdate")) for d in spec.exdates}
    if cancelled:
        master.add("EXDATE", [d.astimezone(tz) for d in sorted(cancelled)])
    events = [master]
    seen: set[datetime] = set()
    for moved in sorted(spec.moved, key=lambda m: m.original_start):
        original = utc(aware(moved.original_start, "original_start"))
        if original in cancelled or original in seen:
            continue
        seen.add(original)
        if moved.end < moved.start:
            raise InvalidInput(f"A moved occurrence of {spec.title[:60]!r} ends before it starts.")
        events.append(
            _event(
                title=moved.title or spec.title,
                start=aware(moved.start, "start").astimezone(tz),
                end=aware(moved.end, "end").astimezone(tz),
                recurrence_id=original.astimezone(tz),
                **common,
            )
        )
    return events


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
        utc(d)
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
    stamp = utc(aware(now, "now")).replace(microsecond=0)
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
