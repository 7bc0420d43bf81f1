"""Amending closed minutes (the starter, the project's PM or a PMO lead): every change is
audited and the posted messages are edited in place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEvent, EntryKind, Minutes, MinutesEntry, MinutesState, ProjectRole
from services.core import audit
from services.core.access import Actor, project_role
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.refs import Cmd, phrase
from services.meetings.minutes import TITLE_LIMIT, clean_text, may_see, require_writer
from services.meetings.views import MinutesView, view
from services.outbox.rows import insert_notifications, outbox_row
from services.raid.decisions import sync_minutes


def amend(
    session: Session,
    actor: Actor,
    *,
    minutes_id: int,
    op: str,
    text: str,
    now: datetime,
    kind: EntryKind | None = None,
    n: int | None = None,
) -> MinutesView:
    """Change closed minutes (the starter, the project's PM or a PMO lead); the posted
    messages are updated and the change is audited."""
    m = session.scalar(
        select(Minutes).where(Minutes.id == minutes_id, Minutes.workspace_id == actor.workspace_id)
    )
    if m is None or not may_see(session, actor, minutes=m):
        raise NotFound(f"There are no minutes #{minutes_id}.", "See `minutes list`.")
    role = project_role(session, actor.person_id, m.project_id) if m.project_id else None
    if not (actor.is_pmo_lead or actor.person_id == m.started_by_id or role == ProjectRole.PM):
        raise PermissionDenied(
            "Only whoever started these minutes, the project's PM or a PMO lead can amend them."
        )
    require_writer(session, actor, m)  # a starter who is now a viewer reads only
    if m.state == MinutesState.OPEN:
        raise Conflict(
            "These minutes are still open: add to them directly.",
            phrase("e.g. ", Cmd("minutes note …"), " in their channel."),
        )
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    if op in ("note", "decision"):
        entry = MinutesEntry(
            minutes_id=m.id,
            kind=EntryKind(op),
            text=clean_text(text, op),
            author_id=actor.person_id,
            created_at=now,
        )
        session.add(entry)
        after = {"added": op, "text": entry.text}
    elif op == "title":
        name = " ".join(text.split())
        if not name or len(name) > TITLE_LIMIT:
            raise InvalidInput(f"Give a title of 1 to {TITLE_LIMIT} characters.")
        before, after = {"title": m.title}, {"title": name}
        m.title = name
    elif op in ("edit", "remove"):
        if kind is None or n is None:
            raise InvalidInput(f"Say which entry: `minutes amend {m.id} {op} note 2 …`.")
        entries = session.scalars(
            select(MinutesEntry)
            .where(MinutesEntry.minutes_id == m.id, MinutesEntry.kind == kind)
            .order_by(MinutesEntry.id)
        ).all()
        if not 1 <= n <= len(entries):
            raise NotFound(
                f"These minutes have no {kind.value} {n}.",
                f"They have {len(entries)} {kind.value}s.",
            )
        entry = entries[n - 1]
        before = {kind.value: n, "text": entry.text}
        if op == "remove":
            session.delete(entry)
            after = {"removed": kind.value}
        else:
            entry.text = clean_text(text, kind.value)
            after = {kind.value: n, "text": entry.text}
    else:
        raise InvalidInput(
            f"I can't amend with {op!r}.", "Use note, decision, edit, remove or title."
        )
    m.amended_at = now
    session.flush()
    sync_minutes(session, m.id, now=now)  # the decision log follows the amendment
    audit.record_by(
        session,
        actor,
        entity_type="minutes",
        entity_id=m.id,
        action="amend",
        before=None,
        after={"was": before, "now": after},
        now=now,
    )
    n_amend = int(
        session.scalar(
            select(func.count()).where(
                AuditEvent.entity_type == "minutes",
                AuditEvent.entity_id == m.id,
                AuditEvent.action == "amend",
            )
        )
        or 0
    )
    v = view(session, m.id)
    insert_notifications(
        session,
        [
            outbox_row(
                m.workspace_id,
                "minutes_amend",
                ("minutes", m.id),
                f"amend:{n_amend}:{ch}",
                payload={"minutes": m.id, "amend": True},
                at=now,
                now=now,
                channel=ch,
            )
            for ch in v.post_channels()
        ],
    )
    return v


def record_posts(session: Session, minutes_id: int, channel: str, ts: list[str]) -> None:
    """Remember where the final minutes were posted (so amendments can edit them)."""
    m = session.get(Minutes, minutes_id)
    if m is None:
        return
    posts = [p for p in (m.posts or []) if p.get("channel") != channel]
    m.posts = [*posts, {"channel": channel, "ts": ts}]
    session.flush()
