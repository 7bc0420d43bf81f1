"""Deliver what the outbox holds: claim due rows, send one bundle per recipient through a
channel's notifier, record each outcome. The edge owns these transactions: a claim is
committed before anything is sent, each outcome in its own transaction after."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from services.dependencies import notices as dependency_notices
from services.documents import sweep as document_sweep
from services.meetings import outbox as meetings_outbox
from services.outbox import delivery
from services.outbox.contents import Contents
from services.outbox.port import REFUSED, DeliveryError, Notifier
from services.projects import gates
from services.raci import sweep as raci_sweep
from services.raid import outbox as raid_outbox
from services.status import outbox as status_outbox
from services.work import outbox as work_outbox

CONTENTS = Contents(
    subjects={**work_outbox.SUBJECTS, **raid_outbox.SUBJECTS},
    stale={
        **status_outbox.STALE,
        **raci_sweep.STALE,
        **dependency_notices.STALE,
        **gates.STALE,
        **document_sweep.STALE,
    },
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
        refused: dict[int, str] = (result or {}).get(REFUSED) or {}
        for row, reason in refused.items():  # a part that could not be shown: it alone fails
            with sessions.begin() as s:
                delivery.mark_failed(s, [row], DeliveryError(reason, permanent=True), now=tick())
            report.failed += 1
            report.errors.append(reason)
        sent = [r for r in row_ids if r not in refused]
        with sessions.begin() as s:
            delivery.mark_sent(s, sent, now=tick())
            delivery.after_sent(s, bundle, result, contents=CONTENTS)
        report.sent += len(sent)
        report.messages += 1
    return report
