"""`pmo-bot holidays`: import and list workspace holidays."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from bot import db
from bot.cli.common import load_settings, open_engine, pick_workspace
from handlers.console.channel import system_now
from models import Holiday
from services.core import holidays as holiday_service
from services.core.errors import DomainError


@click.group()
def holidays() -> None:
    """Workspace holidays: nobody is reminded on them."""


@holidays.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--workspace", "workspace", help="The workspace's Slack team / tenant id.")
def holidays_import(path: str, workspace: str | None) -> None:
    """Import holidays from an .ics file (recurring ones expanded two years ahead)."""
    settings = load_settings()
    data = Path(path).read_bytes()
    with open_engine(settings) as engine:
        try:
            with db.session_scope(db.make_sessionmaker(engine)) as s:
                ws = pick_workspace(s, workspace)
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
    for note in result.notes:
        click.echo(note)


@holidays.command(name="list")
@click.option("--workspace", "workspace", help="The workspace's Slack team / tenant id.")
def holidays_list(workspace: str | None) -> None:
    """List upcoming holidays."""
    settings = load_settings()
    with open_engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        ws = pick_workspace(s, workspace)
        rows = s.execute(
            select(Holiday.on, Holiday.name)
            .where(Holiday.workspace_id == ws.id, Holiday.on >= system_now().date())
            .order_by(Holiday.on)
        ).all()
    if not rows:
        click.echo("No upcoming holidays.")
    for on, name in rows:
        click.echo(f"{on:%a %d %b %Y}  {name}")
