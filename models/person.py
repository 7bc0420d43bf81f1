"""People and their leave."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(64))
    handle: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # ISO weekdays the person works, as digits: "12345" is Monday to Friday.
    working_days: Mapped[str] = mapped_column(String(7), default="12345")
    work_start: Mapped[time] = mapped_column(Time, default=time(9, 0))
    work_end: Mapped[time] = mapped_column(Time, default=time(17, 30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The daily personal digest: on unless they opt out; at `digest_at` (default: work_start).
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    digest_at: Mapped[time | None] = mapped_column(Time)
    # Quiet hours in their own zone (`me quiet 18:00-08:00`): nothing is sent to them then.
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    # Set by `me timezone`: the platform profile's zone no longer overrides their own choice.
    timezone_pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    profile_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How they write numeric dates (DMY, MDY, YMD) when they chose it (`me dates`); else the
    # platform's locale ("en-US") says it, else the workspace's setting.
    date_order: Mapped[str | None] = mapped_column(String(3))
    locale: Mapped[str | None] = mapped_column(String(35))
    # Since when their daily digest runs as it is now (turned on, moved): no catch-up before.
    digest_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LeavePeriod(Base):
    """A person's leave, inclusive of both dates."""

    __tablename__ = "leave_period"
    __table_args__ = (CheckConstraint("end_on >= start_on", name="leave_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
