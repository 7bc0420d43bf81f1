"""How RAID entries are read: the one view query, who may see an entry (through its project),
who may add and change entries, and finding an entry by its ref (`R-3`, `APOLLO R-3`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, aliased

from models import Person, Project, ProjectRole, ProjectState, RaidEntry, RaidKind
from services.commands.ast_raid import LETTERS, RaidRef
from services.core.access import Actor, get_project, project_role, visible_projects
from services.core.errors import Conflict, NotFound, PermissionDenied
from services.core.people import person_ref
from services.core.refs import Cmd, phrase
from services.raid.policy import RaidPolicy
from services.raid.views import RaidEntryView, next_date

MANAGERS = (ProjectRole.PM, ProjectRole.PMO_LEAD)


def view_query(workspace_id: int) -> Select:
    """A workspace's entries with their project and people (one select)."""
    owner = aliased(Person, name="owner")
    actionee = aliased(Person, name="actionee")
    raiser = aliased(Person, name="raiser")
    linked = aliased(RaidEntry, name="linked")
    return (
        select(RaidEntry, Project, owner, actionee, raiser, linked.kind, linked.number)
        .join(Project, Project.id == RaidEntry.project_id)
        .join(raiser, raiser.id == RaidEntry.raised_by_id)
        .outerjoin(owner, owner.id == RaidEntry.owner_id)
        .outerjoin(actionee, actionee.id == RaidEntry.actionee_id)
        .outerjoin(linked, linked.id == RaidEntry.linked_entry_id)
        .where(RaidEntry.workspace_id == workspace_id)
    )


def visible(actor: Actor) -> ColumnElement[bool]:
    """Entries the actor may see: those of the projects they may see."""
    return RaidEntry.project_id.in_(
        select(Project.id).where(
            Project.workspace_id == actor.workspace_id, visible_projects(actor)
        )
    )


def to_view(row: Any, policy: RaidPolicy) -> RaidEntryView:
    """One row of `view_query` as a view."""
    e, p, owner, actionee, raiser, linked_kind, linked_number = row
    linked = f"{LETTERS[linked_kind.value]}-{linked_number}" if linked_kind is not None else None
    return RaidEntryView(
        id=e.id,
        kind=e.kind,
        number=e.number,
        project_key=p.key,
        project_name=p.name,
        project_private=p.private,
        title=e.title,
        status=e.status,
        raised_by=person_ref(raiser),
        owner=person_ref(owner) if owner is not None else None,
        actionee=person_ref(actionee) if actionee is not None else None,
        description=e.description,
        category=e.category,
        opportunity=e.opportunity,
        probability=e.probability,
        impact=e.impact,
        score=e.score,
        residual_probability=e.residual_probability,
        residual_impact=e.residual_impact,
        band=policy.band(e.score) if e.kind == RaidKind.RISK else None,
        proximity=e.proximity,
        strategy=e.strategy,
        next_date=next_date(e),
        reviewed_at=e.reviewed_at,
        issue_type=e.issue_type,
        priority=e.priority,
        severity=e.severity,
        resolution=e.resolution,
        linked=linked,
        decided_on=e.decided_on,
        minutes_id=e.minutes_id,
        source_ref=e.source_ref,
        created_at=e.created_at,
        closed_at=e.closed_at,
        home_channel=p.home_channel,
    )


def _where_ref(actor: Actor, ref: RaidRef) -> list[ColumnElement[bool]]:
    if ref.entry_id is not None:
        return [RaidEntry.id == ref.entry_id]
    cond = [RaidEntry.kind == RaidKind(ref.kind), RaidEntry.number == ref.number]
    if ref.key:
        cond.append(
            RaidEntry.project_id
            == select(Project.id)
            .where(Project.workspace_id == actor.workspace_id, Project.key == ref.key.upper())
            .scalar_subquery()
        )
    return cond


def find(session: Session, actor: Actor, ref: RaidRef) -> RaidEntry:
    """The visible entry a ref names; with no project key it must be the only one."""
    if ref.key:
        get_project(session, actor, ref.key)  # an unknown key says "did you mean"
    found = session.scalars(
        select(RaidEntry)
        .where(
            RaidEntry.workspace_id == actor.workspace_id, *_where_ref(actor, ref), visible(actor)
        )
        .limit(6)
    ).all()
    if not found:
        raise NotFound(
            f"There is no {ref.label}.", phrase("See ", Cmd("raid all"), " for the RAID log.")
        )
    if len(found) > 1:
        keys = sorted(
            session.scalars(
                select(Project.key).where(Project.id.in_({e.project_id for e in found}))
            ).all()
        )
        example = f"{keys[0]} {ref.label}"
        raise NotFound(
            f"{ref.label} is in more than one project ({', '.join(keys)}).",
            phrase("Name the project: ", Cmd(f"raid show {example}"), "."),
        )
    return found[0]


def may_change(session: Session, actor: Actor, entry: RaidEntry) -> bool:
    """The entry's owner, its project's PM or a PMO lead."""
    if actor.is_pmo_lead or entry.owner_id == actor.person_id:
        return True
    return project_role(session, actor.person_id, entry.project_id) in MANAGERS


def for_change(session: Session, actor: Actor, ref: RaidRef) -> RaidEntry:
    """The entry a ref names, if the actor may change it."""
    entry = find(session, actor, ref)
    if not may_change(session, actor, entry):
        project = session.get(Project, entry.project_id)
        key = project.key if project else "its project"
        raise PermissionDenied(
            f"Only the owner of {ref_label(entry)}, {key}'s PM or a PMO lead can change it.",
            phrase("Ask them, or see it with ", Cmd(f"raid show {key} {ref_label(entry)}"), "."),
        )
    return entry


def ref_label(entry: RaidEntry) -> str:
    return f"{LETTERS[entry.kind.value]}-{entry.number}"


def project_for_adding(session: Session, actor: Actor, key: str, what: str) -> Project:
    """The project an entry is added to: members (not viewers) and PMO leads add."""
    try:
        project = get_project(session, actor, key)
    except NotFound as err:
        raise err.on("project") from None
    if project.state == ProjectState.CLOSED:
        raise Conflict(
            f"{project.key} is closed.",
            phrase("Reopen it first: ", Cmd(f"project set {project.key} state active")),
            field="project",
        )
    role = project_role(session, actor.person_id, project.id)
    if not actor.is_pmo_lead and role in (None, ProjectRole.VIEWER):
        raise PermissionDenied(
            f"Only members of {project.key} can add to its {what}.",
            phrase("Ask its PM to add you: ", Cmd(f"project add {project.key} @you member")),
            field="project",
        )
    return project
