"""Documents read back as views, in a fixed number of statements however many."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Document, DocumentApprover, DocumentReview, DocumentVersion, Person, Project
from services.core.people import person_ref
from services.core.views import PersonRef
from services.documents.views import DocumentView, ReviewView, VersionView


def views_of(session: Session, docs: Sequence[Document]) -> list[DocumentView]:
    """Documents with every version and review (5 statements)."""
    if not docs:
        return []
    ids = [d.id for d in docs]
    projects = {
        p.id: p
        for p in session.scalars(
            select(Project).where(Project.id.in_({d.project_id for d in docs}))
        )
    }
    versions: dict[int, list[DocumentVersion]] = defaultdict(list)
    for v in session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.document_id.in_(ids))
        .order_by(DocumentVersion.id.desc())
    ):
        versions[v.document_id].append(v)
    reviews: dict[int, list[DocumentReview]] = defaultdict(list)
    version_ids = [v.id for vs in versions.values() for v in vs]
    for r in session.scalars(
        select(DocumentReview)
        .where(DocumentReview.version_id.in_(version_ids))
        .order_by(DocumentReview.id)
    ):
        reviews[r.version_id].append(r)
    approvers: dict[int, list[int]] = defaultdict(list)
    for a in session.scalars(
        select(DocumentApprover)
        .where(DocumentApprover.document_id.in_(ids))
        .order_by(DocumentApprover.id)
    ):
        approvers[a.document_id].append(a.person_id)
    wanted = {d.owner_id for d in docs if d.owner_id}
    wanted |= {v.created_by_id for vs in versions.values() for v in vs if v.created_by_id}
    wanted |= {r.approver_id for rs in reviews.values() for r in rs}
    wanted |= {i for ps in approvers.values() for i in ps}
    people: dict[int, PersonRef] = {
        p.id: person_ref(p) for p in session.scalars(select(Person).where(Person.id.in_(wanted)))
    }
    out = []
    for d in docs:
        p = projects[d.project_id]
        out.append(
            DocumentView(
                d.id,
                p.key,
                p.private,
                d.title,
                people.get(d.owner_id) if d.owner_id else None,
                tuple(people[i] for i in approvers[d.id]),
                tuple(
                    VersionView(
                        v.id,
                        v.number,
                        v.url,
                        v.note,
                        v.state,
                        people.get(v.created_by_id) if v.created_by_id else None,
                        v.created_at,
                        v.approved_at,
                        tuple(
                            ReviewView(
                                people[r.approver_id], r.decision, r.comment, r.due_on, r.decided_at
                            )
                            for r in reviews[v.id]
                        ),
                    )
                    for v in versions[d.id]
                ),
                p.home_channel,
            )
        )
    return out
