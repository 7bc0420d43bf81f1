"""Run the real Teams endpoint (POST /api/messages on the server `pmo-bot serve` builds,
uvicorn on port 0) against a fake Bot Connector, posting activities as Teams posts them."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from itertools import count
from typing import Any

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.teams.app import build_teams
from bot.web import build_plain_asgi
from tests.fake_teams import FakeConnector
from tests.slack_harness import Clock

TENANT = "tenant-1"
BOT = "28:pmo-bot-app"
ANONYMOUS = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}


def serve(asgi: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    config = uvicorn.Config(
        asgi, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


class TeamsBot:
    """The bot as Teams sees it: activities posted to /api/messages, connector calls out."""

    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        now: datetime,
        *,
        env: dict[str, str] | None = None,
    ) -> None:
        self.fake = FakeConnector().start()
        self.clock = Clock(now)
        self.endpoint = build_teams(env or ANONYMOUS, sessions, clock=self.clock)
        asgi = build_plain_asgi(engine, [self.endpoint.route()])
        self.endpoint.mount(asgi)
        self.server, self.thread, self.base = serve(asgi)
        self.ids = count(1)
        self.names: dict[str, str] = {}
        self.tz = "Europe/London"  # every person's clientInfo time zone

    def identities_expire(self) -> None:
        """Forget who is who, as after the cache's few minutes (profiles are read again)."""
        self.endpoint.deps.identities = type(self.endpoint.deps.identities)()

    def settle(self) -> None:
        """Wait for the work the bot does after answering (deliveries)."""
        self.endpoint.deps.background.submit(lambda: None).result(timeout=60)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.endpoint.deps.background.shutdown(wait=True)
        self.fake.stop()

    # --- activities as Teams sends them -------------------------------------------------
    def activity(
        self,
        user: str,
        *,
        conv: str | None = None,
        kind: str = "message",
        tz: str | None = None,
        locale: str = "en-GB",
        **extra: Any,
    ) -> dict[str, Any]:
        conversation = {
            "id": conv or f"a:dm-{user}",
            "tenantId": TENANT,
            "conversationType": "personal" if conv is None else "channel",
        }
        return {
            "type": kind,
            "id": f"in-{next(self.ids)}",
            "channelId": "msteams",
            "serviceUrl": self.fake.url,
            "from": {
                "id": f"29:{user}",
                "name": self.names.get(user, user.title()),
                "aadObjectId": user,
            },
            "recipient": {"id": BOT, "name": "PMO Bot"},
            "conversation": conversation,
            "channelData": {"tenant": {"id": TENANT}},
            "locale": locale,
            "entities": [{"type": "clientInfo", "locale": locale, "timezone": tz or self.tz}],
            **extra,
        }

    def post(self, activity: dict[str, Any], *, bearer: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        req = urllib.request.Request(
            f"{self.base}/api/messages", data=json.dumps(activity).encode(), headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as err:
            raw, status = err.read(), err.code
            err.close()
        self.settle()
        return status, json.loads(raw) if raw else None

    def say(
        self,
        user: str,
        text: str,
        *,
        conv: str | None = None,
        mentions: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """A message: in the personal chat, or in a channel with the bot @mentioned first
        (and people: display name → Entra id)."""
        entities: list[dict[str, Any]] = []
        if conv is not None:
            text = f"<at>PMO Bot</at> {text}"
            entities.append(
                {
                    "type": "mention",
                    "text": "<at>PMO Bot</at>",
                    "mentioned": {"id": BOT, "name": "PMO Bot"},
                }
            )
        for name, aad in (mentions or {}).items():
            entities.append(
                {
                    "type": "mention",
                    "text": f"<at>{name}</at>",
                    "mentioned": {"id": f"29:{aad}", "name": name, "aadObjectId": aad},
                }
            )
        a = self.activity(user, conv=conv, text=text)
        a["entities"] = a["entities"] + entities
        return self.post(a)

    def invoke(
        self, user: str, name: str, value: dict[str, Any], *, conv: str | None = None
    ) -> Any:
        status, body = self.post(
            self.activity(user, conv=conv, kind="invoke", name=name, value=value)
        )
        assert status == 200, (status, body)
        return body

    def click(self, user: str, verb: str, data: dict[str, Any], *, conv: str | None = None) -> Any:
        """An Action.Execute button."""
        return self.invoke(
            user,
            "adaptiveCard/action",
            {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
            conv=conv,
        )

    def install(self, user: str, *, conv: str | None = None) -> tuple[int, Any]:
        return self.post(self.activity(user, conv=conv, kind="installationUpdate", action="add"))

    def last_to(self, conv: str) -> str:
        sent = self.fake.to(conv)
        assert sent, f"nothing sent to {conv}"
        return sent[-1].text
