"""Each person's daily digest: what is overdue, due today and due later this week.

It goes at the person's chosen time (default: the start of their working day), on their
working days, within their working hours, not on leave, not on a workspace holiday;
`digest off` opts out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import LeavePeriod, Notification, Person
from services.core import audit, holidays, isolation
from services.core.access import Actor
from services.core.errors import InvalidInput
from services.core.worktime import WorkWeek, in_quiet, zone
from services.digests.common import Due, chunks, digest_row, open_work, section, week_of
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest

PERSONAL = "digest_personal"


def personal_digest(work: list[Due], today: date) -> Digest | None:
    """My overdue, due today and due later this week; None when there is nothing."""
    mine = sorted(
        (w for w in work if not (w.snoozed_until and w.snoozed_until > today)),
        key=lambda w: (w.due, w.kind, w.id),
    )
    _, sunday = week_of(today)
    overdue = [w.line() for w in mine if w.due < today]
    due_today = [w.line() for w in mine if w.due == today]
    later = [w.line() for w in mine if today < w.due <= sunday]
    if not (overdue or due_today or later):
        return None
    sections = [
        section(h, ls)
        for h, ls in (("Overdue", overdue), ("Due today", due_today), ("Due this week", later))
        if ls
    ]
    return Digest(DigestKind.PERSONAL, "Your day", today, sections)


def personal_rows(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """The outbox rows of every personal digest due by `now` (empty ones as skipped)."""
    people = session.scalars(
        select(Person).where(Person.active.is_(True), Person.digest_enabled.is_(True))
    ).all()
    # Cheap filter first: a working weekday, at or after their digest time, before day's end.

    def due_today(p: Person) -> tuple[Person, date] | None:
        local = now.astimezone(zone(p.timezone))
        start = p.digest_at or p.work_start
        if (
            str(local.isoweekday()) in p.working_days
            and start <= local.time() < p.work_end
            and not in_quiet(local.time(), p.quiet_start, p.quiet_end)
        ):
            # No catch-up for today's slot if they (or this setting) arrived after it.
            slot = datetime.combine(local.date(), start, tzinfo=zone(p.timezone))
            if slot >= p.created_at and (p.digest_since is None or slot >= p.digest_since):
                return p, local.date()
        return None

    candidates = [
        c
        for c in isolation.each(
            "digests", people, due_today, lambda p: (f"person {p.id}", p.workspace_id)
        )
        if c is not None
    ]
    if not candidates:
        return []
    ids = {p.id for p, _ in candidates}
    done: set[tuple[int | None, str]] = set()
    for chunk in chunks(ids):
        done.update(
            (r[0], r[1])
            for r in session.execute(
                select(Notification.recipient_id, Notification.occurrence).where(
                    Notification.rule == PERSONAL,
                    Notification.recipient_id.in_(chunk),
                    Notification.created_at >= now - timedelta(days=2),
                )
            )
        )
    candidates = [(p, d) for p, d in candidates if (p.id, d.isoformat()) not in done]
    if not candidates:
        return []
    ids = {p.id for p, _ in candidates}
    first = min(d for _, d in candidates)
    last = max(d for _, d in candidates)
    leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for chunk in chunks(ids):
        for lp in session.scalars(
            select(LeavePeriod).where(
                LeavePeriod.person_id.in_(chunk),
                LeavePeriod.start_on <= last,
                LeavePeriod.end_on >= first,
            )
        ):
            leave[lp.person_id].append((lp.start_on, lp.end_on))
    off = holidays.by_workspace(
        session, workspace_ids={p.workspace_id for p, _ in candidates}, start=first, end=last
    )
    candidates = [
        (p, d)
        for p, d in candidates
        if WorkWeek(
            p.timezone,
            p.working_days,
            p.work_start,
            p.work_end,
            tuple(leave.get(p.id, ())),
            off.get(p.workspace_id, frozenset()),
        ).is_working_day(d)
        and not any(s <= d <= e for s, e in leave.get(p.id, ()))
    ]
    if not candidates:
        return []
    work_by_owner: dict[int, list[Due]] = defaultdict(list)
    for w in open_work(session, owners={p.id for p, _ in candidates}, until=week_of(last)[1]):
        if w.owner_id is not None:
            work_by_owner[w.owner_id].append(w)
    return isolation.each(
        "digests",
        candidates,
        lambda c: digest_row(
            c[0].workspace_id,
            PERSONAL,
            ("person", c[0].id),
            c[1].isoformat(),
            now,
            personal_digest(work_by_owner.get(c[0].id, []), c[1]),
            recipient_id=c[0].id,
        ),
        lambda c: (f"the daily digest of person {c[0].id}", c[0].workspace_id),
    )


@dataclass(frozen=True)
class MyDigest:
    enabled: bool
    at: time
    timezone: str
    preview: Digest | None


def my_digest(session: Session, actor: Actor, *, now: datetime) -> MyDigest:
    """My digest setting and what today's digest holds right now."""
    me = session.get(Person, actor.person_id)
    assert me is not None
    today = now.astimezone(zone(me.timezone)).date()
    work = open_work(session, owners={me.id}, until=week_of(today)[1])
    return MyDigest(
        me.digest_enabled, me.digest_at or me.work_start, me.timezone, personal_digest(work, today)
    )


def set_my_digest(
    session: Session,
    actor: Actor,
    *,
    enabled: bool | None = None,
    at: time | None = None,
    now: datetime,
) -> MyDigest:
    """Turn my daily digest on or off, or move it (a time in my own zone)."""
    me = session.get(Person, actor.person_id)
    assert me is not None
    before = {"digest_enabled": me.digest_enabled, "digest_at": str(me.digest_at or "")}
    if at is not None:
        if not me.work_start <= at < me.work_end:
            raise InvalidInput(
                f"{at:%H:%M} is outside your working hours "
                f"({me.work_start:%H:%M} to {me.work_end:%H:%M}); I don't message then.",
                "Pick a time within them.",
            )
        me.digest_at, me.digest_enabled = at, True
    if enabled is not None:
        me.digest_enabled = enabled
    me.digest_since = now  # from now on, as set: no catch-up for a slot before this
    session.flush()
    after = {"digest_enabled": me.digest_enabled, "digest_at": str(me.digest_at or "")}
    audit.record_by(
        session,
        actor,
        entity_type="person",
        entity_id=me.id,
        action="digest",
        before=before,
        after=after,
        now=now,
    )
    return my_digest(session, actor, now=now)
