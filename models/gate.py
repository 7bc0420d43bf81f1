"""Stage gates: who approves a project's entry into a phase, and when it was approved (or a
phase change waiting for that approval)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow


class GateState(enum.StrEnum):
    OPEN = "open"  # an approver is named; nobody asked to pass yet
    PENDING = "pending"  # a phase change waits for the approver
    APPROVED = "approved"
    REJECTED = "rejected"


class StageGate(Base):
    __tablename__ = "stage_gate"
    __table_args__ = (UniqueConstraint("project_id", "phase"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(String(40))  # the phase this gate lets the project enter
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    state: Mapped[GateState] = mapped_column(
        str_enum(GateState, "gate_state"), default=GateState.OPEN
    )
    from_phase: Mapped[str | None] = mapped_column(String(40))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
