"""Where the bot can write later on a platform that needs a stored conversation (Teams):
a person's personal chat, a channel, a group chat. Scoped by workspace, never committed here."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person, Platform, TeamsConversation, Workspace

FRESH = timedelta(hours=1)  # a reference seen again within this is not rewritten


def remember(
    session: Session,
    *,
    workspace_id: int,
    conversation_id: str,
    kind: str,
    reference: dict[str, Any],
    now: datetime,
    person_id: int | None = None,
) -> TeamsConversation:
    """Store (or refresh) a conversation's reference."""
    row = session.scalar(
        select(TeamsConversation).where(
            TeamsConversation.workspace_id == workspace_id,
            TeamsConversation.conversation_id == conversation_id,
        )
    )
    if row is None:
        row = TeamsConversation(
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            kind=kind,
            reference=reference,
            person_id=person_id,
            updated_at=now,
        )
        session.add(row)
    else:
        same = (
            row.reference == reference
            and row.kind == kind
            and (person_id is None or row.person_id == person_id)
            and now - row.updated_at < FRESH
        )
        if same:
            return row  # nothing to write on every message
        row.reference = reference
        row.kind = kind
        row.person_id = person_id if person_id is not None else row.person_id
        row.updated_at = now
    session.flush()
    return row


def personal(session: Session, *, workspace_id: int, person_id: int) -> TeamsConversation | None:
    """A person's personal chat with the bot, if we know it."""
    return session.scalar(
        select(TeamsConversation)
        .where(
            TeamsConversation.workspace_id == workspace_id,
            TeamsConversation.person_id == person_id,
            TeamsConversation.kind == "personal",
        )
        .order_by(TeamsConversation.updated_at.desc())
        .limit(1)
    )


def by_id(session: Session, *, workspace_id: int, conversation_id: str) -> TeamsConversation | None:
    """A stored conversation of this workspace."""
    return session.scalar(
        select(TeamsConversation).where(
            TeamsConversation.workspace_id == workspace_id,
            TeamsConversation.conversation_id == conversation_id,
        )
    )


def any_in(session: Session, *, workspace_id: int) -> TeamsConversation | None:
    """Some conversation of the workspace (to reach its service and create a new chat)."""
    return session.scalar(
        select(TeamsConversation)
        .where(TeamsConversation.workspace_id == workspace_id)
        .order_by(TeamsConversation.updated_at.desc())
        .limit(1)
    )


def set_home(session: Session, row_id: int, activity_id: str | None) -> None:
    """Remember which message of the personal chat is the "My work" card."""
    row = session.get(TeamsConversation, row_id)
    if row is not None:
        row.home_activity_id = activity_id
        session.flush()


def workspace_of(session: Session, tenant: str) -> int | None:
    """The workspace id of a Teams tenant, if we know it."""
    return session.scalar(
        select(Workspace.id).where(
            Workspace.platform == Platform.TEAMS, Workspace.external_id == tenant
        )
    )


def person_of(session: Session, *, workspace_id: int, external_id: str) -> int | None:
    """A person's id from their platform id, in this workspace."""
    return session.scalar(
        select(Person.id).where(
            Person.workspace_id == workspace_id, Person.external_id == external_id
        )
    )
