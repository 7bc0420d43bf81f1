"""Run the real Slack HTTP endpoint (uvicorn, port 0) against the fake Slack Web API.

As under `pmo-bot serve`, the front acks commands, clicks, shortcuts and events and hands
them over the worker queue; here the workers are threads of the test process running the
same worker loop, so tests share the bot's clock. tests/test_slack_workers.py runs real
worker processes.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import datetime
from itertools import count
from typing import Any

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.slack.app import build_slack_app
from bot.slack.asgi import build_asgi
from bot.slack.handoff import supported
from bot.slack.workers import SlackWorkers
from handlers.slack.runtime import SlackDeps
from tests.fake_slack import FakeSlack, post, sign

SECRET = "test-signing-secret"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class SlackBot:
    """The bot as Slack sees it: signed HTTP requests in, Web API calls out."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session], db_url: str, now: datetime,
                 *, oauth: bool = False):  # fmt: skip
        self.fake = FakeSlack().start()
        self.clock = Clock(now)
        creds: dict[str, Any] = (
            {"slack_client_id": "111.222", "slack_client_secret": "client-secret"}
            if oauth
            else {"slack_bot_token": "xoxb-test"}
        )
        settings = Settings(
            database_url=db_url,
            slack_signing_secret=SECRET,
            slack_api_url=self.fake.api_url,
            **creds,
        )
        self.deps = SlackDeps(sessions, clock=self.clock)
        self.app = build_slack_app(settings, self.deps, engine=engine)
        self.workers: SlackWorkers | None = None
        if supported():  # as pmo-bot serve: in-process elsewhere than Linux
            worker_app = build_slack_app(settings, self.deps, engine=engine, worker=True)
            self.workers = SlackWorkers().start_threads(worker_app, threads=8)
        asgi = build_asgi(self.app, engine, workers=self.workers, signing_secret=SECRET)
        config = uvicorn.Config(
            asgi, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/slack/events"
        self._ids = count(1)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        if self.workers is not None:
            self.workers.stop()
        self.deps.background.shutdown(wait=True)
        self.fake.stop()

    def button_replies(self) -> list[dict[str, Any]]:
        """What the bot posted to the response_url of button clicks, oldest first."""
        return [r for r in self.fake.responses if r["url"].startswith("/response/act")]

    # -- inbound ----------------------------------------------------------------------------
    def send(self, body: str, content_type: str, *, timestamp: int | None = None,
             secret: str = SECRET, headers: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
        h = sign(secret, body, timestamp)
        h.update(headers or {})
        return post(self.url, body, h, content_type)

    def command(self, text: str, *, user: str = "U1", team: str = "T1", channel: str = "C1",
                expect_reply: bool = True, **kw: Any) -> dict[str, Any]:  # fmt: skip
        """POST /pmo <text>; the ack must be immediate and empty; returns the reply posted
        to the response_url afterwards ({} when no reply is expected, e.g. a modal opens)."""
        n = next(self._ids)
        name = f"cmd{n}"
        form = {
            "token": "legacy", "team_id": team, "team_domain": "acme", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(),
            "command": "/pmo", "text": text, "api_app_id": "A1",
            "response_url": self.fake.response_url(name), "trigger_id": f"trig{n}",
        }  # fmt: skip
        status, body = self.send(
            urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kw
        )
        assert (status, body) == (200, ""), (status, body)
        if not expect_reply:
            return {}
        path = f"/response/{name}"
        return self.wait_for(
            lambda: next((r for r in self.fake.responses if r["url"] == path), None)
        )

    def interact(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str]:
        payload.setdefault("team", {"id": "T1"})
        payload.setdefault("api_app_id", "A1")
        payload.setdefault("trigger_id", f"trig{next(self._ids)}")
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.send(body, "application/x-www-form-urlencoded", **kw)

    def click(self, message_blocks: list[dict[str, Any]], action_id: str, *, user: str = "U1",
              value: str | None = None, selected_option: str | None = None,
              selected_user: str | None = None, block_id: str | None = None,
              container: str = "message", channel: str = "C1") -> tuple[int, str]:  # fmt: skip
        """Click an element that is really in `message_blocks` (found by action_id)."""
        element, found_block = None, None
        for b in message_blocks:
            for e in b.get("elements", []):
                if e.get("action_id") == action_id and (
                    block_id is None or b.get("block_id") == block_id
                ):
                    element, found_block = e, b
                    break
            if element:
                break
        assert element is not None, f"no {action_id} in the message"
        action: dict[str, Any] = {"action_id": action_id, "block_id": found_block.get("block_id", "b"),
                                  "type": element["type"], "action_ts": "1.1"}  # fmt: skip
        if element["type"] == "button":
            action["value"] = value if value is not None else element.get("value", "")
        if selected_option is not None:
            opt = next(o for o in element["options"] if o["value"] == selected_option)
            action["selected_option"] = opt
        if selected_user is not None:
            action["selected_user"] = selected_user
        n = next(self._ids)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user},
            "actions": [action],
            "response_url": self.fake.response_url(f"act{n}"),
        }
        if container == "view":
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home", "blocks": message_blocks}
            payload.pop("response_url")
        else:
            payload["container"] = {"type": "message", "message_ts": "1.1", "channel_id": channel}
            payload["channel"] = {"id": channel}
            payload["message"] = {"ts": "1.1", "blocks": message_blocks}
        return self.interact(payload)

    def submit(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str = "U1"
    ) -> dict[str, Any]:
        """Submit a modal that the bot opened, with `values` per block id."""
        payload = {
            "type": "view_submission", "user": {"id": user},
            "view": {**view, "id": "V1", "state": {"values": {k: {"value": v} for k, v in values.items()}}},
        }  # fmt: skip
        status, body = self.interact(payload)
        assert status == 200, (status, body)
        return json.loads(body) if body.strip() else {}

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
        body = json.dumps({
            "type": "event_callback", "team_id": "T1", "api_app_id": "A1",
            "event_id": event_id or f"Ev{next(self._ids)}", "event_time": 1, "event": event,
        })  # fmt: skip
        return self.send(body, "application/json", headers=headers)

    # -- waiting for work done after the ack ------------------------------------------------
    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError("timed out waiting for the bot")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        status, body, _ = self.get_full(path, headers)
        return status, body

    def get_full(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
        req = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode(), r.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers
