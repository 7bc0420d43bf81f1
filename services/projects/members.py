"""Project members and their roles: add someone (or change their role), remove someone; a
project always keeps a PM. Its PM or a PMO lead may."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Membership, Person, Project, ProjectRole
from services.core import audit
from services.core.access import Actor, get_project, project_role, require_manager
from services.core.errors import Conflict, InvalidInput
from services.core.views import ProjectView
from services.projects.register import add_membership, show


def parse_project_role(text: str) -> ProjectRole:
    """A project role from what was typed."""
    norm = text.strip().lower().replace("-", "_")
    norm = {"pmo": "pmo_lead", "owner": "pm", "manager": "pm", "read": "viewer"}.get(norm, norm)
    try:
        return ProjectRole(norm)
    except ValueError:
        roles = ", ".join(r.value for r in ProjectRole)
        raise InvalidInput(f"{text!r} is not a project role.", f"Roles are: {roles}.") from None


def add_member(
    session: Session, actor: Actor, *, key: str, person: Person, role: ProjectRole, now: datetime
) -> ProjectView:
    """Add a person to a project with a role, or change their role. PM or PMO lead."""
    project = get_project(session, actor, key)
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "change its members"
    )
    if person.workspace_id != actor.workspace_id or not person.active:
        raise InvalidInput(f"@{person.handle} can't be added to a project here.")
    existing = session.scalar(
        select(Membership).where(
            Membership.project_id == project.id, Membership.person_id == person.id
        )
    )
    if existing is not None and existing.role == role:
        raise Conflict(f"@{person.handle} is already {role.value} of {project.key}.")
    before = None
    if existing is not None:
        before = {"person": person.handle, "role": existing.role.value}
        if existing.role == ProjectRole.PM and role != ProjectRole.PM:
            _require_other_pm(session, project, person)
        existing.role = role
    else:
        add_membership(
            session, actor, project_id=project.id, person_id=person.id, role=role, now=now
        )
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="membership",
        entity_id=project.id,
        action="update" if before else "add",
        before=before,
        after={"person": person.handle, "role": role.value},
        now=now,
    )
    return show(session, actor, key=project.key, now=now)


def remove_member(
    session: Session, actor: Actor, *, key: str, person: Person, now: datetime
) -> ProjectView:
    """Remove a person from a project. PM or PMO lead; a project always keeps a PM."""
    project = get_project(session, actor, key)
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "change its members"
    )
    existing = session.scalar(
        select(Membership).where(
            Membership.project_id == project.id, Membership.person_id == person.id
        )
    )
    if existing is None:
        raise InvalidInput(f"@{person.handle} is not a member of {project.key}.")
    if existing.role == ProjectRole.PM:
        _require_other_pm(session, project, person)
    session.delete(existing)
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="membership",
        entity_id=project.id,
        action="remove",
        before={"person": person.handle, "role": existing.role.value},
        after=None,
        now=now,
    )
    return show(session, actor, key=project.key, now=now)


def _require_other_pm(session: Session, project: Project, person: Person) -> None:
    others = session.scalar(
        select(func.count(Membership.id)).where(
            Membership.project_id == project.id,
            Membership.role == ProjectRole.PM,
            Membership.person_id != person.id,
        )
    )
    if not others:
        raise Conflict(
            f"{project.key} would have no PM.",
            f"Make someone else PM first: project add {project.key} @someone pm",
        )
