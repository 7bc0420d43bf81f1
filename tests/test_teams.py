"""Teams at the HTTP boundary: activities posted to the real /api/messages as Teams posts
them, a fake Bot Connector as the serviceUrl the bot calls back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from models import Person, TeamsConversation, WorkspaceRole
from tests.conftest import NOW
from tests.teams_harness import TeamsBot


@pytest.fixture
def teams(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TeamsBot]:
    bot = TeamsBot(engine, sessions, NOW)
    yield bot
    bot.close()


def test_a_request_without_a_valid_bearer_gets_401_outside_anonymous_mode(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    env = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "00000000-0000-0000-0000-000000000001",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "not-used",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": "tenant-1",
    }
    bot = TeamsBot(engine, sessions, NOW, env=env)
    try:
        assert bot.say("ana", "help")[0] == 401
        assert bot.post(bot.activity("ana", text="help"), bearer="not.a.jwt")[0] == 401
        assert bot.fake.sent == []
        with sessions() as s:
            assert s.scalar(select(Person)) is None  # nothing ran, nothing stored
    finally:
        bot.close()


def test_anonymous_mode_still_refuses_a_bad_bearer(teams: TeamsBot) -> None:
    assert teams.post(teams.activity("ana", text="help"), bearer="forged")[0] == 401
    assert teams.fake.sent == []


def test_help_in_the_personal_chat_answers_with_a_card_and_makes_the_first_person_admin(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    status, _ = teams.say("ana", "help")
    assert status == 202
    sent = teams.fake.to("a:dm-ana")
    assert sent and sent[-1].cards, "help comes back as a card in the personal chat"
    assert "action" in sent[-1].text.lower()
    with sessions() as s:
        ana = s.scalar(select(Person).where(Person.external_id == "ana"))
        assert ana is not None and ana.timezone == "Europe/London" and ana.display_name == "Ana"
        roles = {r.role.value for r in s.scalars(select(WorkspaceRole))}
        assert roles == {"admin", "pmo_lead"}
        conv = s.scalar(select(TeamsConversation))
        assert conv is not None and conv.kind == "personal" and conv.person_id == ana.id
