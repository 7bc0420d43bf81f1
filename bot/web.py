"""The HTTP routes that need no chat platform: the health check and the calendar feeds.

`pmo-bot serve` mounts them beside Slack (or Teams); with no chat platform configured it
serves only these, so the console's calendar links work on a laptop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import anyio.to_thread
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import metrics
from bot.db import make_sessionmaker
from services.meetings import feeds


def calendar_route(engine: Engine) -> Route:
    """GET /ics/<token>.ics: a person's or a project's calendar feed (404 when revoked)."""
    sessions = make_sessionmaker(engine)

    async def calendar_feed(request: Request) -> Response:
        token = str(request.path_params.get("token", ""))

        def build() -> bytes | None:
            with sessions() as s:
                return feeds.render(s, token, now=datetime.now(UTC))

        body = await anyio.to_thread.run_sync(build)
        if body is None:
            return Response(
                "Not found: this calendar link was revoked or never existed.\n",
                status_code=404,
                media_type="text/plain",
            )
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={
                "Cache-Control": "private, max-age=300",
                "Content-Disposition": 'inline; filename="pmo-bot.ics"',
            },
        )

    return Route("/ics/{token}.ics", calendar_feed, methods=["GET"])


def health_route(engine: Engine) -> Route:
    """GET /healthz: {"ok": true} when the database answers, 503 otherwise."""

    async def healthz(_: Request) -> Response:
        try:
            await anyio.to_thread.run_sync(ping, engine)
        except Exception as exc:
            return JSONResponse({"ok": False, "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"ok": True})

    return Route("/healthz", healthz, methods=["GET"])


def ready_route(engine: Engine, workers_ready: Callable[[], bool] | None) -> Route:
    """GET /readyz: 200 only when the database answers and every worker finished starting."""

    async def readyz(_: Request) -> Response:
        if workers_ready is not None and not workers_ready():
            return JSONResponse({"ready": False, "workers": "starting"}, status_code=503)
        try:
            await anyio.to_thread.run_sync(ping, engine)
        except Exception as exc:
            return JSONResponse({"ready": False, "database": type(exc).__name__}, 503)
        return JSONResponse({"ready": True})

    return Route("/readyz", readyz, methods=["GET"])


def metrics_route(collector: metrics.FrontCollector) -> Route:
    """GET /metrics: Prometheus' text format (bot/metrics.py)."""

    async def scrape(_: Request) -> Response:
        body = await anyio.to_thread.run_sync(metrics.scrape, collector)
        return Response(body, media_type=metrics.CONTENT_TYPE)

    return Route("/metrics", scrape, methods=["GET"])


def ping(engine: Engine) -> None:
    """One round trip to the database (raises when it is unreachable)."""
    with engine.connect() as conn:
        conn.execute(text("select 1"))


def build_plain_asgi(engine: Engine, extra: Sequence[Route] = ()) -> Starlette:
    """The server without Slack: /healthz, /readyz, /metrics, the calendar feeds (and `extra`
    routes, such as Teams' /api/messages)."""
    return Starlette(
        routes=[
            *extra,
            health_route(engine),
            ready_route(engine, None),
            metrics_route(metrics.FrontCollector(engine, None)),
            calendar_route(engine),
        ],
        middleware=[Middleware(BodyLimit)],
    )


# Slack's largest requests (a submitted 100-block view) and Teams' activities are well under
# 1 MB; a body over this is refused before it is read into memory, signed or not.
MAX_BODY = 8 << 20
TOO_LARGE = b'{"error": "request body too large"}'


class BodyLimit:
    """ASGI middleware: 413 for a request body over MAX_BODY (by Content-Length, or counted
    as it streams in when the length is not given), before any handler buffers it."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await Response(TOO_LARGE, 413, media_type="application/json")(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await Response(TOO_LARGE, 413, media_type="application/json")(scope, receive, send)


class BodyTooLarge(Exception):
    """A streamed body went over MAX_BODY."""
