"""A person's leave: while on leave they are not chased (their PM is, instead)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import LeavePeriod
from services.core import audit
from services.core.access import Actor
from services.core.dates import local_today
from services.core.errors import InvalidInput, NotFound

MAX_DAYS = 366


def current_and_upcoming(session: Session, actor: Actor, *, today: date) -> list[tuple[date, date]]:
    """The actor's leave that has not ended yet, soonest first."""
    return [(s, e) for _, s, e in with_ids(session, actor, today=today)]


def with_ids(session: Session, actor: Actor, *, today: date) -> list[tuple[int, date, date]]:
    """The actor's leave that has not ended yet, soonest first, with each period's id."""
    rows = session.execute(
        select(LeavePeriod.id, LeavePeriod.start_on, LeavePeriod.end_on)
        .where(LeavePeriod.person_id == actor.person_id, LeavePeriod.end_on >= today)
        .order_by(LeavePeriod.start_on, LeavePeriod.id)
    ).all()
    return [(i, s, e) for i, s, e in rows]


def record(
    session: Session, actor: Actor, *, start: date, end: date, now: datetime
) -> list[tuple[date, date]]:
    """Add a leave period (overlapping ones are merged); returns the actor's leave."""
    today = local_today(now, actor.timezone)
    if end < start:
        raise InvalidInput(
            "The leave ends before it starts.", "e.g. leave 2026-12-21 to 2027-01-02"
        )
    if end < today:
        raise InvalidInput("That leave is already over.", "Record leave that is current or ahead.")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"Leave of more than {MAX_DAYS} days can't be recorded here.")
    overlapping = session.scalars(
        select(LeavePeriod).where(
            LeavePeriod.person_id == actor.person_id,
            LeavePeriod.start_on <= end + timedelta(days=1),
            LeavePeriod.end_on >= start - timedelta(days=1),
        )
    ).all()
    for lp in overlapping:
        start, end = min(start, lp.start_on), max(end, lp.end_on)
        audit.record_by(
            session,
            actor,
            entity_type="leave",
            entity_id=lp.id,
            action="merge",
            before={"start_on": lp.start_on.isoformat(), "end_on": lp.end_on.isoformat()},
            after=None,
            now=now,
        )
        session.delete(lp)
    session.flush()
    period = LeavePeriod(
        workspace_id=actor.workspace_id,
        person_id=actor.person_id,
        start_on=start,
        end_on=end,
        created_at=now,
    )
    session.add(period)
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="leave",
        entity_id=period.id,
        action="create",
        before=None,
        after={"start_on": start.isoformat(), "end_on": end.isoformat()},
        now=now,
    )
    return current_and_upcoming(session, actor, today=today)


def cancel(session: Session, actor: Actor, *, now: datetime) -> int:
    """Cancel current and upcoming leave (a current one ends yesterday); returns how many."""
    today = local_today(now, actor.timezone)
    periods = session.scalars(
        select(LeavePeriod).where(
            LeavePeriod.person_id == actor.person_id, LeavePeriod.end_on >= today
        )
    ).all()
    if not periods:
        raise NotFound(
            "You have no current or upcoming leave.", "Record some: leave <from> to <to>"
        )
    for lp in periods:
        before = {"start_on": lp.start_on.isoformat(), "end_on": lp.end_on.isoformat()}
        if lp.start_on < today:
            lp.end_on = today - timedelta(days=1)
            after: dict | None = {
                "start_on": lp.start_on.isoformat(),
                "end_on": lp.end_on.isoformat(),
            }
        else:
            session.execute(delete(LeavePeriod).where(LeavePeriod.id == lp.id))
            after = None
        audit.record_by(
            session,
            actor,
            entity_type="leave",
            entity_id=lp.id,
            action="cancel",
            before=before,
            after=after,
            now=now,
        )
    session.flush()
    return len(periods)


def cancel_one(session: Session, actor: Actor, *, period_id: int, now: datetime) -> None:
    """Cancel one of the actor's own current or upcoming leave periods (a current one ends
    yesterday)."""
    today = local_today(now, actor.timezone)
    lp = session.scalar(
        select(LeavePeriod).where(
            LeavePeriod.id == period_id,
            LeavePeriod.person_id == actor.person_id,
            LeavePeriod.workspace_id == actor.workspace_id,
            LeavePeriod.end_on >= today,
        )
    )
    if lp is None:
        raise NotFound(
            f"You have no current or upcoming leave #{period_id}.",
            "`leave` lists yours with their numbers.",
        )
    before = {"start_on": lp.start_on.isoformat(), "end_on": lp.end_on.isoformat()}
    after: dict | None = None
    if lp.start_on < today:
        lp.end_on = today - timedelta(days=1)
        after = {"start_on": lp.start_on.isoformat(), "end_on": lp.end_on.isoformat()}
    else:
        session.execute(delete(LeavePeriod).where(LeavePeriod.id == lp.id))
    audit.record_by(
        session,
        actor,
        entity_type="leave",
        entity_id=period_id,
        action="cancel",
        before=before,
        after=after,
        now=now,
    )
    session.flush()
