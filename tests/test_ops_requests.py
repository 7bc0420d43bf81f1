"""Requests as an attacker or a misconfigured Slack sends them (issue 15, part 5): malformed
timestamps get 401 on every path, a single-workspace install answers only its own team, and
minutes started where the bot cannot post tell the person at once, by DM."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import func, select

from bot.config import Settings
from bot.slack.app import build_slack_app
from handlers.slack.runtime import SlackDeps
from models import Minutes, Project, Workspace
from tests.conftest import NOW
from tests.fake_slack import sign
from tests.slack_harness import SECRET, SlackBot

MEET = "C0MEET"


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.deps.notify_pace = 0
    for uid, name in (("U1", "lead"), ("U2", "lara")):
        bot.fake.add_user(uid, name)
    yield bot
    bot.close()


def count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


BAD_TIMESTAMPS = ["", "abc", "12.5", "9" * 5000, "0x10", " "]


@pytest.mark.parametrize("stamp", BAD_TIMESTAMPS)
def test_a_malformed_timestamp_gets_401_on_the_handoff_and_the_bolt_path(
    slack: SlackBot, sessions, stamp: str
) -> None:  # type: ignore[no-untyped-def]
    command = "command=%2Fpmo&text=project+new+EVIL+x&team_id=T1&user_id=U1&channel_id=C1"
    submission = urllib.parse.urlencode(
        {"payload": json.dumps({"type": "view_submission", "team": {"id": "T1"},
                                "user": {"id": "U1"}, "view": {"callback_id": "x"}})}
    )  # fmt: skip
    for body in (command, submission):  # the front's hand-off, then Bolt in the front
        headers = sign(SECRET, body)
        headers["X-Slack-Request-Timestamp"] = stamp
        headers["X-Slack-Signature"] = sign(SECRET, body, 0)["X-Slack-Signature"]
        status, text = slack.send(body, "application/x-www-form-urlencoded", headers=headers)
        assert status == 401, (stamp[:10], body[:20], status, text)
    time.sleep(0.2)
    assert count(sessions, Project) == 0
    assert slack.fake.calls == []


def test_a_malformed_timestamp_gets_401_from_the_bolt_app_itself(db_url: str) -> None:
    """Bolt's own verification (the path without workers) answers 401, not a 500."""
    settings = Settings(database_url=db_url, slack_signing_secret=SECRET, slack_bot_token="xoxb-t")
    app = build_slack_app(settings, SlackDeps(lambda: None))  # type: ignore[arg-type]
    body = "command=%2Fpmo&text=help&team_id=T1&user_id=U1"
    for stamp in BAD_TIMESTAMPS:
        headers = {"x-slack-request-timestamp": stamp, "x-slack-signature": "v0=00"}
        resp = app.dispatch(BoltRequest(body=body, headers=headers))
        assert resp.status == 401, (stamp[:10], resp.status)


def test_a_single_workspace_install_refuses_another_team(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    assert slack.command("help")["response_type"] == "ephemeral"  # T1, the token's team
    assert count(sessions, Workspace) == 1
    # Another team: acked by the front (it can't know yet), then refused, never a workspace.
    slack.command("project new EVIL x", team="T2", expect_reply=False)
    payload = {"type": "shortcut", "callback_id": "anything", "team": {"id": "T2"},
               "user": {"id": "U9"}}  # fmt: skip
    assert slack.interact(payload)[0] == 200
    # A form submission is answered by Bolt in the front: refused there too.
    submission = {"type": "view_submission", "team": {"id": "T2"}, "user": {"id": "U9"},
                  "view": {"id": "V1", "type": "modal", "callback_id": "x",
                           "state": {"values": {}}}}  # fmt: skip
    assert slack.interact(submission)[0] in (401, 403)
    reply = slack.command("project list")  # the token's own team still answered
    assert reply["response_type"] == "ephemeral"
    time.sleep(0.3)
    with sessions() as s:
        teams = s.scalars(select(Workspace.external_id)).all()
    assert teams == ["T1"]
    assert count(sessions, Project) == 0
    assert not [r for r in slack.fake.responses if "EVIL" in json.dumps(r)]


@pytest.mark.parametrize("refusal", ["not_in_channel", "channel_not_found", "is_archived"])
def test_minutes_started_where_the_bot_cannot_post_tell_the_person_by_dm(
    slack: SlackBot, sessions, refusal: str
) -> None:  # type: ignore[no-untyped-def]
    slack.command('project new APOLLO "Apollo" <@U2>')
    {"not_in_channel": slack.fake.not_member, "channel_not_found": slack.fake.missing,
     "is_archived": slack.fake.archived}[refusal].add(MEET)  # fmt: skip
    reply = slack.command("minutes start APOLLO Review", user="U2", channel=MEET)
    assert "started" in reply["text"]
    dm = slack.wait_for(
        lambda: [c.args for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "U2"]
    )
    text = json.dumps(dm[-1])
    assert "couldn't post" in text and ("invite" in text or "archived" in text)
    assert count(sessions, Minutes) == 1


def test_the_bolt_client_warning_is_gone(db_url: str, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    settings = Settings(database_url=db_url, slack_signing_secret=SECRET)
    with caplog.at_level(logging.DEBUG):
        build_slack_app(settings, SlackDeps(lambda: None))  # type: ignore[arg-type]
    assert settings.slack_bot_token == "xoxb-from-env"
    assert not [r for r in caplog.records if "As you gave" in r.getMessage()]
