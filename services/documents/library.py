"""Documents, their versions and approvers.

A version is a draft until someone is asked to approve it; in review while its approvers
decide; approved once every one of them approved it; superseded when a newer version comes.
A new version asks every approver again and keeps the earlier versions' decisions and
comments. Each approver is asked once per version. Project members add documents and
versions; the PM or a PMO lead names the approvers; only a named approver approves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import (
    Document,
    DocumentApprover,
    DocumentReview,
    DocumentVersion,
    Person,
    Project,
    ProjectRole,
    ProjectState,
    ReviewDecision,
    VersionState,
)
from services.core import audit
from services.core.access import (
    Actor,
    can_manage,
    get_project,
    project_role,
    require_manager,
    visible_projects,
)
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.locks import lock
from services.core.refs import Cmd, phrase
from services.documents import notices
from services.documents.read import views_of
from services.documents.views import DocumentView

URL = re.compile(r"^https?://[^\s<>\"]{3,1990}$", re.IGNORECASE)
NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,19}$")
MAX_TITLE = 300
MAX_NOTE = 2000
MAX_APPROVERS = 20


def _url(text: str) -> str:
    url = text.strip().strip("<>")
    if "|" in url:  # a link as Slack sends it: <https://…|label>
        url = url.split("|", 1)[0]
    if not URL.match(url):
        raise InvalidInput(
            f"{text[:60]!r} is not a link.",
            "Give the document's address (https://…) in SharePoint, Google Drive, Confluence…",
            field="url",
        )
    return url


def _number(text: str | None, previous: str | None) -> str:
    if text:
        number = text.strip().lstrip("vV")
        if not NUMBER.match(number):
            raise InvalidInput(f"{text[:30]!r} is not a version number.", "e.g. v:1.1 or v:2.0")
        return number
    if previous is None:
        return "1.0"
    parts = previous.split(".")
    if parts[-1].isdigit():
        return ".".join([*parts[:-1], str(int(parts[-1]) + 1)])
    return f"{previous}.1"


def _can_edit(session: Session, actor: Actor, project: Project) -> None:
    role = project_role(session, actor.person_id, project.id)
    if not can_manage(actor, role) and role not in (ProjectRole.MEMBER, ProjectRole.SPONSOR):
        raise PermissionDenied(
            f"Only {project.key}'s members can add documents to it.",
            phrase("Ask its PM (see ", Cmd(f"project show {project.key}"), ")."),
        )


def load(session: Session, actor: Actor, document_id: int) -> tuple[Document, Project]:
    row = session.execute(
        select(Document, Project)
        .join(Project, Project.id == Document.project_id)
        .where(
            Document.id == document_id,
            Document.workspace_id == actor.workspace_id,
            visible_projects(actor),
        )
    ).first()
    if row is None:
        raise NotFound(
            f"There is no document #{document_id}.", phrase("See ", Cmd("doc list <KEY>"), ".")
        )
    return row[0], row[1]


def current(session: Session, doc: Document) -> DocumentVersion:
    v = session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc.id)
        .order_by(DocumentVersion.id.desc())
        .limit(1)
    )
    assert v is not None
    return v


def audit_doc(
    session: Session,
    actor: Actor,
    entity: str,
    entity_id: int,
    action: str,
    after: dict,
    now: datetime,
) -> None:
    audit.record_by(
        session,
        actor,
        entity_type=entity,
        entity_id=entity_id,
        action=action,
        before=None,
        after=after,
        now=now,
    )


def add(
    session: Session,
    actor: Actor,
    *,
    key: str,
    title: str,
    url: str,
    version: str | None,
    now: datetime,
) -> DocumentView:
    """Register a document (a link) with its first version, a draft."""
    project = get_project(session, actor, key)
    _can_edit(session, actor, project)
    if project.state == ProjectState.CLOSED:
        raise Conflict(f"{project.key} is closed.")
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("The document needs a title.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"The title is {len(title)} characters; the limit is {MAX_TITLE}.")
    link = _url(url)
    doc = Document(
        workspace_id=actor.workspace_id,
        project_id=project.id,
        title=title,
        owner_id=actor.person_id,
        created_at=now,
        updated_at=now,
    )
    session.add(doc)
    session.flush()
    first = DocumentVersion(
        workspace_id=actor.workspace_id,
        document_id=doc.id,
        number=_number(version, None),
        url=link,
        note="",
        state=VersionState.DRAFT,
        created_by_id=actor.person_id,
        created_at=now,
    )
    session.add(first)
    session.flush()
    audit_doc(session, actor, "document", doc.id, "create", {"title": title, "url": link}, now)
    return views_of(session, [doc])[0]


def new_version(
    session: Session,
    actor: Actor,
    *,
    document_id: int,
    url: str,
    version: str | None,
    note: str,
    now: datetime,
) -> DocumentView:
    """A new version: the current one is superseded, every approver is asked again."""
    doc, project = load(session, actor, document_id)
    lock(session, Document, doc.id)
    if doc.owner_id != actor.person_id:
        _can_edit(session, actor, project)
    link = _url(url)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"Keep “what changed” under {MAX_NOTE} characters.")
    cur = current(session, doc)
    number = _number(version, cur.number)
    clash = session.scalar(
        select(DocumentVersion.id).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.number == number
        )
    )
    if clash is not None:
        raise Conflict(f"Document #{doc.id} already has a version {number}.", "Give another v:…")
    cur.state = VersionState.SUPERSEDED
    v = DocumentVersion(
        workspace_id=actor.workspace_id,
        document_id=doc.id,
        number=number,
        url=link,
        note=note,
        state=VersionState.DRAFT,
        created_by_id=actor.person_id,
        created_at=now,
    )
    session.add(v)
    doc.updated_at = now
    session.flush()
    audit_doc(session, actor, "document", doc.id, "version", {"number": number, "url": link}, now)
    _ask(session, actor, doc, project, v, _approvers(session, doc), None, now)
    return views_of(session, [doc])[0]


def _approvers(session: Session, doc: Document) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(DocumentApprover, DocumentApprover.person_id == Person.id)
            .where(DocumentApprover.document_id == doc.id)
            .order_by(DocumentApprover.id)
        )
    )


def _ask(
    session: Session,
    actor: Actor,
    doc: Document,
    project: Project,
    v: DocumentVersion,
    approvers: Sequence[Person],
    due: date | None,
    now: datetime,
) -> None:
    """Put a draft or in-review version in front of every approver not yet asked about it."""
    if v.state not in (VersionState.DRAFT, VersionState.IN_REVIEW):
        return
    asked = set(
        session.scalars(select(DocumentReview.approver_id).where(DocumentReview.version_id == v.id))
    )
    new = []
    for p in approvers:
        if p.id in asked:
            continue
        review = DocumentReview(
            workspace_id=actor.workspace_id,
            version_id=v.id,
            approver_id=p.id,
            asked_at=now,
            due_on=due or notices.default_due(session, project, p, now),
            decision=ReviewDecision.PENDING,
            comment="",
        )
        session.add(review)
        new.append((review, p))
    if approvers:
        v.state = VersionState.IN_REVIEW
    session.flush()
    view = views_of(session, [doc])[0]
    for review, p in new:
        notices.ask(session, view, review, p, now)


def set_approvers(
    session: Session,
    actor: Actor,
    *,
    document_id: int,
    people: Sequence[Person],
    due: date | None,
    now: datetime,
    today: date,
) -> DocumentView:
    """Name who approves the document (PM or PMO lead); those not yet asked about the current
    version are asked now; people no longer named are not asked any more."""
    doc, project = load(session, actor, document_id)
    lock(session, Document, doc.id)
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "name approvers"
    )
    unique = list({p.id: p for p in people}.values())
    if not unique:
        raise InvalidInput("Name at least one approver.", "e.g. doc approvers 3 @ana @ben")
    if len(unique) > MAX_APPROVERS:
        raise InvalidInput(f"Name at most {MAX_APPROVERS} approvers.")
    if due is not None and due < today:
        raise InvalidInput(f"{due.isoformat()} is in the past.")
    for p in unique:
        if p.workspace_id != actor.workspace_id or not p.active:
            raise InvalidInput(f"@{p.handle} can't approve documents here.")
        if project.private and project_role(session, p.id, project.id) is None:
            raise InvalidInput(
                f"@{p.handle} is not a member of {project.key}, which is private.",
                phrase("Add them first: ", Cmd(f"project add {project.key} @{p.handle} member")),
            )
    keep = {p.id for p in unique}
    session.execute(
        delete(DocumentApprover).where(
            DocumentApprover.document_id == doc.id, DocumentApprover.person_id.not_in(keep)
        )
    )
    have = set(
        session.scalars(
            select(DocumentApprover.person_id).where(DocumentApprover.document_id == doc.id)
        )
    )
    for p in unique:
        if p.id not in have:
            session.add(DocumentApprover(document_id=doc.id, person_id=p.id, created_at=now))
    v = current(session, doc)
    if v.state in (VersionState.DRAFT, VersionState.IN_REVIEW):
        session.execute(
            delete(DocumentReview).where(
                DocumentReview.version_id == v.id,
                DocumentReview.decision == ReviewDecision.PENDING,
                DocumentReview.approver_id.not_in(keep),
            )
        )
    session.flush()
    audit_doc(session, actor, "document", doc.id, "approvers", {"approvers": sorted(keep)}, now)
    _ask(session, actor, doc, project, v, unique, due, now)
    settle(session, doc, project, v, now)
    return views_of(session, [doc])[0]


def settle(
    session: Session, doc: Document, project: Project, v: DocumentVersion, now: datetime
) -> None:
    """Approve the version once every review of it is an approval."""
    if v.state != VersionState.IN_REVIEW:
        return
    decisions = list(
        session.scalars(select(DocumentReview.decision).where(DocumentReview.version_id == v.id))
    )
    if decisions and all(d == ReviewDecision.APPROVED for d in decisions):
        v.state, v.approved_at = VersionState.APPROVED, now
        session.flush()
        notices.approved(session, views_of(session, [doc])[0], project, now)


def show(session: Session, actor: Actor, *, document_id: int) -> DocumentView:
    """A document with all its versions and every decision on each."""
    doc, _ = load(session, actor, document_id)
    return views_of(session, [doc])[0]


def list_for(session: Session, actor: Actor, *, key: str) -> list[DocumentView]:
    """A project's documents, most recently changed first."""
    project = get_project(session, actor, key)
    docs = list(
        session.scalars(
            select(Document)
            .where(Document.project_id == project.id)
            .order_by(Document.updated_at.desc(), Document.id.desc())
        )
    )
    return views_of(session, docs)
