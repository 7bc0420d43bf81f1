"""Marking a deliverable done when it has an Accountable: the Accountable signs it off (or says
why not yet) before it is done; the Consulted are asked meanwhile and the Informed told once it
is. Without an Accountable a deliverable is done at once, as before."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Deliverable, DeliverableStatus, Person, Project, SignoffRequest, SignoffState
from services.core import audit
from services.core.access import Actor, can_manage, project_role, visible_projects
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.locks import lock
from services.core.refs import Cmd, phrase
from services.raci import notices
from services.raci.matrix import card
from services.raci.routing import route_of
from services.raci.views import RaciCard
from services.work import deliverables

Event = Literal["done", "requested", "signed_off", "not_yet"]
MAX_REASON = 1000


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
            f"There is no deliverable #{deliverable_id}.",
            phrase("See ", Cmd("deliverable list <KEY>"), "."),
        )
    return row[0], row[1]


def _pending(session: Session, d: Deliverable) -> SignoffRequest | None:
    return session.scalar(
        select(SignoffRequest).where(
            SignoffRequest.deliverable_id == d.id, SignoffRequest.state == SignoffState.PENDING
        )
    )


def _audit(session: Session, actor: Actor, req: SignoffRequest, action: str, now: datetime) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="deliverable_signoff",
        entity_id=req.id,
        action=action,
        before=None,
        after=audit.snapshot(req, ("deliverable_id", "accountable_id", "state", "reason")),
        now=now,
    )


def mark_done(
    session: Session, actor: Actor, *, deliverable_id: int, now: datetime, today: date
) -> tuple[RaciCard, Event]:
    """`deliverable done`: done at once when nobody is Accountable (PM or PMO lead), else asked
    of the Accountable (by the PM, a PMO lead or a Responsible). The Accountable marking it
    done with nobody to consult signs it off there and then."""
    d, project = _load(session, actor, deliverable_id)
    lock(session, Deliverable, d.id)
    if d.status in (DeliverableStatus.DONE, DeliverableStatus.CANCELLED):
        raise Conflict(f"Deliverable #{d.id} is already {d.status.value}.")
    route = route_of(session, d)
    manager = can_manage(actor, project_role(session, actor.person_id, project.id))
    me = session.get(Person, actor.person_id)
    assert me is not None
    accountable = route.accountable
    if accountable is None:
        if not manager:
            raise PermissionDenied(
                f"Only {project.key}'s PM or a PMO lead can mark deliverables done.",
                phrase(
                    "Ask the PM of ",
                    project.key,
                    " (see ",
                    Cmd(f"project show {project.key}"),
                    ").",
                ),
            )
        deliverables.finish(session, actor, d, project, now=now)
        notices.tell_informed(session, d, project, route, "done", now, by=me)
        return card(session, actor, key=project.key, deliverable_id=d.id, today=today), "done"
    responsible = {p.id for p in route.responsible}
    if not (manager or actor.person_id in responsible or actor.person_id == accountable.id):
        raise PermissionDenied(
            f"Only #{d.id}'s Responsible, Accountable, {project.key}'s PM or a PMO lead can mark "
            "it done.",
            phrase("See who is who: ", Cmd(f"raci {project.key} {d.id}"), "."),
        )
    waiting = _pending(session, d)
    if waiting is not None:
        raise Conflict(
            f"Deliverable #{d.id} already waits for @{accountable.handle}'s sign-off.",
            phrase(f"@{accountable.handle} answers with ", *notices.signoff_commands(d.id), "."),
        )
    others = [p for p in route.consulted if p.id not in (actor.person_id, accountable.id)]
    req = SignoffRequest(
        workspace_id=actor.workspace_id,
        deliverable_id=d.id,
        accountable_id=accountable.id,
        requested_by_id=actor.person_id,
        requested_at=now,
        state=SignoffState.PENDING,
        reason="",
    )
    session.add(req)
    if actor.person_id == accountable.id and not others:
        req.state, req.decided_by_id, req.decided_at = SignoffState.SIGNED_OFF, me.id, now
        session.flush()
        _audit(session, actor, req, "sign_off", now)
        deliverables.finish(session, actor, d, project, now=now)
        notices.tell_decision(session, req, d, project, route, me, None, now)
        notices.tell_informed(session, d, project, route, "done", now, by=me)
        event: Event = "signed_off"
    else:
        session.flush()
        _audit(session, actor, req, "request", now)
        notices.ask_signoff(session, req, d, project, route, me, now)
        event = "requested"
    return card(session, actor, key=project.key, deliverable_id=d.id, today=today), event


def decide(
    session: Session,
    actor: Actor,
    *,
    deliverable_id: int,
    approve: bool,
    reason: str,
    now: datetime,
    today: date,
) -> tuple[RaciCard, Event]:
    """The Accountable signs a deliverable off (it is done) or says why not yet."""
    d, project = _load(session, actor, deliverable_id)
    lock(session, Deliverable, d.id)
    req = _pending(session, d)
    if req is None:
        raise Conflict(
            f"Nothing waits for sign-off on deliverable #{d.id}.",
            phrase("Marking it done asks its Accountable: ", Cmd(f"deliverable done {d.id}"), "."),
        )
    route = route_of(session, d)
    accountable = route.accountable
    if accountable is None or accountable.id != actor.person_id:
        who = f"@{accountable.handle}" if accountable else "its Accountable"
        raise PermissionDenied(f"Only {who} can sign off deliverable #{d.id}.")
    reason = " ".join(reason.split())
    if not approve and not reason:
        raise InvalidInput("Say why it is not ready yet.", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            f"The reason is {len(reason)} characters long; the limit is {MAX_REASON}.",
            field="reason",
        )
    me = session.get(Person, actor.person_id)
    requester = session.get(Person, req.requested_by_id)
    assert me is not None
    req.accountable_id = accountable.id
    req.decided_by_id, req.decided_at, req.reason = me.id, now, reason
    req.state = SignoffState.SIGNED_OFF if approve else SignoffState.NOT_YET
    session.flush()
    _audit(session, actor, req, "sign_off" if approve else "not_yet", now)
    if approve:
        deliverables.finish(session, actor, d, project, now=now)
        notices.tell_informed(session, d, project, route, "done", now, by=me)
    notices.tell_decision(session, req, d, project, route, me, requester, now)
    event: Event = "signed_off" if approve else "not_yet"
    return card(session, actor, key=project.key, deliverable_id=d.id, today=today), event
