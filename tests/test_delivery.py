"""The outbox delivered to the fake Slack: bundling, retries, permanent failures, no duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import func, select

from bot import jobs
from bot.db import session_scope
from handlers.chat import delivery as sending
from handlers.slack.notifier import SlackNotifier
from models import Notification, NotificationState, Person, Platform
from services.outbox import delivery
from services.outbox.kinds import DigestKind
from services.outbox.notices import notice_row
from services.outbox.port import Digest
from services.outbox.rows import insert_notifications
from services.work import action_items
from tests.conftest import NOW, World
from tests.fake_slack import FakeSlack

MON_9_NY = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    yield f
    f.stop()


def notifier(fake: FakeSlack, *, retry_429: bool = False) -> SlackNotifier:
    handlers = [RateLimitErrorRetryHandler(max_retry_count=3)] if retry_429 else []
    client = WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=handlers)
    return SlackNotifier(lambda team: client, pace=0)


def seed(sessions, n_items: int = 3) -> None:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", digests=False)
        lead = w.person("U0LEAD")
        owner = w.person("U1NYC", tz="America/New_York")
        for i in range(n_items):
            action_items.add(s, w.actor(lead.handle), title=f"Item {i} <!channel>", owner=owner,
                             due_on=date(2026, 12, 4), now=NOW)  # fmt: skip


def states(sessions) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return dict(
            s.execute(select(Notification.state, func.count()).group_by(Notification.state)).all()
        )


def test_one_dm_per_person_listing_each_item_with_buttons(sessions, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, 3)
    report = jobs.sweep(sessions, notifier(fake), now=MON_9_NY)
    assert (report.materialized, report.sent, report.messages) == (3, 3, 1)
    posts = fake.of("chat.postMessage")
    assert len(posts) == 1 and posts[0].args["channel"] == "U1NYC"
    blocks = posts[0].args["blocks"]
    assert sum(1 for b in blocks if b["type"] == "actions") == 3
    text = str(blocks)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    # A second sweep the same day sends nothing more.
    again = jobs.sweep(sessions, notifier(fake), now=MON_9_NY.replace(hour=15))
    assert (again.materialized, again.sent) == (0, 0)
    assert states(sessions) == {NotificationState.SENT: 3}


def test_rate_limits_and_server_errors_are_retried_until_delivered_once(
    sessions, fake: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, 2)
    fake.fail("chat.postMessage", status=429, retry_after=120, times=1)
    first = jobs.sweep(sessions, notifier(fake), now=MON_9_NY)
    assert (first.sent, first.retried) == (0, 2)
    with sessions() as s:
        when = s.scalar(select(func.min(Notification.next_attempt_at)))
    assert (when - MON_9_NY).total_seconds() >= 120  # Retry-After honoured, no busy loop
    fake.fail("chat.postMessage", status=500, times=1)
    second = jobs.sweep(sessions, notifier(fake), now=when)
    assert second.retried == 2
    with sessions() as s:
        when = s.scalar(select(func.min(Notification.next_attempt_at)))
    third = jobs.sweep(sessions, notifier(fake), now=when)
    assert third.sent == 2
    ok_posts = [c for c in fake.of("chat.postMessage")]
    assert len(ok_posts) == 3  # two refused, one delivered
    assert states(sessions) == {NotificationState.SENT: 2}


def test_a_departed_user_is_failed_with_a_reason_and_does_not_block_others(
    sessions, fake: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, 1)
    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", digests=False)
        other = w.person("U2LDN", tz="Europe/London")
        action_items.add(s, w.actor("U0LEAD"), title="Other", owner=other,
                         due_on=date(2026, 12, 4), now=NOW)  # fmt: skip
    fake.add_user("U1NYC", "gone", deleted=True)
    report = jobs.sweep(sessions, notifier(fake), now=MON_9_NY)
    assert (report.sent, report.failed) == (1, 1)
    with sessions() as s:
        failed = s.scalar(
            select(Notification).where(Notification.state == NotificationState.FAILED)
        )
    assert failed is not None and failed.last_error.startswith("account_inactive")
    # An admin can put it back in the queue.
    with session_scope(sessions) as s:
        assert delivery.retry(s, notification_id=failed.id, now=MON_9_NY) is True


def test_an_item_done_before_delivery_is_skipped(sessions, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, 1)
    assert jobs.materialize(sessions, now=MON_9_NY) == 1
    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", digests=False)
        action_items.complete(s, w.actor("U0LEAD"), item_id=1, now=MON_9_NY)
    report = sending.deliver_due(sessions, notifier(fake), now=MON_9_NY)
    assert (report.sent, report.skipped) == (0, 1) and fake.of("chat.postMessage") == []


def test_a_row_left_sending_by_a_crashed_worker_is_taken_again_after_its_lease(
    sessions, fake: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, 1)
    jobs.materialize(sessions, now=MON_9_NY)
    with session_scope(sessions) as s:
        assert len(delivery.claim(s, now=MON_9_NY)) == 1  # claimed, then the worker "dies"
    assert sending.deliver_due(sessions, notifier(fake), now=MON_9_NY).claimed == 0  # still leased
    later = MON_9_NY + delivery.LEASE
    assert sending.deliver_due(sessions, notifier(fake), now=later).sent == 1
    assert states(sessions) == {NotificationState.SENT: 1}


def test_when_an_owner_cannot_be_reached_the_pm_is_told_once(sessions, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    from models import ProjectRole
    from services.projects import members as project_members
    from services.projects import register as projects

    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", digests=False)
        lead = w.actor(w.person("U0LEAD").handle)
        pm, owner = w.person("U3PM"), w.person("U1NYC", tz="America/New_York")
        projects.create(s, lead, key="APOLLO", name="Portal", pm=pm, now=NOW)
        project_members.add_member(
            s, lead, key="APOLLO", person=owner, role=ProjectRole.MEMBER, now=NOW
        )
        action_items.add(s, lead, title="Ship it", owner=owner, project_key="APOLLO",
                         due_on=date(2026, 12, 4), now=NOW)  # fmt: skip
    fake.add_user("U1NYC", "gone", deleted=True)
    first = jobs.sweep(sessions, notifier(fake), now=MON_9_NY)
    assert first.failed == 1
    second = jobs.sweep(sessions, notifier(fake), now=MON_9_NY.replace(minute=1))
    assert second.sent == 1
    to_pm = [c for c in fake.of("chat.postMessage") if c.args["channel"] == "U3PM"]
    assert len(to_pm) == 1
    text = str(to_pm[0].args["blocks"])
    assert "couldn't reach" in text and "account_inactive" in text and "Ship it" in text
    # The owner's reminder failing again (after an admin retry) does not tell the PM twice.
    with session_scope(sessions) as s:
        failed = s.scalar(
            select(Notification.id).where(Notification.state == NotificationState.FAILED)
        )
        delivery.retry(s, notification_id=failed, now=MON_9_NY)
    jobs.sweep(sessions, notifier(fake), now=MON_9_NY.replace(minute=2))
    assert len([c for c in fake.of("chat.postMessage") if c.args["channel"] == "U3PM"]) == 1


def test_deliverable_reminders_have_no_item_buttons(sessions, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    from services.projects import register as projects
    from services.work import deliverables

    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", digests=False)
        lead = w.actor(w.person("U0LEAD").handle)
        owner = w.person("U1NYC", tz="America/New_York")
        projects.create(s, lead, key="ATLAS", name="DW", now=NOW)
        deliverables.add(s, lead, key="ATLAS", title="Warehouse MVP", owner=owner,
                         due_on=date(2026, 12, 7), now=NOW)  # fmt: skip
    report = jobs.sweep(sessions, notifier(fake), now=MON_9_NY)
    assert report.sent == 1
    blocks = fake.of("chat.postMessage")[0].args["blocks"]
    assert "Deliverable #1" in str(blocks) and not any(b["type"] == "actions" for b in blocks)


def test_a_part_slack_would_refuse_fails_alone_and_the_rest_of_the_dm_goes(
    sessions, fake: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    """One DM bundles two reminders, a notice and an offer whose stored button reference is
    broken: the person gets the reminders and the notice; only the offer's row fails, saying
    why, and the DM is marked with the rows it did deliver."""
    seed(sessions, 2)
    day = MON_9_NY.date()
    broken = Digest(DigestKind.RAID_OFFER, "Log the blocker?", day, [], ref="issue:twelve")
    notice = Digest(DigestKind.NOTICE, "The launch plan moved", day, [], note="See the plan.")
    with session_scope(sessions) as s:
        owner = s.scalar(select(Person).where(Person.external_id == "U1NYC"))
        assert owner is not None
        rows = [notice_row(owner.workspace_id, "test_notice", ("person", owner.id), occ, d,
                           to=owner, now=NOW) for occ, d in (("a", broken), ("b", notice))]  # fmt: skip
        insert_notifications(s, rows)
    report = jobs.sweep(sessions, notifier(fake), now=MON_9_NY)
    assert (report.sent, report.failed, report.messages) == (3, 1, 1)
    (post,) = fake.of("chat.postMessage")
    shown = str(post.args["blocks"])
    assert "Item 0" in shown and "Item 1" in shown and "The launch plan moved" in shown
    assert "Log the blocker" not in shown and "pmo.raid.offer" not in shown
    with sessions() as s:
        failed = s.scalars(
            select(Notification).where(Notification.state == NotificationState.FAILED)
        ).all()
        assert [n.payload["digest"]["ref"] for n in failed] == ["issue:twelve"]
        assert "could not be shown in Slack" in (failed[0].last_error or "")
        assert failed[0].id not in post.args["metadata"]["event_payload"]["rows"]
        assert states(sessions) == {NotificationState.SENT: 3, NotificationState.FAILED: 1}


def test_a_dm_whose_every_part_is_refused_fails_with_the_reason(sessions, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", digests=False)
        owner = w.person("U1NYC", tz="America/New_York")
        broken = Digest(DigestKind.RAID_OFFER, "Log it?", MON_9_NY.date(), [], ref="risk:")
        insert_notifications(s, [notice_row(w.ws.id, "test_notice", ("person", owner.id), "a",
                                            broken, to=owner, now=NOW)])  # fmt: skip
    report = jobs.sweep(sessions, notifier(fake), now=MON_9_NY)
    assert (report.sent, report.failed) == (0, 1) and not fake.of("chat.postMessage")
    assert "could not be shown in Slack" in report.errors[0]
