"""Workspaces and people: first sight, profiles, mentions and workspace roles."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Person, Platform, Workspace, WorkspaceRole, WorkspaceRoleName
from services.core import audit
from services.core.access import Actor
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.views import PersonRef


@dataclass(frozen=True)
class Mention:
    """A reference to a person as typed: a platform user id (`<@U123>`) or a handle (`@alice`)."""

    external_id: str | None = None
    handle: str | None = None
    display_name: str | None = None  # Teams: <at>Maria Lopez</at>

    @property
    def label(self) -> str:
        if self.handle:
            return f"@{self.handle}"
        if self.display_name:
            return f"@{self.display_name}"
        return f"<@{self.external_id}>"


@dataclass(frozen=True)
class PersonDefaults:
    """Workspace defaults for new people."""

    timezone: str = "UTC"
    working_days: str = "12345"
    work_start: time = time(9, 0)
    work_end: time = time(17, 30)


def person_ref(p: Person) -> PersonRef:
    """The plain reference to a person used in views."""
    return PersonRef(
        id=p.id, external_id=p.external_id, handle=p.handle, display_name=p.display_name
    )


def ensure_workspace(
    session: Session, *, platform: Platform, external_id: str, name: str, now: datetime
) -> Workspace:
    """Get or create the workspace for a platform team/tenant."""
    ws = session.scalar(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    )
    if ws is None:
        ws = Workspace(
            platform=platform, external_id=external_id, name=name, settings={}, created_at=now
        )
        session.add(ws)
        session.flush()
    return ws


def _valid_zone(tz: str | None, fallback: str) -> str:
    if not tz:
        return fallback
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return tz


def upsert_person(
    session: Session,
    *,
    workspace_id: int,
    external_id: str,
    handle: str,
    display_name: str,
    now: datetime,
    email: str | None = None,
    timezone: str | None = None,
    defaults: PersonDefaults | None = None,
    locale: str | None = None,
) -> Person:
    """Create or refresh a person from a platform profile.

    The first person seen in a new workspace becomes its admin and PMO lead.
    """
    defaults = defaults or PersonDefaults()
    person = session.scalar(
        select(Person).where(Person.workspace_id == workspace_id, Person.external_id == external_id)
    )
    if person is None:
        first = not session.scalar(
            select(func.count(Person.id)).where(Person.workspace_id == workspace_id)
        )
        person = Person(
            workspace_id=workspace_id,
            external_id=external_id,
            handle=handle[:80],
            display_name=display_name[:200] or handle[:80],
            email=email,
            timezone=_valid_zone(timezone, defaults.timezone),
            working_days=defaults.working_days,
            work_start=defaults.work_start,
            work_end=defaults.work_end,
            active=True,
            profile_refreshed_at=now,
            created_at=now,
            locale=str(locale)[:35] if locale else None,
        )
        session.add(person)
        session.flush()
        audit.record(
            session,
            workspace_id=workspace_id,
            actor_id=None,
            entity_type="person",
            entity_id=person.id,
            action="create",
            before=None,
            after={"handle": person.handle, "timezone": person.timezone},
            now=now,
        )
        if first:
            for role in (WorkspaceRoleName.ADMIN, WorkspaceRoleName.PMO_LEAD):
                _add_role(session, workspace_id, person.id, role, actor_id=None, now=now)
        return person
    person.handle = handle[:80] or person.handle
    person.display_name = display_name[:200] or person.display_name
    if email:
        person.email = email
    if not person.timezone_pinned:  # a zone the person chose (`me timezone`) stays theirs
        person.timezone = _valid_zone(timezone, person.timezone)
    if locale:
        person.locale = str(locale)[:35]  # the platform's language, for the date order
    person.active = True
    person.profile_refreshed_at = now
    session.flush()
    return person


def _add_role(
    session: Session,
    workspace_id: int,
    person_id: int,
    role: WorkspaceRoleName,
    *,
    actor_id: int | None,
    now: datetime,
) -> None:
    row = WorkspaceRole(workspace_id=workspace_id, person_id=person_id, role=role, granted_at=now)
    session.add(row)
    session.flush()
    audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity_type="workspace_role",
        entity_id=person_id,
        action="grant",
        before=None,
        after={"role": role.value},
        now=now,
    )


def resolve_mention(session: Session, *, workspace_id: int, mention: Mention) -> Person:
    """The active person a mention names, or NotFound with a suggestion."""
    if mention.external_id:
        person = session.scalar(
            select(Person).where(
                Person.workspace_id == workspace_id, Person.external_id == mention.external_id
            )
        )
        if person is not None and person.active:
            return person
        raise NotFound(
            f"I don't know {mention.label} in this workspace yet.",
            "They need to use PMO Bot once, or ask an admin to check they are in the workspace.",
        )
    handle = (mention.handle or mention.display_name or "").lstrip("@")
    column = Person.handle if mention.handle else Person.display_name
    matches = session.scalars(
        select(Person)
        .where(
            Person.workspace_id == workspace_id,
            func.lower(column) == handle.lower(),
            Person.active.is_(True),
        )
        .limit(2)
    ).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotFound(
            f"More than one person is called {mention.label}.", "Mention them by their handle."
        )
    handles = session.scalars(
        select(Person.handle).where(Person.workspace_id == workspace_id, Person.active.is_(True))
    ).all()
    close = difflib.get_close_matches(handle.lower(), [h.lower() for h in handles], n=1, cutoff=0.6)
    hint = f"Did you mean @{close[0]}?" if close else "Mention someone who has used PMO Bot."
    raise NotFound(f"There is no one called @{handle}.", hint)


def grant_role(
    session: Session, actor: Actor, *, person: Person, role: WorkspaceRoleName, now: datetime
) -> None:
    """Give `person` a workspace role. Admins only."""
    _require_admin(actor)
    _same_workspace(actor, person)
    exists = session.scalar(
        select(WorkspaceRole.id).where(
            WorkspaceRole.workspace_id == actor.workspace_id,
            WorkspaceRole.person_id == person.id,
            WorkspaceRole.role == role,
        )
    )
    if exists is not None:
        raise Conflict(f"@{person.handle} is already {role.value}.")
    _add_role(session, actor.workspace_id, person.id, role, actor_id=actor.person_id, now=now)


def revoke_role(
    session: Session, actor: Actor, *, person: Person, role: WorkspaceRoleName, now: datetime
) -> None:
    """Take a workspace role away. Admins only; the last admin stays."""
    _require_admin(actor)
    _same_workspace(actor, person)
    row = session.scalar(
        select(WorkspaceRole).where(
            WorkspaceRole.workspace_id == actor.workspace_id,
            WorkspaceRole.person_id == person.id,
            WorkspaceRole.role == role,
        )
    )
    if row is None:
        raise NotFound(f"@{person.handle} is not {role.value}.")
    if role == WorkspaceRoleName.ADMIN:
        admins = session.scalar(
            select(func.count(WorkspaceRole.id)).where(
                WorkspaceRole.workspace_id == actor.workspace_id,
                WorkspaceRole.role == WorkspaceRoleName.ADMIN,
            )
        )
        if admins == 1:
            raise Conflict(
                "That would leave the workspace with no admin.",
                "Grant admin to someone else first.",
            )
    session.delete(row)
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="workspace_role",
        entity_id=person.id,
        action="revoke",
        before={"role": role.value},
        after=None,
        now=now,
    )


def list_roles(session: Session, *, workspace_id: int) -> list[tuple[PersonRef, WorkspaceRoleName]]:
    """Everyone holding a workspace role."""
    rows = session.execute(
        select(Person, WorkspaceRole.role)
        .join(WorkspaceRole, WorkspaceRole.person_id == Person.id)
        .where(WorkspaceRole.workspace_id == workspace_id)
        .order_by(WorkspaceRole.role, Person.handle)
    ).all()
    return [(person_ref(p), r) for p, r in rows]


def parse_role(text: str) -> WorkspaceRoleName:
    """A workspace role from what was typed."""
    norm = text.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"pmo": "pmo_lead", "lead": "pmo_lead", "pmolead": "pmo_lead"}
    norm = aliases.get(norm, norm)
    try:
        return WorkspaceRoleName(norm)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a workspace role.", "Workspace roles are: admin, pmo_lead."
        ) from None


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(
            "Only a workspace admin can grant or revoke roles.",
            "Ask an admin (`admin roles` lists them).",
        )


def _same_workspace(actor: Actor, person: Person) -> None:
    if person.workspace_id != actor.workspace_id:
        raise NotFound("That person is not in this workspace.")
