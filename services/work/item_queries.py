"""How action items are read: the one view query, who may see an item, and a page of a list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from models import ActionItem, Person, Project
from services.core.access import Actor, visible_projects
from services.core.people import person_ref
from services.core.views import ActionItemView, Page


def view_query(workspace_id: int) -> Select:
    """A workspace's items with their owner, creator, project key and privacy (one select)."""
    owner = aliased(Person, name="owner")
    creator = aliased(Person, name="creator")
    return (
        select(ActionItem, owner, creator, Project.key, Project.private)
        .join(owner, owner.id == ActionItem.owner_id)
        .join(creator, creator.id == ActionItem.created_by_id)
        .outerjoin(Project, Project.id == ActionItem.project_id)
        .where(ActionItem.workspace_id == workspace_id)
    )


def views_for_minutes(session: Session, workspace_id: int, minutes_id: int) -> list[ActionItemView]:
    """The action items minuted in one minutes session, in the order they were taken."""
    q = view_query(workspace_id).where(ActionItem.minutes_id == minutes_id)
    return [to_view(*row) for row in session.execute(q.order_by(ActionItem.id))]


def to_view(
    item: ActionItem, owner: Person, creator: Person, key: str | None, private: bool | None
) -> ActionItemView:
    """One row of `view_query` as a view."""
    return ActionItemView(
        id=item.id,
        title=item.title,
        status=item.status,
        owner=person_ref(owner),
        project_key=key,
        due_on=item.due_on,
        snoozed_until=item.snoozed_until,
        source_ref=item.source_ref,
        created_by=person_ref(creator),
        done_at=item.done_at,
        notes=item.notes,
        project_private=bool(private),
    )


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """Items the actor may see.

    An item in a project is seen through the project: public ones by everyone, private ones by
    their members only (so someone removed from a private project stops seeing its items).
    Items with no project are seen by their owner and creator, and by PMO leads.
    """
    in_visible_project = ActionItem.project_id.in_(
        select(Project.id).where(
            Project.workspace_id == actor.workspace_id, visible_projects(actor)
        )
    )
    if actor.is_pmo_lead:
        return or_(ActionItem.project_id.is_(None), in_visible_project)
    mine = or_(ActionItem.owner_id == actor.person_id, ActionItem.created_by_id == actor.person_id)
    return or_(and_(ActionItem.project_id.is_(None), mine), in_visible_project)


def page(
    session: Session,
    actor: Actor,
    *,
    where: list[Any],
    limit: int,
    offset: int = 0,
    order: tuple[Any, ...] = (),
) -> Page[ActionItemView]:
    """`limit` visible items matching `where` after the first `offset`, soonest due first
    (or in `order`), and how many match in all."""
    q = view_query(actor.workspace_id).where(*where, visible_to(actor))
    order = order or (ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    rows = session.execute(q.order_by(*order).offset(offset).limit(limit)).all()
    if len(rows) < limit and (rows or not offset):
        total = offset + len(rows)
    else:
        total = (
            session.scalar(
                select(func.count(ActionItem.id)).where(
                    ActionItem.workspace_id == actor.workspace_id, *where, visible_to(actor)
                )
            )
            or 0
        )
    return Page([to_view(*r) for r in rows], total, offset, limit)
