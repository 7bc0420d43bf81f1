"""Minutes taken in chat: start in a channel, add notes, decisions, action items and attendees,
end (posted to the project's channel, owners told), auto-close, amend after close, export.

One session is open per channel at a time (a partial unique index holds it). Action items are
real `ActionItem`s from the moment they are minuted (so they show in "my items" at once);
their owners get a DM with Done/Snooze when the minutes end. Final posts and DMs go through
the outbox, so they are retried and never doubled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from models import (
    ActionStatus,
    AuditEvent,
    EntryKind,
    MeetingOccurrence,
    MeetingSeries,
    Minutes,
    MinutesAttendee,
    MinutesEntry,
    MinutesState,
    Person,
    Project,
    ProjectRole,
    Workspace,
)
from services.core import audit
from services.core.access import Actor, get_project, project_role
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.people import person_ref
from services.core.views import ActionItemView, PersonRef
from services.outbox.kinds import DigestKind
from services.outbox.rows import insert_notifications, outbox_row
from services.work import action_items
from services.work.item_queries import views_for_minutes

AUTO_CLOSE_AFTER = timedelta(hours=12)
TEXT_LIMIT = 3000
TITLE_LIMIT = 300
MAX_ENTRIES = 2000
LINK_WINDOW = timedelta(minutes=30)  # minutes started this close to an occurrence belong to it


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


# --- reading ----------------------------------------------------------------------------------


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


def _may_see(session: Session, actor: Actor, m: Minutes) -> bool:
    if m.project_id is None or actor.is_pmo_lead:
        return True
    project = session.get(Project, m.project_id)
    return not (project and project.private) or (
        project_role(session, actor.person_id, m.project_id) is not None
    )


def get(session: Session, actor: Actor, *, minutes_id: int) -> MinutesView:
    """One minutes session the actor may see (private projects: members only)."""
    m = session.scalar(
        select(Minutes).where(Minutes.id == minutes_id, Minutes.workspace_id == actor.workspace_id)
    )
    if m is None or not _may_see(session, actor, m):
        raise NotFound(f"There are no minutes #{minutes_id}.", "See `minutes list`.")
    return view(session, m.id)


def list_recent(
    session: Session, actor: Actor, *, key: str | None = None, limit: int = 20
) -> list[MinutesView]:
    """The latest minutes the actor may see, newest first (of one project if `key`)."""
    q = select(Minutes).where(Minutes.workspace_id == actor.workspace_id)
    if key:
        q = q.where(Minutes.project_id == get_project(session, actor, key).id)
    rows = session.scalars(q.order_by(Minutes.started_at.desc()).limit(limit * 3)).all()
    return [view(session, m.id) for m in rows if _may_see(session, actor, m)][:limit]


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
            'Start them with `/pmo minutes start [KEY] ["title"]`.',
        )
    if not _may_see(session, actor, m):
        raise PermissionDenied("These minutes belong to a private project you are not in.")
    return m


# --- writing ----------------------------------------------------------------------------------


def _clean(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(f"The {what} is empty.", f"e.g. `/pmo minutes {what} Budget agreed`")
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
    from services.meetings import series as meetings

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
    _audit(session, actor, m, "start", now)
    return view(session, m.id)


def _already_open(session: Session, m: Minutes) -> Conflict:
    who = session.get(Person, m.started_by_id)
    handle = f"@{who.handle}" if who else "someone"
    return Conflict(
        f"Minutes are already open in this channel: “{m.title}” (#{m.id}), started by "
        f"{handle} at {m.started_at:%H:%M} UTC.",
        "Add to them with `/pmo minutes note …`, or close them first with `/pmo minutes end`.",
    )


def _audit(
    session: Session,
    actor: Actor,
    m: Minutes,
    action: str,
    now: datetime,
    detail: dict | None = None,
) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="minutes",
        entity_id=m.id,
        action=action,
        before=None,
        after={"title": m.title, **(detail or {})},
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
    m = _target(session, actor, channel, minutes_id)
    text = _clean(text, kind.value)
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


def _target(session: Session, actor: Actor, channel: str, minutes_id: int | None) -> Minutes:
    if minutes_id is None:
        return open_in(session, actor, channel)
    m = session.scalar(
        select(Minutes).where(Minutes.id == minutes_id, Minutes.workspace_id == actor.workspace_id)
    )
    if m is None or not _may_see(session, actor, m):
        raise NotFound(f"There are no minutes #{minutes_id}.")
    if m.state != MinutesState.OPEN:
        raise Conflict(
            f"Minutes #{m.id} are closed.", f"Amend them: `/pmo minutes amend {m.id} note …`."
        )
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
    m = _target(session, actor, channel, minutes_id)
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
    now: datetime,
    minutes_id: int | None = None,
) -> MinutesView:
    """Mark people as attending (or as sending regrets); a later call wins for a person."""
    m = _target(session, actor, channel, minutes_id)
    if not people:
        raise InvalidInput("Name the people: `/pmo minutes attendee @ana @ben`.")
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


def end(
    session: Session, actor: Actor, *, channel: str, now: datetime, minutes_id: int | None = None
) -> MinutesView:
    """Close the minutes open in `channel` (or `minutes_id`, from its own End button): queue
    the final posts and each owner's DM."""
    m = _target(session, actor, channel, minutes_id)
    _close(session, m, now, auto=False)
    _audit(session, actor, m, "end", now)
    return view(session, m.id)


def _close(session: Session, m: Minutes, now: datetime, *, auto: bool) -> None:
    m.state, m.ended_at, m.auto_closed = MinutesState.CLOSED, now, auto
    session.flush()
    v = view(session, m.id)
    rows = [
        outbox_row(
            m.workspace_id,
            "minutes_post",
            ("minutes", m.id),
            f"final:{ch}",
            payload={"minutes": m.id},
            at=now,
            now=now,
            channel=ch,
        )
        for ch in v.post_channels()
    ]
    for item in v.actions:
        if item.status != ActionStatus.OPEN:
            continue
        rows.append(
            outbox_row(
                m.workspace_id,
                "minutes_action",
                ("action_item", item.id),
                f"minutes:{m.id}",
                payload={
                    "due_on": item.due_on.isoformat() if item.due_on else None,
                    "project_key": item.project_key,
                    "owner_handle": item.owner.handle,
                    "owner_external_id": item.owner.external_id,
                    "minutes_title": m.title,
                },
                at=now,
                now=now,
                recipient_id=item.owner.id,
            )
        )
    if auto:
        rows.append(
            outbox_row(
                m.workspace_id,
                "minutes_autoclosed",
                ("minutes", m.id),
                "auto",
                payload={"digest": _autoclose_notice(v, now)},
                at=now,
                now=now,
                recipient_id=m.started_by_id,
            )
        )
    if rows:
        insert_notifications(session, rows)


def _autoclose_notice(v: MinutesView, now: datetime) -> dict[str, object]:
    from services.core.dates import local_today
    from services.outbox.port import Digest, DigestLine, DigestSection

    hours = int(AUTO_CLOSE_AFTER.total_seconds() // 3600)
    line = DigestLine(
        "text",
        v.id,
        f"“{v.title}” (#{v.id}) were open for {hours} hours, so I "
        "closed them and posted them. Amend them with `/pmo minutes amend "
        f"{v.id} note …`.",
    )
    return Digest(
        DigestKind.NOTICE,
        "Your minutes were closed automatically",
        local_today(now, "UTC"),
        [DigestSection("", [line], 1)],
    ).to_payload()


def close_stale(session: Session, *, now: datetime) -> list[int]:
    """Close minutes left open for 12 hours, saying so in them and telling the starter."""
    stale = session.scalars(
        select(Minutes)
        .where(Minutes.state == MinutesState.OPEN, Minutes.started_at <= now - AUTO_CLOSE_AFTER)
        .order_by(Minutes.id)
        .with_for_update(skip_locked=True)
    ).all()
    for m in stale:
        hours = int(AUTO_CLOSE_AFTER.total_seconds() // 3600)
        session.add(
            MinutesEntry(
                minutes_id=m.id,
                kind=EntryKind.NOTE,
                author_id=m.started_by_id,
                created_at=now,
                text=f"(Closed automatically by PMO Bot after {hours} hours open.)",
            )
        )
        _close(session, m, now, auto=True)
        audit.record(
            session,
            workspace_id=m.workspace_id,
            actor_id=None,
            entity_type="minutes",
            entity_id=m.id,
            action="auto_close",
            before=None,
            after={"title": m.title},
            now=now,
        )
    return [m.id for m in stale]


AMEND_OPS = ("note", "decision", "edit", "remove", "title")


def amend(
    session: Session,
    actor: Actor,
    *,
    minutes_id: int,
    op: str,
    text: str,
    now: datetime,
    kind: EntryKind | None = None,
    n: int | None = None,
) -> MinutesView:
    """Change closed minutes (the starter, the project's PM or a PMO lead); the posted
    messages are updated and the change is audited."""
    m = session.scalar(
        select(Minutes).where(Minutes.id == minutes_id, Minutes.workspace_id == actor.workspace_id)
    )
    if m is None or not _may_see(session, actor, m):
        raise NotFound(f"There are no minutes #{minutes_id}.", "See `minutes list`.")
    role = project_role(session, actor.person_id, m.project_id) if m.project_id else None
    if not (actor.is_pmo_lead or actor.person_id == m.started_by_id or role == ProjectRole.PM):
        raise PermissionDenied(
            "Only whoever started these minutes, the project's PM or a PMO lead can amend them."
        )
    if m.state == MinutesState.OPEN:
        raise Conflict(
            "These minutes are still open: add to them directly.",
            "e.g. `/pmo minutes note …` in their channel.",
        )
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    if op in ("note", "decision"):
        entry = MinutesEntry(
            minutes_id=m.id,
            kind=EntryKind(op),
            text=_clean(text, op),
            author_id=actor.person_id,
            created_at=now,
        )
        session.add(entry)
        after = {"added": op, "text": entry.text}
    elif op == "title":
        name = " ".join(text.split())
        if not name or len(name) > TITLE_LIMIT:
            raise InvalidInput(f"Give a title of 1 to {TITLE_LIMIT} characters.")
        before, after = {"title": m.title}, {"title": name}
        m.title = name
    elif op in ("edit", "remove"):
        if kind is None or n is None:
            raise InvalidInput(f"Say which entry: `minutes amend {m.id} {op} note 2 …`.")
        entries = session.scalars(
            select(MinutesEntry)
            .where(MinutesEntry.minutes_id == m.id, MinutesEntry.kind == kind)
            .order_by(MinutesEntry.id)
        ).all()
        if not 1 <= n <= len(entries):
            raise NotFound(
                f"These minutes have no {kind.value} {n}.",
                f"They have {len(entries)} {kind.value}s.",
            )
        entry = entries[n - 1]
        before = {kind.value: n, "text": entry.text}
        if op == "remove":
            session.delete(entry)
            after = {"removed": kind.value}
        else:
            entry.text = _clean(text, kind.value)
            after = {kind.value: n, "text": entry.text}
    else:
        raise InvalidInput(
            f"I can't amend with {op!r}.", "Use note, decision, edit, remove or title."
        )
    m.amended_at = now
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="minutes",
        entity_id=m.id,
        action="amend",
        before=None,
        after={"was": before, "now": after},
        now=now,
    )
    n_amend = int(
        session.scalar(
            select(func.count()).where(
                AuditEvent.entity_type == "minutes",
                AuditEvent.entity_id == m.id,
                AuditEvent.action == "amend",
            )
        )
        or 0
    )
    v = view(session, m.id)
    insert_notifications(
        session,
        [
            outbox_row(
                m.workspace_id,
                "minutes_amend",
                ("minutes", m.id),
                f"amend:{n_amend}:{ch}",
                payload={"minutes": m.id, "amend": True},
                at=now,
                now=now,
                channel=ch,
            )
            for ch in v.post_channels()
        ],
    )
    return v


def record_posts(session: Session, minutes_id: int, channel: str, ts: list[str]) -> None:
    """Remember where the final minutes were posted (so amendments can edit them)."""
    m = session.get(Minutes, minutes_id)
    if m is None:
        return
    posts = [p for p in (m.posts or []) if p.get("channel") != channel]
    m.posts = [*posts, {"channel": channel, "ts": ts}]
    session.flush()


# --- export -----------------------------------------------------------------------------------


def to_markdown(v: MinutesView) -> str:
    """The minutes as a Markdown document (title, when, who, notes, decisions, actions)."""
    from services.core.dates import zone

    tz = zone(v.timezone)
    start = v.started_at.astimezone(tz)
    when = f"{start:%A %d %B %Y, %H:%M}"
    if v.ended_at:
        when += f" to {v.ended_at.astimezone(tz):%H:%M}"
    lines = [f"# {_md(v.title)}", "", f"- **When:** {when} ({v.timezone})"]
    if v.project_key:
        lines.append(f"- **Project:** {v.project_key} — {_md(v.project_name or '')}")
    lines.append(f"- **Minutes by:** @{v.started_by.handle}")
    if v.attendees:
        lines.append("- **Attendees:** " + ", ".join(f"@{p.handle}" for p in v.attendees))
    if v.absent:
        lines.append("- **Regrets:** " + ", ".join(f"@{p.handle}" for p in v.absent))
    if v.auto_closed:
        lines.append("- _Closed automatically after 12 hours open._")
    if v.amended_at:
        lines.append(f"- _Amended {v.amended_at.astimezone(tz):%d %b %Y %H:%M}._")
    for heading, entries in (("Notes", v.notes), ("Decisions", v.decisions)):
        lines += ["", f"## {heading}", ""]
        lines += [f"{e.n}. {_md(e.text)}" for e in entries] or ["_None._"]
    lines += ["", "## Action items", ""]
    if v.actions:
        lines += ["| # | Action | Owner | Due | State |", "|---|---|---|---|---|"]
        lines += [
            f"| {a.id} | {_cell(a.title)} | @{a.owner.handle} | "
            f"{a.due_on.isoformat() if a.due_on else '—'} | {a.status.value} |"
            for a in v.actions
        ]
    else:
        lines.append("_None._")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return _md(text).replace("|", "\\|")


def _md(text: str) -> str:
    """One line of user text, safe in Markdown (no stray HTML, no line breaks)."""
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")
