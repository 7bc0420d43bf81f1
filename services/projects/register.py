"""Projects: create, update, close, list, show (their members are changed in `members`)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    ActionStatus,
    Deliverable,
    DeliverableStatus,
    Membership,
    Person,
    Project,
    ProjectRole,
    ProjectState,
)
from services.core import audit
from services.core.access import (
    Actor,
    get_project,
    member_project_ids,
    project_role,
    require_manager,
    visible_projects,
)
from services.core.dates import local_today
from services.core.errors import Conflict, InvalidInput
from services.core.people import person_ref
from services.core.refs import Cmd, phrase
from services.core.views import MemberView, PersonRef, ProjectView
from services.workspace.settings import parse_channel

KEY_RE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
PROJECT_FIELDS = (
    "key",
    "name",
    "description",
    "phase",
    "state",
    "start_on",
    "target_on",
    "home_channel",
    "private",
)
EDITABLE = {
    "name": "name",
    "description": "description",
    "desc": "description",
    "phase": "phase",
    "start": "start_on",
    "target": "target_on",
    "channel": "home_channel",
    "private": "private",
    "state": "state",
}


def validate_key(key: str) -> str:
    """An upper-case project key of 2-16 letters and digits, starting with a letter."""
    norm = key.strip().upper()
    if not KEY_RE.match(norm):
        raise InvalidInput(
            f"{key!r} can't be a project key.",
            "Use 2-16 letters and digits starting with a letter, e.g. APOLLO or CRM2.",
            field="key",
        )
    return norm


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(
            "The project needs a name.",
            phrase("e.g. ", Cmd('project new APOLLO "Moon landing"')),
            field="name",
        )
    if len(name) > 200:
        raise InvalidInput(
            f"The name is {len(name)} characters long; the limit is 200.", field="name"
        )
    return name


def create(
    session: Session,
    actor: Actor,
    *,
    key: str,
    name: str,
    now: datetime,
    pm: Person | None = None,
    private: bool = False,
    description: str = "",
    home_channel: str | None = None,
) -> ProjectView:
    """Create a project; its creator is its PM unless another PM is named."""
    key = validate_key(key)
    name = _clean_name(name)
    exists = session.scalar(
        select(Project.id).where(Project.workspace_id == actor.workspace_id, Project.key == key)
    )
    if exists is not None:
        raise Conflict(
            f"A project with key {key} already exists.", "Choose another key.", field="key"
        )
    project = Project(
        workspace_id=actor.workspace_id,
        key=key,
        name=name,
        description=description,
        private=private,
        state=ProjectState.ACTIVE,
        home_channel=home_channel,
        created_at=now,
    )
    session.add(project)
    session.flush()
    pm_id = pm.id if pm is not None else actor.person_id
    add_membership(
        session, actor, project_id=project.id, person_id=pm_id, role=ProjectRole.PM, now=now
    )
    if pm_id != actor.person_id:
        # The creator keeps sight of the project (private ones included).
        creator_role = ProjectRole.PMO_LEAD if actor.is_pmo_lead else ProjectRole.MEMBER
        add_membership(
            session,
            actor,
            project_id=project.id,
            person_id=actor.person_id,
            role=creator_role,
            now=now,
        )
    session.flush()
    _audit(session, actor, project, "create", None, now)
    return show(session, actor, key=key, now=now)


def update(
    session: Session, actor: Actor, *, key: str, field: str, value: object, now: datetime
) -> ProjectView:
    """Change one field of a project. PM or PMO lead."""
    project = get_project(session, actor, key)
    require_manager(actor, project_role(session, actor.person_id, project.id), project, "change it")
    attr = EDITABLE.get(field.lower())
    if attr is None:
        raise InvalidInput(
            f"{field!r} is not a project field I can change.",
            f"Fields: {', '.join(sorted(set(EDITABLE) - {'desc'}))}.",
        )
    before = audit.snapshot(project, PROJECT_FIELDS)
    if attr == "name":
        value = _clean_name(str(value))
    elif attr in ("start_on", "target_on"):
        if not isinstance(value, date):
            raise InvalidInput(f"{field} needs a date.")
    elif attr == "private":
        if not isinstance(value, bool):
            raise InvalidInput("private takes yes or no.")
    elif attr == "state":
        try:
            value = ProjectState(str(value).lower().replace("-", "_").replace(" ", "_"))
        except ValueError:
            raise InvalidInput(
                f"{value!r} is not a project state.", "States: active, on_hold, closed."
            ) from None
        if value == ProjectState.CLOSED:
            return close(session, actor, key=key, now=now)
        project.closed_at = None
    elif attr == "description":
        value = str(value)[:4000]
    elif attr == "home_channel":
        value = parse_channel(str(value))
    else:
        value = str(value)[: 64 if attr == "home_channel" else 40] or None
    setattr(project, attr, value)
    if project.start_on and project.target_on and project.target_on < project.start_on:
        raise InvalidInput("The target date is before the start date.")
    session.flush()
    _audit(session, actor, project, "update", before, now)
    return show(session, actor, key=project.key, now=now)


def close(session: Session, actor: Actor, *, key: str, now: datetime) -> ProjectView:
    """Close a project. PM or PMO lead. Its open items stay listed under it."""
    project = get_project(session, actor, key)
    require_manager(actor, project_role(session, actor.person_id, project.id), project, "close it")
    if project.state == ProjectState.CLOSED:
        raise Conflict(f"{project.key} is already closed.")
    before = audit.snapshot(project, PROJECT_FIELDS)
    project.state = ProjectState.CLOSED
    project.closed_at = now
    session.flush()
    _audit(session, actor, project, "close", before, now)
    return show(session, actor, key=project.key, now=now)


def _audit(
    session: Session,
    actor: Actor,
    project: Project,
    action: str,
    before: dict[str, Any] | None,
    now: datetime,
) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="project",
        entity_id=project.id,
        action=action,
        before=before,
        after=audit.snapshot(project, PROJECT_FIELDS),
        now=now,
    )


def _counts(session: Session, project_ids: list[int] | None, workspace_id: int, today: date):
    """Open/overdue action and open/late deliverable counts per project (two statements)."""
    a_open = ActionItem.status == ActionStatus.OPEN
    aq = (
        select(
            ActionItem.project_id,
            func.count(ActionItem.id),
            func.sum(
                case((and_(ActionItem.due_on.is_not(None), ActionItem.due_on < today), 1), else_=0)
            ),
        )
        .where(ActionItem.workspace_id == workspace_id, a_open, ActionItem.project_id.is_not(None))
        .group_by(ActionItem.project_id)
    )
    d_open = Deliverable.status.in_([DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS])
    dq = (
        select(
            Deliverable.project_id,
            func.count(Deliverable.id),
            func.sum(case((Deliverable.forecast_on < today, 1), else_=0)),
        )
        .where(Deliverable.workspace_id == workspace_id, d_open)
        .group_by(Deliverable.project_id)
    )
    if project_ids is not None:
        aq = aq.where(ActionItem.project_id.in_(project_ids))
        dq = dq.where(Deliverable.project_id.in_(project_ids))
    actions = {pid: (n, int(late or 0)) for pid, n, late in session.execute(aq)}
    deliverables = {pid: (n, int(late or 0)) for pid, n, late in session.execute(dq)}
    return actions, deliverables


def list_projects(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    include_closed: bool = False,
    member_only: bool = False,
) -> list[ProjectView]:
    """The projects the actor can see, with their PM and open/overdue counts (4 statements)."""
    q = select(Project).where(Project.workspace_id == actor.workspace_id, visible_projects(actor))
    if member_only:
        q = q.where(Project.id.in_(member_project_ids(actor)))
    if not include_closed:
        q = q.where(Project.state != ProjectState.CLOSED)
    projects = session.scalars(q.order_by(Project.key)).all()
    if not projects:
        return []
    pms: dict[int, PersonRef] = {}
    for pid, person in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .join(Project, Project.id == Membership.project_id)
        .where(Membership.workspace_id == actor.workspace_id, Membership.role == ProjectRole.PM)
        .where(visible_projects(actor))
        .order_by(Membership.id)
    ):
        pms.setdefault(pid, person_ref(person))
    actions, deliverables = _counts(
        session, None, actor.workspace_id, local_today(now, actor.timezone)
    )
    return [
        _view(p, pms.get(p.id), (), actions.get(p.id, (0, 0)), deliverables.get(p.id, (0, 0)))
        for p in projects
    ]


def show(session: Session, actor: Actor, *, key: str, now: datetime) -> ProjectView:
    """One project with its members and counts."""
    project = get_project(session, actor, key)
    rows = session.execute(
        select(Membership.role, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.project_id == project.id)
        .order_by(Membership.id)
    ).all()
    order = {r: i for i, r in enumerate(ProjectRole)}
    members = tuple(
        sorted((MemberView(person_ref(p), r) for r, p in rows), key=lambda m: order[m.role])
    )
    pm = next((m.person for m in members if m.role == ProjectRole.PM), None)
    actions, deliverables = _counts(
        session, [project.id], actor.workspace_id, local_today(now, actor.timezone)
    )
    return _view(
        project, pm, members, actions.get(project.id, (0, 0)), deliverables.get(project.id, (0, 0))
    )


def _view(
    p: Project,
    pm: PersonRef | None,
    members: tuple[MemberView, ...],
    actions: tuple[int, int],
    deliverables: tuple[int, int],
) -> ProjectView:
    return ProjectView(
        id=p.id,
        key=p.key,
        name=p.name,
        state=p.state,
        private=p.private,
        phase=p.phase,
        description=p.description,
        start_on=p.start_on,
        target_on=p.target_on,
        home_channel=p.home_channel,
        pm=pm,
        members=members,
        open_actions=actions[0],
        overdue_actions=actions[1],
        open_deliverables=deliverables[0],
        late_deliverables=deliverables[1],
    )


def add_membership(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    person_id: int,
    role: ProjectRole,
    now: datetime,
) -> None:
    """Make a person a member of a project with a role (the caller checks and audits)."""
    session.add(
        Membership(
            workspace_id=actor.workspace_id,
            project_id=project_id,
            person_id=person_id,
            role=role,
            created_at=now,
        )
    )
