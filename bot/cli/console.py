"""`pmo-bot start`, `console` and `demo`: the local chat (a REPL) and the sample portfolio."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from sqlalchemy import select

from bot import db, demo
from bot.cli.common import load_settings, open_engine, person_defaults
from bot.cli.serve import serve
from handlers.console import prompt
from handlers.console.channel import CONSOLE_WORKSPACE_ID, ConsoleChannel, system_now
from models import Platform, Workspace


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
        reply = channel.run(handle, text, interactive=True)
        if reply.text:
            click.echo(reply.text)
        form = reply.form
        if form is not None and reply.text and not click.confirm("Change them?", default=False):
            continue
        if form is not None:
            click.echo(
                f"{form.form.title} (Enter keeps the value in brackets, `back` goes back, "
                "`-` clears, Ctrl-C cancels):"
            )
            reply = prompt.fill(
                form,
                lambda label, default: click.prompt(
                    label, default=default, show_default=bool(default)
                ),
                functools.partial(channel.submit, handle, form),
                echo=click.echo,
            )
            click.echo(reply.text)


@click.command()
def start() -> None:
    """Start the bot in the mode the configuration selects."""
    settings = load_settings()
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
                demo.seed(s, now=system_now())
                click.echo("Local mode: no Slack or Teams credentials, so here is the console.")
                click.echo("A sample portfolio was created (5 projects, 9 people in 9 time zones).")
        channel = ConsoleChannel(sessions, defaults=person_defaults(settings), downloads=Path.cwd())
        _repl(channel, demo.DEMO_LEAD)


@click.command()
@click.option("--as", "as_", default=demo.DEMO_LEAD, show_default=True, help="Who you act as.")
@click.option("-c", "--command", "command", help="Run one command, print the reply and exit.")
def console(as_: str, command: str | None) -> None:
    """A local chat with PMO Bot: type the same commands as after /pmo in Slack."""
    settings = load_settings()
    handle = as_.lstrip("@").lower()
    with open_engine(settings) as engine:
        channel = ConsoleChannel(
            db.make_sessionmaker(engine), defaults=person_defaults(settings), downloads=Path.cwd()
        )
        if command is None:
            _repl(channel, handle)
            return
        reply = channel.run(handle, command)
    click.echo(reply.text, err=not reply.ok)
    sys.exit(0 if reply.ok else 1)


@click.command(name="demo")
@click.option("--console/--no-console", "open_console", default=True, help="Open the console.")
def demo_cmd(open_console: bool) -> None:
    """Create (or reset) the sample portfolio in the local workspace, then open the console."""
    settings = load_settings()
    with open_engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        with db.session_scope(sessions) as s:
            lead = demo.seed(s, now=system_now())
        click.echo(
            f"Sample portfolio ready: {len(demo.PROJECTS)} projects, {len(demo.PEOPLE)} people, "
            f"{len(demo.ACTIONS)} action items. You are @{lead}, the PMO lead."
        )
        if open_console:
            channel = ConsoleChannel(
                sessions, defaults=person_defaults(settings), downloads=Path.cwd()
            )
            _repl(channel, lead)
