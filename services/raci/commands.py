"""The RACI commands of the language."""

from __future__ import annotations

from typing import assert_never

from services.commands import ast_registers as reg
from services.commands.context import Ctx
from services.commands.results import FormResult, Result
from services.commands.results_registers import (
    FileResult,
    RaciMatrixResult,
    RaciResult,
    SignoffResult,
)
from services.core.errors import PermissionDenied
from services.raci import assign, export, forms, matrix, signoff


def run(ctx: Ctx, cmd: reg.RaciCommand) -> Result:
    """Run one RACI or sign-off command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    match cmd:
        case reg.RaciShow(key, None):
            return RaciMatrixResult(matrix.matrix(s, actor, key=key, today=today))
        case reg.RaciShow(key, d_id):
            return RaciResult(
                matrix.card(s, actor, key=key, deliverable_id=d_id, today=today), "shown"
            )
        case reg.RaciSet(key, d_id, groups):
            people = [(code, [ctx.person(m) for m in mentions]) for code, mentions in groups]
            card = assign.set_letters(
                s, actor, key=key, deliverable_id=d_id, groups=people, now=now, today=today
            )
            return RaciResult(card, "set")
        case reg.RaciClear(key, d_id):
            card = assign.clear(s, actor, key=key, deliverable_id=d_id, now=now, today=today)
            return RaciResult(card, "cleared")
        case reg.RaciExport(key):
            m = matrix.matrix(s, actor, key=key, today=today)
            summary = f"{len(m.people)} people by {len(m.deliverables)} deliverables"
            return FileResult(
                f"raci-{m.project_key}.xlsx", f"RACI of {m.project_key}", export.to_xlsx(m), summary
            )
        case reg.DeliverableSignoff(d_id, approve, reason):
            card, event = signoff.decide(
                s, actor, deliverable_id=d_id, approve=approve, reason=reason, now=now, today=today
            )
            return SignoffResult(card, event)
        case reg.SignoffForm(d_id):
            card = matrix.card_of(s, actor, deliverable_id=d_id, today=today)
            if card.accountable is None or card.accountable.id != actor.person_id:
                who = f"@{card.accountable.handle}" if card.accountable else "its Accountable"
                raise PermissionDenied(f"Only {who} can sign off deliverable #{d_id}.")
            return FormResult(forms.not_yet_request(card))
        case _:
            assert_never(cmd)
