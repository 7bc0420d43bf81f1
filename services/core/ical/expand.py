"""A meeting series expanded into occurrences the way calendar apps expand it.

occurrences() returns what overlaps [start, end) (recurring_ical_events' rule); filter on
`.start` for "starts in the window".
"""

from __future__ import annotations

from datetime import UTC, datetime

import recurring_ical_events
from icalendar import Calendar

from services.core.ical.model import Occurrence, SeriesSpec
from services.core.ical.write import PRODID, series_events
from services.core.ical.zones import aware, utc

_STAMP = datetime(2000, 1, 1, tzinfo=UTC)


def occurrences(spec: SeriesSpec, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence that overlaps [start, end), in UTC, sorted by start.

    Overlaps means it starts before `end` and ends after `start` (a zero-length one: starts in
    [start, end)), so a meeting in progress at `start` is included; callers wanting "starts in
    the window" filter on `.start`. Expanded by recurring_ical_events from series_events(spec),
    so EXDATE, RDATE, RECURRENCE-ID and DST behave exactly as in the feed calendar apps read.
    """
    a, b = utc(aware(start, "start")), utc(aware(end, "end"))
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
                original_start=utc(original),
                start=utc(begin),
                end=utc(finish),
                title=str(ev.get("SUMMARY", "")),
            )
        )
    return sorted(out, key=lambda o: (o.start, o.original_start))
