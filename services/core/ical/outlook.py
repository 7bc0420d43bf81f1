"""Outlook's display-name time zones: "(UTC-05:00) Eastern Time (US & Canada)".

Outlook and Exchange (OWA) write the name a Windows user picks from the list as the TZID, often
with no VTIMEZONE for it. The offset in brackets is the zone's standard offset; the rest names
it by region ("Eastern Time (US & Canada)") or by cities ("Canberra, Melbourne, Sydney"). A
name is read as the IANA zone of one of its cities (or its region) whose standard offset is the
one in brackets, so a weekly meeting keeps its local time across daylight saving changes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from zoneinfo import available_timezones

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from services.core.dates import zone

_DISPLAY = re.compile(r"^\(\s*(?:UTC|GMT)\s*(?:([+-])(\d{1,2}):?(\d{2})?)?\s*\)\s*(.+)$", re.I)
# Regions Windows names without a city (its zone list, tzutil /l).
REGIONS = {
    "eastern time (us & canada)": "America/New_York",
    "central time (us & canada)": "America/Chicago",
    "mountain time (us & canada)": "America/Denver",
    "pacific time (us & canada)": "America/Los_Angeles",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "arizona": "America/Phoenix",
    "atlantic time (canada)": "America/Halifax",
    "newfoundland": "America/St_Johns",
    "saskatchewan": "America/Regina",
    "indiana (east)": "America/Indiana/Indianapolis",
    "brasilia": "America/Sao_Paulo",
    "brasília": "America/Sao_Paulo",
    "coordinated universal time": "UTC",
    "greenwich mean time": "Europe/London",
    "central america": "America/Guatemala",
    "mid-atlantic": "Atlantic/South_Georgia",
    "west central africa": "Africa/Lagos",
}


def _standard_offset_minutes(name: str) -> int:
    """The smaller of a zone's January and July offsets this decade (its standard offset)."""
    tz = zone(name)
    offsets = []
    for month in (1, 7):
        offset = datetime(2024, month, 1, 12, tzinfo=UTC).astimezone(tz).utcoffset()
        offsets.append(int(offset.total_seconds() // 60) if offset is not None else 0)
    return min(offsets)


@cache
def _cities() -> dict[str, tuple[str, ...]]:
    """'sydney' → ('Australia/Sydney',): IANA zones by their city, Windows' own zones first."""
    preferred = list(dict.fromkeys(WINDOWS_TO_OLSON.values()))
    everything = preferred + sorted(available_timezones() - set(preferred))
    found: dict[str, list[str]] = {}
    for name in everything:
        if "/" not in name or name.startswith(("Etc/", "SystemV/")):
            continue
        city = name.rsplit("/", 1)[1].replace("_", " ").lower()
        found.setdefault(city, []).append(name)
    return {city: tuple(names) for city, names in found.items()}


def display_name_zone(tzid: str) -> str | None:
    """The IANA zone an Outlook display name means, or None when it is not one we can place."""
    m = _DISPLAY.match(tzid.strip().strip('"'))
    if not m:
        return None
    sign, hours, minutes, rest = m.group(1), m.group(2), m.group(3), m.group(4).strip()
    offset = (int(hours or 0) * 60 + int(minutes or 0)) * (-1 if sign == "-" else 1)
    rest = rest.split(":", 1)[-1].strip() if rest.lower().startswith("greenwich") else rest
    region = REGIONS.get(rest.lower())
    if region is not None and _standard_offset_minutes(region) == offset:
        return region
    for word in re.split(r"[,;/]| and ", rest):
        city = re.sub(r"\(.*?\)", "", word).strip().lower()
        for name in _cities().get(city, ()):
            if _standard_offset_minutes(name) == offset:
                return name
    return None
