"""How RAID entries are read: the one view query, who may see an entry (through its project),
who may add and change entries, and finding an entry by its ref (`R-3`, `APOLLO R-3`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, aliased

from models import Person, Project, ProjectRole, ProjectState, RaidEntry, RaidKind
from services.commands.ast_raid import LETTERS, RaidRef
from services.core.access import (
    Actor,
    contributing_project_ids,
    get_project,
    project_role,
    require_contributor,
    visible_projects,
)
from services.core.errors import Conflict, NotFound, PermissionDenied
from services.core.refs import Cmd, phrase
from services.core.views import PersonRef, ProjectView
from services.raid.policy import RaidPolicy
from services.raid.views import RaidEntryView

MANAGERS = (ProjectRole.PM, ProjectRole.PMO_LEAD)


ENTRY_COLUMNS = (
    "id",
    "project_id",
    "kind",
    "number",
    "title",
    "status",
    "description",
    "category",
    "opportunity",
    "probability",
    "impact",
    "score",
    "residual_probability",
    "residual_impact",
    "proximity",
    "strategy",
    "due_on",
    "reviewed_at",
    "issue_type",
    "priority",
    "severity",
    "resolution",
    "decided_on",
    "minutes_id",
    "source_ref",
    "created_at",
    "closed_at",
    "attendees",
)
PERSON_COLUMNS = ("id", "external_id", "handle", "display_name")


def view_query(workspace_id: int) -> Select:
    """A workspace's entries with their project and people, as plain columns (one select;
    lists of thousands build no ORM entities)."""
    return _view_select().where(RaidEntry.workspace_id == workspace_id)


@cache
def _view_select() -> Select:
    owner = aliased(Person, name="owner")
    actionee = aliased(Person, name="actionee")
    raiser = aliased(Person, name="raiser")
    linked = aliased(RaidEntry, name="linked")
    people = [
        getattr(who, c).label(f"{name}_{c}")
        for name, who in (("owner", owner), ("actionee", actionee), ("raiser", raiser))
        for c in PERSON_COLUMNS
    ]
    return (
        select(
            *(getattr(RaidEntry, c) for c in ENTRY_COLUMNS),
            Project.key.label("project_key"),
            Project.name.label("project_name"),
            Project.private.label("project_private"),
            Project.home_channel.label("home_channel"),
            *people,
            linked.kind.label("linked_kind"),
            linked.number.label("linked_number"),
        )
        .join(Project, Project.id == RaidEntry.project_id)
        .join(raiser, raiser.id == RaidEntry.raised_by_id)
        .outerjoin(owner, owner.id == RaidEntry.owner_id)
        .outerjoin(actionee, actionee.id == RaidEntry.actionee_id)
        .outerjoin(linked, linked.id == RaidEntry.linked_entry_id)
    )


def visible(actor: Actor) -> ColumnElement[bool]:
    """Entries the actor may see: those of the projects they may see."""
    return RaidEntry.project_id.in_(
        select(Project.id).where(
            Project.workspace_id == actor.workspace_id, visible_projects(actor)
        )
    )


def _person(r: Any, name: str) -> PersonRef | None:
    pid = getattr(r, f"{name}_id")
    if pid is None:
        return None
    return PersonRef(
        pid,
        getattr(r, f"{name}_external_id"),
        getattr(r, f"{name}_handle"),
        getattr(r, f"{name}_display_name"),
    )


def to_view(r: Any, policy: RaidPolicy) -> RaidEntryView:
    """One row of `view_query` as a view."""
    linked = f"{LETTERS[r.linked_kind.value]}-{r.linked_number}" if r.linked_kind else None
    raiser = _person(r, "raiser")
    assert raiser is not None
    return RaidEntryView(
        id=r.id,
        kind=r.kind,
        number=r.number,
        project_key=r.project_key,
        project_name=r.project_name,
        project_private=r.project_private,
        title=r.title,
        status=r.status,
        raised_by=raiser,
        owner=_person(r, "owner"),
        actionee=_person(r, "actionee"),
        description=r.description,
        category=r.category,
        opportunity=r.opportunity,
        probability=r.probability,
        impact=r.impact,
        score=r.score,
        residual_probability=r.residual_probability,
        residual_impact=r.residual_impact,
        band=policy.band(r.score) if r.kind == RaidKind.RISK else None,
        proximity=r.proximity,
        strategy=r.strategy,
        next_date=r.decided_on if r.kind == RaidKind.DECISION else r.due_on,
        reviewed_at=r.reviewed_at,
        issue_type=r.issue_type,
        priority=r.priority,
        severity=r.severity,
        resolution=r.resolution,
        linked=linked,
        decided_on=r.decided_on,
        minutes_id=r.minutes_id,
        source_ref=r.source_ref,
        created_at=r.created_at,
        closed_at=r.closed_at,
        home_channel=r.home_channel,
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
    require_contributor(session, actor, project, f"add to its {what}", field="project")
    return project


def form_projects(session: Session, actor: Actor, visible: list[ProjectView]) -> list[ProjectView]:
    """The projects a new-entry form offers: those the actor may add to. Someone who may add
    to none gets no form but the reason."""
    ids = contributing_project_ids(session, actor)
    mine = [p for p in visible if ids is None or p.id in ids]
    if visible and not mine:
        raise PermissionDenied(
            "Only a project's members add to its RAID log, and you are a member of none.",
            phrase("Ask its PM to add you (see ", Cmd("project list"), ")."),
        )
    return mine
