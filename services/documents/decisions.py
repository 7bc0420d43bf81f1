"""An approver's decision on the version in review: approve it (the version is approved once
every approver has), or request changes with a comment (whoever added it is told). Only a
named approver asked about that version decides; a decision on a superseded version is
refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Document, DocumentReview, ReviewDecision, VersionState
from services.core.access import Actor
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.core.locks import lock
from services.core.refs import Cmd, phrase
from services.documents import notices
from services.documents.library import MAX_NOTE, audit_doc, current, load, settle
from services.documents.read import views_of
from services.documents.views import DocumentView


def decide(
    session: Session,
    actor: Actor,
    *,
    document_id: int,
    approve: bool,
    comment: str,
    version: str | None,
    now: datetime,
) -> DocumentView:
    """A named approver approves the version in review, or requests changes with a comment."""
    doc, project = load(session, actor, document_id)
    lock(session, Document, doc.id)  # decisions on one document, one at a time
    v = current(session, doc)
    if version is not None and version.lstrip("vV") != v.number:
        raise Conflict(
            f"Version {version.lstrip('vV')} of document #{doc.id} was superseded by {v.number}.",
            phrase("Review the current one: ", Cmd(f"doc show {doc.id}"), "."),
        )
    review = session.scalar(
        select(DocumentReview).where(
            DocumentReview.version_id == v.id, DocumentReview.approver_id == actor.person_id
        )
    )
    if review is None:
        raise PermissionDenied(
            f"You are not an approver of document #{doc.id} v{v.number}.",
            phrase("See who is: ", Cmd(f"doc show {doc.id}"), "."),
        )
    if v.state != VersionState.IN_REVIEW:
        raise Conflict(f"Document #{doc.id} v{v.number} is {v.state.value.replace('_', ' ')}.")
    comment = comment.strip()
    if not approve and not comment:
        raise InvalidInput("Say what should change.", field="comment")
    if len(comment) > MAX_NOTE:
        raise InvalidInput(f"Keep the comment under {MAX_NOTE} characters.", field="comment")
    review.decision = ReviewDecision.APPROVED if approve else ReviewDecision.CHANGES_REQUESTED
    review.comment, review.decided_at = comment, now
    session.flush()
    audit_doc(
        session,
        actor,
        "document_review",
        review.id,
        review.decision.value,
        {"version": v.number, "comment": comment},
        now,
    )
    if approve:
        settle(session, doc, project, v, now)
    else:
        notices.changes(session, views_of(session, [doc])[0], project, actor.person_id, now)
    return views_of(session, [doc])[0]
