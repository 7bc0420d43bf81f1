"""Bolt listeners: /pmo, buttons, modals, the message shortcut and App Home.

A listener acks, parses, makes one service call inside its own transaction, and renders.
Anything slow that the person need not wait for (notifying owners, refreshing App Home)
runs after the ack on a small thread pool.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import session_scope
from handlers.slack import identity, modals, render
from handlers.slack.errors import advice_for
from handlers.slack.ids import SNOOZE_CHOICES, ActionId, BlockId, CallbackId
from models import Person, SourceKind
from services.commands.execute import run_text
from services.commands.results import (
    ActionResult,
    CadenceResult,
    DeliverableResult,
    ProjectResult,
    StatusResult,
)
from services.core.access import Actor, actor_for
from services.core.dates import local_today
from services.core.errors import DomainError, InvalidInput, NotFound
from services.core.people import PersonDefaults
from services.core.views import ActionItemView
from services.outbox import inbound
from services.projects import register as projects
from services.status import cadence as status_cadence
from services.status import update as status
from services.work import action_items, deliverables
from services.workspace import home

log = logging.getLogger(__name__)
IDENTITY_TTL_SECONDS = 600
OOPS = "Something went wrong on my side and nothing was saved. Please try again."
NEW_ITEM_WORDS = {"new", "todo", "action new", "action add", "action", "add"}
NEW_DELIVERABLE_WORDS = {"deliverable new", "deliverable add"}


@dataclass
class SlackDeps:
    """What the Slack listeners need from the composition root."""

    sessions: sessionmaker[Session]
    defaults: PersonDefaults = field(default_factory=PersonDefaults)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="pmo-slack")
    )
    identities: dict[tuple[str, str], tuple[int, int, float]] = field(default_factory=dict)
    public_url: str = "http://localhost:3000"  # where calendar-feed links point
    notify_pace: float = 1.0  # seconds between posts to one channel when delivering at once
    _home_locks: dict[int, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def home_lock(self, person_id: int) -> threading.Lock:
        """One lock per person: Home refreshes run one at a time, the last reads the latest."""
        with self._guard:
            return self._home_locks.setdefault(person_id, threading.Lock())

    def defer(self, fn: Callable[..., None], *args: Any) -> None:
        """Run `fn` after the ack; failures are logged, never shown as tracebacks."""

        def guarded() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("background task %s failed", getattr(fn, "__name__", fn))

        self.background.submit(guarded)


# --- middleware --------------------------------------------------------------------------------


def dedupe_events(deps: SlackDeps) -> Callable[..., Any]:
    """Drop Slack's retries of an event already handled, keyed on (team_id, event_id)."""

    def middleware(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        if body.get("type") == "event_callback" and body.get("event_id"):
            team = str(body.get("team_id") or body.get("enterprise_id") or "")
            with session_scope(deps.sessions) as s:
                first = inbound.first_sight(
                    s,
                    platform="slack",
                    team_id=team,
                    event_id=str(body["event_id"]),
                    now=deps.clock(),
                )
            if not first:
                log.info("dropping repeated event %s", body["event_id"])
                return BoltResponse(status=200, body="")
        return next()

    return middleware


def identify(deps: SlackDeps, context: BoltContext, client: WebClient) -> None:
    """Put the caller's workspace and person ids into the Bolt context.

    Called by listeners after the ack, never on the ack path. A person seen in the last
    few minutes is taken from an in-process cache; `users.info` is asked at first sight and
    once a day after (see identity.ensure_person).
    """
    team_id, user_id = context.team_id or context.enterprise_id, context.user_id
    if not team_id or not user_id:
        raise NotFound("I couldn't work out who you are. Please try again.")
    key = (team_id, user_id)
    now = deps.clock()
    hit = deps.identities.get(key)
    if hit is not None and hit[2] > now.timestamp():
        context["pmo_workspace_id"], context["pmo_person_id"] = hit[0], hit[1]
        return
    with session_scope(deps.sessions) as s:
        ws_id = identity.ensure_workspace(s, team_id, now)
        person = identity.ensure_person(
            s, client, workspace_id=ws_id, user_id=user_id, now=now, defaults=deps.defaults
        )
        person_id = person.id
    deps.identities[key] = (ws_id, person_id, now.timestamp() + IDENTITY_TTL_SECONDS)
    context["pmo_workspace_id"], context["pmo_person_id"] = ws_id, person_id


def ack_now(ack: Ack) -> None:
    """Acknowledge at once; the work runs after the response, in a lazy listener."""
    ack()


def _actor(session: Session, context: BoltContext) -> Actor:
    person = session.get(Person, context["pmo_person_id"])
    if person is None:
        raise NotFound("I couldn't work out who you are. Please try again.")
    return actor_for(session, person)


# --- /pmo -------------------------------------------------------------------------------------


def register(app: App, deps: SlackDeps) -> None:
    """Attach every PMO Bot listener to a Bolt app."""
    app.middleware(dedupe_events(deps))

    # Ack first (no database, no Web API on that path); the work follows in a lazy listener.
    app.command("/pmo")(ack=ack_now, lazy=[_pmo_command(deps)])
    for action_id, kind in (
        (ActionId.ITEM_DONE, "done"),
        (ActionId.ITEM_REOPEN, "reopen"),
        (ActionId.ITEM_SNOOZE, "snooze"),
        (ActionId.ITEM_REASSIGN, "reassign"),
    ):
        app.action(action_id)(ack=ack_now, lazy=[_item_action(deps, kind)])
    app.action(ActionId.OPEN_NEW_ITEM)(ack=ack_now, lazy=[_open_new_item(deps)])
    app.action(ActionId.OPEN_NEW_PROJECT)(ack=ack_now, lazy=[_open_new_project(deps)])
    app.action(ActionId.OPEN_NEW_DELIVERABLE)(ack=ack_now, lazy=[_open_new_deliverable(deps)])
    app.action(ActionId.ITEM_EDIT)(ack=ack_now, lazy=[_open_edit_item(deps)])
    app.action(ActionId.SHOW_MINE)(ack=ack_now, lazy=[_show(deps, "action list mine")])
    app.action(ActionId.SHOW_OVERDUE)(ack=ack_now, lazy=[_show(deps, "action list overdue")])
    app.shortcut(CallbackId.CREATE_ITEM_SHORTCUT)(ack=ack_now, lazy=[_create_item_shortcut(deps)])
    app.event("app_home_opened")(ack=ack_now, lazy=[_home_opened(deps)])
    # Modal submissions answer with inline field errors, so they validate before the ack.
    app.view(CallbackId.NEW_ITEM_MODAL)(_guarded(_submit_new_item(deps)))
    app.view(CallbackId.NEW_PROJECT_MODAL)(_guarded(_submit_new_project(deps)))
    app.view(CallbackId.EDIT_ITEM_MODAL)(_guarded(_submit_edit_item(deps)))
    app.view(CallbackId.NEW_DELIVERABLE_MODAL)(_guarded(_submit_new_deliverable(deps)))
    app.action(ActionId.STATUS_OPEN)(ack=ack_now, lazy=[_open_status_from_button(deps)])
    app.action(ActionId.STATUS_SHOW)(ack=ack_now, lazy=[_show_status_from_button(deps)])
    app.view(CallbackId.STATUS_MODAL)(_guarded(_submit_status(deps)))
    app.action(ActionId.CADENCE_OPEN)(ack=ack_now, lazy=[_open_cadence_from_button(deps)])
    app.view(CallbackId.CADENCE_MODAL)(_guarded(_submit_cadence(deps)))
    from handlers.slack import minutes_listeners

    minutes_listeners.register(app, deps)


def _guarded(handler: Callable[..., None]) -> Callable[..., None]:
    """A modal submission that fails unexpectedly shows an inline error, saves nothing."""

    def handle_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        try:
            handler(ack=ack, view=view, context=context, client=client)
        except Exception:
            log.exception("modal %s failed", view.get("callback_id"))
            if ack.response is None:
                first = next(
                    (b["block_id"] for b in view.get("blocks", []) if "block_id" in b), None
                )
                if first:
                    ack(response_action="errors", errors={first: OOPS[:150]})
                else:
                    ack()

    return handle_submission


def _pmo_command(deps: SlackDeps) -> Callable[..., None]:
    def handle_pmo_command(
        command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        """Run one command of the shared language; reply through the response_url."""
        text = (command.get("text") or "").strip()

        def reply(msg: render.Message, public: bool = False) -> None:
            respond(
                response_type="in_channel" if public else "ephemeral",
                text=msg.text,
                blocks=msg.blocks,
            )

        try:
            identify(deps, context, client)
            if text.lower() in NEW_DELIVERABLE_WORDS:
                _open_deliverable_modal(
                    deps, client, context, command["trigger_id"], command.get("channel_id")
                )
                return
            if text.lower() in NEW_ITEM_WORDS - {"action"} or text.lower() == "project new":
                if text.lower() == "project new":
                    meta = {"channel": command.get("channel_id")}
                    client.views_open(
                        trigger_id=command["trigger_id"],
                        view=modals.new_project_modal(metadata=meta),
                    )
                else:
                    _open_item_modal(
                        deps, client, context, command["trigger_id"], command.get("channel_id")
                    )
                return
            now = deps.clock()
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                resolver = identity.mention_resolver(client, deps.defaults, now)
                result = run_text(
                    s, actor, text, now=now, resolve=resolver, channel=command.get("channel_id")
                )
        except DomainError as err:
            reply(render.error_message(err.message, err.hint))
            return
        except SlackApiError as exc:
            log.warning("/pmo: Slack said %s", exc.response.get("error"))
            reply(render.error_message(advice_for(exc), None))
            return
        except Exception:
            log.exception("/pmo %r failed", text[:200])
            respond(response_type="ephemeral", text=OOPS)
            return
        opens_modal = (isinstance(result, StatusResult) and result.event == "form") or (
            isinstance(result, CadenceResult) and not result.changed and result.cadence.can_edit
        )
        if opens_modal:
            try:
                if isinstance(result, CadenceResult):
                    client.views_open(
                        trigger_id=command["trigger_id"], view=modals.cadence_modal(result.cadence)
                    )
                elif isinstance(result, StatusResult):
                    _open_status_modal(deps, client, context, command["trigger_id"], result.key)
            except DomainError as err:
                reply(render.error_message(err.message, err.hint))
            except SlackApiError as exc:
                reply(render.error_message(advice_for(exc), None))
            return
        from handlers.slack import minutes_listeners

        if minutes_listeners.after_command(deps, client, context, command, result, reply):
            return
        msg = render.result_message(result)
        reply(msg, public=msg.public)
        if isinstance(result, ActionResult) and result.event != "shown":
            _after_item_change(
                deps, client, context["pmo_workspace_id"], result.item, context["pmo_person_id"]
            )

    return handle_pmo_command


# --- buttons on action items -------------------------------------------------------------------


def _item_id_from(body: dict[str, Any], kind: str) -> tuple[int, Any]:
    act = body["actions"][0]
    if kind == "snooze":
        raw = act["selected_option"]["value"]
        item_id, code = raw.split(":", 1)
        return int(item_id), SNOOZE_CHOICES[code][1]
    if kind == "reassign":
        return int(act["block_id"].removeprefix(BlockId.ITEM_PREFIX)), act["selected_user"]
    return int(act["value"]), None


def _item_action(deps: SlackDeps, kind: str) -> Callable[..., None]:
    def handle_item_action(
        body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        """Done / Snooze / Reassign / Reopen from a button; the message updates in place."""
        now = deps.clock()
        user_id = context.user_id
        try:
            identify(deps, context, client)
            item_id, arg = _item_id_from(body, kind)
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                if kind == "done":
                    item = action_items.complete(s, actor, item_id=item_id, now=now)
                    note = f"✅ Marked done by <@{user_id}>"
                elif kind == "reopen":
                    item = action_items.reopen(s, actor, item_id=item_id, now=now)
                    note = f"↩️ Reopened by <@{user_id}>"
                elif kind == "snooze":
                    until = local_today(now, actor.timezone) + timedelta(days=arg)
                    item = action_items.snooze(s, actor, item_id=item_id, until=until, now=now)
                    note = f"💤 Snoozed until {until:%a} {until.day} {until:%b} by <@{user_id}>"
                else:
                    owner = identity.ensure_person(
                        s,
                        client,
                        workspace_id=actor.workspace_id,
                        user_id=arg,
                        now=now,
                        defaults=deps.defaults,
                        strict=True,
                    )
                    item = action_items.assign(s, actor, item_id=item_id, owner=owner, now=now)
                    note = f"➡️ Reassigned to <@{arg}> by <@{user_id}>"
                today = local_today(now, actor.timezone)
        except (DomainError, KeyError, ValueError) as err:
            text = err.message if isinstance(err, DomainError) else "I couldn't read that button."
            hint = err.hint if isinstance(err, DomainError) else None
            _tell(body, client, respond, render.error_message(text, hint))
            return
        container = body.get("container") or {}
        if container.get("type") == "view":
            deps.defer(_publish_home, deps, client, context["pmo_person_id"], user_id)
        else:
            blocks = render.replace_item(
                (body.get("message") or {}).get("blocks") or [], item, today, note
            )
            respond(replace_original=True, text=render.item_fallback(item, note), blocks=blocks)
        deps.defer(
            _after_item_change,
            deps,
            client,
            context["pmo_workspace_id"],
            item,
            context["pmo_person_id"],
        )

    return handle_item_action


ButtonWork = Callable[[dict[str, Any], BoltContext, WebClient, Respond], None]


def button_listener(deps: SlackDeps, work: ButtonWork) -> Callable[..., None]:
    """A button's lazy listener: who clicked is resolved first, and any domain or Slack
    error reaches the person as advice, never as a traceback."""

    def handle_button(
        body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        try:
            identify(deps, context, client)
            work(body, context, client, respond)
        except DomainError as err:
            _tell(body, client, respond, render.error_message(err.message, err.hint))
        except SlackApiError as exc:
            _tell(body, client, respond, render.error_message(advice_for(exc), None))

    handle_button.__name__ = getattr(work, "__name__", "handle_button")
    return handle_button


def _tell(body: dict[str, Any], client: WebClient, respond: Respond, msg: render.Message) -> None:
    """Show an error to the person who clicked: in the message's thread-less ephemeral reply."""
    if body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=msg.text, blocks=msg.blocks)
    else:
        client.chat_postMessage(channel=body["user"]["id"], text=msg.text, blocks=msg.blocks)


def _show(deps: SlackDeps, command: str) -> Callable[..., None]:
    def handle_show(context: BoltContext, client: WebClient, respond: Respond) -> None:
        """The My items / Overdue buttons under help."""
        identify(deps, context, client)
        with session_scope(deps.sessions) as s:
            result = run_text(s, _actor(s, context), command, now=deps.clock())
        msg = render.result_message(result)
        respond(response_type="ephemeral", replace_original=False, text=msg.text, blocks=msg.blocks)

    return handle_show


# --- modals and the message shortcut -----------------------------------------------------------


def _open_item_modal(
    deps: SlackDeps,
    client: WebClient,
    context: BoltContext,
    trigger_id: str,
    channel: str | None,
    *,
    title: str = "",
    notes: str = "",
    source_ref: str | None = None,
) -> None:
    with session_scope(deps.sessions) as s:
        actor = _actor(s, context)
        visible = projects.list_projects(s, actor, now=deps.clock())
    view = modals.new_item_modal(
        projects=visible,
        title=title,
        notes=notes,
        owner_id=context.user_id,
        metadata={"channel": channel, "source_ref": source_ref},
    )
    client.views_open(trigger_id=trigger_id, view=view)


def _open_new_item(deps: SlackDeps) -> Callable[..., None]:
    def handle_open_new_item(
        body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        """The "New action item" button."""
        channel = (body.get("channel") or {}).get("id")
        try:
            identify(deps, context, client)
            _open_item_modal(deps, client, context, body["trigger_id"], channel)
        except SlackApiError as exc:
            _tell(body, client, respond, render.error_message(advice_for(exc), None))

    return handle_open_new_item


def _open_new_project(deps: SlackDeps) -> Callable[..., None]:
    def handle_open_new_project(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """The "New project" button."""
        channel = (body.get("channel") or {}).get("id")
        try:
            client.views_open(
                trigger_id=body["trigger_id"],
                view=modals.new_project_modal(metadata={"channel": channel}),
            )
        except SlackApiError as exc:
            _tell(body, client, respond, render.error_message(advice_for(exc), None))

    return handle_open_new_project


def _create_item_shortcut(deps: SlackDeps) -> Callable[..., None]:
    def handle_create_item_shortcut(
        shortcut: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Message shortcut: a new action item prefilled from the message, linked to it."""
        identify(deps, context, client)
        channel = (shortcut.get("channel") or {}).get("id")
        message = shortcut.get("message") or {}
        permalink = None
        try:
            permalink = client.chat_getPermalink(channel=str(channel), message_ts=message["ts"])[
                "permalink"
            ]
        except (SlackApiError, KeyError) as exc:
            log.warning("chat.getPermalink failed: %s", exc)
        text = message.get("text") or ""
        first_line = text.strip().splitlines()[0] if text.strip() else ""
        try:
            _open_item_modal(
                deps,
                client,
                context,
                shortcut["trigger_id"],
                channel,
                title=first_line[:300],
                notes=text[:3000],
                source_ref=permalink,
            )
        except SlackApiError as exc:
            client.chat_postEphemeral(
                channel=str(channel),
                user=str(context.user_id),
                text=render.error_message(advice_for(exc), None).text,
            )

    return handle_create_item_shortcut


def _submit_new_item(deps: SlackDeps) -> Callable[..., None]:
    def handle_new_item_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Validate the modal; show field errors inline, or create the item and close."""
        identify(deps, context, client)
        values = modals.field_values(view)
        meta = json.loads(view.get("private_metadata") or "{}")
        now = deps.clock()
        title = (values.get(BlockId.TITLE) or "").strip()
        errors: dict[str, str] = {}
        if not title:
            errors[BlockId.TITLE] = "Say what needs doing."
        elif len(title) > action_items.TITLE_LIMIT:
            errors[BlockId.TITLE] = f"Keep it under {action_items.TITLE_LIMIT} characters."
        due: date | None = None
        if values.get(BlockId.DUE):
            try:
                due = date.fromisoformat(values[BlockId.DUE])
            except ValueError:
                errors[BlockId.DUE] = "Pick a date from the calendar."
        if not values.get(BlockId.OWNER):
            errors[BlockId.OWNER] = "Pick who owns it."
        if errors:
            ack(response_action="errors", errors=errors)
            return
        source = meta.get("source_ref")
        try:
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                owner = _picked_person(
                    deps, s, client, actor, values[BlockId.OWNER], now, BlockId.OWNER
                )
                try:
                    item = action_items.add(
                        s,
                        actor,
                        title=title,
                        owner=owner,
                        project_key=values.get(BlockId.PROJECT),
                        due_on=due,
                        now=now,
                        notes=values.get(BlockId.NOTES) or "",
                        source_kind=SourceKind.MESSAGE if source else SourceKind.COMMAND,
                        source_ref=source,
                    )
                except InvalidInput as err:
                    field_id = BlockId.OWNER if "member" in err.message else BlockId.TITLE
                    raise _FieldError(field_id, err.message) from None
                except DomainError as err:
                    raise _FieldError(BlockId.PROJECT, f"{err.message} {err.hint or ''}") from None
        except _FieldError as fe:
            ack(response_action="errors", errors={fe.block_id: fe.message[:150]})
            return
        ack()
        deps.defer(_announce_new_item, deps, client, context, item, meta.get("channel"))

    return handle_new_item_submission


class _FieldError(Exception):
    def __init__(self, block_id: str, message: str) -> None:
        super().__init__(message)
        self.block_id, self.message = block_id, message


def _picked_person(
    deps: SlackDeps,
    session: Session,
    client: WebClient,
    actor: Actor,
    user_id: str | None,
    now: datetime,
    block_id: str,
) -> Person:
    """The person picked in a users_select, or a field error saying why they can't be."""
    if not user_id:
        raise _FieldError(block_id, "Pick a person.")
    try:
        return identity.ensure_person(
            session,
            client,
            workspace_id=actor.workspace_id,
            user_id=user_id,
            now=now,
            defaults=deps.defaults,
            strict=True,
        )
    except DomainError as err:
        raise _FieldError(block_id, err.message) from None


def _submit_new_project(deps: SlackDeps) -> Callable[..., None]:
    def handle_new_project_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Create a project from the modal, with inline errors for a bad or taken key."""
        identify(deps, context, client)
        values = modals.field_values(view)
        meta = json.loads(view.get("private_metadata") or "{}")
        now = deps.clock()
        try:
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                pm = None
                if values.get(BlockId.PM):
                    pm = _picked_person(deps, s, client, actor, values[BlockId.PM], now, BlockId.PM)
                try:
                    created = projects.create(
                        s,
                        actor,
                        key=values.get(BlockId.KEY) or "",
                        name=values.get(BlockId.NAME) or "",
                        pm=pm,
                        private="private" in (values.get(BlockId.PRIVATE) or []),
                        now=now,
                        home_channel=meta.get("channel"),
                    )
                except DomainError as err:
                    target: str = BlockId.NAME if "name" in err.message.lower() else BlockId.KEY
                    raise _FieldError(target, f"{err.message} {err.hint or ''}".strip()) from None
        except _FieldError as fe:
            ack(response_action="errors", errors={fe.block_id: fe.message[:150]})
            return
        ack()
        msg = render.result_message(
            ProjectResult(created, "created", local_today(now, "UTC"), public=not created.private)
        )
        user = str(context.user_id)
        where = meta.get("channel") if not created.private else user
        deps.defer(_post, client, where or user, msg, user)

    return handle_new_project_submission


def _open_deliverable_modal(
    deps: SlackDeps, client: WebClient, context: BoltContext, trigger_id: str, channel: str | None
) -> None:
    with session_scope(deps.sessions) as s:
        visible = projects.list_projects(s, _actor(s, context), now=deps.clock())
    if not visible:
        raise InvalidInput("There are no projects yet.", 'Create one: /pmo project new KEY "Name"')
    client.views_open(
        trigger_id=trigger_id,
        view=modals.new_deliverable_modal(projects=visible, metadata={"channel": channel}),
    )


def _open_new_deliverable(deps: SlackDeps) -> Callable[..., None]:
    def handle_open_new_deliverable(
        body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        """The "New deliverable" button."""
        channel = (body.get("channel") or {}).get("id")
        try:
            identify(deps, context, client)
            _open_deliverable_modal(deps, client, context, body["trigger_id"], channel)
        except DomainError as err:
            _tell(body, client, respond, render.error_message(err.message, err.hint))
        except SlackApiError as exc:
            _tell(body, client, respond, render.error_message(advice_for(exc), None))

    return handle_open_new_deliverable


def _open_edit_item(deps: SlackDeps) -> Callable[..., None]:
    def handle_open_edit_item(
        body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        """The Edit button on an item: the item modal, prefilled."""
        try:
            identify(deps, context, client)
            item_id = int(body["actions"][0]["value"])
            with session_scope(deps.sessions) as s:
                item = action_items.get(s, _actor(s, context), item_id=item_id)
            view = modals.new_item_modal(
                projects=[],
                item_id=item.id,
                title=item.title,
                owner_id=item.owner.external_id,
                due=item.due_on,
                notes=item.notes,
                metadata={"channel": (body.get("channel") or {}).get("id")},
            )
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except DomainError as err:
            _tell(body, client, respond, render.error_message(err.message, err.hint))
        except SlackApiError as exc:
            _tell(body, client, respond, render.error_message(advice_for(exc), None))

    return handle_open_edit_item


def _submit_edit_item(deps: SlackDeps) -> Callable[..., None]:
    def handle_edit_item_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Save an edited item; field errors inline, nothing saved on error."""
        identify(deps, context, client)
        values = modals.field_values(view)
        meta = json.loads(view.get("private_metadata") or "{}")
        now = deps.clock()
        due: date | None = None
        if values.get(BlockId.DUE):
            due = date.fromisoformat(values[BlockId.DUE])
        try:
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                owner = _picked_person(
                    deps, s, client, actor, values.get(BlockId.OWNER), now, BlockId.OWNER
                )
                try:
                    item = action_items.edit(
                        s,
                        actor,
                        item_id=int(meta["item_id"]),
                        title=values.get(BlockId.TITLE) or "",
                        due_on=due,
                        notes=values.get(BlockId.NOTES) or "",
                        owner=owner,
                        now=now,
                    )
                except InvalidInput as err:
                    target = BlockId.OWNER if "member" in err.message else BlockId.TITLE
                    raise _FieldError(target, err.message) from None
                except DomainError as err:
                    raise _FieldError(BlockId.TITLE, f"{err.message} {err.hint or ''}") from None
        except _FieldError as fe:
            ack(response_action="errors", errors={fe.block_id: fe.message[:150]})
            return
        ack()
        deps.defer(
            _after_item_change,
            deps,
            client,
            context["pmo_workspace_id"],
            item,
            context["pmo_person_id"],
        )

    return handle_edit_item_submission


def _submit_new_deliverable(deps: SlackDeps) -> Callable[..., None]:
    def handle_new_deliverable_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Create a deliverable; a missing right or a closed project shows on the field."""
        identify(deps, context, client)
        values = modals.field_values(view)
        meta = json.loads(view.get("private_metadata") or "{}")
        now = deps.clock()
        if not values.get(BlockId.DUE):
            ack(response_action="errors", errors={BlockId.DUE: "Pick the due date."})
            return
        try:
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                owner = None
                if values.get(BlockId.OWNER):
                    owner = _picked_person(
                        deps, s, client, actor, values[BlockId.OWNER], now, BlockId.OWNER
                    )
                try:
                    created = deliverables.add(
                        s,
                        actor,
                        key=values.get(BlockId.PROJECT) or "",
                        title=values.get(BlockId.TITLE) or "",
                        owner=owner,
                        due_on=date.fromisoformat(values[BlockId.DUE]),
                        now=now,
                    )
                except InvalidInput as err:
                    raise _FieldError(BlockId.TITLE, err.message) from None
                except DomainError as err:
                    raise _FieldError(BlockId.PROJECT, f"{err.message} {err.hint or ''}") from None
                today = local_today(now, actor.timezone)
        except _FieldError as fe:
            ack(response_action="errors", errors={fe.block_id: fe.message[:150]})
            return
        ack()
        shared = not created.project_private
        msg = render.result_message(DeliverableResult(created, "created", today, public=shared))
        user = str(context.user_id)
        # A private project's news goes to the person, never to a channel others can read.
        deps.defer(_post, client, (meta.get("channel") if shared else None) or user, msg, user)

    return handle_new_deliverable_submission


# --- after the ack ----------------------------------------------------------------------------


def _post(client: WebClient, channel: str, msg: render.Message, fallback_user: str | None) -> None:
    """Post a message; if the channel refuses, tell the person by DM why."""
    try:
        client.chat_postMessage(channel=channel, text=msg.text, blocks=msg.blocks)
    except SlackApiError as exc:
        if fallback_user is None or channel == fallback_user:
            raise
        note = render.error_message(f"I couldn't post in <#{channel}>.", advice_for(exc))
        client.chat_postMessage(
            channel=fallback_user,
            text=msg.text,
            blocks=[*note.blocks, *msg.blocks][: render.MESSAGE_BLOCKS],
        )


def _announce_new_item(
    deps: SlackDeps,
    client: WebClient,
    context: BoltContext,
    item: ActionItemView,
    channel: str | None,
) -> None:
    now = deps.clock()
    today = local_today(now, "UTC")
    creator = str(context.user_id)
    lead = f"📝 <@{creator}> added an action item for {render.who(item.owner)}"
    msg = render.item_message(item, today, lead, public=not item.project_private)
    # A private project's item is never posted in a channel others can read.
    _post(client, (channel if not item.project_private else None) or creator, msg, creator)
    if item.owner.external_id != creator:
        dm = render.item_message(item, today, f"📝 <@{creator}> gave you an action item")
        client.chat_postMessage(channel=item.owner.external_id, text=dm.text, blocks=dm.blocks)
    _after_item_change(deps, client, context["pmo_workspace_id"], item, context["pmo_person_id"])


def _after_item_change(
    deps: SlackDeps, client: WebClient, workspace_id: int, item: ActionItemView, actor_id: int
) -> None:
    """Refresh App Home for the people an item change affects."""
    for person_id, user_id in {(item.owner.id, item.owner.external_id)}:
        _publish_home(deps, client, person_id, user_id)


def _publish_home(deps: SlackDeps, client: WebClient, person_id: int, user_id: str) -> None:
    with deps.home_lock(person_id):
        with session_scope(deps.sessions) as s:
            person = s.get(Person, person_id)
            if person is None:
                return
            data = home.home(s, actor_for(s, person), now=deps.clock())
        client.views_publish(user_id=user_id, view=render.home_view(data))


def _home_opened(deps: SlackDeps) -> Callable[..., None]:
    def handle_app_home_opened(
        event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Publish the Home tab when someone opens it."""
        identify(deps, context, client)
        if event.get("tab", "home") != "home":
            return
        _publish_home(deps, client, context["pmo_person_id"], context.user_id or event["user"])

    return handle_app_home_opened


# --- status updates ----------------------------------------------------------------------------


def _open_status_modal(
    deps: SlackDeps, client: WebClient, context: BoltContext, trigger_id: str, key: str
) -> None:
    """The status form for `key`, prefilled from its last update."""
    with session_scope(deps.sessions) as s:
        project, last = status.prefill(s, _actor(s, context), key=key)
        key, name = project.key, project.name
    prefill = dataclasses.asdict(last) if last else None
    if prefill:
        for k, v in prefill.items():
            prefill[k] = getattr(v, "value", v)
    view = modals.status_modal(
        key=key, name=name, period_note="this week's update", prefill=prefill
    )
    client.views_open(trigger_id=trigger_id, view=view)


def _open_status_from_button(deps: SlackDeps) -> Callable[..., None]:
    def open_status(body: dict[str, Any], context: BoltContext, client: WebClient, _: Any) -> None:
        """The "Submit update" button on a nudge."""
        _open_status_modal(
            deps, client, context, body["trigger_id"], str(body["actions"][0]["value"])
        )

    return button_listener(deps, open_status)


def _show_status_from_button(deps: SlackDeps) -> Callable[..., None]:
    def handle_show_status(
        body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        try:
            identify(deps, context, client)
            key = str(body["actions"][0]["value"])
            with session_scope(deps.sessions) as s:
                result = run_text(s, _actor(s, context), f"status show {key}", now=deps.clock())
            _tell(body, client, respond, render.result_message(result))
        except DomainError as err:
            _tell(body, client, respond, render.error_message(err.message, err.hint))

    return handle_show_status


STATUS_FIELD_BLOCKS = {
    "summary": "st_summary",
    "highlights": "st_highlights",
    "blockers": "st_blockers",
    "asks": "st_asks",
    "next_steps": "st_next_steps",
    "percent": "st_percent",
}


def _submit_status(deps: SlackDeps) -> Callable[..., None]:
    def handle_status_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Record the update; any problem is shown on its field and nothing is saved."""
        identify(deps, context, client)
        values = modals.field_values(view)
        key = json.loads(view.get("private_metadata") or "{}").get("key", "")
        now = deps.clock()
        pct_text = (values.get("st_percent") or "").strip().rstrip("%")
        if pct_text and not pct_text.isdigit():
            ack(response_action="errors", errors={"st_percent": "A whole number from 0 to 100."})
            return
        if not values.get("st_overall"):
            ack(response_action="errors", errors={"st_overall": "Pick the overall status."})
            return
        rag = {
            d: status.parse_rag(values[f"st_{d}"]) if values.get(f"st_{d}") else None
            for d in ("schedule", "scope", "budget", "resources")
        }
        fields_ = status.UpdateFields(
            overall=status.parse_rag(values["st_overall"]),
            **rag,
            percent_complete=int(pct_text) if pct_text else None,
            summary=values.get("st_summary") or "",
            highlights=values.get("st_highlights") or "",
            blockers=values.get("st_blockers") or "",
            escalate=bool(values.get("st_escalate")),
            asks=values.get("st_asks") or "",
            next_steps=values.get("st_next_steps") or "",
        )
        try:
            with session_scope(deps.sessions) as s:
                upd, note = status.submit(s, _actor(s, context), key=key, fields_=fields_, now=now)
        except InvalidInput as err:
            target = next(
                (b for word, b in STATUS_FIELD_BLOCKS.items() if word in err.message.lower()),
                "st_overall",
            )
            if "escalate" in err.message.lower():
                target = "st_blockers"
            ack(response_action="errors", errors={target: err.message[:150]})
            return
        except DomainError as err:
            ack(
                response_action="errors",
                errors={"st_overall": f"{err.message} {err.hint or ''}"[:150]},
            )
            return
        ack()
        result = StatusResult(upd, "submitted" if upd.version == 1 else "edited", note)
        deps.defer(_post, client, context["user_id"], render.result_message(result), None)

    return handle_status_submission


# --- status round settings ---------------------------------------------------------------------


def _open_cadence_from_button(deps: SlackDeps) -> Callable[..., None]:
    def open_cadence(body: dict[str, Any], context: BoltContext, client: WebClient, _: Any) -> None:
        """The "Change…" button under a project's status-round settings."""
        key = str(body["actions"][0]["value"])
        with session_scope(deps.sessions) as s:
            cad = status_cadence.cadence(s, _actor(s, context), key=key, now=deps.clock())
        if not cad.can_edit:
            raise DomainError(f"Only {key}'s PM or a PMO lead can change its status round.")
        client.views_open(trigger_id=body["trigger_id"], view=modals.cadence_modal(cad))

    return button_listener(deps, open_cadence)


def _hhmm(value: str | None) -> time:
    hh, mm = (value or "").split(":")
    return time(int(hh), int(mm))


def _submit_cadence(deps: SlackDeps) -> Callable[..., None]:
    def handle_cadence_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Save the whole status round; a problem shows on its field and nothing is saved."""
        identify(deps, context, client)
        values = modals.field_values(view)
        key = json.loads(view.get("private_metadata") or "{}").get("key", "")
        now = deps.clock()
        rrule = (values.get("cd_rrule") or "").strip()
        if not rrule and not values.get("cd_days"):
            ack(response_action="errors", errors={"cd_days": "Pick at least one day."})
            return
        try:
            with session_scope(deps.sessions) as s:
                actor = _actor(s, context)
                reporter_ids = [
                    _picked_person(deps, s, client, actor, u, now, "cd_reporters").id
                    for u in values.get("cd_reporters") or []
                ]
                form = status_cadence.CadenceForm(
                    days=[int(d) for d in values.get("cd_days") or []],
                    at=_hhmm(values.get("cd_time") or "10:00"),
                    deadline_days=int(values.get("cd_deadline_days") or 1),
                    deadline_time=_hhmm(values.get("cd_deadline_time") or "12:00"),
                    reporter_ids=reporter_ids,
                    channel=values.get("cd_channel"),
                    active="on" in (values.get("cd_active") or []),
                    rrule=rrule or None,
                )
                cad = status_cadence.configure_cadence(s, actor, key=key, form=form, now=now)
        except _FieldError as err:
            ack(response_action="errors", errors={err.block_id: err.message[:150]})
            return
        except DomainError as err:
            words = err.message.lower()
            target = (
                "cd_rrule"
                if rrule and ("rule" in words or "never" in words or "often" in words)
                else "cd_deadline_days"
                if "deadline" in words
                else "cd_reporters"
                if "reporter" in words
                else "cd_channel"
                if "channel" in words
                else "cd_days"
            )
            ack(
                response_action="errors",
                errors={target: f"{err.message} {err.hint or ''}".strip()[:150]},
            )
            return
        ack()
        msg = render.result_message(CadenceResult(cad, changed=True))
        deps.defer(_post, client, context["user_id"], msg, None)

    return handle_cadence_submission
