"""Benchmark: how fast `pmo-bot serve` acks a signed `/pmo action list mine`.

Starts, each in its own process: our server (the real `build_slack_app` + `build_asgi` under
uvicorn, on a seeded SQLite database, Web API pointed at a local fake Slack) and the
reference — a bare Bolt app in its fastest HTTP set-up (`process_before_response=True`, a
`/pmo` listener that only acks) behind Bolt's own Starlette adapter under uvicorn. A
keep-alive asyncio client sends the same signed request to each at 50 concurrent
connections for a fixed time, alternating A B A B, then sends an open-loop 200 requests/s to
ours. Prints requests/s, p50 and p99 for both, the ratios, and any ack over 3 s.

    python bench/ack_latency.py [--seconds 5] [--connections 50] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SECRET = "bench-signing-secret"


def _serve_ours(db_url: str, api_url: str, q: mp.Queue) -> None:  # type: ignore[type-arg]
    from bot.config import Settings
    from bot.db import make_engine, make_sessionmaker
    from bot.slack_app import build_asgi, build_slack_app
    from handlers.slack.listeners import SlackDeps

    settings = Settings(database_url=db_url, slack_bot_token="xoxb-bench",
                        slack_signing_secret=SECRET, slack_api_url=api_url)  # fmt: skip
    engine = make_engine(db_url)
    app = build_slack_app(settings, SlackDeps(make_sessionmaker(engine)))
    _run(build_asgi(app, engine), q)


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
    from services import action_items, people
    from services.access import actor_for

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
    port: int, seconds: float, rate: float, response_url: str
) -> tuple[list[float], int]:
    raw = request_bytes(port, response_url)
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(200):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    errors = 0

    async def fire(scheduled: float) -> None:
        nonlocal errors
        conn = await pool.get()
        try:
            if await _one(*conn, raw) != 200:
                errors += 1
        finally:
            latencies.append(time.perf_counter() - scheduled)  # from when it was due
            pool.put_nowait(conn)

    start = time.perf_counter()
    tasks = []
    n = int(seconds * rate)
    for i in range(n):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(fire(due)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait()[1].close()
    return latencies, errors


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--rate", type=float, default=200.0)
    args = ap.parse_args()

    from tests.fake_slack import FakeSlack

    fake = FakeSlack().start()
    fake.add_user("U1", "alice")
    db_url = f"sqlite:///{tempfile.mkdtemp()}/ack.sqlite3"
    seed(db_url)
    ctx = mp.get_context("spawn")
    q_ours, q_ref = ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_serve_ours, args=(db_url, fake.api_url, q_ours), daemon=True),
             ctx.Process(target=_serve_reference, args=(fake.api_url, q_ref), daemon=True)]  # fmt: skip
    for p in procs:
        p.start()
    ports = {"ours": q_ours.get(timeout=60), "reference": q_ref.get(timeout=60)}
    reply_url = fake.response_url("bench")
    results: dict[str, list[float]] = {"ours": [], "reference": []}
    errors = {"ours": 0, "reference": 0}
    elapsed = {"ours": 0.0, "reference": 0.0}
    for name in ("ours", "reference"):  # warm-up
        asyncio.run(closed_loop(ports[name], 1.0, args.connections, reply_url))
    for _round in range(2):
        for name in ("ours", "reference"):
            lat, err = asyncio.run(
                closed_loop(ports[name], args.seconds, args.connections, reply_url)
            )
            results[name] += lat
            errors[name] += err
            elapsed[name] += args.seconds
    print(
        f"/pmo action list mine, {args.connections} connections, 2 x {args.seconds:.0f} s each, A B A B"
    )
    print(f"{'server':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    stats = {}
    for name in ("ours", "reference"):
        lat = results[name]
        stats[name] = (len(lat) / elapsed[name], pct(lat, 0.5), pct(lat, 0.99))
        print(
            f"{name:<10} {stats[name][0]:>8.0f} {stats[name][1]:>8.1f} {stats[name][2]:>8.1f} {errors[name]:>7}"
        )
    r50 = stats["ours"][1] / stats["reference"][1]
    r99 = stats["ours"][2] / stats["reference"][2]
    print(f"ratio ours/reference: p50 {r50:.2f}x, p99 {r99:.2f}x (target <= 1.2x)")
    open_url = fake.response_url("bench-open")
    lat, err = asyncio.run(open_loop(ports["ours"], args.seconds * 2, args.rate, open_url))
    slow = sum(1 for x in lat if x > 3.0)
    print(
        f"open loop {args.rate:.0f} req/s for {args.seconds * 2:.0f} s to ours: p50 {pct(lat, 0.5):.1f} ms, "
        f"p99 {pct(lat, 0.99):.1f} ms, max {max(lat) * 1000:.1f} ms, acks over 3 s: {slow}, errors: {err}"
    )
    sent = len(lat)
    deadline = time.monotonic() + 60

    def replied() -> int:
        return sum(1 for r in list(fake.responses) if r["url"] == "/response/bench-open")

    while replied() < sent and time.monotonic() < deadline:
        time.sleep(0.1)
    done = replied()
    print(f"replies posted to response_url for the open-loop requests: {done}/{sent}")
    for p in procs:
        p.terminate()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
