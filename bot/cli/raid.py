"""`pmo-bot raid`: export the RAID log (risks, assumptions, issues, dependencies, decisions)."""

from __future__ import annotations

import click
from sqlalchemy import select

from bot import db
from bot.cli.common import load_settings, open_engine, pick_workspace
from models import Project
from services.raid import exports


@click.group(name="raid")
def raid_group() -> None:
    """The RAID log and the decision log."""


@raid_group.command(name="export")
@click.option("--project", "key", default=None, help="One project's log (default: every one).")
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
def raid_export(key: str | None, fmt: str, output: str | None, workspace: str | None) -> None:
    """Every entry of the RAID and decision logs, with scores, owners, dates and links."""
    if fmt == "xlsx" and output is None:
        raise click.ClickException("xlsx is a binary file: give --output FILE.xlsx.")
    settings = load_settings()
    with open_engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        ws = pick_workspace(s, workspace)
        if key and not s.scalar(
            select(Project.id).where(Project.workspace_id == ws.id, Project.key == key.upper())
        ):
            raise click.ClickException(f"There is no project {key.upper()} in {ws.name}.")
        entries = exports.log_entries(s, ws.id, key=key)
        title = f"RAID log · {key.upper()}" if key else f"RAID log · {ws.name}"
        data = (
            exports.to_xlsx(entries)
            if fmt == "xlsx"
            else (
                exports.to_csv(entries) if fmt == "csv" else exports.to_markdown(entries, title)
            ).encode()
        )
    if output:
        with open(output, "wb") as f:
            f.write(data)
        click.echo(f"Wrote {len(entries)} entries to {output}.")
    else:
        click.echo(data.decode(), nl=False)
