"""Deliverables: add, re-forecast, complete, list. Changed by the project's PM or a PMO lead."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Deliverable, DeliverableStatus, Person, Project, ProjectState
from services.core import audit
from services.core.access import (
    Actor,
    get_project,
    managed_project_ids,
    member_project_ids,
    project_role,
    require_manager,
    visible_projects,
)
from services.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from services.core.people import person_ref
from services.core.refs import Cmd, phrase
from services.core.views import DeliverableView, ProjectView

FIELDS = ("title", "owner_id", "baseline_on", "forecast_on", "status")
OPEN_STATES = (DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS)


def _view(d: Deliverable, key: str, owner: Person | None, private: bool = False) -> DeliverableView:
    return DeliverableView(
        id=d.id,
        title=d.title,
        project_key=key,
        owner=person_ref(owner) if owner is not None else None,
        baseline_on=d.baseline_on,
        forecast_on=d.forecast_on,
        status=d.status,
        done_at=d.done_at,
        project_private=private,
    )


def _audit(
    session: Session, actor: Actor, d: Deliverable, action: str, before: dict | None, now: datetime
) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="deliverable",
        entity_id=d.id,
        action=action,
        before=before,
        after=audit.snapshot(d, FIELDS),
        now=now,
    )


def add(
    session: Session,
    actor: Actor,
    *,
    key: str,
    title: str,
    owner: Person | None,
    due_on: date,
    now: datetime,
) -> DeliverableView:
    """Add a deliverable; its baseline and forecast both start at `due_on`."""
    try:
        project = get_project(session, actor, key)
        require_manager(
            actor, project_role(session, actor.person_id, project.id), project, "add deliverables"
        )
    except DomainError as err:
        raise err.on("project") from None
    if project.state == ProjectState.CLOSED:
        raise Conflict(f"{project.key} is closed.", field="project")
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("The deliverable needs a title.", field="title")
    if len(title) > 300:
        raise InvalidInput(
            f"The title is {len(title)} characters long; the limit is 300.", field="title"
        )
    if owner is not None and (owner.workspace_id != actor.workspace_id or not owner.active):
        raise InvalidInput(f"@{owner.handle} can't own deliverables here.", field="owner")
    d = Deliverable(
        workspace_id=actor.workspace_id,
        project_id=project.id,
        title=title,
        owner_id=owner.id if owner else None,
        baseline_on=due_on,
        forecast_on=due_on,
        status=DeliverableStatus.PLANNED,
        created_at=now,
    )
    session.add(d)
    session.flush()
    _audit(session, actor, d, "create", None, now)
    return _view(d, project.key, owner, project.private)


def _load(session: Session, actor: Actor, deliverable_id: int) -> tuple[Deliverable, Project]:
    row = session.execute(
        select(Deliverable, Project)
        .join(Project, Project.id == Deliverable.project_id)
        .where(
            Deliverable.id == deliverable_id,
            Deliverable.workspace_id == actor.workspace_id,
            visible_projects(actor),
        )
    ).first()
    if row is None:
        raise NotFound(
            f"There is no deliverable #{deliverable_id}.", "See `deliverable list <KEY>`."
        )
    d, project = row
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "change deliverables"
    )
    return d, project


def list_forecast(session: Session, actor: Actor, *, deliverable_id: int) -> date | None:
    """A deliverable's forecast date as it stands (None if the actor can't see it)."""
    return session.scalar(
        select(Deliverable.forecast_on)
        .join(Project, Project.id == Deliverable.project_id)
        .where(
            Deliverable.id == deliverable_id,
            Deliverable.workspace_id == actor.workspace_id,
            visible_projects(actor),
        )
    )


def forecast(
    session: Session, actor: Actor, *, deliverable_id: int, on: date, now: datetime
) -> DeliverableView:
    """Move the forecast date; the baseline stays, so the slip shows."""
    d, project = _load(session, actor, deliverable_id)
    if d.status not in OPEN_STATES:
        raise Conflict(f"Deliverable #{d.id} is {d.status.value}; it can't be re-forecast.")
    before = audit.snapshot(d, FIELDS)
    d.forecast_on, d.updated_at = on, now
    session.flush()
    _audit(session, actor, d, "forecast", before, now)
    owner = session.get(Person, d.owner_id) if d.owner_id else None
    return _view(d, project.key, owner, project.private)


def complete(
    session: Session, actor: Actor, *, deliverable_id: int, now: datetime
) -> DeliverableView:
    """Mark a deliverable done."""
    d, project = _load(session, actor, deliverable_id)
    return finish(session, actor, d, project, now=now)


def finish(
    session: Session, actor: Actor, d: Deliverable, project: Project, *, now: datetime
) -> DeliverableView:
    """Mark a loaded deliverable done; the caller has checked the actor may (its PM, or its
    RACI Accountable signing it off)."""
    if d.status == DeliverableStatus.DONE:
        raise Conflict(f"Deliverable #{d.id} is already done.")
    before = audit.snapshot(d, FIELDS)
    d.status, d.done_at, d.updated_at = DeliverableStatus.DONE, now, now
    session.flush()
    _audit(session, actor, d, "complete", before, now)
    return view_of(session, d, project)


def view_of(session: Session, d: Deliverable, project: Project) -> DeliverableView:
    """A loaded deliverable as a view."""
    owner = session.get(Person, d.owner_id) if d.owner_id else None
    return _view(d, project.key, owner, project.private)


def list_for_project(
    session: Session, actor: Actor, *, key: str, include_done: bool = True
) -> list[DeliverableView]:
    """A project's deliverables by forecast date (one statement after the project lookup)."""
    project = get_project(session, actor, key)
    q = (
        select(Deliverable, Person)
        .outerjoin(Person, Person.id == Deliverable.owner_id)
        .where(Deliverable.project_id == project.id)
    )
    if not include_done:
        q = q.where(Deliverable.status.in_(OPEN_STATES))
    rows = session.execute(q.order_by(Deliverable.forecast_on, Deliverable.id)).all()
    return [_view(d, project.key, owner, project.private) for d, owner in rows]


def list_upcoming(
    session: Session, actor: Actor, *, today: date, days: int = 14, limit: int = 20
) -> list[DeliverableView]:
    """Open deliverables due within `days` (or late) in projects the actor belongs to."""
    rows = session.execute(
        select(Deliverable, Person, Project.key, Project.private)
        .join(Project, Project.id == Deliverable.project_id)
        .outerjoin(Person, Person.id == Deliverable.owner_id)
        .where(
            Deliverable.workspace_id == actor.workspace_id,
            Deliverable.status.in_(OPEN_STATES),
            Deliverable.forecast_on <= today + timedelta(days=days),
            Deliverable.project_id.in_(member_project_ids(actor)),
        )
        .order_by(Deliverable.forecast_on, Deliverable.id)
        .limit(limit)
    ).all()
    return [_view(d, key, owner, private) for d, owner, key, private in rows]


def get(session: Session, actor: Actor, *, deliverable_id: int) -> DeliverableView:
    """One deliverable of a project the actor may see."""
    row = session.execute(
        select(Deliverable, Project, Person)
        .join(Project, Project.id == Deliverable.project_id)
        .outerjoin(Person, Person.id == Deliverable.owner_id)
        .where(
            Deliverable.id == deliverable_id,
            Deliverable.workspace_id == actor.workspace_id,
            visible_projects(actor),
        )
    ).first()
    if row is None:
        raise NotFound(
            f"There is no deliverable #{deliverable_id}.", "See `deliverable list <KEY>`."
        )
    d, project, owner = row
    return _view(d, project.key, owner, project.private)


def form_projects(session: Session, actor: Actor, visible: list[ProjectView]) -> list[ProjectView]:
    """The projects the new-deliverable form offers: those the actor manages (PM, PMO lead).
    Someone who manages none gets no form but the reason."""
    managed = managed_project_ids(session, actor)
    mine = [p for p in visible if managed is None or p.id in managed]
    if visible and not mine:
        raise PermissionDenied(
            "Only a project's PM or a PMO lead adds its deliverables, and you lead no project.",
            phrase("Ask its PM (see ", Cmd("project list"), ")."),
        )
    return mine
