"""Benchmark: forms open in time under a burst, and the first command after start is quick.

Starts the fake Slack (its own process) and `pmo-bot serve` with two workers on a seeded
SQLite database, then:

1. polls /readyz every 10 ms; the moment it says 200, sends `/pmo help` and times its reply
   (target: within 1 s);
2. sends 200 `/pmo action list mine` per second for 20 s (open loop, each with its own
   response_url) and, every second in between, a `/pmo new`, timing each one's views.open
   at the fake Slack from when it was sent (target: every one within 2.5 s; its trigger_id
   lives 3 s). Prints the max, the acks over 3 s and the list replies delivered.

    python bench/burst.py [--seconds 20] [--rate 200] [--workers 2] [--tiny]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ack_latency import _one, seed
from bench.serving import BIN, ROOT, SECRET, free_port, get
from tests.fake_slack import sign

FAKE_SERVER = """
import json, sys
from tests.fake_slack import FakeSlack
f = FakeSlack().start()
f.add_user("U1", "alice")
print(f.base, flush=True)
for line in sys.stdin:  # "count <prefix>": replies so far; "views": {trigger_id: when opened}
    what, _, prefix = line.strip().partition(" ")
    if what == "count":
        print(json.dumps(sum(1 for r in list(f.responses) if r["url"].startswith(prefix))),
              flush=True)
    else:
        print(json.dumps({c.args.get("trigger_id"): c.at for c in f.of("views.open")}),
              flush=True)
"""
FORM_TARGET, FIRST_TARGET = 2.5, 1.0


class Fake:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", FAKE_SERVER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
        assert self.proc.stdout is not None
        self.base = self.proc.stdout.readline().strip()

    def ask(self, line: str) -> object:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def raw(port: int, text: str, response_url: str, trigger_id: str) -> bytes:
    """One signed `/pmo <text>` as HTTP/1.1 bytes (keep-alive)."""
    body = urllib.parse.urlencode({
        "team_id": "T1", "user_id": "U1", "user_name": "alice", "channel_id": "C1",
        "command": "/pmo", "text": text, "api_app_id": "A1", "response_url": response_url,
        "trigger_id": trigger_id,
    })  # fmt: skip
    lines = [
        "POST /slack/events HTTP/1.1", f"Host: 127.0.0.1:{port}",
        "Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in sign(SECRET, body).items()), "", body,
    ]  # fmt: skip
    return "\r\n".join(lines).encode()


async def burst(port: int, fake: Fake, seconds: float, rate: float, form_every: float
                ) -> tuple[list[float], dict[str, float], int]:  # fmt: skip
    """Open-loop lists at `rate`, a `/pmo new` every `form_every` s: (ack latencies, when
    each form was sent, list requests sent)."""
    n = int(seconds * rate)
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(100):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    acks: list[float] = []
    forms: dict[str, float] = {}

    async def fire(data: bytes, due: float, trigger: str | None) -> None:
        conn = await pool.get()
        if trigger:
            forms[trigger] = time.monotonic()
        try:
            await _one(*conn, data)
        finally:
            acks.append(time.perf_counter() - due)
            pool.put_nowait(conn)

    start = time.perf_counter()
    tasks, next_form, k = [], start + form_every / 2, 0
    for i in range(n):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        lists = raw(port, "action list mine", f"{fake.base}/response/list{i}", f"l{i}")
        tasks.append(asyncio.create_task(fire(lists, due, None)))
        if time.perf_counter() >= next_form:
            k += 1
            trigger = f"new{k}"
            form = raw(port, "new", f"{fake.base}/response/{trigger}", trigger)
            tasks.append(asyncio.create_task(fire(form, time.perf_counter(), trigger)))
            next_form += form_every
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait()[1].close()
    return acks, forms, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tiny", action="store_true", help="2 s at 40/s (for the tests)")
    args = ap.parse_args()
    seconds, rate = (2.0, 40.0) if args.tiny else (args.seconds, args.rate)
    fake = Fake()
    tmp = Path(tempfile.mkdtemp())
    db_url = f"sqlite:///{tmp}/burst.sqlite3"
    seed(db_url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PROMETHEUS"))}
    env.update(DATABASE_URL=db_url, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
               SLACK_API_URL=f"{fake.base}/api/", LOG_LEVEL="WARNING")  # fmt: skip
    with (tmp / "serve.log").open("w") as log:
        proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-scheduler", "--workers", str(args.workers)], env=env,
                                cwd=tmp, stderr=log)  # fmt: skip
    try:
        launched = time.monotonic()
        while True:
            try:
                if get(f"http://127.0.0.1:{port}/readyz", timeout=1) == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() - launched > 120:
                print((tmp / "serve.log").read_text()[-2000:])
                return 1
            time.sleep(0.01)
        ready = time.monotonic()
        first = asyncio.run(first_reply(port, fake))
        print(f"/readyz 200 after {ready - launched:.2f} s; the first command's reply came "
              f"{first:.3f} s after it was sent (target {FIRST_TARGET:.0f} s)")  # fmt: skip
        acks, forms, lists = asyncio.run(burst(port, fake, seconds, rate, 1.0))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            opened = fake.ask("views")
            assert isinstance(opened, dict)
            if all(t in opened for t in forms):
                break
            time.sleep(0.2)
        waits = [float(opened[t]) - sent for t, sent in forms.items() if t in opened]
        missing = len(forms) - len(waits)
        time.sleep(2)
        replies = fake.ask("count /response/list")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        fake.stop()
    over = sum(1 for a in acks if a > 3)
    print(f"burst: {lists} `action list mine` at {rate:.0f}/s for {seconds:.0f} s; "
          f"acks over 3 s: {over}; list replies delivered 2 s after it: {replies}")  # fmt: skip
    late = sum(1 for w in waits if w > FORM_TARGET)
    verdict = "ok" if not late and not missing else "OVER"
    print(
        f"`/pmo new` during the burst: {len(forms)}; views.open max {max(waits, default=0):.3f} s"
        f" ({verdict}, target {FORM_TARGET} s); over target {late}, never opened {missing}"
    )
    return 0


async def first_reply(port: int, fake: Fake) -> float:
    """Send `/pmo help` now; seconds until its reply reaches the fake Slack."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = time.monotonic()
    await _one(reader, writer, raw(port, "help", f"{fake.base}/response/first", "first"))
    writer.close()
    while fake.ask("count /response/first") == 0:
        if time.monotonic() - sent > 30:
            return float("inf")
        await asyncio.sleep(0.005)
    return time.monotonic() - sent


if __name__ == "__main__":
    sys.exit(main())
