"""The `pmo-bot` command line: the top-level group, with one module per command group.

The group is lazy: a command's module (and what it needs: the database, Slack's stack, the
chart library) is imported only when that command runs, so `pmo-bot --help` and
`pmo-bot console -c help` start at once. Each command's one-line help is kept here for the
listing; a test keeps it equal to the command's own.
"""

from __future__ import annotations

import importlib
import logging
import os

import click

from bot import logs
from bot.multiproc import prepare_multiprocess

# name: (module, attribute, the one-line help `pmo-bot --help` lists)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "start": ("bot.cli.console", "start", "Start the bot in the mode the configuration selects."),
    "console": (
        "bot.cli.console",
        "console",
        "A local chat with PMO Bot: type the same commands as after /pmo in Slack.",
    ),
    "demo": (
        "bot.cli.console",
        "demo_cmd",
        "Create (or reset) the sample portfolio in the local workspace, then open the console.",
    ),
    "db": ("bot.cli.database", "db_group", "Database schema commands."),
    "serve": (
        "bot.cli.serve",
        "serve",
        "Serve Slack: HTTP at /slack/events (+ /healthz), or Socket Mode; with no chat platform "
        "configured, /healthz and the calendar feeds only.",
    ),
    "scheduler": (
        "bot.cli.scheduler",
        "scheduler_cmd",
        "Run reminders: a sweep a minute, or one sweep with --once (for cron).",
    ),
    "outbox": ("bot.cli.outbox", "outbox", "Inspect and retry queued notifications."),
    "holidays": ("bot.cli.holidays", "holidays", "Workspace holidays: nobody is reminded on them."),
    "report": (
        "bot.cli.report",
        "report_cmd",
        "Export the portfolio report of any week, including past ones.",
    ),
    "minutes": ("bot.cli.minutes", "minutes_group", "Minutes taken in chat."),
    "meetings": (
        "bot.cli.meetings",
        "meetings_group",
        "Meeting series (the agenda goes to their channel before each one).",
    ),
    "raid": ("bot.cli.raid", "raid_group", "The RAID log and the decision log."),
    "register": (
        "bot.cli.registers",
        "register_cmd",
        "Export the project register (PM, sponsor, phase, dates, budget, RAG, top risk).",
    ),
    "raci": (
        "bot.cli.registers",
        "raci_cmd",
        "Export a project's RACI chart as an Excel file (people by deliverables).",
    ),
    "teams": ("bot.cli.teams", "teams_group", "Microsoft Teams: build the app package to upload."),
}


def shorten(text: str, limit: int) -> str:
    """The first sentence of a help text, cut to `limit` characters at a word."""
    first = text.split(". ")[0].rstrip(".") + "."
    return first if len(first) <= limit else first[: limit - 3].rsplit(" ", 1)[0] + "..."


class LazyGroup(click.Group):
    """A group whose commands are imported when they run, listed from COMMANDS."""

    def list_commands(self, _ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, _ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = COMMANDS.get(cmd_name)
        if found is None:
            return None
        module, attribute, _ = found
        if cmd_name == "serve":  # worker processes: metrics in shared files (bot/metrics.py)
            prepare_multiprocess()
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, _ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, shorten(text, limit)) for name, (_, _, text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.option("--verbose", "-v", is_flag=True, help="Log debug detail to stderr.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """PMO Bot: status, action items, deliverables and minutes in chat.

    With no command it starts the bot: on Slack when Slack credentials are configured,
    otherwise the local console on the configured database (a sample portfolio is created
    the first time).
    """
    logs.configure(
        logging.DEBUG if verbose else logging.WARNING, os.environ.get("LOG_FORMAT", "text")
    )
    # slack_sdk logs whole Web API responses at DEBUG, OAuth access tokens and emails included:
    # never let --verbose turn that on (and without it, only warnings and worse).
    for noisy in ("slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
    if ctx.invoked_subcommand is None:
        start = main.get_command(ctx, "start")
        assert start is not None
        ctx.invoke(start)
