"""The status and report commands of the language."""

from __future__ import annotations

import dataclasses
from typing import assert_never

from services.commands import ast
from services.commands.context import Ctx
from services.commands.results import (
    CadenceResult,
    FormResult,
    ReportResult,
    Result,
    StatusEvent,
    StatusResult,
)
from services.status import cadence, carry, forms, report, update


def run(ctx: Ctx, cmd: ast.StatusCommand) -> Result:
    """Run one status or report command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    match cmd:
        case ast.StatusForm(key):
            return FormResult(forms.status_request(s, actor, key=key))
        case ast.StatusQuick(key, rag_word, summary, clear):
            prev = update.prefill(s, actor, key=key)[1]
            rag = update.parse_rag(rag_word)
            base = prev or update.UpdateFields(rag)
            base = carry.cleared(base) if clear else base
            fields_ = dataclasses.replace(base, overall=rag, summary=summary or base.summary)
            upd, note = update.submit(s, actor, key=key, fields_=fields_, now=now)
            carried = carry.carried_over(base) if prev is not None else ()
            event: StatusEvent = "submitted" if upd.version == 1 else "edited"
            return StatusResult(upd, event, note, carried=carried)
        case ast.StatusShow(key):
            shown, versions = update.show(s, actor, key=key)
            return StatusResult(shown, "shown", versions=versions, key=key.upper())
        case ast.StatusSettings(key, None):
            cad = cadence.cadence(s, actor, key=key, now=now)
            if cad.can_edit:
                return FormResult(forms.cadence_request(cad), CadenceResult(cad, changed=False))
            return CadenceResult(cad, changed=False)
        case ast.StatusSettings(key, setting, value, mentions):
            named = [ctx.person(m) for m in mentions]
            cad = cadence.set_cadence(
                s, actor, key=key, setting=setting or "", value=value, reporters=named, now=now
            )
            return CadenceResult(cad, changed=True)
        case ast.ReportShow(week):
            period = report.parse_week(week, today)
            return ReportResult(report.for_actor(s, actor, period, today=today))
        case ast.ReportStats():
            period = report.parse_week(None, today)
            return ReportResult(report.for_actor(s, actor, period, today=today), True)
        case _:
            assert_never(cmd)
