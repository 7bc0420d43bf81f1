"""The reference expansion of one calendar file: what calendar apps show, per recurring-ical-events.

Run as `python tests/ics_reference.py FILE START END` (UTC dates) in a fresh process per file:
icalendar keeps every VTIMEZONE it has read in a process-wide cache by TZID, so one file's
"Customized Time Zone" would give meaning to the same TZID in the next. Prints JSON:
{"readable": bool, "occurrences": [{"summary", "start", "end", "all_day", "status"}]} with
aware times in UTC ("…Z"), floating ones as naive ISO, all-day ones as dates.
"""

from __future__ import annotations

import json
import sys
import warnings
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import recurring_ical_events
from icalendar import Calendar


def iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def expand(data: bytes, start: datetime, end: datetime) -> dict[str, Any]:
    try:
        with warnings.catch_warnings(action="ignore"):
            cals = [c for c in Calendar.from_ical(data, multiple=True) if c.name == "VCALENDAR"]
    except Exception:
        return {"readable": False, "occurrences": []}
    found: list[dict[str, Any]] = []
    for cal in cals:
        try:
            events = list(recurring_ical_events.of(cal).between(start, end))
        except Exception:
            events = list(recurring_ical_events.of(cal, skip_bad_series=True).between(start, end))
        for ev in events:
            summary = ev.get("SUMMARY")
            summary = summary[0] if isinstance(summary, list) else summary
            begin = ev.start
            found.append(
                {
                    "summary": str(summary) if summary is not None else "",
                    "start": iso(begin),
                    "end": iso(ev.end),
                    "all_day": not isinstance(begin, datetime),
                    "status": str(ev.get("STATUS") or "").upper(),
                }
            )
    return {"readable": True, "occurrences": found}


if __name__ == "__main__":
    path, first, last = sys.argv[1], sys.argv[2], sys.argv[3]
    window = [
        datetime.combine(date.fromisoformat(d), datetime.min.time(), UTC) for d in (first, last)
    ]
    print(json.dumps(expand(Path(path).read_bytes(), *window)))
