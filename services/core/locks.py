"""Row locks for read-decide-write steps that two people may take at once (two approvers
clicking together): the second waits for the first to commit, then reads what it wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session


def lock(session: Session, model: Any, row_id: int) -> None:
    """Hold the row's lock until the transaction ends (PostgreSQL; SQLite has one writer)."""
    session.execute(select(model.id).where(model.id == row_id).with_for_update())
