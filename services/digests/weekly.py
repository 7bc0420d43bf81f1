"""The weekly digests: one per project channel (its week ahead) and one for the PMO (overdue
work and open escalations per project).

They go on the workspace's weekday and time (`settings digests …`) in the workspace's time
zone, moved to the next weekday that is not a holiday. The PMO digest goes to the
workspace's PMO channel, or to each PMO lead by DM when no channel is set; private projects
are never named in a channel.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    ActionStatus,
    Deliverable,
    DeliverableStatus,
    Notification,
    NotificationState,
    Project,
    ProjectState,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.core import holidays, isolation
from services.core.worktime import zone
from services.digests.common import (
    OPEN_DELIVERABLE,
    Due,
    chunks,
    digest_row,
    iso_week,
    open_work,
    section,
    week_of,
)
from services.outbox.kinds import DigestKind, ReminderRule
from services.outbox.port import Digest, DigestLine
from services.workspace.settings import DigestSchedule

PROJECT, PMO = "digest_project", "digest_pmo"


def weekly_day(monday: date, weekday: int, days_off: frozenset[date]) -> date | None:
    """The configured weekday of this week, moved to the next weekday that is not a holiday."""
    d = monday + timedelta(days=weekday - 1)
    while d.isoweekday() > 5 or d in days_off:
        d += timedelta(days=1)
        if d > monday + timedelta(days=6):
            return None
    return d


def weekly_slot(
    ws: Workspace, which: str, now: datetime, days_off: frozenset[date]
) -> datetime | None:
    """When this week's `which` digest is (or was) due in the workspace, as an aware instant;
    None when it is off or this week has no working day for it."""
    sched = DigestSchedule.from_settings(ws.settings)
    if not (sched.project_weekly if which == "project" else sched.pmo_weekly):
        return None
    weekday, at = sched.at(which)
    today = now.astimezone(zone(ws.timezone)).date()
    day = weekly_day(week_of(today)[0], weekday, days_off)
    return None if day is None else datetime.combine(day, at, tzinfo=zone(ws.timezone))


def _weekly_due(
    ws: Workspace, which: str, now: datetime, days_off: frozenset[date]
) -> tuple[date, str] | None:
    """(today, ISO week) when this week's `which` digest is due by `now` in the workspace.

    A slot before the workspace existed, or before its digest settings last changed, is not
    caught up: a fresh install on a Sunday sends no "Monday" digest.
    """
    slot = weekly_slot(ws, which, now, days_off)
    if slot is None or now < slot:
        return None
    since = DigestSchedule.from_settings(ws.settings).since
    if slot < ws.created_at or (since and slot < datetime.fromisoformat(since)):
        return None
    today = now.astimezone(zone(ws.timezone)).date()
    return today, iso_week(today)


def project_digest(
    key: str, name: str, work: list[Due], done: list[Due], today: date
) -> Digest | None:
    """A project's week: overdue with owners, due this week, done last week."""
    _, sunday = week_of(today)
    ordered = sorted(work, key=lambda w: (w.due, w.kind, w.id))
    overdue = [w.line() for w in ordered if w.due < today]
    this_week = [w.line() for w in ordered if today <= w.due <= sunday]
    finished = [w.line() for w in sorted(done, key=lambda w: (w.due, w.id))]
    if not (overdue or this_week or finished):
        return None
    sections = [
        section(h, ls)
        for h, ls in (
            ("Overdue", overdue),
            ("Due this week", this_week),
            ("Done last week", finished),
        )
        if ls
    ]
    return Digest(DigestKind.PROJECT, f"{key} · {name}: the week ahead", today, sections)


def _done_last_week(
    session: Session, project_ids: set[int], since: datetime, until: datetime
) -> list[tuple[int, datetime, Due]]:
    """(project id, done at, item) for work finished in [since, until)."""
    out: list[tuple[int, datetime, Due]] = []
    for chunk in chunks(project_ids):
        for i_id, title, due, pid, done_at in session.execute(
            select(
                ActionItem.id,
                ActionItem.title,
                ActionItem.due_on,
                ActionItem.project_id,
                ActionItem.done_at,
            ).where(
                ActionItem.project_id.in_(chunk),
                ActionItem.status == ActionStatus.DONE,
                ActionItem.done_at >= since,
                ActionItem.done_at < until,
            )
        ):
            if pid is not None and done_at is not None:
                item = Due("action_item", i_id, title, due or done_at.date(), None, None)
                out.append((pid, done_at, item))
        for d_id, title, due, pid, done_at in session.execute(
            select(
                Deliverable.id,
                Deliverable.title,
                Deliverable.forecast_on,
                Deliverable.project_id,
                Deliverable.done_at,
            ).where(
                Deliverable.project_id.in_(chunk),
                Deliverable.status == DeliverableStatus.DONE,
                Deliverable.done_at >= since,
                Deliverable.done_at < until,
            )
        ):
            if done_at is not None:
                out.append((pid, done_at, Due("deliverable", d_id, title, due, None, None)))
    return out


def _already(session: Session, rule: str, occurrences: set[str], now: datetime) -> set[tuple]:
    return set(
        (r[0], r[1], r[2])
        for r in session.execute(
            select(Notification.workspace_id, Notification.subject_id, Notification.occurrence)
            .where(
                Notification.rule == rule,
                Notification.occurrence.in_(occurrences),
                Notification.created_at >= now - timedelta(days=8),
            )
            .distinct()
        )
    )


def weekly_rows(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """The outbox rows of every project and PMO digest due by `now` (empty ones skipped)."""
    workspaces = session.scalars(select(Workspace)).all()
    if not workspaces:
        return []
    off = holidays.by_workspace(
        session,
        workspace_ids={w.id for w in workspaces},
        start=now.date() - timedelta(days=8),
        end=now.date() + timedelta(days=8),
    )
    proj_due = {
        w.id: due
        for w in workspaces
        if (due := _weekly_due(w, "project", now, off.get(w.id, frozenset())))
    }
    pmo_due = {
        w.id: due
        for w in workspaces
        if (due := _weekly_due(w, "pmo", now, off.get(w.id, frozenset())))
    }
    rows: list[dict[str, Any]] = []
    if proj_due:
        slots = {
            w.id: slot
            for w in workspaces
            if w.id in proj_due
            and (slot := weekly_slot(w, "project", now, off.get(w.id, frozenset())))
        }
        rows += _project_rows(session, now, proj_due, {w.id: w for w in workspaces}, slots)
    if pmo_due:
        rows += _pmo_rows(session, now, pmo_due, {w.id: w for w in workspaces})
    return rows


def _project_rows(
    session: Session,
    now: datetime,
    due: dict[int, tuple[date, str]],
    wss: dict[int, Workspace],
    slots: dict[int, datetime],
) -> list[dict[str, Any]]:
    sent = _already(session, PROJECT, {occ for _, occ in due.values()}, now)
    projects = [
        p
        for p in session.scalars(
            select(Project).where(
                Project.workspace_id.in_(due),
                Project.state == ProjectState.ACTIVE,
                Project.home_channel.is_not(None),
            )
        )
        if (p.workspace_id, p.id, due[p.workspace_id][1]) not in sent
        and p.created_at <= slots[p.workspace_id]  # no catch-up for a newer project
    ]
    if not projects:
        return []
    ids = {p.id for p in projects}
    until = max(week_of(today)[1] for today, _ in due.values())
    by_project: dict[int, list[Due]] = defaultdict(list)
    keyed = {p.key: p.id for p in projects}
    for w in open_work(session, projects=ids, until=until):
        if w.key in keyed:
            by_project[keyed[w.key]].append(w)
    # Done last week: the previous ISO week in each workspace's zone.
    windows = {
        ws_id: (
            datetime.combine(
                week_of(today)[0] - timedelta(days=7), time(0), ZoneInfo(wss[ws_id].timezone)
            ).astimezone(UTC),
            datetime.combine(week_of(today)[0], time(0), ZoneInfo(wss[ws_id].timezone)).astimezone(
                UTC
            ),
        )
        for ws_id, (today, _) in due.items()
    }
    done: dict[int, list[Due]] = defaultdict(list)
    ws_of = {p.id: p.workspace_id for p in projects}
    since = min(s for s, _ in windows.values())
    until_dt = max(u for _, u in windows.values())
    for pid, done_at, w in _done_last_week(session, ids, since, until_dt):
        start, end = windows[ws_of[pid]]
        if start <= done_at < end:
            done[pid].append(w)

    def row(p: Project) -> dict[str, Any]:
        today, occ = due[p.workspace_id]
        digest = project_digest(p.key, p.name, by_project.get(p.id, []), done.get(p.id, []), today)
        return digest_row(
            p.workspace_id, PROJECT, ("project", p.id), occ, now, digest, channel=p.home_channel
        )

    return isolation.each(
        "digests",
        projects,
        row,
        lambda p: (f"the weekly digest of project {p.key}", p.workspace_id),
    )


def pmo_digest(
    projects: list[Project],
    overdue: dict[int, tuple[int, int, int]],
    today: date,
    *,
    in_channel: bool,
) -> Digest | None:
    """Per project: overdue action items, overdue deliverables, open escalations."""
    lines = [
        DigestLine(
            "project",
            p.id,
            p.name,
            None,
            p.key,
            overdue_items=c[0],
            overdue_deliverables=c[1],
            escalations=c[2],
        )
        for p in sorted(projects, key=lambda p: (-sum(overdue.get(p.id, (0, 0, 0))), p.key))
        if (c := overdue.get(p.id)) and any(c) and not (in_channel and p.private)
    ]
    if not lines:
        return None
    items = sum(ln.overdue_items for ln in lines)
    dels = sum(ln.overdue_deliverables for ln in lines)
    escalations = sum(ln.escalations for ln in lines)
    heading = (
        f"{items} overdue action item{'s' if items != 1 else ''} and {dels} overdue "
        f"deliverable{'s' if dels != 1 else ''} in {len(lines)} "
        f"project{'s' if len(lines) != 1 else ''}; {escalations} escalation"
        f"{'s' if escalations != 1 else ''} open"
    )
    note = "Private projects are left out of channel posts." if in_channel else ""
    return Digest(DigestKind.PMO, "PMO weekly digest", today, [section(heading, lines)], note)


def _pmo_rows(
    session: Session, now: datetime, due: dict[int, tuple[date, str]], wss: dict[int, Workspace]
) -> list[dict[str, Any]]:
    occs = {occ for _, occ in due.values()}
    sent = {(ws_id, occ) for ws_id, _, occ in _already(session, PMO, occs, now)}
    due = {ws_id: d for ws_id, d in due.items() if (ws_id, d[1]) not in sent}
    if not due:
        return []
    projects: dict[int, list[Project]] = defaultdict(list)
    for p in session.scalars(
        select(Project).where(Project.workspace_id.in_(due), Project.state == ProjectState.ACTIVE)
    ):
        projects[p.workspace_id].append(p)
    latest = max(today for today, _ in due.values())
    escalated = set(
        (r[0], r[1])
        for r in session.execute(
            select(Notification.subject_type, Notification.subject_id)
            .where(
                Notification.workspace_id.in_(due),
                Notification.rule.in_([ReminderRule.ESCALATE_PM, ReminderRule.ESCALATE_LEAD]),
                Notification.state == NotificationState.SENT,
            )
            .distinct()
        )
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    ws_today = {ws_id: today for ws_id, (today, _) in due.items()}
    for i_id, pid, ws_id, due_on in session.execute(
        select(
            ActionItem.id, ActionItem.project_id, ActionItem.workspace_id, ActionItem.due_on
        ).where(
            ActionItem.workspace_id.in_(due),
            ActionItem.status == ActionStatus.OPEN,
            ActionItem.project_id.is_not(None),
            ActionItem.due_on < latest,
        )
    ):
        if pid is not None and due_on is not None and due_on < ws_today[ws_id]:
            counts[pid][0] += 1
            counts[pid][2] += ("action_item", i_id) in escalated
    for d_id, pid, ws_id, due_on in session.execute(
        select(
            Deliverable.id,
            Deliverable.project_id,
            Deliverable.workspace_id,
            Deliverable.forecast_on,
        ).where(
            Deliverable.workspace_id.in_(due),
            Deliverable.status.in_(OPEN_DELIVERABLE),
            Deliverable.forecast_on < latest,
        )
    ):
        if due_on < ws_today[ws_id]:
            counts[pid][1] += 1
            counts[pid][2] += ("deliverable", d_id) in escalated
    frozen = {pid: (c[0], c[1], c[2]) for pid, c in counts.items()}
    leads: dict[int, list[int]] = defaultdict(list)
    for ws_id, person_id in session.execute(
        select(WorkspaceRole.workspace_id, WorkspaceRole.person_id).where(
            WorkspaceRole.workspace_id.in_(due), WorkspaceRole.role == WorkspaceRoleName.PMO_LEAD
        )
    ):
        leads[ws_id].append(person_id)
    rows = []
    for ws_id, (today, occ) in due.items():
        ws = wss[ws_id]
        subject = ("workspace", ws_id)
        if ws.pmo_channel:
            digest = pmo_digest(projects[ws_id], frozen, today, in_channel=True)
            rows.append(digest_row(ws_id, PMO, subject, occ, now, digest, channel=ws.pmo_channel))
        else:
            digest = pmo_digest(projects[ws_id], frozen, today, in_channel=False)
            rows += [
                digest_row(ws_id, PMO, subject, occ, now, digest, recipient_id=lead)
                for lead in leads[ws_id]
            ]
    return rows
