"""Socket Mode end to end: the real `pmo-bot serve --socket` in its own process, Slack faked at
the network boundary — the Web API over HTTP (tests/fake_slack.py) and the Socket Mode
websocket (tests/fake_socket.py) that `apps.connections.open` points the bot at."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.slack.ids import ActionId, BlockId, CallbackId
from models import ActionItem, ActionStatus, ProcessedEvent, Project
from tests.fake_slack import FakeSlack
from tests.fake_socket import FakeSocketMode, wait_for

BIN = Path(sys.executable).parent / "pmo-bot"
APP_TOKEN = "xapp-1-A1-test"
BOT_TOKEN = "xoxb-test"
ACK_WITHIN = 3.0  # seconds: Slack's limit for acknowledging an envelope


class SocketBot:
    """`pmo-bot serve --socket` as a child process, connected to the fake Socket Mode server."""

    def __init__(self, db_url: str, workdir: Path, *, fail_open: str | None = None) -> None:
        self.fake = FakeSlack().start()
        self.socket = FakeSocketMode().start()
        self.fake.socket_url = self.socket.issue_url
        if fail_open:
            self.fake.fail("apps.connections.open", error=fail_open)
        self.fake.add_user("U1", "alice", tz="Europe/London")
        self.fake.add_user("U2", "bob", tz="America/Los_Angeles")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        env.update(
            DATABASE_URL=db_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=self.fake.api_url, LOG_LEVEL="INFO", PYTHONUNBUFFERED="1",
        )  # fmt: skip
        self.log_path = workdir / "serve.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [str(BIN), "serve", "--socket", "--no-scheduler"],
            cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self._n = 0
        self._stopped = False

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_connected(self, timeout: float = 30.0) -> None:
        """Until the bot holds a Socket Mode connection and says so; fails at once if it exits."""
        deadline = time.monotonic() + timeout
        while not (self.socket.connected.is_set() and "Connected to Slack" in self.log()):
            if self.proc.poll() is not None:
                raise AssertionError(f"pmo-bot exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"pmo-bot did not connect within {timeout} s:\n{self.log()}")
            time.sleep(0.02)

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Stop the bot with `sig` (waiting at most 10 s), then the fakes; returns its exit code.
        Calling it again only returns the code."""
        if self._stopped:
            return self.proc.returncode
        self._stopped = True
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            return self.proc.returncode
        finally:
            self._log.close()
            self.socket.stop()
            self.fake.stop()

    # -- what Slack sends -----------------------------------------------------------------------
    def _next(self) -> int:
        self._n += 1
        return self._n

    def send_command(self, text: str, *, user: str = "U1") -> tuple[str, str]:
        """Send `/pmo <text>` as a slash_commands envelope; returns (envelope_id, the path of
        its response_url on the fake)."""
        n = self._next()
        payload = {
            "token": "legacy", "team_id": "T1", "team_domain": "acme", "channel_id": "C1",
            "channel_name": "general", "user_id": user, "user_name": user.lower(),
            "command": "/pmo", "text": text, "api_app_id": "A1", "is_enterprise_install": "false",
            "response_url": self.fake.response_url(f"cmd{n}"), "trigger_id": f"trig{n}",
        }  # fmt: skip
        return self.socket.slash_command(payload), f"/response/cmd{n}"

    def command(self, text: str, *, user: str = "U1") -> dict[str, Any]:
        """`/pmo <text>`: acked within 3 s with an empty ack; returns the reply then posted to
        its response_url."""
        eid, path = self.send_command(text, user=user)
        assert self.socket.wait_ack(eid, ACK_WITHIN).payload is None
        return self.reply(path)

    def reply(self, path: str, timeout: float = 10.0) -> dict[str, Any]:
        return wait_for(
            lambda: next((r for r in self.fake.responses if r["url"] == path), None),
            timeout, f"nothing was posted to {path} within {timeout} s:\n{self.log()}",
        )  # fmt: skip

    def click(self, blocks: list[dict[str, Any]], action_id: str, *, block_id: str,
              user: str = "U1") -> str:  # fmt: skip
        """Click the `action_id` button of block `block_id` in a message; returns the
        response_url path the bot answers on."""
        block = next(b for b in blocks if b.get("block_id") == block_id)
        button = next(e for e in block["elements"] if e["action_id"] == action_id)
        n = self._next()
        payload = {
            "type": "block_actions", "token": "legacy", "api_app_id": "A1",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1",
                          "is_ephemeral": True},
            "trigger_id": f"trig{n}", "channel": {"id": "C1", "name": "general"},
            "message": {"type": "message", "ts": "1.1", "blocks": blocks},
            "response_url": self.fake.response_url(f"act{n}"),
            "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                         "value": button["value"], "text": button["text"],
                         "action_ts": "1.2"}],
        }  # fmt: skip
        ack = self.socket.wait_ack(self.socket.interactive(payload), ACK_WITHIN)
        assert ack.payload is None
        return f"/response/act{n}"

    def submit(self, view: dict[str, Any], values: dict[str, dict[str, Any]], *,
               user: str = "U1") -> dict[str, Any] | None:  # fmt: skip
        """Submit a modal the bot opened; returns the payload of the ack (None when empty)."""
        payload = {
            "type": "view_submission", "token": "legacy", "api_app_id": "A1",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "trigger_id": f"trig{self._next()}", "is_enterprise_install": False,
            "view": {**view, "id": "V1", "team_id": "T1", "state": {
                "values": {k: {"value": v} for k, v in values.items()}}},
            "response_urls": [],
        }  # fmt: skip
        return self.socket.wait_ack(self.socket.interactive(payload), ACK_WITHIN).payload

    def app_home_opened(self, event_id: str, *, retry_attempt: int = 0,
                        retry_reason: str = "") -> str:  # fmt: skip
        payload = {
            "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event": {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home",
                      "event_ts": "1700000000.000100"},
            "event_id": event_id, "event_time": 1700000000,
            "authorizations": [{"enterprise_id": None, "team_id": "T1", "user_id": "UBOT",
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }  # fmt: skip
        return self.socket.event(payload, retry_attempt=retry_attempt, retry_reason=retry_reason)


@pytest.fixture
def bot(db_url: str, sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[SocketBot]:
    """The bot connected over Socket Mode; afterwards it must stop cleanly on Ctrl-C."""
    b = SocketBot(db_url, tmp_path)
    try:
        b.wait_connected()
    except BaseException:
        b.stop()
        raise
    yield b
    code = b.stop(signal.SIGINT)
    log = b.log()
    assert code == 0 and "Disconnected from Slack." in log, f"unclean stop ({code}):\n{log}"
    assert "Traceback" not in log and "Aborted" not in log, log
    assert BOT_TOKEN not in log and APP_TOKEN not in log  # tokens are never logged
    assert b.socket.unexpected == []  # the bot sent nothing over the socket but acks


def count(sessions: sessionmaker[Session], model: Any) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_serve_socket_says_so_and_finishes_acked_work_when_stopped(bot: SocketBot) -> None:
    (opened,) = bot.fake.of("apps.connections.open")
    assert opened.args["_token"] == APP_TOKEN  # the app-level token, not the bot token
    log = bot.log()
    assert "PMO Bot serving Slack Socket Mode, single workspace" in log
    assert "workspace None (T1) as bot pmo" in log  # auth.test with the bot token
    assert "Connected to Slack over Socket Mode" in log and "/slack/events" not in log
    # SIGTERM (what a service manager sends) right after an ack: the reply still goes out.
    bot.fake.latency["users.info"] = 1.5  # the work after the ack takes a while
    eid, path = bot.send_command("help")
    bot.socket.wait_ack(eid, ACK_WITHIN)
    assert bot.fake.responses == []  # still working on it
    assert bot.stop(signal.SIGTERM) == 0
    assert bot.reply(path, timeout=0.1)["text"] == "PMO Bot help"
    assert "Disconnected from Slack." in bot.log() and "Traceback" not in bot.log()


def test_slash_command_is_acked_over_the_socket_and_takes_effect(
    bot: SocketBot, sessions: sessionmaker[Session]
) -> None:
    reply = bot.command('project new APOLLO "Moon portal"')
    assert reply["response_type"] == "in_channel" and "APOLLO" in reply["text"]
    with sessions() as s:
        assert s.scalar(select(Project.name).where(Project.key == "APOLLO")) == "Moon portal"
    bot.command('action add APOLLO "Send the plan" due:2027-01-15')
    listing = bot.command("action list mine")
    assert listing["response_type"] == "ephemeral"
    assert "Send the plan" in json.dumps(listing["blocks"])
    assert all(a.seconds < ACK_WITHIN for a in bot.socket.acks.values())


def test_done_button_over_the_socket_completes_the_item(
    bot: SocketBot, sessions: sessionmaker[Session]
) -> None:
    bot.command('action add "First" due:2027-01-15')
    bot.command('action add "Second" due:2027-01-16')
    blocks = bot.command("action list mine")["blocks"]
    first = next(b["block_id"] for b in blocks if b["type"] == "actions")
    item_id = int(first.split(":")[1])
    path = bot.click(blocks, ActionId.ITEM_DONE, block_id=first)
    update = bot.reply(path)
    assert update["replace_original"] is True
    assert "Marked done by <@U1>" in json.dumps(update["blocks"])
    with sessions() as s:
        assert s.get(ActionItem, item_id).status == ActionStatus.DONE
        assert s.scalar(select(ActionItem.status).where(ActionItem.id != item_id)) == (
            ActionStatus.OPEN
        )


def test_modal_field_errors_come_back_in_the_ack_over_the_socket(
    bot: SocketBot, sessions: sessionmaker[Session]
) -> None:
    eid, _ = bot.send_command("new")
    assert bot.socket.wait_ack(eid, ACK_WITHIN).payload is None
    opened = wait_for(lambda: bot.fake.of("views.open"), 10, f"no modal opened:\n{bot.log()}")
    view = opened[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == CallbackId.NEW_ITEM_MODAL
    ack = bot.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": ""},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U2"},
    })  # fmt: skip
    assert ack is not None and ack["response_action"] == "errors"
    assert BlockId.TITLE in ack["errors"]
    assert count(sessions, ActionItem) == 0
    ack = bot.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Book the room"},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U2"},
        BlockId.DUE: {"type": "datepicker", "selected_date": "2027-01-15"},
    })  # fmt: skip
    assert ack is None  # an empty ack closes the modal
    with sessions() as s:
        assert s.scalar(select(ActionItem.title)) == "Book the room"


def test_retried_event_is_acked_and_has_one_effect(
    bot: SocketBot, sessions: sessionmaker[Session]
) -> None:
    first = bot.app_home_opened("EvHome1")
    bot.socket.wait_ack(first, ACK_WITHIN)
    # Slack resends the same event (same event_id) when it thinks the first was lost.
    retry = bot.app_home_opened("EvHome1", retry_attempt=1, retry_reason="timeout")
    bot.socket.wait_ack(retry, ACK_WITHIN)  # acked too, or Slack would keep retrying
    wait_for(lambda: bot.fake.of("views.publish"), 10, f"Home was not published:\n{bot.log()}")
    # A different event is still handled: once its Home is out, the retry's would be too.
    bot.socket.wait_ack(bot.app_home_opened("EvHome2"), ACK_WITHIN)
    wait_for(lambda: len(bot.fake.of("views.publish")) >= 2, 10, "the second event was lost")
    time.sleep(0.3)
    published = bot.fake.of("views.publish")
    assert len(published) == 2 and {c.args["user_id"] for c in published} == {"U1"}
    assert count(sessions, ProcessedEvent) == 2  # one row per event id, the retry's included


def test_a_rejected_app_token_stops_serve_with_a_message_naming_it(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    b = SocketBot(db_url, tmp_path, fail_open="invalid_auth")
    try:
        code = b.proc.wait(timeout=30)
    finally:
        b.stop()
    assert code == 1
    assert "SLACK_APP_TOKEN" in b.log() and "invalid_auth" in b.log()
    assert "Traceback" not in b.log()
