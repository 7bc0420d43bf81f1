"""Real calendar exports (tests/data/ics) imported as meetings and as holidays, on both engines,
against the reference expansion of recurring-ical-events (tests/ics_reference.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models import Holiday, MeetingSeries
from services.commands.execute import run_text
from services.core import holidays
from services.core.dates import zone
from services.core.errors import InvalidInput
from services.core.ical.zones import iana_zone
from services.meetings import series
from tests.conftest import NOW, World

DATA = Path(__file__).parent / "data" / "ics"
CORPUS: list[dict[str, Any]] = json.loads((DATA / "corpus.json").read_text())
BY_FILE = {e["file"]: e for e in CORPUS}
REFERENCE = Path(__file__).parent / "ics_reference.py"
Occ = tuple[datetime, datetime, str]
PYTHON_ERROR = re.compile(r"\b\w*(Error|Exception|Warning)\b:|Traceback")  # ValueError: …

# Files where PMO Bot knowingly differs from the reference, and why.
ZONES_WE_PLACE = {
    # icalendar does not know Outlook's display names "(UTC-05:00) Eastern Time (US & Canada)"
    # and "(GMT+10:00) Canberra, Melbourne, Sydney" (no VTIMEZONE in the file) and leaves them
    # floating; PMO Bot places them in New York and Sydney (test_outlook_display_name_zones).
    "node-ical/Office-2012-owa.ics",
}
UNREADABLE_BY_REFERENCE = {
    # iCloud wrote Berlin's 1893 offset as TZOFFSETFROM:+5328; icalendar refuses the file.
    # PMO Bot drops VTIMEZONEs of zones it knows by name and reads the events.
    "icalevents/icloud.ics",
    # A task (VTODO) dated in year -1 (Mozilla 1.0); PMO Bot never reads tasks.
    "ical4j/twinkle.ics",
}


def _reference(entry: dict[str, Any]) -> dict[str, Any]:
    first, last = entry["window"]
    out = subprocess.run(
        [sys.executable, str(REFERENCE), str(DATA / entry["file"]), first, last],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(out.stdout))


@pytest.fixture(scope="session")
def reference() -> dict[str, dict[str, Any]]:
    """Every file's reference expansion, each in its own fresh process."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(BY_FILE, pool.map(_reference, CORPUS), strict=True))


def _window(entry: dict[str, Any]) -> tuple[datetime, datetime]:
    a, b = (date.fromisoformat(d) for d in entry["window"])
    return (
        datetime.combine(a, datetime.min.time(), UTC),
        datetime.combine(b, datetime.min.time(), UTC),
    )


def _floating_zone(data: bytes) -> str:
    """Where a floating time is read: X-WR-TIMEZONE, else the importer's zone (UTC here)."""
    found = re.search(rb"(?m)^X-WR-TIMEZONE[^:\r\n]*:([^\r\n]+)", data)
    return (iana_zone(found.group(1).decode().strip()) if found else None) or "UTC"


def _instant(text: str, floating: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(floating))
    return value.astimezone(UTC)


def _reference_meetings(
    ref: dict[str, Any], data: bytes, lo: datetime, hi: datetime
) -> Counter[Occ]:
    floating = _floating_zone(data)
    found: Counter[Occ] = Counter()
    for o in ref["occurrences"]:
        if o["all_day"] or o["status"] == "CANCELLED":
            continue
        start = _instant(o["start"], floating)
        end = _instant(o["end"], floating) if o["end"] else start
        if lo <= start < hi:
            found[(start, end, o["summary"].strip() or "Meeting")] += 1  # untitled: "Meeting"
    return found


def _ours(world: World, lo: datetime, hi: datetime) -> Counter[Occ]:
    found: Counter[Occ] = Counter()
    for row in world.session.scalars(select(MeetingSeries)):
        for occ in series.expand(row, lo, hi):
            found[(occ.start, occ.end, occ.title.strip())] += 1
    return found


@pytest.mark.parametrize("name", list(BY_FILE), ids=lambda n: n.split("/")[-1])
def test_meetings_import_agrees_with_recurring_ical_events(
    world: World, reference: dict[str, dict[str, Any]], name: str
) -> None:
    entry, ref = BY_FILE[name], reference[name]
    data = (DATA / name).read_bytes()
    lo, hi = _window(entry)
    run_text(world.session, world.actor("lead"), 'project new CAL "Calendar"', now=NOW)
    expected = _reference_meetings(ref, data, lo, hi) if ref["readable"] else Counter()
    try:
        done = series.import_ics(world.session, world.actor("lead"), key="CAL", data=data, now=NOW)
    except InvalidInput as err:
        said = f"{err.message} {err.hint}"
        assert not PYTHON_ERROR.search(said), said
        if name == "node-ical/ms_timezones.ics":  # one DTSTART has its value inside the quotes
            assert "\"Log Yesterday's Jira time\" has a DTSTART I can't read" in said
            return
        assert not expected, f"{name} refused: {said}"
        assert "only all-day events" in said or "no events" in said, said
        return
    assert done.series, name
    if name in UNREADABLE_BY_REFERENCE or name in ZONES_WE_PLACE:
        return
    ours = _ours(world, lo, hi)
    assert ours == expected, (
        f"{name}: missing {sorted(expected - ours)[:5]}, extra {sorted(ours - expected)[:5]}"
    )


def _reference_days(ref: dict[str, Any], lo: date, hi: date) -> set[date]:
    days: set[date] = set()
    for o in ref["occurrences"]:
        if not o["all_day"] or o["status"] == "CANCELLED":
            continue
        d, end = date.fromisoformat(o["start"]), date.fromisoformat(o["end"] or o["start"])
        end = max(end, d + timedelta(days=1))
        while d < end:
            if lo <= d < hi:
                days.add(d)
            d += timedelta(days=1)
    return days


@pytest.mark.parametrize("name", list(BY_FILE), ids=lambda n: n.split("/")[-1])
def test_holidays_import_agrees_with_recurring_ical_events(
    world: World, reference: dict[str, dict[str, Any]], name: str
) -> None:
    entry, ref = BY_FILE[name], reference[name]
    data = (DATA / name).read_bytes()
    lo, hi = (d.date() for d in _window(entry))
    today = lo + timedelta(days=365)  # the import takes a year back and two ahead of today
    lo, hi = max(lo, today - timedelta(days=365)), min(hi, today + timedelta(days=730))
    expected = _reference_days(ref, lo, hi) if ref["readable"] else set()
    has_timed = any(not o["all_day"] for o in ref["occurrences"])
    try:
        result = holidays.import_ics(
            world.session, workspace_id=world.ws.id, data=data, today=today
        )
    except InvalidInput as err:
        said = f"{err.message} {err.hint}"
        assert not PYTHON_ERROR.search(said), said
        assert not expected or name == "node-ical/ms_timezones.ics", f"{name} refused: {said}"
        assert "only timed events" in said or "no holidays" in said or "can't be read" in said
        return
    stored = set(
        world.session.scalars(
            select(Holiday.on).where(
                Holiday.workspace_id == world.ws.id, Holiday.on >= lo, Holiday.on < hi
            )
        )
    )
    if name not in UNREADABLE_BY_REFERENCE:
        assert stored == expected, (
            f"{name}: missing {sorted(expected - stored)[:5]}, extra {sorted(stored - expected)[:5]}"
        )
    if has_timed:  # timed meetings are never holidays, and the import says it left them out
        assert any("timed event" in n for n in result.notes), result.notes


# No stored real export repeats a calendar-level header line; Nextcloud did (ics-py/ics-py#383:
# four PRODID lines). This file is written in that shape.
DUPLICATED_HEADERS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
VERSION:2.0\r
PRODID:-//Nextcloud//EN\r
PRODID:-//Sabre//Sabre VObject 4.4.2//EN\r
PRODID:-//Sabre//Sabre VObject 4.4.2//EN\r
CALSCALE:GREGORIAN\r
BEGIN:VEVENT\r
UID:sync-1\r
SUMMARY:Weekly sync\r
DTSTART;TZID=Europe/Berlin:20261201T100000\r
DTEND;TZID=Europe/Berlin:20261201T103000\r
RRULE:FREQ=WEEKLY;COUNT=4\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:xmas\r
SUMMARY:Christmas\r
DTSTART;VALUE=DATE:20261225\r
DTEND;VALUE=DATE:20261226\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_duplicated_header_line_is_read(world: World) -> None:
    run_text(world.session, world.actor("lead"), 'project new CAL "Calendar"', now=NOW)
    done = series.import_ics(
        world.session, world.actor("lead"), key="CAL", data=DUPLICATED_HEADERS, now=NOW
    )
    assert [(v.title, v.rrule) for v in done.series] == [("Weekly sync", "FREQ=WEEKLY;COUNT=4")]
    result = holidays.import_ics(
        world.session, workspace_id=world.ws.id, data=DUPLICATED_HEADERS, today=NOW.date()
    )
    assert result.days == [(date(2026, 12, 25), "Christmas")]
    assert result.notes == [
        "Left out 4 timed event occurrences, e.g. 'Weekly sync': holidays are whole days."
    ]
