"""Adding to a project's RAID log: risks, issues, assumptions, dependencies and decisions,
each numbered within its project and kind (R-1, R-2 …), audited, and escalated at once when
it starts red or high."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    IssueType,
    Level,
    Person,
    Project,
    Proximity,
    Rag,
    RaidEntry,
    RaidKind,
    RaidScore,
    RaidStatus,
    Strategy,
)
from services.core import audit
from services.core.access import Actor, project_role
from services.core.errors import Conflict, InvalidInput
from services.core.refs import Cmd, phrase
from services.raid import escalation
from services.raid.policy import RaidPolicy, policy_of
from services.raid.store import project_for_adding
from services.raid.views import rank_of

TITLE_LIMIT = 300
TEXT_LIMIT = 4000
FIELDS = (
    "title",
    "description",
    "category",
    "owner_id",
    "actionee_id",
    "status",
    "opportunity",
    "probability",
    "impact",
    "residual_probability",
    "residual_impact",
    "proximity",
    "strategy",
    "review_on",
    "issue_type",
    "priority",
    "severity",
    "resolution",
    "due_on",
    "linked_entry_id",
    "decided_on",
)


def clean_title(title: str, kind: RaidKind) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput(
            f"The {kind.value} needs a title.",
            phrase("e.g. ", Cmd(f'{kind.value} add APOLLO "Supplier may go bust"')),
            field="title",
        )
    if len(title) > TITLE_LIMIT:
        raise InvalidInput(
            f"The title is {len(title)} characters long; the limit is {TITLE_LIMIT}.",
            "Keep the title short and put the detail in the description.",
            field="title",
        )
    return title


def check_level(value: int | None, name: str, *, required: bool = False) -> int | None:
    """A probability or impact from 1 to 5."""
    if value is None:
        if required:
            raise InvalidInput(f"The {name} is missing (1 to 5).", field=name)
        return None
    if not 1 <= value <= 5:
        raise InvalidInput(f"The {name} must be from 1 to 5, not {value}.", field=name)
    return value


def check_owner(
    session: Session, actor: Actor, project: Project, person: Person | None, field: str = "owner"
) -> None:
    """Owners are people of this workspace, members of a private project."""
    if person is None:
        return
    if person.workspace_id != actor.workspace_id or not person.active:
        raise InvalidInput(f"@{person.handle} can't own entries here.", field=field)
    if project.private and project_role(session, person.id, project.id) is None:
        raise InvalidInput(
            f"@{person.handle} is not a member of private project {project.key}.",
            phrase("Add them first: ", Cmd(f"project add {project.key} @{person.handle} member")),
            field=field,
        )


def audit_entry(
    session: Session,
    actor: Actor,
    e: RaidEntry,
    action: str,
    before: dict[str, Any] | None,
    now: datetime,
) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="raid_entry",
        entity_id=e.id,
        action=action,
        before=before,
        after={"ref": f"{e.kind.value}:{e.number}", **audit.snapshot(e, FIELDS)},
        now=now,
    )


def rescore(e: RaidEntry, policy: RaidPolicy, now: datetime) -> None:
    """Keep score, rank, the red band's start and a risk's next review (its `due_on`: the
    date set by hand, else the last review plus its band's interval) in step."""
    e.score = (e.probability or 0) * (e.impact or 0) or None
    e.rank = rank_of(e)
    red = not e.opportunity and policy.band(e.score) == Rag.RED
    if red and e.red_since is None and e.closed_at is None:
        e.red_since = now
    elif not red:
        e.red_since = None
    if e.kind == RaidKind.RISK:
        base = (e.reviewed_at or e.created_at or now).date()
        interval = timedelta(days=policy.review_days(policy.band(e.score)))
        e.due_on = e.review_on or base + interval


def reband(session: Session, *, workspace_id: int, policy: RaidPolicy, now: datetime) -> int:
    """After the RAID settings changed: every open risk's band and next review follow, and
    those that turned red are escalated. Returns how many turned red."""
    risks = session.scalars(
        select(RaidEntry).where(
            RaidEntry.workspace_id == workspace_id,
            RaidEntry.kind == RaidKind.RISK,
            RaidEntry.closed_at.is_(None),
        )
    ).all()
    turned: list[RaidEntry] = []
    for e in risks:
        was = e.red_since
        rescore(e, policy, now)
        if was is None and e.red_since is not None:
            turned.append(e)
    session.flush()
    escalation.escalate(session, turned, now=now)
    return len(turned)


def insert(session: Session, e: RaidEntry) -> RaidEntry:
    """Add an entry with the next number of its project and kind (retried on a clash with a
    concurrent add)."""
    for attempt in range(5):
        e.number = 1 + (
            session.scalar(
                select(func.max(RaidEntry.number)).where(
                    RaidEntry.project_id == e.project_id, RaidEntry.kind == e.kind
                )
            )
            or 0
        )
        try:
            with session.begin_nested():
                session.add(e)
                session.flush()
            return e
        except IntegrityError:
            if attempt == 4:
                raise
    raise Conflict("Someone else was adding to this log at the same moment. Try again.")


@dataclass(frozen=True)
class NewEntry:
    """What a new entry holds beyond its kind, project and title."""

    owner: Person | None = None
    description: str = ""
    category: str | None = None
    actionee: Person | None = None
    probability: int | None = None
    impact: int | None = None
    residual_probability: int | None = None
    residual_impact: int | None = None
    proximity: Proximity | None = None
    strategy: Strategy | None = None
    opportunity: bool = False
    review_on: date | None = None
    issue_type: IssueType | None = None
    priority: Level | None = None
    severity: Level | None = None
    due_on: date | None = None
    decided_on: date | None = None
    minutes_id: int | None = None
    minutes_entry_id: int | None = None
    attendees: tuple[int, ...] = ()
    source_ref: str | None = None


def add(
    session: Session,
    actor: Actor,
    *,
    kind: RaidKind,
    key: str,
    title: str,
    new: NewEntry,
    now: datetime,
) -> RaidEntry:
    """Add an entry to a project's log (members and PMO leads); a red risk or a high issue
    tells the PMO leads at once."""
    what = "decision log" if kind == RaidKind.DECISION else "RAID log"
    project = project_for_adding(session, actor, key, what)
    title = clean_title(title, kind)
    if len(new.description) > TEXT_LIMIT:
        raise InvalidInput(
            f"The description is {len(new.description):,} characters; the limit is {TEXT_LIMIT:,}.",
            "Shorten it, or link to a document.",
            field="description",
        )
    check_owner(session, actor, project, new.owner)
    check_owner(session, actor, project, new.actionee, "actionee")
    if kind == RaidKind.RISK:
        check_level(new.probability, "probability", required=True)
        check_level(new.impact, "impact", required=True)
        check_level(new.residual_probability, "residual_probability")
        check_level(new.residual_impact, "residual_impact")
        check_strategy(new.strategy, new.opportunity)
    e = RaidEntry(
        workspace_id=actor.workspace_id,
        project_id=project.id,
        kind=kind,
        title=title,
        description=new.description.strip(),
        category=(new.category or "").strip()[:60] or None,
        owner_id=new.owner.id if new.owner else None,
        actionee_id=new.actionee.id if new.actionee else None,
        raised_by_id=actor.person_id,
        status=RaidStatus.OPEN,
        opportunity=new.opportunity,
        probability=new.probability,
        impact=new.impact,
        residual_probability=new.residual_probability,
        residual_impact=new.residual_impact,
        proximity=new.proximity,
        strategy=new.strategy,
        review_on=new.review_on,
        issue_type=new.issue_type or (IssueType.PROBLEM if kind == RaidKind.ISSUE else None),
        priority=new.priority,
        severity=new.severity or (Level.MEDIUM if kind == RaidKind.ISSUE else None),
        due_on=new.due_on,
        decided_on=new.decided_on,
        minutes_id=new.minutes_id,
        minutes_entry_id=new.minutes_entry_id,
        attendees=list(new.attendees),
        source_ref=new.source_ref,
        resolution="",
        created_at=now,
        updated_at=now,
    )
    rescore(e, policy_of(session, actor.workspace_id), now)
    insert(session, e)
    if kind == RaidKind.RISK:
        session.add(score_row(e, actor.person_id, now, "first scored"))
    session.flush()
    audit_entry(session, actor, e, "create", None, now)
    escalation.escalate(session, [e], now=now, actor_id=actor.person_id)
    return e


def score_row(e: RaidEntry, by_id: int | None, now: datetime, note: str = "") -> RaidScore:
    assert e.probability is not None and e.impact is not None
    return RaidScore(
        workspace_id=e.workspace_id,
        entry_id=e.id,
        probability=e.probability,
        impact=e.impact,
        score=e.probability * e.impact,
        residual_probability=e.residual_probability,
        residual_impact=e.residual_impact,
        note=note[:300],
        by_id=by_id,
        at=now,
    )


THREATS = (
    Strategy.AVOID,
    Strategy.REDUCE,
    Strategy.FALLBACK,
    Strategy.TRANSFER,
    Strategy.SHARE,
    Strategy.ACCEPT,
)
OPPORTUNITIES = (Strategy.EXPLOIT, Strategy.ENHANCE, Strategy.SHARE, Strategy.REJECT)


def check_strategy(strategy: Strategy | None, opportunity: bool) -> None:
    """Threats: avoid, reduce, fallback, transfer, share, accept; opportunities: exploit,
    enhance, share, reject."""
    if strategy is None:
        return
    allowed = OPPORTUNITIES if opportunity else THREATS
    if strategy not in allowed:
        what = "an opportunity" if opportunity else "a threat"
        raise InvalidInput(
            f"{strategy.value} is not a response to {what}.",
            f"Use one of: {', '.join(s.value for s in allowed)}.",
            field="strategy",
        )
