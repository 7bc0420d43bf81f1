"""Status collection: each project's cadence, its reporting cycles and the updates in them."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.enums import CycleState, Rag

DEFAULT_RRULE = "FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0"


class StatusCadence(Base):
    """When a project reports (an RRULE in the PM's zone), by when, who, and where the report
    goes. A project without a row uses the defaults: Thursday 10:00, due next day 12:00, the
    PM, the workspace PMO channel."""

    __tablename__ = "status_cadence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), unique=True
    )
    rrule: Mapped[str] = mapped_column(String(200), default=DEFAULT_RRULE)
    deadline_days: Mapped[int] = mapped_column(SmallInteger, default=1)
    deadline_time: Mapped[time] = mapped_column(Time, default=time(12, 0))
    # Person ids; empty means the project's PM(s).
    reporters: Mapped[list[int]] = mapped_column(JSON, default=list)
    report_channel: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StatusCycle(Base):
    """One reporting round of one project, keyed by the ISO week it opens in."""

    __tablename__ = "status_cycle"
    __table_args__ = (
        UniqueConstraint("project_id", "period"),
        Index("ix_status_cycle_ws_period", "workspace_id", "period"),
        Index("ix_status_cycle_state_deadline", "state", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))  # 2026-W48
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[CycleState] = mapped_column(
        str_enum(CycleState, "cycle_state"), default=CycleState.OPEN
    )
    note: Mapped[str] = mapped_column(Text, default="")
    reporters: Mapped[list[int]] = mapped_column(JSON, default=list)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StatusUpdate(Base):
    """One version of a project's update in a cycle; edits add versions, `latest` marks the
    one reports show."""

    __tablename__ = "status_update"
    __table_args__ = (
        UniqueConstraint("cycle_id", "version"),
        Index("ix_status_update_project_latest", "project_id", "latest"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("status_cycle.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    latest: Mapped[bool] = mapped_column(Boolean, default=True)
    overall: Mapped[Rag] = mapped_column(str_enum(Rag, "rag"))
    schedule: Mapped[Rag | None] = mapped_column(str_enum(Rag, "rag_schedule"))
    scope: Mapped[Rag | None] = mapped_column(str_enum(Rag, "rag_scope"))
    budget: Mapped[Rag | None] = mapped_column(str_enum(Rag, "rag_budget"))
    resources: Mapped[Rag | None] = mapped_column(str_enum(Rag, "rag_resources"))
    percent_complete: Mapped[int | None] = mapped_column(SmallInteger)
    summary: Mapped[str] = mapped_column(Text, default="")
    highlights: Mapped[str] = mapped_column(Text, default="")
    blockers: Mapped[str] = mapped_column(Text, default="")
    escalate: Mapped[bool] = mapped_column(Boolean, default=False)
    asks: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    on_time: Mapped[bool] = mapped_column(Boolean, default=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
