"""The document register: links with versions, approvers asked once per version, approvals and
comments kept per version, states draft → in review → approved → superseded, chasers like
action items, the project channel told when a version is approved, permissions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from handlers.chat.delivery import CONTENTS
from models import (
    DocumentReview,
    Notification,
    NotificationState,
    Person,
    ReviewDecision,
    VersionState,
)
from services.commands.execute import run_text
from services.commands.results_registers import DocumentListResult, DocumentResult
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.documents import sweep
from services.outbox import delivery
from tests.conftest import NOW, World


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def run(world: World, who: str, text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return run_text(world.session, world.actor(who), text, now=now)


def asks(world: World, rule: str = "doc_review_ask") -> list[tuple[str, int, str]]:
    """(approver, review id, occurrence) of every request of `rule`."""
    return sorted(
        (h, i, o)
        for h, i, o in world.session.execute(
            select(Person.handle, Notification.subject_id, Notification.occurrence)
            .join(Person, Person.id == Notification.recipient_id)
            .where(Notification.rule == rule)
        )
    )


@pytest.fixture
def apollo(world: World) -> World:
    for h in ("pm", "ana", "ben", "max", "out"):
        world.person(h)
    run(world, "lead", 'project new APOLLO "Apollo" @pm')
    run(world, "pm", "project add APOLLO @max member")
    run(world, "pm", "project set APOLLO channel C0APOLLO")
    return world


def test_two_versions_two_approvers_state_and_decisions_per_version(apollo: World) -> None:
    w = apollo
    res = run(
        w,
        "max",
        'doc add APOLLO "Project charter" <https://acme.sharepoint.com/charter|charter> v:1.0',
    )
    assert isinstance(res, DocumentResult) and res.event == "added"
    doc = res.document
    assert (doc.current.number, doc.current.url, doc.state) == (
        "1.0", "https://acme.sharepoint.com/charter", VersionState.DRAFT,
    )  # fmt: skip
    # Only the PM or a PMO lead names approvers; naming them puts v1.0 in review.
    with pytest.raises(PermissionDenied):
        run(w, "max", f"doc approvers {doc.id} @ana @ben")
    doc = run(w, "pm", f"doc approvers {doc.id} @ana @ben").document
    assert doc.state == VersionState.IN_REVIEW
    assert [h for h, _, _ in asks(w)] == ["ana", "ben"]
    # Naming them again asks nobody twice about the same version.
    run(w, "pm", f"doc approvers {doc.id} @ana @ben")
    run(w, "pm", f"doc approvers {doc.id} @ben @ana")
    assert [h for h, _, _ in asks(w)] == ["ana", "ben"]
    # Only named approvers approve.
    with pytest.raises(PermissionDenied, match="not an approver"):
        run(w, "pm", f"doc approve {doc.id}")
    doc = run(w, "ana", f"doc approve {doc.id}").document
    assert doc.state == VersionState.IN_REVIEW  # one of two
    form = run(w, "ben", f"doc changes {doc.id}")  # no comment: the form asks for one
    assert form.request.form.id == "document_changes" and form.request.ref["version"] == "1.0"
    doc = run(w, "ben", f'doc changes {doc.id} "Add the budget table"').document
    assert doc.state == VersionState.IN_REVIEW
    changes = asks(w, "doc_changes")
    assert [h for h, _, _ in changes] == ["max"]  # whoever added it is told
    # v1.1: v1.0 is superseded with its decisions kept; both are asked again, once.
    doc = run(
        w, "max", f'doc version {doc.id} https://acme.sharepoint.com/charter-2 "Budget table added"'
    ).document
    assert [(v.number, v.state) for v in doc.versions] == [
        ("1.1", VersionState.IN_REVIEW), ("1.0", VersionState.SUPERSEDED),
    ]  # fmt: skip
    old = doc.versions[1]
    assert [(r.approver.handle, r.decision, r.comment) for r in old.reviews] == [
        ("ana", ReviewDecision.APPROVED, ""),
        ("ben", ReviewDecision.CHANGES_REQUESTED, "Add the budget table"),
    ]
    assert [h for h, _, _ in asks(w)] == ["ana", "ana", "ben", "ben"]
    new_ask = w.session.scalar(
        select(Notification.payload)
        .where(Notification.rule == "doc_review_ask")
        .order_by(Notification.id.desc())
    )
    assert "v1.0: @ana approved; @ben requested changes: “Add the budget table”" in str(new_ask)
    # A decision about the superseded version is refused.
    with pytest.raises(Conflict, match=r"superseded by 1\.1"):
        run(w, "ana", f"doc approve {doc.id} v:1.0")
    run(w, "ana", f"doc approve {doc.id} v:1.1")
    assert asks(w, "doc_approved") == []
    doc = run(w, "ben", f"doc approve {doc.id}").document
    assert doc.state == VersionState.APPROVED and doc.current.approved_at == NOW
    # The project's channel is told (a channel post, not a DM).
    posted = w.session.scalar(select(Notification).where(Notification.rule == "doc_approved"))
    assert posted is not None and posted.channel == "C0APOLLO" and posted.recipient_id is None
    with pytest.raises(Conflict, match="is approved"):
        run(w, "ana", f"doc approve {doc.id}")
    shown = run(w, "out", f"doc show {doc.id}").document
    assert [len(v.decided(ReviewDecision.APPROVED)) for v in shown.versions] == [2, 1]
    listed = run(w, "out", "doc list APOLLO")
    assert isinstance(listed, DocumentListResult) and [d.id for d in listed.documents] == [doc.id]


def test_links_and_versions_are_checked(apollo: World) -> None:
    w = apollo
    with pytest.raises(InvalidInput, match="link"):
        run(w, "pm", 'doc add APOLLO "Plan" ftp://x/plan')
    with pytest.raises(InvalidInput, match="is not a link"):
        run(w, "pm", 'doc add APOLLO "Plan" https://')
    with pytest.raises(PermissionDenied, match="Only APOLLO's members"):
        run(w, "out", 'doc add APOLLO "Plan" https://x/plan')
    doc = run(w, "pm", 'doc add APOLLO "Plan" https://x/plan').document
    with pytest.raises(Conflict, match=r"already has a version 1\.0"):
        run(w, "pm", f"doc version {doc.id} https://x/plan2 v:1.0")
    doc = run(w, "pm", f"doc version {doc.id} https://x/plan2").document
    assert doc.current.number == "1.1" and doc.state == VersionState.DRAFT  # no approvers yet


def test_approvers_are_reminded_and_chased_like_action_items(apollo: World) -> None:
    w = apollo
    doc = run(w, "pm", 'doc add APOLLO "Plan" https://x/plan').document
    run(w, "pm", f"doc approvers {doc.id} @ana @ben by:2026-11-26")  # Thu 26 Nov

    def chase(when: datetime) -> list[tuple[str, str]]:
        before = set(asks(w, "doc_review_chase") + asks(w, "doc_review_escalate"))
        sweep.materialize(w.session, now=when)
        now_ = set(asks(w, "doc_review_chase") + asks(w, "doc_review_escalate"))
        return sorted((h, o) for h, _, o in now_ - before)

    assert chase(at(2026, 11, 24, 10)) == []
    assert chase(at(2026, 11, 25, 10)) == [
        ("ana", "heads_up:2026-11-25"), ("ben", "heads_up:2026-11-25"),
    ]  # fmt: skip
    run(w, "ana", f"doc approve {doc.id}", now=at(2026, 11, 25, 11))
    assert chase(at(2026, 11, 26, 10)) == [("ben", "due:2026-11-26")]
    assert chase(at(2026, 11, 26, 23)) == []  # quiet hours
    assert chase(at(2026, 11, 28, 10)) == []  # Saturday
    # Two working days overdue (Fri, Mon): whoever added it and the PM are told, once.
    assert chase(at(2026, 11, 30, 10)) == [("ben", "overdue:2026-11-30"), ("pm", "once")]
    assert chase(at(2026, 12, 1, 10)) == [("ben", "overdue:2026-12-01")]
    assert chase(at(2026, 12, 1, 11)) == []


def test_a_queued_request_becomes_moot_once_decided(apollo: World) -> None:
    w = apollo
    doc = run(w, "pm", 'doc add APOLLO "Plan" https://x/plan').document
    run(w, "pm", f"doc approvers {doc.id} @ana")
    run(w, "ana", f"doc approve {doc.id}")
    ids = list(
        w.session.scalars(select(Notification.id).where(Notification.rule == "doc_review_ask"))
    )
    bundles = delivery.prepare(w.session, ids, now=NOW, contents=CONTENTS)
    assert bundles == []
    state = w.session.scalar(select(Notification.state).where(Notification.id == ids[0]))
    assert state == NotificationState.SKIPPED


def test_dropping_an_approver_stops_their_pending_review(apollo: World) -> None:
    w = apollo
    doc = run(w, "pm", 'doc add APOLLO "Plan" https://x/plan').document
    run(w, "pm", f"doc approvers {doc.id} @ana @ben")
    run(w, "ana", f"doc approve {doc.id}")
    doc = run(w, "pm", f"doc approvers {doc.id} @ana").document
    assert doc.state == VersionState.APPROVED  # the only approver left has approved
    assert w.session.scalar(select(func.count(DocumentReview.id))) == 1
    assert date(2026, 11, 26) == doc.current.reviews[0].due_on  # three working days
