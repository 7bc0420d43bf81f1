"""Meeting series read from uploaded .ics files (Google, Outlook exports).

The file is checked (size, encoding, that it is a calendar at all) before the slow parse; any
problem with it is an InvalidInput sentence for the user, never anything else.
"""

from __future__ import annotations

import contextlib
import re
import threading
import warnings
from dataclasses import dataclass, field

from icalendar import Calendar, Component
from icalendar.timezone import tzp

from services.core.errors import InvalidInput
from services.core.ical.model import SeriesSpec
from services.core.ical.vevent import IMPORT_HINT, Master, Override, assemble, prop_text, read_event
from services.core.ical.write import clean_text
from services.core.ical.zones import Zones, iana_zone

MAX_BYTES = 2_000_000
MAX_SERIES = 500
_EVENT_UIDS = re.compile(rb"(?ims)^BEGIN:VEVENT\r?$.*?^UID[;:]([^\r\n]*)")


def read_calendars(data: bytes) -> list[Calendar]:
    """The VCALENDARs of an uploaded file, checked first (size, encoding, that it is one);
    InvalidInput in plain words when it can't be read."""
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
        raise InvalidInput("That file is empty.", IMPORT_HINT)
    if head.startswith(b"<"):
        raise InvalidInput(
            "That file is a web page (HTML or XML), not a calendar — perhaps a sign-in page.",
            IMPORT_HINT,
        )
    if not head.startswith(b"begin:vcalendar"):
        raise InvalidInput(
            "That file is not an iCalendar (.ics) file: it should start with BEGIN:VCALENDAR.",
            IMPORT_HINT,
        )
    uids = set(_EVENT_UIDS.findall(raw))  # a cheap count before the slow parse; errs low
    if len(uids) > MAX_SERIES:
        raise _too_many(len(uids))
    try:
        found = _from_ical(raw)
    except Exception as exc:  # icalendar raises assorted errors on damaged files
        try:  # again without the parts we never read
            found = _from_ical(_needed_only(raw))
        except Exception:
            raise InvalidInput(damaged(raw, str(exc)), IMPORT_HINT) from None
    calendars = [c for c in found if isinstance(c, Calendar) and c.name == "VCALENDAR"]
    if not calendars:
        raise InvalidInput(
            "That calendar file is damaged: it has no complete BEGIN:VCALENDAR … END:VCALENDAR.",
            IMPORT_HINT,
        )
    return calendars


# icalendar keeps the zones a file defines (VTIMEZONE) in a process-wide cache, by name, and
# Outlook names every custom zone "Customized Time Zone": without a fresh cache, what one
# upload means would depend on what another workspace uploaded before.
_PARSING = threading.Lock()


def _from_ical(raw: bytes) -> list[Component]:
    with _PARSING, warnings.catch_warnings(action="ignore"):
        tzp.use_zoneinfo()  # a fresh zone cache for every file
        return list(Calendar.from_ical(raw, multiple=True))


@dataclass(frozen=True)
class ReadCalendar:
    """The meeting series of a file, and what the reader had to decide for itself (a time zone
    it could not place, and the zone it used instead), for the person who imported it."""

    series: list[SeriesSpec]
    notes: list[str] = field(default_factory=list)


def parse_series(data: bytes, *, default_timezone: str = "UTC") -> list[SeriesSpec]:
    """Every timed meeting series of an uploaded .ics file (see `read_series`)."""
    return read_series(data, default_timezone=default_timezone).series


def read_series(data: bytes, *, default_timezone: str = "UTC") -> ReadCalendar:
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
    default = iana_zone(default_timezone) or "UTC"
    notes: dict[str, str] = {}
    masters: dict[str, Master] = {}
    overrides: dict[str, list[Override]] = {}
    dropped: set[str] = set()  # UIDs of all-day or cancelled masters
    seen_events = all_day = 0
    for cal in read_calendars(data):
        xwr = iana_zone(prop_text(cal, "X-WR-TIMEZONE") or "") if "X-WR-TIMEZONE" in cal else None
        zones = Zones(
            floating=xwr or default,
            utc_as=xwr or "UTC",
            vtimezones={str(tz.get("TZID", "")): tz for tz in cal.timezones},
            default=default,
        )
        for ev in cal.walk("VEVENT"):
            seen_events += 1
            title = prop_text(ev, "SUMMARY")
            label = f"The event {title[:60]!r}" if title else "An event without a title"
            try:
                kind = read_event(ev, title, label, zones, masters, overrides, dropped)
            except InvalidInput:
                raise
            except Exception as exc:  # whatever a hostile file trips, the user gets a sentence
                why = clean_text(str(exc)).replace("\n", " ")[:80]
                raise InvalidInput(f"{label} could not be read ({why}).", IMPORT_HINT) from None
            all_day += kind == "all-day"
        for tzid, what in zones.unread.items():
            notes.setdefault(tzid, what)
    specs = assemble(masters, overrides, dropped)
    if not specs:
        if not seen_events:
            raise InvalidInput("That calendar has no events.", IMPORT_HINT)
        if all_day:
            raise InvalidInput(
                "That calendar has only all-day events; a meeting needs a start time.",
                "Export the calendar that holds the meetings themselves.",
            )
        raise InvalidInput(
            "I found no meetings in that calendar: they are cancelled or have no start time.",
            IMPORT_HINT,
        )
    if len(specs) > MAX_SERIES:
        raise _too_many(len(specs))
    return ReadCalendar(specs, [f"Time zone: {what}." for what in notes.values()])


_VALUE = re.compile(r"(?:was|value|format:?)\s+['\"]?([^\s'\",]+)", re.I)
_ZONE = "a time zone"
_NAMES = {"VTIMEZONE": _ZONE, "STANDARD": _ZONE, "DAYLIGHT": _ZONE, "VTODO": "a task"}
_NAMES["VEVENT"] = "an event"
_UNNEEDED = re.compile(rb"(?ims)^BEGIN:(VTODO|VJOURNAL)\r?$.*?^END:\1\r?\n?")
_VTIMEZONE = re.compile(rb"(?ims)^BEGIN:VTIMEZONE\r?$.*?^END:VTIMEZONE\r?\n?")
_TZID_LINE = re.compile(rb"(?im)^TZID[;:]([^\r\n]*)")


def _needed_only(raw: bytes) -> bytes:
    """The file without what the importer never reads: tasks, journal entries, and the
    VTIMEZONEs of zones known by name (IANA or Windows) — a damaged one (iCloud writes Berlin's
    1893 offset as +5328) need not spoil the events."""

    def keep_zone(m: re.Match[bytes]) -> bytes:
        tzid = _TZID_LINE.search(m.group(0))
        name = tzid.group(1).decode("utf-8", "replace").split(":")[-1] if tzid else ""
        return b"" if name and iana_zone(name) else m.group(0)

    return _VTIMEZONE.sub(keep_zone, _UNNEEDED.sub(b"", raw))


def damaged(raw: bytes, problem: str) -> str:
    """Where a file icalendar cannot read is damaged, in words: the property and the part of
    the calendar it is in (found by the value the parser choked on), never the exception."""
    m = _VALUE.search(problem)
    text = re.sub(r"\r?\n[ \t]", "", raw.decode("utf-8", "replace"))
    if m:
        component, title = "", ""
        for line in text.splitlines():
            if line.upper().startswith("BEGIN:"):
                component, title = line[6:].strip().upper(), ""
            elif line.upper().startswith("SUMMARY"):
                title = line.split(":", 1)[-1].strip()
            elif m.group(1) in line and ":" in line:
                prop = line.split(":", 1)[0].split(";", 1)[0]
                where = _NAMES.get(component, component.lower() or "the calendar")
                named = f" ({title[:60]!r})" if title else ""
                return (
                    f"That calendar file is damaged: {where}{named} has a {prop} I can't read: "
                    f"{clean_text(line.strip())[:80]!r}."
                )
    return "That calendar file is damaged: a line in it is not iCalendar I can read."


def _too_many(count: int) -> InvalidInput:
    return InvalidInput(
        f"That calendar has {count} meetings; I can import at most {MAX_SERIES} at a time.",
        "Export only the calendar with the project's meetings. Nothing was imported.",
    )
