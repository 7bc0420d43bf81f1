"""Around each meeting: before an occurrence its channel gets the agenda (open action items
carried forward from earlier occurrences, and a "Start minutes" button); an occurrence that
ends with no minutes gets its organizer nudged once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    ActionStatus,
    MeetingOccurrence,
    MeetingSeries,
    Minutes,
    Person,
    Project,
    Workspace,
)
from services.core import isolation
from services.core.dates import local_today, zone
from services.core.refs import ChannelRef, Cmd, Part, phrase
from services.meetings.series import expand, occurrence_row
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import insert_notifications, outbox_row

NUDGE_AFTER = timedelta(minutes=15)  # after an occurrence ends with no minutes
CARRIED_LIMIT = 30


def carried_forward(session: Session, series_id: int) -> list[tuple[ActionItem, Person]]:
    """Open action items minuted at earlier occurrences of the series."""
    return [
        (item, owner)
        for item, owner in session.execute(
            select(ActionItem, Person)
            .join(Person, Person.id == ActionItem.owner_id)
            .join(Minutes, Minutes.id == ActionItem.minutes_id)
            .join(MeetingOccurrence, MeetingOccurrence.id == Minutes.occurrence_id)
            .where(
                MeetingOccurrence.series_id == series_id,
                ActionItem.status == ActionStatus.OPEN,
            )
            .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
            .limit(CARRIED_LIMIT + 1)
        )
    ]


def materialize(session: Session, *, now: datetime) -> int:
    """Queue each agenda due now and each no-minutes nudge; returns how many rows."""
    rows: list[dict[str, Any]] = []
    all_series = session.execute(
        select(MeetingSeries, Workspace.timezone, Project.key)
        .join(Workspace, Workspace.id == MeetingSeries.workspace_id)
        .outerjoin(Project, Project.id == MeetingSeries.project_id)
        .where(MeetingSeries.active.is_(True))
        .order_by(MeetingSeries.id)
    ).all()

    def window(row: Any) -> tuple[Any, list[Any]]:
        series = row[0]
        lead = timedelta(minutes=series.agenda_minutes)
        span = timedelta(minutes=series.duration_minutes)
        return row, list(expand(series, now - span - NUDGE_AFTER - timedelta(hours=2), now + lead))

    expanded = isolation.each(  # a series whose rule can't be expanded holds back only itself
        "agendas", all_series, window, lambda r: (f"meeting series {r[0].id}", r[0].workspace_id)
    )
    for (series, ws_tz, key), occurrences in expanded:
        lead = timedelta(minutes=series.agenda_minutes)
        for occ in occurrences:
            if occ.start < series.created_at:
                continue  # it happened before the bot knew the series: no agenda, no nudge
            if occ.start - lead <= now < occ.start and series.channel:
                row = occurrence_row(session, series, occ)
                if row.agenda_at is None:
                    row.agenda_at = now
                    title = occ.title or series.title  # a renamed occurrence keeps its title
                    rows.append(_agenda_row(session, series, row, key, ws_tz, now, title))
            elif occ.end + NUDGE_AFTER <= now and series.organizer_id is not None:
                row = occurrence_row(session, series, occ)
                if row.nudged_at is not None:
                    continue
                row.nudged_at = now
                has_minutes = session.scalar(
                    select(Minutes.id).where(Minutes.occurrence_id == row.id).limit(1)
                )
                if has_minutes is None:
                    rows.append(_nudge_row(series, row, key, ws_tz, now, occ.title))
    if rows:
        session.flush()
        insert_notifications(session, rows)
    return len(rows)


def _agenda_row(
    session: Session,
    series: MeetingSeries,
    occ: MeetingOccurrence,
    key: str | None,
    ws_tz: str,
    now: datetime,
    title: str,
) -> dict[str, Any]:
    carried = carried_forward(session, series.id)
    lines = [
        DigestLine(
            "action_item", item.id, item.title, item.due_on, key, owner.handle, owner.external_id
        )
        for item, owner in carried[:CARRIED_LIMIT]
    ]
    local = occ.starts_at.astimezone(zone(series.timezone))
    digest = Digest(
        DigestKind.MEETING_AGENDA,
        f"{title} · {local:%a %d %b %H:%M} ({series.timezone})",
        local_today(now, ws_tz),
        [DigestSection("Open action items carried forward", lines, len(carried))],
        note="" if carried else "No open action items from earlier meetings.",
        project_key=key or "",
        ref=str(occ.id),
    )
    return outbox_row(
        series.workspace_id,
        "meeting_agenda",
        ("meeting_occurrence", occ.id),
        "agenda",
        payload={"digest": digest.to_payload()},
        at=now,
        now=now,
        channel=series.channel,
    )


def _nudge_row(
    series: MeetingSeries,
    occ: MeetingOccurrence,
    key: str | None,
    ws_tz: str,
    now: datetime,
    title: str,
) -> dict[str, Any]:
    local = occ.starts_at.astimezone(zone(series.timezone))
    where: tuple[Part, ...] = (" in ", ChannelRef(series.channel)) if series.channel else ()
    digest = Digest(
        DigestKind.NOTICE,
        "No minutes for your meeting",
        local_today(now, ws_tz),
        [],
        note=phrase(
            f"“{title or series.title}” on {local:%a %d %b %H:%M}",
            *where,
            " ended with no minutes. If it took place, record them with ",
            Cmd("minutes start"),
            " (then ",
            Cmd("minutes note …"),
            ", ",
            Cmd("minutes end"),
            ").",
        ),
        project_key=key or "",
    )
    return outbox_row(
        series.workspace_id,
        "meeting_no_minutes",
        ("meeting_occurrence", occ.id),
        "nudge",
        payload={"digest": digest.to_payload()},
        at=now,
        now=now,
        recipient_id=series.organizer_id,
    )
