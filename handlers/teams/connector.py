"""Write to Teams outside a turn (or to another conversation than the turn's): through the
Agents SDK's adapter and its connector client, from a conversation reference stored in the
database. Errors come back as `TeamsRefusal` with the HTTP status, Teams' error code and
Retry-After, so the caller can decide to retry or give up."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from microsoft_agents.activity import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from microsoft_agents.hosting.core.app.proactive import Conversation
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from handlers.teams.adaptive import Card

T = TypeVar("T")
RETRYABLE = {429, 412, 500, 502, 503, 504}


@dataclass
class TeamsRefusal(Exception):
    """The Bot Connector refused a call."""

    status: int
    code: str
    retry_after: float | None = None

    def __str__(self) -> str:
        return f"Teams answered {self.status} {self.code}".strip()

    @property
    def retryable(self) -> bool:
        return self.status in RETRYABLE or self.status == 0


def refusal(exc: Exception) -> TeamsRefusal:
    """A connector error as a TeamsRefusal (its status, code and Retry-After)."""
    if isinstance(exc, TeamsRefusal):
        return exc
    if isinstance(exc, aiohttp.ClientResponseError):
        code = ""
        try:
            body = json.loads(exc.message)
            code = str((body.get("error") or {}).get("code") or body.get("code") or "")
        except (ValueError, AttributeError):
            code = exc.message[:80] if exc.message else ""
        after = exc.headers.get("Retry-After") if exc.headers else None
        try:
            wait = float(after) if after is not None else None
        except ValueError:
            wait = None
        return TeamsRefusal(exc.status, code, wait)
    if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError):
        return TeamsRefusal(0, type(exc).__name__)
    raise exc


def card_activity(c: Card) -> Activity:
    """A message carrying one card (text and a card in one activity would be split by Teams)."""
    attachment = Attachment(
        content_type="application/vnd.microsoft.card.adaptive", content=c.content
    )
    if c.text:
        return Activity(type="message", summary=c.text[:200], attachments=[attachment])
    return Activity(type="message", attachments=[attachment])


def stored_reference(context: TurnContext) -> dict[str, Any]:
    """What to store to write to this turn's conversation later."""
    return dict(Conversation.from_turn_context(context).store_item_to_json())


class Outbound:
    """Proactive calls through the SDK adapter (its auth, its connector client)."""

    def __init__(self, adapter: ChannelServiceAdapter) -> None:
        self.adapter = adapter

    async def _with(
        self,
        stored: dict[str, Any],
        work: Callable[[ConnectorClientBase, ConversationReference], Awaitable[T]],
    ) -> T:
        conv = Conversation.from_json_to_store_item(stored)
        box: dict[str, Any] = {}

        async def callback(ctx: TurnContext) -> None:
            try:
                conn = ctx.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
                assert conn is not None
                box["ok"] = await work(conn, conv.conversation_reference)
            except Exception as exc:  # handed back to the caller below
                box["err"] = exc

        await self.adapter.continue_conversation_with_claims(
            Conversation.identity_from_claims(conv.claims),
            conv.conversation_reference.get_continuation_activity(),
            callback,
        )
        if "err" in box:
            raise refusal(box["err"])
        return box["ok"]

    async def post(
        self, stored: dict[str, Any], cards: list[Card], *, conversation_id: str | None = None
    ) -> list[str]:
        """Post cards (one activity each) in the stored conversation (or another one reached
        through it); the new activities' ids."""

        async def work(conn: ConnectorClientBase, ref: ConversationReference) -> list[str]:
            target = conversation_id or ref.conversation.id
            ids = []
            for c in cards:
                resp = await conn.conversations.send_to_conversation(target, card_activity(c))
                ids.append(str(resp.id or ""))
            return ids

        return await self._with(stored, work)

    async def update(self, stored: dict[str, Any], activity_id: str, c: Card) -> None:
        """Replace a message the bot posted."""

        async def work(conn: ConnectorClientBase, ref: ConversationReference) -> None:
            body = card_activity(c)
            body.id = activity_id
            await conn.conversations.update_activity(ref.conversation.id, activity_id, body)

        await self._with(stored, work)

    async def open_personal(self, stored: dict[str, Any], user: str, tenant: str) -> dict[str, Any]:
        """Create (or find) the 1:1 chat with a person of the tenant, through any stored
        conversation of it; the new conversation's reference to store."""

        async def work(conn: ConnectorClientBase, ref: ConversationReference) -> dict[str, Any]:
            params = ConversationParameters(
                is_group=False,
                bot=ref.agent,
                members=[ChannelAccount(id=user)],
                tenant_id=tenant,
                channel_data={"tenant": {"id": tenant}},
            )
            created = await conn.conversations.create_conversation(params)
            conv = Conversation.from_json_to_store_item(stored)
            new_ref = conv.conversation_reference.model_copy(deep=True)
            new_ref.conversation.id = created.id
            new_ref.conversation.conversation_type = "personal"
            new_ref.user = ChannelAccount(id=user)
            new_ref.activity_id = None
            out = dict(stored)
            out["conversation_reference"] = new_ref.model_dump(
                by_alias=True, exclude_none=True, mode="json"
            )
            return out

        return await self._with(stored, work)
