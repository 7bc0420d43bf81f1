"""Exactly once across timeouts (issue 15, part 6): a post Slack accepts but answers after
the client's timeout is not sent again; one whose landing can't be checked is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bench.timeouts import deliver_with_late_answers, seed
from bot.config import Settings
from bot.scheduler import POST_TIMEOUT, build_notifier
from models import Notification, NotificationState
from tests.fake_slack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    yield f
    f.stop()


def test_posts_answered_after_the_timeout_are_neither_duplicated_nor_lost(sessions, fake) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, 15)
    out = deliver_with_late_answers(sessions, fake, timeout=0.3)
    assert out.late == 3  # every fifth post answered late: the client gave up on them
    assert (out.duplicates, out.losses) == (0, 0)
    with sessions() as s:
        states = set(s.scalars(select(Notification.state)).all())
    assert states == {NotificationState.SENT}
    # The check read the conversations' history with our metadata marker.
    assert fake.of("conversations.history")
    marked = [m for msgs in fake.history.values() for m in msgs if "metadata" in m]
    assert len(marked) == 15 and marked[0]["metadata"]["event_type"] == "pmo_outbox"


def test_when_slack_cannot_say_whether_it_landed_the_reminder_is_sent_again(sessions, fake) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, 5)
    fake.fail("conversations.history", error="missing_scope", times=99)
    out = deliver_with_late_answers(sessions, fake, timeout=0.3)
    assert out.losses == 0 and out.duplicates == 1  # at least once, never lost


def test_the_sweep_waits_longer_for_posts_than_requests_do(db_url: str) -> None:
    settings = Settings(database_url=db_url, slack_bot_token="xoxb-t", slack_signing_secret="s")
    notifier = build_notifier(settings, None)  # type: ignore[arg-type]
    assert notifier.client_for("T1").timeout == POST_TIMEOUT >= 30  # type: ignore[attr-defined]
