"""Ending minutes: by hand (`minutes end`) or automatically after 12 hours open. The final
posts (the project's channel and the meeting's) and each owner's DM go through the outbox,
so they are retried and never doubled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ActionStatus, EntryKind, Minutes, MinutesEntry, MinutesState
from services.core import audit
from services.core.access import Actor
from services.core.dates import local_today
from services.core.refs import Cmd, phrase
from services.meetings.minutes import audit_change, target
from services.meetings.views import MinutesView, view
from services.outbox.kinds import DigestKind, ReminderRule
from services.outbox.port import Digest
from services.outbox.rows import insert_notifications, outbox_row
from services.raid.decisions import sync_minutes

AUTO_CLOSE_AFTER = timedelta(hours=12)


def end(
    session: Session, actor: Actor, *, channel: str, now: datetime, minutes_id: int | None = None
) -> MinutesView:
    """Close the minutes open in `channel` (or `minutes_id`, from its own End button): queue
    the final posts and each owner's DM."""
    m = target(session, actor, channel=channel, minutes_id=minutes_id)
    _close(session, m, now, auto=False)
    audit_change(session, actor, minutes=m, action="end", now=now)
    return view(session, m.id)


def _close(session: Session, m: Minutes, now: datetime, *, auto: bool) -> None:
    m.state, m.ended_at, m.auto_closed = MinutesState.CLOSED, now, auto
    session.flush()
    sync_minutes(session, m.id, now=now)  # decisions land in the project's decision log
    v = view(session, m.id)
    rows = [
        outbox_row(
            m.workspace_id,
            "minutes_post",
            ("minutes", m.id),
            f"final:{ch}",
            payload={"minutes": m.id},
            at=now,
            now=now,
            channel=ch,
        )
        for ch in v.post_channels()
    ]
    for item in v.actions:
        if item.status != ActionStatus.OPEN:
            continue
        rows.append(
            outbox_row(
                m.workspace_id,
                ReminderRule.MINUTES_ACTION,
                ("action_item", item.id),
                f"minutes:{m.id}",
                payload={
                    "due_on": item.due_on.isoformat() if item.due_on else None,
                    "project_key": item.project_key,
                    "owner_handle": item.owner.handle,
                    "owner_external_id": item.owner.external_id,
                    "minutes_title": m.title,
                },
                at=now,
                now=now,
                recipient_id=item.owner.id,
            )
        )
    if auto:
        rows.append(
            outbox_row(
                m.workspace_id,
                "minutes_autoclosed",
                ("minutes", m.id),
                "auto",
                payload={"digest": _autoclose_notice(v, now)},
                at=now,
                now=now,
                recipient_id=m.started_by_id,
            )
        )
    if rows:
        insert_notifications(session, rows)


def _autoclose_notice(v: MinutesView, now: datetime) -> dict[str, object]:
    hours = int(AUTO_CLOSE_AFTER.total_seconds() // 3600)
    return Digest(
        DigestKind.NOTICE,
        "Your minutes were closed automatically",
        local_today(now, "UTC"),
        [],
        note=phrase(
            f"“{v.title}” (#{v.id}) were open for {hours} hours, so I closed them and posted "
            "them. Amend them with ",
            Cmd(f"minutes amend {v.id} note …"),
            ".",
        ),
    ).to_payload()


def close_stale(session: Session, *, now: datetime) -> list[int]:
    """Close minutes left open for 12 hours, saying so in them and telling the starter."""
    stale = session.scalars(
        select(Minutes)
        .where(Minutes.state == MinutesState.OPEN, Minutes.started_at <= now - AUTO_CLOSE_AFTER)
        .order_by(Minutes.id)
        .with_for_update(skip_locked=True)
    ).all()
    for m in stale:
        hours = int(AUTO_CLOSE_AFTER.total_seconds() // 3600)
        session.add(
            MinutesEntry(
                minutes_id=m.id,
                kind=EntryKind.NOTE,
                author_id=m.started_by_id,
                created_at=now,
                text=f"(Closed automatically by PMO Bot after {hours} hours open.)",
            )
        )
        _close(session, m, now, auto=True)
        audit.record(
            session,
            workspace_id=m.workspace_id,
            actor_id=None,
            entity_type="minutes",
            entity_id=m.id,
            action="auto_close",
            before=None,
            after={"title": m.title},
            now=now,
        )
    return [m.id for m in stale]
