"""Idempotency for inbound platform events (Slack retries the same event up to 3 times)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import ProcessedEvent


def first_sight(
    session: Session, *, platform: str, team_id: str, event_id: str, now: datetime
) -> bool:
    """Record an event id; True only the first time this (platform, team, event) is seen."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(ProcessedEvent)
        .values(platform=platform, team_id=team_id, event_id=event_id[:128], received_at=now)
        .on_conflict_do_nothing(index_elements=["platform", "team_id", "event_id"])
        .returning(ProcessedEvent.id)
    )
    # RETURNING, not rowcount: psycopg reports rowcount 1 for a skipped conflicting row.
    return session.execute(stmt).first() is not None


def forget_older_than(session: Session, *, now: datetime, days: int = 7) -> int:
    """Drop event ids past Slack's retry window; returns how many went."""
    result = session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.received_at < now - timedelta(days=days))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
