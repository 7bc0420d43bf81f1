"""Deliver the outbox: claim due rows, bundle per recipient, send, record the outcome.

A row goes pending → sending (committed before anything is sent) → sent | failed | skipped.
Claims use SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL so several workers never take the
same row (SQLite has a single writer). A row left in `sending` by a crashed worker is taken
again after its lease: a crash between the platform accepting a message and our commit is
the only way a reminder can be sent twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    ActionStatus,
    CycleState,
    Deliverable,
    DeliverableStatus,
    Membership,
    Notification,
    NotificationState,
    Person,
    Platform,
    Project,
    ProjectRole,
    StatusCycle,
    StatusUpdate,
    Workspace,
)
from services.core.dates import local_today
from services.outbox.port import Bundle, DeliveryError, Digest, Reminder

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30


def claim(
    session: Session, *, now: datetime, limit: int = 500, workspace_id: int | None = None
) -> list[int]:
    """Take up to `limit` due rows for this worker (of one workspace if given); the caller
    commits at once."""
    q = select(Notification.id).where(
        Notification.state.in_([NotificationState.PENDING, NotificationState.SENDING]),
        Notification.next_attempt_at <= now,
    )
    if workspace_id is not None:
        q = q.where(Notification.workspace_id == workspace_id)
    rows = session.scalars(
        q.order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if rows:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(rows))
            .values(
                state=NotificationState.SENDING,
                attempts=Notification.attempts + 1,
                next_attempt_at=now + LEASE,
            )
        )
    return list(rows)


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential backoff from 30 s, never sooner than the platform's Retry-After."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=max(seconds, retry_after or 0))


class _N(NamedTuple):
    id: int
    rule: str
    subject_type: str
    subject_id: int
    payload: dict[str, Any]
    channel: str | None
    recipient_id: int | None


class _P(NamedTuple):
    external_id: str
    timezone: str


class _W(NamedTuple):
    id: int
    platform: Platform
    external_id: str
    timezone: str


def _bundles(
    session: Session, ids: list[int], now: datetime
) -> tuple[list[tuple[Bundle, list[int]]], list[int]]:
    # Plain columns, not entities: this reads every row of a sweep.
    rows = [
        (_N(*r[:7]), _P(r[7], r[8]) if r[7] is not None else None, _W(*r[9:]))
        for r in session.execute(
            select(
                Notification.id,
                Notification.rule,
                Notification.subject_type,
                Notification.subject_id,
                Notification.payload,
                Notification.channel,
                Notification.recipient_id,
                Person.external_id,
                Person.timezone,
                Workspace.id,
                Workspace.platform,
                Workspace.external_id,
                Workspace.timezone,
            )
            .outerjoin(Person, Person.id == Notification.recipient_id)
            .join(Workspace, Workspace.id == Notification.workspace_id)
            .where(Notification.id.in_(ids))
            .order_by(Notification.id)
        )
    ]

    def ids_of(kind: str) -> set[int]:
        return {n.subject_id for n, _, _ in rows if n.subject_type == kind}

    items = {
        r.id: r
        for r in session.execute(
            select(
                ActionItem.id, ActionItem.status, ActionItem.snoozed_until, ActionItem.title
            ).where(ActionItem.id.in_(ids_of("action_item")))
        )
    }
    dels = {
        r.id: r
        for r in session.execute(
            select(Deliverable.id, Deliverable.status, Deliverable.title).where(
                Deliverable.id.in_(ids_of("deliverable"))
            )
        )
    }
    titles: dict[tuple[str, int], str] = {}
    # One message per destination: a person's DM or a channel.
    grouped: dict[tuple[str, str], list[tuple[_N, _P | None, _W]]] = defaultdict(list)
    skipped: list[int] = []
    # Status nudges whose round got its update (or closed) since they were queued: skip.
    cycle_ids = {n.subject_id for n, _, _ in rows if n.rule == "status_nudge"}
    answered: set[int] = set()
    if cycle_ids:
        answered = set(
            session.scalars(
                select(StatusUpdate.cycle_id).where(StatusUpdate.cycle_id.in_(cycle_ids))
            )
        ) | set(
            session.scalars(
                select(StatusCycle.id).where(
                    StatusCycle.id.in_(cycle_ids), StatusCycle.state != CycleState.OPEN
                )
            )
        )
    reports: list[tuple[_N, _P | None, _W]] = []
    minutes_posts: list[tuple[_N, _W]] = []
    for n, person, ws in rows:
        dest = ("channel", f"{ws.id}:{n.channel}") if n.channel else ("person", str(n.recipient_id))
        if n.rule == "status_nudge" and n.subject_id in answered:
            skipped.append(n.id)
            continue
        if "report" in n.payload:
            reports.append((n, person, ws))
            continue
        if "minutes" in n.payload:
            minutes_posts.append((n, ws))
            continue
        if "digest" in n.payload:
            grouped[dest].append((n, person, ws))
            continue
        today = local_today(now, person.timezone if person else ws.timezone)
        still_due = False
        if n.subject_type == "deliverable":
            d = dels.get(n.subject_id)
            still_due = d is not None and d.status in (
                DeliverableStatus.PLANNED,
                DeliverableStatus.IN_PROGRESS,
            )
            if d is not None:
                titles[("deliverable", d.id)] = d.title
        else:
            item = items.get(n.subject_id)
            still_due = (
                item is not None
                and item.status == ActionStatus.OPEN
                and not (item.snoozed_until is not None and item.snoozed_until > today)
            )
            if item is not None:
                titles[("action_item", item.id)] = item.title
        if not still_due or person is None:
            skipped.append(n.id)
            continue
        grouped[dest].append((n, person, ws))
    out = []
    for group in grouped.values():
        first, to, ws = group[0]
        tz = to.timezone if to else ws.timezone
        reminders = [
            Reminder(
                rule=n.rule,
                item_id=n.subject_id,
                title=titles[(n.subject_type, n.subject_id)],
                kind=n.subject_type,
                due_on=date.fromisoformat(n.payload["due_on"]) if n.payload.get("due_on") else None,
                project_key=n.payload.get("project_key"),
                owner_handle=n.payload.get("owner_handle", ""),
                owner_external_id=n.payload.get("owner_external_id", ""),
                days_overdue=int(n.payload.get("days_overdue", 0)),
                note=(
                    f"couldn't reach @{n.payload.get('unreachable', '')}: "
                    f"{n.payload.get('reason', '')}"
                    if n.rule == "undeliverable"
                    else ""
                ),
            )
            for n, _, _ in group
            if "digest" not in n.payload
        ]
        digests = [
            Digest.from_payload(n.payload["digest"]) for n, _, _ in group if "digest" in n.payload
        ]
        bundle = Bundle(
            workspace_platform=ws.platform.value,
            workspace_external_id=ws.external_id,
            recipient_external_id=first.channel or (to.external_id if to else ""),
            recipient_timezone=tz,
            today=local_today(now, tz),
            reminders=reminders,
            digests=digests,
            to_channel=first.channel is not None,
        )
        out.append((bundle, [n.id for n, _, _ in group]))
    for n, to, ws in reports:  # each report is its own message (with a thread)
        from services.status.report import build

        tz = to.timezone if to else ws.timezone
        period = n.payload["report"]["period"]
        report = build(
            session,
            ws.id,
            period,
            today=local_today(now, ws.timezone),
            include_private=n.channel is None,
        )
        bundle = Bundle(
            ws.platform.value,
            ws.external_id,
            n.channel or (to.external_id if to else ""),
            tz,
            local_today(now, tz),
            to_channel=n.channel is not None,
            report=report,
            progress=dict(n.payload.get("progress") or {}),
        )
        out.append((bundle, [n.id]))
    for n, ws in minutes_posts:  # the minutes as they stand now (amendments included)
        from services.meetings.minutes import view as minutes_view

        mv = minutes_view(session, int(n.payload["minutes"]))
        bundle = Bundle(
            ws.platform.value,
            ws.external_id,
            n.channel or "",
            ws.timezone,
            local_today(now, ws.timezone),
            to_channel=True,
            minutes=mv,
            amend=bool(n.payload.get("amend")),
            progress=dict(n.payload.get("progress") or {}),
        )
        out.append((bundle, [n.id]))
    return out, skipped


def prepare(session: Session, ids: list[int], *, now: datetime) -> list[tuple[Bundle, list[int]]]:
    """Bundles (one per recipient) for claimed rows; rows whose item closed are marked skipped."""
    bundles, skipped = _bundles(session, ids, now)
    if skipped:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(skipped))
            .values(state=NotificationState.SKIPPED, last_error="item closed or snoozed")
        )
    return bundles


def mark_sent(session: Session, ids: list[int], *, now: datetime) -> None:
    """Record that the platform accepted these rows' message."""
    session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .values(state=NotificationState.SENT, sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )


def after_sent(session: Session, bundle: Bundle, result: dict[str, Any] | None) -> None:
    """Keep where final minutes landed, so that amendments can edit them in place."""
    if bundle.minutes is not None and result and result.get("ts"):
        from services.meetings.minutes import record_posts

        record_posts(
            session, bundle.minutes.id, str(result["channel"]), [str(t) for t in result["ts"]]
        )


def mark_failed(
    session: Session, ids: list[int], err: DeliveryError, *, now: datetime
) -> tuple[int, int]:
    """Retry later with backoff, or fail for good; returns (retried, failed)."""
    retried = failed = 0
    for n in session.scalars(select(Notification).where(Notification.id.in_(ids))):
        n.last_error = err.reason[:500]
        if err.progress:
            n.payload = {**n.payload, "progress": err.progress}
        if err.permanent or n.attempts >= MAX_ATTEMPTS:
            n.state = NotificationState.FAILED
            failed += 1
            if n.rule != "undeliverable":
                _tell_the_pm(session, n, err.reason, now)
        else:
            n.state = NotificationState.PENDING
            n.next_attempt_at = now + backoff(n.attempts, err.retry_after)
            retried += 1
    return retried, failed


def _tell_the_pm(session: Session, n: Notification, reason: str, now: datetime) -> None:
    """Queue one notice to the PM(s) that a reminder's owner, or a project's channel, can't be
    reached (once per person and destination). Other digests only show in `outbox list`."""
    from services.work.reminders import insert_notifications, outbox_row

    if n.subject_type == "project":
        project_id: int | None = n.subject_id
    elif n.subject_type in ("action_item", "deliverable"):
        model = ActionItem if n.subject_type == "action_item" else Deliverable
        project_id = session.scalar(select(model.project_id).where(model.id == n.subject_id))
    else:
        return
    if project_id is None:
        return
    pm_ids = session.scalars(
        select(Membership.person_id).where(
            Membership.project_id == project_id,
            Membership.role == ProjectRole.PM,
            Membership.person_id != n.recipient_id,
        )
    ).all()
    if n.channel:
        key = session.scalar(select(Project.key).where(Project.id == project_id)) or ""
        notice = Digest(
            "notice",
            f"I couldn't post {key}'s weekly digest in its channel",
            local_today(now, "UTC"),
            [],
            note=f"{reason} Fix the channel (`project set {key} channel #…`).",
        )
        payload: dict[str, object] = {"digest": notice.to_payload()}
        occurrence = f"to:{n.channel}"[:40]
    else:
        recipient = session.get(Person, n.recipient_id) if n.recipient_id else None
        payload = {
            **n.payload,
            "reason": reason,
            "unreachable": recipient.handle if recipient else "",
        }
        occurrence = f"to:{n.recipient_id}"
    insert_notifications(
        session,
        [
            outbox_row(
                n.workspace_id,
                "undeliverable",
                (n.subject_type, n.subject_id),
                occurrence,
                payload=payload,
                at=now,
                now=now,
                recipient_id=pm,
            )
            for pm in pm_ids
        ],
    )


def retry(session: Session, *, notification_id: int, now: datetime) -> bool:
    """Put a failed notification back in the queue (admin action)."""
    n = session.get(Notification, notification_id)
    if n is None or n.state != NotificationState.FAILED:
        return False
    n.state, n.attempts, n.next_attempt_at = NotificationState.PENDING, 0, now
    return True
