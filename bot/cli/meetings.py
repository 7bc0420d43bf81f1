"""`pmo-bot meetings`: import meeting series from a calendar file."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from bot import db
from bot.cli.common import load_settings, open_engine, pick_workspace
from handlers.console.channel import system_now
from models import Person
from services.core.access import actor_for
from services.core.errors import DomainError
from services.meetings import series as meetings


@click.group(name="meetings")
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
    settings = load_settings()
    data = Path(path).read_bytes()
    with open_engine(settings) as engine:
        try:
            with db.session_scope(db.make_sessionmaker(engine)) as s:
                ws = pick_workspace(s, workspace)
                who = s.scalar(
                    select(Person).where(
                        Person.workspace_id == ws.id, Person.handle == handle.lstrip("@")
                    )
                )
                if who is None:
                    raise click.ClickException(f"Nobody called @{handle.lstrip('@')} here.")
                done = meetings.import_ics(
                    s, actor_for(s, who), key=key, data=data, now=system_now(), channel=channel
                )
                views = done.series
        except DomainError as err:
            raise click.ClickException(f"{err.message} {err.hint or ''}".strip()) from None
    for v in views:
        nxt = f"next {v.next_start:%a %d %b %H:%M} UTC" if v.next_start else "no more"
        click.echo(f"#{v.id} {v.title} · {v.rrule or 'once'} · {nxt}")
    click.echo(f"Imported {len(views)} meeting series into {key.upper()}.")
    for note in done.notes:
        click.echo(note)
