"""Run a parsed command: one grammar, and each feature runs its own commands.

Channel-agnostic; the edge owns the transaction. Every lookup and date is checked before
anything is written, so a failed command changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.commands import ast, ast_meetings, ast_registers, everyday_ast
from services.commands.ast_raid import RaidCommand
from services.commands.context import Ctx, MentionResolver, default_resolver
from services.commands.help import DATES_HELP, entries_for
from services.commands.parser import parse
from services.commands.results import HelpResult, Result
from services.core.access import Actor
from services.dependencies import commands as dependencies
from services.documents import commands as documents
from services.meetings import commands as meetings
from services.people import commands as people
from services.projects import commands as projects
from services.projects import gate_commands as gates
from services.raci import commands as raci
from services.raid import commands as raid
from services.status import commands as status
from services.work import commands as work
from services.work import item_commands as items
from services.workspace import commands as workspace


def run_text(
    session: Session,
    actor: Actor,
    text: str,
    *,
    now: datetime,
    resolve: MentionResolver = default_resolver,
    channel: str | None = None,
) -> Result:
    """Parse and run one command typed by `actor` (in `channel`, where it matters)."""
    return execute(session, actor, parse(text), now=now, resolve=resolve, channel=channel)


def execute(
    session: Session,
    actor: Actor,
    cmd: ast.Command,
    *,
    now: datetime,
    resolve: MentionResolver = default_resolver,
    channel: str | None = None,
) -> Result:
    """Run a typed command through the feature it belongs to."""
    ctx = Ctx(session, actor, now, resolve, channel)
    if isinstance(cmd, ast.Help):
        extra = DATES_HELP if cmd.topic in (None, "dates") else None
        return HelpResult(cmd.topic, entries_for(cmd.topic), extra)
    if isinstance(cmd, ast.ProjectCommand):
        return projects.run(ctx, cmd)
    if isinstance(cmd, ast.WorkCommand):
        return work.run(ctx, cmd)
    if isinstance(cmd, ast.StatusCommand):
        return status.run(ctx, cmd)
    if isinstance(cmd, ast_meetings.MeetingCommand):
        return meetings.run(ctx, cmd)
    if isinstance(cmd, RaidCommand):
        return raid.run(ctx, cmd)
    if isinstance(cmd, ast_registers.RaciCommand):
        return raci.run(ctx, cmd)
    if isinstance(cmd, ast_registers.DependencyCommand):
        return dependencies.run(ctx, cmd)
    if isinstance(cmd, ast_registers.RegisterCommand):
        return gates.run(ctx, cmd)
    if isinstance(cmd, ast_registers.DocumentCommand):
        return documents.run(ctx, cmd)
    if isinstance(cmd, everyday_ast.PeopleCommand):
        return people.run(ctx, cmd)
    if isinstance(cmd, everyday_ast.ItemCommand):
        return items.run(ctx, cmd)
    return workspace.run(ctx, cmd)
