"""`pmo-bot minutes`: export minutes taken in chat."""

from __future__ import annotations

import click

from bot import db
from bot.cli.common import load_settings, open_engine, pick_workspace
from models import Minutes
from services.meetings import export, views


@click.group(name="minutes")
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
def minutes_export(
    minutes_id: int,
    fmt: str,  # noqa: ARG001 (--format md is accepted; Markdown is the only format so far)
    output: str | None,
    workspace: str | None,
) -> None:
    """Export one session's minutes (title, when, who, notes, decisions, action items)."""
    settings = load_settings()
    with open_engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        ws = pick_workspace(s, workspace)
        row = s.get(Minutes, minutes_id)
        if row is None or row.workspace_id != ws.id:
            raise click.ClickException(f"There are no minutes #{minutes_id} in {ws.name}.")
        text = export.to_markdown(views.view(s, minutes_id))
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(f"Wrote minutes #{minutes_id} to {output}.")
    else:
        click.echo(text, nl=False)
