"""Workspace settings people can change from chat (reminder policy for now)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Workspace
from services import audit
from services.access import Actor
from services.errors import InvalidInput, NotFound, PermissionDenied


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders go out in a workspace."""

    heads_up: bool = True
    escalate_pm_after: int = 2
    escalate_lead_after: int = 5

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> ReminderPolicy:
        raw = (settings or {}).get("reminders") or {}
        known = {f.name for f in fields(cls)}
        return replace(cls(), **{k: v for k, v in raw.items() if k in known})


BOUNDS = {"escalate_pm_after": (1, 30), "escalate_lead_after": (1, 60)}


def reminder_policy(session: Session, actor: Actor) -> ReminderPolicy:
    ws = session.get(Workspace, actor.workspace_id)
    if ws is None:
        raise NotFound("This workspace is unknown.")
    return ReminderPolicy.from_settings(ws.settings)


def set_reminder_option(
    session: Session, actor: Actor, *, key: str, value: str, now: datetime
) -> ReminderPolicy:
    """Change one reminder option. Admins and PMO leads only."""
    if not (actor.is_admin or actor.is_pmo_lead):
        raise PermissionDenied(
            "Only an admin or a PMO lead can change reminder settings.",
            "Ask one of them (`admin roles`).",
        )
    key = key.lower().replace("-", "_")
    current = reminder_policy(session, actor)
    if key == "heads_up":
        low = value.strip().lower()
        if low not in ("yes", "no", "on", "off", "true", "false"):
            raise InvalidInput("heads_up takes on or off.")
        new = replace(current, heads_up=low in ("yes", "on", "true"))
    elif key in BOUNDS:
        lo, hi = BOUNDS[key]
        try:
            n = int(value)
        except ValueError:
            raise InvalidInput(f"{key} takes a number of working days.") from None
        if not lo <= n <= hi:
            raise InvalidInput(f"{key} must be between {lo} and {hi} working days.")
        new = (
            replace(current, escalate_pm_after=n)
            if key == "escalate_pm_after"
            else replace(current, escalate_lead_after=n)
        )
    else:
        names = ", ".join(f.name for f in fields(ReminderPolicy))
        raise InvalidInput(f"There is no reminder setting {key!r}.", f"Settings: {names}.")
    if new.escalate_lead_after < new.escalate_pm_after:
        raise InvalidInput("The PMO lead can't be told before the PM.",
                           "Keep escalate_lead_after at or above escalate_pm_after.")  # fmt: skip
    ws = session.get(Workspace, actor.workspace_id)
    assert ws is not None
    ws.settings = {**(ws.settings or {}), "reminders": asdict(new)}
    session.flush()
    audit.record_by(session, actor, entity_type="workspace", entity_id=ws.id, action="settings",
                    before={"reminders": asdict(current)}, after={"reminders": asdict(new)},
                    now=now)  # fmt: skip
    return new
