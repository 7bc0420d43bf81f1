"""Action items: add (by command or from minutes), assign, complete, reopen, snooze, cancel,
list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import ActionItem, ActionStatus, Person, Project, ProjectState, SourceKind
from services.core import audit
from services.core.access import (
    Actor,
    can_change_item,
    get_project,
    member_project_ids,
    project_role,
    require_contributor,
)
from services.core.dates import local_today
from services.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from services.core.refs import Cmd, phrase
from services.core.views import ActionItemView, Page
from services.work.item_queries import page, to_view, view_query, visible_to

ITEM_FIELDS = ("title", "owner_id", "due_on", "status", "snoozed_until", "project_id", "notes")
TITLE_LIMIT = 300
DEFAULT_LIMIT = 50


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput(
            "The action item needs a title.",
            phrase("e.g. ", Cmd('action add "Send the plan" @bob')),
            field="title",
        )
    if len(title) > TITLE_LIMIT:
        raise InvalidInput(
            f"The title is {len(title)} characters long; the limit is {TITLE_LIMIT}.",
            "Keep the title short and put the detail in the notes.",
            field="title",
        )
    return title


def _not_a_member(owner: Person, key: str) -> InvalidInput:
    """Only members may own a private project's items."""
    return InvalidInput(
        f"@{owner.handle} is not a member of private project {key}.",
        phrase("Add them first: ", Cmd(f"project add {key} @{owner.handle} member")),
        field="owner",
    )


def _audit(
    session: Session,
    actor: Actor,
    item: ActionItem,
    action: str,
    before: dict | None,
    now: datetime,
) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="action_item",
        entity_id=item.id,
        action=action,
        before=before,
        after=audit.snapshot(item, ITEM_FIELDS),
        now=now,
    )


def add(
    session: Session,
    actor: Actor,
    *,
    title: str,
    owner: Person,
    now: datetime,
    project_key: str | None = None,
    due_on: date | None = None,
    notes: str = "",
    source_kind: SourceKind = SourceKind.COMMAND,
    source_ref: str | None = None,
) -> ActionItemView:
    """Create an action item, in a project (members and PMO leads) or on its own."""
    title = _clean_title(title)
    if owner.workspace_id != actor.workspace_id or not owner.active:
        raise InvalidInput(f"@{owner.handle} can't own items here.", field="owner")
    project_id = None
    if project_key:
        try:
            project = get_project(session, actor, project_key)
        except DomainError as err:
            raise err.on("project") from None
        if project.state == ProjectState.CLOSED:
            raise Conflict(
                f"{project.key} is closed.",
                phrase("Reopen it first: ", Cmd(f"project set {project.key} state active")),
                field="project",
            )
        require_contributor(session, actor, project, "add its action items", field="project")
        if (
            project.private
            and owner.id != actor.person_id
            and project_role(session, owner.id, project.id) is None
        ):
            raise _not_a_member(owner, project.key)
        project_id = project.id
    item = ActionItem(
        workspace_id=actor.workspace_id,
        project_id=project_id,
        title=title,
        notes=notes[:4000],
        owner_id=owner.id,
        created_by_id=actor.person_id,
        due_on=due_on,
        status=ActionStatus.OPEN,
        source_kind=source_kind,
        source_ref=source_ref,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    _audit(session, actor, item, "create", None, now)
    return get(session, actor, item_id=item.id)


def create_from_minutes(
    session: Session,
    actor: Actor,
    *,
    minutes_id: int,
    project_id: int | None,
    title: str,
    owner: Person,
    now: datetime,
    due_on: date | None = None,
    source_ref: str | None = None,
) -> ActionItemView:
    """An action item minuted in a meeting: tracked at once, in the minutes' project."""
    title = _clean_title(title)
    if owner.workspace_id != actor.workspace_id or not owner.active:
        raise InvalidInput(f"@{owner.handle} can't own items here.")
    if project_id is not None:
        project = session.get(Project, project_id)
        if project and project.private and project_role(session, owner.id, project.id) is None:
            raise InvalidInput(
                f"@{owner.handle} is not a member of private project {project.key}.",
                f"Add them first: project add {project.key} @{owner.handle} member",
            )
    item = ActionItem(
        workspace_id=actor.workspace_id,
        project_id=project_id,
        title=title,
        notes="",
        owner_id=owner.id,
        created_by_id=actor.person_id,
        due_on=due_on,
        status=ActionStatus.OPEN,
        source_kind=SourceKind.MINUTES,
        source_ref=source_ref or f"minutes:{minutes_id}",
        minutes_id=minutes_id,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    _audit(session, actor, item, "create", None, now)
    return get(session, actor, item_id=item.id)


def get(session: Session, actor: Actor, *, item_id: int) -> ActionItemView:
    """One visible action item."""
    row = session.execute(
        view_query(actor.workspace_id).where(ActionItem.id == item_id, visible_to(actor))
    ).first()
    if row is None:
        raise NotFound(f"There is no action item #{item_id}.", "See `action list` for your items.")
    return to_view(*row)


def load_for_change(session: Session, actor: Actor, item_id: int) -> ActionItem:
    item = session.scalar(
        select(ActionItem).where(
            ActionItem.id == item_id,
            ActionItem.workspace_id == actor.workspace_id,
            visible_to(actor),
        )
    )
    if item is None:
        raise NotFound(f"There is no action item #{item_id}.", "See `action list` for your items.")
    in_project = item.project_id is not None
    role = project_role(session, actor.person_id, item.project_id) if item.project_id else None
    if can_change_item(
        actor, role, owner_id=item.owner_id, creator_id=item.created_by_id, in_project=in_project
    ):
        return item
    raise PermissionDenied(
        f"You can't change action item #{item_id}.",
        "Its owner, its creator, the project's PM or a PMO lead can.",
    )


def _require_open(item: ActionItem) -> None:
    if item.status != ActionStatus.OPEN:
        raise Conflict(
            f"Action item #{item.id} is {item.status.value}.",
            f"Reopen it first: action reopen {item.id}",
        )


def complete(session: Session, actor: Actor, *, item_id: int, now: datetime) -> ActionItemView:
    """Mark an item done."""
    item = load_for_change(session, actor, item_id)
    if item.status == ActionStatus.DONE:
        raise Conflict(f"Action item #{item.id} is already done.")
    before = audit.snapshot(item, ITEM_FIELDS)
    item.status, item.done_at, item.updated_at = ActionStatus.DONE, now, now
    session.flush()
    _audit(session, actor, item, "complete", before, now)
    return get(session, actor, item_id=item.id)


def reopen(session: Session, actor: Actor, *, item_id: int, now: datetime) -> ActionItemView:
    """Reopen a done or cancelled item."""
    item = load_for_change(session, actor, item_id)
    if item.status == ActionStatus.OPEN:
        raise Conflict(f"Action item #{item.id} is already open.")
    before = audit.snapshot(item, ITEM_FIELDS)
    item.status, item.done_at, item.updated_at = ActionStatus.OPEN, None, now
    session.flush()
    _audit(session, actor, item, "reopen", before, now)
    return get(session, actor, item_id=item.id)


def cancel(session: Session, actor: Actor, *, item_id: int, now: datetime) -> ActionItemView:
    """Cancel an open item: it stays on record and is no longer chased."""
    item = load_for_change(session, actor, item_id)
    _require_open(item)
    before = audit.snapshot(item, ITEM_FIELDS)
    item.status, item.updated_at = ActionStatus.CANCELLED, now
    session.flush()
    _audit(session, actor, item, "cancel", before, now)
    return get(session, actor, item_id=item.id)


def snooze(
    session: Session, actor: Actor, *, item_id: int, until: date, now: datetime
) -> ActionItemView:
    """Quiet reminders for an open item until a later date."""
    item = load_for_change(session, actor, item_id)
    _require_open(item)
    if until <= local_today(now, actor.timezone):
        raise InvalidInput("Snooze needs a date after today.", "e.g. action snooze 12 monday")
    before = audit.snapshot(item, ITEM_FIELDS)
    item.snoozed_until, item.updated_at = until, now
    session.flush()
    _audit(session, actor, item, "snooze", before, now)
    return get(session, actor, item_id=item.id)


def assign(
    session: Session, actor: Actor, *, item_id: int, owner: Person, now: datetime
) -> ActionItemView:
    """Give an open item to someone else."""
    item = load_for_change(session, actor, item_id)
    _require_open(item)
    if owner.workspace_id != actor.workspace_id or not owner.active:
        raise InvalidInput(f"@{owner.handle} can't own items here.", field="owner")
    if item.owner_id == owner.id:
        raise Conflict(f"@{owner.handle} already owns #{item.id}.")
    if item.project_id is not None:
        project = session.get(Project, item.project_id)
        if (
            project is not None
            and project.private
            and project_role(session, owner.id, project.id) is None
        ):
            raise _not_a_member(owner, project.key)
    before = audit.snapshot(item, ITEM_FIELDS)
    item.owner_id, item.snoozed_until, item.updated_at = owner.id, None, now
    session.flush()
    _audit(session, actor, item, "assign", before, now)
    return get(session, actor, item_id=item.id)


def edit(
    session: Session,
    actor: Actor,
    *,
    item_id: int,
    title: str,
    due_on: date | None,
    notes: str,
    owner: Person,
    now: datetime,
) -> ActionItemView:
    """Change an open item's title, due date, notes and owner in one audited step."""
    item = load_for_change(session, actor, item_id)
    _require_open(item)
    title = _clean_title(title)
    if owner.workspace_id != actor.workspace_id or not owner.active:
        raise InvalidInput(f"@{owner.handle} can't own items here.", field="owner")
    if item.project_id is not None and owner.id != item.owner_id:
        project = session.get(Project, item.project_id)
        if (
            project is not None
            and project.private
            and project_role(session, owner.id, project.id) is None
        ):
            raise _not_a_member(owner, project.key)
    before = audit.snapshot(item, ITEM_FIELDS)
    if owner.id != item.owner_id:
        item.snoozed_until = None
    item.title, item.due_on, item.notes, item.owner_id = title, due_on, notes[:4000], owner.id
    item.updated_at = now
    session.flush()
    _audit(session, actor, item, "edit", before, now)
    return get(session, actor, item_id=item.id)


def set_due(
    session: Session, actor: Actor, *, item_id: int, due_on: date | None, now: datetime
) -> ActionItemView:
    """Move an open item's due date."""
    item = load_for_change(session, actor, item_id)
    _require_open(item)
    before = audit.snapshot(item, ITEM_FIELDS)
    item.due_on, item.updated_at = due_on, now
    session.flush()
    _audit(session, actor, item, "reschedule", before, now)
    return get(session, actor, item_id=item.id)


def list_mine(
    session: Session, actor: Actor, *, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> Page[ActionItemView]:
    """My open items, soonest due first (undated last)."""
    where = [ActionItem.owner_id == actor.person_id, ActionItem.status == ActionStatus.OPEN]
    return page(session, actor, where=where, limit=limit, offset=offset)


def list_overdue(
    session: Session, actor: Actor, *, now: datetime, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> Page[ActionItemView]:
    """Open items past due that the actor can see, most overdue first.

    A PMO lead sees the whole visible portfolio; anyone else sees their own and their projects'.
    """
    today = local_today(now, actor.timezone)
    where = [ActionItem.status == ActionStatus.OPEN, ActionItem.due_on < today]
    if not actor.is_pmo_lead:
        where.append(
            or_(
                ActionItem.owner_id == actor.person_id,
                ActionItem.created_by_id == actor.person_id,
                ActionItem.project_id.in_(member_project_ids(actor)),
            )
        )
    return page(session, actor, where=where, limit=limit, offset=offset)


def list_project(
    session: Session,
    actor: Actor,
    *,
    key: str,
    limit: int = DEFAULT_LIMIT,
    include_closed: bool = False,
    offset: int = 0,
) -> Page[ActionItemView]:
    """A project's open items (or all of them), soonest due first."""
    project = get_project(session, actor, key)
    where = [ActionItem.project_id == project.id]
    if not include_closed:
        where.append(ActionItem.status == ActionStatus.OPEN)
    return page(session, actor, where=where, limit=limit, offset=offset)
