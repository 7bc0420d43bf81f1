"""Notices and requests to one person, timed for their working day: an outbox row holding a
`Digest` (with the buttons its kind carries), due at the start of the recipient's next working
window — never in their quiet hours, on their days off or on a workspace holiday."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from models import Person
from services.core import holidays as workspace_holidays
from services.core.worktime import WorkWeek
from services.outbox.port import Digest
from services.outbox.rows import outbox_row


def work_week(p: Person, holidays: frozenset[date] = frozenset()) -> WorkWeek:
    """A person's working week (without their leave)."""
    return WorkWeek(p.timezone, p.working_days, p.work_start, p.work_end, (), holidays)


def holidays_ahead(session: Session, workspace_id: int, now: datetime) -> frozenset[date]:
    """The workspace's holidays in the next three weeks (when a notice may be held back)."""
    start = now.date() - timedelta(days=1)
    found = workspace_holidays.by_workspace(
        session, workspace_ids={workspace_id}, start=start, end=start + timedelta(days=22)
    )
    return found.get(workspace_id, frozenset())


def notice_row(
    workspace_id: int,
    rule: str,
    subject: tuple[str, int],
    occurrence: str,
    digest: Digest,
    *,
    to: Person,
    now: datetime,
    holidays: frozenset[date] = frozenset(),
) -> dict[str, Any]:
    """The outbox row of `digest` for `to`, keyed (rule, subject, occurrence, to), due at the
    start of their next working window (now, if they are at work)."""
    return outbox_row(
        workspace_id,
        rule,
        subject,
        occurrence[:40],
        payload={"digest": digest.to_payload()},
        at=work_week(to, holidays).next_window_start(now),
        now=now,
        recipient_id=to.id,
    )


def channel_row(
    workspace_id: int,
    rule: str,
    subject: tuple[str, int],
    occurrence: str,
    digest: Digest,
    *,
    channel: str,
    now: datetime,
) -> dict[str, Any]:
    """The outbox row of `digest` posted in `channel`, now."""
    return outbox_row(
        workspace_id,
        rule,
        subject,
        occurrence[:40],
        payload={"digest": digest.to_payload()},
        at=now,
        now=now,
        channel=channel,
    )
