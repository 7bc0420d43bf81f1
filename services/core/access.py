"""Who is acting, what they may see and what they may change."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from models import (
    Membership,
    Person,
    Project,
    ProjectRole,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from models.enums import DateOrder
from services.core.date_order import DEFAULT_ORDER, effective_order
from services.core.dates import DateSense
from services.core.errors import NotFound, PermissionDenied
from services.core.refs import Cmd, phrase


@dataclass(frozen=True)
class Actor:
    """The person a request acts as, with their workspace-wide roles."""

    workspace_id: int
    person_id: int
    handle: str
    display_name: str
    timezone: str
    roles: frozenset[WorkspaceRoleName] = frozenset()
    date_order: DateOrder = DEFAULT_ORDER  # how they write numeric dates (own, locale, workspace)

    def sense(self, now: datetime) -> DateSense:
        """How this person reads dates at `now` (their zone and date order)."""
        return DateSense(self.timezone, self.date_order, now)

    @property
    def is_admin(self) -> bool:
        return WorkspaceRoleName.ADMIN in self.roles

    @property
    def is_pmo_lead(self) -> bool:
        return WorkspaceRoleName.PMO_LEAD in self.roles


def actor_for(session: Session, person: Person) -> Actor:
    """Build the Actor for `person` (one query: their workspace roles and its date order)."""
    rows = session.execute(
        select(Workspace.date_order, WorkspaceRole.role)
        .select_from(Workspace)
        .outerjoin(
            WorkspaceRole,
            and_(
                WorkspaceRole.workspace_id == Workspace.id,
                WorkspaceRole.person_id == person.id,
            ),
        )
        .where(Workspace.id == person.workspace_id)
    ).all()
    roles = [role for _, role in rows if role is not None]
    ws_order = rows[0][0] if rows else None
    return Actor(
        workspace_id=person.workspace_id,
        person_id=person.id,
        handle=person.handle,
        display_name=person.display_name,
        timezone=person.timezone,
        roles=frozenset(roles),
        date_order=effective_order(person.date_order, person.locale, ws_order),
    )


def member_project_ids(actor: Actor):
    """A subquery of the ids of projects the actor is a member of."""
    return select(Membership.project_id).where(
        Membership.person_id == actor.person_id, Membership.workspace_id == actor.workspace_id
    )


def visible_projects(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on Project: public projects, and private ones the actor belongs to."""
    return or_(Project.private == false(), Project.id.in_(member_project_ids(actor)))


def project_role(session: Session, person_id: int, project_id: int) -> ProjectRole | None:
    """A person's role in a project, if any."""
    return session.scalar(
        select(Membership.role).where(
            Membership.project_id == project_id, Membership.person_id == person_id
        )
    )


def can_manage(actor: Actor, role: ProjectRole | None) -> bool:
    """PMs and PMO leads (workspace-wide or on the project) manage a project."""
    return actor.is_pmo_lead or role in (ProjectRole.PM, ProjectRole.PMO_LEAD)


def managed_project_ids(session: Session, actor: Actor) -> set[int] | None:
    """The ids of the projects the actor manages (None: every one, for a PMO lead)."""
    if actor.is_pmo_lead:
        return None
    return set(
        session.scalars(
            select(Membership.project_id).where(
                Membership.person_id == actor.person_id,
                Membership.role.in_((ProjectRole.PM, ProjectRole.PMO_LEAD)),
            )
        )
    )


def contributing_project_ids(session: Session, actor: Actor) -> set[int] | None:
    """The ids of the projects the actor may add to (None: every one, for a PMO lead)."""
    if actor.is_pmo_lead:
        return None
    return set(
        session.scalars(
            select(Membership.project_id).where(
                Membership.person_id == actor.person_id, Membership.role != ProjectRole.VIEWER
            )
        )
    )


def can_contribute(actor: Actor, role: ProjectRole | None) -> bool:
    """Members (any role but viewer) and PMO leads add to a project: its action items, RAID
    log, meetings and minutes. Viewers only read; non-members neither."""
    return actor.is_pmo_lead or role not in (None, ProjectRole.VIEWER)


def can_change_item(
    actor: Actor, role: ProjectRole | None, *, owner_id: int, creator_id: int, in_project: bool
) -> bool:
    """An action item is changed by its owner, the project's PM and PMO leads, and by its
    creator while they may still add to its project (a creator made a viewer or removed
    from the project no longer changes it; an item of no project stays theirs)."""
    if actor.is_pmo_lead or actor.person_id == owner_id:
        return True
    if in_project and role in (ProjectRole.PM, ProjectRole.PMO_LEAD):
        return True
    return actor.person_id == creator_id and (not in_project or can_contribute(actor, role))


def require_contributor(
    session: Session, actor: Actor, project: Project, what: str, *, field: str | None = None
) -> None:
    """Raise PermissionDenied unless the actor may add to the project (`what`: "add its
    action items", "change its minutes"…)."""
    if not can_contribute(actor, project_role(session, actor.person_id, project.id)):
        raise PermissionDenied(
            f"Only members of {project.key} can {what}.",
            phrase("Ask its PM to add you: ", Cmd(f"project add {project.key} @you member")),
            field=field,
        )


def require_manager(actor: Actor, role: ProjectRole | None, project: Project, what: str) -> None:
    """Raise PermissionDenied unless the actor is the project's PM or a PMO lead."""
    if not can_manage(actor, role):
        raise PermissionDenied(
            f"Only {project.key}'s PM or a PMO lead can {what}.",
            f"Ask the PM of {project.key} (see `project show {project.key}`).",
        )


def get_project(session: Session, actor: Actor, key: str) -> Project:
    """The visible project with this key, or NotFound with a did-you-mean suggestion."""
    key = key.strip().upper()
    project = session.scalar(
        select(Project).where(
            Project.workspace_id == actor.workspace_id, Project.key == key, visible_projects(actor)
        )
    )
    if project is not None:
        return project
    keys = session.scalars(
        select(Project.key).where(
            Project.workspace_id == actor.workspace_id, visible_projects(actor)
        )
    ).all()
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    hint = (
        f"Did you mean {close[0]}?" if close else "See `project list` for the projects you can see."
    )
    raise NotFound(f"There is no project {key}.", hint)
