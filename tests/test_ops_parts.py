"""Exactly once for every post of the outbox (issue 15, part 6): a portfolio report (parent,
a reply per project, the chart), final minutes in three parts and an agenda, each post of
which Slack accepts but answers only after the client's timeout, land exactly once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.chat.delivery import deliver_due
from handlers.slack.meetings.render import final_messages
from handlers.slack.notifier import SlackNotifier
from models import (
    CycleState,
    EntryKind,
    MinutesEntry,
    Notification,
    NotificationState,
    Platform,
    Project,
    ProjectState,
    Rag,
    StatusCycle,
    StatusUpdate,
)
from services.meetings import closing
from services.meetings import minutes as meetings
from services.meetings.views import view
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest
from services.outbox.rows import insert_notifications, outbox_row
from tests.conftest import NOW, World
from tests.fake_slack import FakeSlack
from tests.test_query_counts import count_statements

PMO, MEET, TIMEOUT = "CPMO", "CMEET", 0.3
PERIOD = "2026-W47"  # the week before NOW's


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    yield f
    f.stop()


def sweep_until_done(
    sessions: sessionmaker[Session], fake: FakeSlack, late: Callable[[int], bool] = lambda _n: True
) -> int:
    """Sweep every (simulated) ten minutes while every post's first attempt (or the `late`
    ones) is answered after the client's timeout; returns the sweeps it took."""
    fake.late_answer = lambda n: TIMEOUT + 0.3 if late(n) else 0.0
    client = WebClient(token="xoxb-t", base_url=fake.api_url, timeout=TIMEOUT)  # type: ignore[arg-type]
    notifier = SlackNotifier(lambda _team: client, pace=0)
    now = NOW
    for sweeps in range(1, 30):
        deliver_due(sessions, notifier, now=now)
        with sessions() as s:
            left = s.scalar(
                select(func.count()).where(
                    Notification.state.in_([NotificationState.PENDING, NotificationState.SENDING])
                )
            )
        if not left:
            return sweeps
        now += timedelta(minutes=10)
    raise AssertionError("the outbox never emptied")


def sent_for_good(sessions: sessionmaker[Session]) -> set[NotificationState]:
    with sessions() as s:
        return set(s.scalars(select(Notification.state)))


def queue_report(sessions: sessionmaker[Session]) -> None:
    """Five projects that reported, and their portfolio report due in #pmo."""
    with sessions.begin() as s:
        w = World(s, Platform.SLACK, "T1", digests=False)
        lead = w.person("lead")
        s.execute(insert(Project), [dict(
            workspace_id=w.ws.id, key=f"P{i}", name=f"Project {i}", description="",
            state=ProjectState.ACTIVE, private=False, created_at=NOW - timedelta(days=40))
            for i in range(5)])  # fmt: skip
        for pid in s.scalars(select(Project.id)):
            cycle = StatusCycle(workspace_id=w.ws.id, project_id=pid, period=PERIOD,
                                opens_at=NOW, deadline_at=NOW, state=CycleState.CLOSED,
                                note="", reporters=[], created_at=NOW)  # fmt: skip
            s.add(cycle)
            s.flush()
            s.add(StatusUpdate(workspace_id=w.ws.id, project_id=pid, cycle_id=cycle.id,
                               author_id=lead.id, version=1, latest=True, overall=Rag.AMBER,
                               summary=f"Summary of {pid}", highlights="", blockers="",
                               escalate=False, asks="", next_steps="", on_time=True,
                               submitted_at=NOW, extra={}))  # fmt: skip
        insert_notifications(s, [outbox_row(
            w.ws.id, "status_report", ("workspace", w.ws.id), PERIOD,
            payload={"report": {"period": PERIOD}}, at=NOW, now=NOW, channel=PMO)])  # fmt: skip


def test_a_portfolio_report_whose_every_post_answers_late_is_posted_once(sessions, fake) -> None:  # type: ignore[no-untyped-def]
    queue_report(sessions)
    sweeps = sweep_until_done(sessions, fake)
    (parent,) = fake.history[PMO]
    assert "metadata" in parent
    thread = fake.thread(PMO, parent["ts"])
    replies = [m for m in thread if "files" not in m]
    assert sorted(m["text"].split(" ")[0] for m in replies) == [f"P{i}" for i in range(5)]
    (chart,) = [m for m in thread if "files" in m]
    assert chart["files"][0]["name"] == f"rag-{PERIOD}.png"
    # Each late part was looked for before the next one went out, never posted again.
    assert len(fake.of("chat.postMessage")) == 6
    assert len(fake.of("files.completeUploadExternal")) == 1
    assert sent_for_good(sessions) == {NotificationState.SENT}
    assert sweeps == 8  # parent, 5 replies, the chart: each timed out once, then all done


def queue_minutes(sessions: sessionmaker[Session]) -> tuple[int, list[str]]:
    """A meeting in #meet whose minutes (110 notes) end: final minutes in three parts due.
    Returns the minutes' id and the parts' texts."""
    with sessions.begin() as s:
        w = World(s, Platform.SLACK, "T1", digests=False)
        actor = w.actor("lead")
        v = meetings.start(s, actor, channel=MEET, now=NOW, title="Review")
        s.add_all(MinutesEntry(minutes_id=v.id, kind=EntryKind.NOTE, author_id=actor.person_id,
                               text=f"Note {n:03d}: " + "detail " * 30, created_at=NOW)
                  for n in range(1, 111))  # fmt: skip
        s.flush()
        parts = final_messages(view(s, v.id), NOW.date())
        assert len(parts) == 3
        closing.end(s, actor, channel=MEET, now=NOW, minutes_id=v.id)
        return v.id, [p.text for p in parts]


def test_final_minutes_in_three_parts_whose_every_post_answers_late_are_posted_once(
    sessions, fake
) -> None:  # type: ignore[no-untyped-def]
    minutes_id, parts = queue_minutes(sessions)
    sweep_until_done(sessions, fake)
    (first,) = fake.history[MEET]
    rest = fake.thread(MEET, first["ts"])
    assert [m["text"] for m in [first, *rest]] == parts
    assert len(fake.of("chat.postMessage")) == 3
    with sessions() as s:  # every part remembered, for an amendment to edit in place
        (posted,) = view(s, minutes_id).posts
        assert posted["ts"] == [first["ts"], *(m["ts"] for m in rest)]
    assert sent_for_good(sessions) == {NotificationState.SENT}


def test_an_agenda_whose_post_answers_late_is_posted_once(sessions, fake) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        w = World(s, Platform.SLACK, "T1", digests=False)
        agenda = Digest(DigestKind.MEETING_AGENDA, "Weekly sync", NOW.date(), [], ref="1")
        insert_notifications(s, [outbox_row(
            w.ws.id, "meeting_agenda", ("meeting_occurrence", 1), "agenda",
            payload={"digest": agenda.to_payload()}, at=NOW, now=NOW, channel=MEET)])  # fmt: skip
    assert sweep_until_done(sessions, fake) == 2  # no answer, then found in the channel
    (posted,) = fake.history[MEET]
    assert "Weekly sync" in posted["text"]
    assert len(fake.of("chat.postMessage")) == 1


def test_a_reply_whose_landing_slack_cannot_confirm_is_posted_again_not_lost(
    sessions, fake
) -> None:  # type: ignore[no-untyped-def]
    queue_report(sessions)
    fake.fail("conversations.replies", error="missing_scope", times=99)
    sweep_until_done(sessions, fake, late=lambda n: n == 2)  # the first reply
    (parent,) = fake.history[PMO]
    replies = [m["text"].split(" ")[0] for m in fake.thread(PMO, parent["ts"]) if "files" not in m]
    assert sorted(set(replies)) == [f"P{i}" for i in range(5)]  # none lost
    assert len(replies) == 6  # that one couldn't be looked for: sent again
    assert sent_for_good(sessions) == {NotificationState.SENT}


def test_a_late_post_is_found_in_a_busy_channel_past_the_first_page_of_history(
    sessions, fake
) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        w = World(s, Platform.SLACK, "T1", digests=False)
        agenda = Digest(DigestKind.MEETING_AGENDA, "Weekly sync", NOW.date(), [], ref="1")
        insert_notifications(s, [outbox_row(
            w.ws.id, "meeting_agenda", ("meeting_occurrence", 1), "agenda",
            payload={"digest": agenda.to_payload()}, at=NOW, now=NOW, channel=MEET)])  # fmt: skip
    fake.late_answer = lambda _n: TIMEOUT + 0.3
    client = WebClient(token="xoxb-t", base_url=fake.api_url, timeout=TIMEOUT)  # type: ignore[arg-type]
    notifier = SlackNotifier(lambda _team: client, pace=0)
    deliver_due(sessions, notifier, now=NOW)
    (ours,) = fake.history[MEET]
    chatter = [{"type": "message", "ts": f"{float(ours['ts']) + 1 + n / 1000:.6f}", "text": "hi"}
               for n in range(450)]  # fmt: skip
    fake.history[MEET].extend(chatter)  # people talked meanwhile: ours is on page 3
    deliver_due(sessions, notifier, now=NOW + timedelta(minutes=10))
    assert len(fake.history[MEET]) == 451  # found, not posted again
    assert len(fake.of("chat.postMessage")) == 1
    assert sent_for_good(sessions) == {NotificationState.SENT}


def test_a_report_records_its_progress_with_one_update_a_part(engine, sessions, fake) -> None:  # type: ignore[no-untyped-def]
    """The price of surviving a crash mid thread: one short UPDATE before each of its seven
    parts (parent, five replies, the chart), whatever the report's size otherwise costs."""
    queue_report(sessions)
    client = WebClient(token="xoxb-t", base_url=fake.api_url)  # type: ignore[arg-type]
    with count_statements(engine) as seen:
        deliver_due(sessions, SlackNotifier(lambda _team: client, pace=0), now=NOW)
    checkpoints = [
        q for q in seen if q.lstrip().upper().startswith("UPDATE NOTIFICATION SET PAYLOAD")
    ]
    assert len(checkpoints) == 7
    assert len(fake.of("chat.postMessage")) == 6
    assert sent_for_good(sessions) == {NotificationState.SENT}
    print(f"\na 5-project report: {len(seen)} statements, {len(checkpoints)} of them checkpoints")
