"""Reading the RAID log: lists (mine, a project's, the whole portfolio), one entry with its
score trend and response actions, what is due for review, a project's open red risks, and
the top risk of each project (for the project register)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import String, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    Person,
    Project,
    RaidAction,
    RaidEntry,
    RaidKind,
    RaidScore,
    Workspace,
)
from services.commands.ast_raid import RaidRef
from services.core.access import Actor, get_project, member_project_ids
from services.core.people import person_ref
from services.core.views import Page
from services.raid.policy import RaidPolicy, policy_of
from services.raid.store import find, to_view, view_query, visible
from services.raid.views import RaidEntryView, ScorePoint
from services.work.item_queries import to_view as item_view
from services.work.item_queries import view_query as item_query

DEFAULT_LIMIT = 20  # a page of a RAID list
KIND_ORDER = case(
    {
        RaidKind.RISK: 0,
        RaidKind.ISSUE: 1,
        RaidKind.ASSUMPTION: 2,
        RaidKind.DEPENDENCY: 3,
        RaidKind.DECISION: 4,
    },
    value=RaidEntry.kind,
)


def _page(
    session: Session,
    actor: Actor,
    where: list[Any],
    limit: int,
    policy: RaidPolicy,
    offset: int = 0,
) -> Page[RaidEntryView]:
    """`limit` visible entries after the first `offset`: risks by score, issues by
    severity, then the rest by date; and how many there are in all."""
    order = (
        KIND_ORDER,
        RaidEntry.rank.desc(),
        RaidEntry.due_on.is_(None),
        RaidEntry.due_on,
        RaidEntry.id,
    )
    # The page's ids first, from the entries alone (sorted and cut before any join), then
    # their views: one statement.
    ids = (
        select(RaidEntry.id)
        .where(RaidEntry.workspace_id == actor.workspace_id, *where, visible(actor))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    rows = session.execute(
        view_query(actor.workspace_id)
        .where(RaidEntry.id.in_(ids.scalar_subquery()))
        .order_by(*order)
    ).all()
    total = offset + len(rows)
    if len(rows) >= limit or (offset and not rows):
        total = (
            session.scalar(
                select(func.count(RaidEntry.id)).where(
                    RaidEntry.workspace_id == actor.workspace_id, *where, visible(actor)
                )
            )
            or 0
        )
    return Page([to_view(r, policy) for r in rows], total, offset, limit)


def list_entries(
    session: Session,
    actor: Actor,
    *,
    scope: str,
    key: str | None = None,
    kinds: tuple[RaidKind, ...] = (),
    closed: bool = False,
    limit: int = DEFAULT_LIMIT,
    page: int = 1,
) -> Page[RaidEntryView]:
    """`mine` (what I own or act on), `project` (one project's log) or `all` (the visible
    portfolio: everything for a PMO lead, my projects' for anyone else)."""
    policy = policy_of(session, actor.workspace_id)
    where: list[Any] = [RaidEntry.kind.in_(kinds) if kinds else RaidEntry.kind != RaidKind.DECISION]
    if not closed:
        where.append(RaidEntry.closed_at.is_(None))
    if scope == "project" and key:
        where.append(RaidEntry.project_id == get_project(session, actor, key).id)
    elif scope == "mine":
        where.append(
            or_(RaidEntry.owner_id == actor.person_id, RaidEntry.actionee_id == actor.person_id)
        )
    elif not actor.is_pmo_lead:
        where.append(RaidEntry.project_id.in_(member_project_ids(actor)))
    return _page(session, actor, where, limit, policy, (page - 1) * limit)


def show(session: Session, actor: Actor, *, ref: RaidRef) -> RaidEntryView:
    """One entry with its score trend, response actions and (decisions) who was there."""
    e = find(session, actor, ref)
    return view_of(session, actor, e.id, full=True)


def view_of(session: Session, actor: Actor, entry_id: int, *, full: bool = False) -> RaidEntryView:
    """An entry as a view (with history, actions and attendees when `full`)."""
    policy = policy_of(session, actor.workspace_id)
    row = session.execute(view_query(actor.workspace_id).where(RaidEntry.id == entry_id)).one()
    v = to_view(row, policy)
    if not full:
        return v
    history = tuple(
        ScorePoint(
            s.at,
            s.probability,
            s.impact,
            s.score,
            (s.residual_probability or 0) * (s.residual_impact or 0) or None,
            handle or "",
            s.note,
        )
        for s, handle in session.execute(
            select(RaidScore, Person.handle)
            .outerjoin(Person, Person.id == RaidScore.by_id)
            .where(RaidScore.entry_id == entry_id)
            .order_by(RaidScore.at, RaidScore.id)
        )
    )
    actions = _actions(session, actor, entry_id)
    attendees: tuple[Any, ...] = ()
    ids = list(session.scalar(select(RaidEntry.attendees).where(RaidEntry.id == entry_id)) or [])
    if ids:
        found = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
        attendees = tuple(person_ref(found[i]) for i in ids if i in found)
    return replace(v, history=history, actions=actions, attendees=attendees)


def _actions(session: Session, actor: Actor, entry_id: int) -> tuple[Any, ...]:
    ids = select(RaidAction.action_item_id).where(RaidAction.entry_id == entry_id)
    q = item_query(actor.workspace_id).where(ActionItem.id.in_(ids))
    return tuple(item_view(*r) for r in session.execute(q.order_by(ActionItem.id)))


def reviews_due(
    session: Session, actor: Actor, *, today: date, days: int = 7, limit: int = 20
) -> list[RaidEntryView]:
    """What I own whose review or date falls within `days` (overdue first)."""
    policy = policy_of(session, actor.workspace_id)
    rows = session.execute(
        view_query(actor.workspace_id).where(
            RaidEntry.owner_id == actor.person_id,
            RaidEntry.closed_at.is_(None),
            RaidEntry.kind != RaidKind.DECISION,
            visible(actor),
        )
    ).all()
    views = [to_view(r, policy) for r in rows]
    horizon = date.fromordinal(today.toordinal() + days)
    due = [v for v in views if v.next_date is not None and v.next_date <= horizon]
    return sorted(due, key=lambda v: (v.next_date or today, -(v.score or 0), v.id))[:limit]


def open_red_risks(session: Session, *, workspace_id: int, project_id: int) -> list[RaidEntryView]:
    """A project's open threats in the red band, highest score first."""
    policy = policy_of(session, workspace_id)
    rows = session.execute(
        view_query(workspace_id)
        .where(
            RaidEntry.project_id == project_id,
            RaidEntry.kind == RaidKind.RISK,
            RaidEntry.closed_at.is_(None),
            RaidEntry.opportunity.is_(False),
            RaidEntry.score >= policy.red,
        )
        .order_by(RaidEntry.score.desc(), RaidEntry.id)
    ).all()
    return [to_view(r, policy) for r in rows]


def top_risk_by_project(
    session: Session, workspace_id: int, project_ids: list[int] | set[int]
) -> dict[int, RaidEntryView]:
    """Each project's open threat with the highest score (the oldest of equals), in one
    statement: for the project register and the report."""
    if not project_ids:
        return {}
    ranked = (
        select(
            RaidEntry.id.label("entry_id"),
            func.row_number()
            .over(
                partition_by=RaidEntry.project_id,
                order_by=(RaidEntry.score.desc(), RaidEntry.id),
            )
            .label("n"),
        )
        .where(
            RaidEntry.workspace_id == workspace_id,
            RaidEntry.project_id.in_(list(project_ids)),
            RaidEntry.kind == RaidKind.RISK,
            RaidEntry.closed_at.is_(None),
            RaidEntry.opportunity.is_(False),
        )
        .subquery()
    )
    top_ids = select(ranked.c.entry_id).where(ranked.c.n == 1).scalar_subquery()
    rows = session.execute(
        view_query(workspace_id)
        .add_columns(type_coerce(Workspace.settings, String).label("settings"))
        .join(Workspace, Workspace.id == RaidEntry.workspace_id)
        .where(RaidEntry.id.in_(top_ids))
    ).all()
    if not rows:
        return {}
    policy = RaidPolicy.from_settings(json.loads(rows[0].settings or "{}"))
    return {r.project_id: to_view(r, policy) for r in rows}


def project_of(session: Session, entry_id: int) -> Project | None:
    e = session.get(RaidEntry, entry_id)
    return session.get(Project, e.project_id) if e else None
