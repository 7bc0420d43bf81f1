"""Changing RAID entries (their owner, their project's PM or a PMO lead): rescoring a risk
(with its history), its response and the action items that carry it out, reviews, the
status of every kind (an occurred risk becomes a linked issue), and the owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from models import (
    Level,
    Person,
    Project,
    RaidAction,
    RaidEntry,
    RaidKind,
    RaidProposal,
    RaidStatus,
    Strategy,
)
from services.commands.ast_raid import RaidRef
from services.core import audit
from services.core.access import Actor
from services.core.errors import Conflict, InvalidInput
from services.core.refs import Cmd, phrase
from services.raid import escalation, proposals
from services.raid.entries import (
    FIELDS,
    NewEntry,
    add,
    audit_entry,
    check_level,
    check_owner,
    check_strategy,
    clean_title,
    rescore,
    score_row,
)
from services.raid.policy import policy_of
from services.raid.store import for_change, ref_label
from services.raid.views import OPEN_STATUSES
from services.work import action_items

ALLOWED: dict[RaidKind, tuple[RaidStatus, ...]] = {
    RaidKind.RISK: (
        RaidStatus.MITIGATING,
        RaidStatus.CLOSED,
        RaidStatus.ACCEPTED,
        RaidStatus.OCCURRED,
    ),
    RaidKind.ISSUE: (RaidStatus.RESOLVED, RaidStatus.CLOSED),
    RaidKind.ASSUMPTION: (RaidStatus.CONFIRMED, RaidStatus.INVALID),
    RaidKind.DEPENDENCY: (RaidStatus.MET, RaidStatus.MISSED, RaidStatus.CLOSED),
    RaidKind.DECISION: (RaidStatus.WITHDRAWN,),
}
ISSUE_SEVERITY = {5: Level.CRITICAL, 4: Level.HIGH, 3: Level.MEDIUM}


def _a(word: str) -> str:
    """`an issue`, `a risk`."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _project(session: Session, e: RaidEntry) -> Project:
    project = session.get(Project, e.project_id)
    assert project is not None
    return project


def _open(e: RaidEntry) -> None:
    if e.closed_at is not None:
        raise Conflict(
            f"{ref_label(e)} is {e.status.value}.",
            f"Reopen it first ({e.kind.value} reopen {ref_label(e)}).",
        )


def score(
    session: Session,
    actor: Actor,
    *,
    ref: RaidRef,
    probability: int,
    impact: int,
    now: datetime,
    residual: tuple[int | None, int | None] = (None, None),
    note: str = "",
) -> RaidEntry:
    """Rescore a risk; the history keeps every scoring, and a rescore counts as a review."""
    e = for_change(session, actor, ref)
    if e.kind != RaidKind.RISK:
        raise InvalidInput(f"{ref_label(e)} is {_a(e.kind.value)}; only risks are scored.")
    _open(e)
    check_level(probability, "probability", required=True)
    check_level(impact, "impact", required=True)
    rp, ri = residual
    check_level(rp, "residual_probability")
    check_level(ri, "residual_impact")
    before = audit.snapshot(e, FIELDS)
    e.probability, e.impact = probability, impact
    if rp is not None or ri is not None:
        e.residual_probability = rp if rp is not None else e.residual_probability
        e.residual_impact = ri if ri is not None else e.residual_impact
    e.reviewed_at, e.review_on, e.updated_at = now, None, now
    rescore(e, policy_of(session, actor.workspace_id), now)
    session.add(score_row(e, actor.person_id, now, note))
    session.flush()
    audit_entry(session, actor, e, "score", before, now)
    escalation.escalate(session, [e], now=now, actor_id=actor.person_id)
    return e


def review(session: Session, actor: Actor, *, ref: RaidRef, now: datetime) -> RaidEntry:
    """The entry still stands as it is: the next review falls due by its band."""
    e = for_change(session, actor, ref)
    _open(e)
    if e.kind != RaidKind.RISK:
        raise InvalidInput(
            f"{ref_label(e)} is {_a(e.kind.value)}; reviews are for risks.",
            "Change its date or status instead.",
        )
    before = audit.snapshot(e, FIELDS)
    e.reviewed_at, e.review_on, e.updated_at = now, None, now
    rescore(e, policy_of(session, actor.workspace_id), now)
    session.flush()
    audit_entry(session, actor, e, "review", before, now)
    return e


@dataclass(frozen=True)
class StatusChange:
    entry: RaidEntry
    linked: RaidEntry | None = None  # the issue an occurred risk became
    offer: RaidProposal | None = None  # the risk an invalid assumption is offered as


def set_status(
    session: Session, actor: Actor, *, ref: RaidRef, to: RaidStatus, now: datetime, text: str = ""
) -> StatusChange:
    """Move an entry on (close, accept, resolve, confirm …) or back to open."""
    e = for_change(session, actor, ref)
    before = audit.snapshot(e, FIELDS)
    if to == RaidStatus.OPEN:
        if e.closed_at is None:
            raise Conflict(f"{ref_label(e)} is already open.")
        e.status, e.closed_at = RaidStatus.OPEN, None
        rescore(e, policy_of(session, actor.workspace_id), now)
    else:
        allowed = ALLOWED[e.kind]
        if to not in allowed:
            raise InvalidInput(
                f"{ref_label(e)} is {_a(e.kind.value)}; it can't be {to.value}.",
                f"{_a(e.kind.value).capitalize()} can be: {', '.join(s.value for s in allowed)}.",
            )
        _open(e)
        if e.status == to:
            raise Conflict(f"{ref_label(e)} is already {to.value}.")
        if to == RaidStatus.RESOLVED:
            if not text.strip():
                raise InvalidInput(
                    "Say how it was resolved.",
                    phrase("e.g. ", Cmd(f'issue resolve {ref_label(e)} "New supplier signed"')),
                    field="resolution",
                )
            e.resolution = text.strip()[:4000]
        e.status = to
        if to not in OPEN_STATUSES:
            e.closed_at, e.red_since = now, None
    e.updated_at = now
    session.flush()
    audit_entry(session, actor, e, to.value, before, now)
    linked = _became_issue(session, actor, e, now) if to == RaidStatus.OCCURRED else None
    offer = proposals.offer_risk(session, actor, e, now) if to == RaidStatus.INVALID else None
    escalation.escalate(session, [e], now=now, actor_id=actor.person_id)
    return StatusChange(e, linked, offer)


def _became_issue(session: Session, actor: Actor, risk: RaidEntry, now: datetime) -> RaidEntry:
    """An occurred risk: a new issue in the same project, linked both ways."""
    owner = session.get(Person, risk.owner_id) if risk.owner_id else None
    severity = ISSUE_SEVERITY.get(risk.impact or 0, Level.LOW)
    detail = f"Risk {ref_label(risk)} occurred." + (
        f"\n{risk.description}" if risk.description else ""
    )
    issue = add(
        session,
        actor,
        kind=RaidKind.ISSUE,
        key=_project(session, risk).key,
        title=risk.title,
        new=NewEntry(owner=owner, description=detail, severity=severity),
        now=now,
    )
    issue.linked_entry_id, risk.linked_entry_id = risk.id, issue.id
    session.flush()
    return issue


def respond(
    session: Session,
    actor: Actor,
    *,
    ref: RaidRef,
    strategy: Strategy,
    now: datetime,
    action: str = "",
    owner: Person | None = None,
    due_on: date | None = None,
) -> RaidEntry:
    """Set a risk's response; an action, if given, becomes a linked action item. A response
    under way (anything but accept or reject) makes the risk `mitigating`."""
    e = for_change(session, actor, ref)
    if e.kind != RaidKind.RISK:
        raise InvalidInput(f"{ref_label(e)} is {_a(e.kind.value)}; responses are for risks.")
    _open(e)
    check_strategy(strategy, e.opportunity)
    before = audit.snapshot(e, FIELDS)
    project = _project(session, e)
    if action.strip():
        doer = owner or (session.get(Person, e.owner_id) if e.owner_id else None)
        if doer is None:
            doer = session.get(Person, actor.person_id)
        assert doer is not None
        item = action_items.add(
            session,
            actor,
            title=action,
            owner=doer,
            project_key=project.key,
            due_on=due_on,
            notes=f"Response ({strategy.value}) to {ref_label(e)}: {e.title}",
            now=now,
        )
        session.add(RaidAction(workspace_id=e.workspace_id, entry_id=e.id, action_item_id=item.id))
    e.strategy = strategy
    if strategy not in (Strategy.ACCEPT, Strategy.REJECT):
        e.status = RaidStatus.MITIGATING
    e.updated_at = now
    session.flush()
    audit_entry(session, actor, e, "respond", before, now)
    return e


def assign(
    session: Session, actor: Actor, *, ref: RaidRef, owner: Person, now: datetime
) -> RaidEntry:
    """Give an entry to another owner (exactly one owner at a time)."""
    e = for_change(session, actor, ref)
    _open(e)
    check_owner(session, actor, _project(session, e), owner)
    if e.owner_id == owner.id:
        raise Conflict(f"@{owner.handle} already owns {ref_label(e)}.")
    before = audit.snapshot(e, FIELDS)
    e.owner_id, e.updated_at = owner.id, now
    session.flush()
    audit_entry(session, actor, e, "assign", before, now)
    return e


def edit(
    session: Session, actor: Actor, *, ref: RaidRef, title: str, new: NewEntry, now: datetime
) -> RaidEntry:
    """Save an edited entry (from its form) in one audited step."""
    e = for_change(session, actor, ref)
    _open(e)
    project = _project(session, e)
    check_owner(session, actor, project, new.owner)
    check_owner(session, actor, project, new.actionee, "actionee")
    before = audit.snapshot(e, FIELDS)
    e.title = clean_title(title, e.kind)
    e.description = new.description.strip()[:4000]
    e.category = (new.category or "").strip()[:60] or None
    e.owner_id = new.owner.id if new.owner else e.owner_id
    e.actionee_id = new.actionee.id if new.actionee else None
    if e.kind != RaidKind.RISK:
        e.due_on = new.due_on
    scored = False
    if e.kind == RaidKind.RISK:
        check_level(new.probability, "probability", required=True)
        check_level(new.impact, "impact", required=True)
        check_level(new.residual_probability, "residual_probability")
        check_level(new.residual_impact, "residual_impact")
        check_strategy(new.strategy, new.opportunity)
        scored = (new.probability, new.impact, new.residual_probability, new.residual_impact) != (
            e.probability,
            e.impact,
            e.residual_probability,
            e.residual_impact,
        )
        e.probability, e.impact = new.probability, new.impact
        e.residual_probability, e.residual_impact = new.residual_probability, new.residual_impact
        e.proximity, e.strategy, e.opportunity = new.proximity, new.strategy, new.opportunity
        e.review_on = new.review_on
    if e.kind == RaidKind.ISSUE:
        if new.severity != e.severity:
            e.escalated_at = None  # a new severity is news (if it is high)
        e.issue_type, e.priority = new.issue_type or e.issue_type, new.priority
        e.severity = new.severity or e.severity
    rescore(e, policy_of(session, actor.workspace_id), now)
    e.updated_at = now
    if scored:
        session.add(score_row(e, actor.person_id, now, "edited"))
    session.flush()
    audit_entry(session, actor, e, "edit", before, now)
    escalation.escalate(session, [e], now=now, actor_id=actor.person_id)
    return e
