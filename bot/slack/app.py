"""Build the Bolt app PMO Bot serves Slack with (HTTP front, Socket Mode or a worker)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.config import Settings
from bot.slack.client import make_web_client
from bot.slack.verify import OwnTeamOnly, StrictRequestVerification
from handlers.slack import oauth_tables
from handlers.slack.app import register
from handlers.slack.runtime import SlackDeps

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "users:read.email",
    "channels:read",
    "groups:read",
    "channels:history",
    "groups:history",
    "im:history",
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


class InlineExecutor(Executor):
    """Runs a submitted function at once in the caller's thread.

    A worker gives it to Bolt as the listener executor: the lazy listener then runs inside
    `dispatch`, so a worker thread takes the next request only when it has finished this one
    (no unbounded prefetch, and a dead worker loses at most one request per thread).
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def build_slack_app(
    settings: Settings,
    deps: SlackDeps,
    *,
    socket: bool = False,
    engine: Engine | None = None,
    worker: bool = False,
) -> App:
    """The Bolt app with every PMO Bot listener; acks are sent when the listener returns.

    `worker=True` builds it for a request worker (bot/slack/worker.py): the front has
    verified the signature already (and the request may have waited in the queue longer than
    the 5-minute signature window), and each lazy listener runs inside `dispatch`.
    """
    mode = slack_mode(settings, socket=socket)
    extra: dict[str, Any] = {}
    if mode.oauth:
        if engine is None:
            raise SlackConfigError("OAuth mode needs the database engine for its stores.")
        extra["oauth_settings"] = oauth_settings(settings, engine)
    secret = settings.slack_signing_secret or "socket-mode-unused"
    if not (socket or worker):  # Bolt's check, but a malformed timestamp is a 401, not a 500
        extra["before_authorize"] = StrictRequestVerification(secret)
    app = App(
        **extra,
        client=make_web_client(settings),
        signing_secret=secret,
        process_before_response=not socket,
        request_verification_enabled=False,
        token_verification_enabled=False,
        ignoring_self_events_enabled=True,
        logger=bolt_logger(),
        listener_executor=InlineExecutor() if worker else deps.background,
    )
    if not mode.oauth:
        app.use(OwnTeamOnly())

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error for a %s request: %s", body.get("type"), error, exc_info=error)

    register(app, deps)
    return app


def _not_token_skipped(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN from the environment itself and, as we give it the client
    # built from the same settings, warns that the token is unused: true, and harmless.
    return not record.getMessage().startswith("As you gave `client` as well")


def bolt_logger() -> logging.Logger:
    """The logger Bolt logs to, without its warning about the client we give it."""
    logger = logging.getLogger("pmo_bot.bolt")
    if _not_token_skipped not in logger.filters:
        logger.addFilter(_not_token_skipped)
    return logger


def describe_workspace(app: App) -> str:
    """Which workspace a single-workspace token serves, from auth.test; raises SlackConfigError."""
    quiet = logging.getLogger("slack_sdk")
    level, quiet.level = quiet.level, logging.CRITICAL  # a failure here is said once, below
    try:
        info = app.client.auth_test()
    except SlackApiError as exc:
        code = exc.response.get("error")
        raise SlackConfigError(
            f"Slack rejected SLACK_BOT_TOKEN ({code}); copy the Bot User OAuth Token again."
        ) from None
    except OSError as exc:  # refused, unresolvable, timed out (URLError is an OSError)
        raise SlackConfigError(unreachable(app.client.base_url, exc)) from None
    finally:
        quiet.setLevel(level)
    return f"workspace {info.get('team')} ({info.get('team_id')}) as bot {info.get('user')}"


def unreachable(api_url: str, exc: OSError) -> str:
    """One message for a Slack that can't be reached at start-up (never a traceback)."""
    reason = getattr(exc, "reason", None) or exc
    return (
        f"Can't reach Slack's Web API at {api_url} ({reason}). Check this machine's network "
        "connection (and proxy), or SLACK_API_URL if you set it; then start again."
    )
