"""Workspace settings people can change from chat: reminders, digest schedules, PMO channel,
time zone. Admins and PMO leads only; each change audited."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from models import Workspace
from models.enums import DateOrder
from services.core import audit
from services.core.access import Actor
from services.core.date_order import DEFAULT_ORDER, stored_order
from services.core.dates import parse_time
from services.core.errors import InvalidInput, NotFound, PermissionDenied
from services.workspace.date_prefs import set_workspace_order

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLACK_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{2,20})(?:\|[^>]*)?>$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,20}$")
TEAMS_CHANNEL = re.compile(r"^19:[^\s;]{1,200}@thread\.[a-z0-9]{1,20}$")


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


@dataclass(frozen=True)
class DigestSchedule:
    """When the weekly digests go out, in the workspace's time zone (ISO weekday, HH:MM)."""

    project_weekly: bool = True
    project_day: int = 1
    project_time: str = "09:00"
    pmo_weekly: bool = True
    pmo_day: int = 1
    pmo_time: str = "09:30"
    since: str = ""  # ISO instant of the last change: no catch-up for a slot before it

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> DigestSchedule:
        raw = (settings or {}).get("digests") or {}
        known = {f.name for f in fields(cls)}
        return replace(cls(), **{k: v for k, v in raw.items() if k in known})

    def at(self, which: str) -> tuple[int, time]:
        """(ISO weekday, local time) of the `project` or `pmo` digest."""
        day, hhmm = (
            (self.project_day, self.project_time)
            if which == "project"
            else (self.pmo_day, self.pmo_time)
        )
        return day, time.fromisoformat(hhmm)


@dataclass(frozen=True)
class WorkspaceSettings:
    reminders: ReminderPolicy
    digests: DigestSchedule
    pmo_channel: str | None
    timezone: str
    status_rounds: bool = True
    date_order: DateOrder = DEFAULT_ORDER  # for people whose platform gives no locale


T = TypeVar("T", "ReminderPolicy", "DigestSchedule")


def _with(obj: T, key: str, value: object) -> T:
    changes: dict[str, Any] = {key: value}
    return replace(obj, **changes)


BOUNDS = {"escalate_pm_after": (1, 30), "escalate_lead_after": (1, 60)}
TOP_LEVEL = ("pmo_channel", "timezone")


def _workspace(session: Session, actor: Actor) -> Workspace:
    ws = session.get(Workspace, actor.workspace_id)
    if ws is None:
        raise NotFound("This workspace is unknown.")
    return ws


def reminder_policy(session: Session, actor: Actor) -> ReminderPolicy:
    return ReminderPolicy.from_settings(_workspace(session, actor).settings)


def workspace_settings(session: Session, actor: Actor) -> WorkspaceSettings:
    ws = _workspace(session, actor)
    return WorkspaceSettings(
        ReminderPolicy.from_settings(ws.settings),
        DigestSchedule.from_settings(ws.settings),
        ws.pmo_channel,
        ws.timezone,
        rounds_enabled(ws.settings),
        stored_order(ws.date_order) or DEFAULT_ORDER,
    )


def rounds_since(settings: dict[str, Any] | None) -> datetime | None:
    """When status rounds were last turned on or off (no catch-up for a round before)."""
    since = ((settings or {}).get("status") or {}).get("since")
    return datetime.fromisoformat(since) if since else None


def rounds_enabled(settings: dict[str, Any] | None) -> bool:
    """Whether the workspace runs weekly status rounds (on unless turned off)."""
    return bool(((settings or {}).get("status") or {}).get("rounds", True))


def _on_off(key: str, value: str) -> bool:
    low = value.strip().lower()
    if low not in ("yes", "no", "on", "off", "true", "false"):
        raise InvalidInput(f"{key} takes on or off.")
    return low in ("yes", "on", "true")


def _reminder_change(current: ReminderPolicy, key: str, value: str) -> ReminderPolicy:
    if key == "heads_up":
        return _with(current, key, _on_off(key, value))
    if key in BOUNDS:
        lo, hi = BOUNDS[key]
        try:
            n = int(value)
        except ValueError:
            raise InvalidInput(f"{key} takes a number of working days.") from None
        if not lo <= n <= hi:
            raise InvalidInput(f"{key} must be between {lo} and {hi} working days.")
        new = _with(current, key, n)
        if new.escalate_lead_after < new.escalate_pm_after:
            raise InvalidInput(
                "The PMO lead can't be told before the PM.",
                "Keep escalate_lead_after at or above escalate_pm_after.",
            )
        return new
    names = ", ".join(f.name for f in fields(ReminderPolicy))
    raise InvalidInput(f"There is no reminder setting {key!r}.", f"Settings: {names}.")


def parse_weekday(value: str) -> int:
    low = value.strip().lower()[:3]
    if low not in WEEKDAYS:
        raise InvalidInput(f"{value!r} is not a day of the week.", "Use mon, tue, … sun.")
    return WEEKDAYS.index(low) + 1


def _digest_change(current: DigestSchedule, key: str, value: str) -> DigestSchedule:
    if key in ("project_weekly", "pmo_weekly"):
        return _with(current, key, _on_off(key, value))
    if key in ("project_day", "pmo_day"):
        return _with(current, key, parse_weekday(value))
    if key in ("project_time", "pmo_time"):
        return _with(current, key, parse_time(value).strftime("%H:%M"))
    names = ", ".join(f.name for f in fields(DigestSchedule))
    raise InvalidInput(f"There is no digest setting {key!r}.", f"Settings: {names}.")


def parse_channel(value: str) -> str | None:
    """A channel as Slack escapes it (<#C123|name>), a bare ID, or a #name; `off` clears it."""
    v = value.strip()
    if v.lower() in ("off", "none", "clear"):
        return None
    m = SLACK_CHANNEL.match(v)
    if m:
        return m.group(1)
    if CHANNEL_ID.match(v) or TEAMS_CHANNEL.match(v):
        return v
    if v.startswith("#") and 1 < len(v) <= 64 and " " not in v:
        return v
    raise InvalidInput(
        f"{v[:40]!r} is not a channel.", "Pick it with #, e.g. `settings pmo_channel #pmo`."
    )


def set_option(
    session: Session, actor: Actor, *, section: str, key: str, value: str, now: datetime
) -> WorkspaceSettings:
    """Change one setting (`reminders`/`digests` keys, or `pmo_channel`, `timezone`)."""
    if not (actor.is_admin or actor.is_pmo_lead):
        raise PermissionDenied(
            "Only an admin or a PMO lead can change workspace settings.",
            "Ask one of them (`admin roles`).",
        )
    key = key.lower().replace("-", "_")
    ws = _workspace(session, actor)
    before = workspace_settings(session, actor)
    if section == "reminders":
        new_r = _reminder_change(before.reminders, key, value)
        ws.settings = {**(ws.settings or {}), "reminders": asdict(new_r)}
    elif section == "digests":
        new_d = replace(_digest_change(before.digests, key, value), since=now.isoformat())
        ws.settings = {**(ws.settings or {}), "digests": asdict(new_d)}
    elif section == "status":
        if key != "rounds":
            raise InvalidInput(
                f"There is no status setting {key!r}.", "Use `status rounds on|off`."
            )
        rounds = {"rounds": _on_off(key, value), "since": now.isoformat()}
        ws.settings = {**(ws.settings or {}), "status": rounds}
    elif key == "pmo_channel":
        ws.pmo_channel = parse_channel(value)
    elif key == "date_order":
        set_workspace_order(ws, value)
    elif key == "timezone":
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"{value[:60]!r} is not a time zone I know.",
                "Use an IANA name such as Europe/London or America/New_York.",
            ) from None
        ws.timezone = value.strip()
    else:
        raise InvalidInput(
            f"There is no setting {key!r}.",
            "Settings: reminders …, digests …, pmo_channel, timezone (`help admin`).",
        )
    session.flush()
    after = workspace_settings(session, actor)
    audit.record_by(
        session,
        actor,
        entity_type="workspace",
        entity_id=ws.id,
        action="settings",
        before=_flat(before),
        after=_flat(after),
        now=now,
    )
    return after


def _flat(s: WorkspaceSettings) -> dict[str, Any]:
    return {
        "reminders": asdict(s.reminders),
        "digests": asdict(s.digests),
        "pmo_channel": s.pmo_channel,
        "timezone": s.timezone,
        "status_rounds": s.status_rounds,
        "date_order": s.date_order.value,
    }
