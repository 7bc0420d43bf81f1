"""The sweep's part for digests: every personal and weekly digest due by `now`, into the
outbox (idempotent: each digest has its key, so a repeated sweep adds nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.digests.personal import personal_rows
from services.digests.weekly import weekly_rows
from services.outbox.rows import insert_notifications


def materialize(session: Session, *, now: datetime) -> int:
    """Put every digest due by `now` in the outbox (empty ones as skipped). Returns new rows."""
    rows = personal_rows(session, now=now) + weekly_rows(session, now=now)
    return insert_notifications(session, rows)
