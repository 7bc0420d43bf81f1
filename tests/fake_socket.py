"""A fake Slack Socket Mode endpoint on 127.0.0.1 (port 0), for the real slack_sdk client.

Slack's flow, reproduced: the app calls `apps.connections.open` with its app-level token
(`xapp-…`) and gets a one-time `ws://…/link/?ticket=…` URL (the fake Web API in
tests/fake_slack.py answers with `FakeSocketMode.issue_url()`); the app connects there; Slack
sends `hello`, then envelopes `{"envelope_id", "type", "payload", "accepts_response_payload"}`
(events also carry `retry_attempt` and `retry_reason`), and the app acknowledges each one by
sending back `{"envelope_id": …}` (with a `payload` when the ack carries a response). This
server records every ack with the time it arrived.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

APP_ID = "A1"


@dataclass
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    seconds: float  # from sending the envelope to receiving its ack


@dataclass
class _Sent:
    envelope: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeSocketMode:
    """Start with `FakeSocketMode().start()`; wire `issue_url` into the fake Web API."""

    def __init__(self, *, ping_interval: float = 0.25) -> None:
        self._lock = threading.Lock()
        self._tickets: set[str] = set()
        self._conn: ServerConnection | None = None
        self.connected = threading.Event()
        self.sent: dict[str, _Sent] = {}
        self.acks: dict[str, Ack] = {}
        self.unexpected: list[str] = []  # anything the client sent that is not an ack
        # Slack pings its Socket Mode clients. Pinging often also wakes slack_sdk's client from
        # its blocking read (3 s timeout), so a client that closes lets go of the socket at once.
        self.server: Server = serve(
            self._session, "127.0.0.1", 0, compression=None,
            ping_interval=ping_interval, ping_timeout=10,
        )  # fmt: skip
        self.port = self.server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- control ------------------------------------------------------------------------------
    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()  # closes open connections with 1001 (going away)
        self._thread.join(timeout=10)

    def issue_url(self) -> str:
        """What `apps.connections.open` returns: a one-time URL for one connection."""
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={APP_ID}"

    def wait_connected(self, timeout: float = 10.0) -> None:
        if not self.connected.wait(timeout):
            raise AssertionError(f"no Socket Mode client connected within {timeout} s")

    # -- the connection -----------------------------------------------------------------------
    def _session(self, conn: ServerConnection) -> None:
        query = parse_qs(urlparse(conn.request.path if conn.request else "").query)
        ticket = (query.get("ticket") or [""])[0]
        with self._lock:
            valid = ticket in self._tickets
            self._tickets.discard(ticket)  # a ticket is good for one connection
        if not valid:
            conn.close(code=1008, reason="invalid ticket")
            return
        conn.send(json.dumps({
            "type": "hello", "num_connections": 1,
            "debug_info": {"host": "applink-fake", "build_number": 1,
                           "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        }))  # fmt: skip
        with self._lock:
            self._conn = conn
        self.connected.set()
        try:
            for raw in conn:
                self._received(raw if isinstance(raw, str) else raw.decode())
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if self._conn is conn:
                    self._conn = None
                    self.connected.clear()

    def _received(self, raw: str) -> None:
        now = time.monotonic()
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        with self._lock:
            sent = self.sent.get(message.get("envelope_id", "")) if message else None
            if message is None or sent is None:
                self.unexpected.append(raw)
                return
            self.acks[message["envelope_id"]] = Ack(
                message["envelope_id"], message.get("payload"), now - sent.at
            )

    # -- sending envelopes --------------------------------------------------------------------
    def send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool,
             envelope_id: str | None = None, **extra: Any) -> str:  # fmt: skip
        """Send one envelope as Slack does; returns its envelope_id."""
        eid = envelope_id or str(uuid.uuid4())
        envelope = {"envelope_id": eid, "type": kind, "payload": payload,
                    "accepts_response_payload": accepts_response_payload, **extra}  # fmt: skip
        with self._lock:
            conn = self._conn
            if conn is None:
                raise AssertionError("no Socket Mode client is connected")
            self.sent[eid] = _Sent(envelope)
        conn.send(json.dumps(envelope))
        return eid

    def slash_command(self, payload: dict[str, Any]) -> str:
        return self.send("slash_commands", payload, accepts_response_payload=True)

    def interactive(self, payload: dict[str, Any]) -> str:
        # Slack lets the ack carry a response only for view submissions (and options).
        takes = payload.get("type") in ("view_submission", "block_suggestion")
        return self.send("interactive", payload, accepts_response_payload=takes)

    def event(self, payload: dict[str, Any], *, retry_attempt: int = 0,
              retry_reason: str = "") -> str:  # fmt: skip
        return self.send("events_api", payload, accepts_response_payload=False,
                         retry_attempt=retry_attempt, retry_reason=retry_reason)  # fmt: skip

    def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> Ack:
        """The ack of one envelope; fails if it does not arrive within `timeout` seconds."""
        return wait_for(lambda: self.acks.get(envelope_id), timeout,
                        f"envelope {envelope_id} was not acknowledged within {timeout} s")  # fmt: skip


def wait_for(predicate: Callable[[], Any], timeout: float, message: str) -> Any:
    """Poll `predicate` until it is truthy; AssertionError(`message`) after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.01)
