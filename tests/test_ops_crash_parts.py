"""A delivery process killed (SIGKILL) in the middle of a multi-part message (issue 15, part
6): the retry after the lease posts every part of the portfolio report (parent, a reply per
project, the chart) and of final minutes exactly once. Slack has accepted the part in flight
when the kill comes, and the answer never reaches the process: the worst moment. Only if
Slack can't be asked whether that part landed is it posted again: the one duplicate left."""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from models import Notification, NotificationState
from services.outbox.delivery import LEASE
from tests.conftest import NOW
from tests.fake_slack import FakeSlack
from tests.test_delivery_processes import worker
from tests.test_ops_parts import MEET, PERIOD, PMO, queue_minutes, queue_report

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux only")
REPORT = ["parent", *(f"P{i}" for i in range(5)), f"rag-{PERIOD}.png"]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    yield f
    f.stop()


def crash_then_recover(db_url: str, fake: FakeSlack, method: str, number: int) -> list[str]:
    """A worker delivers until Slack has carried out the `number`-th call of `method`, and is
    killed before that call's answer; one started after the lease finishes the job. Returns
    the labels of what Slack had accepted at the kill."""
    fake.hold_method, fake.hold_post_number = method, number
    victim = worker(db_url, fake.api_url, NOW)
    try:
        assert fake.holding.wait(timeout=120), f"the worker never reached {method} #{number}"
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate(timeout=30)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.communicate()
    assert victim.returncode == -signal.SIGKILL
    fake.hold_post_number = None
    fake.release.set()
    at_kill = [*posted(fake)]
    survivor = worker(db_url, fake.api_url, NOW + LEASE + timedelta(seconds=1))
    _, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err[-2000:]
    return at_kill


def posted(fake: FakeSlack) -> Counter[str]:
    """Every part in #pmo and its threads: "parent", a project's reply by its key, a chart by
    its file name; in #meet, the minutes' parts by their text."""
    seen: Counter[str] = Counter("parent" for _ in fake.history.get(PMO, []))
    seen.update(m["text"] for m in fake.history.get(MEET, []))
    for (channel, _ts), replies in list(fake.threads.items()):
        for m in replies:
            if m.get("files"):
                seen.update(f["name"] for f in m["files"])
            elif channel == PMO:
                seen[m["text"].split(" ")[0]] += 1
            else:
                seen[m["text"]] += 1
    return seen


def states(sessions: sessionmaker[Session]) -> set[NotificationState]:
    with sessions() as s:
        return set(s.scalars(select(Notification.state)))


@pytest.mark.parametrize(
    ("method", "number", "accepted"),
    [
        ("chat.postMessage", 4, ["parent", "P0", "P1", "P2"]),  # a project's reply in flight
        ("chat.postMessage", 1, ["parent"]),  # the parent in flight
        ("files.completeUploadExternal", 1, REPORT),  # the chart in flight
    ],
    ids=["at-a-reply", "at-the-parent", "at-the-chart"],
)
def test_a_report_whose_worker_is_killed_mid_thread_is_posted_once_every_part(
    db_url: str, sessions, fake, method: str, number: int, accepted: list[str]
) -> None:  # type: ignore[no-untyped-def]
    queue_report(sessions)
    at_kill = crash_then_recover(db_url, fake, method, number)
    assert sorted(at_kill) == sorted(accepted)  # Slack had these, the last one unanswered
    seen = posted(fake)
    assert seen == Counter(REPORT), seen  # nothing posted twice, nothing missing
    (parent,) = fake.history[PMO]
    assert len(fake.thread(PMO, parent["ts"])) == len(REPORT) - 1  # all in the one thread
    assert states(sessions) == {NotificationState.SENT}


def test_final_minutes_whose_worker_is_killed_between_parts_are_posted_once_every_part(
    db_url: str, sessions, fake
) -> None:  # type: ignore[no-untyped-def]
    _, parts = queue_minutes(sessions)
    at_kill = crash_then_recover(db_url, fake, "chat.postMessage", 2)
    assert at_kill == parts[:2]
    (first,) = fake.history[MEET]
    rest = fake.thread(MEET, first["ts"])
    assert [m["text"] for m in [first, *rest]] == parts  # each part once, in order
    assert states(sessions) == {NotificationState.SENT}


def test_when_slack_cannot_say_whether_the_part_in_flight_landed_only_that_one_repeats(
    db_url: str, sessions, fake
) -> None:  # type: ignore[no-untyped-def]
    queue_report(sessions)
    fake.fail("conversations.replies", error="missing_scope", times=99)
    crash_then_recover(db_url, fake, "chat.postMessage", 4)
    seen = posted(fake)
    duplicates = {part for part, n in seen.items() if n > 1}
    print(f"\nkilled with P2's reply in flight, history unreadable: duplicated {duplicates}")
    assert set(seen) == set(REPORT)  # none lost
    assert duplicates == {"P2"} and seen["P2"] == 2  # the window: the one part in flight
    assert states(sessions) == {NotificationState.SENT}


def test_nothing_is_held_open_while_a_part_is_out(db_url: str, sessions, fake) -> None:  # type: ignore[no-untyped-def]
    """While Slack holds a part's answer the row is writable (no lock, no open transaction)
    and says what went out: a report's parent and two replies, the third reply in flight."""
    queue_report(sessions)
    fake.hold_post_number = 4
    victim = worker(db_url, fake.api_url, NOW)
    try:
        assert fake.holding.wait(timeout=120)
        with sessions.begin() as s:  # would wait for a lock (and time out) if one were held
            if s.get_bind().dialect.name == "postgresql":
                s.execute(text("SET LOCAL lock_timeout = '5s'"))
            (n,) = s.scalars(select(Notification).with_for_update())
            progress, state = dict(n.payload["progress"]), n.state
            n.last_error = "checked"
    finally:
        victim.kill()
        victim.communicate()
        fake.release.set()
    assert state == NotificationState.SENDING
    assert progress["replies"] == 2 and progress["ts"] == fake.history[PMO][0]["ts"]
    assert progress["uncertain"]["part"] == "reply:2"
