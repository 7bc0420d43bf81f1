"""`pmo-bot start`, `console` and `demo`: the local chat (a REPL) and the sample portfolio.

This module stays light: `console -c help` answers from the help table alone, and everything
else (settings, the database, the services) loads in `bot.cli.local_session` when needed.
"""

from __future__ import annotations

import logging
import sys

import click

from handlers.console.help import quick_help

DEMO_LEAD = "pat"  # bot.demo.DEMO_LEAD (a test keeps them equal)


class ShortTraces(logging.Filter):
    """In the console an unexpected error is logged as one line (the person at the keyboard
    is told what happened); --verbose keeps the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.msg = f"{record.getMessage()} ({record.exc_info[1]!r}; --verbose shows more)"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def short_traces() -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is None or not ctx.find_root().params.get("verbose"):
        for handler in logging.getLogger().handlers:
            handler.addFilter(ShortTraces())


@click.command()
def start() -> None:
    """Start the bot in the mode the configuration selects."""
    from bot.cli import local_session  # noqa: PLC0415 (the database loads only to run it)

    short_traces()
    local_session.start()


@click.command()
@click.option("--as", "as_", default=DEMO_LEAD, show_default=True, help="Who you act as.")
@click.option("-c", "--command", "command", help="Run one command, print the reply and exit.")
def console(as_: str, command: str | None) -> None:
    """A local chat with PMO Bot: type the same commands as after /pmo in Slack."""
    if command is not None:
        text = quick_help(command)  # help needs no database: answered at once
        if text is not None:
            click.echo(text)
            sys.exit(0)
    from bot.cli import local_session  # noqa: PLC0415 (the database loads only when needed)

    short_traces()
    local_session.console(as_.lstrip("@").lower(), command)


@click.command(name="demo")
@click.option("--console/--no-console", "open_console", default=True, help="Open the console.")
def demo_cmd(open_console: bool) -> None:
    """Create (or reset) the sample portfolio in the local workspace, then open the console."""
    from bot.cli import local_session  # noqa: PLC0415 (the database loads only to run it)

    short_traces()
    local_session.demo(open_console=open_console)
