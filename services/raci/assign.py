"""Setting a project's RACI chart: give people letters on a deliverable or on the project's
default, remove them, or clear a chart. The project's PM or a PMO lead; each change audited.
Exactly one Accountable: naming a second is refused, naming the one already there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Deliverable, Membership, Person, Project, RaciAssignment, RaciLetter
from services.core import audit
from services.core.access import Actor, get_project, project_role, require_manager
from services.core.errors import Conflict, InvalidInput
from services.core.locks import lock
from services.core.refs import Cmd, phrase
from services.raci.matrix import REMOVE, card, deliverable_of
from services.raci.views import ORDER, RaciCard


def _scope_label(project: Project, d: Deliverable | None) -> str:
    return f"Deliverable #{d.id}" if d is not None else f"{project.key}'s default RACI"


def _check_person(session: Session, actor: Actor, project: Project, p: Person) -> None:
    if p.workspace_id != actor.workspace_id or not p.active:
        raise InvalidInput(f"@{p.handle} can't be in a RACI here.")
    if project.private and (
        session.scalar(
            select(Membership.id).where(
                Membership.project_id == project.id, Membership.person_id == p.id
            )
        )
        is None
    ):
        raise InvalidInput(
            f"@{p.handle} is not a member of {project.key}, which is private.",
            phrase("Add them first: ", Cmd(f"project add {project.key} @{p.handle} member"), "."),
        )


def _snapshot(rows: Sequence[tuple[RaciAssignment, Person]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r, p in rows:
        out.setdefault(r.letter.value, []).append(p.handle)
    return {k: sorted(v) for k, v in out.items()}


def set_letters(
    session: Session,
    actor: Actor,
    *,
    key: str,
    deliverable_id: int | None,
    groups: Sequence[tuple[str, Sequence[Person]]],
    now: datetime,
    today: date,
) -> RaciCard:
    """Give each named person exactly the letters named for them on this deliverable (or the
    project's default); `-` removes people. PM or PMO lead."""
    project = get_project(session, actor, key)
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "set its RACI"
    )
    lock(session, Project, project.id)  # one change of a project's chart at a time
    d = deliverable_of(session, project, deliverable_id) if deliverable_id is not None else None
    named: dict[int, set[RaciLetter]] = {}
    removed: set[int] = set()
    handles: dict[int, str] = {}
    for code, persons in groups:
        for p in persons:
            _check_person(session, actor, project, p)
            handles[p.id] = p.handle
            if code == REMOVE:
                removed.add(p.id)
            else:
                named.setdefault(p.id, set()).add(RaciLetter(code))
    both = removed & set(named)
    if both:
        who = ", ".join(f"@{handles[i]}" for i in sorted(both))
        raise InvalidInput(f"{who}: named both with a letter and to remove (-).")
    accountable = [i for i, letters in named.items() if RaciLetter.ACCOUNTABLE in letters]
    label = _scope_label(project, d)
    if len(accountable) > 1:
        who = " and ".join(f"@{handles[i]}" for i in accountable)
        raise InvalidInput(
            f"{label} can have exactly one Accountable; you named {who}.",
            "Make one of them Accountable and the others R, C or I.",
        )
    scope = (
        RaciAssignment.deliverable_id == d.id
        if d is not None
        else (RaciAssignment.project_id == project.id) & RaciAssignment.deliverable_id.is_(None)
    )
    rows = list(
        session.execute(
            select(RaciAssignment, Person)
            .join(Person, Person.id == RaciAssignment.person_id)
            .where(scope)
            .order_by(RaciAssignment.id)
        )
    )
    current = next((p for r, p in rows if r.letter == RaciLetter.ACCOUNTABLE), None)
    if (
        accountable
        and current is not None
        and current.id != accountable[0]
        and current.id not in named
        and current.id not in removed
    ):
        where = f"{project.key} {d.id}" if d is not None else project.key
        new = handles[accountable[0]]
        raise Conflict(
            f"{label} already has an Accountable: @{current.handle}. There can be only one.",
            phrase(
                f"To hand it to @{new}, give @{current.handle} another letter (or none) in the "
                "same command: ",
                Cmd(f"raci set {where} A @{new} I @{current.handle}"),
                " or ",
                Cmd(f"raci set {where} A @{new} - @{current.handle}"),
                ".",
            ),
        )
    before = _snapshot(rows)
    touched = set(named) | removed
    if touched:
        session.execute(delete(RaciAssignment).where(scope, RaciAssignment.person_id.in_(touched)))
        session.flush()  # the old Accountable goes before the new one comes
    for person_id, letters in named.items():
        for letter in sorted(letters, key=lambda x: ORDER.index(x.value)):
            session.add(
                RaciAssignment(
                    workspace_id=actor.workspace_id,
                    project_id=project.id,
                    deliverable_id=d.id if d is not None else None,
                    person_id=person_id,
                    letter=letter,
                    created_at=now,
                )
            )
    session.flush()
    after_rows = list(
        session.execute(
            select(RaciAssignment, Person)
            .join(Person, Person.id == RaciAssignment.person_id)
            .where(scope)
        )
    )
    audit.record_by(
        session,
        actor,
        entity_type="raci",
        entity_id=d.id if d is not None else project.id,
        action="set" if d is not None else "set_default",
        before=before,
        after=_snapshot(after_rows),
        now=now,
    )
    return card(session, actor, key=project.key, deliverable_id=deliverable_id, today=today)


def clear(
    session: Session,
    actor: Actor,
    *,
    key: str,
    deliverable_id: int | None,
    now: datetime,
    today: date,
) -> RaciCard:
    """Drop a deliverable's own RACI (it falls back to the project's) or the project default.
    PM or PMO lead."""
    project = get_project(session, actor, key)
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "change its RACI"
    )
    d = deliverable_of(session, project, deliverable_id) if deliverable_id is not None else None
    scope = (
        RaciAssignment.deliverable_id == d.id
        if d is not None
        else (RaciAssignment.project_id == project.id) & RaciAssignment.deliverable_id.is_(None)
    )
    rows = list(
        session.execute(
            select(RaciAssignment, Person)
            .join(Person, Person.id == RaciAssignment.person_id)
            .where(scope)
        )
    )
    if not rows:
        raise Conflict(f"{_scope_label(project, d)} names nobody yet.")
    session.execute(delete(RaciAssignment).where(scope))
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="raci",
        entity_id=d.id if d is not None else project.id,
        action="clear" if d is not None else "clear_default",
        before=_snapshot(rows),
        after={},
        now=now,
    )
    return card(session, actor, key=project.key, deliverable_id=deliverable_id, today=today)
