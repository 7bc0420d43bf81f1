"""Scheduler jobs: stateless sweeps over the database (the source of truth for what is due)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from services.digests import sweep as digests
from services.meetings import agenda
from services.meetings import closing as minutes_closing
from services.meetings import outbox as meetings_outbox
from services.outbox import delivery, inbound
from services.outbox.contents import Contents
from services.outbox.port import DeliveryError, Notifier
from services.status import outbox as status_outbox
from services.status import rounds
from services.work import outbox as work_outbox
from services.work import reminders

log = logging.getLogger(__name__)
ANALYZE_AFTER = 2000
CONTENTS = Contents(
    subjects=work_outbox.SUBJECTS,
    stale=status_outbox.STALE,
    attachments={**status_outbox.ATTACHMENTS, **meetings_outbox.ATTACHMENTS},
    after_sent=meetings_outbox.AFTER_SENT,
)


@dataclass
class SweepReport:
    materialized: int = 0
    claimed: int = 0
    sent: int = 0
    messages: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"materialized {self.materialized}, sent {self.sent} in {self.messages} messages, "
            f"retrying {self.retried}, failed {self.failed}, skipped {self.skipped}"
        )


def materialize(sessions: sessionmaker[Session], *, now: datetime) -> int:
    """Put every reminder and digest due by `now` in the outbox (idempotent)."""
    with sessions.begin() as s:
        new = reminders.materialize(s, now=now) + digests.materialize(s, now=now)
        new += rounds.sweep(s, now=now)
        new += agenda.materialize(s, now=now)
        new += len(minutes_closing.close_stale(s, now=now))
    if new >= ANALYZE_AFTER and sessions.kw["bind"].dialect.name == "postgresql":
        # A bulk load just before it is read back: fresh statistics now, or the planner,
        # still seeing the old small table, scans it once per delivered message.
        with sessions.begin() as s:
            s.execute(text("ANALYZE notification"))
    return new


def deliver_due(
    sessions: sessionmaker[Session],
    notifier: Notifier,
    *,
    now: datetime,
    limit: int = 500,
    clock: Callable[[], datetime] | None = None,
    workspace_id: int | None = None,
) -> SweepReport:
    """Claim (committed before sending), send one bundle per recipient, record each outcome.

    `clock` stamps outcomes (sent_at, next retry); by default the sweep's own `now`.
    """
    tick = clock or (lambda: now)
    report = SweepReport()
    with sessions.begin() as s:
        ids = delivery.claim(s, now=now, limit=limit, workspace_id=workspace_id)
    report.claimed = len(ids)
    if not ids:
        return report
    with sessions.begin() as s:
        bundles = delivery.prepare(s, ids, now=now, contents=CONTENTS)
    report.skipped = report.claimed - sum(len(r) for _, r in bundles)
    for bundle, row_ids in bundles:
        try:
            result = notifier.send(bundle)
        except DeliveryError as err:
            with sessions.begin() as s:
                retried, failed = delivery.mark_failed(s, row_ids, err, now=tick())
            report.retried += retried
            report.failed += failed
            report.errors.append(err.reason)
            continue
        with sessions.begin() as s:
            delivery.mark_sent(s, row_ids, now=tick())
            delivery.after_sent(s, bundle, result, contents=CONTENTS)
        report.sent += len(row_ids)
        report.messages += 1
    return report


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
