"""Carry out an outcome in Slack: reply, open forms, post, DM, refresh Home and live minutes.

This is the only place that maps the chat edge's follow-ups to Web API calls. Slow follow-ups
run after the ack; a channel that refuses a post falls back to the person's DM, saying why.
"""

from __future__ import annotations

import contextlib
import logging
from typing import assert_never

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

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
from handlers.slack import forms, results
from handlers.slack.blocks import MESSAGE_BLOCKS, Message, error_message
from handlers.slack.errors import CHANNEL_REFUSALS, advice_for, slack_error_code
from handlers.slack.meetings.render import live_message
from handlers.slack.notifier import SlackNotifier
from handlers.slack.raid.render import replace_entry
from handlers.slack.runtime import Req, SlackDeps
from handlers.slack.work.render import replace_item
from handlers.slack.workspace.home import home_view
from models import Person
from services.commands.results import ActionResult, RaidEntryResult, RaidOfferResult
from services.core.access import actor_for
from services.core.dates import local_today
from services.core.errors import DomainError
from services.core.refs import ChannelRef, phrase
from services.meetings import minutes, views
from services.workspace import home

log = logging.getLogger(__name__)


def answer(req: Req, outcome: Outcome) -> None:
    """Reply to a command, click or shortcut and carry out what follows."""
    for request in outcome.forms():  # first: a trigger_id lives 3 seconds
        if not req.trigger_id:
            raise DomainError("That form can't be opened from here.")
        req.client.views_open(trigger_id=req.trigger_id, view=forms.modal(request))
    reply(req, outcome)
    for f in outcome.follow_ups:
        if isinstance(f, SendFile):
            send_file(req, f, outcome)
        elif not isinstance(f, OpenForm):
            req.deps.defer(perform, req.deps, req.client, req.user, f)


def reply(req: Req, outcome: Outcome) -> None:
    """Show the result: only to the person, to the channel, or in place of the clicked message."""
    result = outcome.result
    if result is None or outcome.reply == Reply.NONE:
        return
    msg = results.message(result, public_url=req.deps.public_url)
    match outcome.reply:
        case Reply.REPLACE if isinstance(result, ActionResult):
            container = req.body.get("container") or {}
            if container.get("type") == "view":  # a click on App Home: refresh it
                me = result.by or result.item.owner
                req.deps.defer(publish_home, req.deps, req.client, me.id, req.user)
            elif req.respond is not None:
                blocks = (req.body.get("message") or {}).get("blocks") or []
                clicked = str((req.body.get("actions") or [{}])[0].get("block_id") or "")
                new = replace_item(blocks, result, clicked)
                req.respond(replace_original=True, text=new.text, blocks=new.blocks)
        case Reply.REPLACE if isinstance(result, RaidEntryResult | RaidOfferResult):
            container = req.body.get("container") or {}
            if container.get("type") == "view":  # a click on App Home: refresh it
                person = req.turn.person_id
                req.deps.defer(publish_home, req.deps, req.client, person, req.user)
            elif req.respond is not None:
                blocks = (req.body.get("message") or {}).get("blocks") or []
                clicked = str((req.body.get("actions") or [{}])[0].get("block_id") or "")
                new = replace_entry(blocks, clicked, result)
                req.respond(replace_original=True, text=new.text, blocks=new.blocks)
        case Reply.CHANNEL if req.respond is not None:
            req.respond(response_type="in_channel", text=msg.text, blocks=msg.blocks)
        case Reply.PRIVATE | Reply.CHANNEL | Reply.REPLACE:
            req.tell(msg)
        case Reply.NONE:
            return
        case _:
            assert_never(outcome.reply)


def perform(deps: SlackDeps, client: WebClient, user: str, f: FollowUp) -> None:
    """One follow-up, after the ack."""
    match f:
        case Announce(result, channel):
            msg = results.message(result, public_url=deps.public_url)
            post(client, channel or user, msg, fallback_user=user)
        case Notify(person, result):
            msg = results.message(result, public_url=deps.public_url)
            client.chat_postMessage(channel=person.external_id, text=msg.text, blocks=msg.blocks)
        case RefreshHome(person):
            publish_home(deps, client, person.id, person.external_id)
        case RefreshLive(minutes_id, None):
            refresh_live(deps, client, minutes_id)
        case RefreshLive(minutes_id, channel):
            post_live(deps, client, minutes_id, str(channel), user)
        case DeliverNow(workspace_id):
            notifier = deps.wrap_notifier(
                SlackNotifier(lambda _team: client, pace=deps.notify_pace)
            )
            now = deps.clock()
            deliver_due(
                deps.sessions, notifier, now=now, clock=deps.clock, workspace_id=workspace_id
            )
        case OpenForm() | SendFile():
            log.warning("follow-up %s needs the request; skipped", type(f).__name__)
        case _:
            assert_never(f)


def follow(deps: SlackDeps, client: WebClient, user: str, outcome: Outcome) -> None:
    """Carry out a form submission's follow-ups, after its ack."""
    for f in outcome.follow_ups:
        deps.defer(perform, deps, client, user, f)


def post(client: WebClient, channel: str, msg: Message, *, fallback_user: str | None) -> None:
    """Post a message; if the channel refuses, tell the person by DM why."""
    try:
        client.chat_postMessage(channel=channel, text=msg.text, blocks=msg.blocks)
    except SlackApiError as exc:
        if fallback_user is None or channel == fallback_user:
            raise
        why = phrase("I couldn't post in ", ChannelRef(channel), ".")
        note = error_message(DomainError(why, advice_for(exc)))
        blocks = [*note.blocks, *msg.blocks][:MESSAGE_BLOCKS]
        client.chat_postMessage(channel=fallback_user, text=msg.text, blocks=blocks)


def send_file(req: Req, f: SendFile, outcome: Outcome) -> None:
    """Upload a file to the person's DM, then say so (or why not)."""
    try:
        dm = req.client.conversations_open(users=req.user)["channel"]["id"]
        req.client.files_upload_v2(
            channel=dm,
            content=f.content,
            filename=f.filename,
            title=f.title,
            initial_comment=f"{f.title} ({f.filename}).",
        )
    except SlackApiError as exc:
        req.tell(error_message(DomainError("I couldn't send you the file.", advice_for(exc))))
        return
    if outcome.result is not None:
        req.tell(results.message(outcome.result, public_url=req.deps.public_url))


def publish_home(deps: SlackDeps, client: WebClient, person_id: int, user_id: str) -> None:
    """Publish a person's Home tab from what they hold now (one refresh at a time)."""
    with deps.home_lock(person_id):
        with deps.sessions() as s:
            person = s.get(Person, person_id)
            if person is None:
                return
            data = home.home(s, actor_for(s, person), now=deps.clock())
        client.views_publish(user_id=user_id, view=home_view(data))


def post_live(deps: SlackDeps, client: WebClient, minutes_id: int, channel: str, user: str) -> None:
    """Post the live minutes message in the channel and remember it."""
    with deps.sessions() as s:
        v = views.view(s, minutes_id)
    msg = live_message(v, local_today(deps.clock(), v.timezone))
    try:
        resp = client.chat_postMessage(channel=channel, text=msg.text, blocks=msg.blocks)
    except SlackApiError as exc:
        why = "The minutes are open, but I couldn't post them in this channel."
        note = error_message(DomainError(why, advice_for(exc)))
        if slack_error_code(exc) not in CHANNEL_REFUSALS:
            with contextlib.suppress(SlackApiError):  # else, or if this fails too: by DM
                client.chat_postEphemeral(
                    channel=channel, user=user, text=note.text, blocks=note.blocks
                )
                return
        client.chat_postMessage(channel=user, text=note.text, blocks=note.blocks)
        return
    with deps.sessions.begin() as s:
        minutes.set_live_ts(s, minutes_id, str(resp["ts"]))
    refresh_live(deps, client, minutes_id)  # anything added meanwhile


def refresh_live(deps: SlackDeps, client: WebClient, minutes_id: int) -> None:
    """Update the live message in place from the minutes as they stand (one at a time)."""
    with deps.live_lock(minutes_id):
        with deps.sessions() as s:
            v = views.view(s, minutes_id)
        if not v.live_ts:
            return
        msg = live_message(v, local_today(deps.clock(), v.timezone))
        try:
            client.chat_update(channel=v.channel, ts=v.live_ts, text=msg.text, blocks=msg.blocks)
        except SlackApiError as exc:
            log.warning("live minutes %s not updated: %s", minutes_id, exc.response.get("error"))
