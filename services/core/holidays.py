"""Workspace holidays from iCalendar files (one-off and recurring), and lookups for them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import recurring_ical_events
from icalendar import Calendar, vBroken, vRecur
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import Holiday
from services.core.errors import InvalidInput
from services.core.ical.read import read_calendars
from services.core.ical.rules import frequency, more_than_daily

HOLIDAY_HINT = "Export the holiday calendar as .ics again and retry. Nothing was imported."


@dataclass(frozen=True)
class ImportResult:
    added: int
    days: list[tuple[date, str]]
    notes: list[str] = field(default_factory=list)  # what was left out, and why


@dataclass(frozen=True)
class HolidayDays:
    """The holiday days a file describes, and what in it was not taken as a holiday."""

    days: list[tuple[date, str]]
    notes: list[str]


def _label(ev: Any) -> str:
    title = str(ev.get("SUMMARY") or "").strip()
    return f"the event {title[:60]!r}" if title else "an event without a title"


def _broken(cal: Calendar) -> list[str]:
    """The events whose dates can't be read, named with the property at fault."""
    found = []
    for ev in cal.walk("VEVENT"):
        for name in ("DTSTART", "DTEND", "RRULE", "EXDATE", "RDATE"):
            prop = ev.get(name)
            for one in prop if isinstance(prop, list) else [prop]:
                if isinstance(one, vBroken) or (name == "DTSTART" and one is None):
                    found.append(f"{_label(ev)} has a {name} I can't read")
                    break
    return found


MAX_OCCURRENCES = 5_000  # far more than any holiday calendar has in two years


def _drop_too_often(cal: Calendar, notes: list[str]) -> None:
    """Leave out events that repeat more often than daily (holidays are whole days), before
    anything is expanded: a secondly rule would otherwise be walked second by second."""
    dropped = []
    for ev in cal.walk("VEVENT"):
        prop = ev.get("RRULE")
        for rule in prop if isinstance(prop, list) else [prop]:
            if not isinstance(rule, vRecur):
                continue
            try:
                too_often = more_than_daily(rule, frequency(rule))
            except ValueError:
                continue  # no FREQ: the expander's own error names it
            if too_often:
                dropped.append(ev)
                notes.append(f"Skipped: {_label(ev)} repeats more often than daily.")
                break
    if dropped:
        cal.subcomponents = [c for c in cal.subcomponents if all(c is not d for d in dropped)]


def _capped(query: Any, start: date, end: date) -> list[Any]:
    """The occurrences overlapping [start, end), at most MAX_OCCURRENCES. Rules that repeat
    within a day are gone already (_drop_too_often), so each series gives at most a day's
    worth of occurrences per day of the window: the expansion is bounded by the file's size."""
    found = list(query.between(start, end))
    if len(found) > MAX_OCCURRENCES:
        raise InvalidInput(
            f"That calendar has too many occurrences to be a holiday calendar ({len(found):,}, "
            f"over {MAX_OCCURRENCES:,}, before {end:%d %b %Y}).",
            HOLIDAY_HINT,
        )
    return found


def _occurrences(cal: Calendar, start: date, end: date, notes: list[str]) -> list[Any]:
    _drop_too_often(cal, notes)
    try:
        return _capped(recurring_ical_events.of(cal), start, end)
    except InvalidInput:
        raise
    except Exception:  # an event the expander can't read: skip it, and say which
        broken = _broken(cal) or ["an event's repeat rule or dates can't be read"]
        notes += [f"Skipped: {b}." for b in broken]
        try:
            return _capped(recurring_ical_events.of(cal, skip_bad_series=True), start, end)
        except InvalidInput:
            raise
        except Exception:
            raise InvalidInput(f"That calendar can't be read: {broken[0]}.", HOLIDAY_HINT) from None


def days_from_ics(data: bytes, *, start: date, end: date) -> HolidayDays:
    """Every holiday day in [start, end) the calendar describes (RRULE/EXDATE expanded).

    Holidays are whole days: all-day events (one-off, multi-day, recurring) are taken; a
    cancelled event or occurrence (STATUS:CANCELLED) is no holiday; timed events are meetings,
    not holidays: a file of only those is refused, and in a mixed file they are left out and
    counted. Several VCALENDARs in one file are all read. Problems are plain sentences.
    """
    out: dict[date, str] = {}
    notes: list[str] = []
    timed: list[str] = []
    calendars = read_calendars(data)
    kinds = [
        isinstance(first.dt, datetime)
        for cal in calendars
        for ev in cal.walk("VEVENT")
        if str(ev.get("STATUS", "")).upper() != "CANCELLED"
        and (first := ev.get("DTSTART")) is not None
        and not isinstance(first, vBroken | list)
    ]
    if kinds and all(kinds):
        raise InvalidInput(
            f"That calendar has only timed events ({len(kinds)}); holidays are all-day events.",
            "Export the holiday calendar (its days off are all-day events). Meetings are "
            "imported into a project instead. Nothing was imported.",
        )
    for cal in calendars:
        for ev in _occurrences(cal, start, end, notes):
            if str(ev.get("STATUS", "")).upper() == "CANCELLED":
                continue
            dtstart = ev.get("DTSTART")
            if dtstart is None:
                continue
            first = dtstart.dt
            if isinstance(first, datetime):
                timed.append(str(ev.get("SUMMARY") or "").strip())
                continue
            dtend = ev.get("DTEND")
            last = dtend.dt if dtend is not None else first + timedelta(days=1)
            last_day = last.date() if isinstance(last, datetime) else last
            last_day = max(last_day, first + timedelta(days=1))  # DTEND = DTSTART: one day
            name = str(ev.get("SUMMARY") or "Holiday").strip()[:200] or "Holiday"
            d = first
            while d < last_day:
                if start <= d < end:
                    out.setdefault(d, name)
                d += timedelta(days=1)
    if timed and not out:
        raise InvalidInput(
            f"That calendar has only timed events ({len(timed)}, e.g. {timed[0][:60]!r}); "
            "holidays are all-day events.",
            "Export the holiday calendar (its days off are all-day events). Meetings are "
            "imported into a project instead. Nothing was imported.",
        )
    if timed:
        example = next((t for t in timed if t), "")
        eg = f", e.g. {example[:60]!r}" if example else ""
        notes.append(
            f"Left out {len(timed)} timed event occurrence{'s' if len(timed) != 1 else ''}{eg}:"
            " holidays are whole days."
        )
    if not out:
        raise InvalidInput(
            "I found no holidays in that calendar for the coming two years.",
            "Nothing was imported. Check the file is the holiday calendar you meant.",
        )
    return HolidayDays(sorted(out.items()), notes)


def import_ics(
    session: Session, *, workspace_id: int, data: bytes, today: date, years: int = 2
) -> ImportResult:
    """Add the holidays of an iCalendar file, from a year ago to `years` ahead; all or nothing."""
    read = days_from_ics(
        data, start=today - timedelta(days=365), end=today + timedelta(days=365 * years)
    )
    days = read.days
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    added = len(
        session.execute(
            insert(Holiday)
            .values([{"workspace_id": workspace_id, "on": d, "name": n} for d, n in days])
            .on_conflict_do_nothing(index_elements=["workspace_id", "on"])
            .returning(Holiday.id)
        ).all()
    )
    return ImportResult(added=added, days=days, notes=read.notes)


def by_workspace(
    session: Session, *, workspace_ids: set[int], start: date, end: date
) -> dict[int, frozenset[date]]:
    """Holiday dates per workspace in [start, end]."""
    found: dict[int, set[date]] = defaultdict(set)
    for ws, on in session.execute(
        select(Holiday.workspace_id, Holiday.on).where(
            Holiday.workspace_id.in_(workspace_ids), Holiday.on >= start, Holiday.on <= end
        )
    ):
        found[ws].add(on)
    return {ws: frozenset(days) for ws, days in found.items()}
