"""Deliver the outbox: claim due rows, bundle per recipient, send, record the outcome.

A row goes pending → sending (committed before anything is sent) → sent | failed | skipped.
Claims use SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL so several workers never take the
same row (SQLite has a single writer). A row left in `sending` by a crashed worker is taken
again after its lease: a crash between the platform accepting a message and our commit is
the only way a reminder can be sent twice. A multi-part message (a report, final minutes)
records its progress before each part (`services/outbox/progress.py`), so after a crash only
the part in flight is in doubt, and it is looked for before it is posted again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    Deliverable,
    Membership,
    Notification,
    NotificationState,
    Person,
    Platform,
    Project,
    ProjectRole,
    Workspace,
)
from services.core.dates import local_today
from services.core.refs import Cmd, phrase
from services.outbox.contents import Contents, Destination, Subject
from services.outbox.kinds import DigestKind, ReminderRule
from services.outbox.port import Bundle, DeliveryError, Digest, Reminder
from services.outbox.rows import insert_notifications, outbox_row

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
    session: Session, ids: list[int], now: datetime, contents: Contents
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
    reminders = [n for n, _, _ in rows if _kind(n, contents) == "reminder"]
    subjects: dict[tuple[str, int], Subject] = {}
    for kind, load in contents.subjects.items():
        wanted = {n.subject_id for n in reminders if n.subject_type == kind}
        if wanted:
            subjects.update(((kind, i), subj) for i, subj in load(session, wanted).items())
    stale: set[tuple[str, int]] = set()
    for rule, check in contents.stale.items():
        wanted = {n.subject_id for n, _, _ in rows if n.rule == rule}
        if wanted:
            stale.update((rule, i) for i in check(session, wanted))
    # One message per destination: a person's DM or a channel.
    grouped: dict[tuple[str, str], list[tuple[_N, _P | None, _W]]] = defaultdict(list)
    skipped: list[int] = []
    out: list[tuple[Bundle, list[int]]] = []
    extras: list[tuple[Bundle, list[int]]] = []
    for n, person, ws in rows:
        dest = ("channel", f"{ws.id}:{n.channel}") if n.channel else ("person", str(n.recipient_id))
        kind = _kind(n, contents)
        tz = person.timezone if person else ws.timezone
        if (n.rule, n.subject_id) in stale:
            skipped.append(n.id)
        elif kind == "attachment":  # its own message (a report with a thread, final minutes)
            key = next(k for k in contents.attachments if k in n.payload)
            where = Destination(ws.id, ws.timezone, n.channel, tz, now)
            bundle = Bundle(
                ws.platform.value,
                ws.external_id,
                n.channel or (person.external_id if person else ""),
                tz,
                local_today(now, tz),
                to_channel=n.channel is not None,
                attachment=contents.attachments[key](session, n.payload, where),
                progress=dict(n.payload.get("progress") or {}),
                rows=(n.id,),
            )
            extras.append((bundle, [n.id]))
        elif kind == "digest":
            grouped[dest].append((n, person, ws))
        else:
            subject = subjects.get((n.subject_type, n.subject_id))
            if subject is None or person is None or not subject.due(local_today(now, tz)):
                skipped.append(n.id)
            else:
                grouped[dest].append((n, person, ws))
    for group in grouped.values():
        first, to, ws = group[0]
        tz = to.timezone if to else ws.timezone
        bundle = Bundle(
            workspace_platform=ws.platform.value,
            workspace_external_id=ws.external_id,
            recipient_external_id=first.channel or (to.external_id if to else ""),
            recipient_timezone=tz,
            today=local_today(now, tz),
            reminders=[
                _reminder(n, subjects[(n.subject_type, n.subject_id)].title)
                for n, _, _ in group
                if "digest" not in n.payload
            ],
            digests=[
                Digest.from_payload(n.payload["digest"])
                for n, _, _ in group
                if "digest" in n.payload
            ],
            to_channel=first.channel is not None,
            progress=_uncertain(group),
            rows=tuple(n.id for n, _, _ in group),
            part_rows=tuple(
                [n.id for n, _, _ in group if "digest" not in n.payload]
                + [n.id for n, _, _ in group if "digest" in n.payload]
            ),
        )
        out.append((bundle, [n.id for n, _, _ in group]))
    return out + extras, skipped


def _uncertain(group: list[tuple[_N, _P | None, _W]]) -> dict[str, Any]:
    # A row whose last attempt got no answer (the platform may have accepted it): the notifier
    # looks for it before posting again. The earliest such attempt bounds the search.
    seen = [
        u
        for n, _, _ in group
        if isinstance(u := (n.payload.get("progress") or {}).get("uncertain"), dict)
    ]
    if not seen:
        return {}
    return {"uncertain": min(seen, key=lambda u: float(u.get("since", 0)))}


def _kind(n: _N, contents: Contents) -> str:
    if "digest" in n.payload:
        return "digest"
    if any(k in n.payload for k in contents.attachments):
        return "attachment"
    return "reminder"


def _reminder(n: _N, title: str) -> Reminder:
    rule = ReminderRule(n.rule)
    note = ""
    if rule == ReminderRule.UNDELIVERABLE:
        note = f"couldn't reach @{n.payload.get('unreachable', '')}: {n.payload.get('reason', '')}"
    return Reminder(
        rule=rule,
        item_id=n.subject_id,
        title=title,
        kind=n.subject_type,
        due_on=date.fromisoformat(n.payload["due_on"]) if n.payload.get("due_on") else None,
        project_key=n.payload.get("project_key"),
        owner_handle=n.payload.get("owner_handle", ""),
        owner_external_id=n.payload.get("owner_external_id", ""),
        days_overdue=int(n.payload.get("days_overdue", 0)),
        note=note,
    )


def prepare(
    session: Session, ids: list[int], *, now: datetime, contents: Contents
) -> list[tuple[Bundle, list[int]]]:
    """Bundles (one per recipient) for claimed rows; rows whose item closed are marked skipped."""
    bundles, skipped = _bundles(session, ids, now, contents)
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


def after_sent(
    session: Session, bundle: Bundle, result: dict[str, Any] | None, *, contents: Contents
) -> None:
    """Let the feature remember where its content landed (final minutes: to amend them)."""
    if bundle.attachment is not None and result:
        hook = contents.after_sent.get(type(bundle.attachment))
        if hook is not None:
            hook(session, bundle.attachment, result)


def mark_failed(
    session: Session,
    ids: list[int],
    err: DeliveryError,
    *,
    now: datetime,
    started: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """Retry later with backoff, or fail for good; returns (retried, failed). `started`: the
    progress the attempt began with (the row's may have been recorded since, part by part)."""
    retried = failed = 0
    for n in session.scalars(select(Notification).where(Notification.id.in_(ids))):
        n.last_error = err.reason[:500]
        if err.progress is not None:
            before = (n.payload.get("progress") or {}) if started is None else started
            if _parts(err.progress) > _parts(before):
                n.attempts -= 1  # it got further: a slow thread doesn't use up its retries
            n.payload = {**n.payload, "progress": err.progress}
        if err.permanent or n.attempts >= MAX_ATTEMPTS:
            n.state = NotificationState.FAILED
            failed += 1
            if n.rule != ReminderRule.UNDELIVERABLE:
                _tell_the_pm(session, n, err.reason, now)
        else:
            n.state = NotificationState.PENDING
            n.next_attempt_at = now + backoff(n.attempts, err.retry_after)
            retried += 1
    return retried, failed


def _parts(progress: dict[str, Any]) -> int:
    """How many parts of a multi-part message a progress record says went out."""
    ts = progress.get("ts")
    posted = len(ts) if isinstance(ts, list) else int(bool(ts))
    return posted + sum(int(progress.get(k, 0)) for k in ("replies", "files", "done"))


def _tell_the_pm(session: Session, n: Notification, reason: str, now: datetime) -> None:
    """Queue one notice to the PM(s) that a reminder's owner, or a project's channel, can't be
    reached (once per person and destination). Other digests only show in `outbox list`."""
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
            DigestKind.NOTICE,
            f"I couldn't post {key}'s weekly digest in its channel",
            local_today(now, "UTC"),
            [],
            note=phrase(f"{reason} Fix the channel (", Cmd(f"project set {key} channel #…"), ")."),
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
                ReminderRule.UNDELIVERABLE,
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
