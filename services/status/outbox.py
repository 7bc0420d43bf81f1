"""What the outbox needs to know about status rounds: nudges made moot by an update, and the
portfolio report built when its message goes out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CycleState, StatusCycle, StatusUpdate
from services.core.dates import local_today
from services.outbox.contents import AttachmentBuilder, Destination, StaleCheck
from services.status.report import Report, build


def answered_rounds(session: Session, cycle_ids: set[int]) -> set[int]:
    """Rounds that got their update, or closed, since their nudge was queued."""
    answered = set(
        session.scalars(select(StatusUpdate.cycle_id).where(StatusUpdate.cycle_id.in_(cycle_ids)))
    )
    closed = session.scalars(
        select(StatusCycle.id).where(
            StatusCycle.id.in_(cycle_ids), StatusCycle.state != CycleState.OPEN
        )
    )
    return answered | set(closed)


def report(session: Session, payload: dict[str, Any], where: Destination) -> Report:
    """The week's portfolio report as it stands now (private projects only in a DM)."""
    return build(
        session,
        where.workspace_id,
        payload["report"]["period"],
        today=local_today(where.now, where.workspace_timezone),
        include_private=where.channel is None,
    )


STALE: dict[str, StaleCheck] = {"status_nudge": answered_rounds}
ATTACHMENTS: dict[str, AttachmentBuilder] = {"report": report}
