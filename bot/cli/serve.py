"""`pmo-bot serve`: Slack over HTTP (with worker processes) or Socket Mode, Teams at
/api/messages on the same server, or both, as configured."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import threading
from typing import TYPE_CHECKING, Any

import click
import uvicorn
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import db, logs, scheduler
from bot.cli.common import load_settings, open_engine, person_defaults
from bot.config import Settings
from bot.slack.app import (
    SlackConfigError,
    build_slack_app,
    describe_workspace,
    slack_mode,
    unreachable,
)
from bot.slack.asgi import build_asgi
from bot.slack.handoff import supported
from bot.slack.workers import SlackWorkers
from bot.teams.config import teams_configured
from bot.web import build_plain_asgi
from handlers.slack.runtime import SlackDeps

if TYPE_CHECKING:
    from bot.teams.app import TeamsEndpoint

READY_SECONDS = 60.0


class _Terminated(Exception):
    """SIGTERM arrived while serving."""


@click.command()
@click.option("--port", default=3000, show_default=True, help="HTTP port.")
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.option("--socket", is_flag=True, help="Use Slack Socket Mode (needs SLACK_APP_TOKEN).")
@click.option(
    "--no-scheduler", is_flag=True, help="Don't run reminders here (run `pmo-bot scheduler`)."
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes for Slack requests (HTTP mode; default SLACK_WORKERS, 2).",
)
def serve(port: int, host: str, socket: bool, no_scheduler: bool, workers: int | None) -> None:
    """Serve Slack: HTTP at /slack/events (+ /healthz), or Socket Mode; with no chat platform
    configured, /healthz and the calendar feeds only."""
    settings = load_settings()
    logs.use_format(settings.log_format)
    logging.getLogger("pmo_bot").setLevel(settings.log_level.upper())
    teams = teams_configured(os.environ)
    if not (settings.has_slack or settings.slack_signing_secret or socket):
        if teams:
            serve_teams_only(settings, host, port, no_scheduler=no_scheduler)
        else:
            serve_without_platform(settings, host, port)
        return
    try:
        mode = slack_mode(settings, socket=socket)
    except SlackConfigError as exc:
        raise click.ClickException(str(exc)) from None
    with open_engine(settings) as engine:
        deps = SlackDeps(
            db.make_sessionmaker(engine),
            defaults=person_defaults(settings),
            public_url=settings.public_url,
            wrap_notifier=scheduler.MeteredNotifier,
        )
        app = build_slack_app(settings, deps, socket=socket, engine=engine)
        url = engine.url.render_as_string(hide_password=True)
        where = "any workspace that installs it"
        if not mode.oauth:
            try:
                where = describe_workspace(app)
            except SlackConfigError as exc:
                raise click.ClickException(str(exc)) from None
        click.echo(f"PMO Bot serving {mode.description}: {where}; database {url}", err=True)
        endpoint = start_teams(settings, deps.sessions) if teams and not socket else None
        if socket:
            start_scheduler(settings, engine, deps, no_scheduler)
            handler = SocketModeHandler(app, settings.slack_app_token)
            try:
                handler.connect()  # apps.connections.open with the app token, then the socket
            except SlackApiError as exc:
                handler.close()
                raise click.ClickException(
                    f"Slack rejected SLACK_APP_TOKEN ({exc.response.get('error')}); create an "
                    "app-level token with scope connections:write (xapp-…) and copy it again."
                ) from None
            except OSError as exc:
                handler.close()
                raise click.ClickException(unreachable(settings.slack_api_url, exc)) from None
            if handler.client.is_connected():
                click.echo("Connected to Slack over Socket Mode (Ctrl-C to stop).", err=True)
            else:  # the client logged why; it tries again every 10 s
                click.echo("Could not open the Socket Mode connection yet; retrying.", err=True)
            signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as on Ctrl-C
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
            handler.close()  # no new envelopes; work already acked still finishes:
            deps.background.shutdown(wait=True)
            click.echo("Disconnected from Slack.", err=True)
            return
        pool = None
        processes = settings.slack_workers if workers is None else workers
        # Forked workers inherit this process' connections: they must never close them.
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
        if processes and not supported():
            click.echo(
                "Worker processes need Unix SOCK_SEQPACKET sockets (Linux); "
                "running Slack requests in this process.",
                err=True,
            )
            processes = 0
        # Everything built so far lives as long as the server: keep it out of the collector's
        # full passes (130,000 objects, 26-35 ms each, an ack stall every so often) — and, as
        # the workers are forked from here, out of the pages their collector would copy.
        gc.freeze()
        if processes:  # before the scheduler's thread and the server: nothing else runs yet
            pool = SlackWorkers().start_processes(
                settings, person_defaults(settings), processes=processes
            )
            if not pool.wait_ready(READY_SECONDS):
                click.echo(
                    f"Slack workers not ready after {READY_SECONDS:.0f} s; serving anyway "
                    "(/readyz says 503 until they are).",
                    err=True,
                )
            click.echo(
                f"Slack requests: acked here, run by {processes} worker process(es).", err=True
            )
        start_scheduler(settings, engine, deps, no_scheduler)
        extra = [endpoint.route()] if endpoint is not None else []
        asgi = build_asgi(
            app, engine, workers=pool, signing_secret=settings.slack_signing_secret, extra=extra
        )
        click.echo(f"Listening on http://{host}:{port}/slack/events", err=True)
        if endpoint is not None:
            endpoint.mount(asgi)
            click.echo(f"Listening on http://{host}:{port}/api/messages (Teams)", err=True)
        if pool is None:
            uvicorn.run(asgi, host=host, port=port, log_level="warning", access_log=False)
            return

        # uvicorn shuts down gracefully on SIGTERM, then re-raises it to the handler it found:
        # make that one stop the workers (they finish what is queued) before the process ends.
        def terminated(_sig: int, _frame: Any) -> None:
            raise _Terminated

        got_sigterm = False
        previous = signal.signal(signal.SIGTERM, terminated)
        try:
            uvicorn.run(asgi, host=host, port=port, log_level="warning", access_log=False)
        except _Terminated:
            got_sigterm = True
        finally:
            pool.stop()
            signal.signal(signal.SIGTERM, previous)
        if got_sigterm:
            signal.raise_signal(signal.SIGTERM)  # end as uvicorn would: by SIGTERM


def start_scheduler(settings: Settings, engine: Engine, deps: SlackDeps, off: bool) -> None:
    """Sweep reminders every minute in this process, unless --no-scheduler."""
    if not off:
        scheduler.background(deps.sessions, scheduler.build_notifier(settings, engine))
        click.echo("Reminders: sweeping every minute in this process.", err=True)


def start_teams(settings: Settings, sessions: sessionmaker[Session]) -> TeamsEndpoint:
    """The Teams endpoint from the Agents SDK's environment variables, announced."""
    from bot.teams.app import build_teams  # noqa: PLC0415 (the Agents SDK only when Teams is on)

    endpoint = build_teams(
        os.environ, sessions, defaults=person_defaults(settings), public_url=settings.public_url
    )
    click.echo(f"PMO Bot serving {endpoint.describe()}.", err=True)
    if endpoint.anonymous:
        click.echo(
            "WARNING: Teams ANONYMOUS_ALLOWED is on: requests without a bearer are accepted. "
            "Local tests only.",
            err=True,
        )
    return endpoint


def serve_teams_only(settings: Settings, host: str, port: int, *, no_scheduler: bool) -> None:
    """Teams without Slack: /api/messages, /healthz and the calendar feeds."""
    with open_engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        url = engine.url.render_as_string(hide_password=True)
        click.echo(f"Slack is not configured; database {url}.", err=True)
        endpoint = start_teams(settings, sessions)
        if not no_scheduler:
            scheduler.background(sessions, scheduler.build_notifier(settings, engine))
            click.echo("Reminders: sweeping every minute in this process (Teams).", err=True)
        asgi = build_plain_asgi(engine, [endpoint.route()])
        endpoint.mount(asgi)
        click.echo(f"Listening on http://{host}:{port}/api/messages", err=True)
        gc.freeze()
        uvicorn.run(asgi, host=host, port=port, log_level="warning", access_log=False)


def serve_without_platform(settings: Settings, host: str, port: int) -> None:
    """No chat platform configured: serve what needs none (the health check and the calendar
    feeds the console's `ics` links point at). Reminders go out from the console then."""
    with open_engine(settings) as engine:
        url = engine.url.render_as_string(hide_password=True)
        click.echo(
            "No chat platform is configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for "
            "Slack, CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID… for Teams), so"
            f" this serves /healthz and the calendar feeds only; database {url}.",
            err=True,
        )
        click.echo(
            "Reminders are not sent from here: the local console (`pmo-bot`) sends them.",
            err=True,
        )
        click.echo(f"Listening on http://{host}:{port}/healthz", err=True)
        asgi = build_plain_asgi(engine)
        uvicorn.run(asgi, host=host, port=port, log_level="warning", access_log=False)
