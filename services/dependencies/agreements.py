"""The handshake: one project's PM asks another's for something by a date; the other accepts,
proposes another date or declines; a counter-proposal goes back with the same choices. PMs of
the side that must answer (or a PMO lead) answer; every step is audited and told to the other
side."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from models import (
    Deliverable,
    DeliverableStatus,
    Dependency,
    DependencySide,
    DependencyState,
    Membership,
    Person,
    Project,
    ProjectRole,
    ProjectState,
)
from services.core import audit
from services.core.access import (
    Actor,
    can_manage,
    get_project,
    member_project_ids,
    project_role,
    require_manager,
    visible_projects,
)
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.locks import lock
from services.core.people import person_ref
from services.core.refs import Cmd, phrase
from services.dependencies import notices
from services.dependencies.views import DependencyView, UpstreamDeliverable

FIELDS = ("what", "needed_by", "proposed_on", "state", "awaiting", "round", "reason")
MAX_WHAT = 300
MAX_REASON = 1000


def _audit(
    session: Session, actor: Actor, dep: Dependency, action: str, before: dict | None, now: datetime
) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="dependency",
        entity_id=dep.id,
        action=action,
        before=before,
        after=audit.snapshot(dep, FIELDS),
        now=now,
    )


def views(session: Session, deps: Sequence[Dependency]) -> list[DependencyView]:
    """Dependencies as views (3 statements however many)."""
    if not deps:
        return []
    projects = {
        p.id: p
        for p in session.scalars(
            select(Project).where(
                Project.id.in_(
                    {d.upstream_project_id for d in deps} | {d.downstream_project_id for d in deps}
                )
            )
        )
    }
    who = {i for d in deps for i in (d.asked_by_id, d.decided_by_id) if i is not None}
    people = (
        {p.id: person_ref(p) for p in session.scalars(select(Person).where(Person.id.in_(who)))}
        if who
        else {}
    )
    wanted = {d.upstream_deliverable_id for d in deps if d.upstream_deliverable_id}
    delivs = (
        {
            d.id: UpstreamDeliverable(d.id, d.title, d.forecast_on, d.status)
            for d in session.scalars(select(Deliverable).where(Deliverable.id.in_(wanted)))
        }
        if wanted
        else {}
    )
    out = []
    for d in deps:
        up, down = projects[d.upstream_project_id], projects[d.downstream_project_id]
        out.append(
            DependencyView(
                d.id,
                down.key,
                up.key,
                d.what,
                d.needed_by,
                d.state,
                d.awaiting,
                d.proposed_on,
                delivs.get(d.upstream_deliverable_id) if d.upstream_deliverable_id else None,
                people.get(d.asked_by_id) if d.asked_by_id else None,
                people.get(d.decided_by_id) if d.decided_by_id else None,
                d.reason,
                d.risk if d.state == DependencyState.ACCEPTED else None,
                up.private or down.private,
                d.round,
            )
        )
    return out


def ask(
    session: Session,
    actor: Actor,
    *,
    key: str,
    other: str,
    what: str,
    by: date,
    deliverable_id: int | None,
    now: datetime,
    today: date,
) -> DependencyView:
    """`key` needs `what` from `other` by `by`: ask `other`'s PM. The PM of `key` or a PMO lead."""
    down = get_project(session, actor, key)
    require_manager(
        actor,
        project_role(session, actor.person_id, down.id),
        down,
        "ask for dependencies on its behalf",
    )
    up = get_project(session, actor, other)
    if up.id == down.id:
        raise InvalidInput("A project can't depend on itself.", "Name the other project's key.")
    for p in (down, up):
        if p.state == ProjectState.CLOSED:
            raise Conflict(f"{p.key} is closed.")
    what = " ".join(what.split())
    if not what:
        raise InvalidInput('Say what you need, in quotes: "API v2 in staging".')
    if len(what) > MAX_WHAT:
        raise InvalidInput(f"That is {len(what)} characters long; the limit is {MAX_WHAT}.")
    if by < today:
        raise InvalidInput(f"{by.isoformat()} is in the past.", "Give the date you need it by.")
    if deliverable_id is not None:
        d = session.scalar(
            select(Deliverable).where(
                Deliverable.id == deliverable_id, Deliverable.project_id == up.id
            )
        )
        if d is None:
            raise NotFound(
                f"{up.key} has no deliverable #{deliverable_id}.",
                phrase("See ", Cmd(f"deliverable list {up.key}"), "."),
            )
        if d.status in (DeliverableStatus.DONE, DeliverableStatus.CANCELLED):
            raise Conflict(f"{up.key} #{d.id} is already {d.status.value}.")
    same = session.scalar(
        select(Dependency.id).where(
            Dependency.downstream_project_id == down.id,
            Dependency.upstream_project_id == up.id,
            func.lower(Dependency.what) == what.lower(),
            Dependency.state != DependencyState.DECLINED,
        )
    )
    if same is not None:
        raise Conflict(
            f"{down.key} already depends on {up.key} for “{what}” (#{same}).",
            phrase("See ", Cmd(f"depend list {down.key}"), "."),
        )
    dep = Dependency(
        workspace_id=actor.workspace_id,
        downstream_project_id=down.id,
        upstream_project_id=up.id,
        upstream_deliverable_id=deliverable_id,
        what=what,
        needed_by=by,
        state=DependencyState.PROPOSED,
        awaiting=DependencySide.UPSTREAM,
        round=1,
        asked_by_id=actor.person_id,
        reason="",
        alerts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(dep)
    session.flush()
    _audit(session, actor, dep, "request", None, now)
    view = views(session, [dep])[0]
    notices.ask(session, dep, view, _pms(session, up.id), actor.person_id, now)
    return view


def _pms(session: Session, project_id: int) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.project_id == project_id, Membership.role == ProjectRole.PM)
            .order_by(Membership.id)
        )
    )


def _visible(actor: Actor, up: type[Project], down: type[Project]) -> ColumnElement[bool]:
    """Who sees a dependency: whoever sees both projects, and the members of either (they are
    party to it, even when the other project is private to them)."""
    mine = member_project_ids(actor)
    return or_(
        and_(
            or_(up.private.is_(False), up.id.in_(mine)),
            or_(down.private.is_(False), down.id.in_(mine)),
        ),
        up.id.in_(mine),
        down.id.in_(mine),
    )


def _load(session: Session, actor: Actor, dependency_id: int) -> Dependency:
    up, down = aliased(Project), aliased(Project)
    dep = session.scalar(
        select(Dependency)
        .join(up, up.id == Dependency.upstream_project_id)
        .join(down, down.id == Dependency.downstream_project_id)
        .where(
            Dependency.id == dependency_id,
            Dependency.workspace_id == actor.workspace_id,
            _visible(actor, up, down),
        )
    )
    if dep is None:
        raise NotFound(
            f"There is no dependency #{dependency_id}.",
            phrase("See ", Cmd("depend list"), "."),
        )
    lock(session, Dependency, dep.id)  # answers to one dependency, one at a time
    session.refresh(dep)
    return dep


def _answering(session: Session, actor: Actor, dep: Dependency) -> tuple[Project, Project]:
    """The project that must answer and the other one; fails unless the actor may answer."""
    if dep.state != DependencyState.PROPOSED or dep.awaiting is None:
        raise Conflict(f"Dependency #{dep.id} is already {dep.state.value}.")
    up = session.get(Project, dep.upstream_project_id)
    down = session.get(Project, dep.downstream_project_id)
    assert up is not None and down is not None
    mine, theirs = (up, down) if dep.awaiting == DependencySide.UPSTREAM else (down, up)
    if not can_manage(actor, project_role(session, actor.person_id, mine.id)):
        raise PermissionDenied(
            f"Dependency #{dep.id} waits for {mine.key}'s PM to answer.",
            phrase("See ", Cmd(f"depend list {mine.key}"), "."),
        )
    return mine, theirs


def accept(session: Session, actor: Actor, *, dependency_id: int, now: datetime) -> DependencyView:
    """Agree to the date on the table; from now on the dependency is watched."""
    dep = _load(session, actor, dependency_id)
    _, theirs = _answering(session, actor, dep)
    before = audit.snapshot(dep, FIELDS)
    if dep.proposed_on is not None:
        dep.needed_by, dep.proposed_on = dep.proposed_on, None
    dep.state, dep.awaiting = DependencyState.ACCEPTED, None
    dep.decided_by_id, dep.decided_at, dep.updated_at = actor.person_id, now, now
    session.flush()
    _audit(session, actor, dep, "accept", before, now)
    view = views(session, [dep])[0]
    notices.answered(session, dep, view, _pms(session, theirs.id), actor.person_id, now)
    return view


def propose(
    session: Session, actor: Actor, *, dependency_id: int, on: date, now: datetime, today: date
) -> DependencyView:
    """Propose another date; the other side gets the same three choices."""
    dep = _load(session, actor, dependency_id)
    _, theirs = _answering(session, actor, dep)
    if on < today:
        raise InvalidInput(f"{on.isoformat()} is in the past.", field="on")
    table = dep.proposed_on or dep.needed_by
    if on == table:
        raise InvalidInput(
            f"{on.isoformat()} is the date already on the table.",
            phrase("To agree to it: ", Cmd(f"depend accept {dep.id}"), "."),
            field="on",
        )
    before = audit.snapshot(dep, FIELDS)
    dep.proposed_on = on
    dep.awaiting = (
        DependencySide.DOWNSTREAM
        if dep.awaiting == DependencySide.UPSTREAM
        else DependencySide.UPSTREAM
    )
    dep.round += 1
    dep.updated_at = now
    session.flush()
    _audit(session, actor, dep, "propose", before, now)
    view = views(session, [dep])[0]
    notices.ask(session, dep, view, _pms(session, theirs.id), actor.person_id, now)
    return view


def decline(
    session: Session, actor: Actor, *, dependency_id: int, reason: str, now: datetime
) -> DependencyView:
    """Decline, saying why; the other side is told."""
    dep = _load(session, actor, dependency_id)
    _, theirs = _answering(session, actor, dep)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Say why you decline.", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            f"The reason is {len(reason)} characters long; the limit is {MAX_REASON}.",
            field="reason",
        )
    before = audit.snapshot(dep, FIELDS)
    dep.state, dep.awaiting, dep.reason = DependencyState.DECLINED, None, reason
    dep.decided_by_id, dep.decided_at, dep.updated_at = actor.person_id, now, now
    session.flush()
    _audit(session, actor, dep, "decline", before, now)
    view = views(session, [dep])[0]
    notices.answered(session, dep, view, _pms(session, theirs.id), actor.person_id, now)
    return view


def get(session: Session, actor: Actor, *, dependency_id: int) -> DependencyView:
    """One dependency the actor can see."""
    return views(session, [_load(session, actor, dependency_id)])[0]


def listed(
    session: Session, actor: Actor, *, key: str | None
) -> tuple[list[DependencyView], list[DependencyView]]:
    """(what `key` needs, what it provides); without a key, across the actor's projects (every
    visible project for a PMO lead), needs and provides from their side."""
    up, down = aliased(Project), aliased(Project)
    q = (
        select(Dependency)
        .join(up, up.id == Dependency.upstream_project_id)
        .join(down, down.id == Dependency.downstream_project_id)
        .where(Dependency.workspace_id == actor.workspace_id, _visible(actor, up, down))
        .order_by(Dependency.needed_by, Dependency.id)
    )
    if key is not None:
        project = get_project(session, actor, key)
        mine_ids: set[int] = {project.id}
        q = q.where(or_(up.id == project.id, down.id == project.id))
    else:
        scope = (
            select(Project.id).where(
                Project.workspace_id == actor.workspace_id, visible_projects(actor)
            )
            if actor.is_pmo_lead
            else member_project_ids(actor)
        )
        mine_ids = set(session.scalars(scope))
        q = q.where(or_(up.id.in_(mine_ids), down.id.in_(mine_ids)))
    found = list(session.scalars(q))
    pairs = list(zip(found, views(session, found), strict=True))
    needs = [v for d, v in pairs if d.downstream_project_id in mine_ids]
    provides = [
        v
        for d, v in pairs
        if d.upstream_project_id in mine_ids
        and (key is not None or d.downstream_project_id not in mine_ids)
    ]
    return needs, provides


def answerable(session: Session, actor: Actor, *, dependency_id: int) -> DependencyView:
    """A dependency waiting for the actor's answer (else why they can't answer it)."""
    dep = _load(session, actor, dependency_id)
    _answering(session, actor, dep)
    return views(session, [dep])[0]
