"""What `pmo-bot`, `pmo-bot console` and `pmo-bot demo` run: the local console on the
configured database, on the local clock, with local mode's sweeps."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import db
from bot import demo as sample
from bot.cli.common import load_settings, open_engine, person_defaults
from bot.cli.repl import Repl, Screen, is_local
from bot.config import Settings
from bot.local import LocalMode, local_clock
from handlers.console.channel import CONSOLE_WORKSPACE_ID, ConsoleChannel
from handlers.console.clock import system_now
from handlers.console.feed import LocalFeed
from models import Platform, Workspace


def session_for(
    sessions: sessionmaker[Session], settings: Settings, handle: str, *, sweeps: bool
) -> Repl:
    """A console session as `handle`, on the local clock; `sweeps`: local mode runs the
    reminders, nudges, digests and reports while it is open."""
    screen = Screen()
    clock = local_clock(sessions)
    channel = ConsoleChannel(
        sessions,
        defaults=person_defaults(settings),
        clock=clock,
        echo=screen.out,
        public_url=settings.public_url,
        downloads=Path.cwd(),
    )
    repl = Repl(sessions, channel, handle, screen=screen, defaults=person_defaults(settings))
    if sweeps:
        feed = LocalFeed(screen.out, reader=repl.reader)
        repl.local = LocalMode(sessions, clock, feed)
    return repl


def start() -> None:
    """Slack when it is configured; otherwise the console (a sample portfolio the first time)."""
    settings = load_settings()
    if settings.has_slack:
        from bot.cli.serve import serve  # noqa: PLC0415 (Slack's stack loads only to serve it)

        click.get_current_context().invoke(
            serve,
            port=3000,
            host="0.0.0.0",
            socket=bool(settings.slack_app_token),
            no_scheduler=False,
            workers=None,
        )
        return
    with open_engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        with db.session_scope(sessions) as s:
            known = s.scalar(
                select(Workspace.id).where(
                    Workspace.platform == Platform.CONSOLE,
                    Workspace.external_id == CONSOLE_WORKSPACE_ID,
                )
            )
            if known is None:
                sample.seed(s, now=system_now())
                click.echo("Local mode: no Slack or Teams credentials, so here is the console.")
                click.echo("A sample portfolio was created (5 projects, 9 people in 9 time zones).")
                click.echo(sample.TOUR)
        session_for(sessions, settings, sample.DEMO_LEAD, sweeps=True).loop()


def console(handle: str, command: str | None) -> None:
    """The console as `handle`: a REPL, or one command (exit 0 on success, 1 on a user error)."""
    settings = load_settings()
    with open_engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        repl = session_for(sessions, settings, handle, sweeps=command is None or is_local(command))
        if command is None:
            repl.loop()
            return
        if is_local(command):
            repl.refresh_zone()
            sys.exit(0 if repl.local_word(command) else 1)
        reply = repl.channel.run(handle, command)
    click.echo(reply.text, err=not reply.ok)
    sys.exit(0 if reply.ok else 1)


def demo(*, open_console: bool) -> None:
    """Create (or reset) the sample portfolio, then (unless told not to) open the console."""
    settings = load_settings()
    with open_engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        with db.session_scope(sessions) as s:
            lead = sample.seed(s, now=system_now())
        click.echo(
            f"Sample portfolio ready: {len(sample.PROJECTS)} projects, {len(sample.PEOPLE)} "
            f"people, {len(sample.ACTIONS)} action items. You are @{lead}, the PMO lead."
        )
        click.echo(sample.TOUR)
        if open_console:
            session_for(sessions, settings, lead, sweeps=True).loop()
