"""Schedules start where things begin: no catch-up for a slot before the workspace, the project,
the person or the setting existed; a fortnightly series starts on its first matching day; a
one-line status update says what it carried over from the last one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.console.channel import ConsoleChannel
from models import MeetingSeries, Notification, Platform, Rag, StatusUpdate
from services.commands.execute import run_text
from services.commands.results import StatusResult
from services.core import people
from services.core.access import actor_for
from services.digests import personal, sweep, weekly
from services.meetings import agenda, series
from services.meetings.series import expand
from services.status import update
from tests.conftest import NOW, World
from tests.slack_harness import SlackBot

SUN = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # Sunday afternoon


def rows(session: Session, rule: str) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.rule == rule)))


def test_a_fresh_install_on_a_sunday_sends_no_monday_digest(session: Session) -> None:
    ws = people.ensure_workspace(
        session, platform=Platform.CONSOLE, external_id="NEW", name="New", now=SUN
    )
    lead = people.upsert_person(
        session, workspace_id=ws.id, external_id="pat", handle="pat", display_name="Pat", now=SUN
    )
    actor = actor_for(session, lead)
    run_text(session, actor, 'project new APOLLO "Apollo"', now=SUN)
    run_text(session, actor, 'action add APOLLO "Plan" due:2026-11-25', now=SUN)
    for hour in (16, 20, 23):  # the rest of Sunday: last Monday's slot is not caught up
        sweep.materialize(session, now=SUN.replace(hour=hour))
    assert rows(session, weekly.PMO) == []
    sweep.materialize(session, now=datetime(2026, 11, 23, 9, 45, tzinfo=UTC))  # Monday 09:45
    assert len(rows(session, weekly.PMO)) == 1


def test_a_changed_digest_setting_is_not_caught_up(world: World) -> None:
    lead = world.actor("lead")  # the workspace exists since Monday 12:00 (NOW)
    run_text(world.session, lead, 'project new APOLLO "Apollo"', now=NOW)
    run_text(world.session, lead, "settings digests pmo_day tue", now=NOW)
    sweep.materialize(world.session, now=NOW + timedelta(hours=1))
    assert rows(world.session, weekly.PMO) == []  # Monday's slot passed before the change
    # Moved to Wednesday 09:30 on Tuesday: it goes on Wednesday, not at once.
    tue = NOW + timedelta(days=1)
    run_text(world.session, lead, "settings digests pmo_day wed", now=tue)
    sweep.materialize(world.session, now=tue + timedelta(minutes=5))
    assert rows(world.session, weekly.PMO) == []
    sweep.materialize(world.session, now=datetime(2026, 11, 25, 9, 35, tzinfo=UTC))
    assert len(rows(world.session, weekly.PMO)) == 1


def test_a_person_who_arrives_after_their_digest_time_gets_it_from_tomorrow(world: World) -> None:
    lead = world.actor("lead")
    newbie = world.person("newbie")  # arrives Monday 12:00, after their 09:00 digest time
    newbie.digest_enabled = True
    run_text(world.session, lead, 'action add "Welcome pack" @newbie due:2026-11-23', now=NOW)

    def personal_rows() -> list[Notification]:
        return [r for r in rows(world.session, personal.PERSONAL) if r.recipient_id == newbie.id]

    sweep.materialize(world.session, now=NOW + timedelta(hours=1))
    assert personal_rows() == []
    sweep.materialize(world.session, now=datetime(2026, 11, 24, 9, 5, tzinfo=UTC))
    assert [r.occurrence for r in personal_rows()] == ["2026-11-24"]


def test_biweekly_starts_on_the_first_matching_day(sessions: sessionmaker[Session]) -> None:
    console = ConsoleChannel(sessions, clock=lambda: SUN, echo=lambda _t: None)
    assert console.run("pat", 'project new APOLLO "Apollo"').ok
    reply = console.run("pat", 'meeting new APOLLO "Sync" biweekly on wed 10:00')
    assert reply.ok, reply.text
    with sessions() as s:
        row = s.scalar(select(MeetingSeries))
        assert row is not None
        assert row.starts_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # this Wednesday
        starts = [o.start.date().isoformat() for o in expand(row, SUN, SUN + timedelta(days=35))]
    assert starts == ["2026-11-25", "2026-12-09", "2026-12-23"]


def test_a_one_line_update_says_what_it_carried_over_and_can_clear_it(world: World) -> None:
    lead = world.actor("lead")
    run_text(world.session, lead, 'project new APOLLO "Apollo"', now=NOW)
    escalated = update.UpdateFields(
        Rag.AMBER, blockers="Vendor contract unsigned", escalate=True, asks="Sponsor to call"
    )
    update.submit(world.session, lead, key="APOLLO", fields_=escalated, now=NOW)
    week_later = NOW + timedelta(days=7)
    quick = run_text(world.session, lead, 'status APOLLO green "All good"', now=week_later)
    assert isinstance(quick, StatusResult)
    assert quick.carried[:2] == (
        "blockers “Vendor contract unsigned” (escalated to the PMO)",
        "asks “Sponsor to call”",
    )
    clean = run_text(world.session, lead, 'status APOLLO green "All good" --clear', now=week_later)
    assert isinstance(clean, StatusResult) and clean.carried == ()
    latest = world.session.scalar(
        select(StatusUpdate).where(StatusUpdate.latest.is_(True)).order_by(StatusUpdate.id.desc())
    )
    assert latest is not None
    assert (latest.overall, latest.blockers, latest.escalate, latest.asks) == (
        Rag.GREEN,
        "",
        False,
        "",
    )
    assert latest.summary == "All good"


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.fake.add_user("U1", "lead")
    yield bot
    bot.close()


def test_the_carried_over_warning_in_slack_and_the_console(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command('project new APOLLO "Apollo"')
    slack.command('status APOLLO amber "Contract late"')
    with sessions.begin() as s:
        upd = s.scalar(select(StatusUpdate))
        assert upd is not None
        upd.blockers, upd.escalate = "Vendor contract unsigned", True
    reply = slack.command('status APOLLO green "All good"')
    said = reply["text"] + json.dumps(reply["blocks"], ensure_ascii=False)
    assert "Carried over from the last update" in said and "escalated to the PMO" in said
    assert "status APOLLO green &lt;summary&gt; --clear" in said


def test_the_carried_over_warning_in_the_console(sessions: sessionmaker[Session]) -> None:
    console = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    assert console.run("pat", 'project new APOLLO "Apollo"').ok
    assert console.run("pat", 'status APOLLO amber "Contract late"').ok
    with sessions.begin() as s:
        upd = s.scalar(select(StatusUpdate))
        assert upd is not None
        upd.blockers, upd.escalate = "Vendor contract unsigned", True
    text = console.run("pat", 'status APOLLO green "Still good"').text
    assert "Carried over from the last update: blockers “Vendor contract unsigned”" in text
    assert "status APOLLO green <summary> --clear" in text


def test_a_meeting_imported_after_it_happened_gets_no_nudge(world: World) -> None:
    lead = world.actor("lead")
    run_text(world.session, lead, 'project new APOLLO "Apollo"', now=NOW)
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:daily@x\r\n"
        b"SUMMARY:Stand-up\r\nDTSTART:20261123T100000Z\r\nDTEND:20261123T101500Z\r\n"
        b"RRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    series.import_ics(world.session, lead, key="APOLLO", data=data, now=NOW)  # at 12:00
    agenda.materialize(world.session, now=NOW + timedelta(hours=1))
    assert rows(world.session, "meeting_no_minutes") == []  # today's 10:00 was before the import
    agenda.materialize(world.session, now=datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert len(rows(world.session, "meeting_no_minutes")) == 1  # tomorrow's is nudged
