"""`pmo-bot serve` serves Teams at /api/messages on the same server as Slack, as configured,
and says at start-up which platforms it serves (anonymous mode loudly)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fake_slack import FakeSlack
from tests.fake_teams import FakeConnector
from tests.test_serve_plain import BIN, free_port, get, plain_env

ANON = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector().start()
    yield fake
    fake.stop()


def post(url: str, body: dict[str, Any]) -> int:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [
            str(BIN),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-scheduler",
            "--workers",
            "0",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            get(f"http://127.0.0.1:{port}/healthz")
            return server
        except (urllib.error.URLError, ConnectionError):
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)


def help_activity(service_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": "m1",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:ana", "name": "Ana", "aadObjectId": "ana"},
        "recipient": {"id": "28:bot", "name": "PMO Bot"},
        "conversation": {"id": "a:dm-ana", "tenantId": "t1", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "t1"}},
        "text": "help",
    }


def test_serve_with_teams_alone_answers_on_api_messages_and_warns_of_anonymous_mode(
    db_url: str, sessions: Any, connector: FakeConnector
) -> None:
    port = free_port()
    server = serve(plain_env(db_url, **ANON), port)
    try:
        assert post(f"http://127.0.0.1:{port}/api/messages", help_activity(connector.url)) == 202
        assert connector.to("a:dm-ana") and connector.to("a:dm-ana")[0].cards
        assert get(f"http://127.0.0.1:{port}/slack/events")[0] == 404  # no Slack here
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "Teams at /api/messages in ANONYMOUS mode" in err and "Local tests only" in err
    assert "Traceback" not in err


def test_serve_with_slack_and_teams_serves_both_on_one_port(
    db_url: str, sessions: Any, connector: FakeConnector
) -> None:
    slack = FakeSlack().start()
    port = free_port()
    env = plain_env(
        db_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="s3cret",
        SLACK_API_URL=slack.api_url,
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID="00000000-0000-0000-0000-00000000000a",
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET="x",
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID="t1",
    )
    server = serve(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        assert post(f"{base}/api/messages", help_activity(connector.url)) == 401  # no bearer
        assert connector.sent == []
        unsigned = urllib.request.Request(f"{base}/slack/events", data=b"command=/pmo&text=help")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unsigned, timeout=10)
        refused.value.close()
        assert refused.value.code == 401
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
        slack.stop()
    assert "PMO Bot serving Slack" in err or "PMO Bot serving HTTP" in err, err
    assert "Teams at /api/messages for app 00000000-0000-0000-0000-00000000000a" in err
    assert "ANONYMOUS" not in err and "Traceback" not in err


def test_the_scheduler_sends_each_workspace_through_its_platform(
    db_url: str, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import scheduler
    from bot.config import Settings
    from bot.teams.app import ByPlatform
    from handlers.console.notifier import ConsoleNotifier
    from handlers.slack.notifier import SlackNotifier
    from handlers.teams.notifier import TeamsNotifier

    plain = Settings(database_url=db_url)
    slack = Settings(database_url=db_url, slack_bot_token="xoxb-1", slack_signing_secret="s")
    monkeypatch.delenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", raising=False)
    assert isinstance(scheduler.build_notifier(plain, engine), ConsoleNotifier)
    assert isinstance(scheduler.build_notifier(slack, engine), SlackNotifier)
    for key, value in ANON.items():
        monkeypatch.setenv(key, value)
    assert isinstance(scheduler.build_notifier(plain, engine), TeamsNotifier)
    both = scheduler.build_notifier(slack, engine)
    assert isinstance(both, ByPlatform) and set(both.notifiers) == {"slack", "teams"}
