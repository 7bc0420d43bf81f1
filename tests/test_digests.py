"""Digests: daily personal, weekly per project channel, weekly PMO — when, what, once, never empty."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot import jobs
from bot.db import session_scope
from handlers.slack.notifier import SlackNotifier
from models import (
    ActionItem,
    ActionStatus,
    Holiday,
    LeavePeriod,
    Notification,
    NotificationState,
    Platform,
    ProjectRole,
)
from services.commands.execute import run_text
from services.core.errors import InvalidInput, PermissionDenied
from services.digests import personal, weekly
from services.digests import sweep as digests
from services.outbox.port import Digest
from services.projects import members as project_members
from services.projects import register as projects
from services.work import action_items, deliverables
from tests.conftest import NOW, World
from tests.fake_slack import FakeSlack
from tests.test_query_counts import count_statements


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def digest_rows(world: World, rule: str = personal.PERSONAL) -> list[Notification]:
    return list(
        world.session.scalars(
            select(Notification).where(Notification.rule == rule).order_by(Notification.id)
        )
    )


def test_personal_digest_each_working_morning_once_across_dst_holiday_leave_and_downtime(
    world: World,
) -> None:
    nyc = world.person("nyc", tz="America/New_York")
    quiet = world.person("quiet", tz="Asia/Kolkata")  # owns nothing: never messaged
    for p in (nyc, quiet):  # they joined before the sweeps below (no catch-up before joining)
        p.created_at = at(2026, 10, 1, 0)
    lead = world.actor("lead")
    world.person("lead").digest_enabled = False
    for title, due in (("Overdue since October", date(2026, 10, 28)),
                       ("Due on Friday 6 Nov", date(2026, 11, 6))):  # fmt: skip
        action_items.add(world.session, lead, title=title, owner=nyc, due_on=due, now=NOW)
    world.session.add(Holiday(workspace_id=world.ws.id, on=date(2026, 11, 3), name="Election"))
    world.session.add(LeavePeriod(workspace_id=world.ws.id, person_id=nyc.id,
                                  start_on=date(2026, 11, 4), end_on=date(2026, 11, 4)))  # fmt: skip
    world.session.flush()
    # Sweep every 15 minutes from Thu 29 Oct to Tue 10 Nov, down from Thu 5 Nov 00:00 UTC
    # until Sun 8 Nov 23:00 UTC (three days and more).
    t = at(2026, 10, 29, 0)
    while t < at(2026, 11, 11, 0):
        if not at(2026, 11, 5, 0) <= t < at(2026, 11, 8, 23):
            digests.materialize(world.session, now=t)
        t += timedelta(minutes=15)
    sent = [r for r in digest_rows(world) if r.state == NotificationState.PENDING]
    assert [(r.occurrence, r.next_attempt_at) for r in sent] == [
        ("2026-10-29", at(2026, 10, 29, 13)),  # 09:00 EDT
        ("2026-10-30", at(2026, 10, 30, 13)),
        # weekend; clocks go back on Sun 1 Nov
        ("2026-11-02", at(2026, 11, 2, 14)),  # 09:00 EST
        # Tue 3 Nov holiday, Wed 4 Nov leave, Thu 5/Fri 6 down: not replayed afterwards
        ("2026-11-09", at(2026, 11, 9, 14)),
        ("2026-11-10", at(2026, 11, 10, 14)),
    ]
    assert all(r.recipient_id == nyc.id for r in sent)
    first = Digest.from_payload(sent[0].payload["digest"])
    assert [(s.heading, [ln.title for ln in s.lines]) for s in first.sections] == [
        ("Overdue", ["Overdue since October"]),
    ]
    mon = Digest.from_payload(sent[2].payload["digest"])
    assert [(s.heading, s.total) for s in mon.sections] == [("Overdue", 1), ("Due this week", 1)]
    # Someone with nothing due is never sent a digest: each day is recorded as skipped, once.
    theirs = [r for r in digest_rows(world) if r.recipient_id == quiet.id]
    assert theirs and all(r.state == NotificationState.SKIPPED for r in theirs)
    assert len({r.occurrence for r in theirs}) == len(theirs)


def test_digest_off_on_and_at_a_chosen_time(world: World) -> None:
    me = world.person("ana", tz="Europe/Berlin")
    ana = world.actor("ana")
    action_items.add(world.session, ana, title="Write it", owner=me, due_on=date(2026, 11, 25),
                     now=NOW)  # fmt: skip
    shown = run_text(world.session, ana, "digest", now=NOW)
    assert shown.mine.enabled and shown.mine.at.hour == 9  # type: ignore[union-attr]
    assert shown.mine.preview.sections[0].heading == "Due this week"  # type: ignore[union-attr]
    run_text(world.session, ana, "digest off", now=NOW)
    digests.materialize(world.session, now=at(2026, 11, 24, 9))  # 10:00 in Berlin
    assert [r for r in digest_rows(world) if r.recipient_id == me.id] == []
    moved = run_text(world.session, ana, "digest at 10:30", now=NOW)
    assert moved.mine.enabled and moved.event == "moved"  # type: ignore[union-attr]
    digests.materialize(world.session, now=at(2026, 11, 25, 9, 15))  # 10:15 in Berlin
    assert [r for r in digest_rows(world) if r.recipient_id == me.id] == []
    digests.materialize(world.session, now=at(2026, 11, 25, 9, 30))  # 10:30 in Berlin
    assert [r.occurrence for r in digest_rows(world) if r.recipient_id == me.id] == ["2026-11-25"]
    with pytest.raises(InvalidInput, match="outside your working hours"):
        run_text(world.session, ana, "digest at 6am", now=NOW)
    with pytest.raises(InvalidInput, match="not a time of day"):
        run_text(world.session, ana, "digest at teatime", now=NOW)


def test_workspace_digest_settings_are_for_admins_and_validated(world: World) -> None:
    lead = world.actor("lead")
    world.person("bob")
    res = run_text(world.session, lead, "settings digests project_day tue", now=NOW)
    assert res.settings.digests.project_day == 2  # type: ignore[union-attr]
    res = run_text(world.session, lead, "settings digests pmo_time 4pm", now=NOW)
    assert res.settings.digests.pmo_time == "16:00"  # type: ignore[union-attr]
    res = run_text(world.session, lead, "settings pmo_channel <#C0PMO123|pmo>", now=NOW)
    assert res.settings.pmo_channel == "C0PMO123"  # type: ignore[union-attr]
    res = run_text(world.session, lead, "settings timezone Europe/Paris", now=NOW)
    assert res.settings.timezone == "Europe/Paris"  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="not a time zone"):
        run_text(world.session, lead, "settings timezone Mars/Olympus", now=NOW)
    with pytest.raises(InvalidInput, match="not a day of the week"):
        run_text(world.session, lead, "settings digests pmo_day someday", now=NOW)
    with pytest.raises(PermissionDenied):
        run_text(world.session, world.actor("bob"), "settings digests pmo_weekly off", now=NOW)


# --- through the fake Slack -------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    yield f
    f.stop()


def notifier(fake: FakeSlack) -> SlackNotifier:
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    return SlackNotifier(lambda team: client, pace=0)


def portfolio(sessions) -> None:  # type: ignore[no-untyped-def]
    """Workspace T1 (UTC): APOLLO (channel C0APOLLO, PM @U0PM) with overdue, this week's and
    last week's done work; SECRET, private, with an overdue item; QUIET with a channel and
    nothing due. Personal digests off (they have their own tests)."""
    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", rounds=False)
        lead = w.actor("U0LEAD")
        pm, dev = w.person("U0PM"), w.person("U0DEV", tz="America/New_York")
        for p in w.people.values():
            p.digest_enabled = False
        for key, private in (("APOLLO", False), ("SECRET", True), ("QUIET", False)):
            projects.create(s, lead, key=key, name=f"{key.title()} <!channel>", pm=pm,
                            private=private, now=NOW)  # fmt: skip
            projects.update(s, lead, key=key, field="channel", value=f"C0{key}", now=NOW)
            project_members.add_member(
                s, lead, key=key, person=dev, role=ProjectRole.MEMBER, now=NOW
            )
        a = lambda title, due, key="APOLLO": action_items.add(  # noqa: E731
            s, lead, title=title, owner=dev, project_key=key, due_on=due, now=NOW
        )
        a("Late item", date(2026, 12, 1))
        a("This week's item", date(2026, 12, 10))
        a("Next month's item", date(2027, 1, 10))
        a("Secret late item", date(2026, 12, 2), "SECRET")
        done = a("Finished last week", date(2026, 12, 3))
        deliverables.add(s, lead, key="APOLLO", title="Design pack", owner=dev,
                         due_on=date(2026, 12, 4), now=NOW)  # fmt: skip
    with session_scope(sessions) as s:
        item = s.get(ActionItem, done.id)
        assert item is not None
        item.status, item.done_at = ActionStatus.DONE, at(2026, 12, 3, 15)


def posts_to(fake: FakeSlack, channel: str) -> list[dict]:  # type: ignore[type-arg]
    return [c.args for c in fake.of("chat.postMessage") if c.args["channel"] == channel]


def test_weekly_project_digest_in_its_channel_once_a_week_holidays_moved(
    sessions, fake: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    portfolio(sessions)
    send = notifier(fake)
    jobs.sweep(sessions, send, now=at(2026, 12, 7, 8, 59))
    assert posts_to(fake, "C0APOLLO") == []
    jobs.sweep(sessions, send, now=at(2026, 12, 7, 9, 0))  # Monday 09:00, workspace UTC
    (post,) = posts_to(fake, "C0APOLLO")
    text = str(post["blocks"])
    assert "Overdue" in text and "Late item" in text and "Design pack" in text
    assert "Due this week" in text and "This week's item" in text
    assert "Done last week" in text and "Finished last week" in text
    assert "Next month" not in text
    assert "@U0DEV" in text and "<@U0DEV>" not in text  # owners named, not pinged
    # Plain-text headers are never parsed for mentions; every mrkdwn text is escaped.
    marked = str([b for b in post["blocks"] if b["type"] != "header"]) + post["text"]
    assert "<!channel>" not in marked and "&lt;!channel&gt;" in marked
    assert posts_to(fake, "C0QUIET") == []  # nothing to say: not sent empty
    assert posts_to(fake, "C0SECRET") != []  # its own channel may see its own work
    jobs.sweep(sessions, send, now=at(2026, 12, 7, 15))
    jobs.sweep(sessions, send, now=at(2026, 12, 10, 9))
    assert len(posts_to(fake, "C0APOLLO")) == 1  # once a week
    # Monday 14 Dec is a holiday: the digest goes out on Tuesday instead.
    with session_scope(sessions) as s:
        ws_id = s.scalar(select(Notification.workspace_id))
        s.add(Holiday(workspace_id=ws_id, on=date(2026, 12, 14), name="Founders' day"))
    jobs.sweep(sessions, send, now=at(2026, 12, 14, 10))
    assert len(posts_to(fake, "C0APOLLO")) == 1
    jobs.sweep(sessions, send, now=at(2026, 12, 15, 9))
    assert len(posts_to(fake, "C0APOLLO")) == 2


def test_weekly_pmo_digest_counts_per_project_and_keeps_private_ones_out_of_the_channel(
    sessions, fake: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    portfolio(sessions)
    send = notifier(fake)
    # No PMO channel yet: the PMO lead gets it by DM, private projects included.
    jobs.sweep(sessions, send, now=at(2026, 12, 7, 9, 30))
    (dm,) = posts_to(fake, "U0LEAD")
    dm_text = str(dm["blocks"])
    assert "PMO weekly digest" in dm_text and "APOLLO" in dm_text and "SECRET" in dm_text
    assert "1 overdue item" in dm_text and "1 overdue deliverable" in dm_text
    # The next week with a channel set: counted again, private projects left out of it.
    with session_scope(sessions) as s:
        from models import Person
        from services.core.access import actor_for

        lead = s.scalar(select(Person).where(Person.external_id == "U0LEAD"))
        assert lead is not None
        run_text(s, actor_for(s, lead), "settings pmo_channel <#C0PMO|pmo>", now=NOW)
    jobs.sweep(sessions, send, now=at(2026, 12, 14, 9, 30))
    (post,) = posts_to(fake, "C0PMO")
    text = str(post["blocks"])
    assert "APOLLO" in text and "SECRET" not in text and "Private projects are left out" in text
    # By then APOLLO's late item was escalated (2 and 5 working days): counted as open.
    assert "escalation" in text
    assert len(posts_to(fake, "U0LEAD")) >= 1


def test_reminders_and_the_personal_digest_arrive_as_one_dm(sessions, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", digests=False)
        me = w.person("U1ME")
        me.digest_enabled = True
        lead = w.actor("U1ME")
        action_items.add(s, lead, title="Chased one", owner=me, due_on=date(2026, 12, 4),
                         now=NOW)  # fmt: skip
        action_items.add(s, lead, title="Later this week", owner=me, due_on=date(2026, 12, 10),
                         now=NOW)  # fmt: skip
    report = jobs.sweep(sessions, notifier(fake), now=at(2026, 12, 7, 9))
    assert report.messages == 1 and report.sent == 2
    (post,) = fake.of("chat.postMessage")
    text = str(post.args["blocks"])
    assert "Chased one" in text and "Later this week" in text
    assert text.count("Chased one") == 1  # the digest leaves out what the reminder says
    assert sum(1 for b in post.args["blocks"] if b["type"] == "actions") == 1


def test_an_archived_project_channel_fails_with_a_reason_and_the_pm_is_told_once(
    sessions, fake: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    portfolio(sessions)
    fake.archived.add("C0APOLLO")
    send = notifier(fake)
    jobs.sweep(sessions, send, now=at(2026, 12, 7, 9))
    jobs.sweep(sessions, send, now=at(2026, 12, 7, 10))
    with sessions() as s:
        failed = s.scalars(
            select(Notification).where(Notification.state == NotificationState.FAILED)
        ).all()
    assert [(n.rule, n.channel) for n in failed] == [(weekly.PROJECT, "C0APOLLO")]
    assert failed[0].last_error.startswith("is_archived")
    told = [p for p in posts_to(fake, "U0PM") if "couldn" in str(p["blocks"])]
    assert len(told) == 1 and "APOLLO" in str(told) and "is_archived" in str(told)
    assert len(posts_to(fake, "C0SECRET")) == 1  # the others still went out


def test_materializing_digests_takes_a_bounded_number_of_statements(
    world: World, engine: Engine
) -> None:
    def grow(n: int) -> int:
        lead = world.actor("lead")
        start = len(world.people)
        for i in range(start, start + n):
            p = world.person(f"p{i}", tz=["UTC", "Asia/Kolkata", "America/New_York"][i % 3])
            key = f"K{i}"
            projects.create(world.session, lead, key=key, name=key, pm=p, now=NOW)
            projects.update(world.session, lead, key=key, field="channel", value=f"C{i:08d}",
                            now=NOW)  # fmt: skip
            action_items.add(world.session, lead, title=f"t{i}", owner=p, project_key=key,
                             due_on=date(2026, 11, 20 + i % 9), now=NOW)  # fmt: skip
        world.session.flush()
        monday = at(2026, 11, 30, 10) + timedelta(weeks=len(world.people))
        with count_statements(engine) as seen:
            digests.materialize(world.session, now=monday)
        return len(seen)

    small, big = grow(5), grow(200)
    assert big == small and big <= 24


def test_the_digest_renders_in_the_persons_zone_and_within_block_kit_limits() -> None:
    from handlers.slack.digests.render import reminder_message
    from services.outbox.port import Bundle, Digest, DigestLine, DigestSection
    from tests.fake_slack import validate_blocks

    today = datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Kolkata")).date()
    lines = [
        DigestLine("action_item", i, "x" * 300 + " <!here>", today - timedelta(days=i), "KEY")
        for i in range(200)
    ]
    d = Digest("personal", "Your day", today, [DigestSection("Overdue", lines[:25], 200)])
    msg = reminder_message(Bundle("slack", "T1", "U1", "Asia/Kolkata", today, digests=[d]))
    validate_blocks(msg.blocks, limit=50)
    text = str(msg.blocks)
    assert "… and" in text and "more" in text and "<!here>" not in text
