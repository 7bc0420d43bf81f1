"""The notification outbox: each reminder materialized once, delivered at least once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.enums import NotificationState


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        # The idempotency key: one row per rule, subject, occurrence and recipient.
        UniqueConstraint(
            "workspace_id", "rule", "subject_type", "subject_id", "occurrence", "recipient_id"
        ),
        # Channel posts (digests) have no recipient person; their key ends with the channel.
        UniqueConstraint(
            "workspace_id",
            "rule",
            "subject_type",
            "subject_id",
            "occurrence",
            "channel",
            name="uq_notification_channel_key",
        ),
        Index("ix_notification_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    occurrence: Mapped[str] = mapped_column(String(40))
    # A person (DM) or, for channel posts, None with `channel` set.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[NotificationState] = mapped_column(
        str_enum(NotificationState, "notification_state"), default=NotificationState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
