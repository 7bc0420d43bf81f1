"""Minutes taken in chat: start in a channel, add notes, decisions, action items and attendees.

One session is open per channel at a time (a partial unique index holds it). Action items are
real `ActionItem`s from the moment they are minuted (so they show in "my items" at once);
their owners get a DM with Done/Snooze when the minutes end (see `closing`). Amending closed
minutes is in `amend`, the Markdown export in `export`, what minutes look like in `views`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    EntryKind,
    MeetingOccurrence,
    MeetingSeries,
    Minutes,
    MinutesAttendee,
    MinutesEntry,
    MinutesState,
    Person,
    Project,
)
from services.core import audit
from services.core.access import Actor, get_project, project_role, require_contributor
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.refs import Cmd, phrase
from services.core.views import ActionItemView
from services.meetings import series as meetings
from services.meetings.views import MinutesView, view
from services.work import action_items

TEXT_LIMIT = 3000
TITLE_LIMIT = 300
MAX_ENTRIES = 2000
LINK_WINDOW = timedelta(minutes=30)  # minutes started this close to an occurrence belong to it


# --- reading ----------------------------------------------------------------------------------


def may_see(session: Session, actor: Actor, *, minutes: Minutes) -> bool:
    """Whether the actor may see these minutes (private projects: members and PMO leads)."""
    if minutes.project_id is None or actor.is_pmo_lead:
        return True
    project = session.get(Project, minutes.project_id)
    return not (project and project.private) or (
        project_role(session, actor.person_id, minutes.project_id) is not None
    )


def get(session: Session, actor: Actor, *, minutes_id: int) -> MinutesView:
    """One minutes session the actor may see (private projects: members only)."""
    m = session.scalar(
        select(Minutes).where(Minutes.id == minutes_id, Minutes.workspace_id == actor.workspace_id)
    )
    if m is None or not may_see(session, actor, minutes=m):
        raise NotFound(f"There are no minutes #{minutes_id}.", "See `minutes list`.")
    return view(session, m.id)


def open_in(session: Session, actor: Actor, channel: str) -> Minutes:
    """The minutes open in this channel, or NotFound saying how to start them."""
    m = session.scalar(
        select(Minutes).where(
            Minutes.workspace_id == actor.workspace_id,
            Minutes.channel == channel,
            Minutes.state == MinutesState.OPEN,
        )
    )
    if m is None:
        raise NotFound(
            "No minutes are being taken in this channel.",
            phrase("Start them with ", Cmd('minutes start [KEY] ["title"]'), "."),
        )
    if not may_see(session, actor, minutes=m):
        raise PermissionDenied("These minutes belong to a private project you are not in.")
    return m


# --- writing ----------------------------------------------------------------------------------


def clean_text(text: str, what: str) -> str:
    """An entry's text (`what`: note or decision), trimmed and within the limit."""
    text = text.strip()
    if not text:
        raise InvalidInput(
            f"The {what} is empty.", phrase("e.g. ", Cmd(f"minutes {what} Budget agreed"))
        )
    if len(text) > TEXT_LIMIT:
        raise InvalidInput(
            f"That {what} is {len(text):,} characters; the limit is {TEXT_LIMIT:,}.",
            "Split it into several entries. Nothing was added.",
        )
    return text


def _current_occurrence(
    session: Session, workspace_id: int, channel: str, project_id: int | None, now: datetime
) -> tuple[MeetingSeries, MeetingOccurrence] | None:
    """The occurrence of a series of this channel or project happening now, if any."""
    q = select(MeetingSeries).where(
        MeetingSeries.workspace_id == workspace_id, MeetingSeries.active.is_(True)
    )
    if project_id is not None:
        q = q.where((MeetingSeries.channel == channel) | (MeetingSeries.project_id == project_id))
    else:
        q = q.where(MeetingSeries.channel == channel)
    for series in session.scalars(q.order_by(MeetingSeries.id)):
        for occ in meetings.expand(series, now - timedelta(hours=12), now + LINK_WINDOW):
            if occ.start - LINK_WINDOW <= now <= occ.end + LINK_WINDOW:
                return series, meetings.occurrence_row(session, series, occ)
    return None


def start(
    session: Session,
    actor: Actor,
    *,
    channel: str,
    now: datetime,
    key: str | None = None,
    title: str | None = None,
    occurrence_id: int | None = None,
) -> MinutesView:
    """Open minutes in `channel` (one open per channel); the starter attends."""
    if not channel:
        raise InvalidInput("Minutes are taken in a channel.", "Run this in the meeting's channel.")
    existing = session.scalar(
        select(Minutes).where(
            Minutes.workspace_id == actor.workspace_id,
            Minutes.channel == channel,
            Minutes.state == MinutesState.OPEN,
        )
    )
    if existing is not None:
        raise _already_open(session, existing)
    project: Project | None = None
    if key:
        project = get_project(session, actor, key)
    else:
        homes = session.scalars(
            select(Project).where(
                Project.workspace_id == actor.workspace_id, Project.home_channel == channel
            )
        ).all()
        project = homes[0] if len(homes) == 1 else None
    occurrence: MeetingOccurrence | None = None
    series: MeetingSeries | None = None
    if occurrence_id is not None:
        occurrence = session.get(MeetingOccurrence, occurrence_id)
        if occurrence is None or occurrence.workspace_id != actor.workspace_id:
            raise NotFound("That meeting is no longer scheduled.")
        series = session.get(MeetingSeries, occurrence.series_id)
    else:
        found = _current_occurrence(
            session, actor.workspace_id, channel, project.id if project else None, now
        )
        if found:
            series, occurrence = found
    if project is None and series is not None and series.project_id is not None:
        project = session.get(Project, series.project_id)
    if project is not None:
        require_contributor(session, actor, project, "take its minutes")
    name = " ".join((title or "").split())
    if not name:
        name = series.title if series else (f"{project.name} meeting" if project else "Meeting")
    if len(name) > TITLE_LIMIT:
        raise InvalidInput(f"The title is over {TITLE_LIMIT} characters.")
    m = Minutes(
        workspace_id=actor.workspace_id,
        project_id=project.id if project else None,
        occurrence_id=occurrence.id if occurrence else None,
        channel=channel,
        title=name,
        state=MinutesState.OPEN,
        started_by_id=actor.person_id,
        started_at=now,
        auto_closed=False,
        posts=[],
    )
    try:
        with session.begin_nested():
            session.add(m)
            session.flush()
    except IntegrityError:  # someone started minutes here a moment ago
        other = session.scalar(
            select(Minutes).where(
                Minutes.workspace_id == actor.workspace_id,
                Minutes.channel == channel,
                Minutes.state == MinutesState.OPEN,
            )
        )
        if other is None:
            raise
        raise _already_open(session, other) from None
    session.add(MinutesAttendee(minutes_id=m.id, person_id=actor.person_id, present=True))
    session.flush()
    audit_change(session, actor, minutes=m, action="start", now=now)
    return view(session, m.id)


def _already_open(session: Session, m: Minutes) -> Conflict:
    who = session.get(Person, m.started_by_id)
    handle = f"@{who.handle}" if who else "someone"
    return Conflict(
        f"Minutes are already open in this channel: “{m.title}” (#{m.id}), started by "
        f"{handle} at {m.started_at:%H:%M} UTC.",
        phrase(
            "Add to them with ",
            Cmd("minutes note …"),
            ", or close them first with ",
            Cmd("minutes end"),
            ".",
        ),
    )


def audit_change(
    session: Session, actor: Actor, *, minutes: Minutes, action: str, now: datetime
) -> None:
    """Record a change to minutes (started, ended) in the audit log."""
    audit.record_by(
        session,
        actor,
        entity_type="minutes",
        entity_id=minutes.id,
        action=action,
        before=None,
        after={"title": minutes.title},
        now=now,
    )


def _count_entries(session: Session, minutes_id: int) -> int:
    return int(
        session.scalar(select(func.count()).where(MinutesEntry.minutes_id == minutes_id)) or 0
    )


def add_entry(
    session: Session,
    actor: Actor,
    *,
    channel: str,
    kind: EntryKind,
    text: str,
    now: datetime,
    source_ref: str | None = None,
    minutes_id: int | None = None,
) -> MinutesView:
    """Add a note or a decision to the minutes open in `channel` (or to `minutes_id`)."""
    m = target(session, actor, channel=channel, minutes_id=minutes_id)
    text = clean_text(text, kind.value)
    if _count_entries(session, m.id) >= MAX_ENTRIES:
        raise InvalidInput(
            f"These minutes already hold {MAX_ENTRIES:,} entries.", "End them and start new ones."
        )
    session.add(
        MinutesEntry(
            minutes_id=m.id,
            kind=kind,
            text=text,
            author_id=actor.person_id,
            source_ref=source_ref,
            created_at=now,
        )
    )
    session.flush()
    return view(session, m.id)


def require_writer(session: Session, actor: Actor, m: Minutes) -> None:
    """Minutes of a project follow its permissions: its members and PMO leads add to them,
    end and amend them; viewers and non-members only read. Minutes of no project are open
    to everyone in the workspace."""
    if m.project_id is None:
        return
    project = session.get(Project, m.project_id)
    if project is not None:
        require_contributor(session, actor, project, "change its minutes")


def writable(session: Session, actor: Actor, *, channel: str, minutes_id: int | None) -> Minutes:
    """The minutes a change would go to, if the actor may change them (open or closed)."""
    m: Minutes | None = open_in(session, actor, channel) if minutes_id is None else None
    if m is None:
        m = session.scalar(
            select(Minutes).where(
                Minutes.id == minutes_id, Minutes.workspace_id == actor.workspace_id
            )
        )
        if m is None or not may_see(session, actor, minutes=m):
            raise NotFound(f"There are no minutes #{minutes_id}.", "See `minutes list`.")
    require_writer(session, actor, m)
    return m


def target(session: Session, actor: Actor, *, channel: str, minutes_id: int | None) -> Minutes:
    """The minutes a change goes to: those open in `channel`, or `minutes_id` while open;
    PermissionDenied unless the actor may change them."""
    if minutes_id is None:
        here = open_in(session, actor, channel)
        require_writer(session, actor, here)
        return here
    m = session.scalar(
        select(Minutes).where(Minutes.id == minutes_id, Minutes.workspace_id == actor.workspace_id)
    )
    if m is None or not may_see(session, actor, minutes=m):
        raise NotFound(f"There are no minutes #{minutes_id}.")
    if m.state != MinutesState.OPEN:
        raise Conflict(
            f"Minutes #{m.id} are closed.",
            phrase("Amend them: ", Cmd(f"minutes amend {m.id} note …"), "."),
        )
    require_writer(session, actor, m)
    return m


def add_action(
    session: Session,
    actor: Actor,
    *,
    channel: str,
    owner: Person,
    text: str,
    now: datetime,
    due_on: date | None = None,
    source_ref: str | None = None,
    minutes_id: int | None = None,
) -> tuple[MinutesView, ActionItemView]:
    """Minute an action item: a tracked item at once, its owner told when the minutes end."""
    m = target(session, actor, channel=channel, minutes_id=minutes_id)
    item = action_items.create_from_minutes(
        session,
        actor,
        minutes_id=m.id,
        project_id=m.project_id,
        title=text,
        owner=owner,
        now=now,
        due_on=due_on,
        source_ref=source_ref,
    )
    return view(session, m.id), item


def set_attendance(
    session: Session,
    actor: Actor,
    *,
    channel: str,
    people: list[Person],
    present: bool,
    minutes_id: int | None = None,
) -> MinutesView:
    """Mark people as attending (or as sending regrets); a later call wins for a person."""
    m = target(session, actor, channel=channel, minutes_id=minutes_id)
    if not people:
        raise InvalidInput(phrase("Name the people: ", Cmd("minutes attendee @ana @ben"), "."))
    current = {
        a.person_id: a
        for a in session.scalars(select(MinutesAttendee).where(MinutesAttendee.minutes_id == m.id))
    }
    for p in people:
        if p.workspace_id != actor.workspace_id:
            raise InvalidInput(f"@{p.handle} is not in this workspace.")
        if p.id in current:
            current[p.id].present = present
        else:
            row = MinutesAttendee(minutes_id=m.id, person_id=p.id, present=present)
            session.add(row)
            current[p.id] = row
    session.flush()
    return view(session, m.id)


def set_live_ts(session: Session, minutes_id: int, ts: str) -> None:
    """Remember the live message that is updated in place as the minutes grow."""
    m = session.get(Minutes, minutes_id)
    if m is not None and not m.live_ts:
        m.live_ts = ts
        session.flush()
