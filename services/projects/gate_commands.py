"""The project register, phase and stage-gate commands of the language."""

from __future__ import annotations

from typing import assert_never

from services.commands import ast_registers as reg
from services.commands.context import Ctx
from services.commands.results import FormResult, Result
from services.commands.results_registers import (
    FileResult,
    PhasesResult,
    RegisterCardResult,
    RegisterResult,
)
from services.core.errors import PermissionDenied
from services.projects import gates, phases, portfolio, register_export, risks
from services.projects.forms import reject_request


def run(ctx: Ctx, cmd: reg.RegisterCommand) -> Result:
    """Run one register command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today

    def card(key: str) -> portfolio.RegisterCard:
        return portfolio.entry(s, actor, key=key, now=now, today=today, source=risks.SOURCE)

    match cmd:
        case reg.ProjectRegister(None):
            return RegisterResult(
                portfolio.build(s, actor, now=now, today=today, source=risks.SOURCE)
            )
        case reg.ProjectRegister(fmt):
            register = portfolio.build(s, actor, now=now, today=today, source=risks.SOURCE)
            n = len(register.lines)
            if fmt == "csv":
                data = register_export.to_csv(register).encode()
            else:
                data = register_export.to_xlsx(register)
            name = f"project-register-{today.isoformat()}.{fmt}"
            return FileResult(name, "Project register", data, f"{n} projects")
        case reg.ProjectPhases(()):
            return PhasesResult(phases.workspace_phases(s, actor.workspace_id), False)
        case reg.ProjectPhases(names):
            return PhasesResult(phases.set_phases(s, actor, phases=names, now=now), True)
        case reg.ProjectGates(key):
            return RegisterCardResult(card(key), "shown")
        case reg.ProjectGateSet(key, phase, mention):
            name = gates.set_approver(
                s, actor, key=key, phase=phase, approver=ctx.person(mention), now=now
            )
            return RegisterCardResult(card(key), "set", name)
        case reg.ProjectGateDecide(key, approve, reason, phase):
            name, event = gates.decide(
                s, actor, key=key, approve=approve, reason=reason, phase=phase, now=now
            )
            return RegisterCardResult(card(key), event, name)
        case reg.GateRejectForm(key, phase):
            entry = card(key)
            pending = entry.line.pending_gate
            if pending is None or (pending.approver and pending.approver.id != actor.person_id):
                raise PermissionDenied(f"Nothing of {entry.line.project.key} waits for you.")
            return FormResult(reject_request(entry.line.project.key, phase or pending.phase))
        case _:
            assert_never(cmd)
