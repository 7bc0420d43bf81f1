"""Whether a post that got no answer landed: the metadata marker every outbox post carries,
and the lookup in a conversation's history (or a thread's replies) before a part is posted
again."""

from __future__ import annotations

import logging
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from services.outbox.port import Bundle

log = logging.getLogger(__name__)

# Message metadata naming the outbox rows a message delivers (Slack keeps it with the message).
MARKER_EVENT = "pmo_outbox"
CLOCK_SLACK = 60.0  # seconds: our clock and Slack's may differ; search history from before
HISTORY_PAGE = 200
HISTORY_PAGES = 5  # a busy channel: up to 1,000 messages since the attempt


def marker(bundle: Bundle, part: str = "") -> dict[str, Any] | None:
    """The metadata that marks a message with the outbox rows it delivers, and which part of
    a multi-part delivery it is ("" for a single message; "parent", "reply:3", "part:2" …)."""
    if not bundle.rows:
        return None
    payload: dict[str, Any] = {"rows": list(bundle.rows)}
    if part:
        payload["part"] = part
    return {"event_type": MARKER_EVENT, "event_payload": payload}


def timed_out(exc: BaseException) -> bool:
    """Whether a failed call may have reached Slack: a read timeout, not a refused connection."""
    if isinstance(exc, URLError):
        return isinstance(exc.reason, TimeoutError)
    return isinstance(exc, TimeoutError)


def _marks(message: dict[str, Any], part: str) -> set[int]:
    """The outbox rows a message says it delivers as `part` (none if it is another part)."""
    meta = message.get("metadata") or {}
    payload = meta.get("event_payload") or {}
    if meta.get("event_type") != MARKER_EVENT or str(payload.get("part", "")) != part:
        return set()
    return {int(r) for r in payload.get("rows", [])}


def _has_file(message: dict[str, Any], name: str) -> bool:
    return any(f.get("name") == name for f in message.get("files") or [])


def _since(
    client: WebClient, channel: str, thread: str | None, oldest: str
) -> list[dict[str, Any]]:
    """The messages of a conversation (or of a thread) since `oldest`, a few pages at most."""
    out: list[dict[str, Any]] = []
    cursor = None
    for _ in range(HISTORY_PAGES):
        if thread:
            resp = client.conversations_replies(
                channel=channel,
                ts=thread,
                oldest=oldest,
                include_all_metadata=True,
                limit=HISTORY_PAGE,
                cursor=cursor,
            )
        else:
            resp = client.conversations_history(
                channel=channel,
                oldest=oldest,
                include_all_metadata=True,
                limit=HISTORY_PAGE,
                cursor=cursor,
            )
        out += resp.get("messages") or []
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not resp.get("has_more") or not cursor:
            break
    return out


def find(client: WebClient, bundle: Bundle, uncertain: dict[str, Any]) -> dict[str, str] | None:
    """The message an attempt that got no answer (or that crashed with it in flight) did
    post, if Slack has it: where it is.

    Asked before posting a part again: Slack may have accepted it. Reads the conversation's
    history since that attempt (a DM's channel found with conversations.open), or the
    thread's replies for a part posted in a thread, for our metadata marker with every row of
    `bundle` and the same part; a file (which carries no metadata) by its name in the thread
    of its own report, which is this row's alone. If Slack can't say (no history scope, an
    error), None: the part is sent again rather than lost.
    """
    channel = str(uncertain.get("channel") or bundle.recipient_external_id)
    part, thread = str(uncertain.get("part", "")), uncertain.get("thread_ts")
    thread = str(thread) if thread else None
    file = uncertain.get("file")
    oldest = f"{float(uncertain.get('since', 0)):.6f}"
    try:
        if channel.startswith(("U", "W")):  # a person: their DM with the bot
            channel = str(client.conversations_open(users=channel)["channel"]["id"])
        messages = _since(client, channel, thread, oldest)
    except (SlackApiError, OSError) as exc:
        log.warning("could not check whether a message landed (%s); sending it again", exc)
        return None
    found: set[int] = set()
    for message in messages:
        if message.get("ts") == thread:
            continue  # conversations.replies starts with the thread's parent
        if file:
            if _has_file(message, str(file)):
                return {"channel": channel, "ts": str(message.get("ts", ""))}
            continue
        rows = _marks(message, part)
        if rows and not part:  # one message may be found in pieces: a bundle regrouped
            found |= rows
        elif rows and rows >= set(bundle.rows):
            return {"channel": channel, "ts": str(message.get("ts", ""))}
    if not file and not part and bundle.rows and set(bundle.rows) <= found:
        return {"channel": channel, "ts": ""}
    return None
