"""Build the Bolt app and the HTTP server PMO Bot serves Slack on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.slack.workers import InlineExecutor, SlackWorkers, deferrable, encode
from handlers.slack import oauth_tables
from handlers.slack.listeners import SlackDeps, register

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "users:read.email",
    "channels:read",
    "groups:read",
    "files:write",
    "files:read",
]

log = logging.getLogger(__name__)


class SlackConfigError(ValueError):
    """The Slack settings are missing or contradict each other."""


@dataclass(frozen=True)
class SlackMode:
    socket: bool
    description: str
    oauth: bool = False


def slack_mode(settings: Settings, *, socket: bool) -> SlackMode:
    """Which Slack mode the settings allow; a clear error naming the variable otherwise."""
    bot, secret, app_token = (
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
    )
    if bot and not bot.startswith("xoxb-"):
        raise SlackConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
    if app_token and not app_token.startswith("xapp-"):
        raise SlackConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
    client_id, client_secret = settings.slack_client_id, settings.slack_client_secret
    if client_id or client_secret:
        if not (client_id and client_secret):
            missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
            raise SlackConfigError(f"Multi-workspace OAuth needs {missing} too.")
        if bot:
            raise SlackConfigError(
                "Set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (OAuth, many workspaces), not both."
            )
        if socket:
            raise SlackConfigError(
                "OAuth installs need HTTP mode; drop --socket or unset SLACK_CLIENT_ID."
            )
        if not secret:
            raise SlackConfigError(
                "HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests."
            )
        return SlackMode(
            False,
            "Slack over HTTP at /slack/events, many workspaces (OAuth at /slack/install)",
            True,
        )
    if socket:
        if not app_token:
            raise SlackConfigError(
                "Socket Mode needs SLACK_APP_TOKEN (xapp-…, scope connections:write)."
            )
        if not bot:
            raise SlackConfigError("Socket Mode needs SLACK_BOT_TOKEN (xoxb-…).")
        return SlackMode(True, "Slack Socket Mode, single workspace")
    if not bot:
        raise SlackConfigError("HTTP mode needs SLACK_BOT_TOKEN (xoxb-…).")
    if not secret:
        raise SlackConfigError("HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests.")
    return SlackMode(False, "Slack over HTTP at /slack/events, single workspace")


def make_web_client(settings: Settings) -> WebClient:
    """A WebClient on SLACK_API_URL that retries rate limits, 5xx and connection errors."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=3),
        ],
    )


def oauth_settings(settings: Settings, engine: Engine) -> OAuthSettings:
    """OAuth install flow with slack_sdk's SQLAlchemy stores on our database (single-use state)."""
    client_id = str(settings.slack_client_id)
    return OAuthSettings(
        client_id=client_id,
        client_secret=settings.slack_client_secret,
        scopes=BOT_SCOPES,
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        installation_store=SQLAlchemyInstallationStore(
            client_id=client_id,
            engine=engine,
            bots_table_name=oauth_tables.BOTS_TABLE,
            installations_table_name=oauth_tables.INSTALLATIONS_TABLE,
        ),
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=600, engine=engine, table_name=oauth_tables.STATES_TABLE
        ),
    )


def build_slack_app(
    settings: Settings,
    deps: SlackDeps,
    *,
    socket: bool = False,
    engine: Engine | None = None,
    worker: bool = False,
) -> App:
    """The Bolt app with every PMO Bot listener; acks are sent when the listener returns.

    `worker=True` builds it for a request worker (bot/slack/workers.py): the front has
    verified the signature already (and the request may have waited in the queue longer than
    the 5-minute signature window), and each lazy listener runs inside `dispatch`.
    """
    mode = slack_mode(settings, socket=socket)
    extra: dict[str, Any] = {}
    if mode.oauth:
        if engine is None:
            raise SlackConfigError("OAuth mode needs the database engine for its stores.")
        extra["oauth_settings"] = oauth_settings(settings, engine)
    app = App(
        **extra,
        client=make_web_client(settings),
        signing_secret=settings.slack_signing_secret or "socket-mode-unused",
        process_before_response=not socket,
        request_verification_enabled=not (socket or worker),
        token_verification_enabled=False,
        ignoring_self_events_enabled=True,
        logger=logging.getLogger("pmo_bot.bolt"),
        listener_executor=InlineExecutor() if worker else deps.background,
    )

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error for a %s request: %s", body.get("type"), error, exc_info=error)

    register(app, deps)
    return app


def describe_workspace(app: App) -> str:
    """Which workspace a single-workspace token serves, from auth.test; raises SlackConfigError."""
    from slack_sdk.errors import SlackApiError

    try:
        info = app.client.auth_test()
    except SlackApiError as exc:
        code = exc.response.get("error")
        raise SlackConfigError(
            f"Slack rejected SLACK_BOT_TOKEN ({code}); copy the Bot User OAuth Token again."
        ) from None
    return f"workspace {info.get('team')} ({info.get('team_id')}) as bot {info.get('user')}"


def calendar_route(engine: Engine) -> Route:
    """GET /ics/<token>.ics: a person's or a project's calendar feed (404 when revoked)."""
    from datetime import UTC, datetime

    from bot.db import make_sessionmaker
    from services.meetings import feeds

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


ACK_HEADERS = {"content-type": "text/plain;charset=utf-8"}
INVALID_REQUEST = b'{"error": "invalid request"}'


def build_asgi(
    app: App,
    engine: Engine,
    *,
    workers: SlackWorkers | None = None,
    signing_secret: str | None = None,
) -> Starlette:
    """POST /slack/events (every Slack request kind), GET /healthz (and /healthz/workers).

    With `workers`, requests whose listeners ack empty at once (bot/slack/workers.py) are
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

    async def healthz(_: Request) -> Response:
        def ping() -> None:
            with engine.connect() as conn:
                conn.execute(text("select 1"))

        try:
            await anyio.to_thread.run_sync(ping)
        except Exception as exc:
            return JSONResponse({"ok": False, "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"ok": True})

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
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
