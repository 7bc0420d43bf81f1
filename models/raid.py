"""The RAID log of each project: risks, assumptions, issues, dependencies and decisions, with
per-project numbers (R-3, A-1, I-7, D-2, DEC-4), the scoring history of risks, the action
items that respond to them, and the offers to log something (a lingering blocker as an
issue, an invalid assumption as a risk)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow


class RaidKind(enum.StrEnum):
    RISK = "risk"
    ASSUMPTION = "assumption"
    ISSUE = "issue"
    DEPENDENCY = "dependency"
    DECISION = "decision"


class RaidStatus(enum.StrEnum):
    """Every status any kind can be in; `services.raid` says which belong to which kind."""

    OPEN = "open"
    MITIGATING = "mitigating"  # a risk with a response under way
    CLOSED = "closed"
    ACCEPTED = "accepted"  # a risk the project lives with
    OCCURRED = "occurred"  # a risk that happened (it became an issue)
    RESOLVED = "resolved"  # an issue
    CONFIRMED = "confirmed"  # an assumption that held
    INVALID = "invalid"  # an assumption that did not
    MET = "met"  # a dependency that was delivered
    MISSED = "missed"  # a dependency that was not
    WITHDRAWN = "withdrawn"  # a decision taken back (its minutes were amended)


class Level(enum.StrEnum):
    """An issue's priority and severity."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class IssueType(enum.StrEnum):
    PROBLEM = "problem"  # a problem or concern
    CHANGE = "change"  # a request for change
    OFF_SPEC = "off_spec"  # an off-specification


class Proximity(enum.StrEnum):
    IMMINENT = "imminent"
    THIS_PHASE = "this_phase"
    THIS_PROJECT = "this_project"
    BEYOND = "beyond"


class Strategy(enum.StrEnum):
    """Responses to a threat (avoid … accept) or an opportunity (exploit … reject)."""

    AVOID = "avoid"
    REDUCE = "reduce"
    FALLBACK = "fallback"
    TRANSFER = "transfer"
    SHARE = "share"
    ACCEPT = "accept"
    EXPLOIT = "exploit"
    ENHANCE = "enhance"
    REJECT = "reject"


class ProposalState(enum.StrEnum):
    OFFERED = "offered"
    LOGGED = "logged"
    DISMISSED = "dismissed"


class RaidEntry(Base):
    """One entry of a project's RAID log (or its decision log)."""

    __tablename__ = "raid_entry"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "number"),
        Index("ix_raid_entry_ws_kind_rank", "workspace_id", "kind", "rank"),
        CheckConstraint("probability BETWEEN 1 AND 5", name="probability"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact"),
        CheckConstraint("residual_probability BETWEEN 1 AND 5", name="residual_probability"),
        CheckConstraint("residual_impact BETWEEN 1 AND 5", name="residual_impact"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RaidKind] = mapped_column(str_enum(RaidKind, "raid_kind"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(60))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    actionee_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    status: Mapped[RaidStatus] = mapped_column(
        str_enum(RaidStatus, "raid_status"), default=RaidStatus.OPEN
    )
    # Risks: a threat unless `opportunity`; probability × impact = score, before and after
    # the response (residual); when it stands in the red band, since when.
    opportunity: Mapped[bool] = mapped_column(Boolean, default=False)
    probability: Mapped[int | None] = mapped_column(SmallInteger)
    impact: Mapped[int | None] = mapped_column(SmallInteger)
    score: Mapped[int | None] = mapped_column(SmallInteger)
    residual_probability: Mapped[int | None] = mapped_column(SmallInteger)
    residual_impact: Mapped[int | None] = mapped_column(SmallInteger)
    proximity: Mapped[Proximity | None] = mapped_column(str_enum(Proximity, "raid_proximity"))
    strategy: Mapped[Strategy | None] = mapped_column(str_enum(Strategy, "raid_strategy"))
    review_on: Mapped[date | None] = mapped_column(Date)  # a review date set by hand
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    red_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the PMO leads were last told (a risk turning red, a high or critical issue).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Issues.
    issue_type: Mapped[IssueType | None] = mapped_column(str_enum(IssueType, "raid_issue_type"))
    priority: Mapped[Level | None] = mapped_column(str_enum(Level, "raid_priority"))
    severity: Mapped[Level | None] = mapped_column(str_enum(Level, "raid_severity"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    # How lists sort: a risk's score, an issue's severity (4 critical … 1 low), else 0.
    rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    # Issues: due; assumptions: validate by; dependencies: needed by.
    due_on: Mapped[date | None] = mapped_column(Date)
    # An occurred risk's issue, an invalid assumption's risk.
    linked_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("raid_entry.id", ondelete="SET NULL")
    )
    # Decisions: when, and the meeting they were minuted in, with who was there.
    decided_on: Mapped[date | None] = mapped_column(Date)
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id", ondelete="SET NULL"))
    minutes_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("minutes_entry.id", ondelete="SET NULL"), unique=True
    )
    attendees: Mapped[list[int]] = mapped_column(JSON, default=list)
    source_ref: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RaidScore(Base):
    """One scoring of a risk (its history shows the trend)."""

    __tablename__ = "raid_score"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("raid_entry.id", ondelete="CASCADE"), index=True
    )
    probability: Mapped[int] = mapped_column(SmallInteger)
    impact: Mapped[int] = mapped_column(SmallInteger)
    score: Mapped[int] = mapped_column(SmallInteger)
    residual_probability: Mapped[int | None] = mapped_column(SmallInteger)
    residual_impact: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(String(300), default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RaidAction(Base):
    """An action item that carries out a risk's response (or works on an issue)."""

    __tablename__ = "raid_action"
    __table_args__ = (UniqueConstraint("entry_id", "action_item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("raid_entry.id", ondelete="CASCADE"), index=True
    )
    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_item.id", ondelete="CASCADE"), index=True
    )


class RaidProposal(Base):
    """An offer to log an entry: a blocker reported round after round as an issue, an invalid
    assumption as a risk. Offered once; logged with one click, or dismissed."""

    __tablename__ = "raid_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RaidKind] = mapped_column(str_enum(RaidKind, "raid_proposal_kind"))
    source: Mapped[str] = mapped_column(String(20))  # blocker | assumption
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    rounds: Mapped[list[str]] = mapped_column(JSON, default=list)  # the periods it appeared in
    source_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("raid_entry.id", ondelete="SET NULL")
    )
    state: Mapped[ProposalState] = mapped_column(
        str_enum(ProposalState, "raid_proposal_state"), default=ProposalState.OFFERED
    )
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("raid_entry.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
