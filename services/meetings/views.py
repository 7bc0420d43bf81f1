"""Minutes as people see them: `MinutesView` (its notes, decisions, action items and
attendance) and `view`, which reads one in five statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
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
from services.core.people import person_ref
from services.core.views import ActionItemView, PersonRef
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
