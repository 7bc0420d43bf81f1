"""What the digests share: ISO weeks, open work due by a date, sections, and outbox rows.

Digests are planned by the sweep like reminders: the database says what is due, and each
digest has an idempotency key (rule, subject, occurrence = local date or ISO week, recipient
person or channel), so a restart neither forgets nor repeats one, and a sweep after downtime
sends one late digest, not one per missed day. A digest with nothing in it is recorded as
skipped, never sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    ActionStatus,
    Deliverable,
    DeliverableStatus,
    NotificationState,
    Person,
    Project,
)
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import outbox_row

MAX_LINES = 25  # per section in a stored digest; the rest is counted ("… and N more")
CHUNK = 2000
OPEN_DELIVERABLE = (DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS)


def iso_week(d: date) -> str:
    """`d`'s ISO week, e.g. `2026-W47`."""
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def week_of(d: date) -> tuple[date, date]:
    """Monday and Sunday of `d`'s ISO week."""
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def section(heading: str, lines: list[DigestLine]) -> DigestSection:
    """A section holding its first MAX_LINES lines and counting all of them."""
    return DigestSection(heading, lines[:MAX_LINES], len(lines))


def chunks(ids: Iterable[int]) -> list[list[int]]:
    """The ids sorted, in lists of CHUNK (to keep IN lists bounded)."""
    seq = sorted(ids)
    return [seq[i : i + CHUNK] for i in range(0, len(seq), CHUNK)]


def digest_row(
    ws_id: int,
    rule: str,
    subject: tuple[str, int],
    occurrence: str,
    now: datetime,
    digest: Digest | None,
    *,
    recipient_id: int | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """A digest's outbox row; an empty digest is recorded as skipped, never sent."""
    return outbox_row(
        ws_id,
        rule,
        subject,
        occurrence,
        now=now,
        at=now,
        recipient_id=recipient_id,
        channel=channel,
        payload={"digest": digest.to_payload()} if digest else {},
        state=NotificationState.PENDING if digest else NotificationState.SKIPPED,
        last_error=None if digest else "nothing to report",
    )


@dataclass(frozen=True)
class Due:
    """An open action item or deliverable and its due date, as a digest lists it."""

    kind: str
    id: int
    title: str
    due: date
    key: str | None
    owner_id: int | None
    snoozed_until: date | None = None
    owner_handle: str = ""
    owner_external_id: str = ""

    def line(self) -> DigestLine:
        return DigestLine(
            self.kind,
            self.id,
            self.title,
            self.due,
            self.key,
            self.owner_handle,
            self.owner_external_id,
        )


def open_work(
    session: Session,
    *,
    owners: set[int] | None = None,
    projects: set[int] | None = None,
    until: date,
) -> list[Due]:
    """Open action items and deliverables due by `until`, of these owners or projects."""
    out: list[Due] = []
    by_owner = owners is not None
    for chunk in chunks((owners if by_owner else projects) or set()):
        col_i = ActionItem.owner_id if by_owner else ActionItem.project_id
        for i_id, title, due, owner_id, snoozed, key, handle, ext in session.execute(
            select(
                ActionItem.id,
                ActionItem.title,
                ActionItem.due_on,
                ActionItem.owner_id,
                ActionItem.snoozed_until,
                Project.key,
                Person.handle,
                Person.external_id,
            )
            .outerjoin(Project, Project.id == ActionItem.project_id)
            .join(Person, Person.id == ActionItem.owner_id)
            .where(
                col_i.in_(chunk),
                ActionItem.status == ActionStatus.OPEN,
                ActionItem.due_on.is_not(None),
                ActionItem.due_on <= until,
            )
        ):
            if due is not None:
                out.append(
                    Due("action_item", i_id, title, due, key, owner_id, snoozed, handle, ext)
                )
        col_d = Deliverable.owner_id if by_owner else Deliverable.project_id
        for d_id, title, forecast, d_owner, key, handle, ext in session.execute(
            select(
                Deliverable.id,
                Deliverable.title,
                Deliverable.forecast_on,
                Deliverable.owner_id,
                Project.key,
                Person.handle,
                Person.external_id,
            )
            .join(Project, Project.id == Deliverable.project_id)
            .outerjoin(Person, Person.id == Deliverable.owner_id)
            .where(
                col_d.in_(chunk),
                Deliverable.status.in_(OPEN_DELIVERABLE),
                Deliverable.forecast_on <= until,
            )
        ):
            out.append(
                Due(
                    "deliverable",
                    d_id,
                    title,
                    forecast,
                    key,
                    d_owner,
                    None,
                    handle or "",
                    ext or "",
                )
            )
    return out
