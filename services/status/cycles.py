"""When a project's status rounds fall: its cadence's occurrences in its PM's zone, who
reports by default (its PMs), and the cycle an update counts for when it comes between
rounds (this week's, or once that closed next week's, opened early)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CycleState, Membership, Person, Project, ProjectRole, StatusCadence, StatusCycle
from models.status import DEFAULT_RRULE
from services.core.dates import zone
from services.digests.common import iso_week


def pms_of(session: Session, *, project_ids: set[int]) -> dict[int, list[Person]]:
    """Each project's PMs, in the order they were added (the first one's zone is the round's)."""
    out: dict[int, list[Person]] = {}
    if not project_ids:
        return out
    for pid, p in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.project_id.in_(project_ids), Membership.role == ProjectRole.PM)
        .order_by(Membership.id)
    ):
        out.setdefault(pid, []).append(p)
    return out


def cadence_row(session: Session, *, project: Project) -> StatusCadence:
    """The project's stored cadence, or the default one (not added to the session)."""
    row = session.scalar(select(StatusCadence).where(StatusCadence.project_id == project.id))
    return row or StatusCadence(
        workspace_id=project.workspace_id,
        project_id=project.id,
        rrule=DEFAULT_RRULE,
        deadline_days=1,
        deadline_time=time(12, 0),
        reporters=[],
        report_channel=None,
        active=True,
    )


def occurrences(rule: str, tz: str, start: datetime, end: datetime) -> list[datetime]:
    """The rule's occurrences in [start, end], as aware UTC times (the rule read in `tz`)."""
    local = zone(tz)
    anchor = datetime(2020, 1, 6, 0, 0)  # noqa: DTZ001 (a wall-clock Monday in `tz`)
    r = rrulestr(rule, dtstart=anchor)
    lo = start.astimezone(local).replace(tzinfo=None)
    hi = end.astimezone(local).replace(tzinfo=None)
    return [d.replace(tzinfo=local).astimezone(UTC) for d in r.between(lo, hi, inc=True)]


def _reporter_ids(session: Session, project: Project, row: StatusCadence) -> list[int]:
    return list(row.reporters or []) or [
        p.id for p in pms_of(session, project_ids={project.id}).get(project.id, [])
    ]


def reporter_ids(session: Session, project: Project) -> list[int]:
    """Who the project's status round names as its reporters now (its PMs if nobody)."""
    return _reporter_ids(session, project, cadence_row(session, project=project))


def cycle_for_submission(
    session: Session, *, project: Project, now: datetime
) -> tuple[StatusCycle, str]:
    """The open cycle; or, between rounds, this week's (or, once closed, next week's), opened
    early. Returns the cycle and a note for the person when it isn't the obvious one."""
    open_cycle = session.scalar(
        select(StatusCycle)
        .where(StatusCycle.project_id == project.id, StatusCycle.state == CycleState.OPEN)
        .order_by(StatusCycle.opens_at.desc())
        .limit(1)
    )
    if open_cycle is not None:
        return open_cycle, ""
    row = cadence_row(session, project=project)
    pms = pms_of(session, project_ids={project.id}).get(project.id, [])
    tz = pms[0].timezone if pms else "UTC"
    local_today = now.astimezone(zone(tz)).date()
    period, note = iso_week(local_today), ""
    existing = session.scalar(
        select(StatusCycle).where(
            StatusCycle.project_id == project.id, StatusCycle.period == period
        )
    )
    if existing is not None:  # this week's round closed: the update counts for next week's
        period = iso_week(local_today + timedelta(days=7))
        note = f"This week's status round has closed; your update counts for {period}."
        nxt = session.scalar(
            select(StatusCycle).where(
                StatusCycle.project_id == project.id, StatusCycle.period == period
            )
        )
        if nxt is not None:
            return nxt, note
    monday = date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
    occ = occurrences(
        row.rrule, tz, _at(monday, time(0), tz), _at(monday + timedelta(days=7), time(0), tz)
    )
    opens = occ[0] if occ else now
    deadline = _deadline(opens, row, tz)
    if deadline <= now:
        deadline = _at(local_today, row.deadline_time, tz)
        if deadline <= now:
            deadline = _at(local_today + timedelta(days=1), row.deadline_time, tz)
    cycle = StatusCycle(
        workspace_id=project.workspace_id,
        project_id=project.id,
        period=period,
        opens_at=min(opens, now),
        deadline_at=deadline,
        state=CycleState.OPEN,
        reporters=_reporter_ids(session, project, row),
        note="",
        created_at=now,
    )
    session.add(cycle)
    session.flush()
    return cycle, note


def _at(d: date, t: time, tz: str) -> datetime:
    return datetime.combine(d, t, tzinfo=zone(tz)).astimezone(UTC)


def _deadline(opens: datetime, row: StatusCadence, tz: str) -> datetime:
    local = opens.astimezone(zone(tz))
    return _at(local.date() + timedelta(days=row.deadline_days), row.deadline_time, tz)
