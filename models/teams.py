"""Teams conversation references: where the bot can write to a person or a channel later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class TeamsConversation(Base):
    """One conversation the bot was installed in or talked in (a person's personal chat, a
    channel, a group chat), with the reference the Agents SDK needs to write to it again."""

    __tablename__ = "teams_conversation"
    __table_args__ = (UniqueConstraint("workspace_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(16))  # personal | channel | groupChat
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )  # personal chats: whose
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    home_activity_id: Mapped[str | None] = mapped_column(String(200))  # the "My work" card
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
