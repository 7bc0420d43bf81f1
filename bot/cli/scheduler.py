"""`pmo-bot scheduler`: the reminder sweeps, every minute or once."""

from __future__ import annotations

import contextlib

import click

from bot import db, jobs, scheduler
from bot.cli.common import load_settings, open_engine
from handlers.console.channel import system_now


@click.command(name="scheduler")
@click.option("--once", is_flag=True, help="Run one sweep (materialize, then deliver) and exit.")
def scheduler_cmd(once: bool) -> None:
    """Run reminders: a sweep a minute, or one sweep with --once (for cron)."""
    settings = load_settings()
    with open_engine(settings) as engine:
        sessions = db.make_sessionmaker(engine)
        notifier = scheduler.build_notifier(settings, engine)
        if once:
            report = jobs.sweep(sessions, notifier, now=system_now())
            click.echo(f"Sweep done: {report.line()}.")
            return
        click.echo("Scheduler running: one sweep a minute (Ctrl-C to stop).", err=True)
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            scheduler.blocking(sessions, notifier).start()
