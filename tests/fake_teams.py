"""A fake Bot Connector service on 127.0.0.1 (port 0): the `serviceUrl` the bot calls back.

It answers the v3 conversation API the Agents SDK uses (send, reply, update, create
conversation), records every activity, checks Adaptive Card structure (version 1.5, known
element types, inputs with ids, actions with verbs) and the 28 KB limit (413
`MessageSizeTooBig`), and can be told to fail: 429 with Retry-After, 412, 5xx, or a
permanent 403/404 for a conversation or a user.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
MAX_BYTES = 28 * 1024
ELEMENTS = {
    "TextBlock",
    "FactSet",
    "Container",
    "ColumnSet",
    "Column",
    "ActionSet",
    "Image",
    "Input.Text",
    "Input.Number",
    "Input.ChoiceSet",
    "Input.Toggle",
    "Input.Date",
    "Input.Time",
}
ACTIONS = {"Action.Execute", "Action.Submit", "Action.ShowCard", "Action.OpenUrl"}


class CardError(ValueError):
    pass


def validate_card(card: dict[str, Any]) -> None:
    """Raise CardError where Teams would not render the card."""
    if card.get("type") != "AdaptiveCard" or card.get("version") != "1.5":
        raise CardError(f"not an Adaptive Card 1.5: {card.get('type')} {card.get('version')}")
    if not isinstance(card.get("body"), list):
        raise CardError("body must be a list")

    def element(e: dict[str, Any]) -> None:
        kind = e.get("type")
        if kind not in ELEMENTS:
            raise CardError(f"unknown element {kind}")
        if kind.startswith("Input.") and not e.get("id"):
            raise CardError(f"{kind} without id")
        if kind == "TextBlock" and not isinstance(e.get("text"), str):
            raise CardError("TextBlock without text")
        for child in e.get("items") or []:
            element(child)
        for col in e.get("columns") or []:
            element(col)
        for a in e.get("actions") or []:
            action(a)
        if "selectAction" in e:
            action(e["selectAction"])

    def action(a: dict[str, Any]) -> None:
        kind = a.get("type")
        if kind not in ACTIONS:
            raise CardError(f"unknown action {kind}")
        if kind == "Action.Execute" and not a.get("verb"):
            raise CardError("Action.Execute without verb")
        if kind == "Action.ShowCard":
            validate_card(a["card"])

    for e in card["body"]:
        element(e)
    for a in card.get("actions") or []:
        action(a)


@dataclass
class Sent:
    method: str  # POST (send/reply) or PUT (update)
    conversation: str
    activity: dict[str, Any]
    activity_id: str

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for a in self.activity.get("attachments") or []
            if a.get("contentType") == ADAPTIVE
        ]

    @property
    def text(self) -> str:
        """Every TextBlock's words and the summary, for asserting what a person reads."""
        words = [str(self.activity.get("text") or ""), str(self.activity.get("summary") or "")]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "TextBlock":
                    words.append(str(node.get("text")))
                if node.get("type") == "FactSet":
                    words.extend(f"{f['title']}: {f['value']}" for f in node["facts"])
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(self.cards)
        return "\n".join(w for w in words if w)


@dataclass
class Fault:
    status: int
    code: str = ""
    retry_after: float | None = None


@dataclass
class FakeConnector:
    """The fake service; `url` is the serviceUrl to put in activities."""

    sent: list[Sent] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)
    fault: Callable[[str, str], Fault | None] | None = None  # (method, conversation) → fault
    blocked: dict[str, str] = field(default_factory=dict)  # conversation or user → error code
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # roster by account id
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeConnector:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(
                self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict[str, Any]:
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n) or b"{}")

            def do_POST(self) -> None:
                fake.handle(self, "POST")

            def do_PUT(self) -> None:
                fake.handle(self, "PUT")

            def do_GET(self) -> None:
                m = re.fullmatch(r"/v3/conversations/[^/]+/members/([^/?]+)", self.path)
                member = fake.members.get(urllib.parse.unquote(m.group(1))) if m else None
                if member is None:
                    self._answer(404, {"error": {"code": "MemberNotFound", "message": "-"}})
                else:
                    self._answer(200, member)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, h: Any, method: str) -> None:
        path = h.path.split("?")[0]
        body = h._body()
        raw_len = len(json.dumps(body).encode())
        if path.rstrip("/") == "/v3/conversations" and method == "POST":
            member = str((body.get("members") or [{}])[0].get("id") or "")
            if member in self.blocked:
                return self._refuse(h, 403, self.blocked[member], member)
            if self._faulty(h, method, f"create:{member}"):
                return None
            conv = f"a:dm-{member}"
            with self._lock:
                self.created.append(body)
            return h._answer(201, {"id": conv})
        m = re.fullmatch(r"/v3/conversations/([^/]+)/activities(?:/([^/]+))?", path)
        if not m:
            return h._answer(404, {"error": {"code": "NotFound", "message": path}})
        conv = m.group(1)
        if conv in self.blocked:
            return self._refuse(h, 403, self.blocked[conv], conv)
        if self._faulty(h, method, conv):
            return None
        if raw_len > MAX_BYTES:
            return self._refuse(h, 413, "MessageSizeTooBig", conv)
        for a in body.get("attachments") or []:
            if a.get("contentType") == ADAPTIVE:
                try:
                    validate_card(a["content"])
                except CardError as exc:
                    return self._refuse(h, 400, f"BadCard: {exc}", conv)
        with self._lock:
            activity_id = m.group(2) if method == "PUT" else f"act-{next(self._ids)}"
            self.sent.append(Sent(method, conv, body, activity_id))
        return h._answer(200, {"id": activity_id})

    def _refuse(self, h: Any, status: int, code: str, where: str) -> None:
        with self._lock:
            self.refused.append((where, status))
        h._answer(status, {"error": {"code": code, "message": code}})

    def _faulty(self, h: Any, method: str, where: str) -> bool:
        f = self.fault(method, where) if self.fault else None
        if f is None:
            return False
        headers = {"Retry-After": str(f.retry_after)} if f.retry_after is not None else {}
        with self._lock:
            self.refused.append((where, f.status))
        h._answer(f.status, {"error": {"code": f.code or "Fault", "message": "injected"}}, headers)
        return True

    def to(self, conversation: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation == conversation]
