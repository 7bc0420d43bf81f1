"""The HTTP server PMO Bot serves Slack on: the Bolt app behind Starlette, workers optional."""

from __future__ import annotations

from collections.abc import Sequence

import anyio.to_thread
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.slack.app import SlackConfigError
from bot.slack.handoff import deferrable, encode
from bot.slack.workers import SlackWorkers
from bot.web import calendar_route, health_route

ACK_HEADERS = {"content-type": "text/plain;charset=utf-8"}
INVALID_REQUEST = b'{"error": "invalid request"}'


def build_asgi(
    app: App,
    engine: Engine,
    *,
    workers: SlackWorkers | None = None,
    signing_secret: str | None = None,
    extra: Sequence[Route] = (),
) -> Starlette:
    """POST /slack/events (every Slack request kind), GET /healthz (and /healthz/workers),
    and `extra` routes on the same server (Teams' POST /api/messages).

    With `workers`, requests whose listeners ack empty at once (bot/slack/handoff.py) are
    verified with `signing_secret`, queued and acked right here on the event loop, as fast as
    a Bolt app that does nothing but ack; the rest go through `app` in a thread, as always.
    """
    if workers is not None and not signing_secret:
        raise SlackConfigError("Handing requests to workers needs SLACK_SIGNING_SECRET.")
    verifier = SignatureVerifier(signing_secret or "")

    async def slack_events(request: Request) -> Response:
        raw = await request.body()
        if workers is not None and deferrable(raw):
            headers = request.headers
            if not verifier.is_valid(
                raw, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
            ):
                return Response(INVALID_REQUEST, 401, media_type="application/json")
            if workers.submit(encode(raw, headers, request.scope["query_string"].decode())):
                return Response(b"", 200, headers=ACK_HEADERS)
        bolt_req = BoltRequest(
            body=raw.decode("utf-8"),
            query=dict(request.query_params),
            headers={k: v for k, v in request.headers.items()},
        )
        resp = await anyio.to_thread.run_sync(app.dispatch, bolt_req)
        return Response(
            status_code=resp.status,
            content=resp.body,
            headers=resp.first_headers_without_set_cookie(),
        )

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        *extra,
        health_route(engine),
        calendar_route(engine),
    ]
    if workers is not None:
        pool = workers

        async def worker_stats(_: Request) -> Response:
            return JSONResponse(pool.stats())

        routes.append(Route("/healthz/workers", worker_stats, methods=["GET"]))
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: Request) -> Response:
            bolt_req = to_bolt_request(request, await request.body())
            return to_starlette_response(
                await anyio.to_thread.run_sync(flow.handle_installation, bolt_req)
            )

        async def oauth_redirect(request: Request) -> Response:
            bolt_req = to_bolt_request(request, await request.body())
            return to_starlette_response(
                await anyio.to_thread.run_sync(flow.handle_callback, bolt_req)
            )

        routes += [
            Route(flow.install_path, install, methods=["GET"]),
            Route(flow.redirect_uri_path, oauth_redirect, methods=["GET"]),
        ]
    return Starlette(routes=routes)
