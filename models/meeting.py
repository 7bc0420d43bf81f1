"""Meetings: series (from a command or an .ics import), their occurrences, the minutes taken
in chat (attendees, notes, decisions; action items are `ActionItem`s pointing here), and the
tokens of calendar feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.enums import EntryKind, MinutesState


class MeetingSeries(Base):
    """A recurring (or one-off) meeting: first start in a zone, an RRULE, and its exceptions."""

    __tablename__ = "meeting_series"
    __table_args__ = (UniqueConstraint("workspace_id", "uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    rrule: Mapped[str | None] = mapped_column(String(500))
    exdates: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO UTC original starts
    rdates: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO UTC extra starts
    moved: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    channel: Mapped[str | None] = mapped_column(String(64))
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    agenda_minutes: Mapped[int] = mapped_column(Integer, default=15)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetingOccurrence(Base):
    """One occurrence the bot acted on: its agenda was posted, or its organizer nudged."""

    __tablename__ = "meeting_occurrence"
    __table_args__ = (UniqueConstraint("series_id", "original_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id", ondelete="CASCADE"))
    original_start: Mapped[datetime] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    agenda_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Minutes(Base):
    """Minutes taken in one channel: open until ended (or closed by the scheduler after 12 h)."""

    __tablename__ = "minutes"
    __table_args__ = (
        Index(
            "uq_minutes_open_channel",
            "workspace_id",
            "channel",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), index=True
    )
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_occurrence.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[MinutesState] = mapped_column(
        str_enum(MinutesState, "minutes_state"), default=MinutesState.OPEN
    )
    started_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    auto_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    live_ts: Mapped[str | None] = mapped_column(String(32))  # the live message, updated in place
    posts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # final messages
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MinutesAttendee(Base):
    """Who attended (present) or sent regrets (absent)."""

    __tablename__ = "minutes_attendee"
    __table_args__ = (UniqueConstraint("minutes_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)


class MinutesEntry(Base):
    """A note or a decision, in the order it was taken."""

    __tablename__ = "minutes_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "entry_kind"))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    source_ref: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalendarToken(Base):
    """An unguessable, revocable link to a person's (or a project's) calendar feed."""

    __tablename__ = "calendar_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
