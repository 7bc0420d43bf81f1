"""The phases a workspace's projects go through (its own list; by default Initiating, Planning,
Executing, Closing), kept in the workspace's settings. Admins and PMO leads change it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Workspace
from services.core import audit
from services.core.access import Actor
from services.core.errors import InvalidInput, NotFound, PermissionDenied

DEFAULT_PHASES = ("Initiating", "Planning", "Executing", "Closing")
MAX_PHASES = 12
MAX_PHASE = 40


def phases_of(settings: dict[str, Any] | None) -> tuple[str, ...]:
    """A workspace's phases, in order."""
    found = (settings or {}).get("phases")
    if isinstance(found, list) and found and all(isinstance(p, str) for p in found):
        return tuple(found)
    return DEFAULT_PHASES


def workspace_phases(session: Session, workspace_id: int) -> tuple[str, ...]:
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        raise NotFound("This workspace is unknown.")
    return phases_of(ws.settings)


def match_phase(phases: Sequence[str], text: str) -> str:
    """The phase `text` names (any case, or a unique start of it), or fail listing them."""
    low = " ".join(text.split()).lower()
    exact = [p for p in phases if p.lower() == low]
    if exact:
        return exact[0]
    starts = [p for p in phases if low and p.lower().startswith(low)]
    if len(starts) == 1:
        return starts[0]
    raise InvalidInput(
        f"{text[:40]!r} is not one of this workspace's phases.",
        f"Phases: {', '.join(phases)}.",
        field="phase",
    )


def set_phases(
    session: Session, actor: Actor, *, phases: Sequence[str], now: datetime
) -> tuple[str, ...]:
    """Replace the workspace's list of phases (admins and PMO leads)."""
    if not (actor.is_admin or actor.is_pmo_lead):
        raise PermissionDenied("Only an admin or a PMO lead can change the phases.")
    cleaned: list[str] = []
    for raw in phases:
        name = " ".join(raw.split()).strip(",")
        if not name:
            continue
        if len(name) > MAX_PHASE:
            raise InvalidInput(f"“{name[:50]}…” is longer than {MAX_PHASE} characters.")
        if name.lower() in (c.lower() for c in cleaned):
            raise InvalidInput(f"{name} is named twice.")
        cleaned.append(name)
    if not 2 <= len(cleaned) <= MAX_PHASES:
        raise InvalidInput(
            f"Name between 2 and {MAX_PHASES} phases, in order.",
            'e.g. project phases Initiating Planning "Build & test" Closing',
        )
    ws = session.get(Workspace, actor.workspace_id)
    assert ws is not None
    before = {"phases": list(phases_of(ws.settings))}
    ws.settings = {**(ws.settings or {}), "phases": cleaned}
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="workspace",
        entity_id=ws.id,
        action="phases",
        before=before,
        after={"phases": cleaned},
        now=now,
    )
    return tuple(cleaned)
