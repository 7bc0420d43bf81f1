"""Chasing approvals the way action items are chased: on each pending approver's own calendar,
a heads-up the working day before it is due, a reminder on the due day and a chaser every
working day after (not while they are on leave), and once it is `escalate_pm_after` working
days overdue, whoever added the document and the project's PM are told (once)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Document,
    DocumentReview,
    DocumentVersion,
    LeavePeriod,
    Membership,
    Notification,
    Person,
    ProjectRole,
    ReviewDecision,
    VersionState,
    Workspace,
)
from services.core import holidays
from services.core.chase import Chase, Step, chase
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


class _Review(NamedTuple):
    id: int
    due_on: date


class _Doc(NamedTuple):
    id: int
    workspace_id: int
    project_id: int
    owner_id: int | None


CHASE = "doc_review_chase"
ESCALATE = "doc_review_escalate"
LEAD = {Step.HEADS_UP: "Due on your next working day", Step.DUE: "Due today", Step.OVERDUE: ""}


def materialize(session: Session, *, now: datetime) -> int:
    """Queue today's approval reminders, chasers and escalations (idempotent)."""
    pending = [
        (_Review(r_id, due), _Doc(d_id, ws_id, pid, owner), p)
        for r_id, due, d_id, ws_id, pid, owner, p in session.execute(
            select(
                DocumentReview.id,
                DocumentReview.due_on,
                Document.id,
                Document.workspace_id,
                Document.project_id,
                Document.owner_id,
                Person,
            )
            .join(DocumentVersion, DocumentVersion.id == DocumentReview.version_id)
            .join(Document, Document.id == DocumentVersion.document_id)
            .join(Person, Person.id == DocumentReview.approver_id)
            .where(
                DocumentReview.decision == ReviewDecision.PENDING,
                DocumentVersion.state == VersionState.IN_REVIEW,
                DocumentReview.due_on <= now.date() + timedelta(days=7),
            )
        )
    ]
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
    # Decide first (cheap), then build only what is not queued yet: a tick where nothing new
    # is due reads the pending reviews and the keys already queued, and stops there.
    due: list[tuple[_Review, _Doc, Person, Chase]] = []
    for review, doc, approver in pending:
        ww = WorkWeek(
            approver.timezone,
            approver.working_days,
            approver.work_start,
            approver.work_end,
            tuple(leave.get(approver.id, ())),
            off.get(doc.workspace_id, frozenset()),
        )
        policy = policies.get(doc.workspace_id, ReminderPolicy())
        c = chase(
            ww,
            review.due_on,
            now,
            heads_up=policy.heads_up,
            escalate_after=policy.escalate_pm_after,
        )
        if c.step is not None or c.escalate:
            due.append((review, doc, approver, c))
    if not due:
        return 0
    queued = {
        (rule, subject_id, occurrence)
        for rule, subject_id, occurrence in session.execute(
            select(Notification.rule, Notification.subject_id, Notification.occurrence).where(
                Notification.workspace_id.in_(ws_ids),  # the outbox key's index
                Notification.rule.in_((CHASE, ESCALATE)),
                Notification.subject_type == "document_review",
                Notification.subject_id.in_({r.id for r, _, _, _ in due}),
            )
        )
    }
    todo = [
        (r, d, a, c)
        for r, d, a, c in due
        if (c.step is not None and (CHASE, r.id, f"{c.step.value}:{c.today}") not in queued)
        or (c.escalate and (ESCALATE, r.id, "once") not in queued)
    ]
    if not todo:
        return 0
    return insert_notifications(session, _rows(session, todo, queued, off, now))


def _rows(
    session: Session,
    todo: list[tuple[_Review, _Doc, Person, Chase]],
    queued: set[tuple[str, int, str]],
    off: dict[int, frozenset[date]],
    now: datetime,
) -> list[dict[str, Any]]:
    wanted = {d.id for _, d, _, _ in todo}
    docs = {
        v.id: v
        for v in views_of(
            session, list(session.scalars(select(Document).where(Document.id.in_(wanted))))
        )
    }
    pms: dict[int, list[Person]] = defaultdict(list)
    for pid, pm in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.project_id.in_({d.project_id for _, d, _, _ in todo}),
            Membership.role == ProjectRole.PM,
        )
    ):
        pms[pid].append(pm)
    owners = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_({d.owner_id for _, d, _, _ in todo if d.owner_id}))
        )
    }
    rows: list[dict[str, Any]] = []
    for review, doc, approver, c in todo:
        ws_off = off.get(doc.workspace_id, frozenset())
        view = docs[doc.id]
        subject = ("document_review", review.id)
        occurrence = f"{c.step.value}:{c.today}" if c.step is not None else ""
        if c.step is not None and (CHASE, review.id, occurrence) not in queued:
            late = c.days_overdue
            lead = LEAD[c.step] or f"{late} working day{'s' if late != 1 else ''} overdue"
            digest = review_digest(view, review.due_on, c.today, chaser=lead + ": approve it")
            rows.append(
                notice_row(
                    doc.workspace_id,
                    CHASE,
                    subject,
                    occurrence,
                    digest,
                    to=approver,
                    now=now,
                    holidays=ws_off,
                )
            )
        if c.escalate and (ESCALATE, review.id, "once") not in queued:
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
    return rows


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
