"""`pmo-bot report`: export any week's portfolio report."""

from __future__ import annotations

import click
from sqlalchemy import select

from bot import db
from bot.cli.common import load_settings, open_engine
from handlers.console.channel import system_now
from models import Workspace
from services.core.dates import local_today
from services.core.errors import DomainError
from services.status import charts, exports
from services.status import report as reports


@click.command(name="report")
@click.option("--week", default=None, help="ISO week, e.g. 2026-W47 (default: this week).")
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
def report_cmd(week: str | None, fmt: str, output: str | None, workspace: str | None) -> None:
    """Export the portfolio report of any week, including past ones."""
    if fmt == "xlsx" and output is None:
        raise click.ClickException("xlsx is a binary file: give --output FILE.xlsx.")
    settings = load_settings()
    with open_engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        q = select(Workspace)
        if workspace:
            q = q.where(Workspace.external_id == workspace)
        found = s.scalars(q).all()
        if len(found) != 1:
            names = ", ".join(f"{w.external_id} ({w.name})" for w in found) or "none yet"
            raise click.ClickException(f"Pick one workspace with --workspace: {names}.")
        ws = found[0]
        today = local_today(system_now(), ws.timezone)
        try:
            period = reports.parse_week(week, today)
        except DomainError as err:
            raise click.ClickException(f"{err.message} {err.hint or ''}".strip()) from None
        report = reports.build(s, ws.id, period, today=today)
        if fmt == "xlsx":
            data = exports.to_xlsx(report)
        elif fmt == "csv":
            data = exports.to_csv_bytes(report)
        else:
            chart = charts.rag_heatmap(report) if report.projects else None
            data = exports.to_markdown(report, chart=chart).encode()
    if output:
        with open(output, "wb") as f:
            f.write(data)
        click.echo(f"Wrote the {period} report ({len(report.projects)} projects) to {output}.")
    else:
        click.echo(data.decode("utf-8-sig" if fmt == "csv" else "utf-8"), nl=False)
