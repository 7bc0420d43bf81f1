"""How every Slack listener runs: who is asking, errors as advice, work after the ack.

`lazy(...)` wraps the work of a command, button, shortcut or event (run after Bolt acked):
it resolves the person, runs the work, and turns a domain or Slack error into a message for
the person, never a traceback. `submission(...)` wraps a modal submission (answered with
inline field errors, so it validates before the ack) and runs what follows after the ack.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from handlers.chat.dispatch import Core, Turn
from handlers.chat.identity import IdentityCache, Known
from handlers.slack import identity
from handlers.slack.blocks import Message, error_message, notice
from handlers.slack.errors import advice_for
from services.core.errors import DomainError, NotFound
from services.core.people import PersonDefaults
from services.outbox.port import Notifier

log = logging.getLogger(__name__)
OOPS = "Something went wrong on my side and nothing was saved. Please try again."


def _now() -> datetime:
    return datetime.now(UTC)


def _as_is(notifier: Notifier) -> Notifier:
    return notifier


def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="pmo-slack")


@dataclass
class SlackDeps:
    """What the Slack listeners need from the composition root."""

    sessions: sessionmaker[Session]
    defaults: PersonDefaults = field(default_factory=PersonDefaults)
    clock: Callable[[], datetime] = _now
    background: ThreadPoolExecutor = field(default_factory=_pool)
    identities: IdentityCache = field(default_factory=IdentityCache)
    public_url: str = "http://localhost:3000"  # where calendar-feed links point
    notify_pace: float = 1.0  # seconds between posts to one channel when delivering at once
    # What the composition root wraps a notifier in when delivering at once (metrics).
    wrap_notifier: Callable[[Notifier], Notifier] = _as_is
    _home_locks: dict[int, threading.Lock] = field(default_factory=dict)
    _live_locks: dict[int, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    @property
    def core(self) -> Core:
        return Core(self.sessions, self.clock)

    def home_lock(self, person_id: int) -> threading.Lock:
        """One lock per person: Home refreshes run one at a time, the last reads the latest."""
        with self._guard:
            return self._home_locks.setdefault(person_id, threading.Lock())

    def live_lock(self, minutes_id: int) -> threading.Lock:
        """One lock per minutes: live-message updates run one at a time."""
        with self._guard:
            return self._live_locks.setdefault(minutes_id, threading.Lock())

    def defer(self, fn: Callable[..., None], *args: Any) -> None:
        """Run `fn` after the ack; failures are logged, never shown as tracebacks."""

        def guarded() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("background task %s failed", getattr(fn, "__name__", fn))

        self.background.submit(contextvars.copy_context().run, guarded)  # with its request id


@dataclass(frozen=True)
class Req:
    """One Slack request after the ack: who, where, and how to answer."""

    deps: SlackDeps
    client: WebClient
    context: BoltContext
    body: dict[str, Any]
    respond: Respond | None
    turn: Turn

    @property
    def user(self) -> str:
        return str(self.context.user_id or "")

    @property
    def channel(self) -> str | None:
        return self.turn.channel

    @property
    def trigger_id(self) -> str | None:
        return self.body.get("trigger_id")

    def tell(self, msg: Message) -> None:
        """Show the person a message only they see (ephemeral where Slack allows, else DM)."""
        tell(self.client, self.body, self.respond, msg)


def tell(client: WebClient, body: dict[str, Any], respond: Respond | None, msg: Message) -> None:
    """Answer only the person who asked: an ephemeral reply, or a DM without a response_url."""
    if respond is not None and body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=msg.text, blocks=msg.blocks)
    else:
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        client.chat_postMessage(channel=str(user), text=msg.text, blocks=msg.blocks)


def identify(deps: SlackDeps, context: BoltContext, client: WebClient) -> Known:
    """The caller's workspace and person ids (cached for a few minutes; `users.info` at first
    sight and once a day after, see identity.ensure_person)."""
    team_id, user_id = context.team_id or context.enterprise_id, context.user_id
    if not team_id or not user_id:
        raise NotFound("I couldn't work out who you are. Please try again.")
    now = deps.clock()

    def load() -> Known:
        with deps.sessions.begin() as s:
            ws_id = identity.ensure_workspace(s, team_id, now)
            person = identity.ensure_person(
                s, client, workspace_id=ws_id, user_id=user_id, now=now, defaults=deps.defaults
            )
            return Known(ws_id, person.id)

    known = deps.identities.get(team_id, user_id, now=now.timestamp(), load=load)
    context["pmo_workspace_id"], context["pmo_person_id"] = known.workspace_id, known.person_id
    return known


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel a request came from (a command's channel_id, an interaction's channel)."""
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    return str(channel) if channel else None


def request(
    deps: SlackDeps,
    client: WebClient,
    context: BoltContext,
    body: dict[str, Any],
    respond: Respond | None,
) -> Req:
    """Identify the caller and bundle what a listener needs."""
    known = identify(deps, context, client)
    people = identity.SlackPeople(client, deps.defaults, deps.clock())
    turn = Turn(known.workspace_id, known.person_id, channel_of(body), people)
    return Req(deps, client, context, body, respond, turn)


Work = Callable[[Req], None]


def lazy(deps: SlackDeps, work: Work) -> Callable[..., None]:
    """A lazy listener: the person is resolved first, and any domain or Slack error reaches
    them as advice, never as a traceback."""

    def listener(
        body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        try:
            work(request(deps, client, context, body, respond))
        except DomainError as err:
            tell(client, body, respond, error_message(err))
        except SlackApiError as exc:
            log.warning("Slack said %s", exc.response.get("error"))
            tell(client, body, respond, notice(advice_for(exc)))
        except Exception:
            log.exception("%s failed", getattr(work, "__name__", "a listener"))
            tell(client, body, respond, notice(OOPS))

    listener.__name__ = getattr(work, "__name__", "listener")
    return listener


def ack_now(ack: Ack) -> None:
    """Acknowledge at once; the work runs after the response, in a lazy listener."""
    ack()
