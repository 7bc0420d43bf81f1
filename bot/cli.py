"""The `pmo-bot` command line."""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from bot import db, demo
from bot.config import Settings, get_settings
from handlers.console.channel import (
    CONSOLE_WORKSPACE_ID,
    ConsoleChannel,
    guided_status,
    system_now,
)
from models import Platform, Workspace
from services.core.people import PersonDefaults

log = logging.getLogger("pmo_bot")


class _Terminated(Exception):
    """SIGTERM arrived while serving."""


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise click.ClickException(f"Configuration error — {problems}") from None


@contextmanager
def _engine(settings: Settings, *, check_schema: bool = True) -> Iterator[Engine]:
    engine = db.make_engine(settings.database_url)
    try:
        if check_schema:
            try:
                db.require_current_schema(engine)
            except db.SchemaOutOfDate as exc:
                raise click.ClickException(str(exc)) from None
            except OperationalError as exc:
                raise click.ClickException(
                    f"Can't reach the database {engine.url.render_as_string(hide_password=True)}: "
                    f"{exc.orig}. Check DATABASE_URL."
                ) from None
        yield engine
    finally:
        engine.dispose()


def _defaults(settings: Settings) -> PersonDefaults:
    return PersonDefaults(
        timezone=settings.default_timezone,
        working_days=settings.working_days,
        work_start=settings.work_start,
        work_end=settings.work_end,
    )


def _repl(channel: ConsoleChannel, handle: str) -> None:
    click.echo(
        f"PMO Bot local console — you are @{handle}. Type `help`, `as <name>` to switch person, "
        "`quit` to leave."
    )
    while True:
        try:
            line = input(f"{handle}> ")
        except EOFError:
            click.echo()
            return
        except KeyboardInterrupt:
            click.echo()
            return
        text = line.strip()
        if not text:
            continue
        if text.lower() in ("quit", "exit", ":q"):
            return
        if text.lower().startswith("as "):
            handle = text[3:].strip().lstrip("@").lower() or handle
            click.echo(f"You are now @{handle}.")
            continue
        if text.startswith("/pmo"):
            text = text[4:]
        reply = channel.run(handle, text)
        if reply.form:
            click.echo(f"Status update for {reply.form} (Enter keeps the value in brackets):")
            reply = guided_status(
                channel,
                handle,
                reply.form,
                lambda label, default: click.prompt(label, default=default, show_default=True),
            )
        click.echo(reply.text)


@click.group(invoke_without_command=True)
@click.option("--verbose", "-v", is_flag=True, help="Log debug detail to stderr.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """PMO Bot: status, action items, deliverables and minutes in chat.

    With no command it starts the bot: on Slack when Slack credentials are configured,
    otherwise the local console on the configured database (a sample portfolio is created
    the first time).
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # slack_sdk logs whole Web API responses at DEBUG, OAuth access tokens and emails included:
    # never let --verbose turn that on.
    for noisy in ("slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.INFO)
    if ctx.invoked_subcommand is None:
        ctx.invoke(start)


@main.command()
def start() -> None:
    """Start the bot in the mode the configuration selects."""
    settings = _settings()
    if settings.has_slack:
        ctx = click.get_current_context()
        ctx.invoke(
            serve,
            port=3000,
            host="0.0.0.0",
            socket=bool(settings.slack_app_token),
            no_scheduler=False,
            workers=None,
        )
        return
    with _engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        with db.session_scope(sessions) as s:
            known = s.scalar(
                select(Workspace.id).where(
                    Workspace.platform == Platform.CONSOLE,
                    Workspace.external_id == CONSOLE_WORKSPACE_ID,
                )
            )
            if known is None:
                demo.seed(s, now=system_now())
                click.echo("Local mode: no Slack or Teams credentials, so here is the console.")
                click.echo("A sample portfolio was created (5 projects, 9 people in 9 time zones).")
        _repl(ConsoleChannel(sessions, defaults=_defaults(settings)), demo.DEMO_LEAD)


@main.command()
@click.option("--as", "as_", default=demo.DEMO_LEAD, show_default=True, help="Who you act as.")
@click.option("-c", "--command", "command", help="Run one command, print the reply and exit.")
def console(as_: str, command: str | None) -> None:
    """A local chat with PMO Bot: type the same commands as after /pmo in Slack."""
    settings = _settings()
    handle = as_.lstrip("@").lower()
    with _engine(settings) as engine:
        channel = ConsoleChannel(db.make_sessionmaker(engine), defaults=_defaults(settings))
        if command is None:
            _repl(channel, handle)
            return
        reply = channel.run(handle, command)
    click.echo(reply.text, err=not reply.ok)
    sys.exit(0 if reply.ok else 1)


@main.command(name="demo")
@click.option("--console/--no-console", "open_console", default=True, help="Open the console.")
def demo_cmd(open_console: bool) -> None:
    """Create (or reset) the sample portfolio in the local workspace, then open the console."""
    settings = _settings()
    with _engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        with db.session_scope(sessions) as s:
            lead = demo.seed(s, now=system_now())
        click.echo(
            f"Sample portfolio ready: {len(demo.PROJECTS)} projects, {len(demo.PEOPLE)} people, "
            f"{len(demo.ACTIONS)} action items. You are @{lead}, the PMO lead."
        )
        if open_console:
            _repl(ConsoleChannel(sessions, defaults=_defaults(settings)), lead)


@main.group(name="db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command()
def upgrade() -> None:
    """Create or migrate the schema to the latest version."""
    settings = _settings()
    with _engine(settings, check_schema=False) as engine:
        try:
            db.upgrade(engine)
        except OperationalError as exc:
            raise click.ClickException(f"Can't reach the database: {exc.orig}") from None
        current, _ = db.schema_status(engine)
    click.echo(f"Database schema is at {current}.")


@db_group.command()
def status() -> None:
    """Show the schema revision of the database and of this code."""
    settings = _settings()
    with _engine(settings, check_schema=False) as engine:
        current, head = db.schema_status(engine)
    click.echo(f"database: {current or 'empty'}\ncode:     {head}")
    if current != head:
        click.echo("Run: pmo-bot db upgrade")
        sys.exit(1)


@db_group.command()
@click.argument("revision", default="base")
@click.confirmation_option(prompt="This drops data. Continue?")
def downgrade(revision: str) -> None:
    """Revert the schema (default: drop every PMO Bot table)."""
    settings = _settings()
    with _engine(settings, check_schema=False) as engine:
        db.downgrade(engine, revision)
    click.echo(f"Database schema reverted to {revision}.")


@main.command()
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
    """Serve Slack: HTTP at /slack/events (+ /healthz), or Socket Mode."""
    import uvicorn

    from bot.slack_app import (
        SlackConfigError,
        build_asgi,
        build_slack_app,
        describe_workspace,
        slack_mode,
    )
    from handlers.slack.listeners import SlackDeps

    settings = _settings()
    logging.getLogger("pmo_bot").setLevel(settings.log_level.upper())
    try:
        mode = slack_mode(settings, socket=socket)
    except SlackConfigError as exc:
        raise click.ClickException(str(exc)) from None
    with _engine(settings) as engine:
        deps = SlackDeps(
            db.make_sessionmaker(engine),
            defaults=_defaults(settings),
            public_url=settings.public_url,
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
        if not no_scheduler:
            from bot import scheduler

            scheduler.background(deps.sessions, scheduler.build_notifier(settings, engine))
            click.echo("Reminders: sweeping every minute in this process.", err=True)
        if socket:
            from slack_bolt.adapter.socket_mode import SocketModeHandler
            from slack_sdk.errors import SlackApiError

            handler = SocketModeHandler(app, settings.slack_app_token)
            try:
                handler.connect()  # apps.connections.open with the app token, then the socket
            except SlackApiError as exc:
                handler.close()
                raise click.ClickException(
                    f"Slack rejected SLACK_APP_TOKEN ({exc.response.get('error')}); create an "
                    "app-level token with scope connections:write (xapp-…) and copy it again."
                ) from None
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
        if processes:
            from bot.slack_workers import SlackWorkers, supported

            if not supported():
                click.echo(
                    "Worker processes need Unix SOCK_SEQPACKET sockets (Linux); "
                    "running Slack requests in this process.",
                    err=True,
                )
                processes = 0
        if processes:
            pool = SlackWorkers().start_processes(
                settings, _defaults(settings), processes=processes
            )
            click.echo(
                f"Slack requests: acked here, run by {processes} worker process(es).", err=True
            )
        click.echo(f"Listening on http://{host}:{port}/slack/events", err=True)
        asgi = build_asgi(app, engine, workers=pool, signing_secret=settings.slack_signing_secret)
        # Everything built so far lives as long as the server: keep it out of the collector's
        # full passes (130,000 objects, 26-35 ms each, an ack stall every so often).
        gc.freeze()
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


@main.command(name="scheduler")
@click.option("--once", is_flag=True, help="Run one sweep (materialize, then deliver) and exit.")
def scheduler_cmd(once: bool) -> None:
    """Run reminders: a sweep a minute, or one sweep with --once (for cron)."""
    from bot import jobs, scheduler

    settings = _settings()
    with _engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        notifier = scheduler.build_notifier(settings, engine)
        if once:
            report = jobs.sweep(sessions, notifier, now=system_now())
            click.echo(f"Sweep done: {report.line()}.")
            return
        click.echo("Scheduler running: one sweep a minute (Ctrl-C to stop).", err=True)
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            scheduler.blocking(sessions, notifier).start()


@main.group()
def outbox() -> None:
    """Inspect and retry queued notifications."""


@outbox.command(name="list")
@click.option("--failed", is_flag=True, help="Only notifications that gave up.")
@click.option("--limit", default=50, show_default=True)
def outbox_list(failed: bool, limit: int) -> None:
    """List notifications, newest first."""
    from sqlalchemy import select as sa_select

    from models import Notification, NotificationState, Person

    settings = _settings()
    with _engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        q = sa_select(Notification, Person.handle).outerjoin(
            Person, Person.id == Notification.recipient_id
        )
        if failed:
            q = q.where(Notification.state == NotificationState.FAILED)
        rows = s.execute(q.order_by(Notification.id.desc()).limit(limit)).all()
        if not rows:
            click.echo("No failed notifications." if failed else "The outbox is empty.")
            return
        for n, handle in rows:
            err = f" — {n.last_error}" if n.last_error else ""
            click.echo(
                f"#{n.id} {n.state.value:<8} {n.rule:<16} {n.subject_type.replace('_', ' ')} "
                f"#{n.subject_id} to {'@' + handle if handle else n.channel} "
                f"(attempts {n.attempts}){err}"
            )


@outbox.command(name="retry")
@click.argument("notification_id", type=int)
def outbox_retry(notification_id: int) -> None:
    """Put a failed notification back in the queue."""
    from services.outbox import delivery

    settings = _settings()
    with _engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        ok = delivery.retry(s, notification_id=notification_id, now=system_now())
    if not ok:
        raise click.ClickException(f"Notification #{notification_id} is not a failed one.")
    click.echo(f"Notification #{notification_id} will be sent on the next sweep.")


@main.group()
def holidays() -> None:
    """Workspace holidays: nobody is reminded on them."""


def _pick_workspace(s: Any, external_id: str | None) -> Workspace:
    from sqlalchemy import select as sa_select

    spaces = s.scalars(sa_select(Workspace).order_by(Workspace.id)).all()
    if external_id:
        match = [w for w in spaces if w.external_id == external_id]
        if not match:
            raise click.ClickException(f"No workspace {external_id}.")
        return match[0]
    if len(spaces) == 1:
        return spaces[0]
    if not spaces:
        raise click.ClickException("There is no workspace yet; use PMO Bot once first.")
    names = ", ".join(f"{w.external_id} ({w.platform.value})" for w in spaces)
    raise click.ClickException(f"Several workspaces: pick one with --workspace ({names}).")


@holidays.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--workspace", "workspace", help="The workspace's Slack team / tenant id.")
def holidays_import(path: str, workspace: str | None) -> None:
    """Import holidays from an .ics file (recurring ones expanded two years ahead)."""
    from pathlib import Path

    from services.core import holidays as holiday_service
    from services.core.errors import DomainError

    settings = _settings()
    data = Path(path).read_bytes()
    with _engine(settings) as engine:
        try:
            with db.session_scope(db.make_sessionmaker(engine)) as s:
                ws = _pick_workspace(s, workspace)
                result = holiday_service.import_ics(
                    s, workspace_id=ws.id, data=data, today=system_now().date()
                )
                ws_name = ws.name
        except DomainError as err:
            raise click.ClickException(f"{err.message} {err.hint or ''}".strip()) from None
    click.echo(
        f"Imported {result.added} new holiday day(s) for {ws_name} "
        f"({len(result.days)} in the file's range)."
    )


@holidays.command(name="list")
@click.option("--workspace", "workspace", help="The workspace's Slack team / tenant id.")
def holidays_list(workspace: str | None) -> None:
    """List upcoming holidays."""
    from sqlalchemy import select as sa_select

    from models import Holiday

    settings = _settings()
    with _engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        ws = _pick_workspace(s, workspace)
        rows = s.execute(
            sa_select(Holiday.on, Holiday.name)
            .where(Holiday.workspace_id == ws.id, Holiday.on >= system_now().date())
            .order_by(Holiday.on)
        ).all()
    if not rows:
        click.echo("No upcoming holidays.")
    for on, name in rows:
        click.echo(f"{on:%a %d %b %Y}  {name}")


@main.command(name="report")
@click.option("--week", default=None, help="ISO week, e.g. 2026-W47 (default: this week).")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "csv", "xlsx"]), default="md", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file (needed for xlsx); default: print.",
)
@click.option("--workspace", default=None, help="Workspace external id (default: the only one).")
def report_cmd(week: str | None, fmt: str, output: str | None, workspace: str | None) -> None:
    """Export the portfolio report of any week, including past ones."""
    from sqlalchemy import select as sa_select

    from models import Workspace
    from services.core.dates import local_today
    from services.core.errors import DomainError
    from services.status import exports as report_exports
    from services.status import report as reports

    if fmt == "xlsx" and output is None:
        raise click.ClickException("xlsx is a binary file: give --output FILE.xlsx.")
    settings = _settings()
    with _engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        q = sa_select(Workspace)
        if workspace:
            q = q.where(Workspace.external_id == workspace)
        found = s.scalars(q).all()
        if len(found) != 1:
            names = ", ".join(f"{w.external_id} ({w.name})" for w in found) or "none yet"
            raise click.ClickException(f"Pick one workspace with --workspace: {names}.")
        ws = found[0]
        today = local_today(system_now(), ws.timezone)
        try:
            period = reports.parse_week(week, today)
        except DomainError as err:
            raise click.ClickException(f"{err.message} {err.hint or ''}".strip()) from None
        report = reports.build(s, ws.id, period, today=today)
        data: bytes = (
            report_exports.to_xlsx(report)
            if fmt == "xlsx"
            else (
                report_exports.to_csv(report)
                if fmt == "csv"
                else report_exports.to_markdown(report)
            ).encode()
        )
    if output:
        with open(output, "wb") as f:
            f.write(data)
        click.echo(f"Wrote the {period} report ({len(report.projects)} projects) to {output}.")
    else:
        click.echo(data.decode(), nl=False)


@main.group(name="minutes")
def minutes_group() -> None:
    """Minutes taken in chat."""


@minutes_group.command(name="export")
@click.argument("minutes_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["md"]), default="md", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file; default: print.",
)
@click.option("--workspace", default=None, help="Workspace external id (default: the only one).")
def minutes_export(minutes_id: int, fmt: str, output: str | None, workspace: str | None) -> None:
    """Export one session's minutes (title, when, who, notes, decisions, action items)."""
    from models import Minutes
    from services.meetings import export as minutes_export
    from services.meetings import views as minutes_views

    settings = _settings()
    with _engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        ws = _pick_workspace(s, workspace)
        row = s.get(Minutes, minutes_id)
        if row is None or row.workspace_id != ws.id:
            raise click.ClickException(f"There are no minutes #{minutes_id} in {ws.name}.")
        text = minutes_export.to_markdown(minutes_views.view(s, minutes_id))
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(f"Wrote minutes #{minutes_id} to {output}.")
    else:
        click.echo(text, nl=False)


@main.group(name="meetings")
def meetings_group() -> None:
    """Meeting series (the agenda goes to their channel before each one)."""


@meetings_group.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--project", "key", required=True, help="The project the meetings belong to.")
@click.option("--as", "handle", required=True, help="Who organizes them (a member's handle).")
@click.option("--channel", default=None, help="Channel id for agendas (default: the project's).")
@click.option("--workspace", default=None, help="Workspace external id (default: the only one).")
def meetings_import(
    path: str, key: str, handle: str, channel: str | None, workspace: str | None
) -> None:
    """Import meeting series from an .ics file (Google Calendar or Outlook export)."""
    from pathlib import Path

    from sqlalchemy import select as sa_select

    from models import Person
    from services.core.access import actor_for
    from services.core.errors import DomainError
    from services.meetings import series as meetings

    settings = _settings()
    data = Path(path).read_bytes()
    with _engine(settings) as engine:
        try:
            with db.session_scope(db.make_sessionmaker(engine)) as s:
                ws = _pick_workspace(s, workspace)
                who = s.scalar(
                    sa_select(Person).where(
                        Person.workspace_id == ws.id, Person.handle == handle.lstrip("@")
                    )
                )
                if who is None:
                    raise click.ClickException(f"Nobody called @{handle.lstrip('@')} here.")
                views = meetings.import_ics(
                    s, actor_for(s, who), key=key, data=data, now=system_now(), channel=channel
                )
        except DomainError as err:
            raise click.ClickException(f"{err.message} {err.hint or ''}".strip()) from None
    for v in views:
        nxt = f"next {v.next_start:%a %d %b %H:%M} UTC" if v.next_start else "no more"
        click.echo(f"#{v.id} {v.title} · {v.rrule or 'once'} · {nxt}")
    click.echo(f"Imported {len(views)} meeting series into {key.upper()}.")
