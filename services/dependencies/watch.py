"""Watching accepted dependencies: a dependency is at risk when the upstream deliverable's
forecast moves past the date it is needed by (or it is overdue after that date), or when the
upstream project's latest status update is red. Each new risk tells both projects' PMs once;
the portfolio report lists every dependency at risk."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import (
    Deliverable,
    DeliverableStatus,
    Dependency,
    DependencyState,
    Membership,
    Person,
    ProjectRole,
    Rag,
    StatusCycle,
    StatusUpdate,
)
from services.core import holidays
from services.core.dates import day_label
from services.dependencies import notices
from services.dependencies.agreements import views
from services.dependencies.views import DependencyView, UpstreamDeliverable
from services.outbox.rows import insert_notifications

OPEN = (DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Risk:
    keys: frozenset[str]  # what is wrong, as stable keys: slip:<date>, overdue, red
    words: str  # the same, for people


def assess(
    needed_by: date, d: UpstreamDeliverable | None, red: str | None, today: date
) -> Risk | None:
    """A dependency's risk now (None: on track). `red` is the period of the upstream project's
    latest update when it is red."""
    keys: list[str] = []
    words: list[str] = []
    if d is not None and d.status in OPEN:
        if d.forecast_on > needed_by:
            keys.append(f"slip:{d.forecast_on.isoformat()}")
            words.append(
                f"#{d.id} {d.title} is forecast for {day_label(d.forecast_on, today)}, after "
                f"the {day_label(needed_by, today)} it is needed by."
            )
        elif today > needed_by:
            keys.append("overdue")
            words.append(f"#{d.id} {d.title} was needed by {day_label(needed_by, today)}.")
    if red is not None:
        keys.append("red")
        words.append(f"The upstream project reported red ({red}).")
    if not keys:
        return None
    return Risk(frozenset(keys), " ".join(words))


def _latest_red(session: Session, project_ids: set[int]) -> dict[int, str]:
    """The period of each project's latest update, for projects whose latest update is red."""
    latest: dict[int, tuple[Rag, str]] = {}
    for pid, overall, period in session.execute(
        select(StatusUpdate.project_id, StatusUpdate.overall, StatusCycle.period)
        .join(StatusCycle, StatusCycle.id == StatusUpdate.cycle_id)
        .where(StatusUpdate.project_id.in_(project_ids), StatusUpdate.latest.is_(True))
        .order_by(StatusUpdate.submitted_at, StatusUpdate.id)
    ):
        latest[pid] = (overall, period)  # later rows win: the newest update
    return {pid: period for pid, (rag, period) in latest.items() if rag == Rag.RED}


def materialize(session: Session, *, now: datetime) -> int:
    """Re-assess every accepted dependency; alert both PMs of each new risk (2 statements when
    nothing changed, 10 at most when anything did)."""
    # Plain columns: every accepted dependency is read each minute; entities only for those
    # whose risk changed.
    found = session.execute(
        select(
            Dependency.id,
            Dependency.needed_by,
            Dependency.upstream_project_id,
            Dependency.risk_keys,
            Deliverable.id,
            Deliverable.title,
            Deliverable.forecast_on,
            Deliverable.status,
        )
        .outerjoin(Deliverable, Deliverable.id == Dependency.upstream_deliverable_id)
        .where(Dependency.state == DependencyState.ACCEPTED)
    ).all()
    if not found:
        return 0
    red = _latest_red(session, {r[2] for r in found})
    risks: dict[int, Risk | None] = {}
    for dep_id, needed_by, upstream, keys, d_id, title, forecast_on, status in found:
        up = UpstreamDeliverable(d_id, title, forecast_on, status) if d_id is not None else None
        risk = assess(needed_by, up, red.get(upstream), now.date())
        old = frozenset((keys or "").split(";")) - {""}
        if (risk.keys if risk else frozenset()) != old:
            risks[dep_id] = risk
    if not risks:
        return 0
    deps = list(session.scalars(select(Dependency).where(Dependency.id.in_(risks))))
    changed = [(dep, risks[dep.id]) for dep in deps]
    pms: dict[int, list[Person]] = defaultdict(list)
    projects = {
        p for dep, _ in changed for p in (dep.upstream_project_id, dep.downstream_project_id)
    }
    for pid, pm in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.project_id.in_(projects), Membership.role == ProjectRole.PM)
        .order_by(Membership.id)
    ):
        pms[pid].append(pm)
    alerted: list[tuple[Dependency, Risk]] = []
    for dep, risk in changed:
        old = frozenset((dep.risk_keys or "").split(";")) - {""}
        dep.risk_keys = ";".join(sorted(risk.keys)) if risk else None
        dep.risk = risk.words[:500] if risk else None
        if risk is None:
            dep.risk_since = None
            continue
        if dep.risk_since is None:
            dep.risk_since = now
        if risk.keys - old:  # something new is wrong: tell both sides once
            dep.alerts += 1
            alerted.append((dep, risk))
    session.flush()
    if not alerted:
        return 0
    shown = {v.id: v for v in views(session, [dep for dep, _ in alerted])}
    days_off = holidays.by_workspace(
        session,
        workspace_ids={dep.workspace_id for dep, _ in alerted},
        start=now.date() - timedelta(days=1),
        end=now.date() + timedelta(days=22),
    )
    rows: list[dict[str, Any]] = []
    for dep, risk in alerted:
        to = pms[dep.downstream_project_id] + pms[dep.upstream_project_id]
        off = days_off.get(dep.workspace_id, frozenset())
        rows += notices.alert_rows(dep, shown[dep.id], risk.words, to, now, off)
    return insert_notifications(session, rows)


def at_risk(
    session: Session, workspace_id: int, *, project_ids: set[int] | None = None
) -> list[DependencyView]:
    """Accepted dependencies at risk (either side among `project_ids`, if given), soonest
    needed first (4 statements)."""
    q = select(Dependency).where(
        Dependency.workspace_id == workspace_id,
        Dependency.state == DependencyState.ACCEPTED,
        Dependency.risk_keys.is_not(None),
    )
    if project_ids is not None:
        q = q.where(
            or_(
                Dependency.upstream_project_id.in_(project_ids),
                Dependency.downstream_project_id.in_(project_ids),
            )
        )
    return views(session, list(session.scalars(q.order_by(Dependency.needed_by, Dependency.id))))
