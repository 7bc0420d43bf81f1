"""The dependency commands of the language."""

from __future__ import annotations

from typing import assert_never

from services.commands import ast_registers as reg
from services.commands.context import Ctx
from services.commands.results import FormResult, Result
from services.commands.results_registers import DependencyListResult, DependencyResult
from services.dependencies import agreements, forms


def run(ctx: Ctx, cmd: reg.DependencyCommand) -> Result:
    """Run one dependency command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    match cmd:
        case reg.DependNew(key, other, what, by_text, d_id):
            by = ctx.day(by_text)
            v = agreements.ask(
                s,
                actor,
                key=key,
                other=other,
                what=what,
                by=by,
                deliverable_id=d_id,
                now=now,
                today=today,
            )
            return DependencyResult(v, "requested", today)
        case reg.DependList(key):
            needs, provides = agreements.listed(s, actor, key=key)
            return DependencyListResult(key, needs, provides, today)
        case reg.DependAccept(dep_id):
            v = agreements.accept(s, actor, dependency_id=dep_id, now=now)
            return DependencyResult(v, "accepted", today)
        case reg.DependPropose(dep_id, on_text):
            on = ctx.day(on_text)
            v = agreements.propose(s, actor, dependency_id=dep_id, on=on, now=now, today=today)
            return DependencyResult(v, "proposed", today)
        case reg.DependDecline(dep_id, reason):
            v = agreements.decline(s, actor, dependency_id=dep_id, reason=reason, now=now)
            return DependencyResult(v, "declined", today)
        case reg.DependForm(dep_id, answer):
            v = agreements.answerable(s, actor, dependency_id=dep_id)
            return FormResult(forms.request(v, answer))
        case _:
            assert_never(cmd)
