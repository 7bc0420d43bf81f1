"""The people commands of the language: the directory, who you are, your own settings."""

from __future__ import annotations

from typing import assert_never

from services.commands import everyday_ast as ast
from services.commands.context import Ctx
from services.commands.everyday_results import MeEvent, MeResult, PeopleResult
from services.commands.results import Result
from services.people import directory, me
from services.workspace import leave
from services.workspace.commands import leave_result


def run(ctx: Ctx, cmd: ast.PeopleCommand) -> Result:
    """Run one people command."""
    s, actor, now = ctx.session, ctx.actor, ctx.now
    match cmd:
        case ast.PeopleList(page):
            return PeopleResult(directory.list_people(s, actor, now=now, page=page))
        case ast.WhoAmI():
            return MeResult(me.settings_of(s, actor, now=now), "whoami")
        case ast.MeShow():
            return MeResult(me.settings_of(s, actor, now=now), "shown")
        case ast.MeSet(field, value):
            event: MeEvent = field if field in me.FIELDS else "shown"  # type: ignore[assignment]
            return MeResult(me.change(s, actor, field=field, value=value, now=now), event)
        case ast.LeaveCancelOne(period_id):
            leave.cancel_one(s, actor, period_id=period_id, now=now)
            return leave_result(ctx, "cancelled")
        case _:
            assert_never(cmd)
