"""The project register: every project with its PM, sponsor, phase, dates, budget, latest RAG,
top risk (from the RAID log, when there is one), open work and its stage gates. PMO leads see
the whole register; anyone sees the entry of a project they can see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import GateState, Membership, Person, Project, ProjectRole, StageGate
from services.core.access import Actor, get_project
from services.core.errors import PermissionDenied
from services.core.people import person_ref
from services.core.refs import Cmd, phrase
from services.core.views import PersonRef, ProjectView
from services.projects import register, risks
from services.projects.phases import workspace_phases
from services.workspace.home import with_latest_rag


@dataclass(frozen=True)
class GateView:
    phase: str
    approver: PersonRef | None
    state: GateState | None  # None: no gate set for this phase
    requested_by: PersonRef | None = None
    requested_at: datetime | None = None
    decided_by: PersonRef | None = None
    decided_at: datetime | None = None
    from_phase: str | None = None
    note: str = ""


@dataclass(frozen=True)
class RegisterLine:
    project: ProjectView  # PM, phase, dates, counts, latest RAG
    sponsors: tuple[PersonRef, ...]
    budget_planned: int | None  # minor units (cents) of `currency`
    budget_actual: int | None
    currency: str | None
    top_risk: str | None
    pending_gate: GateView | None

    @property
    def open_items(self) -> int:
        return self.project.open_actions + self.project.open_deliverables


@dataclass(frozen=True)
class Register:
    lines: list[RegisterLine]
    phases: tuple[str, ...]
    today: date
    has_risk_log: bool  # False: the top-risk column has no source yet


@dataclass(frozen=True)
class RegisterCard:
    """One project's register entry with every phase's gate."""

    line: RegisterLine
    gates: list[GateView]
    phases: tuple[str, ...]
    has_risk_log: bool
    today: date


def _gate_view(g: StageGate, people: dict[int, PersonRef]) -> GateView:
    def ref(i: int | None) -> PersonRef | None:
        return people.get(i) if i is not None else None

    return GateView(
        g.phase,
        ref(g.approver_id),
        g.state,
        ref(g.requested_by_id),
        g.requested_at,
        ref(g.decided_by_id),
        g.decided_at,
        g.from_phase,
        g.note,
    )


def _lines(
    session: Session,
    actor: Actor,
    views: list[ProjectView],
    *,
    source: risks.TopRisks | None,
) -> tuple[list[RegisterLine], dict[int, list[StageGate]], dict[int, PersonRef], bool]:
    ids = [v.id for v in views]
    views = with_latest_rag(session, views)
    sponsors: dict[int, list[PersonRef]] = defaultdict(list)
    for pid, person in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.project_id.in_(ids), Membership.role == ProjectRole.SPONSOR)
        .order_by(Membership.id)
    ):
        sponsors[pid].append(person_ref(person))
    money = {
        r.id: (r.budget_planned, r.budget_actual, r.currency)
        for r in session.execute(
            select(
                Project.id, Project.budget_planned, Project.budget_actual, Project.currency
            ).where(Project.id.in_(ids))
        )
    }
    gates: dict[int, list[StageGate]] = defaultdict(list)
    for g in session.scalars(
        select(StageGate).where(StageGate.project_id.in_(ids)).order_by(StageGate.id)
    ):
        gates[g.project_id].append(g)
    wanted = {
        i
        for gs in gates.values()
        for g in gs
        for i in (g.approver_id, g.requested_by_id, g.decided_by_id)
        if i is not None
    }
    people = {
        p.id: person_ref(p) for p in session.scalars(select(Person).where(Person.id.in_(wanted)))
    }
    top = risks.top_risks(session, actor.workspace_id, ids, source)
    lines = []
    for v in views:
        planned, actual, currency = money.get(v.id, (None, None, None))
        pending = next((g for g in gates[v.id] if g.state == GateState.PENDING), None)
        lines.append(
            RegisterLine(
                v,
                tuple(sponsors.get(v.id, ())),
                planned,
                actual,
                currency,
                (top or {}).get(v.id),
                _gate_view(pending, people) if pending else None,
            )
        )
    return lines, gates, people, top is not None


def build(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    today: date,
    include_closed: bool = False,
    source: risks.TopRisks | None = None,
) -> Register:
    """The whole register (PMO leads), in a fixed number of statements."""
    if not actor.is_pmo_lead:
        raise PermissionDenied(
            "The project register is for PMO leads.",
            phrase("See a project's entry with ", Cmd("project register <KEY>"), "."),
        )
    views = register.list_projects(session, actor, now=now, include_closed=include_closed)
    phases = workspace_phases(session, actor.workspace_id)
    if not views:
        return Register([], phases, today, source is not None)
    lines, _, _, has_log = _lines(session, actor, views, source=source)
    return Register(lines, phases, today, has_log)


def entry(
    session: Session,
    actor: Actor,
    *,
    key: str,
    now: datetime,
    today: date,
    source: risks.TopRisks | None = None,
) -> RegisterCard:
    """One project's register entry, with the gate of each phase."""
    project = get_project(session, actor, key)
    view = register.show(session, actor, key=project.key, now=now)
    lines, gates, people, has_log = _lines(session, actor, [view], source=source)
    phases = workspace_phases(session, actor.workspace_id)
    by_phase = {g.phase: g for g in gates.get(project.id, [])}
    shown = [
        _gate_view(by_phase[p], people) if p in by_phase else GateView(p, None, None)
        for p in phases
    ] + [_gate_view(g, people) for name, g in by_phase.items() if name not in phases]
    return RegisterCard(lines[0], shown, phases, has_log, today)
