"""RACI charts: who is Responsible, Accountable, Consulted and Informed for a deliverable (or,
with no deliverable, for every deliverable of a project by default), and the sign-off an
Accountable gives before a deliverable is done.

The database holds the one rule it can: at most one Accountable per deliverable and one
default Accountable per project.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow


class RaciLetter(enum.StrEnum):
    RESPONSIBLE = "R"
    ACCOUNTABLE = "A"
    CONSULTED = "C"
    INFORMED = "I"


class SignoffState(enum.StrEnum):
    PENDING = "pending"
    SIGNED_OFF = "signed_off"
    NOT_YET = "not_yet"


class RaciAssignment(Base):
    """One letter of one person on a deliverable, or on the project's default (no deliverable)."""

    __tablename__ = "raci_assignment"
    __table_args__ = (
        Index(
            "uq_raci_assignment_deliverable",
            "deliverable_id",
            "person_id",
            "letter",
            unique=True,
            sqlite_where=text("deliverable_id IS NOT NULL"),
            postgresql_where=text("deliverable_id IS NOT NULL"),
        ),
        Index(
            "uq_raci_assignment_default",
            "project_id",
            "person_id",
            "letter",
            unique=True,
            sqlite_where=text("deliverable_id IS NULL"),
            postgresql_where=text("deliverable_id IS NULL"),
        ),
        Index(
            "uq_raci_assignment_one_accountable",
            "deliverable_id",
            unique=True,
            sqlite_where=text("letter = 'A' AND deliverable_id IS NOT NULL"),
            postgresql_where=text("letter = 'A' AND deliverable_id IS NOT NULL"),
        ),
        Index(
            "uq_raci_assignment_one_default_accountable",
            "project_id",
            unique=True,
            sqlite_where=text("letter = 'A' AND deliverable_id IS NULL"),
            postgresql_where=text("letter = 'A' AND deliverable_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    deliverable_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliverable.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    letter: Mapped[RaciLetter] = mapped_column(str_enum(RaciLetter, "raci_letter"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignoffRequest(Base):
    """A deliverable marked done that waits for its Accountable's sign-off (one open at a time)."""

    __tablename__ = "deliverable_signoff"
    __table_args__ = (
        Index(
            "uq_deliverable_signoff_pending",
            "deliverable_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    deliverable_id: Mapped[int] = mapped_column(
        ForeignKey("deliverable.id", ondelete="CASCADE"), index=True
    )
    accountable_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[SignoffState] = mapped_column(
        str_enum(SignoffState, "signoff_state"), default=SignoffState.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
