"""Reading and setting a project's RACI chart.

A project has a default RACI; each deliverable may name its own people for any letter, which
then replace the default's people for that letter only (a deliverable that names its own R
still inherits the project's A, C and I). With no R anywhere, the deliverable's owner is its
Responsible. Exactly one person is Accountable for a deliverable: naming a second is refused,
naming the one already there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, String, or_, select, type_coerce
from sqlalchemy.orm import Session

from models import (
    Deliverable,
    Person,
    Project,
    RaciAssignment,
    RaciLetter,
    SignoffRequest,
)
from services.core.access import (
    Actor,
    get_project,
    visible_projects,
)
from services.core.errors import NotFound
from services.core.people import person_ref
from services.core.refs import Cmd, phrase
from services.core.views import DeliverableView
from services.raci.views import ORDER, RaciCard, RaciEntry, RaciMatrix, SignoffView
from services.work import deliverables

P = TypeVar("P")
Letters = dict[RaciLetter, list[P]]
REMOVE = "-"
LETTERS = tuple(RaciLetter(code) for code in ORDER)


def merge(default: Letters[P], own: Letters[P], owner: P | None) -> list[tuple[RaciLetter, P, str]]:
    """The effective letters of a deliverable: its own people per letter, else the project's,
    else (for R only) its owner; each with where it came from."""
    out: list[tuple[RaciLetter, P, str]] = []
    for letter in LETTERS:
        if own.get(letter):
            out += [(letter, p, "own") for p in own[letter]]
        elif default.get(letter):
            out += [(letter, p, "default") for p in default[letter]]
        elif letter == RaciLetter.RESPONSIBLE and owner is not None:
            out.append((letter, owner, "owner"))
    return out


def load_rows(
    session: Session, project_ids: Sequence[int], *, among: Select[int] | None = None
) -> dict[int, dict[int | None, Letters[Person]]]:
    """Every assignment of these projects — or, `among` given (a subquery of deliverable ids),
    of those deliverables and their projects' defaults: project → deliverable (None: default)
    → letters. Two statements, plain columns, each person loaded once."""
    out: dict[int, dict[int | None, Letters[Person]]] = defaultdict(lambda: defaultdict(dict))
    if not project_ids:
        return out
    cond: ColumnElement[bool]
    if among is None:
        cond = RaciAssignment.project_id.in_(project_ids)
    else:
        projects = select(Deliverable.project_id).where(Deliverable.id.in_(among))
        cond = or_(
            RaciAssignment.deliverable_id.in_(among),
            RaciAssignment.deliverable_id.is_(None) & RaciAssignment.project_id.in_(projects),
        )
    rows = session.execute(
        select(
            RaciAssignment.project_id,
            RaciAssignment.deliverable_id,
            RaciAssignment.person_id,
            type_coerce(RaciAssignment.letter, String),
        )
        .where(cond)
        .order_by(RaciAssignment.id)
    ).all()
    if not rows:
        return out
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_(select(RaciAssignment.person_id).where(cond)))
        )
    }
    letters = {str(x.value): x for x in RaciLetter}
    for project_id, deliverable_id, person_id, letter in rows:
        scope = out[project_id][deliverable_id]
        scope.setdefault(letters[letter], []).append(people[person_id])
    return out


def deliverable_of(session: Session, project: Project, deliverable_id: int) -> Deliverable:
    d = session.scalar(
        select(Deliverable).where(
            Deliverable.id == deliverable_id, Deliverable.project_id == project.id
        )
    )
    if d is None:
        raise NotFound(
            f"{project.key} has no deliverable #{deliverable_id}.",
            phrase("See ", Cmd(f"deliverable list {project.key}"), "."),
        )
    return d


def _signoff(session: Session, deliverable_id: int) -> SignoffView | None:
    """The deliverable's latest sign-off request, if any."""
    req = session.scalar(
        select(SignoffRequest)
        .where(SignoffRequest.deliverable_id == deliverable_id)
        .order_by(SignoffRequest.id.desc())
        .limit(1)
    )
    return signoff_view(session, req) if req is not None else None


def signoff_view(session: Session, req: SignoffRequest) -> SignoffView:
    """A sign-off request as a view."""
    people = {
        p.id: person_ref(p)
        for p in session.scalars(
            select(Person).where(
                Person.id.in_(
                    {req.accountable_id, req.requested_by_id}
                    | ({req.decided_by_id} if req.decided_by_id else set())
                )
            )
        )
    }
    return SignoffView(
        req.id,
        req.deliverable_id,
        req.state,
        people[req.accountable_id],
        people[req.requested_by_id],
        req.requested_at,
        people.get(req.decided_by_id) if req.decided_by_id else None,
        req.decided_at,
        req.reason,
    )


def _card(
    project: Project,
    d: Deliverable | None,
    view_d: DeliverableView | None,
    scopes: dict[int | None, Letters[Person]],
    owner: Person | None,
    signoff: SignoffView | None,
    today: date | None,
) -> RaciCard:
    default = scopes.get(None, {})
    own = scopes.get(d.id, {}) if d is not None else {}
    if d is None:
        merged = [(letter, p, "own") for letter, p, _ in merge({}, default, None)]
    else:
        merged = merge(default, own, owner)
    entries = tuple(RaciEntry(letter, person_ref(p), src) for letter, p, src in merged)
    return RaciCard(project.key, project.name, project.private, view_d, entries, signoff, today)


def card(
    session: Session, actor: Actor, *, key: str, deliverable_id: int | None, today: date
) -> RaciCard:
    """The RACI of one deliverable (with where each letter comes from), or the project's
    default."""
    project = get_project(session, actor, key)
    scopes = load_rows(session, [project.id]).get(project.id, {})
    if deliverable_id is None:
        return _card(project, None, None, scopes, None, None, today)
    d = deliverable_of(session, project, deliverable_id)
    owner = session.get(Person, d.owner_id) if d.owner_id else None
    view = deliverables.view_of(session, d, project)
    return _card(project, d, view, scopes, owner, _signoff(session, d.id), today)


def card_of(session: Session, actor: Actor, *, deliverable_id: int, today: date) -> RaciCard:
    """The RACI of a deliverable named by its number alone."""
    key = session.scalar(
        select(Project.key)
        .join(Deliverable, Deliverable.project_id == Project.id)
        .where(
            Deliverable.id == deliverable_id,
            Deliverable.workspace_id == actor.workspace_id,
            visible_projects(actor),
        )
    )
    if key is None:
        raise NotFound(f"There is no deliverable #{deliverable_id}.")
    return card(session, actor, key=key, deliverable_id=deliverable_id, today=today)


def matrix(session: Session, actor: Actor, *, key: str, today: date) -> RaciMatrix:
    """The project's chart: people by deliverables, the letters in each cell (7 statements)."""
    project = get_project(session, actor, key)
    scopes = load_rows(session, [project.id]).get(project.id, {})
    listed = deliverables.list_for_project(session, actor, key=project.key)
    by_id = {
        d.id: d
        for d in session.scalars(select(Deliverable).where(Deliverable.project_id == project.id))
    }
    owners = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_({d.owner_id for d in by_id.values() if d.owner_id}))
        )
    }
    cards = [_card(project, None, None, scopes, None, None, today)]
    for v in listed:
        d = by_id[v.id]
        owner = owners.get(d.owner_id) if d.owner_id else None
        cards.append(_card(project, d, v, scopes, owner, None, today))
    cells: dict[tuple[int, int | None], set[RaciLetter]] = defaultdict(set)
    for c in cards:
        for e in c.entries:
            cells[(e.person.id, c.deliverable.id if c.deliverable else None)].add(e.letter)
    ordered = sorted((e.person for c in cards for e in c.entries), key=lambda p: p.handle)
    unique = list({p.id: p for p in ordered}.values())
    return RaciMatrix(
        project.key,
        project.name,
        project.private,
        listed,
        unique,
        {k: "/".join(L for L in ORDER if RaciLetter(L) in v) for k, v in cells.items()},
        cards,
        today,
    )
