"""What happened to an action item or a deliverable, read back from the audit trail: who did
what, when (in the reader's zone), and what changed — in words, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, Person
from services.core.access import Actor
from services.core.dates import day_label, zone
from services.core.people import person_ref
from services.core.views import PersonRef

LIMIT = 30
VERBS = {
    "create": "created it",
    "complete": "marked it done",
    "reopen": "reopened it",
    "cancel": "cancelled it",
    "snooze": "snoozed it",
    "assign": "reassigned it",
    "edit": "edited it",
    "reschedule": "moved its due date",
    "note": "added a note",
    "forecast": "re-forecast it",
}
LABELS = {
    "title": "title",
    "owner_id": "owner",
    "due_on": "due",
    "status": "status",
    "snoozed_until": "snoozed until",
    "project_id": "project",
    "forecast_on": "forecast",
    "baseline_on": "baseline",
}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime  # in the reader's zone
    by: PersonRef | None  # None: the bot itself
    action: str  # in words: "marked it done"
    changes: tuple[str, ...] = ()  # "due Fri 4 Dec → Fri 11 Dec"


def history(
    session: Session, actor: Actor, *, entity_type: str, entity_id: int, today: date
) -> list[HistoryEntry]:
    """The audit trail of one entity of the actor's workspace (the caller checked that the
    actor may see it): at most the last 30 events, oldest first (2 statements)."""
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.workspace_id == actor.workspace_id,
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == entity_id,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(LIMIT)
    ).all()
    wanted = {e.actor_id for e in events if e.actor_id}
    for e in events:
        for side in (e.before or {}, e.after or {}):
            if isinstance(side.get("owner_id"), int):
                wanted.add(side["owner_id"])
    people = {
        p.id: person_ref(p)
        for p in (
            session.scalars(
                select(Person).where(
                    Person.workspace_id == actor.workspace_id, Person.id.in_(wanted)
                )
            )
            if wanted
            else []
        )
    }
    tz = zone(actor.timezone)
    out = []
    for e in reversed(events):
        changes = () if e.action == "create" else _changes(e.before, e.after, people, today)
        out.append(
            HistoryEntry(
                e.at.astimezone(tz),
                people.get(e.actor_id) if e.actor_id else None,
                VERBS.get(e.action, e.action.replace("_", " ")),
                changes,
            )
        )
    return out


def _changes(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    people: dict[int, PersonRef],
    today: date,
) -> tuple[str, ...]:
    before, after = before or {}, after or {}
    out = []
    for key in after:
        if key == "notes":
            continue  # notes are shown in full on the card
        label = LABELS.get(key, key)
        old, new = (
            _shown(key, before.get(key), people, today),
            _shown(key, after[key], people, today),
        )
        out.append(f"{label} {old} → {new}" if key in before else f"{label} {new}")
    return tuple(out)


def _shown(key: str, value: Any, people: dict[int, PersonRef], today: date) -> str:
    if value in (None, ""):
        return "none"
    if key == "owner_id" and isinstance(value, int):
        ref = people.get(value)
        return f"@{ref.handle}" if ref else "someone"
    if key.endswith("_on") or key == "snoozed_until":
        try:
            return day_label(date.fromisoformat(str(value)), today)
        except ValueError:
            return str(value)
    return str(value)
