"""Scheduler jobs: stateless sweeps over the database (the source of truth for what is due)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from handlers.chat.delivery import SweepReport, deliver_due
from models import Workspace
from services.core.isolation import collecting
from services.core.tenancy import only_workspace
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


def materialize(
    sessions: sessionmaker[Session], *, now: datetime, problems: list[str] | None = None
) -> int:
    """Put every reminder and digest due by `now` in the outbox (idempotent).

    Isolation, from the row up: a row a step can't build is skipped (`services.core.isolation`);
    each step runs in its own savepoint for all workspaces at once, and if it fails anyway it
    is run again once per workspace (`only_workspace`), each in its own savepoint, so a
    workspace that still fails holds back only itself. Every failure is logged with what and
    where, counted in `problems`, and tried again on the next sweep.
    """
    errors = problems if problems is not None else []
    steps: list[tuple[str, Callable[[Session], int]]] = [
        ("reminders", lambda s: reminders.materialize(s, now=now, problems=errors)),
        ("digests", lambda s: digests.materialize(s, now=now)),
        ("status rounds", lambda s: rounds.sweep(s, now=now)),
        ("agendas", lambda s: agenda.materialize(s, now=now)),
        ("stale minutes", lambda s: len(minutes_closing.close_stale(s, now=now))),
        ("RAID reviews", lambda s: raid_reviews.materialize(s, now=now)),
        ("RAID escalations", lambda s: raid_escalation.sweep(s, now=now)),
        ("RACI", lambda s: raci.materialize(s, now=now)),
        ("documents", lambda s: documents.materialize(s, now=now)),
        ("dependencies", lambda s: dependencies.materialize(s, now=now)),
    ]
    new = 0
    with sessions.begin() as s, collecting(errors):
        if s.get_bind().dialect.name == "sqlite":
            # Take SQLite's write lock now (waiting out the busy timeout if need be): the
            # steps' savepoints would otherwise open a deferred transaction that reads, then
            # can't upgrade to write once another connection has committed ("database is
            # locked", at once).
            s.connection().exec_driver_sql("BEGIN IMMEDIATE")
        for name, step in steps:
            try:
                with s.begin_nested():
                    new += step(s)
            except Exception:  # one feature's bad row never stops the others
                log.exception("sweep: %s failed; running it workspace by workspace", name)
                new += _per_workspace(s, name, step, errors)
    if new >= ANALYZE_AFTER and sessions.kw["bind"].dialect.name == "postgresql":
        # A bulk load just before it is read back: fresh statistics now, or the planner,
        # still seeing the old small table, scans it once per delivered message.
        with sessions.begin() as s:
            s.execute(text("ANALYZE notification"))
    return new


def _per_workspace(s: Session, name: str, step: Callable[[Session], int], errors: list[str]) -> int:
    """Run `step` once per workspace, each alone and in its own savepoint."""
    new = 0
    for ws in s.scalars(select(Workspace.id).order_by(Workspace.id)).all():
        try:
            with s.begin_nested(), only_workspace(s, ws):
                new += step(s)
        except Exception as exc:
            log.exception("sweep: %s failed in workspace %s", name, ws)
            errors.append(f"{name} (workspace {ws}): {type(exc).__name__}: {exc}")
    return new


def sweep(
    sessions: sessionmaker[Session], notifier: Notifier, *, now: datetime, limit: int = 500
) -> SweepReport:
    """One scheduler tick: materialize what is due, then deliver until nothing due is left."""
    problems: list[str] = []
    report = SweepReport(materialized=materialize(sessions, now=now, problems=problems))
    report.errors += problems
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
