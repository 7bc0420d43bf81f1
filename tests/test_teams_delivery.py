"""Proactive delivery to Teams through the outbox: 1,000 reminders to 200 people with 429s and
5xx injected by the fake connector arrive once each (none lost, none twice); a person who
uninstalled the app fails with its reason and the PM is told once."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs
from bot.db import session_scope
from handlers.teams.notifier import Pacer, TeamsNotifier
from models import Notification, NotificationState, Platform, TeamsConversation
from services.projects import register
from services.work import action_items
from tests.conftest import NOW, World
from tests.fake_teams import Fault
from tests.teams_harness import TENANT, TeamsBot

MON_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
USERS = 200
PER_USER = 5


@pytest.fixture
def teams(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TeamsBot]:
    bot = TeamsBot(engine, sessions, NOW)
    bot.say("ana", "help")  # installs: a stored conversation of the tenant
    yield bot
    bot.close()


def notifier(teams: TeamsBot, sessions: sessionmaker[Session]) -> TeamsNotifier:
    return TeamsNotifier(
        teams.endpoint.deps.outbound, sessions, backoff=0.001, pacer=Pacer(sleep=lambda _s: None)
    )


def seed(sessions: sessionmaker[Session], users: list[str]) -> None:
    with session_scope(sessions) as s:
        w = World(s, platform=Platform.TEAMS, ext=TENANT, digests=False)
        lead = w.person("ana")
        register.create(s, w.actor("ana"), key="OPS", name="Ops", now=NOW)
        for u in users:
            owner = w.person(u)
            for i in range(PER_USER):
                action_items.add(
                    s,
                    w.actor(lead.handle),
                    title=f"T-{u}-{i}",
                    owner=owner,
                    due_on=date(2026, 12, 4),
                    now=NOW,
                    project_key="OPS",
                )


def states(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as s:
        rows = s.execute(select(Notification.state, func.count()).group_by(Notification.state))
        return {str(k.value): v for k, v in rows.all()}


def test_1000_reminders_to_200_people_through_faults_arrive_once_each(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    users = [f"u{i:03d}" for i in range(USERS)]
    seed(sessions, users)
    attempts: Counter[str] = Counter()

    def fault(method: str, where: str) -> Fault | None:
        attempts[where] += 1
        n, key = attempts[where], sum(map(ord, where))
        if n == 1 and key % 3 == 0:
            return Fault(429, "Throttled", retry_after=0)
        if n <= 2 and key % 5 == 1:
            return Fault(502, "BadGateway")
        if n <= 5 and key % 11 == 2:  # more than the notifier's tries: the outbox retries
            return Fault(504, "GatewayTimeout")
        if n == 1 and key % 7 == 3:
            return Fault(412, "PreconditionFailed")
        return None

    teams.fake.fault = fault
    now = MON_9
    for _ in range(10):
        jobs.sweep(sessions, notifier(teams, sessions), now=now)
        if states(sessions).get("pending", 0) == 0:
            break
        now += timedelta(hours=1)
    assert sum(1 for _w, status in teams.fake.refused if status in (429, 502, 504, 412)) > 50
    assert states(sessions) == {"sent": USERS * PER_USER}
    bodies = [json.dumps([c["body"] for c in sent.cards]) for sent in teams.fake.sent]
    titles = Counter(t for body in bodies for t in re.findall(r"T-u\d{3}-\d", body))
    expected = {f"T-{u}-{i}" for u in users for i in range(PER_USER)}
    assert set(titles) == expected  # none lost
    duplicated = {t: n for t, n in titles.items() if n != 1}
    assert duplicated == {}
    by_conv = Counter(s.conversation for s in teams.fake.sent)
    assert len(by_conv) >= USERS and all(n == 1 for c, n in by_conv.items() if c != "a:dm-ana")
    with sessions() as s:  # the new 1:1 chats are stored for next time
        assert s.scalar(select(func.count()).select_from(TeamsConversation)) == USERS + 1


def test_an_uninstalled_person_fails_with_its_reason_and_the_pm_is_told_once(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    seed(sessions, ["gone", "here"])
    teams.fake.blocked["gone"] = "BotNotInConversationRoster"
    jobs.sweep(sessions, notifier(teams, sessions), now=MON_9)
    with sessions() as s:
        failed = s.scalars(
            select(Notification).where(Notification.state == NotificationState.FAILED)
        ).all()
        assert len(failed) == PER_USER
        assert all("not installed" in (n.last_error or "") for n in failed), failed[0].last_error
    jobs.sweep(sessions, notifier(teams, sessions), now=MON_9 + timedelta(minutes=5))
    told = [s for s in teams.fake.to("a:dm-ana") if "gone" in s.text.lower()]
    assert len(told) == 1, [s.text for s in teams.fake.to("a:dm-ana")]
    assert any("T-here-0" in s.text for s in teams.fake.sent)


def test_the_portfolio_report_is_a_parent_in_the_report_channel_with_a_reply_per_project(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    from models import Workspace
    from tests.test_forms import ANSWERS

    chan = "19:pmo@thread.tacv2"
    teams.say("ana", "help", conv=chan)  # the bot is in the PMO channel: its reference is stored
    for key in ("APOLLO", "BETA"):
        teams.say("ana", f'project new {key} "{key.title()}"', conv=chan)
    opened = teams.invoke("ana", "task/fetch", {"data": {"dialog": "status", "project": "APOLLO"}})
    data = opened["task"]["value"]["card"]["content"]["actions"][0]["data"]
    assert (
        teams.invoke("ana", "task/submit", {"data": {**data, **ANSWERS}})["task"]["type"]
        == "message"
    )
    teams.say("ana", "settings pmo_channel here", conv=chan)
    with sessions() as s:
        assert s.scalar(select(Workspace.pmo_channel)) == chan
    before = len(teams.fake.sent)
    for day in ("2026-11-27T16:05", "2026-11-30T09:05"):
        jobs.sweep(
            sessions, notifier(teams, sessions), now=datetime.fromisoformat(day).replace(tzinfo=UTC)
        )
    posted = [s for s in teams.fake.sent[before:] if s.conversation.startswith(chan)]
    parent = next(s for s in posted if "Portfolio status" in s.text)
    thread = f"{chan};messageid={parent.activity_id}"
    replies = [s for s in posted if s.conversation == thread]
    assert [r.text.split()[1] for r in replies] == ["APOLLO", "BETA"]
    assert "Vendor late, plan B ready" in replies[0].text and "missing" in replies[1].text
    assert states(sessions).get("failed", 0) == 0
    assert any(e["type"] == "Image" for e in parent.cards[0]["body"]), "the RAG heat map"
