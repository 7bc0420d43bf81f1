"""Carry out an outcome in Teams: reply, post, DM, refresh "My work", deliver now.

Teams has no ephemeral messages: what only the caller may see goes to their personal chat
(or an invoke answer), never to a channel; a private project's news is never posted there.
"""

from __future__ import annotations

import logging
from typing import assert_never

import anyio.to_thread
from microsoft_agents.hosting.core import TurnContext

from handlers.chat.delivery import deliver_due
from handlers.chat.outcome import (
    Announce,
    DeliverNow,
    FollowUp,
    Notify,
    OpenForm,
    Outcome,
    RefreshHome,
    RefreshLive,
    Reply,
    SendFile,
)
from handlers.teams import adaptive, cards, forms, home
from handlers.teams.adaptive import Card
from handlers.teams.connector import TeamsRefusal, card_activity
from handlers.teams.ids import Dialog
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.runtime import Here, TeamsDeps
from services.commands.results import MinutesResult
from services.meetings import views
from services.workspace import conversations

log = logging.getLogger(__name__)


async def send_here(context: TurnContext, shown: list[Card]) -> list[str]:
    """Post cards in the turn's conversation; their ids."""
    ids = []
    for c in shown:
        resp = await context.send_activity(card_activity(c))
        ids.append(str(resp.id or "") if resp else "")
    return ids


async def to_person(
    deps: TeamsDeps, here: Here, person_id: int, user: str, shown: list[Card]
) -> None:
    """Post cards in a person's personal chat (opened by their Entra id if need be)."""

    def find() -> tuple[dict[str, object], str] | None:
        with deps.sessions() as s:
            row = conversations.personal(
                s, workspace_id=here.turn.workspace_id, person_id=person_id
            )
            return (dict(row.reference), row.conversation_id) if row else None

    found = await anyio.to_thread.run_sync(find)
    if found is None:
        with deps.sessions() as s:
            via = conversations.by_id(
                s, workspace_id=here.turn.workspace_id, conversation_id=here.conversation_id
            )
            through = dict(via.reference) if via else {}
        new = await deps.outbound.open_personal(through, user, here.who.tenant)
        conv_id = str(new["conversation_reference"]["conversation"]["id"])

        def keep() -> None:
            with deps.sessions.begin() as s:
                conversations.remember(
                    s,
                    workspace_id=here.turn.workspace_id,
                    conversation_id=conv_id,
                    kind="personal",
                    reference=new,
                    now=deps.clock(),
                    person_id=person_id,
                )

        await anyio.to_thread.run_sync(keep)
        found = (new, conv_id)
    await deps.outbound.post(found[0], shown, conversation_id=found[1])


async def to_me(deps: TeamsDeps, context: TurnContext, here: Here, shown: list[Card]) -> None:
    """Only the caller: here in their personal chat, else in it (with a pointer here)."""
    if here.personal:
        await send_here(context, shown)
        return
    await to_person(deps, here, here.turn.person_id, here.who.user, shown)


async def answer(deps: TeamsDeps, context: TurnContext, here: Here, outcome: Outcome) -> None:
    """Reply to a typed command and carry out what follows."""
    for request in outcome.forms():  # a message can't open a dialog: offer a button that does
        data = forms.request_data(request)
        button = cards.dialog_button(f"Open: {request.form.title}"[:40], Dialog.FORM, data)
        await to_me(deps, context, here, adaptive.text_cards(request.form.title, [button]))
    result = outcome.result
    if result is not None:
        shown = cards.render(result, public_url=deps.public_url)
        match outcome.reply:
            case Reply.CHANNEL:
                await send_here(context, shown)
            case Reply.PRIVATE | Reply.REPLACE:
                await to_me(deps, context, here, shown)
            case Reply.NONE:
                pass
            case _:
                assert_never(outcome.reply)
    await follow(deps, context, here, outcome)


async def follow(deps: TeamsDeps, context: TurnContext, here: Here, outcome: Outcome) -> None:
    """The follow-ups of an outcome (forms aside), each failure logged, never shown raw."""
    for f in outcome.follow_ups:
        try:
            await perform(deps, context, here, f)
        except TeamsRefusal as err:
            log.warning("Teams follow-up %s failed: %s", type(f).__name__, err)


async def perform(deps: TeamsDeps, context: TurnContext, here: Here, f: FollowUp) -> None:
    match f:
        case Announce(result, channel):
            shown = cards.render(result, public_url=deps.public_url)
            if channel is None:
                await to_me(deps, context, here, shown)
            elif channel == here.conversation_id:
                await send_here(context, shown)
            else:
                await post_in(deps, context, here, channel, shown)
        case Notify(person, result):
            if person.id == here.turn.person_id:
                await to_me(deps, context, here, cards.render(result))
            else:
                await to_person(deps, here, person.id, person.external_id, cards.render(result))
        case RefreshHome(person):
            await home.refresh(deps, here, person.id)
        case RefreshLive(minutes_id, post_in_channel):
            if post_in_channel:
                with deps.sessions() as s:
                    v = views.view(s, minutes_id)
                await send_here(context, cards.render(MinutesResult(v, "shown")))
        case DeliverNow(workspace_id):  # after the answer: Teams gives up after 10-15 s
            notifier = TeamsNotifier(deps.outbound, deps.sessions)
            deps.defer(deliver_now, deps, notifier, workspace_id)
        case SendFile(filename, title, content):
            text = content.decode(errors="replace") if filename.endswith((".md", ".txt")) else ""
            note = f"{title} ({filename}): files are not sent in Teams yet."
            await to_me(deps, context, here, adaptive.text_cards(f"{note}\n\n{text}".strip()))
        case OpenForm():
            pass  # opened by the caller (a dialog answer or a button)
        case _:
            assert_never(f)


def deliver_now(deps: TeamsDeps, notifier: TeamsNotifier, workspace_id: int) -> None:
    """Send what the outbox holds for the workspace now (final minutes, owners' notices)."""
    deliver_due(
        deps.sessions, notifier, now=deps.clock(), clock=deps.clock, workspace_id=workspace_id
    )


async def post_in(
    deps: TeamsDeps, context: TurnContext, here: Here, channel: str, shown: list[Card]
) -> None:
    """Post in another conversation the bot knows; if it can't, tell the person why."""
    with deps.sessions() as s:
        row = conversations.by_id(s, workspace_id=here.turn.workspace_id, conversation_id=channel)
        stored = dict(row.reference) if row else None
    try:
        if stored is None:
            raise TeamsRefusal(404, "ConversationNotFound")
        await deps.outbound.post(stored, shown, conversation_id=channel)
    except TeamsRefusal:
        note = cards.notice_card("I couldn't post in that channel (is PMO Bot added to it?).")
        await to_me(deps, context, here, [note, *shown])
