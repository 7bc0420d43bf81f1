"""Every cut list says how to see the rest: the RAID log, the decision log and minutes are
paged like action items (20 a page, the next page's command, a More button in Slack), and a
page of minutes costs the same few statements however long the list is."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.console.channel import ConsoleChannel
from handlers.slack.ids import ActionId
from models import Person, Platform, Workspace
from services.core.access import actor_for
from services.meetings import views
from tests.conftest import NOW
from tests.slack_harness import SlackBot
from tests.test_everyday import bad, ok
from tests.test_everyday_slack import say, shown
from tests.test_query_counts import count_statements


@pytest.fixture
def console(sessions: sessionmaker[Session]) -> ConsoleChannel:
    c = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    ok(c, "pat", 'project new APOLLO "Portal"')
    ok(c, "tom", "whoami")
    ok(c, "pat", "project add APOLLO @tom viewer")
    return c


def test_raid_and_decision_logs_page_with_the_next_command(console: ConsoleChannel) -> None:
    for n in range(1, 24):
        ok(console, "pat", f'risk add APOLLO "Risk {n:02d}" p:{1 + n % 5} i:3')
    for n in range(1, 22):
        ok(console, "pat", f'decision add APOLLO "Decision {n:02d}"')
    first = ok(console, "pat", "raid APOLLO risks")
    assert "APOLLO: open risks (1-20 of 23):" in first
    assert "… and 3 more: raid APOLLO risks page 2" in first
    second = ok(console, "pat", "raid APOLLO risks page 2")
    assert "(21-23 of 23)" in second and "more" not in second
    assert len([line for line in second.splitlines() if " R-" in line]) == 3
    shown_ids = {line.split()[1] for line in (first + "\n" + second).splitlines() if " R-" in line}
    assert len(shown_ids) == 23  # no entry on both pages, none on neither
    decisions = ok(console, "tom", "decision list APOLLO")  # viewers read the log
    assert "… and 1 more: decision list APOLLO page 2" in decisions
    assert "Decision" in ok(console, "tom", "decision list APOLLO page 2")
    assert "not a page number" in bad(console, "pat", "raid APOLLO page two")


def test_minutes_list_pages_and_stays_within_private_projects(
    console: ConsoleChannel, sessions: sessionmaker[Session], engine: Engine
) -> None:
    ok(console, "pat", 'project new SECRET "Acquisition" private')
    for n in range(1, 23):
        key = "SECRET" if n == 22 else "APOLLO"
        ok(console, "pat", f'minutes start {key} "Weekly {n:02d}"')
        ok(console, "pat", "minutes end")
    lead = ok(console, "pat", "minutes list")
    assert "Minutes (1-20 of 22):" in lead and "… and 2 more: minutes list page 2" in lead
    assert "Weekly 22" in lead  # newest first
    tom = ok(console, "tom", "minutes list")  # not in SECRET: 21 of them, not 22
    assert "(1-20 of 21)" in tom and "Weekly 22" not in tom
    assert "Weekly 01" in ok(console, "tom", "minutes list APOLLO page 2")
    with sessions() as s:
        ws_actor = actor_for(s, _person(s, "tom"))
        for page in (1, 2):
            with count_statements(engine) as seen:
                got = views.list_recent(s, ws_actor, page=page)
            assert len(seen) <= 2, seen  # not one per minutes
            assert got.items


def _person(s: Session, handle: str) -> Person:
    return s.scalar(
        select(Person)
        .join(Workspace, Workspace.id == Person.workspace_id)
        .where(Person.handle == handle, Workspace.platform == Platform.CONSOLE)
    ) or pytest.fail(f"no @{handle}")


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.fake.add_user("U1", "alice", tz="Europe/London")
    yield bot
    bot.close()


def test_a_cut_raid_log_has_a_more_button_in_slack(slack: SlackBot) -> None:
    say(slack, 'project new APOLLO "Portal"')
    for n in range(1, 23):
        say(slack, f'risk add APOLLO "Risk {n:02d}" p:2 i:2')
    reply = slack.command("raid APOLLO")
    first = shown(reply)
    assert "APOLLO: open RAID log (1-20 of 22)" in first
    assert "Next page: `/pmo raid APOLLO page 2`" in first
    slack.click(reply["blocks"], ActionId.LIST_MORE)
    page = slack.wait_for(lambda: slack.button_replies())[-1]
    second = shown(page)
    assert "(21-22 of 22)" in second and "Next page" not in second
    assert json.dumps(page).count("R-") >= 2
