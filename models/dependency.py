"""Cross-project dependencies agreed in chat: one project needs something from another by a
date (optionally one of its deliverables), asked of the other's PM, who accepts, proposes
another date or declines; an accepted one is watched for risk."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow


class DependencyState(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for an answer (from `awaiting`)
    ACCEPTED = "accepted"
    DECLINED = "declined"


class DependencySide(enum.StrEnum):
    UPSTREAM = "upstream"  # the project asked to deliver
    DOWNSTREAM = "downstream"  # the project that needs it


class Dependency(Base):
    __tablename__ = "dependency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    downstream_project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    upstream_project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    upstream_deliverable_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliverable.id", ondelete="SET NULL"), index=True
    )
    what: Mapped[str] = mapped_column(String(300))
    needed_by: Mapped[date] = mapped_column(Date)
    proposed_on: Mapped[date | None] = mapped_column(Date)  # a counter-proposal on the table
    state: Mapped[DependencyState] = mapped_column(
        str_enum(DependencyState, "dependency_state"), default=DependencyState.PROPOSED
    )
    awaiting: Mapped[DependencySide | None] = mapped_column(
        str_enum(DependencySide, "dependency_side")
    )
    round: Mapped[int] = mapped_column(Integer, default=1)  # +1 per counter-proposal
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was declined
    # The risk the watcher last saw (None: on track): as keys (slip:<date>, overdue, red) and
    # in words; and how many risk alerts went out.
    risk_keys: Mapped[str | None] = mapped_column(String(200))
    risk: Mapped[str | None] = mapped_column(Text)
    risk_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
