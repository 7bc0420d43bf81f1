"""A past week as it was: overdue work as it stood at that week's end.

Items and deliverables changed since then are put back as they were from the audit trail: each
change records the fields it changed with their old values, so the first change after the
moment gives each field's value at it (a due date moved later, a status set to done). Work
created after the moment did not exist yet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import ActionItem, ActionStatus, AuditEvent, Deliverable, DeliverableStatus
from services.digests.common import chunks

OPEN_DELIVERABLE = (DeliverableStatus.PLANNED.value, DeliverableStatus.IN_PROGRESS.value)


def _as_they_were(
    session: Session,
    workspace_id: int,
    kind: str,
    rows: dict[int, dict[str, Any]],
    moment: datetime,
) -> None:
    """Put each row's fields back to their values at `moment` (audit events after it)."""
    reverted: dict[int, set[str]] = defaultdict(set)
    for chunk in chunks(rows):
        for entity_id, before in session.execute(
            select(AuditEvent.entity_id, AuditEvent.before)
            .where(
                AuditEvent.workspace_id == workspace_id,
                AuditEvent.entity_type == kind,
                AuditEvent.entity_id.in_(chunk),
                AuditEvent.at > moment,
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        ):
            for field, value in (before or {}).items():
                if field in rows[entity_id] and field not in reverted[entity_id]:
                    reverted[entity_id].add(field)
                    rows[entity_id][field] = value


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def overdue_at(
    session: Session, workspace_id: int, *, moment: datetime, day: date
) -> tuple[dict[int, int], dict[int, int]]:
    """Per project: open action items and deliverables due before `day`, as at `moment`."""
    items: dict[int, dict[str, Any]] = {}
    for i_id, pid, due, status in session.execute(
        select(ActionItem.id, ActionItem.project_id, ActionItem.due_on, ActionItem.status).where(
            ActionItem.workspace_id == workspace_id,
            ActionItem.project_id.is_not(None),
            ActionItem.created_at <= moment,
            or_(ActionItem.status == ActionStatus.OPEN, ActionItem.updated_at > moment),
        )
    ):
        items[i_id] = {"project_id": pid, "due_on": due, "status": status.value}
    dels: dict[int, dict[str, Any]] = {}
    for d_id, pid, forecast, d_status in session.execute(
        select(
            Deliverable.id, Deliverable.project_id, Deliverable.forecast_on, Deliverable.status
        ).where(
            Deliverable.workspace_id == workspace_id,
            Deliverable.created_at <= moment,
            or_(
                Deliverable.status.in_(OPEN_DELIVERABLE),
                Deliverable.updated_at > moment,
                Deliverable.done_at > moment,
            ),
        )
    ):
        dels[d_id] = {"project_id": pid, "forecast_on": forecast, "status": d_status.value}
    _as_they_were(session, workspace_id, "action_item", items, moment)
    _as_they_were(session, workspace_id, "deliverable", dels, moment)
    late_items: dict[int, int] = defaultdict(int)
    for row in items.values():
        due = _day(row["due_on"])
        if row["status"] == ActionStatus.OPEN.value and due is not None and due < day:
            late_items[row["project_id"]] += 1
    late_dels: dict[int, int] = defaultdict(int)
    for row in dels.values():
        due = _day(row["forecast_on"])
        if row["status"] in OPEN_DELIVERABLE and due is not None and due < day:
            late_dels[row["project_id"]] += 1
    return dict(late_items), dict(late_dels)
