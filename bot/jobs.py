"""Scheduler jobs: stateless sweeps over the database (the source of truth for what is due)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from handlers.chat.delivery import SweepReport, deliver_due
from services.dependencies import watch as dependencies
from services.digests import sweep as digests
from services.documents import sweep as documents
from services.meetings import agenda
from services.meetings import closing as minutes_closing
from services.outbox import inbound
from services.outbox.port import Notifier
from services.raci import sweep as raci
from services.raid import escalation as raid_escalation
from services.raid import reviews as raid_reviews
from services.status import rounds
from services.work import reminders

log = logging.getLogger(__name__)
ANALYZE_AFTER = 2000


def materialize(sessions: sessionmaker[Session], *, now: datetime) -> int:
    """Put every reminder and digest due by `now` in the outbox (idempotent)."""
    with sessions.begin() as s:
        new = reminders.materialize(s, now=now) + digests.materialize(s, now=now)
        new += rounds.sweep(s, now=now)
        new += agenda.materialize(s, now=now)
        new += len(minutes_closing.close_stale(s, now=now))
        new += raid_reviews.materialize(s, now=now) + raid_escalation.sweep(s, now=now)
        new += raci.materialize(s, now=now) + documents.materialize(s, now=now)
        new += dependencies.materialize(s, now=now)
    if new >= ANALYZE_AFTER and sessions.kw["bind"].dialect.name == "postgresql":
        # A bulk load just before it is read back: fresh statistics now, or the planner,
        # still seeing the old small table, scans it once per delivered message.
        with sessions.begin() as s:
            s.execute(text("ANALYZE notification"))
    return new


def sweep(
    sessions: sessionmaker[Session], notifier: Notifier, *, now: datetime, limit: int = 500
) -> SweepReport:
    """One scheduler tick: materialize what is due, then deliver until nothing due is left."""
    report = SweepReport(materialized=materialize(sessions, now=now))
    while True:
        part = deliver_due(sessions, notifier, now=now, limit=limit)
        for f in ("claimed", "sent", "messages", "retried", "failed", "skipped"):
            setattr(report, f, getattr(report, f) + getattr(part, f))
        report.errors += part.errors
        if part.claimed < limit:
            break
    with sessions.begin() as s:
        inbound.forget_older_than(s, now=now)
    log.info("sweep: %s", report.line())
    return report
