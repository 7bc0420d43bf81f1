"""Who a deliverable's reminders, escalations and news go to, by its RACI: chasers to the
Responsible (its owner when nobody is named R), escalation to the Accountable before the PM,
sign-off by the Accountable, questions to the Consulted, news to the Informed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import Deliverable, Person, RaciLetter, SignoffRequest, SignoffState
from services.raci.matrix import load_rows, merge


@dataclass(frozen=True)
class Route:
    responsible: tuple[Person, ...]
    accountable: Person | None
    consulted: tuple[Person, ...]
    informed: tuple[Person, ...]


def routes(
    session: Session,
    items: Sequence[tuple[int, int, Person | None]],
    *,
    among: Select[int] | None = None,
) -> dict[int, Route]:
    """The route of each (deliverable id, project id, owner), in two statements; `among`
    (the deliverables' ids as a subquery) keeps other deliverables' rows out."""
    rows = load_rows(session, sorted({project_id for _, project_id, _ in items}), among=among)
    out: dict[int, Route] = {}
    for deliverable_id, project_id, owner in items:
        scopes = rows.get(project_id, {})
        merged = merge(scopes.get(None, {}), scopes.get(deliverable_id, {}), owner)
        by: dict[RaciLetter, dict[int, Person]] = {}
        for letter, p, _ in merged:
            by.setdefault(letter, {}).setdefault(p.id, p)
        accountable = list(by.get(RaciLetter.ACCOUNTABLE, {}).values())
        out[deliverable_id] = Route(
            tuple(by.get(RaciLetter.RESPONSIBLE, {}).values()),
            accountable[0] if accountable else None,
            tuple(by.get(RaciLetter.CONSULTED, {}).values()),
            tuple(by.get(RaciLetter.INFORMED, {}).values()),
        )
    return out


def route_of(session: Session, d: Deliverable) -> Route:
    """One deliverable's route."""
    owner = session.get(Person, d.owner_id) if d.owner_id else None
    return routes(session, [(d.id, d.project_id, owner)])[d.id]


def awaiting_signoff() -> Select[int]:
    """A subquery of the deliverables waiting for their Accountable's sign-off."""
    return select(SignoffRequest.deliverable_id).where(SignoffRequest.state == SignoffState.PENDING)
