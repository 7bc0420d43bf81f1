"""The `pmo-bot` command line: the top-level group, with one module per command group."""

from __future__ import annotations

import logging
import sys

import click

from bot.cli.console import console, demo_cmd, start
from bot.cli.database import db_group
from bot.cli.holidays import holidays
from bot.cli.meetings import meetings_group
from bot.cli.minutes import minutes_group
from bot.cli.outbox import outbox
from bot.cli.raid import raid_group
from bot.cli.registers import raci_cmd, register_cmd
from bot.cli.report import report_cmd
from bot.cli.scheduler import scheduler_cmd
from bot.cli.serve import serve


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


for command in (
    start,
    console,
    demo_cmd,
    db_group,
    serve,
    scheduler_cmd,
    outbox,
    holidays,
    report_cmd,
    minutes_group,
    meetings_group,
    raid_group,
    register_cmd,
    raci_cmd,
):
    main.add_command(command)
