"""RAID entries as people see them: plain data for every channel's renderer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models import (
    IssueType,
    Level,
    ProposalState,
    Proximity,
    Rag,
    RaidEntry,
    RaidKind,
    RaidStatus,
    Strategy,
)
from services.commands.ast_raid import LETTERS
from services.core.views import ActionItemView, PersonRef

LEVEL_RANK = {Level.LOW: 1, Level.MEDIUM: 2, Level.HIGH: 3, Level.CRITICAL: 4}
OPEN_STATUSES = (RaidStatus.OPEN, RaidStatus.MITIGATING)
KIND_PLURAL = {
    RaidKind.RISK: "risks",
    RaidKind.ASSUMPTION: "assumptions",
    RaidKind.ISSUE: "issues",
    RaidKind.DEPENDENCY: "dependencies",
    RaidKind.DECISION: "decisions",
}
DATE_LABEL = {
    RaidKind.RISK: "review",
    RaidKind.ISSUE: "due",
    RaidKind.ASSUMPTION: "validate by",
    RaidKind.DEPENDENCY: "needed by",
    RaidKind.DECISION: "decided",
}


def ref_of(kind: RaidKind, number: int) -> str:
    """`R-3`, `I-7`, `DEC-2`."""
    return f"{LETTERS[kind.value]}-{number}"


@dataclass(frozen=True)
class ScorePoint:
    """One scoring of a risk."""

    at: datetime
    probability: int
    impact: int
    score: int
    residual: int | None
    by: str  # handle
    note: str = ""


@dataclass(frozen=True)
class RaidEntryView:
    id: int
    kind: RaidKind
    number: int
    project_key: str
    project_name: str
    project_private: bool
    title: str
    status: RaidStatus
    raised_by: PersonRef
    owner: PersonRef | None = None
    actionee: PersonRef | None = None
    description: str = ""
    category: str | None = None
    opportunity: bool = False
    probability: int | None = None
    impact: int | None = None
    score: int | None = None
    residual_probability: int | None = None
    residual_impact: int | None = None
    band: Rag | None = None
    proximity: Proximity | None = None
    strategy: Strategy | None = None
    next_date: date | None = None  # a risk's next review; an issue's due date; …
    reviewed_at: datetime | None = None
    issue_type: IssueType | None = None
    priority: Level | None = None
    severity: Level | None = None
    resolution: str = ""
    linked: str | None = None  # the linked entry's ref (an occurred risk's issue)
    decided_on: date | None = None
    minutes_id: int | None = None
    attendees: tuple[PersonRef, ...] = ()
    source_ref: str | None = None
    created_at: datetime | None = None
    closed_at: datetime | None = None
    home_channel: str | None = None
    history: tuple[ScorePoint, ...] = ()
    actions: tuple[ActionItemView, ...] = ()

    @property
    def ref(self) -> str:
        return ref_of(self.kind, self.number)

    @property
    def full_ref(self) -> str:
        """The ref with its project key: `APOLLO R-3`."""
        return f"{self.project_key} {self.ref}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def residual_score(self) -> int | None:
        if self.residual_probability is None or self.residual_impact is None:
            return None
        return self.residual_probability * self.residual_impact

    def due(self, today: date) -> bool:
        """Open and its review (or due date) has come."""
        return self.is_open and self.next_date is not None and self.next_date <= today


@dataclass(frozen=True)
class OfferView:
    """An offer to log an entry (a lingering blocker as an issue, an invalid assumption as
    a risk)."""

    id: int
    kind: RaidKind
    source: str  # blocker | assumption
    project_key: str
    title: str
    detail: str
    rounds: tuple[str, ...]
    state: ProposalState
    source_ref: str | None = None  # the assumption's ref
    entry_ref: str | None = None  # what was logged from it


def next_date(e: RaidEntry) -> date | None:
    """A risk's next review (kept in `due_on`), an issue's due date, an assumption's
    validate-by, a dependency's needed-by, a decision's date."""
    return e.decided_on if e.kind == RaidKind.DECISION else e.due_on


def rank_of(e: RaidEntry) -> int:
    """How lists sort: a risk's score, an issue's severity (4 critical … 1 low), else 0."""
    if e.kind == RaidKind.RISK:
        return e.score or 0
    if e.kind == RaidKind.ISSUE and e.severity is not None:
        return LEVEL_RANK[e.severity]
    return 0
