"""What a person sees on their home screen (Slack App Home, Teams personal tab)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import StatusCycle, StatusUpdate
from services.core.access import Actor
from services.core.dates import local_today
from services.core.views import ActionItemView, DeliverableView, Page, ProjectView
from services.projects import register as projects
from services.raid.queries import reviews_due
from services.raid.views import RaidEntryView
from services.work import action_items, deliverables


@dataclass(frozen=True)
class HomeData:
    today: date
    items: Page[ActionItemView]
    projects: list[ProjectView]
    deliverables: list[DeliverableView]
    reviews: list[RaidEntryView] = field(default_factory=list)  # RAID entries due this week


def home(session: Session, actor: Actor, *, now: datetime, item_limit: int = 15) -> HomeData:
    """My open items (overdue first), my projects, and deliverables due in the next 14 days."""
    today = local_today(now, actor.timezone)
    mine = projects.list_projects(session, actor, now=now, member_only=True)
    return HomeData(
        today=today,
        items=action_items.list_mine(session, actor, limit=item_limit),
        projects=with_latest_rag(session, mine),
        deliverables=deliverables.list_upcoming(session, actor, today=today, days=14),
        reviews=reviews_due(session, actor, today=today),
    )


def with_latest_rag(session: Session, views: list[ProjectView]) -> list[ProjectView]:
    """The projects with the RAG of their latest status update (one statement)."""
    if not views:
        return views
    latest: dict[int, tuple[str, str]] = {}
    for pid, overall, period in session.execute(
        select(StatusUpdate.project_id, StatusUpdate.overall, StatusCycle.period)
        .join(StatusCycle, StatusCycle.id == StatusUpdate.cycle_id)
        .where(StatusUpdate.project_id.in_([v.id for v in views]), StatusUpdate.latest.is_(True))
        .order_by(StatusUpdate.submitted_at)
    ):
        latest[pid] = (overall.value, period)  # later rows win: the newest update
    return [
        replace(v, rag=latest[v.id][0], rag_period=latest[v.id][1]) if v.id in latest else v
        for v in views
    ]
