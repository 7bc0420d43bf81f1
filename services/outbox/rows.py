"""Outbox rows: one materialized notification each, keyed for idempotency.

The key is (workspace, rule, subject, occurrence, recipient or channel): inserting a row
whose key exists does nothing, so every sweep may materialize what is due again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import Notification, NotificationState


def outbox_row(
    workspace_id: int,
    rule: str,
    subject: tuple[str, int],
    occurrence: str,
    *,
    payload: dict[str, Any],
    at: datetime,
    now: datetime,
    recipient_id: int | None = None,
    channel: str | None = None,
    state: NotificationState = NotificationState.PENDING,
    last_error: str | None = None,
) -> dict[str, Any]:
    """One outbox row for `insert_notifications`: a DM to `recipient_id` or a post in
    `channel`, keyed by (rule, subject, occurrence, recipient or channel), due at `at`."""
    return {
        "workspace_id": workspace_id,
        "rule": rule,
        "subject_type": subject[0],
        "subject_id": subject[1],
        "occurrence": occurrence,
        "recipient_id": recipient_id,
        "channel": channel,
        "payload": payload,
        "state": state,
        "last_error": last_error,
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": now,
    }


_PG_INSERT = text(
    """
    INSERT INTO notification (workspace_id, rule, subject_type, subject_id, occurrence,
                              recipient_id, channel, payload, state, attempts,
                              next_attempt_at, last_error, created_at)
    SELECT workspace_id, rule, subject_type, subject_id, occurrence, recipient_id, channel,
           payload, state, attempts, next_attempt_at, last_error, created_at
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(
        workspace_id int, rule text, subject_type text, subject_id int, occurrence text,
        recipient_id int, channel text, payload json, state text, attempts int,
        next_attempt_at timestamptz, last_error text, created_at timestamptz)
    ON CONFLICT DO NOTHING
    RETURNING id
    """
)


def insert_notifications(session: Session, values: list[dict[str, Any]]) -> int:
    """Insert outbox rows, skipping any whose idempotency key exists; returns how many are new.

    PostgreSQL gets the rows as one JSON parameter (a statement with thousands of bound
    parameters costs more to build and parse than to run); SQLite runs one compiled
    statement over many parameter sets.
    """
    if not values:
        return 0
    rows = [{"channel": None, "last_error": None, **v} for v in values]
    if session.get_bind().dialect.name == "postgresql":
        for r in rows:
            r["state"] = NotificationState(r["state"]).value
            r["next_attempt_at"] = r["next_attempt_at"].isoformat()
            r["created_at"] = r["created_at"].isoformat()
        new = 0
        for i in range(0, len(rows), 5000):
            chunk = json.dumps(rows[i : i + 5000], separators=(",", ":"))
            new += len(session.execute(_PG_INSERT, {"rows": chunk}).all())
        return new
    table = cast(Table, Notification.__table__)
    stmt = sqlite_insert(table).on_conflict_do_nothing().returning(table.c.id)
    return len(session.connection().execute(stmt, rows).all())
