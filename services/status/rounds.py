"""The weekly status round, run by the sweep: open cycles, nudge and chase, close, report.

- A cycle opens at its cadence's occurrence in the PM's zone, moved to the next working day
  when that day is a workspace holiday or not a working day; when every reporter is on leave
  the cycle is recorded as skipped, with the reason.
- Reporters who have not submitted are nudged when it opens, 2 hours before the deadline and
  at the deadline (each once, bundled with their other reminders in one DM).
- It closes an hour after the deadline (a late update still makes the report; it counts as
  late). When a workspace's last open cycle of a week closes, its portfolio report goes to
  the report channel, each project's channel gets its own update, and the PMO leads get one
  message listing the missing updates.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import (
    CycleState,
    LeavePeriod,
    Person,
    Project,
    ProjectState,
    StatusCadence,
    StatusCycle,
    StatusUpdate,
    Workspace,
)
from models.status import DEFAULT_RRULE
from services.core import holidays
from services.core.dates import zone
from services.core.refs import Cmd, phrase
from services.core.worktime import WorkWeek, after_quiet
from services.digests.common import iso_week
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest
from services.outbox.rows import insert_notifications, outbox_row
from services.status.cycles import occurrences, pms_of
from services.status.week_end import period_end_rows
from services.workspace.settings import rounds_enabled, rounds_since

GRACE = timedelta(hours=1)
CHASE_BEFORE = timedelta(hours=2)
LOOKBACK = timedelta(days=10)


def _next_working(d: date, pm: Person | None, off: frozenset[date]) -> date:
    days = pm.working_days if pm else "12345"
    for _ in range(14):
        if str(d.isoweekday()) in days and d not in off:
            return d
        d += timedelta(days=1)
    return d


def open_cycles(session: Session, *, now: datetime) -> list[StatusCycle]:
    """Open (or record as skipped) every cycle whose occurrence has come. Bounded queries."""
    projects = session.scalars(select(Project).where(Project.state == ProjectState.ACTIVE)).all()
    if not projects:
        return []
    ids = {p.id for p in projects}
    cadences = {
        c.project_id: c
        for c in session.scalars(select(StatusCadence).where(StatusCadence.project_id.in_(ids)))
    }
    pms = pms_of(session, project_ids=ids)
    wss = {w.id: w for w in session.scalars(select(Workspace))}
    off = holidays.by_workspace(
        session,
        workspace_ids=set(wss),
        start=(now - LOOKBACK).date(),
        end=(now + timedelta(days=21)).date(),
    )
    candidates: list[tuple[Project, str, datetime, datetime, list[int], Person | None]] = []
    for p in projects:
        if not rounds_enabled(wss[p.workspace_id].settings):
            continue
        row = cadences.get(p.id)
        if row is not None and not row.active:
            continue
        pm: Person | None = (pms.get(p.id) or [None])[0]  # type: ignore[list-item]
        tz = pm.timezone if pm else wss[p.workspace_id].timezone
        rule = row.rrule if row else DEFAULT_RRULE
        # No catch-up for a round before the project, its cadence or the setting existed.
        starts = [p.created_at, wss[p.workspace_id].created_at]
        starts += [t for t in (rounds_since(wss[p.workspace_id].settings),) if t is not None]
        if row is not None and row.updated_at is not None:
            starts.append(row.updated_at)
        occ = [o for o in occurrences(rule, tz, now - LOOKBACK, now) if o >= max(starts)]
        if not occ:
            continue
        local = occ[-1].astimezone(zone(tz))
        days_off = off.get(p.workspace_id, frozenset())
        opens_day = _next_working(local.date(), pm, days_off)
        opens = datetime.combine(opens_day, local.time(), tzinfo=zone(tz)).astimezone(UTC)
        if opens > now:
            continue
        d_days = row.deadline_days if row else 1
        d_time = row.deadline_time if row else local.time().replace(hour=12, minute=0)
        deadline_day = _next_working(opens_day + timedelta(days=d_days), pm, days_off)
        deadline = datetime.combine(deadline_day, d_time, tzinfo=zone(tz)).astimezone(UTC)
        reporters = (
            list(row.reporters) if row and row.reporters else [x.id for x in pms.get(p.id, [])]
        )
        candidates.append((p, iso_week(local.date()), opens, deadline, reporters, pm))
    if not candidates:
        return []
    existing = set(
        (r[0], r[1])
        for r in session.execute(
            select(StatusCycle.project_id, StatusCycle.period).where(
                StatusCycle.project_id.in_({c[0].id for c in candidates}),
                StatusCycle.period.in_({c[1] for c in candidates}),
            )
        )
    )
    candidates = [c for c in candidates if (c[0].id, c[1]) not in existing]
    reporter_ids = {r for c in candidates for r in c[4]}
    leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
    if reporter_ids:
        for lp in session.scalars(
            select(LeavePeriod).where(
                LeavePeriod.person_id.in_(reporter_ids),
                LeavePeriod.end_on >= (now - LOOKBACK).date(),
            )
        ):
            leave[lp.person_id].append((lp.start_on, lp.end_on))
    handles = (
        {p.id: p.handle for p in session.scalars(select(Person).where(Person.id.in_(reporter_ids)))}
        if reporter_ids
        else {}
    )
    created = []
    for p, period, opens, deadline, reporters, lead_pm in candidates:
        tz = lead_pm.timezone if lead_pm else "UTC"
        day = opens.astimezone(zone(tz)).date()
        away = [r for r in reporters if WorkWeek(tz, leave=tuple(leave[r])).on_leave(day)]
        state, note = CycleState.OPEN, ""
        if not reporters:
            state, note = CycleState.SKIPPED, "Skipped: the project has no PM to report."
        elif len(away) == len(reporters):
            who = ", ".join(f"@{handles.get(r, '?')}" for r in away)
            state, note = CycleState.SKIPPED, f"Skipped: {who} on leave."
        c = StatusCycle(
            workspace_id=p.workspace_id,
            project_id=p.id,
            period=period,
            opens_at=opens,
            deadline_at=deadline,
            state=state,
            note=note,
            reporters=reporters,
            created_at=now,
            closed_at=now if state == CycleState.SKIPPED else None,
        )
        session.add(c)
        created.append(c)
    session.flush()
    return created


def close_cycles(session: Session, *, now: datetime) -> int:
    """Close every open cycle an hour past its deadline."""
    result = session.execute(
        update(StatusCycle)
        .where(StatusCycle.state == CycleState.OPEN, StatusCycle.deadline_at <= now - GRACE)
        .values(state=CycleState.CLOSED, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _nudges(session: Session, now: datetime) -> list[dict[str, Any]]:
    cycles = session.execute(
        select(StatusCycle, Project)
        .join(Project, Project.id == StatusCycle.project_id)
        .where(StatusCycle.state == CycleState.OPEN, StatusCycle.opens_at <= now)
    ).all()
    if not cycles:
        return []
    submitted = set(
        session.scalars(
            select(StatusUpdate.cycle_id)
            .where(StatusUpdate.cycle_id.in_([c.id for c, _ in cycles]))
            .distinct()
        )
    )
    zones = {
        r[0]: (r[1], r[2], r[3])
        for r in session.execute(
            select(Person.id, Person.timezone, Person.quiet_start, Person.quiet_end).where(
                Person.id.in_({r for c, _ in cycles for r in c.reporters})
            )
        )
    }
    rows = []
    for c, p in cycles:
        if c.id in submitted:
            continue
        if now >= c.deadline_at:
            step, lead = "deadline", "⏰ Your status update for {key} is due now"
        elif now >= c.deadline_at - CHASE_BEFORE:
            step, lead = "chase", "Reminder: {key}'s status update is due in 2 hours"
        else:
            step, lead = "open", "Time for {key}'s weekly status update"
        for r in c.reporters:
            tz, quiet_start, quiet_end = zones.get(r, ("UTC", None, None))
            local = c.deadline_at.astimezone(zone(tz))
            nudge = Digest(
                DigestKind.STATUS_NUDGE,
                lead.format(key=p.key),
                local.date(),
                [],
                note=phrase(
                    f"{p.name} · {c.period} · due {local:%a} {local.day} {local:%b %H:%M} "
                    "your time. "
                    "Submit it here, or type ",
                    Cmd(f'status {p.key} green "summary"'),
                    ".",
                ),
                project_key=p.key,
            )
            rows.append(
                outbox_row(
                    c.workspace_id,
                    "status_nudge",
                    ("status_cycle", c.id),
                    step,
                    at=after_quiet(now, tz, quiet_start, quiet_end),
                    now=now,
                    payload={"digest": nudge.to_payload()},
                    recipient_id=r,
                )
            )
    return rows


def sweep(session: Session, *, now: datetime) -> int:
    """One pass of the round: open, close, then queue what is due. Returns queued rows."""
    open_cycles(session, now=now)
    close_cycles(session, now=now)
    return insert_notifications(session, _nudges(session, now)) + insert_notifications(
        session, period_end_rows(session, now=now)
    )
