"""Tracked work: deliverables and action items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.enums import ActionStatus, DeliverableStatus, SourceKind


class Deliverable(Base):
    __tablename__ = "deliverable"
    __table_args__ = (
        Index("ix_deliverable_ws_status_due", "workspace_id", "status", "forecast_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    baseline_on: Mapped[date] = mapped_column(Date)
    forecast_on: Mapped[date] = mapped_column(Date)
    status: Mapped[DeliverableStatus] = mapped_column(
        str_enum(DeliverableStatus, "deliverable_status"), default=DeliverableStatus.PLANNED
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ActionItem(Base):
    __tablename__ = "action_item"
    __table_args__ = (
        Index("ix_action_item_ws_status_due", "workspace_id", "status", "due_on"),
        Index("ix_action_item_owner_status_due", "owner_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    source_kind: Mapped[SourceKind] = mapped_column(
        str_enum(SourceKind, "source_kind"), default=SourceKind.COMMAND
    )
    source_ref: Mapped[str | None] = mapped_column(String(500))
    minutes_id: Mapped[int | None] = mapped_column(
        ForeignKey("minutes.id", ondelete="SET NULL"), index=True
    )
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
