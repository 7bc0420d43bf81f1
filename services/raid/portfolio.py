"""The RAID part of the weekly portfolio report: the top risks (the red band, highest score
first, with owner and review state), the high and critical issues raised in the week, and
the 5×5 heat map of open threats — in four statements whatever the portfolio's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Level, RaidEntry, RaidKind, Workspace
from services.raid.policy import RaidPolicy
from services.raid.store import to_view, view_query
from services.raid.views import RaidEntryView

TOP = 25  # top risks and new issues listed (the counts say how many more)


@dataclass(frozen=True)
class RaidSummary:
    top_risks: list[RaidEntryView]
    red_total: int
    new_issues: list[RaidEntryView]
    heat: list[list[int]]  # heat[p - 1][i - 1]: open threats of probability p and impact i
    policy: RaidPolicy = field(default_factory=RaidPolicy)

    @property
    def open_risks(self) -> int:
        return sum(sum(row) for row in self.heat)

    def band_of(self, p: int, i: int) -> str:
        band = self.policy.band(p * i)
        return band.value if band else "green"


def week_of(period: str) -> tuple[date, date]:
    """Monday and the next Monday of an ISO week (`2026-W48`)."""
    monday = date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
    return monday, monday + timedelta(days=7)


def summary(
    session: Session, workspace_id: int, *, project_ids: list[int], period: str
) -> RaidSummary:
    """The RAID part of a week's report, for these projects."""
    settings = session.scalar(select(Workspace.settings).where(Workspace.id == workspace_id))
    policy = RaidPolicy.from_settings(settings)
    if not project_ids:
        return RaidSummary([], 0, [], [[0] * 5 for _ in range(5)], policy)
    threats = (
        RaidEntry.workspace_id == workspace_id,
        RaidEntry.project_id.in_(project_ids),
        RaidEntry.kind == RaidKind.RISK,
        RaidEntry.closed_at.is_(None),
        RaidEntry.opportunity.is_(False),
    )
    heat = [[0] * 5 for _ in range(5)]
    red_total = 0
    for p, i, n in session.execute(
        select(RaidEntry.probability, RaidEntry.impact, func.count())
        .where(*threats)
        .group_by(RaidEntry.probability, RaidEntry.impact)
    ):
        if p and i:
            heat[p - 1][i - 1] = n
            red_total += n if p * i >= policy.red else 0
    order = (RaidEntry.score.desc(), RaidEntry.due_on, RaidEntry.id)
    top_ids = (
        select(RaidEntry.id)
        .where(*threats, RaidEntry.score >= policy.red)
        .order_by(*order)
        .limit(TOP)
    )
    top = [
        to_view(r, policy)
        for r in session.execute(
            view_query(workspace_id)
            .where(RaidEntry.id.in_(top_ids.scalar_subquery()))
            .order_by(*order)
        )
    ]
    start, end = week_of(period)
    issues = [
        to_view(r, policy)
        for r in session.execute(
            view_query(workspace_id)
            .where(
                RaidEntry.project_id.in_(project_ids),
                RaidEntry.kind == RaidKind.ISSUE,
                RaidEntry.severity.in_([Level.HIGH, Level.CRITICAL]),
                RaidEntry.created_at >= datetime.combine(start, time(), tzinfo=UTC),
                RaidEntry.created_at < datetime.combine(end, time(), tzinfo=UTC),
            )
            .order_by(RaidEntry.rank.desc(), RaidEntry.created_at, RaidEntry.id)
            .limit(TOP)
        )
    ]
    return RaidSummary(top, red_total, issues, heat, policy)
