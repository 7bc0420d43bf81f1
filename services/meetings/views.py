"""Minutes as people see them: `MinutesView` (its notes, decisions, action items and
attendance) and `view`, which reads one in five statements; `list_recent`, a page of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from models import (
    EntryKind,
    MeetingOccurrence,
    Minutes,
    MinutesAttendee,
    MinutesEntry,
    MinutesState,
    Person,
    Project,
    Workspace,
)
from services.core.access import Actor, get_project, visible_projects
from services.core.people import person_ref
from services.core.views import ActionItemView, Page, PersonRef
from services.work.item_queries import views_for_minutes


@dataclass(frozen=True)
class EntryView:
    id: int
    n: int  # its number among the minutes' notes (or decisions), from 1
    kind: EntryKind
    text: str
    author: PersonRef
    at: datetime


@dataclass(frozen=True)
class MinutesView:
    id: int
    title: str
    channel: str
    project_key: str | None
    project_name: str | None
    project_channel: str | None
    private: bool
    state: MinutesState
    started_by: PersonRef
    started_at: datetime
    ended_at: datetime | None
    auto_closed: bool
    timezone: str  # the workspace's: how the minutes show dates and times
    attendees: list[PersonRef] = field(default_factory=list)
    absent: list[PersonRef] = field(default_factory=list)
    notes: list[EntryView] = field(default_factory=list)
    decisions: list[EntryView] = field(default_factory=list)
    actions: list[ActionItemView] = field(default_factory=list)
    live_ts: str | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)
    amended_at: datetime | None = None
    series_id: int | None = None

    @property
    def open(self) -> bool:
        return self.state == MinutesState.OPEN

    def post_channels(self) -> list[str]:
        """Where the final minutes go: the project's channel and the meeting's, once each."""
        out = [c for c in (self.project_channel, self.channel) if c and c != "console"]
        return list(dict.fromkeys(out))


@dataclass(frozen=True)
class MinutesLine:
    """One minutes session in a list: what a line of `minutes list` shows."""

    id: int
    title: str
    project_key: str | None
    started_at: datetime
    state: MinutesState
    timezone: str

    @property
    def open(self) -> bool:
        return self.state == MinutesState.OPEN


def view(session: Session, minutes_id: int) -> MinutesView:
    """Everything about one minutes session, in five statements."""
    starter = aliased(Person)
    row = session.execute(
        select(Minutes, Project, starter, Workspace.timezone, MeetingOccurrence.series_id)
        .outerjoin(Project, Project.id == Minutes.project_id)
        .join(starter, starter.id == Minutes.started_by_id)
        .join(Workspace, Workspace.id == Minutes.workspace_id)
        .outerjoin(MeetingOccurrence, MeetingOccurrence.id == Minutes.occurrence_id)
        .where(Minutes.id == minutes_id)
    ).one()
    m, project, who, tz, series_id = row
    attendees: list[PersonRef] = []
    absent: list[PersonRef] = []
    for present, p in session.execute(
        select(MinutesAttendee.present, Person)
        .join(Person, Person.id == MinutesAttendee.person_id)
        .where(MinutesAttendee.minutes_id == m.id)
        .order_by(MinutesAttendee.id)
    ):
        (attendees if present else absent).append(person_ref(p))
    notes: list[EntryView] = []
    decisions: list[EntryView] = []
    for e, p in session.execute(
        select(MinutesEntry, Person)
        .join(Person, Person.id == MinutesEntry.author_id)
        .where(MinutesEntry.minutes_id == m.id)
        .order_by(MinutesEntry.id)
    ):
        bucket = notes if e.kind == EntryKind.NOTE else decisions
        bucket.append(EntryView(e.id, len(bucket) + 1, e.kind, e.text, person_ref(p), e.created_at))
    return MinutesView(
        id=m.id,
        title=m.title,
        channel=m.channel,
        project_key=project.key if project else None,
        project_name=project.name if project else None,
        project_channel=project.home_channel if project else None,
        private=bool(project and project.private),
        state=m.state,
        started_by=person_ref(who),
        started_at=m.started_at,
        ended_at=m.ended_at,
        auto_closed=m.auto_closed,
        timezone=tz,
        attendees=attendees,
        absent=absent,
        notes=notes,
        decisions=decisions,
        actions=views_for_minutes(session, m.workspace_id, m.id),
        live_ts=m.live_ts,
        posts=list(m.posts or []),
        amended_at=m.amended_at,
        series_id=series_id,
    )


LIST_PAGE = 20  # minutes a page of `minutes list` holds


def list_recent(
    session: Session, actor: Actor, *, key: str | None = None, page: int = 1
) -> Page[MinutesLine]:
    """A page of the minutes the actor may see, newest first (of one project if `key`), and
    how many there are: two statements whatever the page's size."""
    where: list[Any] = [Minutes.workspace_id == actor.workspace_id]
    if key:
        where.append(Minutes.project_id == get_project(session, actor, key).id)
    if not actor.is_pmo_lead:  # as may_see: private projects' minutes for their members only
        where.append(or_(Minutes.project_id.is_(None), visible_projects(actor)))
    offset = (page - 1) * LIST_PAGE
    rows = session.execute(
        select(
            Minutes.id,
            Minutes.title,
            Project.key,
            Minutes.started_at,
            Minutes.state,
            Workspace.timezone,
        )
        .outerjoin(Project, Project.id == Minutes.project_id)
        .join(Workspace, Workspace.id == Minutes.workspace_id)
        .where(*where)
        .order_by(Minutes.started_at.desc(), Minutes.id.desc())
        .offset(offset)
        .limit(LIST_PAGE)
    ).all()
    total = offset + len(rows)
    if len(rows) == LIST_PAGE or (offset and not rows):
        total = (
            session.scalar(
                select(func.count(Minutes.id))
                .outerjoin(Project, Project.id == Minutes.project_id)
                .where(*where)
            )
            or 0
        )
    return Page([MinutesLine(*r) for r in rows], total, offset, LIST_PAGE)
