"""A fake Slack Web API on 127.0.0.1 (port 0) that the real slack_sdk WebClient talks to.

It answers like Slack for the methods PMO Bot uses, records every call, rejects Block Kit
that breaks Slack's limits with `invalid_blocks`, and can be told to fail: HTTP 429 with
Retry-After, 5xx, or `ok: false` with an error code. It also receives `response_url` posts.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    times: int = 1


class BlockKitError(ValueError):
    pass


def _text_len(obj: Any) -> int:
    return len((obj or {}).get("text", "")) if isinstance(obj, dict) else 0


def validate_blocks(blocks: Any, *, limit: int) -> None:
    """Raise BlockKitError where Slack would answer invalid_blocks."""
    if not isinstance(blocks, list):
        raise BlockKitError("blocks must be a list")
    if len(blocks) > limit:
        raise BlockKitError(f"{len(blocks)} blocks > {limit}")
    block_ids: set[str] = set()
    for b in blocks:
        kind = b.get("type")
        if "block_id" in b:
            if b["block_id"] in block_ids or len(b["block_id"]) > 255:
                raise BlockKitError(f"duplicate or long block_id {b['block_id']}")
            block_ids.add(b["block_id"])
        if kind == "section":
            if "text" in b and not (1 <= _text_len(b["text"]) <= 3000):
                raise BlockKitError("section text must be 1-3000 chars")
            if len(b.get("fields", [])) > 10:
                raise BlockKitError("more than 10 fields")
        elif kind == "header":
            if b["text"]["type"] != "plain_text" or not 1 <= _text_len(b["text"]) <= 150:
                raise BlockKitError("header text must be plain_text of 1-150 chars")
        elif kind == "context":
            if not 1 <= len(b.get("elements", [])) <= 10:
                raise BlockKitError("context needs 1-10 elements")
        elif kind == "actions":
            elements = b.get("elements", [])
            if not 1 <= len(elements) <= 25:
                raise BlockKitError("actions needs 1-25 elements")
            action_ids: set[str] = set()
            for e in elements:
                aid = e.get("action_id", "")
                if aid in action_ids or len(aid) > 255:
                    raise BlockKitError(f"duplicate or long action_id {aid}")
                action_ids.add(aid)
                if e.get("type") == "button" and (
                    not 1 <= _text_len(e["text"]) <= 75 or len(e.get("value", "")) > 2000
                ):
                    raise BlockKitError("button text 1-75, value <= 2000")
                if e.get("type") == "static_select":
                    opts = e.get("options", [])
                    if not 1 <= len(opts) <= 100:
                        raise BlockKitError("static_select needs 1-100 options")
                    for o in opts:
                        if _text_len(o["text"]) > 75 or len(o["value"]) > 150:
                            raise BlockKitError("option text <= 75, value <= 150")
        elif kind == "input":
            if _text_len(b.get("label")) > 2000 or "element" not in b:
                raise BlockKitError("input label <= 2000 with an element")
            el = b["element"]
            if _text_len(b.get("hint")) > 2000 or _text_len(el.get("placeholder")) > 150:
                raise BlockKitError("input hint <= 2000, placeholder <= 150")
            if el.get("type") in ("static_select", "multi_static_select", "checkboxes"):
                opts = el.get("options", [])
                if len(opts) > 100 or any(_text_len(o["text"]) > 75 for o in opts):
                    raise BlockKitError("input select options over limits")
                chosen = el.get("initial_options", []) + [el.get("initial_option")] * (
                    "initial_option" in el)  # fmt: skip
                if any(c not in opts for c in chosen):
                    raise BlockKitError("initial option not among the options")
        elif kind not in ("divider", "image", "rich_text"):
            raise BlockKitError(f"unknown block type {kind}")


def validate_view(view: dict[str, Any]) -> None:
    if view.get("type") == "modal":
        for k in ("title", "submit", "close"):
            if k in view and _text_len(view[k]) > 24:
                raise BlockKitError(f"modal {k} over 24 chars")
        if len(view.get("private_metadata", "")) > 3000:
            raise BlockKitError("private_metadata over 3000")
    validate_blocks(view.get("blocks", []), limit=100)


# Methods `late_answer` may answer after the client gave up: they post something.
LATE = ("chat.postMessage", "files.completeUploadExternal")


class FakeSlack:
    """Start with `FakeSlack().start()`; point WebClient at `.api_url`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.started: list[str] = []  # methods as they arrive, before any latency
        self.responses: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}  # what url_private_download serves (bot token only)
        self.users: dict[str, dict[str, Any]] = {}
        self.archived: set[str] = set()
        self.not_member: set[str] = set()
        self.missing: set[str] = set()  # channels the bot can't see (channel_not_found)
        self.failures: dict[str, list[Failure]] = {}
        self.latency: dict[str, float] = {}  # seconds to wait before answering a method
        # Hold the answer to the N-th chat.postMessage (or the N-th call of `hold_method`)
        # after carrying it out: the message is in the history (a crash window for tests).
        self.hold_post_number: int | None = None
        self.hold_method = "chat.postMessage"
        # Seconds to wait after accepting the N-th chat.postMessage (1-based) before
        # answering, as a slow Slack does: the message is in the history at once.
        self.late_answer: Callable[[int], float] | None = None
        self.history: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, oldest first
        # (channel, parent ts) -> the thread's replies, oldest first (not in `history`).
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.uploads: dict[str, str] = {}  # file id -> its name (files.getUploadURLExternal)
        # Socket Mode: what apps.connections.open answers (FakeSocketMode.issue_url).
        self.socket_url: Callable[[], str] | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.base}/api/"

    # -- control --------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_user(
        self, user_id: str, name: str, *, tz: str = "UTC", locale: str = "en-US", **extra: Any
    ) -> None:
        """A Slack user; `locale` is only answered when asked for (`include_locale`)."""
        self.users[user_id] = {
            "locale": locale,
            "id": user_id,
            "name": name,
            "real_name": name.title(),
            "tz": tz,
            "deleted": False,
            "is_bot": False,
            "profile": {"display_name": name.title(), "email": f"{name}@example.com"},
            **extra,
        }

    def fail(self, method: str, *, status: int = 200, error: str | None = None,
             retry_after: int | None = None, times: int = 1) -> None:  # fmt: skip
        self.failures.setdefault(method, []).append(Failure(status, error, retry_after, times))

    def add_file(self, name: str, data: bytes) -> dict[str, Any]:
        """A file someone uploaded, as Slack describes it in a file_input's state."""
        fid = f"F{next(self._ts)}"
        self.files[fid] = data
        return {
            "id": fid,
            "name": name,
            "size": len(data),
            "filetype": name.rsplit(".", 1)[-1],
            "url_private": f"{self.base}/files-pri/T1-{fid}/{name}",
            "url_private_download": f"{self.base}/files-pri/T1-{fid}/download/{name}",
        }

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    # -- behaviour ------------------------------------------------------------------------
    def _answer(
        self, method: str, args: dict[str, Any]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            self.started.append(method)
        if self.latency.get(method):
            time.sleep(self.latency[method])
        hold = False
        with self._lock:
            self.calls.append(Call(method, args))
            if method == self.hold_method and self.hold_post_number is not None:
                hold = sum(c.method == method for c in self.calls) == self.hold_post_number
            queue = self.failures.get(method) or []
            if queue:
                f = queue[0]
                f.times -= 1
                if f.times <= 0:
                    queue.pop(0)
                headers = {"Retry-After": str(f.retry_after)} if f.retry_after is not None else {}
                if f.status != 200:
                    return f.status, headers, {"ok": False, "error": f.error or "ratelimited"}
                return 200, headers, {"ok": False, "error": f.error or "fatal_error"}
        try:
            answer = 200, {}, self._ok(method, args)
        except BlockKitError as exc:
            return 200, {}, {"ok": False, "error": "invalid_blocks", "detail": str(exc)}
        except _SlackError as exc:
            return 200, {}, {"ok": False, "error": str(exc)}
        if hold:
            self.holding.set()
            self.release.wait(timeout=30)
        if method in LATE and self.late_answer is not None:
            with self._lock:  # posts and file shares, numbered together
                number = sum(c.method in LATE for c in self.calls)
            delay = self.late_answer(number)
            if delay:
                time.sleep(delay)
        return answer

    def _remember(self, channel: str, ts: str, a: dict[str, Any]) -> None:
        """Keep a posted message in its conversation's history (a DM: D + the user id), or a
        reply in its thread, as Slack does (history lists only a thread's parent)."""
        where = "D" + channel if channel.startswith("U") else channel
        message: dict[str, Any] = {"type": "message", "ts": ts, "text": a.get("text", "")}
        meta = a.get("metadata")
        if isinstance(meta, str):
            meta = json.loads(meta)
        if meta:
            message["metadata"] = meta
        if a.get("files"):
            message["files"] = a["files"]
        with self._lock:
            if a.get("thread_ts"):
                message["thread_ts"] = str(a["thread_ts"])
                self.threads.setdefault((where, str(a["thread_ts"])), []).append(message)
            else:
                self.history.setdefault(where, []).append(message)

    def _listing(self, messages: list[dict[str, Any]], a: dict[str, Any]) -> dict[str, Any]:
        oldest = float(a.get("oldest") or 0)
        wanted = str(a.get("include_all_metadata", "")).lower() in ("1", "true")
        start, limit = int(a.get("cursor") or 0), int(a.get("limit") or 100)
        found = [
            m if wanted else {k: v for k, v in m.items() if k != "metadata"}
            for m in messages
            if float(m["ts"]) >= oldest
        ]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": found[start : start + limit],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies in a thread, oldest first."""
        with self._lock:
            return list(self.threads.get((channel, ts), []))

    def _ok(self, method: str, a: dict[str, Any]) -> dict[str, Any]:
        def blocks() -> None:
            if "blocks" in a:
                b = a["blocks"]
                validate_blocks(json.loads(b) if isinstance(b, str) else b, limit=50)

        if method == "oauth.v2.access":
            if a.get("code") != "good-code":
                raise _SlackError("invalid_code")
            return {
                "ok": True, "access_token": "xoxb-T2-token", "token_type": "bot",
                "scope": "commands,chat:write,users:read", "bot_user_id": "UBOT2", "app_id": "A1",
                "team": {"id": "T2", "name": "Second Co"}, "enterprise": None,
                "is_enterprise_install": False, "authed_user": {"id": "U7"},
            }  # fmt: skip
        if method == "apps.connections.open":
            if not str(a.get("_token", "")).startswith("xapp-"):
                raise _SlackError("not_allowed_token_type")  # only an app-level token may
            if self.socket_url is None:
                raise _SlackError("socket_mode_not_enabled")
            return {"ok": True, "url": self.socket_url()}
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "pmo"}
        if method == "users.info":
            user = self.users.get(a.get("user", ""))
            if user is None:
                raise _SlackError("user_not_found")
            if str(a.get("include_locale", "")).lower() in ("1", "true") and "locale" in user:
                return {"ok": True, "user": user}
            return {"ok": True, "user": {k: v for k, v in user.items() if k != "locale"}}
        if method in (
            "chat.postMessage",
            "chat.postEphemeral",
            "chat.update",
            "chat.scheduleMessage",
        ):
            channel = a.get("channel", "")
            if channel in self.archived:
                raise _SlackError("is_archived")
            if channel in self.not_member:
                raise _SlackError("not_in_channel")
            if channel in self.missing:
                raise _SlackError("channel_not_found")
            if channel.startswith("U") and channel in self.users and self.users[channel]["deleted"]:
                raise _SlackError("account_inactive")
            blocks()
            ts = f"{time.time():.0f}.{next(self._ts):06d}"
            if method == "chat.postMessage":
                self._remember(channel, ts, a)
            return {"ok": True, "channel": channel, "ts": a.get("ts", ts), "message_ts": ts}
        if method == "conversations.history":
            messages = self.history.get(a.get("channel", ""), [])
            return self._listing(list(reversed(messages)), a)  # newest first, as Slack answers
        if method == "conversations.replies":  # the parent, then its replies, oldest first
            where, ts = a.get("channel", ""), str(a.get("ts", ""))
            parent = [m for m in self.history.get(where, []) if m["ts"] == ts]
            if not parent:
                raise _SlackError("thread_not_found")
            return self._listing(parent + self.thread(where, ts), a)
        if method == "chat.getPermalink":
            return {
                "ok": True,
                "permalink": f"https://example.slack.com/archives/{a['channel']}/p{a['message_ts'].replace('.', '')}",
            }
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            view = a["view"]
            validate_view(json.loads(view) if isinstance(view, str) else view)
            return {"ok": True, "view": {"id": f"V{next(self._ts)}"}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(a.get("users", "")).split(",")[0]}}
        if method == "conversations.info":
            return {
                "ok": True,
                "channel": {
                    "id": a.get("channel"),
                    "is_archived": a.get("channel") in self.archived,
                },
            }
        if method == "files.getUploadURLExternal":
            fid = f"F{next(self._ts)}"
            self.uploads[fid] = str(a.get("filename", ""))
            return {"ok": True, "upload_url": f"{self.base}/upload/{fid}", "file_id": fid}
        if method == "files.completeUploadExternal":
            files = json.loads(a["files"]) if isinstance(a.get("files"), str) else a["files"]
            if a.get("channel_id"):  # shared: a message with the files in the conversation
                shared = [{**f, "name": self.uploads.get(f["id"], "")} for f in files]
                ts = f"{time.time():.0f}.{next(self._ts):06d}"
                self._remember(str(a["channel_id"]), ts, {**a, "files": shared, "text": ""})
            return {"ok": True, "files": [{"id": f["id"]} for f in files]}
        raise _SlackError("unknown_method")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _args(self) -> dict[str, Any]:
                url = urllib.parse.urlparse(self.path)
                args: dict[str, Any] = {
                    k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()
                }
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                if url.path.startswith("/upload/"):  # file bytes, whatever the header says
                    args["_raw"] = raw
                elif raw and "json" in ctype:
                    args.update(json.loads(raw))
                elif raw and "form" in ctype:
                    args.update({k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()})
                elif raw:
                    args["_raw"] = raw
                return args

            def _send(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client is gone (a test killed it)

            def _route(self) -> None:
                path = urllib.parse.urlparse(self.path).path
                args = self._args()
                if path.startswith("/api/"):
                    auth = self.headers.get("Authorization", "")
                    if auth.startswith("Bearer "):
                        args["_token"] = auth[len("Bearer ") :]
                    self._send(*fake._answer(path[len("/api/") :], args))
                elif path.startswith("/response/"):
                    with fake._lock:
                        fake.responses.append({"url": path, **args})
                    self._send(200, {}, {"ok": True})
                elif path.startswith("/upload/"):
                    with fake._lock:
                        fake.calls.append(
                            Call(
                                "upload",
                                {
                                    "path": path,
                                    "size": len(args.get("_raw", b"")),
                                    "head": args.get("_raw", b"")[:8],
                                    "data": args.get("_raw", b""),
                                },
                            )
                        )
                    self._send(200, {}, {"ok": True})
                elif path.startswith("/files-pri/"):
                    fid = path.split("/")[2].split("-", 1)[-1]
                    auth = self.headers.get("Authorization", "")
                    data = fake.files.get(fid)
                    with fake._lock:
                        fake.calls.append(Call("download", {"path": path, "auth": auth}))
                    if data is None or not auth.startswith("Bearer xoxb-"):
                        self._send(404, {}, {"ok": False, "error": "file_not_found"})
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self._send(404, {}, {"ok": False, "error": "not_found"})

            do_GET = _route
            do_POST = _route

        return Handler


class _SlackError(Exception):
    pass


# -- inbound requests, signed as Slack signs them -------------------------------------------


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends: X-Slack-Request-Timestamp and v0 HMAC-SHA256 X-Slack-Signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    sig = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


def post(url: str, body: str, headers: dict[str, str], content_type: str) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body.encode(), method="POST")
    req.add_header("Content-Type", content_type)
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
