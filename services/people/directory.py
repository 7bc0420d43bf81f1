"""Who the bot knows in a workspace: each person's name, zone, working week and roles.

Everyone in a workspace may see its directory; the projects someone leads are named only
where the reader may see the project. Adding a person by hand is for the local console,
where there is no platform directory (admins and PMO leads only).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import LeavePeriod, Membership, Person, Project, ProjectRole, WorkspaceRole
from services.core import people
from services.core.access import Actor, visible_projects
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.core.people import PersonDefaults, person_ref
from services.core.views import Page, PersonRef
from services.core.worktime import zone

PAGE_SIZE = 20
HANDLE = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,79}$")


@dataclass(frozen=True)
class PersonCard:
    """A person as the directory shows them."""

    person: PersonRef
    timezone: str
    working_days: str
    work_start: time
    work_end: time
    quiet: tuple[time, time] | None = None
    roles: tuple[str, ...] = ()  # workspace roles: admin, pmo_lead
    leads: tuple[str, ...] = ()  # keys of visible projects they are PM of
    away_until: date | None = None  # on leave today, until this date
    local_time: datetime | None = None  # their wall clock now


def cards(
    session: Session, actor: Actor, persons: list[Person], *, now: datetime
) -> list[PersonCard]:
    """Directory cards for `persons` (3 statements whatever their number)."""
    ids = [p.id for p in persons]
    if not ids:
        return []
    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in session.execute(
        select(WorkspaceRole.person_id, WorkspaceRole.role)
        .where(WorkspaceRole.workspace_id == actor.workspace_id, WorkspaceRole.person_id.in_(ids))
        .order_by(WorkspaceRole.role)
    ):
        roles[pid].append(role.value)
    leads: dict[int, list[str]] = defaultdict(list)
    for pid, key in session.execute(
        select(Membership.person_id, Project.key)
        .join(Project, Project.id == Membership.project_id)
        .where(
            Membership.workspace_id == actor.workspace_id,
            Membership.person_id.in_(ids),
            Membership.role == ProjectRole.PM,
            visible_projects(actor),
        )
        .order_by(Project.key)
    ):
        leads[pid].append(key)
    away: dict[int, date] = {}
    for pid, start, end in session.execute(
        select(LeavePeriod.person_id, LeavePeriod.start_on, LeavePeriod.end_on).where(
            LeavePeriod.person_id.in_(ids), LeavePeriod.end_on >= now.date()
        )
    ):
        person = next(p for p in persons if p.id == pid)
        today = now.astimezone(zone(person.timezone)).date()
        if start <= today <= end:
            away[pid] = max(end, away.get(pid, end))
    return [
        PersonCard(
            person_ref(p),
            p.timezone,
            p.working_days,
            p.work_start,
            p.work_end,
            (p.quiet_start, p.quiet_end) if p.quiet_start and p.quiet_end else None,
            tuple(roles.get(p.id, ())),
            tuple(leads.get(p.id, ())),
            away.get(p.id),
            now.astimezone(zone(p.timezone)),
        )
        for p in persons
    ]


def list_people(
    session: Session, actor: Actor, *, now: datetime, page: int = 1
) -> Page[PersonCard]:
    """The active people of the actor's workspace by handle, a page at a time."""
    where = (Person.workspace_id == actor.workspace_id, Person.active.is_(True))
    total = session.scalar(select(func.count(Person.id)).where(*where)) or 0
    offset = (max(page, 1) - 1) * PAGE_SIZE
    q = select(Person).where(*where).order_by(Person.handle, Person.id)
    persons = session.scalars(q.offset(offset).limit(PAGE_SIZE)).all()
    return Page(cards(session, actor, list(persons), now=now), total, offset, PAGE_SIZE)


def card_of(session: Session, actor: Actor, *, now: datetime) -> PersonCard:
    """The actor's own card."""
    me = session.get(Person, actor.person_id)
    assert me is not None
    return cards(session, actor, [me], now=now)[0]


def check_zone(text: str) -> str:
    """An IANA time zone as typed (`Europe/London`, `london`), or InvalidInput suggesting one."""
    name = text.strip()
    try:
        ZoneInfo(name)
        if "/" in name or name == "UTC":
            return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    known = zones()
    city = name.replace(" ", "_").lower()
    by_city = [z for z in known if z.lower().rsplit("/", 1)[-1] == city]
    if len(by_city) == 1:
        return by_city[0]
    exact = [z for z in known if z.lower() == name.lower()]
    if exact:
        return exact[0]
    cities = {z.rsplit("/", 1)[-1].lower(): z for z in known}
    close = difflib.get_close_matches(city.rsplit("/", 1)[-1], list(cities), n=1, cutoff=0.6)
    hint = (
        f"Did you mean {cities[close[0]]}?" if close else "Use an IANA name such as Europe/London."
    )
    raise InvalidInput(f"{name[:60]!r} is not a time zone I know.", hint)


def zones() -> list[str]:
    """Every IANA zone name this system knows, sorted."""
    return sorted(available_timezones())


def add_person(
    session: Session,
    actor: Actor,
    *,
    handle: str,
    name: str,
    timezone: str | None,
    now: datetime,
    defaults: PersonDefaults,
) -> PersonCard:
    """Add someone to a workspace that has no platform directory (the local console)."""
    if not (actor.is_admin or actor.is_pmo_lead):
        raise PermissionDenied(
            "Only an admin or a PMO lead can add people.", "Ask one (`admin roles` lists them)."
        )
    handle = handle.strip().lstrip("@").lower()
    if not HANDLE.match(handle):
        raise InvalidInput(
            f"{handle[:40]!r} can't be a handle.", "Use letters, digits, dots and dashes: @tom."
        )
    taken = session.scalar(
        select(Person.id).where(
            Person.workspace_id == actor.workspace_id, func.lower(Person.handle) == handle
        )
    )
    if taken is not None:
        raise Conflict(f"@{handle} is already here.", f"Act as them with `as {handle}`.")
    tz = check_zone(timezone) if timezone else defaults.timezone
    person = people.upsert_person(
        session,
        workspace_id=actor.workspace_id,
        external_id=handle,
        handle=handle,
        display_name=" ".join(name.split())[:200] or handle.capitalize(),
        timezone=tz,
        now=now,
        defaults=defaults,
    )
    return cards(session, actor, [person], now=now)[0]
