"""The Teams side of the Notifier port: reminders, digests, nudges, reports and final
minutes as Adaptive Cards in a person's personal chat or a channel, through stored
conversation references (a person never talked to gets a new 1:1 chat by their Entra id).

Teams' per-conversation limits (7 in 1 s, 8 in 2 s, 60 in 30 s) are kept by waiting; 429,
412 and 5xx answers are retried with backoff honouring Retry-After; blocked, uninstalled,
not-in-roster and not-found conversations fail for good with a readable reason.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers.chat import notices
from handlers.console.notifier import bundle_text
from handlers.teams.adaptive import Card, text_cards
from handlers.teams.cards import dialog_button, notice_actions
from handlers.teams.connector import Outbound, TeamsRefusal
from handlers.teams.ids import Dialog
from handlers.teams.minutes import minutes_cards
from handlers.teams.report import report_cards
from services.meetings.outbox import FinalMinutes
from services.outbox.kinds import DigestKind
from services.outbox.port import Bundle, DeliveryError
from services.status import charts
from services.status.report import Report
from services.workspace import conversations

LIMITS = ((1.0, 7), (2.0, 8), (30.0, 60))  # (seconds, sends) per conversation
TRIES = 4
PERMANENT = {
    "ConversationBlockedByUser": "the person blocked PMO Bot",
    "BotNotInConversationRoster": "PMO Bot is not installed for them (or was removed)",
    "BotDisabledByAdmin": "an admin disabled PMO Bot",
    "MessageWritesBlocked": "the person blocked or uninstalled PMO Bot",
    "ConversationNotFound": "the conversation no longer exists",
    "MessageSizeTooBig": "the message is too big for Teams",
}
ASKS = {DigestKind.STATUS_NUDGE, DigestKind.STATUS_MISSING}  # they get a Submit update button
BY_STATUS = {  # when Teams' answer carries no code (the SDK drops it on create_conversation)
    403: "the person blocked PMO Bot, it is not installed for them, or an admin disabled it",
    404: "the conversation or person no longer exists",
    413: "the message is too big for Teams",
}


class Pacer:
    """Waits so that no conversation gets more than Teams allows in any window."""

    def __init__(
        self,
        limits: tuple[tuple[float, int], ...] = LIMITS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits, self.clock, self.sleep = limits, clock, sleep
        self.sent: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def wait_turn(self, conversation: str) -> None:
        """Block until one more send to `conversation` is within every limit, and count it."""
        longest = max(w for w, _ in self.limits)
        while True:
            with self.lock:
                now = self.clock()
                times = self.sent.setdefault(conversation, deque())
                while times and now - times[0] >= longest:
                    times.popleft()
                wait = 0.0
                for window, most in self.limits:
                    recent = [t for t in times if now - t < window]
                    if len(recent) >= most:
                        wait = max(wait, recent[-most] + window - now)
                if wait <= 0:
                    times.append(now)
                    return
            self.sleep(wait)


def reason_for(err: TeamsRefusal) -> str:
    """A readable reason for a refusal."""
    known = PERMANENT.get(err.code) or BY_STATUS.get(err.status)
    if known:
        return f"Teams refused: {known} ({err.code or err.status})"
    return f"Teams refused: {err}"


def permanent(err: TeamsRefusal) -> bool:
    return err.code in PERMANENT or err.status in (400, 401, 403, 404, 413)


def bundle_cards(bundle: Bundle) -> list[Card]:
    """A bundle as cards: the words every channel shares, a Submit update button on a nudge;
    final minutes as their card."""
    if isinstance(bundle.attachment, FinalMinutes):
        return minutes_cards(bundle.attachment.minutes)
    lines = bundle_text(bundle).splitlines()
    to = bundle.recipient_external_id
    head = f"To {to if bundle.to_channel else '@' + to}:"  # the console's address line
    first = lines[0].removeprefix(head).strip() if lines else ""
    text = "\n".join(([first[:1].upper() + first[1:]] if first else []) + lines[1:])
    text = text or "Nothing new."
    nudge = next((d.project_key for d in bundle.digests if d.kind in ASKS and d.project_key), "")
    asks = [dialog_button("Submit update", Dialog.STATUS, {"project": nudge})] if nudge else []
    decide = [(d, b) for d in bundle.digests if (b := notices.buttons(d))]
    if len(decide) + bool(asks) <= 1:  # one thing to act on: its buttons under the words
        actions = asks or (notice_actions(decide[0][1]) if decide else [])
        return text_cards(text, actions or None)
    # Several: each notice gets its own small card with its buttons, after the words.
    shown = text_cards(text, asks or None)
    for d, bs in decide:
        shown += text_cards(d.title, notice_actions(bs))
    return shown


class TeamsNotifier:
    """Sends bundles through the SDK adapter; synchronous, for the outbox's delivery loop."""

    def __init__(
        self,
        outbound: Outbound,
        sessions: sessionmaker[Session],
        *,
        pacer: Pacer | None = None,
        tries: int = TRIES,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.outbound, self.sessions = outbound, sessions
        self.pacer = pacer or Pacer()
        self.tries, self.backoff, self.sleep = tries, backoff, sleep

    def send(self, bundle: Bundle) -> dict[str, Any] | None:
        """Post the bundle's cards or raise DeliveryError."""
        stored, target = self._target(bundle)
        if isinstance(bundle.attachment, Report):
            self._report(stored, target, bundle.attachment, dict(bundle.progress))
            return None
        cards = bundle_cards(bundle)
        progress = dict(bundle.progress)
        done = int(progress.get("cards", 0))
        for i, c in enumerate(cards):
            if i < done:
                continue  # already went out before a retry
            try:
                self._post(stored, target, c)
            except TeamsRefusal as err:
                progress["cards"] = i
                raise DeliveryError(
                    reason_for(err),
                    permanent=permanent(err),
                    retry_after=err.retry_after,
                    progress=progress if i else None,
                ) from None
        return None

    def _report(
        self, stored: dict[str, Any], target: str, report: Report, progress: dict[str, Any]
    ) -> None:
        """The parent card, then one reply per project in its thread (a channel) or after it
        (a personal chat); a retry resumes after the parts that went out."""
        parent, replies = report_cards(report, charts.rag_heatmap(report))
        try:
            if "parent" not in progress:
                progress["parent"] = self._post(stored, target, parent)
                progress["replies"] = 0
            thread = target
            if target.startswith("19:") and progress["parent"]:
                thread = f"{target.split(';')[0]};messageid={progress['parent']}"
            for n, reply in enumerate(replies):
                if n < int(progress.get("replies", 0)):
                    continue
                self._post(stored, thread, reply)
                progress["replies"] = n + 1
        except TeamsRefusal as err:
            raise DeliveryError(
                reason_for(err),
                permanent=permanent(err),
                retry_after=err.retry_after,
                progress=progress if "parent" in progress else None,
            ) from None

    def _post(self, stored: dict[str, Any], target: str, c: Card) -> str:
        for attempt in range(self.tries):
            self.pacer.wait_turn(target)
            try:
                ids = asyncio.run(self.outbound.post(stored, [c], conversation_id=target))
                return ids[0] if ids else ""
            except TeamsRefusal as err:
                if permanent(err) or not err.retryable or attempt == self.tries - 1:
                    raise
                wait = err.retry_after
                if wait is None:
                    wait = self.backoff * 2**attempt * (1 + random.random() / 2)
                self.sleep(min(wait, 60.0))
        raise TeamsRefusal(0, "NoAttempt")

    def _target(self, bundle: Bundle) -> tuple[dict[str, Any], str]:
        """The stored reference to write through and the conversation id to write to."""
        with self.sessions.begin() as s:
            ws = conversations.workspace_of(s, bundle.workspace_external_id)
            if ws is None:
                raise DeliveryError("Teams tenant not known", permanent=True)
            if bundle.to_channel:
                row = conversations.by_id(
                    s, workspace_id=ws, conversation_id=bundle.recipient_external_id
                )
                if row is None:
                    raise DeliveryError(
                        "PMO Bot is not in that Teams channel (add it to the team)", permanent=True
                    )
                return dict(row.reference), row.conversation_id
            person = conversations.person_of(
                s, workspace_id=ws, external_id=bundle.recipient_external_id
            )
            if person is None:
                raise DeliveryError("Teams user not known", permanent=True)
            row = conversations.personal(s, workspace_id=ws, person_id=person)
            if row is not None:
                return dict(row.reference), row.conversation_id
            via = conversations.any_in(s, workspace_id=ws)
            if via is None:
                raise DeliveryError("PMO Bot is not installed in this tenant", permanent=True)
            through = dict(via.reference)
        try:
            new = asyncio.run(
                self.outbound.open_personal(
                    through, bundle.recipient_external_id, bundle.workspace_external_id
                )
            )
        except TeamsRefusal as err:
            raise DeliveryError(
                reason_for(err), permanent=permanent(err), retry_after=err.retry_after
            ) from None
        conv_id = str(new["conversation_reference"]["conversation"]["id"])
        with self.sessions.begin() as s:
            conversations.remember(
                s,
                workspace_id=ws,
                conversation_id=conv_id,
                kind="personal",
                reference=new,
                now=datetime.now(UTC),
                person_id=person,
            )
        return new, conv_id
