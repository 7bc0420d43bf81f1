"""What every Teams turn needs: the composition root's dependencies, who is asking, and how
errors reach the person (advice, never a traceback)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from microsoft_agents.hosting.core import TurnContext
from sqlalchemy.orm import Session, sessionmaker

from handlers.chat.dispatch import Core, Turn
from handlers.chat.identity import IdentityCache, Known
from handlers.teams import identity
from handlers.teams.connector import Outbound, stored_reference
from services.core.people import PersonDefaults
from services.workspace import conversations

log = logging.getLogger(__name__)
OOPS = "Something went wrong on my side and nothing was saved. Please try again."


REFERENCE_TTL = 600.0
ROSTER_TTL = 86_400.0


def _now() -> datetime:
    return datetime.now(UTC)


def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmo-teams")  # in order


@dataclass
class TeamsDeps:
    """What the Teams handlers need from the composition root."""

    sessions: sessionmaker[Session]
    outbound: Outbound
    defaults: PersonDefaults = field(default_factory=PersonDefaults)
    clock: Callable[[], datetime] = _now
    identities: IdentityCache = field(default_factory=IdentityCache)
    public_url: str = "http://localhost:3000"
    background: ThreadPoolExecutor = field(default_factory=_pool)
    _seen: dict[str, tuple[str, float]] = field(default_factory=dict)  # conversation → (ref, when)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _roster: dict[tuple[str, str], float] = field(default_factory=dict)  # next lookup due

    @property
    def core(self) -> Core:
        return Core(self.sessions, self.clock)

    def defer(self, fn: Callable[..., None], *args: Any) -> None:
        """Run `fn` after the turn's answer (slow work: Teams gives up after 10-15 s);
        failures are logged, never shown as tracebacks."""

        def guarded() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("background task %s failed", getattr(fn, "__name__", fn))

        self.background.submit(guarded)

    def roster_due(self, tenant: str, user: str) -> bool:
        """The person's roster profile is due for a lookup (first sight, then daily)."""
        now = self.clock().timestamp()
        with self._guard:
            if self._roster.get((tenant, user), 0.0) > now:
                return False
            self._roster[(tenant, user)] = now + ROSTER_TTL
        return True

    def known_reference(self, conversation: str, reference: dict[str, Any], now: float) -> bool:
        """The reference was stored lately as it is (so it needs no database write now)."""
        key = json.dumps(reference, sort_keys=True)
        with self._guard:
            seen = self._seen.get(conversation)
            if seen is not None and seen[0] == key and now - seen[1] < REFERENCE_TTL:
                return True
            self._seen[conversation] = (key, now)
        return False


@dataclass(frozen=True)
class Here:
    """One turn: the raw activity, who acts and where."""

    raw: dict[str, Any]
    turn: Turn
    who: identity.Who
    conversation_id: str
    kind: str  # personal | channel | groupChat

    @property
    def personal(self) -> bool:
        return self.kind == "personal"


def conversation_kind(raw: dict[str, Any]) -> str:
    kind = str((raw.get("conversation") or {}).get("conversationType") or "personal")
    return kind if kind in ("personal", "channel", "groupChat") else "personal"


def identify(deps: TeamsDeps, context: TurnContext) -> Here:
    """The caller's workspace and person (cached a few minutes), the conversation stored so
    the bot can write to it later."""
    raw = context.activity.model_dump(by_alias=True, exclude_none=True, mode="json")
    who = identity.who_of(raw)
    now = deps.clock()
    kind = conversation_kind(raw)
    conv_id = str((raw.get("conversation") or {}).get("id") or "")
    reference = stored_reference(context)
    reference["_span_context"] = None
    reference["conversation_reference"].pop("activityId", None)  # the same for every message
    if kind == "channel":  # "19:…@thread.tacv2;messageid=…" is a thread: keep the channel
        conv_id = conv_id.split(";")[0]
        reference["conversation_reference"]["conversation"]["id"] = conv_id

    def load() -> Known:
        with deps.sessions.begin() as s:
            ws = identity.ensure_workspace(s, who.tenant, now)
            person = identity.ensure_person(
                s, who, workspace_id=ws, now=now, defaults=deps.defaults
            )
            return Known(ws, person.id)

    known = deps.identities.get(who.tenant, who.user, now=now.timestamp(), load=load)
    if not deps.known_reference(conv_id, reference, now.timestamp()):
        with deps.sessions.begin() as s:
            conversations.remember(
                s,
                workspace_id=known.workspace_id,
                conversation_id=conv_id,
                kind=kind,
                reference=reference,
                now=now,
                person_id=known.person_id if kind == "personal" else None,
            )
    people = identity.TeamsPeople(identity.mentioned_people(raw))
    turn = Turn(
        known.workspace_id, known.person_id, None if kind == "personal" else conv_id, people
    )
    return Here(raw, turn, who, conv_id, kind)
