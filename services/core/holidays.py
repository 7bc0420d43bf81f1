"""Workspace holidays from iCalendar files (one-off and recurring), and lookups for them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import Holiday
from services.core.errors import InvalidInput

MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class ImportResult:
    added: int
    days: list[tuple[date, str]]


def days_from_ics(data: bytes, *, start: date, end: date) -> list[tuple[date, str]]:
    """Every holiday day in [start, end) that the calendar describes (RRULE/EXDATE expanded)."""
    if len(data) > MAX_BYTES:
        raise InvalidInput("That calendar file is too large (over 2 MB).")
    try:
        cal = Calendar.from_ical(data)
        events = recurring_ical_events.of(cal).between(start, end)
    except Exception as exc:  # icalendar and the expander raise assorted errors on bad files
        raise InvalidInput(
            f"That file is not a calendar I can read ({type(exc).__name__}: {str(exc)[:120]}).",
            "Export the holiday calendar as .ics (iCalendar) and try again. Nothing was imported.",
        ) from None
    out: dict[date, str] = {}
    for ev in events:
        dtstart = ev.get("DTSTART")
        if dtstart is None:
            continue
        first = dtstart.dt
        first_day = first.date() if isinstance(first, datetime) else first
        dtend = ev.get("DTEND")
        last = dtend.dt if dtend is not None else first_day + timedelta(days=1)
        last_day = last.date() if isinstance(last, datetime) else last
        if isinstance(first, datetime) or last_day <= first_day:
            last_day = first_day + timedelta(days=1)  # a timed event marks its day
        name = str(ev.get("SUMMARY") or "Holiday")[:200]
        d = first_day
        while d < last_day:
            if start <= d < end:
                out.setdefault(d, name)
            d += timedelta(days=1)
    if not out:
        raise InvalidInput(
            "I found no events in that calendar for the coming two years.",
            "Nothing was imported. Check the file is the holiday calendar you meant.",
        )
    return sorted(out.items())


def import_ics(
    session: Session, *, workspace_id: int, data: bytes, today: date, years: int = 2
) -> ImportResult:
    """Add the holidays of an iCalendar file, from a year ago to `years` ahead; all or nothing."""
    days = days_from_ics(
        data, start=today - timedelta(days=365), end=today + timedelta(days=365 * years)
    )
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    added = len(
        session.execute(
            insert(Holiday)
            .values([{"workspace_id": workspace_id, "on": d, "name": n} for d, n in days])
            .on_conflict_do_nothing(index_elements=["workspace_id", "on"])
            .returning(Holiday.id)
        ).all()
    )
    return ImportResult(added=added, days=days)


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
