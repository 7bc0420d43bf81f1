"""The HTTP server PMO Bot serves Slack on: the Bolt app behind Starlette, workers optional."""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Sequence

import anyio.to_thread
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import metrics
from bot.slack.app import SlackConfigError
from bot.slack.handoff import encode, lane_of, new_request_id
from bot.slack.shape import malformed
from bot.slack.verify import StrictSignatureVerifier
from bot.slack.workers import SlackWorkers
from bot.web import BodyLimit, calendar_route, health_route, metrics_route, ready_route
from handlers.chat.trace import REQUEST_ID

ACK_HEADERS = {"content-type": "text/plain;charset=utf-8"}
INVALID_REQUEST = b'{"error": "invalid request"}'
requests_log = logging.getLogger("pmo_bot.requests")


def build_asgi(
    app: App,
    engine: Engine,
    *,
    workers: SlackWorkers | None = None,
    signing_secret: str | None = None,
    extra: Sequence[Route] = (),
) -> Starlette:
    """POST /slack/events (every Slack request kind), GET /healthz (and /healthz/workers),
    GET /readyz, GET /metrics, and `extra` routes on the same server (Teams' POST
    /api/messages).

    With `workers`, requests whose listeners ack empty at once (bot/slack/handoff.py) are
    verified with `signing_secret`, queued in their lane and acked right here on the event
    loop, as fast as a Bolt app that does nothing but ack; the rest go through `app` in a
    thread, as always.
    """
    if workers is not None and not signing_secret:
        raise SlackConfigError("Handing requests to workers needs SLACK_SIGNING_SECRET.")
    verifier = StrictSignatureVerifier(signing_secret or "")
    unauthorized = metrics.REQUESTS.labels("unverified", "unauthorized")
    ack_handoff = metrics.ACK_SECONDS.labels("handoff")
    ack_inline = metrics.ACK_SECONDS.labels("inline")

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        raw = await request.body()
        problem = malformed(raw)
        if problem is not None:  # signed or not? 401 first, then 400 for the shape
            headers = request.headers
            signed = verifier.is_valid(
                raw, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
            )
            if signing_secret and not signed:
                unauthorized.inc()
                return Response(INVALID_REQUEST, 401, media_type="application/json")
            metrics.REQUESTS.labels("malformed", "refused").inc()
            requests_log.warning("a malformed Slack request refused: %s", problem)
            return JSONResponse({"error": "malformed request", "detail": problem}, 400)
        lane = lane_of(raw) if workers is not None else None
        if workers is not None and lane is not None:
            headers = request.headers
            if not verifier.is_valid(
                raw, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
            ):
                unauthorized.inc()
                return Response(INVALID_REQUEST, 401, media_type="application/json")
            rid = new_request_id()
            message = encode(raw, headers, request.scope["query_string"].decode(), rid)
            if workers.submit(message, lane):
                requests_log.debug("acked for the %s lane", lane, extra={"request_id": rid})
                ack_handoff.observe(time.perf_counter() - started)
                return Response(b"", 200, headers=ACK_HEADERS)
        bolt_req = BoltRequest(
            body=raw.decode("utf-8"),
            query=dict(request.query_params),
            headers={k: v for k, v in request.headers.items()},
        )
        token = REQUEST_ID.set(new_request_id())
        try:
            resp = await anyio.to_thread.run_sync(
                contextvars.copy_context().run, app.dispatch, bolt_req
            )
        finally:
            REQUEST_ID.reset(token)
        outcome = {401: "unauthorized", 403: "refused"}.get(resp.status, "ok")
        if resp.status >= 500:
            outcome = "error"
        metrics.REQUESTS.labels(metrics.surface(bolt_req.body), outcome).inc()
        ack_inline.observe(time.perf_counter() - started)
        return Response(
            status_code=resp.status,
            content=resp.body,
            headers=resp.first_headers_without_set_cookie(),
        )

    scrape = metrics.FrontCollector(engine, workers.stats if workers is not None else None)
    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        *extra,
        health_route(engine),
        ready_route(engine, workers.ready if workers is not None else None),
        metrics_route(scrape),
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
    return Starlette(routes=routes, middleware=[Middleware(BodyLimit)])
