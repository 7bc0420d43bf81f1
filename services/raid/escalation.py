"""Escalation: a threat entering the red band, or an issue raised (or raised to) high or
critical severity, tells the PMO leads at once — once per entry and band change. The outbox
key (rule, entry, occurrence, lead) makes it once whoever runs it: the change itself, or
the sweep that catches what a settings change turned red."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models import (
    Level,
    NotificationState,
    Person,
    Project,
    RaidEntry,
    RaidKind,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.core import isolation
from services.core.dates import local_today
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import insert_notifications, outbox_row
from services.raid.views import ref_of

RULE = "raid_escalation"
HIGH = (Level.HIGH, Level.CRITICAL)


def occurrence(e: RaidEntry) -> str | None:
    """What this escalation is about (None: nothing to escalate): the red band since when, or
    the issue's severity."""
    if e.closed_at is not None:
        return None
    if e.kind == RaidKind.RISK and e.red_since is not None and not e.opportunity:
        return f"red:{e.red_since:%Y%m%dT%H%M%S}"
    if e.kind == RaidKind.ISSUE and e.severity in HIGH:
        return f"sev:{e.severity.value}"
    return None


def _notice(e: RaidEntry, project: Project, owner: Person | None, now: datetime) -> Digest:
    ref = ref_of(e.kind, e.number)
    if e.kind == RaidKind.RISK:
        title = f"🚨 {project.key} {ref} is in the red band (score {e.score})"
        what = f"Probability {e.probability} × impact {e.impact} = {e.score}"
    else:
        level = e.severity.value if e.severity else ""
        title = f"🚨 {project.key} {ref}: a {level} issue"
        what = f"Severity {level}" + (f" · priority {e.priority.value}" if e.priority else "")
    lines = [DigestLine("text", 0, e.title), DigestLine("text", 0, what)]
    if e.description:
        lines.append(DigestLine("text", 0, e.description[:1500]))
    if e.source_ref:
        lines.append(DigestLine("text", 0, f"Source: {e.source_ref}"))
    owner_name = f"@{owner.handle}" if owner else "nobody yet"
    return Digest(
        DigestKind.RAID_ESCALATION,
        title,
        local_today(now, "UTC"),
        [DigestSection(f"{project.name} · owner {owner_name}", lines, len(lines))],
        note=f"{ref} in {project.key}",
        project_key=project.key,
        channel=project.home_channel or "",
        ref=str(e.id),
    )


def escalate(
    session: Session, entries: list[RaidEntry], *, now: datetime, actor_id: int | None = None
) -> int:
    """Queue the PMO leads' notices for these entries where due; returns how many are new.
    A lead who made the change themselves is not told (a skipped row keeps the key)."""
    due = [(e, occ) for e in entries if (occ := occurrence(e)) is not None]
    if not due:
        return 0
    leads: dict[int, list[int]] = defaultdict(list)
    for ws_id, person_id in session.execute(
        select(WorkspaceRole.workspace_id, WorkspaceRole.person_id).where(
            WorkspaceRole.workspace_id.in_({e.workspace_id for e, _ in due}),
            WorkspaceRole.role == WorkspaceRoleName.PMO_LEAD,
        )
    ):
        leads[ws_id].append(person_id)
    projects = {
        p.id: p
        for p in session.scalars(
            select(Project).where(Project.id.in_({e.project_id for e, _ in due}))
        )
    }
    owner_ids = {e.owner_id for e, _ in due if e.owner_id is not None}
    owners = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(owner_ids)))}

    def notices(d: tuple[RaidEntry, str]) -> list[dict[str, Any]]:
        e, occ = d
        payload = {
            "digest": _notice(
                e, projects[e.project_id], owners.get(e.owner_id or -1), now
            ).to_payload()
        }
        return [
            outbox_row(
                e.workspace_id,
                RULE,
                ("raid_entry", e.id),
                occ,
                payload=payload,
                at=now,
                now=now,
                recipient_id=lead,
                state=NotificationState.SKIPPED if lead == actor_id else NotificationState.PENDING,
                last_error="made the change themselves" if lead == actor_id else None,
            )
            for lead in leads[e.workspace_id]
        ]

    built = isolation.each(
        "RAID escalations",
        due,
        lambda d: (d[0], notices(d)),
        lambda d: (f"RAID entry {d[0].id}", d[0].workspace_id),
    )
    rows = [row for _, rs in built for row in rs]
    for e, _ in built:
        e.escalated_at = now  # a skipped entry stays due: tried again next sweep
    new = insert_notifications(session, rows)
    session.flush()
    return new


def sweep(session: Session, *, now: datetime) -> int:
    """Escalate what is due and not yet escalated (a red risk, a high or critical issue)."""
    pending = session.scalars(
        select(RaidEntry).where(
            RaidEntry.closed_at.is_(None),
            or_(
                and_(
                    RaidEntry.kind == RaidKind.RISK,
                    RaidEntry.red_since.is_not(None),
                    or_(
                        RaidEntry.escalated_at.is_(None),
                        RaidEntry.escalated_at < RaidEntry.red_since,
                    ),
                ),
                and_(
                    RaidEntry.kind == RaidKind.ISSUE,
                    RaidEntry.severity.in_(HIGH),
                    RaidEntry.escalated_at.is_(None),
                ),
            ),
        )
    ).all()
    return escalate(session, list(pending), now=now)
