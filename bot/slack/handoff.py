"""The hand-off from the HTTP front to the workers: which requests, in what message, over what.

The front acks the requests `deferrable` accepts and writes each as one `encode`d message to a
`SOCK_SEQPACKET` Unix socket pair (`supported` says whether this platform has one); a worker
reads one whole message at a time and `decode`s it into the BoltRequest it runs. Why this queue
and not another: bot/slack/workers.py.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Mapping

from slack_bolt import BoltRequest

from services.commands.parser import parse

# The largest request handed to a worker; larger ones (rare: a click in a 100-block view) run
# in-process. The socket's send buffer is raised to hold it (capped by net.core.wmem_max).
MAX_MESSAGE = 1 << 20
SEND_BUFFER = 4 << 20
# Bytes of requests acked and waiting for room in the socket (~90,000 slash commands); beyond
# this the front runs requests itself. Bounds memory, not waiting time.
MAX_BACKLOG = 64 << 20
# A request that waited longer than this for a worker has a stale trigger_id (valid 3 s).
STALE_SECONDS = 2.5
DEFERRED_INTERACTIONS = {"block_actions", "message_action", "shortcut"}
FORMS, WORK = "forms", "work"
# Longer command texts are never a request for a form (`new`, `status APOLLO`, `risk add X`).
FORM_COMMAND_CHARS = 120


def deferrable(raw: bytes) -> bool:
    """True for the Slack requests whose listeners ack empty at once.

    Slash commands, block actions, shortcuts and Events API callbacks. Everything else —
    view submissions (inline field errors), options, url_verification, ssl_check — must be
    answered by the listener itself, so it is dispatched in the front as before.
    """
    return lane_of(raw) is not None


def lane_of(raw: bytes) -> str | None:
    """The worker lane a deferrable request goes to ("forms" or "work"), None if it is not.

    "forms": the requests that open a form with a trigger_id valid 3 s — shortcuts, clicks,
    and commands that parse to a form (`*Form` nodes: `new`, `status APOLLO`, `risk add`).
    """
    body = raw.lstrip()
    if body.startswith(b"{"):
        try:
            return WORK if json.loads(body).get("type") == "event_callback" else None
        except (ValueError, AttributeError):
            return None
    if _has_key(body, b"ssl_check"):
        return None
    if _has_key(body, b"command"):
        return FORMS if _opens_form(body) else WORK
    if _has_key(body, b"payload"):
        try:
            form = urllib.parse.parse_qs(body.decode("utf-8"))
            payload = json.loads(form["payload"][0])
        except (ValueError, KeyError, UnicodeDecodeError):
            return None
        if isinstance(payload, dict) and payload.get("type") in DEFERRED_INTERACTIONS:
            return FORMS
    return None


def _opens_form(body: bytes) -> bool:
    # The parser takes ~30 µs on a short command; a form is asked for in a few words.
    try:
        text = urllib.parse.parse_qs(body.decode("utf-8")).get("text", [""])[0]
    except UnicodeDecodeError:
        return False
    if len(text) > FORM_COMMAND_CHARS:
        return False
    try:
        return type(parse(text)).__name__.endswith("Form")
    except Exception:  # a command that doesn't parse gets a quick error reply: any lane
        return False


def _has_key(form: bytes, key: bytes) -> bool:
    # In a form body `&` and `=` inside values are percent-encoded, so this finds keys only.
    return form.startswith(key + b"=") or (b"&" + key + b"=") in form


def encode(raw: bytes, headers: Mapping[str, str], query: str, request_id: str = "") -> bytes:
    """One queue message: a JSON line (headers, query, when received, request id), then the
    raw body."""
    head = json.dumps({"h": dict(headers), "q": query, "t": time.time(), "r": request_id})
    return head.encode() + b"\n" + raw


def decode(message: bytes) -> BoltRequest:
    """The BoltRequest a queue message carries (context "pmo_received_at": when acked,
    "pmo_request_id": the id the front logged its ack with)."""
    head, _, raw = message.partition(b"\n")
    meta = json.loads(head)
    return BoltRequest(
        body=raw.decode("utf-8"),
        query=meta["q"],
        headers=meta["h"],
        context={"pmo_received_at": meta["t"], "pmo_request_id": meta.get("r") or ""},
    )


def new_request_id() -> str:
    """A short random id for one request's log lines, from its ack to its reply."""
    return os.urandom(6).hex()


def supported() -> bool:
    """Whether this platform has Unix SOCK_SEQPACKET socket pairs (Linux does; macOS not)."""
    try:
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    except (AttributeError, OSError):
        return False
    a.close()
    b.close()
    return True


class Every:
    """Counts an event and says when to log it: at most once per `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.count, self._last = seconds, 0, -1e9
        self._lock = threading.Lock()

    def due(self) -> bool:
        with self._lock:
            self.count += 1
            now = time.monotonic()
            if now - self._last < self.seconds:
                return False
            self._last = now
            return True
