"""Profiles from the conversation roster: a person's name and email as Teams knows them,
read at first sight and once a day after (like Slack's users.info)."""

from __future__ import annotations

import logging

import anyio.to_thread
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from handlers.teams.runtime import Here, TeamsDeps
from models import Person
from services.core import people

log = logging.getLogger(__name__)


async def refresh(deps: TeamsDeps, context: TurnContext, here: Here) -> None:
    """Ask the roster about the sender when due; a refusal keeps what we know."""
    if not deps.roster_due(here.who.tenant, here.who.user):
        return
    conn = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    sender = str((here.raw.get("from") or {}).get("id") or "")
    conversation = str((here.raw.get("conversation") or {}).get("id") or "")
    if conn is None or not sender or not conversation:
        return
    try:
        member = await conn.conversations.get_conversation_member(conversation, sender)
    except Exception as exc:  # the roster is a nicety: never fail a turn on it
        log.info("Teams roster lookup failed: %s", type(exc).__name__)
        return
    extra = member.model_extra or {}
    email = extra.get("email") or extra.get("userPrincipalName")
    name = str(member.name or here.who.name)

    def save() -> None:
        with deps.sessions.begin() as s:
            person = s.get(Person, here.turn.person_id)
            if person is None:
                return
            people.upsert_person(
                s,
                workspace_id=person.workspace_id,
                external_id=person.external_id,
                handle=person.handle,
                display_name=name,
                email=str(email) if email else None,
                timezone=here.who.timezone,
                locale=here.who.locale,
                now=deps.clock(),
                defaults=deps.defaults,
            )

    await anyio.to_thread.run_sync(save)
