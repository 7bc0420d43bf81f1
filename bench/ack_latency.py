"""Benchmark: how fast `pmo-bot serve` acks a signed `/pmo action list mine`, and that the
work still gets done.

Starts, each in its own process: `pmo-bot serve` itself (its front under uvicorn and its
worker processes, on a seeded SQLite database, Web API pointed at the fake Slack), the
reference — a bare Bolt app in its fastest HTTP set-up (`process_before_response=True`, a
`/pmo` listener that only acks) behind Bolt's own Starlette adapter under uvicorn — and the
fake Slack (in production Slack's CPU is not ours). A keep-alive asyncio client sends the
same signed request to each at 50 concurrent connections for a fixed time, alternating
A B A B; after each phase of ours it waits until every reply has reached the fake Slack
(so the reference is never measured while our workers catch up). Then an open-loop
200 requests/s to ours, each request with its own response_url, to time request -> reply.
Prints requests/s, p50 and p99 per round and overall, the ratios, acks over 3 s, replies
delivered, and the load average (the machine is shared: other work skews the figures).

    python bench/ack_latency.py [--seconds 5] [--connections 50] [--rate 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret"


FAKE_SERVER = """
import json, sys, time
from tests.fake_slack import FakeSlack

class Timed(list):  # each response_url post, with when it arrived
    def append(self, item):
        super().append({**item, "_at": time.time()})

f = FakeSlack()
f.responses = Timed()
f.start()
f.add_user("U1", "alice")
print(f.base, flush=True)
for line in sys.stdin:  # "count <prefix>": posts so far; "times <prefix>": {url: arrival}
    what, prefix = line.split(maxsplit=1)
    found = [r for r in list(f.responses) if r["url"].startswith(prefix.strip())]
    out = len(found) if what == "count" else {r["url"]: r["_at"] for r in found}
    print(json.dumps(out), flush=True)
"""


class Fake:
    """The fake Slack in its own process (in production Slack's CPU is not ours)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", FAKE_SERVER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
        assert self.proc.stdout is not None
        self.base = self.proc.stdout.readline().strip()
        self.api_url = f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    def count(self, name: str) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"count /response/{name}\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def times(self, prefix: str) -> dict[str, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"times /response/{prefix}\n")
        self.proc.stdin.flush()
        return dict(json.loads(self.proc.stdout.readline()))

    def wait_for(self, name: str, n: int, timeout: float) -> tuple[int, float]:
        """Wait until `n` replies were posted to `name` (or timeout); (count, seconds waited)."""
        t0 = time.monotonic()
        while (got := self.count(name)) < n and time.monotonic() - t0 < timeout:
            time.sleep(0.1)
        return got, time.monotonic() - t0

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def start_ours(
    db_url: str, api_url: str, workers: int
) -> tuple[subprocess.Popen[bytes], int, Path]:
    """`pmo-bot serve` itself, as an operator would run it, on a free port (its stderr goes to
    serve.log in a temporary directory)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": db_url, "SLACK_BOT_TOKEN": "xoxb-bench",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url, "LOG_LEVEL": "WARNING"}  # fmt: skip
    exe = Path(sys.executable).with_name("pmo-bot")
    where = Path(tempfile.mkdtemp())
    with (where / "serve.log").open("w") as log:
        proc = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler",
             "--workers", str(workers)], env=env, cwd=where, stderr=log,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc, port, where / "serve.log"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("pmo-bot serve did not start")


def _serve_reference(api_url: str, q: mp.Queue) -> None:  # type: ignore[type-arg]
    from slack_bolt import Ack, App
    from slack_bolt.adapter.starlette import SlackRequestHandler
    from slack_sdk import WebClient
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route

    app = App(client=WebClient(token="xoxb-ref", base_url=api_url), signing_secret=SECRET,
              process_before_response=True, token_verification_enabled=False)  # fmt: skip

    @app.command("/pmo")
    def only_ack(ack: Ack) -> None:
        ack()

    handler = SlackRequestHandler(app)

    async def endpoint(req: Request):  # type: ignore[no-untyped-def]
        return await handler.handle(req)

    _run(Starlette(routes=[Route("/slack/events", endpoint, methods=["POST"])]), q)


def _run(asgi, q) -> None:  # type: ignore[no-untyped-def]
    import logging

    import uvicorn

    logging.disable(logging.WARNING)
    config = uvicorn.Config(asgi, host="127.0.0.1", port=0, log_level="error", access_log=False,
                            lifespan="off", ws="none")  # fmt: skip
    server = uvicorn.Server(config)

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        q.put(server.servers[0].sockets[0].getsockname()[1])
        await task

    asyncio.run(main())


def seed(db_url: str) -> None:
    from bot.db import make_engine, make_sessionmaker, session_scope, upgrade
    from models import Platform
    from services.core import people
    from services.core.access import actor_for
    from services.work import action_items

    engine = make_engine(db_url)
    upgrade(engine)
    now = datetime.now(UTC)
    with session_scope(make_sessionmaker(engine)) as s:
        ws = people.ensure_workspace(
            s, platform=Platform.SLACK, external_id="T1", name="Bench", now=now
        )
        me = people.upsert_person(s, workspace_id=ws.id, external_id="U1", handle="alice",
                                  display_name="Alice", timezone="Europe/London", now=now)  # fmt: skip
        actor = actor_for(s, me)
        for i in range(8):
            action_items.add(s, actor, title=f"Item {i}", owner=me, now=now)
    engine.dispose()


def request_bytes(port: int, response_url: str) -> bytes:
    from tests.fake_slack import sign

    body = urllib.parse.urlencode({
        "team_id": "T1", "user_id": "U1", "user_name": "alice", "channel_id": "C1",
        "command": "/pmo", "text": "action list mine", "api_app_id": "A1",
        "response_url": response_url, "trigger_id": "t",
    })  # fmt: skip
    headers = sign(SECRET, body)
    lines = [
        "POST /slack/events HTTP/1.1", f"Host: 127.0.0.1:{port}",
        "Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()), "", body,
    ]  # fmt: skip
    return "\r\n".join(lines).encode()


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> int:
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def closed_loop(
    port: int, seconds: float, connections: int, response_url: str
) -> tuple[list[float], int]:
    raw = request_bytes(port, response_url)
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                if await _one(reader, writer, raw) != 200:
                    errors += 1
                latencies.append(time.perf_counter() - t0)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies, errors


async def open_loop(
    port: int, seconds: float, rate: float, reply_url: Callable[[int], str]
) -> tuple[list[float], int, dict[int, float]]:
    """Requests at a fixed rate, each with its own response_url; ack latencies counted from
    when each was due, and the wall-clock time each was sent (to time its reply)."""
    n = int(seconds * rate)
    raws = [request_bytes(port, reply_url(i)) for i in range(n)]
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(200):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    sent: dict[int, float] = {}
    errors = 0

    async def fire(i: int, scheduled: float) -> None:
        nonlocal errors
        conn = await pool.get()
        sent[i] = time.time()
        try:
            if await _one(*conn, raws[i]) != 200:
                errors += 1
        finally:
            latencies.append(time.perf_counter() - scheduled)  # from when it was due
            pool.put_nowait(conn)

    start = time.perf_counter()
    tasks = []
    for i in range(n):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(fire(i, due)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait()[1].close()
    return latencies, errors, sent


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--workers", type=int, default=2, help="pmo-bot serve --workers")
    args = ap.parse_args()

    fake = Fake()
    db_url = f"sqlite:///{tempfile.mkdtemp()}/ack.sqlite3"
    seed(db_url)
    ctx = mp.get_context("spawn")
    q_ref = ctx.Queue()
    ref = ctx.Process(target=_serve_reference, args=(fake.api_url, q_ref), daemon=True)
    ref.start()
    ours, port_ours, serve_log = start_ours(db_url, fake.api_url, args.workers)
    ports = {"ours": port_ours, "reference": q_ref.get(timeout=60)}
    results: dict[str, list[float]] = {"ours": [], "reference": []}
    errors = {"ours": 0, "reference": 0}
    elapsed = {"ours": 0.0, "reference": 0.0}
    sent_ours = 0
    delivered_ours = 0

    def phase(name: str, label: str, seconds: float) -> tuple[list[float], int]:
        """One closed-loop phase; for ours, then wait until every reply is delivered."""
        nonlocal sent_ours, delivered_ours
        lat, err = asyncio.run(
            closed_loop(ports[name], seconds, args.connections, fake.response_url(label))
        )
        if name == "ours":
            got, waited = fake.wait_for(label, len(lat), timeout=600)
            print(f"  {label}: {len(lat)} acked, {got} replies delivered, the last "
                  f"{waited:.1f} s after the phase ended")  # fmt: skip
            sent_ours += len(lat)
            delivered_ours += got
        return lat, err

    print(f"/pmo action list mine, {args.connections} connections, 2 x {args.seconds:.0f} s "
          f"each, A B A B; pmo-bot serve --workers {args.workers}; {os.cpu_count()} CPUs, "
          f"load average before {os.getloadavg()[0]:.2f}")  # fmt: skip
    for name in ("ours", "reference"):  # warm-up
        phase(name, f"warm-{name}", 1.0)
    rounds: list[dict[str, tuple[float, float, float, float]]] = []
    for n in (1, 2):
        this: dict[str, tuple[float, float, float, float]] = {}
        for name in ("ours", "reference"):
            lat, err = phase(name, f"{name}-{n}", args.seconds)
            results[name] += lat
            errors[name] += err
            elapsed[name] += args.seconds
            this[name] = (len(lat) / args.seconds, pct(lat, 0.5), pct(lat, 0.99), max(lat) * 1000)
        rounds.append(this)
    print(f"{'round':<6} {'server':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for n, this in enumerate(rounds, 1):
        for name, (rps, p50, p99, top) in this.items():
            print(f"{n:<6} {name:<10} {rps:>8.0f} {p50:>8.1f} {p99:>8.1f} {top:>8.1f}")
    print(f"{'both':<6} {'server':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    stats = {}
    for name in ("ours", "reference"):
        lat = results[name]
        stats[name] = (len(lat) / elapsed[name], pct(lat, 0.5), pct(lat, 0.99))
        print(f"{'both':<6} {name:<10} {stats[name][0]:>8.0f} {stats[name][1]:>8.1f} "
              f"{stats[name][2]:>8.1f} {errors[name]:>7}")  # fmt: skip
    r50 = stats["ours"][1] / stats["reference"][1]
    r99 = stats["ours"][2] / stats["reference"][2]
    print(f"ratio ours/reference: p50 {r50:.2f}x, p99 {r99:.2f}x (target <= 1.2x)")
    print(f"replies delivered for the closed-loop requests to ours (warm-up included): "
          f"{delivered_ours}/{sent_ours}")  # fmt: skip
    lat, err, sent = asyncio.run(
        open_loop(ports["ours"], args.seconds * 2, args.rate,
                  lambda i: fake.response_url(f"open-{i}"))
    )  # fmt: skip
    slow = sum(1 for x in lat if x > 3.0)
    print(
        f"open loop {args.rate:.0f} req/s for {args.seconds * 2:.0f} s to ours: p50 {pct(lat, 0.5):.1f} ms, "
        f"p99 {pct(lat, 0.99):.1f} ms, max {max(lat) * 1000:.1f} ms, acks over 3 s: {slow}, errors: {err}"
    )
    done, waited = fake.wait_for("open-", len(lat), timeout=60)
    print(f"replies posted to response_url for the open-loop requests: {done}/{len(lat)} "
          f"(the last {waited:.1f} s after the last ack)")  # fmt: skip
    arrived = fake.times("open-")
    reply = [arrived[f"/response/open-{i}"] - t for i, t in sent.items()
             if f"/response/open-{i}" in arrived]  # fmt: skip
    print(f"request sent -> reply at the fake Slack (hand-off + worker + Web API): "
          f"p50 {pct(reply, 0.5):.1f} ms, p99 {pct(reply, 0.99):.1f} ms, "
          f"max {max(reply) * 1000:.1f} ms, over 3 s: {sum(1 for x in reply if x > 3.0)}")  # fmt: skip
    if args.workers:
        with urllib.request.urlopen(f"http://127.0.0.1:{port_ours}/healthz/workers") as r:
            print(f"pmo-bot serve's queue since start: {json.load(r)} (ran_here: run in the server "
                  f"process because the backlog was full)")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.2f} (other work on the machine skews figures)")
    ours.terminate()
    ours.wait(timeout=120)
    lines = serve_log.read_text().splitlines()
    print(f"pmo-bot serve's log ({serve_log}): {sum(' WARNING ' in x for x in lines)} warnings, "
          f"{sum(' ERROR ' in x for x in lines)} errors")  # fmt: skip

    ref.terminate()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
