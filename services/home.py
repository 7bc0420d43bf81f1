"""What a person sees on their home screen (Slack App Home, Teams personal tab)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from services import action_items, deliverables, projects
from services.access import Actor
from services.dates import local_today
from services.views import ActionItemView, DeliverableView, Page, ProjectView


@dataclass(frozen=True)
class HomeData:
    today: date
    items: Page[ActionItemView]
    projects: list[ProjectView]
    deliverables: list[DeliverableView]


def home(session: Session, actor: Actor, *, now: datetime, item_limit: int = 15) -> HomeData:
    """My open items (overdue first), my projects, and deliverables due in the next 14 days."""
    today = local_today(now, actor.timezone)
    return HomeData(
        today=today,
        items=action_items.list_mine(session, actor, now=now, limit=item_limit),
        projects=projects.list_projects(session, actor, now=now, member_only=True),
        deliverables=deliverables.list_upcoming(session, actor, today=today, days=14),
    )
