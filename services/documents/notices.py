"""What the document register sends: the request to approve a version (Approve / Request
changes) with the earlier versions' decisions in view, the changes requested to whoever added
the document, and the approval to the project's channel."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import DocumentReview, Membership, Person, Project, ProjectRole, ReviewDecision
from services.core.chase import add_working_days
from services.core.dates import day_label, local_today
from services.core.refs import Cmd, Part, phrase
from services.documents.views import DocumentView, VersionView
from services.outbox.kinds import DigestKind
from services.outbox.notices import channel_row, holidays_ahead, notice_row, work_week
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import insert_notifications

ASK = "doc_review_ask"
CHANGES = "doc_changes"
APPROVED = "doc_approved"
REVIEW_DAYS = 3  # working days an approver has, unless a date is given


def default_due(session: Session, project: Project, approver: Person, now: datetime) -> date:
    """Three working days after today, on the approver's calendar."""
    ww = work_week(approver, holidays_ahead(session, project.workspace_id, now))
    return add_working_days(ww, local_today(now, approver.timezone), REVIEW_DAYS)


def decision_label(decision: ReviewDecision) -> str:
    return {
        ReviewDecision.PENDING: "not decided",
        ReviewDecision.APPROVED: "approved",
        ReviewDecision.CHANGES_REQUESTED: "requested changes",
    }[decision]


def history(doc: DocumentView) -> list[DigestSection]:
    """The earlier versions' decisions and comments, newest first (at most three)."""
    lines = []
    for v in doc.versions[1:4]:
        said = "; ".join(
            f"@{r.approver.handle} {decision_label(r.decision)}"
            + (f": “{r.comment}”" if r.comment else "")
            for r in v.reviews
        )
        lines.append(DigestLine("text", 0, f"v{v.number}: {said or 'nobody was asked'}"))
    return [DigestSection("Earlier versions", lines, len(lines))] if lines else []


def review_commands(doc_id: int) -> tuple[Part, ...]:
    """The command forms of Approve / Request changes."""
    return (Cmd(f"doc approve {doc_id}"), " · ", Cmd(f'doc changes {doc_id} "what to change"'))


def _version_lines(v: VersionView) -> DigestSection:
    text = f"v{v.number}: {v.url}" + (f"\nWhat changed: {v.note}" if v.note else "")
    return DigestSection("Version", [DigestLine("text", 0, text)], 1)


def review_digest(doc: DocumentView, due: date, today: date, *, chaser: str = "") -> Digest:
    """The request to approve the current version (or, `chaser`, a reminder of it)."""
    v = doc.current
    by = v.created_by or doc.owner
    lead: tuple[Part, ...] = (chaser,) if chaser else (by or "Someone", " asks you to approve it")
    return Digest(
        DigestKind.DOCUMENT_REVIEW,
        f"{'Reminder: ' if chaser else ''}Approval asked: {doc.project_key} · {doc.title} "
        f"v{v.number}",
        today,
        [_version_lines(v), *history(doc)],
        phrase(
            *lead,
            f" by {day_label(due, today)}. Open the link, then approve or request changes (",
            *review_commands(doc.id),
            ").",
        ),
        doc.project_key,
        ref=f"{doc.id}:{v.number}",
    )


def ask(
    session: Session, doc: DocumentView, review: DocumentReview, to: Person, now: datetime
) -> None:
    """Ask one approver about the current version (once per version: keyed by the review)."""
    digest = review_digest(doc, review.due_on, local_today(now, to.timezone))
    row = notice_row(
        to.workspace_id,
        ASK,
        ("document_review", review.id),
        "ask",
        digest,
        to=to,
        now=now,
        holidays=holidays_ahead(session, to.workspace_id, now),
    )
    insert_notifications(session, [row])


def changes(
    session: Session, doc: DocumentView, project: Project, by_id: int, now: datetime
) -> None:
    """Tell whoever added the document (and the version's author) the changes asked for."""
    v = doc.current
    asked = next(r for r in v.reviews if r.approver.id == by_id)
    to_ids = {p.id for p in (doc.owner, v.created_by) if p is not None} - {by_id}
    if not to_ids:
        return
    digest = Digest(
        DigestKind.NOTICE,
        f"Changes requested: {doc.project_key} · {doc.title} v{v.number}",
        now.date(),
        [],
        phrase(
            asked.approver,
            f": “{asked.comment}”. When it is updated, add the new version: ",
            Cmd(f'doc version {doc.id} <url> "what changed"'),
            " (everyone is asked again).",
        ),
        doc.project_key,
    )
    off = holidays_ahead(session, project.workspace_id, now)
    rows = [
        notice_row(
            project.workspace_id,
            CHANGES,
            ("document_version", v.id),
            f"from:{by_id}",
            digest,
            to=p,
            now=now,
            holidays=off,
        )
        for p in session.scalars(select(Person).where(Person.id.in_(to_ids)))
    ]
    insert_notifications(session, rows)


def approved(session: Session, doc: DocumentView, project: Project, now: datetime) -> None:
    """The project's channel is told a version was approved (its owner and PM by DM when the
    project has no channel)."""
    v = doc.current
    # Named, not pinged: this may be a channel post.
    names = ", ".join(f"@{r.approver.handle}" for r in v.reviews)
    digest = Digest(
        DigestKind.NOTICE,
        f"✅ Approved: {doc.project_key} · {doc.title} v{v.number}",
        now.date(),
        [_version_lines(v)],
        f"Approved by {names}.",
        doc.project_key,
    )
    subject = ("document_version", v.id)
    if project.home_channel:
        row = channel_row(
            project.workspace_id,
            APPROVED,
            subject,
            "approved",
            digest,
            channel=project.home_channel,
            now=now,
        )
        insert_notifications(session, [row])
        return
    pms = select(Membership.person_id).where(
        Membership.project_id == project.id, Membership.role == ProjectRole.PM
    )
    owner = doc.owner.id if doc.owner else -1
    off = holidays_ahead(session, project.workspace_id, now)
    rows = [
        notice_row(
            project.workspace_id, APPROVED, subject, "approved", digest, to=p, now=now, holidays=off
        )
        for p in session.scalars(select(Person).where((Person.id == owner) | Person.id.in_(pms)))
    ]
    insert_notifications(session, rows)
