"""Documents as plain data for renderers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models import ReviewDecision, VersionState
from services.core.views import PersonRef


@dataclass(frozen=True)
class ReviewView:
    approver: PersonRef
    decision: ReviewDecision
    comment: str
    due_on: date
    decided_at: datetime | None = None


@dataclass(frozen=True)
class VersionView:
    id: int
    number: str
    url: str
    note: str
    state: VersionState
    created_by: PersonRef | None
    created_at: datetime
    approved_at: datetime | None
    reviews: tuple[ReviewView, ...]

    def decided(self, decision: ReviewDecision) -> list[ReviewView]:
        return [r for r in self.reviews if r.decision == decision]


@dataclass(frozen=True)
class DocumentView:
    id: int
    project_key: str
    private: bool
    title: str
    owner: PersonRef | None
    approvers: tuple[PersonRef, ...]
    versions: tuple[VersionView, ...]  # newest first
    home_channel: str | None = None

    @property
    def current(self) -> VersionView:
        return self.versions[0]

    @property
    def state(self) -> VersionState:
        return self.current.state
