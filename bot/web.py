"""The HTTP routes that need no chat platform: the health check and the calendar feeds.

`pmo-bot serve` mounts them beside Slack (or Teams); with no chat platform configured it
serves only these, so the console's calendar links work on a laptop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import anyio.to_thread
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

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
        def ping() -> None:
            with engine.connect() as conn:
                conn.execute(text("select 1"))

        try:
            await anyio.to_thread.run_sync(ping)
        except Exception as exc:
            return JSONResponse({"ok": False, "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"ok": True})

    return Route("/healthz", healthz, methods=["GET"])


def build_plain_asgi(engine: Engine, extra: Sequence[Route] = ()) -> Starlette:
    """The server without Slack: /healthz and the calendar feeds (and `extra` routes, such as
    Teams' /api/messages)."""
    return Starlette(routes=[*extra, health_route(engine), calendar_route(engine)])
