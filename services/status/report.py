"""The portfolio report of one week: built in a fixed number of statements (exported as
Markdown, CSV or Excel in `exports`, charted in `charts`).

For each active project: its latest update in the week (or "missing"), the RAG of the cycle
before (to show changes), its RAG over the last 8 cycles, overdue action items and
deliverables, and a "green but slipping" flag when it reports green (or unchanged) while a
deliverable is overdue. Participation: the share of updates submitted by the deadline over
the last 8 cycles, per project and per PM.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    ActionStatus,
    CycleState,
    Deliverable,
    DeliverableStatus,
    Membership,
    Person,
    Project,
    ProjectRole,
    ProjectState,
    Rag,
    StatusCycle,
    StatusUpdate,
    Workspace,
)
from services.core.access import Actor, visible_projects
from services.core.dates import HORIZON_YEARS, zone
from services.core.errors import InvalidInput
from services.core.views import PersonRef
from services.dependencies.views import DependencyView
from services.dependencies.watch import at_risk
from services.outbox.port import Digest
from services.raid.portfolio import RaidSummary, summary
from services.status.as_of import overdue_at
from services.status.messages import update_digest_parts
from services.status.update import UpdateFields

HISTORY = 8
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


def parse_week(text: str | None, today: date) -> str:
    """`2026-W47`, `w47`, `last`, or nothing (this week)."""
    if not text or text.lower() in ("this", "now", "current"):
        y, w, _ = today.isocalendar()
        return f"{y}-W{w:02d}"
    low = text.strip().lower()
    if low in ("last", "previous", "prev"):
        y, w, _ = (today - timedelta(days=7)).isocalendar()
        return f"{y}-W{w:02d}"
    try:
        if low.startswith("w"):
            year, week = today.isocalendar()[0], int(low[1:])
        else:
            year_s, week_s = low.split("-w")
            year, week = int(year_s), int(week_s)
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InvalidInput(
            f"{text[:20]!r} is not a week.", "Write it like 2026-W47, w47 or last."
        ) from None
    if abs((monday - today).days) > HORIZON_YEARS * 366:
        raise InvalidInput(
            f"{year}-W{week:02d} is more than {HORIZON_YEARS} years from today.",
            f"Reports cover weeks within {HORIZON_YEARS} years of today; check the year.",
        )
    return f"{year}-W{week:02d}"


def week_end_day(period: str) -> date:
    """The Sunday that ends ISO week `period`."""
    return date.fromisocalendar(int(period[:4]), int(period[6:]), 7)


def past_week_end(session: Session, workspace_id: int, period: str, today: date) -> datetime | None:
    """The end of `period` (Sunday midnight in the workspace's zone) if that week is over."""
    sunday = week_end_day(period)
    if sunday >= today:
        return None
    tz = session.scalar(select(Workspace.timezone).where(Workspace.id == workspace_id)) or "UTC"
    return datetime.combine(sunday + timedelta(days=1), time(0), tzinfo=zone(tz))


def previous_periods(period: str, n: int) -> list[str]:
    """`n` ISO weeks ending with `period`, oldest first."""
    monday = date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
    out = []
    for i in range(n - 1, -1, -1):
        y, w, _ = (monday - timedelta(weeks=i)).isocalendar()
        out.append(f"{y}-W{w:02d}")
    return out


@dataclass(frozen=True)
class ProjectLine:
    project_id: int
    key: str
    name: str
    private: bool
    home_channel: str | None
    pm: PersonRef | None
    update: UpdateFields | None
    author: PersonRef | None
    version: int
    on_time: bool
    skipped: bool
    skip_note: str
    previous: Rag | None
    history: list[Rag | None]
    overdue_items: int
    overdue_deliverables: int
    on_time_rate: float | None

    @property
    def changed(self) -> bool:
        return (
            self.update is not None
            and self.previous is not None
            and (self.update.overall != self.previous)
        )

    @property
    def slipping(self) -> bool:
        """Reports green (or the same as before) while a deliverable is overdue."""
        if self.update is None or self.overdue_deliverables == 0:
            return False
        return self.update.overall == Rag.GREEN or self.update.overall == self.previous


@dataclass(frozen=True)
class Report:
    workspace_id: int
    period: str
    periods: list[str]
    today: date
    projects: list[ProjectLine]
    pm_rates: list[tuple[PersonRef, float, int]] = field(default_factory=list)
    raid: RaidSummary | None = None  # top risks, new high-severity issues, the risk heat map
    at_risk: list[DependencyView] = field(default_factory=list)  # accepted dependencies

    def count(self, rag: Rag | None) -> int:
        return sum(
            1
            for p in self.projects
            if (p.update.overall if p.update else None) == rag and not p.skipped
        )

    @property
    def missing(self) -> list[ProjectLine]:
        return [p for p in self.projects if p.update is None and not p.skipped]

    @property
    def on_time_rate(self) -> float | None:
        rates = [p.on_time_rate for p in self.projects if p.on_time_rate is not None]
        return sum(rates) / len(rates) if rates else None


def build(
    session: Session,
    workspace_id: int,
    period: str,
    *,
    today: date,
    project_ids: set[int] | None = None,
    include_private: bool = True,
) -> Report:
    """The week's report in a bounded number of statements whatever the size of the portfolio
    (4 of them for its RAID part, 3 more when dependencies are at risk)."""
    periods = previous_periods(period, HISTORY + 1)  # one more: the "before" of the oldest
    moment = past_week_end(session, workspace_id, period, today)
    cond = [Project.workspace_id == workspace_id, Project.state != ProjectState.CLOSED]
    if moment is not None:  # a past week as it was: the projects that existed and were open
        cond = [
            Project.workspace_id == workspace_id,
            Project.created_at <= moment,
            or_(Project.state != ProjectState.CLOSED, Project.closed_at > moment),
        ]
    if project_ids is not None:
        cond.append(Project.id.in_(project_ids))
    if not include_private:
        cond.append(Project.private.is_(False))
    # Plain columns throughout: thousands of rows, no need for entities.
    projects = session.execute(
        select(Project.id, Project.key, Project.name, Project.private, Project.home_channel)
        .where(*cond)
        .order_by(Project.key)
    ).all()
    pms: dict[int, PersonRef] = {}
    for pid, p_id, p_ext, p_handle, p_name in session.execute(
        select(
            Membership.project_id, Person.id, Person.external_id, Person.handle, Person.display_name
        )
        .join(Person, Person.id == Membership.person_id)
        .join(Project, Project.id == Membership.project_id)
        .where(*cond, Membership.role == ProjectRole.PM)
        .order_by(Membership.id.desc())
    ):
        pms[pid] = PersonRef(p_id, p_ext, p_handle, p_name)
    # Every project's cycles of the window folded into one row by the database: the RAG of
    # each week, how many rounds were due and answered on time, this week's state and note.
    # Filtered by workspace only (rows of projects not listed are ignored); enums as values.
    rag_of = {r.value: r for r in Rag}
    rag = type_coerce(StatusUpdate.overall, String)
    in_window = StatusCycle.period != periods[0]
    per_week = [func.max(case((StatusCycle.period == per, rag))) for per in periods]
    # Rounds a project had: closed ones, and open ones already answered (a round still open
    # and unanswered is not late yet); skipped weeks are no round at all.
    had = and_(
        in_window,
        StatusCycle.state != CycleState.SKIPPED,
        or_(StatusCycle.state == CycleState.CLOSED, StatusUpdate.id.is_not(None)),
    )
    due_n = func.sum(case((had, 1), else_=0))
    ok_n = func.sum(case((and_(had, StatusUpdate.on_time.is_(True)), 1), else_=0))
    this_state = func.max(
        case((StatusCycle.period == period, type_coerce(StatusCycle.state, String)))
    )
    this_note = func.max(case((StatusCycle.period == period, StatusCycle.note)))
    folded: dict[int, Any] = {}
    for row in session.execute(
        select(StatusCycle.project_id, due_n, ok_n, this_state, this_note, *per_week)
        .outerjoin(
            StatusUpdate,
            and_(StatusUpdate.cycle_id == StatusCycle.id, StatusUpdate.latest.is_(True)),
        )
        .where(StatusCycle.workspace_id == workspace_id, StatusCycle.period.in_(periods))
        .group_by(StatusCycle.project_id)
    ):
        folded[row[0]] = tuple(row)
    # This week's updates in full.
    current: dict[int, tuple[UpdateFields, int, bool, PersonRef]] = {}
    for row in session.execute(  # a wide row of typed columns, used positionally
        select(
            StatusUpdate.project_id,
            StatusUpdate.overall,
            StatusUpdate.schedule,
            StatusUpdate.scope,
            StatusUpdate.budget,
            StatusUpdate.resources,
            StatusUpdate.percent_complete,
            StatusUpdate.summary,
            StatusUpdate.highlights,
            StatusUpdate.blockers,
            StatusUpdate.escalate,
            StatusUpdate.asks,
            StatusUpdate.next_steps,
            StatusUpdate.version,
            StatusUpdate.on_time,
            Person.id,
            Person.external_id,
            Person.handle,
            Person.display_name,
        )
        .join(StatusCycle, StatusCycle.id == StatusUpdate.cycle_id)
        .join(Person, Person.id == StatusUpdate.author_id)
        .where(
            StatusCycle.workspace_id == workspace_id,
            StatusCycle.period == period,
            StatusUpdate.latest.is_(True),
        )
    ):
        r: Any = tuple(row)
        current[r[0]] = (UpdateFields(*r[1:13]), r[13], bool(r[14]), PersonRef(*r[15:19]))
    overdue_items: dict[int | None, int] = dict(
        (r[0], r[1])
        for r in session.execute(
            select(ActionItem.project_id, func.count())
            .where(
                ActionItem.workspace_id == workspace_id,
                ActionItem.project_id.is_not(None),
                ActionItem.status == ActionStatus.OPEN,
                ActionItem.due_on < today,
            )
            .group_by(ActionItem.project_id)
        )
    )
    overdue_dels: dict[int | None, int] = dict(
        (r[0], r[1])
        for r in session.execute(
            select(Deliverable.project_id, func.count())
            .where(
                Deliverable.workspace_id == workspace_id,
                Deliverable.status.in_([DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS]),
                Deliverable.forecast_on < today,
            )
            .group_by(Deliverable.project_id)
        )
    )
    if moment is not None:  # overdue as it stood at the week's end
        then_items, then_dels = overdue_at(
            session, workspace_id, moment=moment, day=week_end_day(period)
        )
        overdue_items = {k: v for k, v in then_items.items()}
        overdue_dels = {k: v for k, v in then_dels.items()}
    window = periods[1:]
    pm_tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    people: dict[int, PersonRef] = {}
    lines = []
    for pid, key, name, private, channel in projects:
        f_row = folded.get(pid)
        weeks: list[Rag | None] = (
            [rag_of.get(v) if v else None for v in f_row[5:]] if f_row else [None] * len(periods)
        )
        prev = next((w for w in reversed(weeks[:-1]) if w is not None), None)
        history = weeks[1:]
        due, on_time = (int(f_row[1] or 0), int(f_row[2] or 0)) if f_row else (0, 0)
        skipped = bool(f_row and f_row[3] == CycleState.SKIPPED.value)
        note = (f_row[4] or "") if f_row else ""
        pm = pms.get(pid)
        if pm is not None and due:
            people[pm.id] = pm
            pm_tally[pm.id][0] += on_time
            pm_tally[pm.id][1] += due
        fields_: UpdateFields | None = None
        author: PersonRef | None = None
        version, punctual = 0, False
        if pid in current:
            fields_, version, punctual, author = current[pid]
        lines.append(
            ProjectLine(
                pid,
                key,
                name,
                private,
                channel,
                pm,
                fields_,
                author,
                version,
                punctual,
                skipped,
                note,
                prev,
                history,
                overdue_items.get(pid, 0),
                overdue_dels.get(pid, 0),
                on_time / due if due else None,
            )
        )
    pm_rates = sorted(
        ((people[i], ok / n, n) for i, (ok, n) in pm_tally.items()),
        key=lambda t: (t[1], t[0].handle),
    )
    raid = summary(session, workspace_id, project_ids=[p[0] for p in projects], period=period)
    risky = at_risk(session, workspace_id, project_ids={pid for pid, *_ in projects})
    risky = [v for v in risky if include_private or not v.private]
    return Report(workspace_id, period, window, today, lines, pm_rates, raid, risky)


def severity(line: ProjectLine) -> tuple[int, str]:
    """Worst first: red, amber, missing, slipping greens, greens, skipped."""
    if line.update is None:
        return (5 if line.skipped else 2, line.key)
    rank = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 4}[line.update.overall]
    return (3 if line.slipping and rank == 4 else rank, line.key)


def project_post(line: ProjectLine, period: str, today: date) -> Digest:
    """A project's own update, for its channel and the report's thread."""
    assert line.update is not None
    author = line.author.handle if line.author else ""
    digest: Digest = update_digest_parts(line.key, period, line.update, line.version, author, today)
    return digest


RAG_DOT = {Rag.GREEN: "🟢", Rag.AMBER: "🟠", Rag.RED: "🔴", None: "⚪"}


def for_actor(session: Session, actor: Actor, period: str, *, today: date) -> Report:
    """The report as this person may see it: private projects only where they are members
    (PMO leads see everything)."""
    ids = None
    if not actor.is_pmo_lead:
        ids = set(
            session.scalars(
                select(Project.id).where(
                    Project.workspace_id == actor.workspace_id, visible_projects(actor)
                )
            )
        )
    return build(session, actor.workspace_id, period, today=today, project_ids=ids)
