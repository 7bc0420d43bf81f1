"""Chasing approvals the way action items are chased: on each pending approver's own calendar,
a heads-up the working day before it is due, a reminder on the due day and a chaser every
working day after (not while they are on leave), and once it is `escalate_pm_after` working
days overdue, whoever added the document and the project's PM are told (once)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Document,
    DocumentReview,
    DocumentVersion,
    LeavePeriod,
    Membership,
    Person,
    ProjectRole,
    ReviewDecision,
    VersionState,
    Workspace,
)
from services.core import holidays
from services.core.chase import Step, chase
from services.core.dates import day_label, local_today
from services.core.people import person_ref
from services.core.refs import phrase
from services.core.worktime import WorkWeek
from services.documents.notices import review_digest
from services.documents.read import views_of
from services.outbox.contents import StaleCheck
from services.outbox.kinds import DigestKind
from services.outbox.notices import notice_row
from services.outbox.port import Digest
from services.outbox.rows import insert_notifications
from services.workspace.settings import ReminderPolicy

CHASE = "doc_review_chase"
ESCALATE = "doc_review_escalate"
LEAD = {Step.HEADS_UP: "Due on your next working day", Step.DUE: "Due today", Step.OVERDUE: ""}


def materialize(session: Session, *, now: datetime) -> int:
    """Queue today's approval reminders, chasers and escalations (idempotent)."""
    pending = session.execute(
        select(DocumentReview, Document, Person)
        .join(DocumentVersion, DocumentVersion.id == DocumentReview.version_id)
        .join(Document, Document.id == DocumentVersion.document_id)
        .join(Person, Person.id == DocumentReview.approver_id)
        .where(
            DocumentReview.decision == ReviewDecision.PENDING,
            DocumentVersion.state == VersionState.IN_REVIEW,
            DocumentReview.due_on <= now.date() + timedelta(days=7),
        )
    ).all()
    if not pending:
        return 0
    ws_ids = {d.workspace_id for _, d, _ in pending}
    policies = {
        ws.id: ReminderPolicy.from_settings(ws.settings)
        for ws in session.scalars(select(Workspace).where(Workspace.id.in_(ws_ids)))
    }
    off = holidays.by_workspace(
        session,
        workspace_ids=ws_ids,
        start=now.date() - timedelta(days=31),
        end=now.date() + timedelta(days=22),
    )
    leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for lp in session.scalars(
        select(LeavePeriod).where(
            LeavePeriod.person_id.in_({p.id for _, _, p in pending}),
            LeavePeriod.end_on >= now.date() - timedelta(days=1),
        )
    ):
        leave[lp.person_id].append((lp.start_on, lp.end_on))
    docs = {v.id: v for v in views_of(session, list({d.id: d for _, d, _ in pending}.values()))}
    pms: dict[int, list[Person]] = defaultdict(list)
    for pid, pm in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.project_id.in_({d.project_id for _, d, _ in pending}),
            Membership.role == ProjectRole.PM,
        )
    ):
        pms[pid].append(pm)
    owners = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_({d.owner_id for _, d, _ in pending if d.owner_id}))
        )
    }
    rows: list[dict[str, Any]] = []
    for review, doc, approver in pending:
        ws_off = off.get(doc.workspace_id, frozenset())
        ww = WorkWeek(
            approver.timezone,
            approver.working_days,
            approver.work_start,
            approver.work_end,
            tuple(leave.get(approver.id, ())),
            ws_off,
        )
        policy = policies.get(doc.workspace_id, ReminderPolicy())
        c = chase(
            ww,
            review.due_on,
            now,
            heads_up=policy.heads_up,
            escalate_after=policy.escalate_pm_after,
        )
        view = docs[doc.id]
        subject = ("document_review", review.id)
        if c.step is not None:
            late = c.days_overdue
            lead = LEAD[c.step] or f"{late} working day{'s' if late != 1 else ''} overdue"
            digest = review_digest(view, review.due_on, c.today, chaser=lead + ": approve it")
            rows.append(
                notice_row(
                    doc.workspace_id,
                    CHASE,
                    subject,
                    f"{c.step.value}:{c.today.isoformat()}",
                    digest,
                    to=approver,
                    now=now,
                    holidays=ws_off,
                )
            )
        if c.escalate:
            told = {p.id: p for p in pms.get(doc.project_id, [])}
            if doc.owner_id in owners:
                told[doc.owner_id] = owners[doc.owner_id]
            for p in told.values():
                if p.id == approver.id:
                    continue
                notice = Digest(
                    DigestKind.NOTICE,
                    f"Approval overdue: {view.project_key} · {view.title} v{view.current.number}",
                    local_today(now, p.timezone),
                    [],
                    phrase(
                        person_ref(approver),
                        f" was asked to approve it by {day_label(review.due_on, c.today)}; "
                        f"{c.days_overdue} working days overdue.",
                    ),
                    view.project_key,
                )
                rows.append(
                    notice_row(
                        doc.workspace_id,
                        ESCALATE,
                        subject,
                        "once",
                        notice,
                        to=p,
                        now=now,
                        holidays=ws_off,
                    )
                )
    return insert_notifications(session, rows)


def stale_reviews(session: Session, ids: set[int]) -> set[int]:
    """Reviews decided, or of a version no longer in review (queued asks about them are moot)."""
    live = set(
        session.scalars(
            select(DocumentReview.id)
            .join(DocumentVersion, DocumentVersion.id == DocumentReview.version_id)
            .where(
                DocumentReview.id.in_(ids),
                DocumentReview.decision == ReviewDecision.PENDING,
                DocumentVersion.state == VersionState.IN_REVIEW,
            )
        )
    )
    return ids - live


STALE: dict[str, StaleCheck] = {"doc_review_ask": stale_reviews, CHASE: stale_reviews}
