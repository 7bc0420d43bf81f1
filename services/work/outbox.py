"""What the outbox needs to know about action items and deliverables: their titles and
whether a reminder about them is still due when it goes out."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ActionItem, ActionStatus, Deliverable, DeliverableStatus
from services.outbox.contents import Subject, SubjectLoader

OPEN_DELIVERABLE = (DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS)


def action_items(session: Session, ids: set[int]) -> dict[int, Subject]:
    """Open and not snoozed past the recipient's today."""
    out: dict[int, Subject] = {}
    for r in session.execute(
        select(ActionItem.id, ActionItem.status, ActionItem.snoozed_until, ActionItem.title).where(
            ActionItem.id.in_(ids)
        )
    ):

        def due(
            today: date, status: ActionStatus = r.status, until: date | None = r.snoozed_until
        ) -> bool:
            return status == ActionStatus.OPEN and not (until is not None and until > today)

        out[r.id] = Subject(r.title, due)
    return out


def deliverables(session: Session, ids: set[int]) -> dict[int, Subject]:
    """Planned or in progress."""
    rows = session.execute(
        select(Deliverable.id, Deliverable.status, Deliverable.title).where(Deliverable.id.in_(ids))
    )
    out: dict[int, Subject] = {}
    for r in rows:

        def due(_today: date, open_: bool = r.status in OPEN_DELIVERABLE) -> bool:
            return open_

        out[r.id] = Subject(r.title, due)
    return out


SUBJECTS: dict[str, SubjectLoader] = {"action_item": action_items, "deliverable": deliverables}
