"""Multi-workspace installs: OAuth install page, redirect, stored installation, per-team token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from models import Person
from tests.conftest import NOW
from tests.slack_harness import SlackBot


@pytest.fixture
def oauth_bot(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW, oauth=True)
    bot.fake.add_user("U7", "olga")
    yield bot
    bot.close()


def install(bot: SlackBot) -> tuple[str, str]:
    status, body, headers = bot.get_full("/slack/install")
    assert status == 200
    state = re.search(r"state=([\w\-]+)", body)
    assert state is not None, body[:500]
    assert "https://slack.com/oauth/v2/authorize" in body and "client_id=111.222" in body
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    assert cookie.startswith("slack-app-oauth-state=")
    return state.group(1), cookie


def test_install_stores_the_workspace_and_commands_use_its_token(
    oauth_bot: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    state, cookie = install(oauth_bot)
    status, body = oauth_bot.get(
        f"/slack/oauth_redirect?code=good-code&state={state}", {"Cookie": cookie}
    )
    assert status == 200, body[:300]
    access = oauth_bot.fake.of("oauth.v2.access")
    assert len(access) == 1 and access[0].args["code"] == "good-code"
    with sessions() as s:
        rows = s.execute(text("select team_id, bot_token from slack_bots")).all()
    assert rows == [("T2", "xoxb-T2-token")]
    # The same state can't be used twice.
    status, _ = oauth_bot.get(
        f"/slack/oauth_redirect?code=good-code&state={state}", {"Cookie": cookie}
    )
    assert status >= 400
    # A command from the installed workspace works and calls Slack with that workspace's token.
    reply = oauth_bot.command("help", team="T2", user="U7")
    assert reply["text"] == "PMO Bot help"
    info = oauth_bot.fake.of("users.info")
    assert info and info[-1].args["_token"] == "xoxb-T2-token"
    with sessions() as s:
        assert s.scalar(select(func.count(Person.id))) == 1


def test_a_bad_code_stores_nothing(oauth_bot: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    state, cookie = install(oauth_bot)
    status, _ = oauth_bot.get(f"/slack/oauth_redirect?code=bad&state={state}", {"Cookie": cookie})
    assert status >= 400
    with sessions() as s:
        assert s.execute(text("select count(*) from slack_bots")).scalar() == 0


def test_requests_from_a_workspace_that_never_installed_have_no_effect(
    oauth_bot: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    import urllib.parse

    body = urllib.parse.urlencode({"team_id": "T9", "user_id": "U7", "command": "/pmo",
                                   "text": 'project new EVIL "x"', "channel_id": "C1",
                                   "response_url": oauth_bot.fake.response_url("x"), "trigger_id": "t"})  # fmt: skip
    status, _ = oauth_bot.send(body, "application/x-www-form-urlencoded")
    assert status in (200, 401)
    with sessions() as s:
        assert s.execute(text("select count(*) from project")).scalar() == 0
