"""The document register commands of the language."""

from __future__ import annotations

from typing import assert_never

from services.commands import ast_registers as reg
from services.commands.context import Ctx
from services.commands.results import FormResult, Result
from services.commands.results_registers import DocumentListResult, DocumentResult
from services.core.errors import PermissionDenied
from services.documents import decisions, forms, library


def run(ctx: Ctx, cmd: reg.DocumentCommand) -> Result:
    """Run one document command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    match cmd:
        case reg.DocAdd(key, title, url, version):
            doc = library.add(s, actor, key=key, title=title, url=url, version=version, now=now)
            return DocumentResult(doc, "added", today)
        case reg.DocVersion(doc_id, url, version, note):
            doc = library.new_version(
                s, actor, document_id=doc_id, url=url, version=version, note=note, now=now
            )
            return DocumentResult(doc, "version", today)
        case reg.DocApprovers(doc_id, mentions, due_text):
            people = [ctx.person(m) for m in mentions]
            due = ctx.day(due_text) if due_text else None
            doc = library.set_approvers(
                s, actor, document_id=doc_id, people=people, due=due, now=now, today=today
            )
            return DocumentResult(doc, "approvers", today)
        case reg.DocList(key):
            return DocumentListResult(key, library.list_for(s, actor, key=key), today)
        case reg.DocShow(doc_id):
            return DocumentResult(library.show(s, actor, document_id=doc_id), "shown", today)
        case reg.DocApprove(doc_id, version):
            doc = decisions.decide(
                s, actor, document_id=doc_id, approve=True, comment="", version=version, now=now
            )
            return DocumentResult(doc, "approved", today)
        case reg.DocChanges(doc_id, comment, version):
            doc = decisions.decide(
                s,
                actor,
                document_id=doc_id,
                approve=False,
                comment=comment,
                version=version,
                now=now,
            )
            return DocumentResult(doc, "changes", today)
        case reg.DocChangesForm(doc_id, version):
            doc = library.show(s, actor, document_id=doc_id)
            asked = any(r.approver.id == actor.person_id for r in doc.current.reviews)
            if not asked:
                raise PermissionDenied(f"You are not an approver of document #{doc_id}.")
            return FormResult(forms.changes_request(doc, version))
        case _:
            assert_never(cmd)
