"""Workspace (a Slack team, a Teams tenant or the local console) and its roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.enums import Platform, WorkspaceRoleName


class Workspace(Base):
    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[Platform] = mapped_column(str_enum(Platform, "platform"))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    pmo_channel: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    date_order: Mapped[str | None] = mapped_column(String(3))  # DMY, MDY, YMD; None: DMY
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkspaceRole(Base):
    """A workspace-wide role (admin, PMO lead) held by a person."""

    __tablename__ = "workspace_role"
    __table_args__ = (UniqueConstraint("workspace_id", "person_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[WorkspaceRoleName] = mapped_column(str_enum(WorkspaceRoleName, "workspace_role"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
