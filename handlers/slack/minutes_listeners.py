"""Slack listeners for minutes: the live message, the buttons on it and on agendas, the
"Add to minutes" message shortcut and the Minutes modal, and the follow-ups of `/pmo minutes`
and `/pmo ics` commands (live-message updates, delivery of the final minutes, export)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.db import session_scope
from handlers.slack import minutes as minutes_render
from handlers.slack import modals, render
from handlers.slack.errors import advice_for
from handlers.slack.ids import ActionId, CallbackId
from models import EntryKind, Person
from services.commands.results import (
    IcsResult,
    MeetingImportForm,
    MinutesExportResult,
    MinutesResult,
    Result,
)
from services.core.dates import local_today
from services.core.errors import DomainError, InvalidInput
from services.meetings import closing as minutes_closing
from services.meetings import minutes
from services.meetings import views as minutes_views

log = logging.getLogger(__name__)
_live_locks: dict[int, threading.Lock] = {}
_guard = threading.Lock()
NOTE_LINES = 100  # the Minutes modal takes up to this many notes (or decisions) at once


def _lock(minutes_id: int) -> threading.Lock:
    with _guard:
        return _live_locks.setdefault(minutes_id, threading.Lock())


def register(app: App, deps: Any) -> None:
    """Attach the minutes buttons, shortcut and modals."""
    from handlers.slack.listeners import ack_now

    app.action(ActionId.MINUTES_ADD)(ack=ack_now, lazy=[_open_minutes_modal(deps)])
    app.action(ActionId.MINUTES_END)(ack=ack_now, lazy=[_end_from_button(deps)])
    app.action(ActionId.MINUTES_START)(ack=ack_now, lazy=[_start_from_agenda(deps)])
    app.shortcut(CallbackId.ADD_TO_MINUTES_SHORTCUT)(ack=ack_now, lazy=[_add_shortcut(deps)])
    app.view(CallbackId.ADD_TO_MINUTES_MODAL)(_guarded(deps, _submit_add_to_minutes(deps)))
    app.view(CallbackId.MINUTES_MODAL)(_guarded(deps, _submit_minutes_modal(deps)))
    app.view(CallbackId.MEETING_IMPORT_MODAL)(_guarded(deps, _submit_meeting_import(deps)))


def _guarded(deps: Any, handler: Callable[..., None]) -> Callable[..., None]:
    from handlers.slack.listeners import _guarded as guarded

    return guarded(handler)


def _actor(session: Any, context: BoltContext) -> Any:
    from handlers.slack.listeners import _actor as actor

    return actor(session, context)


def _identify(deps: Any, context: BoltContext, client: WebClient) -> None:
    from handlers.slack.listeners import identify

    identify(deps, context, client)


# --- after a /pmo command ---------------------------------------------------------------------


def after_command(
    deps: Any,
    client: WebClient,
    context: BoltContext,
    command: dict[str, Any],
    result: Result,
    reply: Callable[[render.Message], None],
) -> bool:
    """Follow-ups of minutes/ics commands; True when the reply has been handled here."""
    channel = str(command.get("channel_id") or "")
    if isinstance(result, MinutesResult) and result.event != "shown":
        reply(render.result_message(result))
        if result.event == "started":
            deps.defer(_post_live, deps, client, result.minutes.id, channel, context["user_id"])
        else:
            deps.defer(refresh_live, deps, client, result.minutes.id)
        if result.event in ("ended", "amended"):
            deps.defer(deliver_now, deps, client, context["pmo_workspace_id"])
        return True
    if isinstance(result, MinutesExportResult):
        deps.defer(_send_export, client, context["user_id"], result, reply)
        return True
    if isinstance(result, MeetingImportForm):
        try:
            view = modals.meeting_import_modal(key=result.key, channel=channel)
            client.views_open(trigger_id=command["trigger_id"], view=view)
        except SlackApiError as exc:
            reply(render.error_message(advice_for(exc), None))
        return True
    if isinstance(result, IcsResult):
        reply(render.result_message(result, getattr(deps, "public_url", "")))
        return True
    return False


def _post_live(deps: Any, client: WebClient, minutes_id: int, channel: str, user: str) -> None:
    """Post the live minutes message in the channel and remember it."""
    with session_scope(deps.sessions) as s:
        v = minutes_views.view(s, minutes_id)
    msg = minutes_render.live_message(v, local_today(deps.clock(), v.timezone))
    try:
        resp = client.chat_postMessage(channel=channel, text=msg.text, blocks=msg.blocks)
    except SlackApiError as exc:
        note = render.error_message(
            "The minutes are open, but I couldn't post them in this channel.", advice_for(exc)
        )
        client.chat_postEphemeral(channel=channel, user=user, text=note.text, blocks=note.blocks)
        return
    with session_scope(deps.sessions) as s:
        minutes.set_live_ts(s, minutes_id, str(resp["ts"]))
    refresh_live(deps, client, minutes_id)  # anything added meanwhile


def refresh_live(deps: Any, client: WebClient, minutes_id: int) -> None:
    """Update the live message in place from the minutes as they stand (one at a time)."""
    with _lock(minutes_id):
        with session_scope(deps.sessions) as s:
            v = minutes_views.view(s, minutes_id)
        if not v.live_ts:
            return
        msg = minutes_render.live_message(v, local_today(deps.clock(), v.timezone))
        try:
            client.chat_update(channel=v.channel, ts=v.live_ts, text=msg.text, blocks=msg.blocks)
        except SlackApiError as exc:
            log.warning("live minutes %s not updated: %s", minutes_id, exc.response.get("error"))


def deliver_now(deps: Any, client: WebClient, workspace_id: int) -> None:
    """Send what the outbox holds for this workspace now (final minutes, owners' DMs)."""
    from bot import jobs
    from handlers.slack.notifier import SlackNotifier

    notifier = SlackNotifier(lambda team: client, pace=getattr(deps, "notify_pace", 1.0))
    jobs.deliver_due(
        deps.sessions, notifier, now=deps.clock(), clock=deps.clock, workspace_id=workspace_id
    )


def _send_export(
    client: WebClient,
    user: str,
    result: MinutesExportResult,
    reply: Callable[[render.Message], None],
) -> None:
    try:
        dm = client.conversations_open(users=user)["channel"]["id"]
        client.files_upload_v2(
            channel=dm,
            content=result.markdown.encode(),
            filename=result.filename,
            title=f"Minutes #{result.minutes.id}: {result.minutes.title}"[:250],
            initial_comment=f"Minutes #{result.minutes.id} as Markdown.",
        )
    except SlackApiError as exc:
        reply(render.error_message("I couldn't send you the file.", advice_for(exc)))
        return
    reply(
        render.Message(
            f"Sent you {result.filename} in a DM.",
            [render.section(f"📄 Sent you `{result.filename}` in a DM.")],
        )
    )


# --- buttons -----------------------------------------------------------------------------------


def _end_from_button(deps: Any) -> Callable[..., None]:
    def end_minutes(body: dict[str, Any], context: BoltContext, client: WebClient, _: Any) -> None:
        """The "End minutes" button on the live message (it ends those minutes only)."""
        channel = str((body.get("channel") or {}).get("id") or "")
        mid = int(body["actions"][0]["value"])
        with session_scope(deps.sessions) as s:
            v = minutes_closing.end(
                s, _actor(s, context), channel=channel, now=deps.clock(), minutes_id=mid
            )
        refresh_live(deps, client, v.id)
        deliver_now(deps, client, context["pmo_workspace_id"])

    return _button(deps, end_minutes)


def _start_from_agenda(deps: Any) -> Callable[..., None]:
    def start_minutes(
        body: dict[str, Any], context: BoltContext, client: WebClient, _: Any
    ) -> None:
        """The "Start minutes" button on a meeting's agenda."""
        channel = str((body.get("channel") or {}).get("id") or "")
        occ = int(body["actions"][0]["value"])
        with session_scope(deps.sessions) as s:
            v = minutes.start(
                s, _actor(s, context), channel=channel, now=deps.clock(), occurrence_id=occ
            )
        _post_live(deps, client, v.id, channel, context["user_id"])

    return _button(deps, start_minutes)


def _open_minutes_modal(deps: Any) -> Callable[..., None]:
    def open_minutes_modal(
        body: dict[str, Any], context: BoltContext, client: WebClient, _: Any
    ) -> None:
        """The "Add…" button: a modal to add attendees, notes, decisions and an action."""
        mid = int(body["actions"][0]["value"])
        with session_scope(deps.sessions) as s:
            v = minutes.get(s, _actor(s, context), minutes_id=mid)
        if not v.open:
            raise InvalidInput(
                f"Minutes #{v.id} are closed.", f"Amend them: `/pmo minutes amend {v.id} note …`."
            )
        client.views_open(trigger_id=body["trigger_id"], view=modals.minutes_modal(v))

    return _button(deps, open_minutes_modal)


def _button(deps: Any, work: Callable[..., None]) -> Callable[..., None]:
    from handlers.slack.listeners import button_listener

    return button_listener(deps, work)


# --- the "Add to minutes" shortcut -------------------------------------------------------------


def _add_shortcut(deps: Any) -> Callable[..., None]:
    def handle_add_to_minutes(
        shortcut: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Message shortcut: add the message to the minutes open in its channel."""
        _identify(deps, context, client)
        channel = str((shortcut.get("channel") or {}).get("id") or "")
        message = shortcut.get("message") or {}
        try:
            with session_scope(deps.sessions) as s:
                m = minutes.open_in(s, _actor(s, context), channel)
                mid, title = m.id, m.title
        except DomainError as err:
            msg = render.error_message(err.message, err.hint)
            client.chat_postEphemeral(
                channel=channel, user=str(context.user_id), text=msg.text, blocks=msg.blocks
            )
            return
        permalink = None
        try:
            permalink = client.chat_getPermalink(channel=channel, message_ts=message["ts"])[
                "permalink"
            ]
        except (SlackApiError, KeyError) as exc:
            log.warning("chat.getPermalink failed: %s", exc)
        view = modals.add_to_minutes_modal(
            minutes_id=mid,
            title=title,
            text=(message.get("text") or "")[:3000],
            author=message.get("user"),
            source_ref=permalink,
        )
        try:
            client.views_open(trigger_id=shortcut["trigger_id"], view=view)
        except SlackApiError as exc:
            client.chat_postEphemeral(
                channel=channel,
                user=str(context.user_id),
                text=render.error_message(advice_for(exc), None).text,
            )

    return handle_add_to_minutes


def _person(
    deps: Any, s: Any, client: WebClient, context: BoltContext, user_id: str, block_id: str
) -> Person:
    from handlers.slack.listeners import _picked_person

    return _picked_person(deps, s, client, _actor(s, context), user_id, deps.clock(), block_id)


def _submit_add_to_minutes(deps: Any) -> Callable[..., None]:
    def handle_add_to_minutes_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Add the message as a note, a decision or an action item; errors inline."""
        from handlers.slack.listeners import _FieldError

        _identify(deps, context, client)
        values = modals.field_values(view)
        meta = json.loads(view.get("private_metadata") or "{}")
        kind = values.get("am_kind") or "note"
        text = (values.get("am_text") or "").strip()
        if not text:
            ack(response_action="errors", errors={"am_text": "Write what to add."})
            return
        if kind == "action" and not values.get("am_owner"):
            ack(response_action="errors", errors={"am_owner": "An action item needs an owner."})
            return
        now = deps.clock()
        try:
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                if kind == "action":
                    owner = _person(deps, s, client, context, values["am_owner"], "am_owner")
                    due = date.fromisoformat(values["am_due"]) if values.get("am_due") else None
                    v, _ = minutes.add_action(
                        s,
                        actor,
                        channel="",
                        owner=owner,
                        text=text,
                        due_on=due,
                        now=now,
                        minutes_id=int(meta["minutes"]),
                        source_ref=meta.get("source_ref"),
                    )
                else:
                    v = minutes.add_entry(
                        s,
                        actor,
                        channel="",
                        kind=EntryKind(kind),
                        text=text,
                        now=now,
                        minutes_id=int(meta["minutes"]),
                        source_ref=meta.get("source_ref"),
                    )
        except _FieldError as err:
            ack(response_action="errors", errors={err.block_id: err.message[:150]})
            return
        except DomainError as err:
            target = "am_owner" if "@" in err.message else "am_text"
            ack(
                response_action="errors",
                errors={target: f"{err.message} {err.hint or ''}".strip()[:150]},
            )
            return
        ack()
        deps.defer(refresh_live, deps, client, v.id)

    return handle_add_to_minutes_submission


def _submit_minutes_modal(deps: Any) -> Callable[..., None]:
    def handle_minutes_modal_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Add everything in the Minutes modal at once: all of it, or nothing and errors."""
        from handlers.slack.listeners import _FieldError

        _identify(deps, context, client)
        values = modals.field_values(view)
        mid = int(json.loads(view.get("private_metadata") or "{}").get("minutes", 0))
        notes = [ln.strip() for ln in (values.get("mm_notes") or "").splitlines() if ln.strip()]
        decisions = [
            ln.strip() for ln in (values.get("mm_decisions") or "").splitlines() if ln.strip()
        ]
        action = (values.get("mm_action") or "").strip()
        for block, lines in (("mm_notes", notes), ("mm_decisions", decisions)):
            if len(lines) > NOTE_LINES:
                ack(response_action="errors", errors={block: f"At most {NOTE_LINES} at once."})
                return
        if action and not values.get("mm_owner"):
            ack(response_action="errors", errors={"mm_owner": "The action item needs an owner."})
            return
        now = deps.clock()
        try:
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                for block, present in (("mm_attendees", True), ("mm_absent", False)):
                    people = [
                        _person(deps, s, client, context, u, block) for u in values.get(block) or []
                    ]
                    if people:
                        minutes.set_attendance(
                            s,
                            actor,
                            channel="",
                            people=people,
                            present=present,
                            now=now,
                            minutes_id=mid,
                        )
                for block, kind, lines in (
                    ("mm_notes", EntryKind.NOTE, notes),
                    ("mm_decisions", EntryKind.DECISION, decisions),
                ):
                    for line in lines:
                        try:
                            minutes.add_entry(
                                s, actor, channel="", kind=kind, text=line, now=now, minutes_id=mid
                            )
                        except InvalidInput as err:
                            raise _FieldError(block, err.message) from None
                if action:
                    owner = _person(deps, s, client, context, values["mm_owner"], "mm_owner")
                    due = date.fromisoformat(values["mm_due"]) if values.get("mm_due") else None
                    try:
                        minutes.add_action(
                            s,
                            actor,
                            channel="",
                            owner=owner,
                            text=action,
                            due_on=due,
                            now=now,
                            minutes_id=mid,
                        )
                    except InvalidInput as err:
                        raise _FieldError("mm_action", err.message) from None
        except _FieldError as err:
            ack(response_action="errors", errors={err.block_id: err.message[:150]})
            return
        except DomainError as err:
            ack(
                response_action="errors",
                errors={"mm_notes": f"{err.message} {err.hint or ''}".strip()[:150]},
            )
            return
        ack()
        deps.defer(refresh_live, deps, client, mid)

    return handle_minutes_modal_submission


# --- meeting import ----------------------------------------------------------------------------

MAX_ICS_BYTES = 2_000_000


def _download(client: WebClient, url: str) -> bytes:
    """A file someone uploaded to Slack (url_private needs the bot token)."""
    import urllib.parse
    import urllib.request

    host = urllib.parse.urlparse(url).hostname or ""
    ours = urllib.parse.urlparse(client.base_url).hostname or ""
    if host not in ("files.slack.com", ours):  # the bot token goes to Slack only
        raise InvalidInput("That file is not stored in Slack.", "Upload the .ics file itself.")
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        data: bytes = resp.read(MAX_ICS_BYTES + 1)
    if len(data) > MAX_ICS_BYTES:
        raise InvalidInput("That calendar file is over 2 MB.", "Export a single calendar.")
    return data


def _submit_meeting_import(deps: Any) -> Callable[..., None]:
    def handle_meeting_import_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Import the uploaded .ics: every series or none, problems shown on the file field."""
        from services.meetings import series as meetings

        _identify(deps, context, client)
        values = modals.field_values(view)
        key = json.loads(view.get("private_metadata") or "{}").get("key", "")
        files = values.get("mi_file") or []
        if not files:
            ack(response_action="errors", errors={"mi_file": "Attach the .ics file."})
            return
        url = files[0].get("url_private_download") or files[0].get("url_private") or ""
        try:
            data = _download(client, url)
            with session_scope(deps.sessions) as s:
                views = meetings.import_ics(
                    s,
                    _actor(s, context),
                    key=key,
                    data=data,
                    now=deps.clock(),
                    channel=values.get("mi_channel"),
                )
        except DomainError as err:
            ack(
                response_action="errors",
                errors={"mi_file": f"{err.message} {err.hint or ''}".strip()[:150]},
            )
            return
        except OSError as exc:
            log.warning("ics download failed: %s", exc)
            ack(
                response_action="errors",
                errors={"mi_file": "I couldn't read that file from Slack; upload it again."},
            )
            return
        ack()
        from services.commands.results import MeetingListResult

        listing = render.result_message(MeetingListResult(views, key)).blocks
        lead = render.section(f"📅 Imported {len(views)} meeting series into `{key}`.")
        done = render.Message(f"Imported {len(views)} meeting series into {key}.", [lead, *listing])
        from handlers.slack.listeners import _post

        deps.defer(_post, client, context["user_id"], done, None)

    return handle_meeting_import_submission
