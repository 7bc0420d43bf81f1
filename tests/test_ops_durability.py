"""Requests acked but not yet run when `pmo-bot serve` dies (issue 15, part 6): on SIGTERM
none is lost (the front hands its backlog over, the workers finish the queue); on SIGKILL
of the front only its in-memory backlog can be lost (the kernel's queue is the workers' and
they drain it). Measured, printed and asserted."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fake_slack import FakeSlack, post, sign
from tests.slack_harness import SECRET

COMMANDS = 300


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _replies_once_workers_exit(fake: FakeSlack, workers: set[int], limit: float = 180) -> int:
    """Replies received once every worker has drained its queue and exited."""
    deadline = time.monotonic() + limit
    while any(Path(f"/proc/{p}").exists() for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # the last reply's HTTP answer
    return sum(1 for r in fake.responses if r["url"].startswith("/response/c"))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux only")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_requests_lost_when_the_server_dies_are_at_most_its_backlog(
    db_url: str, sessions, tmp_path: Path, how: signal.Signals
) -> None:  # type: ignore[no-untyped-def]
    fake = FakeSlack().start()
    fake.add_user("U1", "alice")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": db_url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url}  # fmt: skip
    exe = Path(sys.executable).with_name("pmo-bot")
    with (tmp_path / "serve.log").open("w") as err:
        proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-scheduler", "--workers", "1"], env=env, cwd=tmp_path,
                                stderr=err)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "serve did not become ready"
            time.sleep(0.05)

        def command(n: int) -> int:
            body = urllib.parse.urlencode({
                "team_id": "T1", "user_id": "U1", "channel_id": "C1", "command": "/pmo",
                "text": "help", "response_url": fake.response_url(f"c{n}"), "trigger_id": f"t{n}",
            })  # fmt: skip
            form = "application/x-www-form-urlencoded"
            return post(base + "/slack/events", body, sign(SECRET, body), form)[0]

        with ThreadPoolExecutor(16) as pool:
            assert set(pool.map(command, range(COMMANDS))) == {200}
        with urllib.request.urlopen(base + "/healthz/workers", timeout=5) as r:
            stats = json.load(r)
        workers = _children(proc.pid)
        assert workers
        os.kill(proc.pid, how)
        proc.wait(timeout=120)
        replied = _replies_once_workers_exit(fake, workers)
        lost = COMMANDS - replied
        print(f"\n{how.name}: {lost} of {COMMANDS} acked requests lost; "
              f"backlog in the front's memory at the signal: {stats['backlog']}")  # fmt: skip
        if how == signal.SIGTERM:
            assert lost == 0
        else:
            assert lost <= stats["backlog"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        fake.stop()
