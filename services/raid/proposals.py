"""Offers to log an entry, made once and taken with one click.

A blocker a project reports again in the next round — the same or nearly the same words
(rapidfuzz) — is offered to its PM as an issue, prefilled, with the rounds it appeared in.
A lingering blocker is offered once: later rounds only add their round to the offer. An
invalid assumption is offered as a risk the same way.
"""

from __future__ import annotations

import re
from datetime import datetime

from rapidfuzz import fuzz, utils
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Membership,
    Person,
    Project,
    ProjectRole,
    ProposalState,
    RaidEntry,
    RaidKind,
    RaidProposal,
    StatusCycle,
    StatusUpdate,
)
from services.core import audit
from services.core.access import Actor
from services.core.dates import local_today
from services.core.errors import Conflict, NotFound
from services.core.refs import Cmd, phrase
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import insert_notifications, outbox_row
from services.raid.entries import NewEntry, add
from services.raid.store import project_for_adding, ref_label
from services.raid.views import OfferView

SAME = 80  # rapidfuzz WRatio from which two blockers are the same one, reworded
RULE = "raid_offer"
SPLIT = re.compile(r"\n|;|(?:^|\s)[•*-]\s")
BULLET = re.compile(r"^(?:[•*-]|\d+[.)])\s*")


def blocker_items(text: str) -> list[str]:
    """A blockers text as separate blockers (lines, bullets, semicolons)."""
    items = [BULLET.sub("", " ".join(part.split())) for part in SPLIT.split(text or "")]
    return [i for i in items if len(i) >= 3]


def same(a: str, b: str) -> bool:
    """Whether two blockers are the same one, maybe reworded."""
    return fuzz.WRatio(a, b, processor=utils.default_process) >= SAME


def view(
    p: RaidProposal, key: str, source: str | None = None, entry: str | None = None
) -> OfferView:
    return OfferView(
        p.id,
        p.kind,
        p.source,
        key,
        p.title,
        p.detail,
        tuple(p.rounds or ()),
        p.state,
        source,
        entry,
    )


def _pms(session: Session, project_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Membership.person_id).where(
                Membership.project_id == project_id, Membership.role == ProjectRole.PM
            )
        )
    )


def _offer(
    session: Session, p: RaidProposal, project: Project, to: list[int], now: datetime
) -> None:
    """Queue the offer to each person (once: the outbox key is the offer and the person)."""
    what = "an issue" if p.kind == RaidKind.ISSUE else "a risk"
    if p.source == "blocker":
        title = f"{project.key}: a blocker reported in {len(p.rounds)} rounds"
    else:
        title = f"{project.key}: an assumption turned out invalid"
    lines = [DigestLine("text", 0, p.title)]
    if p.detail:
        lines.append(DigestLine("text", 0, p.detail[:1500]))
    notice = Digest(
        DigestKind.RAID_OFFER,
        title,
        local_today(now, "UTC"),
        [DigestSection(f"Log it as {what}?", lines, len(lines))],
        note=phrase(
            "Log it with one click, or ",
            Cmd(f"raid log {p.id}"),
            " · ",
            Cmd(f"raid dismiss {p.id}"),
        ),
        project_key=project.key,
        ref=f"{p.kind.value}:{p.id}",
    )
    insert_notifications(
        session,
        [
            outbox_row(
                p.workspace_id,
                RULE,
                ("raid_proposal", p.id),
                "offer",
                payload={"digest": notice.to_payload()},
                at=now,
                now=now,
                recipient_id=person,
            )
            for person in dict.fromkeys(to)
        ],
    )


def check_blockers(
    session: Session,
    *,
    project: Project,
    cycle: StatusCycle,
    blockers: str,
    author_id: int,
    now: datetime,
) -> list[RaidProposal]:
    """After an update: offer each blocker the previous round also reported as an issue,
    unless it was offered (or logged as an issue) already."""
    current = blocker_items(blockers)
    if not current:
        return []
    prev = session.execute(
        select(StatusCycle.period, StatusUpdate.blockers)
        .join(StatusUpdate, StatusUpdate.cycle_id == StatusCycle.id)
        .where(
            StatusCycle.project_id == project.id,
            StatusCycle.period < cycle.period,
            StatusUpdate.latest.is_(True),
        )
        .order_by(StatusCycle.period.desc())
        .limit(1)
    ).first()
    if prev is None:
        return []
    prev_period, prev_text = prev
    earlier = blocker_items(prev_text)
    known = session.scalars(
        select(RaidProposal).where(
            RaidProposal.project_id == project.id, RaidProposal.source == "blocker"
        )
    ).all()
    issues = session.scalars(
        select(RaidEntry.title).where(
            RaidEntry.project_id == project.id, RaidEntry.kind == RaidKind.ISSUE
        )
    ).all()
    made: list[RaidProposal] = []
    for item in current:
        before = next((b for b in earlier if same(item, b)), None)
        if before is None:
            continue
        chain = next((k for k in known if same(k.title, before) or same(k.title, item)), None)
        if chain is not None:  # offered already: this round joins it, no new offer
            if cycle.period not in (chain.rounds or []):
                chain.rounds = [*(chain.rounds or []), cycle.period]
            continue
        if any(same(t, item) for t in issues):
            continue  # logged as an issue by hand already
        p = RaidProposal(
            workspace_id=project.workspace_id,
            project_id=project.id,
            kind=RaidKind.ISSUE,
            source="blocker",
            title=item[:300],
            detail=f"Reported as a blocker in {prev_period} ({before[:500]}) and again in "
            f"{cycle.period}.",
            rounds=[prev_period, cycle.period],
            state=ProposalState.OFFERED,
            created_at=now,
        )
        session.add(p)
        session.flush()
        known = [*known, p]
        _offer(session, p, project, _pms(session, project.id) or [author_id], now)
        made.append(p)
    session.flush()
    return made


def offer_risk(
    session: Session, actor: Actor, assumption: RaidEntry, now: datetime
) -> RaidProposal:
    """An invalid assumption: offer its project's PM (and whoever said so) a risk."""
    project = session.get(Project, assumption.project_id)
    assert project is not None
    p = RaidProposal(
        workspace_id=assumption.workspace_id,
        project_id=project.id,
        kind=RaidKind.RISK,
        source="assumption",
        title=f"{assumption.title} (assumption {ref_label(assumption)} does not hold)"[:300],
        detail=assumption.description[:2000],
        rounds=[],
        source_entry_id=assumption.id,
        state=ProposalState.OFFERED,
        created_at=now,
    )
    session.add(p)
    session.flush()
    others = [pm for pm in _pms(session, project.id) if pm != actor.person_id]
    if others:
        _offer(session, p, project, others, now)
    return p


def _load(session: Session, actor: Actor, offer_id: int) -> tuple[RaidProposal, Project]:
    p = session.get(RaidProposal, offer_id)
    if p is None or p.workspace_id != actor.workspace_id:
        raise NotFound(f"There is no offer {offer_id}.")
    project = session.get(Project, p.project_id)
    assert project is not None
    project_for_adding(session, actor, project.key, "RAID log")
    if p.state != ProposalState.OFFERED:
        raise Conflict(f"Offer {offer_id} was already {p.state.value}.")
    return p, project


def prefill(session: Session, actor: Actor, offer_id: int) -> tuple[RaidProposal, Project]:
    """The offer and its project, to open the new-entry form prefilled."""
    return _load(session, actor, offer_id)


def log(
    session: Session,
    actor: Actor,
    *,
    offer_id: int,
    now: datetime,
    title: str | None = None,
    new: NewEntry | None = None,
) -> RaidEntry:
    """Take an offer: the entry is created (as offered, or as edited in its form)."""
    p, project = _load(session, actor, offer_id)
    me = session.get(Person, actor.person_id)
    if new is None:
        source = session.get(RaidEntry, p.source_entry_id) if p.source_entry_id else None
        owner = session.get(Person, source.owner_id) if source and source.owner_id else me
        new = (
            NewEntry(owner=owner, description=p.detail)
            if p.kind == RaidKind.ISSUE
            else NewEntry(owner=owner, description=p.detail, probability=3, impact=3)
        )
    e = add(session, actor, kind=p.kind, key=project.key, title=title or p.title, new=new, now=now)
    if p.source_entry_id:
        e.linked_entry_id = p.source_entry_id
    p.state, p.entry_id, p.decided_at, p.decided_by_id = (
        ProposalState.LOGGED,
        e.id,
        now,
        actor.person_id,
    )
    session.flush()
    _audit(session, actor, p, now)
    return e


def dismiss(session: Session, actor: Actor, *, offer_id: int, now: datetime) -> OfferView:
    """Turn an offer down: it is not offered again."""
    p, project = _load(session, actor, offer_id)
    p.state, p.decided_at, p.decided_by_id = ProposalState.DISMISSED, now, actor.person_id
    session.flush()
    _audit(session, actor, p, now)
    return view(p, project.key)


def _audit(session: Session, actor: Actor, p: RaidProposal, now: datetime) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="raid_proposal",
        entity_id=p.id,
        action=p.state.value,
        before={"state": ProposalState.OFFERED.value},
        after={"state": p.state.value, "entry_id": p.entry_id, "title": p.title},
        now=now,
    )
