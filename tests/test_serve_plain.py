"""`pmo-bot serve` with no chat platform serves what needs none — /healthz and the calendar
feeds the console links to — and an unreachable Slack at start-up is one clear message."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent / "pmo-bot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def plain_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    return {**env, "DATABASE_URL": db_url, **extra}


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("content-type", ""), r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read().decode()


def test_serve_without_chat_settings_serves_healthz_and_the_consoles_feed_link(
    db_url: str, sessions
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = plain_env(db_url, PUBLIC_URL=f"http://127.0.0.1:{port}")
    demo = subprocess.run([str(BIN), "demo", "--no-console"], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    link = subprocess.run([str(BIN), "console", "--as", "maria", "-c", "ics"], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert link.returncode == 0, link.stderr
    found = re.search(r"(http://127\.0\.0\.1:\d+/ics/[\w-]+\.ics)", link.stdout)
    assert found, link.stdout
    server = subprocess.Popen(
        [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert status == 200 and json.loads(body) == {"ok": True}
        status, kind, feed = get(found.group(1))
        assert status == 200 and kind.startswith("text/calendar")
        assert "BEGIN:VCALENDAR" in feed and "Confirm hosting budget with finance" in feed
        assert get(f"http://127.0.0.1:{port}/ics/not-a-token.ics")[0] == 404
        assert get(f"http://127.0.0.1:{port}/slack/events")[0] == 404  # no Slack here
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "No chat platform is configured" in err and "calendar feeds only" in err
    assert "Traceback" not in err


def test_an_unreachable_slack_at_start_up_is_one_message_naming_slack_api_url(
    db_url: str, sessions
) -> None:  # type: ignore[no-untyped-def]
    closed = free_port()  # nothing listens there
    env = plain_env(
        db_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=f"http://127.0.0.1:{closed}/api/",
    )
    run = subprocess.run([str(BIN), "serve", "--port", str(free_port()), "--workers", "0"],
                         env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 1
    assert "Can't reach Slack's Web API at" in run.stderr and "SLACK_API_URL" in run.stderr
    assert "network" in run.stderr and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("Error: Can't reach Slack's Web API")
    assert "slack_sdk" not in run.stderr  # the retries' own errors are not shown
