"""Digests: each person's daily one, a weekly one per project channel, a weekly one for the PMO.

They are planned by the sweep like reminders: the database says what is due, and each digest
has an idempotency key (rule, subject, occurrence = local date or ISO week, recipient person
or channel), so a restart neither forgets nor repeats one, and a sweep after downtime sends
one late digest, not one per missed day. A digest with nothing in it is recorded as skipped,
never sent. When:
- personal: at the person's chosen time (default: the start of their working day), on their
  working days, within their working hours, not on leave, not on a workspace holiday;
  `digest off` opts out;
- project and PMO: on the workspace's weekday and time (`settings digests …`) in the
  workspace's time zone, moved to the next weekday that is not a holiday.
The weekly PMO digest goes to the workspace's PMO channel, or to each PMO lead by DM when
no channel is set; private projects are never named in a channel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
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
    LeavePeriod,
    Notification,
    NotificationState,
    Person,
    Project,
    ProjectState,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.core import audit, holidays
from services.core.access import Actor
from services.core.errors import InvalidInput
from services.core.worktime import WorkWeek, zone
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest, DigestLine, DigestSection
from services.workspace.settings import DigestSchedule

PERSONAL, PROJECT, PMO = "digest_personal", "digest_project", "digest_pmo"
MAX_LINES = 25  # per section in a stored digest; the rest is counted ("… and N more")
CHUNK = 2000
OPEN_DELIVERABLE = (DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS)


def iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def week_of(d: date) -> tuple[date, date]:
    """Monday and Sunday of `d`'s ISO week."""
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def _section(heading: str, lines: list[DigestLine]) -> DigestSection:
    return DigestSection(heading, lines[:MAX_LINES], len(lines))


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    seq = sorted(ids)
    return [seq[i : i + CHUNK] for i in range(0, len(seq), CHUNK)]


def _row(
    ws_id: int,
    rule: str,
    subject: tuple[str, int],
    occurrence: str,
    now: datetime,
    digest: Digest | None,
    *,
    recipient_id: int | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """A digest's outbox row; an empty digest is recorded as skipped, never sent."""
    from services.outbox.rows import outbox_row

    return outbox_row(
        ws_id,
        rule,
        subject,
        occurrence,
        now=now,
        at=now,
        recipient_id=recipient_id,
        channel=channel,
        payload={"digest": digest.to_payload()} if digest else {},
        state=NotificationState.PENDING if digest else NotificationState.SKIPPED,
        last_error=None if digest else "nothing to report",
    )


# --- personal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    kind: str
    id: int
    title: str
    due: date
    key: str | None
    owner_id: int | None
    snoozed_until: date | None = None
    owner_handle: str = ""
    owner_external_id: str = ""

    def line(self) -> DigestLine:
        return DigestLine(
            self.kind,
            self.id,
            self.title,
            self.due,
            self.key,
            self.owner_handle,
            self.owner_external_id,
        )


def _open_work(
    session: Session,
    *,
    owners: set[int] | None = None,
    projects: set[int] | None = None,
    until: date,
) -> list[_Due]:
    """Open action items and deliverables due by `until`, of these owners or projects."""
    out: list[_Due] = []
    by_owner = owners is not None
    for chunk in _chunks((owners if by_owner else projects) or set()):
        col_i = ActionItem.owner_id if by_owner else ActionItem.project_id
        for i_id, title, due, owner_id, snoozed, key, handle, ext in session.execute(
            select(
                ActionItem.id,
                ActionItem.title,
                ActionItem.due_on,
                ActionItem.owner_id,
                ActionItem.snoozed_until,
                Project.key,
                Person.handle,
                Person.external_id,
            )
            .outerjoin(Project, Project.id == ActionItem.project_id)
            .join(Person, Person.id == ActionItem.owner_id)
            .where(
                col_i.in_(chunk),
                ActionItem.status == ActionStatus.OPEN,
                ActionItem.due_on.is_not(None),
                ActionItem.due_on <= until,
            )
        ):
            if due is not None:
                out.append(
                    _Due("action_item", i_id, title, due, key, owner_id, snoozed, handle, ext)
                )
        col_d = Deliverable.owner_id if by_owner else Deliverable.project_id
        for d_id, title, forecast, d_owner, key, handle, ext in session.execute(
            select(
                Deliverable.id,
                Deliverable.title,
                Deliverable.forecast_on,
                Deliverable.owner_id,
                Project.key,
                Person.handle,
                Person.external_id,
            )
            .join(Project, Project.id == Deliverable.project_id)
            .outerjoin(Person, Person.id == Deliverable.owner_id)
            .where(
                col_d.in_(chunk),
                Deliverable.status.in_(OPEN_DELIVERABLE),
                Deliverable.forecast_on <= until,
            )
        ):
            out.append(
                _Due(
                    "deliverable",
                    d_id,
                    title,
                    forecast,
                    key,
                    d_owner,
                    None,
                    handle or "",
                    ext or "",
                )
            )
    return out


def personal_digest(work: list[_Due], today: date) -> Digest | None:
    """My overdue, due today and due later this week; None when there is nothing."""
    mine = sorted(
        (w for w in work if not (w.snoozed_until and w.snoozed_until > today)),
        key=lambda w: (w.due, w.kind, w.id),
    )
    _, sunday = week_of(today)
    overdue = [w.line() for w in mine if w.due < today]
    due_today = [w.line() for w in mine if w.due == today]
    later = [w.line() for w in mine if today < w.due <= sunday]
    if not (overdue or due_today or later):
        return None
    sections = [
        _section(h, ls)
        for h, ls in (("Overdue", overdue), ("Due today", due_today), ("Due this week", later))
        if ls
    ]
    return Digest(DigestKind.PERSONAL, "Your day", today, sections)


def _personal_rows(session: Session, now: datetime) -> list[dict[str, Any]]:
    people = session.scalars(
        select(Person).where(Person.active.is_(True), Person.digest_enabled.is_(True))
    ).all()
    # Cheap filter first: a working weekday, at or after their digest time, before day's end.
    candidates: list[tuple[Person, date]] = []
    for p in people:
        local = now.astimezone(zone(p.timezone))
        start = p.digest_at or p.work_start
        if str(local.isoweekday()) in p.working_days and start <= local.time() < p.work_end:
            candidates.append((p, local.date()))
    if not candidates:
        return []
    ids = {p.id for p, _ in candidates}
    done: set[tuple[int | None, str]] = set()
    for chunk in _chunks(ids):
        done.update(
            (r[0], r[1])
            for r in session.execute(
                select(Notification.recipient_id, Notification.occurrence).where(
                    Notification.rule == PERSONAL,
                    Notification.recipient_id.in_(chunk),
                    Notification.created_at >= now - timedelta(days=2),
                )
            )
        )
    candidates = [(p, d) for p, d in candidates if (p.id, d.isoformat()) not in done]
    if not candidates:
        return []
    ids = {p.id for p, _ in candidates}
    first = min(d for _, d in candidates)
    last = max(d for _, d in candidates)
    leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for chunk in _chunks(ids):
        for lp in session.scalars(
            select(LeavePeriod).where(
                LeavePeriod.person_id.in_(chunk),
                LeavePeriod.start_on <= last,
                LeavePeriod.end_on >= first,
            )
        ):
            leave[lp.person_id].append((lp.start_on, lp.end_on))
    off = holidays.by_workspace(
        session, workspace_ids={p.workspace_id for p, _ in candidates}, start=first, end=last
    )
    candidates = [
        (p, d)
        for p, d in candidates
        if WorkWeek(
            p.timezone,
            p.working_days,
            p.work_start,
            p.work_end,
            tuple(leave.get(p.id, ())),
            off.get(p.workspace_id, frozenset()),
        ).is_working_day(d)
        and not any(s <= d <= e for s, e in leave.get(p.id, ()))
    ]
    if not candidates:
        return []
    work_by_owner: dict[int, list[_Due]] = defaultdict(list)
    for w in _open_work(session, owners={p.id for p, _ in candidates}, until=week_of(last)[1]):
        if w.owner_id is not None:
            work_by_owner[w.owner_id].append(w)
    return [
        _row(
            p.workspace_id,
            PERSONAL,
            ("person", p.id),
            d.isoformat(),
            now,
            personal_digest(work_by_owner.get(p.id, []), d),
            recipient_id=p.id,
        )
        for p, d in candidates
    ]


# --- weekly -----------------------------------------------------------------------------------


def weekly_day(monday: date, weekday: int, days_off: frozenset[date]) -> date | None:
    """The configured weekday of this week, moved to the next weekday that is not a holiday."""
    d = monday + timedelta(days=weekday - 1)
    while d.isoweekday() > 5 or d in days_off:
        d += timedelta(days=1)
        if d > monday + timedelta(days=6):
            return None
    return d


def _weekly_due(
    ws: Workspace, which: str, now: datetime, days_off: frozenset[date]
) -> tuple[date, str] | None:
    """(today, ISO week) when this week's `which` digest is due by `now` in the workspace."""
    sched = DigestSchedule.from_settings(ws.settings)
    if not (sched.project_weekly if which == "project" else sched.pmo_weekly):
        return None
    weekday, at = sched.at(which)
    local = now.astimezone(zone(ws.timezone))
    today = local.date()
    day = weekly_day(week_of(today)[0], weekday, days_off)
    if day is None or today < day or (today == day and local.time() < at):
        return None
    return today, iso_week(today)


def project_digest(
    key: str, name: str, work: list[_Due], done: list[_Due], today: date
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
        _section(h, ls)
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
) -> list[tuple[int, datetime, _Due]]:
    """(project id, done at, item) for work finished in [since, until)."""
    out: list[tuple[int, datetime, _Due]] = []
    for chunk in _chunks(project_ids):
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
                item = _Due("action_item", i_id, title, due or done_at.date(), None, None)
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
                out.append((pid, done_at, _Due("deliverable", d_id, title, due, None, None)))
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


def _weekly_rows(session: Session, now: datetime) -> list[dict[str, Any]]:
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
        rows += _project_rows(session, now, proj_due, {w.id: w for w in workspaces})
    if pmo_due:
        rows += _pmo_rows(session, now, pmo_due, {w.id: w for w in workspaces})
    return rows


def _project_rows(
    session: Session, now: datetime, due: dict[int, tuple[date, str]], wss: dict[int, Workspace]
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
    ]
    if not projects:
        return []
    ids = {p.id for p in projects}
    until = max(week_of(today)[1] for today, _ in due.values())
    by_project: dict[int, list[_Due]] = defaultdict(list)
    keyed = {p.key: p.id for p in projects}
    for w in _open_work(session, projects=ids, until=until):
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
    done: dict[int, list[_Due]] = defaultdict(list)
    ws_of = {p.id: p.workspace_id for p in projects}
    since = min(s for s, _ in windows.values())
    until_dt = max(u for _, u in windows.values())
    for pid, done_at, w in _done_last_week(session, ids, since, until_dt):
        start, end = windows[ws_of[pid]]
        if start <= done_at < end:
            done[pid].append(w)
    rows = []
    for p in projects:
        today, occ = due[p.workspace_id]
        digest = project_digest(p.key, p.name, by_project.get(p.id, []), done.get(p.id, []), today)
        rows.append(
            _row(
                p.workspace_id, PROJECT, ("project", p.id), occ, now, digest, channel=p.home_channel
            )
        )
    return rows


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
    return Digest(DigestKind.PMO, "PMO weekly digest", today, [_section(heading, lines)], note)


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
                Notification.rule.in_(["escalate_pm", "escalate_lead"]),
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
            rows.append(_row(ws_id, PMO, subject, occ, now, digest, channel=ws.pmo_channel))
        else:
            digest = pmo_digest(projects[ws_id], frozen, today, in_channel=False)
            rows += [
                _row(ws_id, PMO, subject, occ, now, digest, recipient_id=lead)
                for lead in leads[ws_id]
            ]
    return rows


def materialize(session: Session, *, now: datetime) -> int:
    """Put every digest due by `now` in the outbox (empty ones as skipped). Returns new rows."""
    from services.outbox.rows import insert_notifications

    rows = _personal_rows(session, now) + _weekly_rows(session, now)
    return insert_notifications(session, rows)


# --- a person's own digest settings -------------------------------------------------------------


@dataclass(frozen=True)
class MyDigest:
    enabled: bool
    at: time
    timezone: str
    preview: Digest | None


def my_digest(session: Session, actor: Actor, *, now: datetime) -> MyDigest:
    """My digest setting and what today's digest holds right now."""
    me = session.get(Person, actor.person_id)
    assert me is not None
    today = now.astimezone(zone(me.timezone)).date()
    work = _open_work(session, owners={me.id}, until=week_of(today)[1])
    return MyDigest(
        me.digest_enabled, me.digest_at or me.work_start, me.timezone, personal_digest(work, today)
    )


def set_my_digest(
    session: Session,
    actor: Actor,
    *,
    enabled: bool | None = None,
    at: time | None = None,
    now: datetime,
) -> MyDigest:
    """Turn my daily digest on or off, or move it (a time in my own zone)."""
    me = session.get(Person, actor.person_id)
    assert me is not None
    before = {"digest_enabled": me.digest_enabled, "digest_at": str(me.digest_at or "")}
    if at is not None:
        if not me.work_start <= at < me.work_end:
            raise InvalidInput(
                f"{at:%H:%M} is outside your working hours "
                f"({me.work_start:%H:%M} to {me.work_end:%H:%M}); I don't message then.",
                "Pick a time within them.",
            )
        me.digest_at, me.digest_enabled = at, True
    if enabled is not None:
        me.digest_enabled = enabled
    session.flush()
    after = {"digest_enabled": me.digest_enabled, "digest_at": str(me.digest_at or "")}
    audit.record_by(
        session,
        actor,
        entity_type="person",
        entity_id=me.id,
        action="digest",
        before=before,
        after=after,
        now=now,
    )
    return my_digest(session, actor, now=now)
