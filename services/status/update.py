"""Status updates: what a PM reports, submitted (versioned), shown and prefilled, and escalated.

A project reports on its cadence (`cadence`); the scheduler opens a cycle per occurrence and
closes it at the deadline (`rounds`); an update between rounds counts for the cycle `cycles`
picks. Until the deadline each submission adds a version; reports show the latest, the
history is kept. A red overall status, or a blocker marked for escalation, tells the PMO
leads at once (once per cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import (
    CycleState,
    Person,
    Project,
    ProjectRole,
    ProjectState,
    Rag,
    StatusCycle,
    StatusUpdate,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.core import audit
from services.core.access import Actor, can_contribute, get_project, project_role
from services.core.errors import InvalidInput, PermissionDenied
from services.core.people import person_ref
from services.core.views import PersonRef
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import insert_notifications, outbox_row
from services.raid.proposals import check_blockers
from services.status.cycles import cycle_for_submission, reporter_ids

RAG_WORDS = {
    "green": Rag.GREEN,
    "g": Rag.GREEN,
    "on-track": Rag.GREEN,
    "ok": Rag.GREEN,
    "amber": Rag.AMBER,
    "a": Rag.AMBER,
    "yellow": Rag.AMBER,
    "at-risk": Rag.AMBER,
    "red": Rag.RED,
    "r": Rag.RED,
    "off-track": Rag.RED,
}
TEXT_LIMIT = 3000


def parse_rag(word: str) -> Rag:
    rag = RAG_WORDS.get(word.strip().lower())
    if rag is None:
        raise InvalidInput(f"{word[:20]!r} is not a RAG status.", "Use green, amber or red.")
    return rag


@dataclass(frozen=True)
class UpdateFields:
    """What a PM reports; everything but the overall RAG is optional."""

    overall: Rag
    schedule: Rag | None = None
    scope: Rag | None = None
    budget: Rag | None = None
    resources: Rag | None = None
    percent_complete: int | None = None
    summary: str = ""
    highlights: str = ""
    blockers: str = ""
    escalate: bool = False
    asks: str = ""
    next_steps: str = ""

    def check(self) -> UpdateFields:
        """Trimmed and within limits, or InvalidInput naming the field."""
        if self.percent_complete is not None and not 0 <= self.percent_complete <= 100:
            raise InvalidInput("% complete must be between 0 and 100.", field="percent")
        for name in ("summary", "highlights", "blockers", "asks", "next_steps"):
            value: str = getattr(self, name)
            if len(value) > TEXT_LIMIT:
                raise InvalidInput(
                    f"The {name.replace('_', ' ')} is {len(value):,} characters; the limit is "
                    f"{TEXT_LIMIT:,}.",
                    "Shorten it, or link to a document.",
                    field=name,
                )
        if self.escalate and not self.blockers.strip():
            raise InvalidInput("Escalate what? Describe the blocker to escalate.", field="blockers")
        return replace(
            self,
            **{
                n: getattr(self, n).strip()
                for n in ("summary", "highlights", "blockers", "asks", "next_steps")
            },
        )


@dataclass(frozen=True)
class UpdateView:
    id: int
    project_key: str
    project_name: str
    project_private: bool
    period: str
    version: int
    author: PersonRef
    fields: UpdateFields
    submitted_at: datetime
    on_time: bool
    deadline_at: datetime
    cycle_open: bool
    home_channel: str | None = None


# --- updates ----------------------------------------------------------------------------------


def _view(u: StatusUpdate, c: StatusCycle, p: Project, author: Person) -> UpdateView:
    f = UpdateFields(
        u.overall,
        u.schedule,
        u.scope,
        u.budget,
        u.resources,
        u.percent_complete,
        u.summary,
        u.highlights,
        u.blockers,
        u.escalate,
        u.asks,
        u.next_steps,
    )
    return UpdateView(
        u.id,
        p.key,
        p.name,
        p.private,
        c.period,
        u.version,
        person_ref(author),
        f,
        u.submitted_at,
        u.on_time,
        c.deadline_at,
        c.state == CycleState.OPEN,
        p.home_channel,
    )


def latest_update(session: Session, project_id: int) -> StatusUpdate | None:
    return session.scalar(
        select(StatusUpdate)
        .where(StatusUpdate.project_id == project_id, StatusUpdate.latest.is_(True))
        .order_by(StatusUpdate.submitted_at.desc(), StatusUpdate.id.desc())
        .limit(1)
    )


def prefill(session: Session, actor: Actor, *, key: str) -> tuple[Project, UpdateFields | None]:
    """The project and its last update (any cycle), to prefill the form."""
    project = get_project(session, actor, key)
    last = latest_update(session, project.id)
    if last is None:
        return project, None
    return project, UpdateFields(
        last.overall,
        last.schedule,
        last.scope,
        last.budget,
        last.resources,
        last.percent_complete,
        last.summary,
        last.highlights,
        last.blockers,
        last.escalate,
        last.asks,
        last.next_steps,
    )


def require_reporter(session: Session, actor: Actor, project: Project) -> None:
    """The PM and PMO leads report a project's status, and the reporters its round names now
    while they are members (not viewers): a reporter taken off the round, made a viewer or
    removed from the project no longer reports, even in a round opened before."""
    role = project_role(session, actor.person_id, project.id)
    if actor.is_pmo_lead or role == ProjectRole.PM:
        return
    if can_contribute(actor, role) and actor.person_id in reporter_ids(session, project):
        return
    raise PermissionDenied(
        f"Only {project.key}'s PM or its named reporters can report its status.",
        f"Ask the PM of {project.key}.",
    )


def submit(
    session: Session, actor: Actor, *, key: str, fields_: UpdateFields, now: datetime
) -> tuple[UpdateView, str]:
    """Record an update (a new version if this cycle has one). Returns it and a note."""
    project = get_project(session, actor, key)
    if project.state == ProjectState.CLOSED:
        raise InvalidInput(f"{project.key} is closed; closed projects don't report.")
    require_reporter(session, actor, project)
    cycle, note = cycle_for_submission(session, project=project, now=now)
    f = fields_.check()
    previous = session.scalar(
        select(StatusUpdate).where(StatusUpdate.cycle_id == cycle.id, StatusUpdate.latest)
    )
    version = (previous.version + 1) if previous else 1
    if previous is not None:
        session.execute(
            update(StatusUpdate).where(StatusUpdate.cycle_id == cycle.id).values(latest=False)
        )
    upd = StatusUpdate(
        workspace_id=project.workspace_id,
        project_id=project.id,
        cycle_id=cycle.id,
        author_id=actor.person_id,
        version=version,
        latest=True,
        overall=f.overall,
        schedule=f.schedule,
        scope=f.scope,
        budget=f.budget,
        resources=f.resources,
        percent_complete=f.percent_complete,
        summary=f.summary,
        highlights=f.highlights,
        blockers=f.blockers,
        escalate=f.escalate,
        asks=f.asks,
        next_steps=f.next_steps,
        on_time=now <= cycle.deadline_at,
        submitted_at=now,
        extra={},
    )
    session.add(upd)
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="status_update",
        entity_id=upd.id,
        action="submitted" if version == 1 else "edited",
        before=None,
        after={
            "project": project.key,
            "period": cycle.period,
            "version": version,
            "overall": f.overall.value,
        },
        now=now,
    )
    author = session.get(Person, actor.person_id)
    assert author is not None
    view = _view(upd, cycle, project, author)
    _escalate(session, view, cycle, now)
    # A blocker the last round reported too is offered to the PM as an issue (once).
    check_blockers(
        session,
        project=project,
        cycle=cycle,
        blockers=f.blockers,
        author_id=actor.person_id,
        now=now,
    )
    return view, note


def _escalate(session: Session, view: UpdateView, cycle: StatusCycle, now: datetime) -> None:
    """Red, or a blocker marked for escalation: the PMO leads hear at once, once per cycle."""
    kinds = []
    if view.fields.overall == Rag.RED:
        kinds.append("red")
    if view.fields.escalate and view.fields.blockers:
        kinds.append("blocker")
    if not kinds:
        return
    leads = session.scalars(
        select(WorkspaceRole.person_id).where(
            WorkspaceRole.workspace_id == cycle.workspace_id,
            WorkspaceRole.role == WorkspaceRoleName.PMO_LEAD,
        )
    ).all()
    f = view.fields
    sections = (
        [DigestSection("Summary", [DigestLine("text", 0, f.summary)], 1)] if f.summary else []
    )
    if f.blockers:
        sections.append(DigestSection("Blockers", [DigestLine("text", 0, f.blockers)], 1))
    if f.asks:
        sections.append(DigestSection("Asks", [DigestLine("text", 0, f.asks)], 1))
    what = "is RED" if "red" in kinds else "has a blocker to escalate"
    notice = Digest(
        DigestKind.STATUS_ESCALATION,
        f"🚨 {view.project_key} {what}",
        now.date(),
        sections,
        note=f"{view.project_name} · {view.period} update v{view.version} by @{view.author.handle}",
        project_key=view.project_key,
        channel=view.home_channel or "",
    )
    payload = {"digest": notice.to_payload()}
    insert_notifications(
        session,
        [
            outbox_row(
                cycle.workspace_id,
                "status_escalation",
                ("status_cycle", cycle.id),
                kind,
                payload=payload,
                at=now,
                now=now,
                recipient_id=lead,
            )
            for kind in kinds[:1]
            for lead in leads
            if lead != view.author.id
        ],
    )


def show(session: Session, actor: Actor, *, key: str) -> tuple[UpdateView | None, int]:
    """The project's latest update and how many versions its cycle has."""
    project = get_project(session, actor, key)
    upd = latest_update(session, project.id)
    if upd is None:
        return None, 0
    cycle = session.get(StatusCycle, upd.cycle_id)
    author = session.get(Person, upd.author_id)
    assert cycle is not None and author is not None
    versions = session.scalar(select(func.count()).where(StatusUpdate.cycle_id == cycle.id)) or 0
    return _view(upd, cycle, project, author), versions
