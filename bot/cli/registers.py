"""`pmo-bot register` and `pmo-bot raci`: the project register and a RACI chart as files."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import db
from bot.cli.common import load_settings, open_engine, pick_workspace
from handlers.console.channel import system_now
from models import Person, WorkspaceRole, WorkspaceRoleName
from services.commands import ast, ast_registers
from services.commands.execute import execute
from services.commands.results_registers import FileResult
from services.core.access import Actor, actor_for
from services.core.errors import DomainError


def _actor(s: Session, workspace: str | None, handle: str | None) -> Actor:
    ws = pick_workspace(s, workspace)
    q = select(Person).where(Person.workspace_id == ws.id)
    if handle:
        q = q.where(Person.handle == handle.lstrip("@"))
    else:  # the first PMO lead
        q = q.join(WorkspaceRole, WorkspaceRole.person_id == Person.id).where(
            WorkspaceRole.role == WorkspaceRoleName.PMO_LEAD
        )
    who = s.scalar(q.order_by(Person.id).limit(1))
    if who is None:
        raise click.ClickException(
            f"Nobody called @{handle.lstrip('@')} here." if handle else "No PMO lead here yet."
        )
    return actor_for(s, who)


def _export(cmd: ast.Command, output: str, workspace: str | None, handle: str | None) -> None:
    settings = load_settings()
    with open_engine(settings) as engine:
        try:
            with db.session_scope(db.make_sessionmaker(engine)) as s:
                result = execute(s, _actor(s, workspace, handle), cmd, now=system_now())
        except DomainError as err:
            raise click.ClickException(f"{err.message} {err.hint or ''}".strip()) from None
    assert isinstance(result, FileResult)
    Path(output).write_bytes(result.content)
    click.echo(f"Wrote {result.title} ({result.summary}) to {output}.")


@click.command(name="register")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx")
@click.option("--output", "-o", type=click.Path(dir_okay=False), required=True)
@click.option("--as", "handle", default=None, help="A PMO lead's handle (default: the first).")
@click.option("--workspace", default=None, help="Workspace external id (default: the only one).")
def register_cmd(fmt: str, output: str, handle: str | None, workspace: str | None) -> None:
    """Export the project register (PM, sponsor, phase, dates, budget, RAG, top risk)."""
    _export(ast_registers.ProjectRegister(fmt), output, workspace, handle)


@click.command(name="raci")
@click.argument("key")
@click.option("--output", "-o", type=click.Path(dir_okay=False), required=True)
@click.option("--as", "handle", default=None, help="Who looks (default: the first PMO lead).")
@click.option("--workspace", default=None, help="Workspace external id (default: the only one).")
def raci_cmd(key: str, output: str, handle: str | None, workspace: str | None) -> None:
    """Export a project's RACI chart as an Excel file (people by deliverables)."""
    _export(ast_registers.RaciExport(key.upper()), output, workspace, handle)
