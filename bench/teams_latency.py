"""Benchmark: how long Teams waits for `/api/messages` when a person types `action list mine`
in the bot's personal chat, next to a bare Agents SDK bot that only echoes, in the same run.

Starts, each in its own process: PMO Bot's Teams endpoint as `pmo-bot serve` builds it (the
SDK's CloudAdapter behind Starlette under uvicorn, anonymous mode, a seeded SQLite database),
the reference — a bare Agents SDK agent whose turn only echoes the text back, on the same
adapter and JWT decorator — and the fake Bot Connector both reply to (the SDK answers 202
only after the turn, so every request includes the reply's round trip to the connector).
`--clients` keep-alive clients post the activity for `--seconds` to each, alternating
reference / ours in two halves. Prints requests/s, p50, p99 and max for both, requests over
5 s, and the load average (the machine is shared: other work skews the figures).

    python bench/teams_latency.py [--seconds 10] [--clients 20] [--items 25]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANON = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}


def _serve(asgi: Any, port_out: Any) -> None:
    import uvicorn

    config = uvicorn.Config(
        asgi,
        host="127.0.0.1",
        port=0,
        log_level="error",
        lifespan="off",
        access_log=False,
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port_out.put(server.servers[0].sockets[0].getsockname()[1])
    thread.join()


def run_fake(port_out: Any) -> None:
    """The fake Bot Connector (both bots send their replies to it)."""
    from tests.fake_teams import FakeConnector

    fake = FakeConnector().start()
    port_out.put(fake.server.server_address[1])
    while True:
        time.sleep(1)
        with fake._lock:  # keep memory flat over a long run
            fake.sent.clear()


def run_ours(db_url: str, port_out: Any) -> None:
    """PMO Bot's Teams endpoint, as `pmo-bot serve` mounts it."""
    import logging

    logging.disable(logging.WARNING)
    from bot.db import make_engine, make_sessionmaker
    from bot.teams.app import build_teams
    from bot.web import build_plain_asgi

    engine = make_engine(db_url)
    endpoint = build_teams(ANON, make_sessionmaker(engine))
    asgi = build_plain_asgi(engine, [endpoint.route()])
    endpoint.mount(asgi)
    _serve(asgi, port_out)


def run_echo(port_out: Any) -> None:
    """A bare Agents SDK bot: its turn only echoes the text."""
    import logging

    logging.disable(logging.WARNING)
    from microsoft_agents.activity import load_configuration_from_env
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.core import TurnContext
    from microsoft_agents.hosting.fastapi import CloudAdapter, jwt_authorization_decorator
    from starlette.applications import Starlette
    from starlette.routing import Route

    connections = MsalConnectionManager(**load_configuration_from_env(ANON))
    adapter = CloudAdapter(connection_manager=connections)

    class Echo:
        async def on_turn(self, context: TurnContext) -> None:
            if context.activity.type == "message":
                await context.send_activity(f"You said: {context.activity.text}")

    agent = Echo()

    @jwt_authorization_decorator
    async def messages(request: Any) -> Any:
        return await adapter.process(request, agent)

    app = Starlette(routes=[Route("/api/messages", messages, methods=["POST"])])
    app.state.agent_configuration = connections.get_default_connection_configuration()
    _serve(app, port_out)


def activity(service_url: str, text: str, n: int) -> bytes:
    return json.dumps(
        {
            "type": "message",
            "id": f"b{n}",
            "channelId": "msteams",
            "serviceUrl": service_url,
            "from": {"id": "29:bench", "name": "Bench User", "aadObjectId": "bench-user"},
            "recipient": {"id": "28:bot", "name": "PMO Bot"},
            "conversation": {
                "id": "a:dm-bench",
                "tenantId": "bench-tenant",
                "conversationType": "personal",
            },
            "channelData": {"tenant": {"id": "bench-tenant"}},
            "locale": "en-GB",
            "text": text,
            "entities": [{"type": "clientInfo", "locale": "en-GB", "timezone": "UTC"}],
        }
    ).encode()


async def load(url: str, body: bytes, clients: int, seconds: float) -> tuple[list[float], int]:
    """`clients` keep-alive connections posting `body` for `seconds`; latencies and errors."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    headers = {"Content-Type": "application/json"}

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as resp:
                await resp.read()
                if resp.status != 202:
                    errors += 1
            latencies.append(time.perf_counter() - t0)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    return latencies, errors


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="load time per bot")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--items", type=int, default=25, help="open items of the person")
    args = parser.parse_args()

    from bot.db import make_engine, upgrade

    tmp = tempfile.mkdtemp(prefix="teams-bench-")
    db_url = f"sqlite:///{tmp}/bench.sqlite3"
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()

    ctx = mp.get_context("spawn")
    procs = []
    ports = {}
    for name, target, extra in (
        ("fake", run_fake, ()),
        ("ours", run_ours, (db_url,)),
        ("echo", run_echo, ()),
    ):
        q = ctx.Queue()
        p = ctx.Process(target=target, args=(*extra, q), daemon=True)
        p.start()
        procs.append(p)
        ports[name] = q.get(timeout=60)
    service = f"http://127.0.0.1:{ports['fake']}/"
    ours = f"http://127.0.0.1:{ports['ours']}/api/messages"
    echo = f"http://127.0.0.1:{ports['echo']}/api/messages"

    import urllib.request

    def say(text: str, n: int) -> None:
        req = urllib.request.Request(
            ours, data=activity(service, text, n), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.status == 202, resp.status

    say("help", 0)
    for i in range(args.items):
        say(f'action add "Bench item {i}" due:2026-12-{1 + i % 28:02d}', i + 1)

    body = activity(service, "action list mine", 999)
    results: dict[str, list[float]] = {"echo": [], "ours": []}
    errors = {"echo": 0, "ours": 0}
    half = args.seconds / 2
    for _round in range(2):
        for name, url in (("echo", echo), ("ours", ours)):
            lat, err = asyncio.run(load(url, body, args.clients, half))
            results[name] += lat
            errors[name] += err
    print(
        f"/api/messages, `action list mine` ({args.items} open items), {args.clients} "
        f"clients, {args.seconds:g} s per bot, reply sent to the fake connector in each turn"
    )
    print(
        f"{'bot':<28}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'>5 s':>6}{'errors':>7}"
    )
    for name, label in (("echo", "bare Agents SDK echo bot"), ("ours", "PMO Bot (Teams)")):
        lat = results[name]
        slow = sum(1 for v in lat if v > 5)
        print(
            f"{label:<28}{len(lat):>9}{len(lat) / args.seconds:>8.0f}"
            f"{pct(lat, 50) * 1000:>9.1f}{pct(lat, 99) * 1000:>9.1f}"
            f"{max(lat, default=0) * 1000:>9.1f}{slow:>6}{errors[name]:>7}"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for p in procs:
        p.terminate()


if __name__ == "__main__":
    main()
