"""The front acks and hands requests to worker processes; what a worker crash loses.

These run `pmo-bot serve`'s own set-up: the front (build_asgi under uvicorn, port 0) and real
worker processes started by SlackWorkers.start_processes, against the fake Slack.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, func, select

from bot.config import Settings
from bot.db import make_sessionmaker
from bot.slack.app import build_slack_app
from bot.slack.asgi import build_asgi
from bot.slack.handoff import decode, deferrable, encode, supported
from bot.slack.workers import SlackWorkers
from handlers.slack.ids import ActionId, CallbackId
from handlers.slack.runtime import SlackDeps
from models import Person
from services.core.people import PersonDefaults
from tests.fake_slack import FakeSlack, post, sign

SECRET = "workers-secret"
pytestmark = pytest.mark.skipif(not supported(), reason="needs Unix SOCK_SEQPACKET (Linux)")


class Front:
    """The HTTP front of `pmo-bot serve` with `processes` worker processes behind it."""

    def __init__(self, engine: Engine, db_url: str, *, processes: int, threads: int) -> None:
        self.fake = FakeSlack().start()
        self.fake.add_user("U1", "alice")
        self.fake.add_user("U2", "bob")
        settings = Settings(database_url=db_url, slack_bot_token="xoxb-test",
                            slack_signing_secret=SECRET, slack_api_url=self.fake.api_url)  # fmt: skip
        self.deps = SlackDeps(make_sessionmaker(engine))
        app = build_slack_app(settings, self.deps, engine=engine)
        self.workers = SlackWorkers().start_processes(
            settings, PersonDefaults(), processes=processes, threads=threads, priority="0"
        )
        asgi = build_asgi(app, engine, workers=self.workers, signing_secret=SECRET)
        self.server = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=0,
                                                    log_level="warning", lifespan="off"))  # fmt: skip
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/slack/events"

    def command(self, text: str, name: str, user: str = "U1") -> tuple[int, str]:
        body = urllib.parse.urlencode({
            "team_id": "T1", "user_id": user, "channel_id": "C1", "command": "/pmo",
            "text": text, "response_url": self.fake.response_url(name), "trigger_id": "t1",
        })  # fmt: skip
        return post(self.url, body, sign(SECRET, body), "application/x-www-form-urlencoded")

    def reply(self, name: str) -> dict[str, Any] | None:
        return next((r for r in self.fake.responses if r["url"] == f"/response/{name}"), None)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.workers.stop(timeout=10)
        self.deps.background.shutdown(wait=True)
        self.fake.stop()


def wait_until(predicate: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.fixture
def front(engine, sessions, db_url) -> Iterator[Front]:  # type: ignore[no-untyped-def]
    f = Front(engine, db_url, processes=1, threads=1)
    yield f
    f.close()


def test_a_command_is_acked_by_the_front_and_answered_by_a_worker_process(front: Front) -> None:
    assert front.command("help", "c1") == (200, "")
    reply = wait_until(lambda: front.reply("c1"))
    assert reply["text"] == "PMO Bot help" and reply["response_type"] == "ephemeral"
    assert front.workers.queued == 1 and front.workers.ran_here == 0
    assert front.fake.of("users.info")  # the worker resolved the caller
    with urllib.request.urlopen(front.url.replace("/slack/events", "/healthz/workers")) as r:
        assert json.load(r) == {"live": 1, "ready": 1, "queued": 1, "ran_here": 0, "backlog": 0,
                                "restarts": 0, "depth_forms": 0, "depth_work": 0}  # fmt: skip
    # A bad signature never reaches the queue.
    body = "command=%2Fpmo&text=help&team_id=T1&user_id=U1&channel_id=C1"
    assert post(front.url, body, sign("wrong", body), "application/x-www-form-urlencoded")[0] == 401
    assert front.workers.queued == 1


def test_a_killed_worker_loses_only_the_request_it_was_running(front: Front, sessions) -> None:  # type: ignore[no-untyped-def]
    """The worker running a request dies: that request is lost (no reply, nothing saved),
    requests still queued are run by its replacement."""
    front.fake.latency["users.info"] = 60  # the worker will be inside Slack's answer
    assert front.command("help", "lost") == (200, "")
    wait_until(lambda: "users.info" in front.fake.started)
    assert front.command('project new KEEP "Kept"', "queued", user="U2") == (200, "")
    [pid] = front.workers.pids()
    os.kill(pid, signal.SIGKILL)
    front.fake.latency.clear()
    wait_until(lambda: front.workers.restarts == 1)
    reply = wait_until(lambda: front.reply("queued"))
    assert "KEEP" in reply["text"]
    assert front.workers.pids() != [pid]
    time.sleep(0.5)
    assert front.reply("lost") is None
    with sessions() as s:  # alice's request died before anything was committed for her
        assert s.scalars(select(Person.external_id)).all() == ["U2"]
    # The replacement serves new requests as before.
    assert front.command("help", "after") == (200, "")
    assert wait_until(lambda: front.reply("after"))["text"] == "PMO Bot help"


def test_with_no_worker_alive_the_front_runs_requests_itself(front: Front, sessions) -> None:  # type: ignore[no-untyped-def]
    front.workers.live = 0  # as between a worker's death and its replacement
    assert front.command("help", "here") == (200, "")
    assert wait_until(lambda: front.reply("here"))["text"] == "PMO Bot help"
    assert front.workers.ran_here == 1
    with sessions() as s:
        assert s.scalar(select(func.count(Person.id))) == 1


class _Recorder:
    """A stand-in Bolt app for the worker loop: records the text of each command."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def dispatch(self, req: Any) -> Any:
        from slack_bolt import BoltResponse

        self.texts.append(req.body["text"])
        return BoltResponse(status=200, body="")


def test_a_full_socket_spills_into_a_bounded_backlog_handed_over_in_order() -> None:
    def command(n: int) -> bytes:
        raw = urllib.parse.urlencode({"command": "/pmo", "text": f"{n:06d}" + "x" * 900})
        return encode(raw.encode(), {"content-type": "application/x-www-form-urlencoded"}, "")

    app = _Recorder()
    size = len(command(0))  # give or take a few bytes of timestamp
    workers = SlackWorkers(max_backlog=10 * size + size // 2)
    workers.live = 1  # as if started; the worker thread starts once the socket is full

    async def scenario() -> tuple[int, int]:
        n = 0
        while workers.stats()["backlog"] == 0:  # until the kernel buffer is full
            assert workers.submit(command(n))
            n += 1
        while workers.submit(command(n)):
            n += 1
        refused = n  # the backlog is full: the front must run this one itself
        assert workers.stats()["backlog"] == 10 and workers.ran_here == 1
        workers.start_threads(app, 1)  # type: ignore[arg-type]
        while workers.stats()["backlog"]:  # the event loop hands the backlog over
            await asyncio.sleep(0.01)
        assert workers.submit(command(n + 1))
        return refused, n + 1

    refused, last = asyncio.run(scenario())
    workers.stop()
    expected = [f"{i:06d}" for i in range(last + 1) if i != refused]
    assert [t[:6] for t in app.texts] == expected


# -- which requests the front may ack for the listeners --------------------------------------


def _form(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def test_only_requests_whose_listeners_ack_empty_are_deferred() -> None:
    command = urllib.parse.urlencode({"command": "/pmo", "text": "a&command=b"}).encode()
    assert deferrable(command)
    assert deferrable(_form({"type": "block_actions", "actions": []}))
    assert deferrable(_form({"type": "message_action", "callback_id": "x"}))
    assert deferrable(json.dumps({"type": "event_callback", "event": {}}).encode())
    for kind in ("view_submission", "view_closed", "block_suggestion", "interactive_message"):
        assert not deferrable(_form({"type": kind}))
    assert not deferrable(json.dumps({"type": "url_verification", "challenge": "c"}).encode())
    assert not deferrable(b"ssl_check=1&token=x")
    assert not deferrable(b"text=command%3Dx")  # the key, not a value
    assert not deferrable(b"payload=%7Bnot-json")


def test_a_queue_message_carries_the_request_as_bolt_reads_it() -> None:
    raw = b"command=%2Fpmo&text=action+list+mine&team_id=T1&user_id=U1"
    req = decode(encode(raw, {"content-type": "application/x-www-form-urlencoded",
                              "x-slack-retry-num": "1"}, "a=1"))  # fmt: skip
    assert req.body["text"] == "action list mine" and req.body["command"] == "/pmo"
    assert req.headers["x-slack-retry-num"] == ["1"] and req.query == {"a": ["1"]}


class _Discard(Executor):
    """Bolt's listener executor that drops lazy listeners: dispatch returns only the ack."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return Future()


def test_every_listener_the_front_acks_for_acks_empty(sessions) -> None:  # type: ignore[no-untyped-def]
    """The front answers 200 with an empty body for commands, clicks, shortcuts and events,
    so a listener for those may not answer anything else (a new listener that must answer
    in its ack belongs to the kinds that are dispatched synchronously, or needs the front
    changed)."""
    fake = FakeSlack().start()
    settings = Settings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                        slack_api_url=fake.api_url)  # fmt: skip
    app = build_slack_app(settings, SlackDeps(sessions, background=_Discard()))  # type: ignore[arg-type]
    common = {"team": {"id": "T1"}, "user": {"id": "U1"}, "api_app_id": "A1", "trigger_id": "t"}
    samples: list[bytes] = [
        urllib.parse.urlencode({"command": "/pmo", "text": "help", "team_id": "T1",
                                "user_id": "U1", "response_url": "http://x/r"}).encode(),
        json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "api_app_id": "A1",
                    "event": {"type": "app_home_opened", "user": "U1", "tab": "home"}}).encode(),
    ]  # fmt: skip
    for action_id in ActionId:
        action = {"action_id": action_id, "block_id": "b", "type": "button", "value": "1"}
        samples.append(_form({"type": "block_actions", "actions": [action], **common}))
    for callback_id in CallbackId:
        samples.append(_form({"type": "message_action", "callback_id": callback_id,
                              "message": {"ts": "1.1", "text": "x"},
                              "channel": {"id": "C1"}, **common}))  # fmt: skip
    handled = 0
    for raw in samples:
        assert deferrable(raw), raw
        headers = {"content-type": "application/x-www-form-urlencoded",
                   **sign(SECRET, raw.decode())}  # fmt: skip
        bolt_ack = app.dispatch(decode(encode(raw, headers, "")))
        assert bolt_ack.status == 404 or (bolt_ack.status, bolt_ack.body) == (200, ""), (
            raw[:200], bolt_ack.status, bolt_ack.body
        )  # fmt: skip
        handled += bolt_ack.status == 200
    # The command, the event, every message shortcut and every button.
    shortcuts = [c for c in CallbackId if ".shortcut." in c]
    assert len(shortcuts) == 3  # create item, add to minutes, log as risk / issue
    assert handled == 2 + len(shortcuts) + len(ActionId)
    assert [c.method for c in fake.calls] == ["auth.test"]  # Bolt's, once; no work in an ack
    fake.stop()


# -- `pmo-bot serve` itself -------------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_pmo_bot_serve_starts_its_workers_and_stops_them_on_sigterm(
    db_url: str, sessions, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    fake = FakeSlack().start()
    fake.add_user("U1", "alice")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": db_url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url}  # fmt: skip
    exe = Path(sys.executable).with_name("pmo-bot")
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-scheduler", "--workers", "2"], env=env, cwd=tmp_path,
                                stderr=err)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        body = urllib.parse.urlencode({
            "team_id": "T1", "user_id": "U1", "channel_id": "C1", "command": "/pmo",
            "text": "help", "response_url": fake.response_url("serve"), "trigger_id": "t1",
        })  # fmt: skip

        def acked() -> bool:
            form = "application/x-www-form-urlencoded"
            try:
                return post(url, body, sign(SECRET, body), form) == (200, "")
            except OSError:  # not listening yet
                return False

        wait_until(acked)
        reply = wait_until(
            lambda: next((r for r in fake.responses if r["url"] == "/response/serve"), None)
        )
        assert reply["text"] == "PMO Bot help"
        workers = _children(proc.pid)
        assert len(workers) >= 2  # two workers (and multiprocessing's resource tracker)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == -signal.SIGTERM  # as uvicorn ends, after the workers
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        fake.stop()
    stderr = log.read_text()
    assert "run by 2 worker process(es)" in stderr
    assert "Traceback" not in stderr, stderr
