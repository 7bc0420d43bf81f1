"""Meeting series: created by command or imported from .ics, expanded with
recurring-ical-events into occurrences (stored once each). What is sent around an occurrence
(the agenda before it, a nudge when it had no minutes) is in `agenda`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import MeetingOccurrence, MeetingSeries, Project, ProjectRole
from services.core import audit
from services.core.access import (
    Actor,
    get_project,
    project_role,
    require_contributor,
    visible_projects,
)
from services.core.dates import zone
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.ical.expand import occurrences
from services.core.ical.model import MovedOccurrence, Occurrence, SeriesSpec
from services.core.ical.phrase import parse_recurrence
from services.core.ical.read import read_series
from services.core.ical.rules import next_start

DEFAULT_MINUTES = 30


@dataclass(frozen=True)
class SeriesView:
    id: int
    title: str
    project_key: str | None
    timezone: str
    rrule: str | None
    starts_at: datetime
    duration_minutes: int
    channel: str | None
    next_start: datetime | None
    active: bool


@dataclass(frozen=True)
class Imported:
    """The series an import added or updated, and what the reader had to decide."""

    series: list[SeriesView]
    notes: list[str]


# --- expansion ---------------------------------------------------------------------------------


def spec_of(series: MeetingSeries) -> SeriesSpec:
    """The series as an iCalendar spec (the same one the feeds publish)."""
    return SeriesSpec(
        uid=series.uid,
        title=series.title,
        timezone=series.timezone,
        start=series.starts_at.astimezone(zone(series.timezone)),
        duration=timedelta(minutes=series.duration_minutes),
        rrule=series.rrule,
        exdates=tuple(datetime.fromisoformat(d) for d in series.exdates or []),
        rdates=tuple(datetime.fromisoformat(d.split("/")[0]) for d in series.rdates or []),
        periods=tuple(
            (datetime.fromisoformat(a), datetime.fromisoformat(b) - datetime.fromisoformat(a))
            for a, _, b in (d.partition("/") for d in series.rdates or [])
            if b
        ),
        moved=tuple(
            MovedOccurrence(
                datetime.fromisoformat(m["original_start"]),
                datetime.fromisoformat(m["start"]),
                datetime.fromisoformat(m["end"]),
                str(m.get("title") or ""),  # a renamed occurrence keeps its own title
            )
            for m in series.moved or []
        ),
        sequence=series.sequence,
    )


def expand(series: MeetingSeries, start: datetime, end: datetime) -> list[Occurrence]:
    """The series' occurrences starting in [start, end), in UTC.

    Short windows (the scheduler's, every minute) are answered from a per-day cache keyed by
    the series' content, so a sweep over hundreds of series does not expand each of them
    again every minute; any change to a series changes its key.
    """
    spec = spec_of(series)
    if end - start > timedelta(days=3):
        found: list[Occurrence] = occurrences(spec, start, end)
    else:
        found, seen = [], set()
        day = start.astimezone(UTC).date()
        while day <= end.astimezone(UTC).date():
            for o in _day(spec, day):
                if o.original_start not in seen:
                    seen.add(o.original_start)
                    found.append(o)
            day += timedelta(days=1)
    return sorted((o for o in found if start <= o.start < end), key=lambda o: o.start)


@lru_cache(maxsize=8192)
def _day(spec: SeriesSpec, day: date) -> tuple[Occurrence, ...]:
    """The occurrences overlapping one UTC day (cached)."""
    lo = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    return tuple(occurrences(spec, lo, lo + timedelta(days=1)))


def occurrence_row(session: Session, series: MeetingSeries, occ: Occurrence) -> MeetingOccurrence:
    """The stored row of an occurrence (created on first use; unique per original start)."""
    values = {
        "workspace_id": series.workspace_id,
        "series_id": series.id,
        "original_start": occ.original_start.astimezone(UTC),
        "starts_at": occ.start,
        "ends_at": occ.end,
    }
    if session.get_bind().dialect.name == "postgresql":
        session.execute(pg_insert(MeetingOccurrence).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(MeetingOccurrence).values(values).on_conflict_do_nothing())
    row = session.scalar(
        select(MeetingOccurrence).where(
            MeetingOccurrence.series_id == series.id,
            MeetingOccurrence.original_start == values["original_start"],
        )
    )
    assert row is not None
    return row


# --- commands ----------------------------------------------------------------------------------


def _view(series: MeetingSeries, key: str | None, now: datetime) -> SeriesView:
    nxt = expand(series, now, now + timedelta(days=400)) if series.active else []
    return SeriesView(
        series.id,
        series.title,
        key,
        series.timezone,
        series.rrule,
        series.starts_at,
        series.duration_minutes,
        series.channel,
        nxt[0].start if nxt else None,
        series.active,
    )


def editable(session: Session, actor: Actor, key: str) -> Project:
    """The project, if the actor may schedule its meetings (members and PMO leads)."""
    project = get_project(session, actor, key)
    require_contributor(session, actor, project, "schedule its meetings")
    return project


def create(
    session: Session,
    actor: Actor,
    *,
    key: str,
    title: str,
    recurrence: str,
    now: datetime,
    channel: str | None = None,
    minutes: int = DEFAULT_MINUTES,
) -> SeriesView:
    """A new series for a project, e.g. "weekly on tue 10:00" read in the actor's zone."""
    project = editable(session, actor, key)
    name = " ".join(title.split())
    if not name or len(name) > 300:
        raise InvalidInput(
            "Give the meeting a title of 1 to 300 characters.",
            '`meeting new KEY "Weekly sync" weekly on tue 10:00`',
        )
    rule, at = parse_recurrence(recurrence)
    first = next_start(rule, at, timezone=actor.timezone, after=now)
    if first is None:
        raise InvalidInput("That meeting never happens again.")
    series = MeetingSeries(
        workspace_id=actor.workspace_id,
        project_id=project.id,
        uid=f"meeting-{uuid.uuid4()}@pmo-bot",
        title=name,
        timezone=actor.timezone,
        starts_at=first,
        duration_minutes=minutes,
        rrule=rule,
        exdates=[],
        rdates=[],
        moved=[],
        channel=channel or project.home_channel,
        organizer_id=actor.person_id,
        agenda_minutes=15,
        active=True,
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(series)
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="meeting",
        entity_id=series.id,
        action="create",
        before=None,
        after={"title": name, "rrule": rule},
        now=now,
    )
    return _view(series, project.key, now)


def may_change_series(session: Session, actor: Actor, series: MeetingSeries) -> bool:
    """A meeting series is changed (cancelled, updated by a new import) by its organizer, its
    project's PM or a PMO lead."""
    if actor.is_pmo_lead or series.organizer_id == actor.person_id:
        return True
    return project_role(session, actor.person_id, series.project_id or 0) == ProjectRole.PM


def _require_series_change(
    session: Session, actor: Actor, series: MeetingSeries, project: Project
) -> None:
    """An import that names a series already here (same UID) updates it: only in its own
    project, and only by who may change it."""
    if series.project_id != project.id:
        raise Conflict(
            f"The event {series.uid[:80]} is a meeting of another project.",
            "Import it there, or give the event a new UID.",
        )
    if not may_change_series(session, actor, series):
        raise PermissionDenied(
            f"Only the organizer of “{series.title[:60]}”, {project.key}'s PM or a PMO lead "
            "can change it.",
            "Ask them to import the file.",
        )


def import_ics(
    session: Session,
    actor: Actor,
    *,
    key: str,
    data: bytes,
    now: datetime,
    channel: str | None = None,
) -> Imported:
    """Add (or update, by UID) every meeting series of an .ics file; all or nothing. The notes
    say what the reader decided for itself (a time zone it could not place)."""
    project = editable(session, actor, key)
    read = read_series(data, default_timezone=actor.timezone)
    specs = read.series
    existing = {
        s.uid: s
        for s in session.scalars(
            select(MeetingSeries).where(
                MeetingSeries.workspace_id == actor.workspace_id,
                MeetingSeries.uid.in_([sp.uid for sp in specs]),
            )
        )
    }
    out = []
    for sp in specs:
        row = existing.get(sp.uid)
        if row is None:
            row = MeetingSeries(
                workspace_id=actor.workspace_id,
                uid=sp.uid,
                created_at=now,
                organizer_id=actor.person_id,
                agenda_minutes=15,
                sequence=0,
                active=True,
            )
            session.add(row)
        else:
            _require_series_change(session, actor, row, project)
            row.sequence = max(row.sequence + 1, sp.sequence)
        row.project_id = project.id
        row.title = sp.title[:300] or "Meeting"
        row.timezone = sp.timezone
        row.starts_at = sp.start.astimezone(UTC)
        row.duration_minutes = max(0, int(sp.duration.total_seconds() // 60))
        row.rrule = sp.rrule
        row.exdates = [d.astimezone(UTC).isoformat() for d in sp.exdates]
        row.moved = [
            {
                "original_start": m.original_start.astimezone(UTC).isoformat(),
                "start": m.start.astimezone(UTC).isoformat(),
                "end": m.end.astimezone(UTC).isoformat(),
                "title": m.title,
            }
            for m in sp.moved
        ]
        lengths = {d.astimezone(UTC): n for d, n in sp.periods}
        row.rdates = [  # "start" or, with its own length (RDATE;VALUE=PERIOD), "start/end"
            d.astimezone(UTC).isoformat()
            + (f"/{(d + lengths[d]).astimezone(UTC).isoformat()}" if d in lengths else "")
            for d in (x.astimezone(UTC) for x in sp.rdates)
        ]
        row.channel = channel or row.channel or project.home_channel
        row.updated_at = now
        session.flush()
        audit.record_by(
            session,
            actor,
            entity_type="meeting",
            entity_id=row.id,
            action="import",
            before=None,
            after={"uid": sp.uid},
            now=now,
        )
        out.append(_view(row, project.key, now))
    return Imported(out, read.notes)


def list_series(
    session: Session, actor: Actor, *, now: datetime, key: str | None = None
) -> list[SeriesView]:
    """The active meeting series the actor can see (of one project if `key`)."""
    q = (
        select(MeetingSeries, Project.key)
        .join(Project, Project.id == MeetingSeries.project_id)
        .where(MeetingSeries.workspace_id == actor.workspace_id, MeetingSeries.active.is_(True))
        .where(visible_projects(actor))
    )
    if key:
        q = q.where(Project.id == get_project(session, actor, key).id)
    return [_view(s, k, now) for s, k in session.execute(q.order_by(MeetingSeries.id))]


def cancel(session: Session, actor: Actor, *, series_id: int, now: datetime) -> SeriesView:
    """Stop a series (its PM, its organizer or a PMO lead)."""
    row = session.execute(
        select(MeetingSeries, Project)
        .join(Project, Project.id == MeetingSeries.project_id)
        .where(MeetingSeries.id == series_id, MeetingSeries.workspace_id == actor.workspace_id)
    ).first()
    if row is None:
        raise NotFound(f"There is no meeting #{series_id}.", "See `meeting list`.")
    series, project = row
    get_project(session, actor, project.key)  # visible?
    if not may_change_series(session, actor, series):
        raise PermissionDenied("Only the organizer, the project's PM or a PMO lead can cancel it.")
    series.active, series.sequence, series.updated_at = False, series.sequence + 1, now
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="meeting",
        entity_id=series.id,
        action="cancel",
        before=None,
        after={"active": False},
        now=now,
    )
    return _view(series, project.key, now)
