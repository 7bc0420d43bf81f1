"""Write audit events in the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any, Protocol

from sqlalchemy.orm import Session

from models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The JSON-able values of `fields` on `obj`."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def record(
    session: Session,
    *,
    workspace_id: int,
    actor_id: int | None,
    entity_type: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Add an AuditEvent; only the fields that changed are kept for updates."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    session.add(
        AuditEvent(
            workspace_id=workspace_id,
            actor_id=actor_id,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            before=before,
            after=after,
            at=now,
        )
    )


class _Acting(Protocol):
    @property
    def workspace_id(self) -> int: ...

    @property
    def person_id(self) -> int: ...


def record_by(
    session: Session,
    actor: _Acting,
    *,
    entity_type: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> None:
    """`record` for a change made by `actor` in their own workspace."""
    record(
        session,
        workspace_id=actor.workspace_id,
        actor_id=actor.person_id,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        now=now,
    )
