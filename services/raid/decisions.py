"""The decision log: decisions minuted in a project's meetings land in it when the minutes
close (with the date, the meeting and who was there), follow amendments, and sit beside
those added by hand with `decision add`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    EntryKind,
    Minutes,
    MinutesAttendee,
    MinutesEntry,
    RaidEntry,
    RaidKind,
    RaidStatus,
    Workspace,
)
from services.core import audit
from services.core.dates import zone
from services.raid.entries import FIELDS, TITLE_LIMIT, insert


def sync_minutes(session: Session, minutes_id: int, *, now: datetime) -> int:
    """Bring a project's decision log in line with closed minutes: new decisions are added,
    edited ones follow, removed ones are withdrawn. Returns how many entries changed."""
    m = session.get(Minutes, minutes_id)
    if m is None or m.project_id is None:
        return 0
    tz = session.scalar(select(Workspace.timezone).where(Workspace.id == m.workspace_id))
    decided_on = m.started_at.astimezone(zone(tz or "UTC")).date()
    present = list(
        session.scalars(
            select(MinutesAttendee.person_id)
            .where(MinutesAttendee.minutes_id == m.id, MinutesAttendee.present.is_(True))
            .order_by(MinutesAttendee.id)
        )
    )
    minuted = session.scalars(
        select(MinutesEntry)
        .where(MinutesEntry.minutes_id == m.id, MinutesEntry.kind == EntryKind.DECISION)
        .order_by(MinutesEntry.id)
    ).all()
    logged = {
        e.minutes_entry_id: e
        for e in session.scalars(
            select(RaidEntry).where(
                RaidEntry.minutes_id == m.id, RaidEntry.kind == RaidKind.DECISION
            )
        )
    }
    changed = 0
    for d in minuted:
        title = " ".join(d.text.split())
        short = title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"
        e = logged.pop(d.id, None)
        if e is None:
            e = RaidEntry(
                workspace_id=m.workspace_id,
                project_id=m.project_id,
                kind=RaidKind.DECISION,
                title=short,
                description=d.text if len(title) > TITLE_LIMIT else "",
                raised_by_id=d.author_id,
                status=RaidStatus.OPEN,
                decided_on=decided_on,
                minutes_id=m.id,
                minutes_entry_id=d.id,
                attendees=present,
                resolution="",
                rank=0,
                created_at=now,
                updated_at=now,
            )
            insert(session, e)
            action, before = "create", None
        elif e.title != short or e.attendees != present or e.closed_at is not None:
            before = audit.snapshot(e, FIELDS)
            e.title, e.attendees, e.updated_at = short, present, now
            e.status, e.closed_at = RaidStatus.OPEN, None
            action = "edit"
        else:
            continue
        changed += 1
        _audit(session, e, action, before, now)
    for e in logged.values():  # its minutes entry was removed by an amendment
        if e.closed_at is None:
            before = audit.snapshot(e, FIELDS)
            e.status, e.closed_at, e.updated_at = RaidStatus.WITHDRAWN, now, now
            changed += 1
            _audit(session, e, "withdrawn", before, now)
    session.flush()
    return changed


def _audit(
    session: Session, e: RaidEntry, action: str, before: dict[str, object] | None, now: datetime
) -> None:
    session.flush()
    audit.record(
        session,
        workspace_id=e.workspace_id,
        actor_id=None,
        entity_type="raid_entry",
        entity_id=e.id,
        action=action,
        before=before,
        after={"ref": f"decision:{e.number}", "minutes": e.minutes_id, **audit.snapshot(e, FIELDS)},
        now=now,
    )
