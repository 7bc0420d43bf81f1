"""Plain data returned by services; renderers turn these into text, Block Kit or cards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from models.enums import ActionStatus, DeliverableStatus, ProjectRole, ProjectState


@dataclass(frozen=True)
class PersonRef:
    id: int
    external_id: str
    handle: str
    display_name: str


@dataclass(frozen=True)
class MemberView:
    person: PersonRef
    role: ProjectRole


@dataclass(frozen=True)
class ProjectView:
    id: int
    key: str
    name: str
    state: ProjectState
    private: bool
    phase: str | None = None
    description: str = ""
    start_on: date | None = None
    target_on: date | None = None
    home_channel: str | None = None
    pm: PersonRef | None = None
    members: tuple[MemberView, ...] = ()
    open_actions: int = 0
    overdue_actions: int = 0
    open_deliverables: int = 0
    late_deliverables: int = 0
    rag: str | None = None  # the overall RAG of its latest status update
    rag_period: str | None = None
    next_round: datetime | None = None  # when its status round next opens (reader's zone)


@dataclass(frozen=True)
class ActionItemView:
    id: int
    title: str
    status: ActionStatus
    owner: PersonRef
    project_key: str | None
    due_on: date | None
    snoozed_until: date | None
    source_ref: str | None
    created_by: PersonRef | None = None
    done_at: datetime | None = None
    notes: str = ""
    project_private: bool = False

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date."""
        return self.status == ActionStatus.OPEN and self.due_on is not None and self.due_on < today


@dataclass(frozen=True)
class DeliverableView:
    id: int
    title: str
    project_key: str
    owner: PersonRef | None
    baseline_on: date
    forecast_on: date
    status: DeliverableStatus
    done_at: datetime | None = None
    project_private: bool = False

    @property
    def slip_days(self) -> int:
        """Days the forecast lies after the baseline (negative when early)."""
        return (self.forecast_on - self.baseline_on).days

    def is_late(self, today: date) -> bool:
        """Not finished and its forecast date has passed."""
        return (
            self.status in (DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS)
            and self.forecast_on < today
        )


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """A bounded slice of a longer list: `items` in order, `total` across all pages."""

    items: list[T] = field(default_factory=list)
    total: int = 0
    offset: int = 0  # how many rows come before this page
    size: int = 0  # rows a full page holds (0: the list is not paged)

    @property
    def more(self) -> int:
        """How many rows come after this page."""
        return max(0, self.total - self.offset - len(self.items))

    @property
    def number(self) -> int:
        """This page's number, 1 for the first."""
        return self.offset // self.size + 1 if self.size else 1

    def next_command(self, command: str) -> str:
        """`command` asking for the next page ('' when this page ends the list)."""
        return f"{command} page {self.number + 1}" if self.more and self.size else ""
