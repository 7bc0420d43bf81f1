"""One imported VEVENT read into a series master or an override, and both assembled into series.

An imported event without UID gets "ics-<hash of title, start, rule>@import.pmo-bot", so a
re-import finds the same series; a UID over 255 characters is replaced by a hash the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Component, vBroken, vRecur

from services.core.errors import InvalidInput
from services.core.ical.model import MovedOccurrence, SeriesSpec
from services.core.ical.rules import checked_rule
from services.core.ical.write import clean_text
from services.core.ical.zones import Zones, resolve, utc

DEFAULT_DURATION = timedelta(0)  # RFC 5545 3.6.1: no DTEND, no DURATION: it ends as it starts
MAX_UID = 255
IMPORT_HINT = (
    "Export the calendar again as an .ics (iCalendar) file from your calendar app (Google "
    "Calendar, Outlook, Apple Calendar, Thunderbird) and try again. Nothing was imported."
)


@dataclass
class Override:
    """One RECURRENCE-ID VEVENT as read: the occurrence it replaces and what became of it."""

    uid: str
    original: tuple[datetime, str] | date  # the RECURRENCE-ID as read
    start: datetime | None  # aware; None = cancelled
    duration: timedelta
    title: str
    sequence: int


@dataclass
class Master:
    """A series' master VEVENT as read, before its overrides are applied."""

    uid: str
    title: str
    timezone: str
    start: datetime
    duration: timedelta
    rrule: str | None
    exdates: set[datetime]
    rdates: set[datetime]
    periods: dict[datetime, timedelta]  # RDATE;VALUE=PERIOD starts (UTC) and their lengths
    description: str
    location: str
    url: str
    sequence: int


def _tzid(prop: Any) -> str | None:
    params = getattr(prop, "params", None)
    tzid = params.get("TZID") if params else None
    return str(tzid) if tzid else None


def _props(component: Component, name: str) -> list[Any]:
    raw = component.get(name)
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list) else [raw]


def prop_text(component: Component, name: str) -> str:
    """The first value of a text property, cleaned and stripped; "" if it is absent."""
    props = _props(component, name)
    return clean_text(str(props[0])).strip() if props else ""


def _dt_prop(ev: Component, name: str, label: str) -> Any:
    prop: Any = ev.get(name)
    if isinstance(prop, list):
        prop = prop[0] if prop else None
    if prop is not None and (isinstance(prop, vBroken) or not hasattr(prop, "dt")):
        raise InvalidInput(f"{label} has a {name} I can't read: {str(prop)[:60]!r}.", IMPORT_HINT)
    return prop


def _list_values(
    ev: Component, name: str, label: str, zones: Zones, series_zone: str
) -> list[tuple[tuple[datetime, str] | date, Any, str | None]]:
    """Every value of a property that may repeat and hold comma lists (EXDATE, RDATE), with
    the end of a PERIOD value (a date-time or a duration; None for plain values) and the
    value's TZID."""
    out = []
    for prop in _props(ev, name):
        dts = getattr(prop, "dts", None)
        if dts is None:
            raise InvalidInput(
                f"{label} has a {name} I can't read: {str(prop)[:60]!r}.", IMPORT_HINT
            )
        tzid = _tzid(prop)
        for one in dts:
            value = one.dt
            end = value[1] if isinstance(value, tuple) else None
            start = value[0] if isinstance(value, tuple) else value
            zone_id = tzid or _tzid(one)
            out.append((resolve(start, zone_id, zones, series_zone), end, zone_id))
    return out


def _period_length(
    start: datetime, end: Any, tzid: str | None, zones: Zones, tz_name: str
) -> timedelta | None:
    """The length of an RDATE PERIOD (its end or its duration), None for a plain RDATE."""
    if isinstance(end, timedelta):
        return end
    if isinstance(end, datetime):
        resolved = resolve(end, tzid, zones, tz_name)
        if isinstance(resolved, tuple):
            return max(timedelta(0), utc(resolved[0]) - utc(start))
    return None


def _at_time_of(value: tuple[datetime, str] | date, first: datetime) -> datetime:
    """UTC instant of a resolved value; a bare date means the series' local start time that day."""
    if isinstance(value, tuple):
        return utc(value[0])
    return utc(datetime.combine(value, first.timetz().replace(fold=0)))


def _uid(ev: Component, raw_start: Any, raw_rule: str) -> str:
    """The event's UID; one made from its content if it has none (stable across re-imports);
    a hash of it if it is longer than MAX_UID characters."""
    uid = prop_text(ev, "UID")
    if not uid:
        basis = "\n".join((prop_text(ev, "SUMMARY"), str(raw_start), raw_rule))
        return f"ics-{hashlib.sha256(basis.encode()).hexdigest()[:24]}@import.pmo-bot"
    if len(uid) > MAX_UID:
        return f"ics-{hashlib.sha256(uid.encode()).hexdigest()[:24]}@import.pmo-bot"
    return uid


def _sequence(ev: Component) -> int:
    try:
        return max(0, int(str(ev.get("SEQUENCE", 0))))
    except ValueError:
        return 0


def _duration(ev: Component, label: str, first: datetime, zones: Zones, tz_name: str) -> timedelta:
    """DTEND - DTSTART (exactly, in UTC), else DURATION, else one hour."""
    duration = DEFAULT_DURATION
    dtend = _dt_prop(ev, "DTEND", label)
    raw_duration: Any = ev.get("DURATION")
    if dtend is not None:
        end = resolve(dtend.dt, _tzid(dtend), zones, tz_name)
        if isinstance(end, tuple):
            duration = utc(end[0]) - utc(first)
    elif raw_duration is not None and isinstance(getattr(raw_duration, "dt", None), timedelta):
        duration = raw_duration.dt
    if duration < timedelta(0):
        raise InvalidInput(f"{label} ends before it starts.", IMPORT_HINT)
    return duration


def read_event(
    ev: Component,
    title: str,
    label: str,
    zones: Zones,
    masters: dict[str, Master],
    overrides: dict[str, list[Override]],
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
    status = prop_text(ev, "STATUS").upper()
    start = resolve(dtstart.dt, _tzid(dtstart), zones, None)
    if rid is not None:
        zone_name = start[1] if isinstance(start, tuple) else None
        overrides.setdefault(uid, []).append(
            Override(
                uid=uid,
                original=resolve(rid.dt, _tzid(rid), zones, zone_name),
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
    exdates = {
        _at_time_of(v, first) for v, _, _ in _list_values(ev, "EXDATE", label, zones, tz_name)
    }
    rdates: set[datetime] = set()
    periods: dict[datetime, timedelta] = {}
    for v, end, zone_id in _list_values(ev, "RDATE", label, zones, tz_name):
        at = _at_time_of(v, first)
        rdates.add(at)
        length = _period_length(at, end, zone_id, zones, tz_name)
        if length is not None:
            periods[at] = length
    master = Master(
        uid=uid,
        title=title,
        timezone=tz_name,
        start=first,
        duration=_duration(ev, label, first, zones, tz_name),
        rrule=checked_rule(raw_rule, first, label=label) if raw_rule else None,
        exdates=exdates,
        rdates=rdates,
        periods=periods,
        description=prop_text(ev, "DESCRIPTION"),
        location=prop_text(ev, "LOCATION"),
        url=prop_text(ev, "URL"),
        sequence=_sequence(ev),
    )
    current = masters.get(uid)
    if current is None or master.sequence >= current.sequence:
        masters[uid] = master
    return "master"


def assemble(
    masters: dict[str, Master], overrides: dict[str, list[Override]], dropped: set[str]
) -> list[SeriesSpec]:
    """One SeriesSpec per master with its overrides applied; orphan overrides become one-offs."""
    specs = []
    for uid, master in masters.items():
        latest: dict[datetime, Override] = {}
        for o in sorted(overrides.get(uid, []), key=lambda o: o.sequence):
            latest[_at_time_of(o.original, master.start)] = o
        exdates = set(master.exdates)
        moved = []
        for original, o in sorted(latest.items()):
            if o.start is None:
                exdates.add(original)
                continue
            start = utc(o.start)
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
                periods=tuple(
                    sorted((d, n) for d, n in master.periods.items() if d not in exdates)
                ),
            )
        )
    for uid, orphans in overrides.items():
        if uid in masters or uid in dropped:
            continue
        live: dict[datetime, tuple[datetime, Override]] = {}
        for o in sorted(orphans, key=lambda o: o.sequence):  # the latest word on each one wins
            if o.start is not None:
                live[_at_time_of(o.original, o.start)] = (o.start, o)
            elif isinstance(o.original, tuple):
                live.pop(utc(o.original[0]), None)
        ordered = sorted(live.items(), key=lambda kv: (utc(kv[1][0]), kv[0]))
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
    return sorted(specs, key=lambda s: (utc(s.start), s.uid))
