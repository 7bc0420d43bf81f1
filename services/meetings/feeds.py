"""Calendar feeds: an unguessable, revocable token per person (and per project), and the
iCalendar document behind it, built from what that person may see at the time it is fetched."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    ActionStatus,
    CalendarToken,
    Deliverable,
    DeliverableStatus,
    MeetingSeries,
    Membership,
    Person,
    Project,
    Workspace,
)
from services.core.access import Actor, actor_for, get_project, visible_projects
from services.core.dates import within_horizon
from services.core.errors import InvalidInput
from services.core.ical.model import FeedItem
from services.core.ical.write import feed, series_events
from services.meetings.series import spec_of

log = logging.getLogger(__name__)
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
TOKEN_BYTES = 24  # 192 bits, URL-safe


@dataclass(frozen=True)
class FeedLink:
    token: str
    project_key: str | None
    created: bool

    @property
    def path(self) -> str:
        return f"/ics/{self.token}.ics"


def _sequence(changed: datetime | None, created: datetime) -> int:
    """An iCalendar SEQUENCE that grows whenever the thing changes (seconds since 2024)."""
    return max(0, int(((changed or created) - EPOCH).total_seconds()))


def link(session: Session, actor: Actor, *, now: datetime, key: str | None = None) -> FeedLink:
    """The actor's feed link (of one project if `key`): the active one, or a new one."""
    project_id = get_project(session, actor, key).id if key else None
    q = select(CalendarToken).where(
        CalendarToken.workspace_id == actor.workspace_id,
        CalendarToken.person_id == actor.person_id,
        CalendarToken.revoked_at.is_(None),
    )
    q = q.where(
        CalendarToken.project_id == project_id
        if project_id is not None
        else CalendarToken.project_id.is_(None)
    )
    row = session.scalar(q)
    if row is not None:
        return FeedLink(row.token, key.upper() if key else None, False)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        CalendarToken(
            workspace_id=actor.workspace_id,
            person_id=actor.person_id,
            project_id=project_id,
            token=token,
            created_at=now,
        )
    )
    session.flush()
    return FeedLink(token, key.upper() if key else None, True)


def revoke(session: Session, actor: Actor, *, now: datetime, key: str | None = None) -> int:
    """Revoke the actor's feed link(s) (of one project if `key`); returns how many."""
    project_id = get_project(session, actor, key).id if key else None
    rows = session.scalars(
        select(CalendarToken).where(
            CalendarToken.workspace_id == actor.workspace_id,
            CalendarToken.person_id == actor.person_id,
            CalendarToken.revoked_at.is_(None),
            CalendarToken.project_id == project_id
            if project_id is not None
            else CalendarToken.project_id.is_(None),
        )
    ).all()
    for r in rows:
        r.revoked_at = now
    session.flush()
    return len(rows)


def render(session: Session, token: str, *, now: datetime) -> bytes | None:
    """The feed behind a token, or None (unknown, revoked, or no longer allowed)."""
    if not token or len(token) > 64:
        return None
    row = session.execute(
        select(CalendarToken, Person, Workspace)
        .join(Person, Person.id == CalendarToken.person_id)
        .join(Workspace, Workspace.id == CalendarToken.workspace_id)
        .where(CalendarToken.token == token, CalendarToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    tok, person, ws = row
    if not person.active:
        return None
    actor = actor_for(session, person)
    allowed = select(Project.id).where(Project.workspace_id == ws.id, visible_projects(actor))
    if tok.project_id is not None:
        project = session.scalar(
            select(Project).where(Project.id == tok.project_id, Project.id.in_(allowed))
        )
        if project is None:  # private, and they left it: the feed is gone for them
            return None
        name = f"{project.key} · {project.name}"
        item_where = [ActionItem.project_id == project.id]
        del_where = [Deliverable.project_id == project.id]
        series_where = [MeetingSeries.project_id == project.id]
    else:
        name = f"PMO Bot · @{person.handle}"
        mine_projects = select(Membership.project_id).where(Membership.person_id == person.id)
        item_where = [
            ActionItem.owner_id == person.id,
            or_(ActionItem.project_id.is_(None), ActionItem.project_id.in_(allowed)),
        ]
        del_where = [Deliverable.owner_id == person.id, Deliverable.project_id.in_(allowed)]
        series_where = [
            or_(
                MeetingSeries.project_id.in_(mine_projects), MeetingSeries.organizer_id == person.id
            ),
            MeetingSeries.project_id.in_(allowed),
        ]
    host = f"{ws.external_id}.pmo-bot".lower()
    items: list[FeedItem] = []
    for item, owner, key in session.execute(
        select(ActionItem, Person, Project.key)
        .join(Person, Person.id == ActionItem.owner_id)
        .outerjoin(Project, Project.id == ActionItem.project_id)
        .where(ActionItem.workspace_id == ws.id, ActionItem.due_on.is_not(None), *item_where)
        .where(ActionItem.status != ActionStatus.CANCELLED)
        .order_by(ActionItem.id)
    ):
        assert item.due_on is not None
        link_ = item.source_ref if (item.source_ref or "").startswith("https://") else ""
        items.append(
            FeedItem(
                uid=f"action-{item.id}@{host}",
                title=f"#{item.id} {item.title}",
                on=item.due_on,
                description=f"Action item #{item.id}{f' in {key}' if key else ''} · owner "
                f"@{owner.handle} · {item.status.value}",
                url=link_ or "",
                sequence=_sequence(item.updated_at, item.created_at),
                last_modified=item.updated_at,
                done=item.status == ActionStatus.DONE,
            )
        )
    for d, owner, key in session.execute(
        select(Deliverable, Person, Project.key)
        .outerjoin(Person, Person.id == Deliverable.owner_id)
        .join(Project, Project.id == Deliverable.project_id)
        .where(Deliverable.workspace_id == ws.id, *del_where)
        .where(Deliverable.status != DeliverableStatus.CANCELLED)
        .order_by(Deliverable.id)
    ):
        done = d.status == DeliverableStatus.DONE
        slip = f" (baseline {d.baseline_on.isoformat()})" if d.forecast_on != d.baseline_on else ""
        items.append(
            FeedItem(
                uid=f"deliverable-{d.id}@{host}",
                title=f"{key}: {d.title}",
                on=d.forecast_on,
                description=f"Deliverable #{d.id} of {key}{slip} · owner "
                f"{'@' + owner.handle if owner else 'none'} · {d.status.value}",
                sequence=_sequence(d.updated_at, d.created_at),
                last_modified=d.updated_at or d.created_at,
                done=done,
            )
        )
    today = now.date()
    for it in items:  # an old or foreign row with an extreme date must not break the feed
        if not within_horizon(it.on, today):
            log.warning("feed: %s left out: %s is outside the date horizon", it.uid, it.on)
    items = [it for it in items if within_horizon(it.on, today)]
    series = []
    for ms in session.scalars(
        select(MeetingSeries)
        .where(MeetingSeries.workspace_id == ws.id, MeetingSeries.active.is_(True))
        .where(*series_where)
        .order_by(MeetingSeries.id)
    ):
        spec = spec_of(ms)
        try:  # one broken series (an unknown zone, say) must not take the whole feed down
            series_events(spec, stamp=now)
        except InvalidInput:
            log.warning("calendar feed: skipping meeting series %s (%s)", ms.id, ms.uid)
            continue
        series.append(spec)
    return feed(name, items=items, series=series, now=now)
