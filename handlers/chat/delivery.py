"""Deliver what the outbox holds: claim due rows, send one bundle per recipient through a
channel's notifier, record each outcome. The edge owns these transactions: a claim is
committed before anything is sent, each outcome in its own transaction after."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from services.dependencies import notices as dependency_notices
from services.documents import sweep as document_sweep
from services.meetings import outbox as meetings_outbox
from services.outbox import delivery, progress
from services.outbox.contents import Contents
from services.outbox.port import REFUSED, Bundle, DeliveryError, Notifier
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

log = logging.getLogger(__name__)


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
    bundles = _prepare(sessions, ids, now, tick, report)
    unprepared = report.failed + report.retried  # rows that could not be built, retried later
    report.skipped = report.claimed - sum(len(r) for _, r in bundles) - unprepared
    for bundle, row_ids in bundles:
        try:
            result = notifier.send(replace(bundle, checkpoint=_recorder(sessions, row_ids)))
        except DeliveryError as err:
            _failed(sessions, row_ids, err, tick(), report, started=bundle.progress)
            continue
        except Exception as exc:  # a bug for one message never stops the others' delivery
            log.exception("delivery: rows %s could not be sent", row_ids)
            broken = DeliveryError(f"internal error: {type(exc).__name__}: {exc}"[:300])
            _failed(sessions, row_ids, broken, tick(), report, started=bundle.progress)
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


def _failed(
    sessions: sessionmaker[Session],
    row_ids: list[int],
    err: DeliveryError,
    now: datetime,
    report: SweepReport,
    *,
    started: dict[str, Any] | None = None,
) -> None:
    """Record a refused or broken delivery: retried with backoff, or failed for good
    (`started`: the progress the attempt began with)."""
    with sessions.begin() as s:
        retried, failed = delivery.mark_failed(s, row_ids, err, now=now, started=started)
    report.retried += retried
    report.failed += failed
    report.errors.append(err.reason)


def _prepare(
    sessions: sessionmaker[Session],
    ids: list[int],
    now: datetime,
    tick: Callable[[], datetime],
    report: SweepReport,
) -> list[tuple[Bundle, list[int]]]:
    """The bundles of the claimed rows, all at once; if that fails, row by row, so a row that
    can't be built (say, its recipient's stored zone no longer exists) is retried later and
    holds back nobody else's message."""
    try:
        with sessions.begin() as s:
            return delivery.prepare(s, ids, now=now, contents=CONTENTS)
    except Exception:
        log.exception("delivery: %d rows could not be prepared together; one by one", len(ids))
    out: list[tuple[Bundle, list[int]]] = []
    for i in ids:
        try:
            with sessions.begin() as s:
                out += delivery.prepare(s, [i], now=now, contents=CONTENTS)
        except Exception as exc:
            log.exception("delivery: notification %s could not be prepared", i)
            why = f"notification {i} could not be prepared: {type(exc).__name__}: {exc}"
            _failed(sessions, [i], DeliveryError(why[:300]), tick(), report)
    return out


def _recorder(
    sessions: sessionmaker[Session], row_ids: list[int]
) -> Callable[[dict[str, Any]], None]:
    """A multi-part message's checkpoint: its progress, committed at once in its own
    transaction (before the part it names is sent; nothing stays open across the call)."""

    def record(done: dict[str, Any]) -> None:
        with sessions.begin() as s:
            progress.record(s, row_ids, done)

    return record
