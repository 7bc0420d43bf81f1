"""More Slack behaviour: every command form end to end, limits, manifest, configuration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from bot.slack.app import SlackConfigError, slack_mode
from handlers.slack.ids import CallbackId
from tests.conftest import NOW
from tests.fake_slack import BlockKitError, validate_blocks
from tests.slack_harness import SlackBot

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    for uid, name in (("U1", "alice"), ("U2", "bob"), ("U3", "carol")):
        bot.fake.add_user(uid, name)
    yield bot
    bot.close()


SCRIPT = [
    ('project new APOLLO "Moon portal"', "in_channel", "New project"),
    ("project list", "ephemeral", "APOLLO"),
    ("project show APOLLO", "ephemeral", "Members"),
    ("project add APOLLO <@U2> member", "ephemeral", "<@U2> (member)"),
    ("project add APOLLO <@U3> viewer", "ephemeral", "<@U3> (viewer)"),
    ("project remove APOLLO <@U3>", "ephemeral", "Updated the members"),
    ("project set APOLLO target 2027-03-31", "ephemeral", "Target"),
    ('action add APOLLO "Send the plan" <@U2> due:friday', "in_channel", "Send the plan"),
    ('action add "Personal todo" due:"next tue"', "ephemeral", "Tue 1 Dec"),
    ("action list", "ephemeral", "Your open action items (1)"),
    ("action list APOLLO", "ephemeral", "Send the plan"),
    ("action list overdue", "ephemeral", "Nothing is overdue"),
    ("action show 1", "ephemeral", "Send the plan"),
    ("action snooze 1 next mon", "ephemeral", "Snoozed"),
    ("action due 1 2026-12-10", "ephemeral", "Thu 10 Dec"),
    ("action assign 1 <@U1>", "ephemeral", "Now with <@U1>"),
    ("action done 1", "in_channel", "Done"),
    ("action reopen 1", "ephemeral", "Reopened"),
    ("action cancel 2", "ephemeral", "Cancelled"),
    ('deliverable add APOLLO "Beta" <@U2> due:2026-12-15', "in_channel", "New deliverable"),
    ("deliverable list APOLLO", "ephemeral", "Beta"),
    ("deliverable forecast 1 2026-12-22", "in_channel", "slipped +7d"),
    ("deliverable done 1", "in_channel", "Delivered"),
    ("admin grant <@U2> pmo_lead", "ephemeral", "is now pmo_lead"),
    ("admin revoke <@U2> pmo_lead", "ephemeral", "is no longer pmo_lead"),
    ("admin roles", "ephemeral", "Workspace roles"),
    ("help deliverable", "ephemeral", "deliverable forecast"),
    ("leave 2026-12-21 to 2027-01-02", "ephemeral", "Leave recorded"),
    ("leave", "ephemeral", "Mon 21 Dec → Sat 2 Jan 2027"),
    ("leave cancel", "ephemeral", "Leave cancelled"),
    ("settings", "ephemeral", "Weekly digests"),
    ("settings reminders escalate_pm_after 3", "ephemeral", "tell the PM after *3*"),
    ("settings digests project_day fri", "ephemeral", "project channels: *Fri 09:00*"),
    ("settings pmo_channel <#C0PMO123|pmo>", "ephemeral", "to <#C0PMO123>"),
    ("settings timezone Asia/Kolkata", "ephemeral", "time zone Asia/Kolkata"),
    ("digest", "ephemeral", "Your daily digest comes at *09:00*"),
    ("digest at 10:15", "ephemeral", "Your daily digest moved"),
    ("digest off", "ephemeral", "Your daily digest is off"),
    ("help digest", "ephemeral", "digest off"),
    ("project close APOLLO", "in_channel", "Closed"),
]


def test_every_command_form_works_through_slash_pmo(slack: SlackBot) -> None:
    for text, visibility, expected in SCRIPT:
        reply = slack.command(text)
        shown = reply["text"] + json.dumps(reply.get("blocks", []), ensure_ascii=False)
        assert reply["response_type"] == visibility, text
        assert expected in shown, (text, shown[:500])
        assert ":warning:" not in shown, (text, shown[:300])
        validate_blocks(reply["blocks"], limit=50)


def test_long_lists_stay_within_50_blocks_and_say_how_many_more(slack: SlackBot) -> None:
    for i in range(60):
        slack.command(f'project new P{i:03d} "Project {i}"')
    reply = slack.command("project list")
    assert len(reply["blocks"]) <= 50 and "more." in json.dumps(reply["blocks"])
    for i in range(30):
        slack.command(f'action add "Item {i}" due:2026-12-01')
    reply = slack.command("action list mine")
    validate_blocks(reply["blocks"], limit=50)
    assert "Your open action items (30)" in reply["text"] and "more." in json.dumps(reply["blocks"])


def test_fake_slack_rejects_what_slack_rejects() -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    validate_blocks([section] * 50, limit=50)
    with pytest.raises(BlockKitError):
        validate_blocks([section] * 51, limit=50)
    with pytest.raises(BlockKitError):
        validate_blocks(
            [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], limit=50
        )
    with pytest.raises(BlockKitError):
        validate_blocks(
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], limit=50
        )
    button = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "b" * 76}}
    with pytest.raises(BlockKitError):
        validate_blocks([{"type": "actions", "elements": [button]}], limit=50)


def test_a_web_api_error_reaches_the_person_as_advice(slack: SlackBot) -> None:
    slack.fake.fail("users.info", error="missing_scope")
    reply = slack.command("help", user="U9")  # first sight: profile lookup fails, help still works
    assert reply["text"] == "PMO Bot help"
    slack.fake.fail("views.open", error="expired_trigger_id")
    reply = slack.command("new")
    assert reply["response_type"] == "ephemeral" and "Please click again" in reply["text"]
    slack.fake.fail("views.open", error="missing_scope")
    reply = slack.command("project new")
    assert "reinstall" in reply["text"]


def test_manifest_matches_the_code() -> None:
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text())
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == ["/pmo"]
    assert {s["callback_id"] for s in features["shortcuts"]} == {
        CallbackId.CREATE_ITEM_SHORTCUT,
        CallbackId.ADD_TO_MINUTES_SHORTCUT,
        CallbackId.RAID_LOG_SHORTCUT,
    }
    assert features["app_home"]["home_tab_enabled"] is True
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "users:read", "im:write", "files:read"} <= scopes
    from bot.slack.app import BOT_SCOPES

    assert set(BOT_SCOPES) == scopes  # OAuth installs ask for what the manifest grants
    urls = {c["url"] for c in features["slash_commands"]} | {
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    }
    assert all(u.endswith("/slack/events") for u in urls)


@pytest.mark.parametrize(
    ("env", "socket", "names"),
    [
        ({}, False, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxb-1"}, False, "SLACK_SIGNING_SECRET"),
        ({"slack_bot_token": "xoxp-user", "slack_signing_secret": "s"}, False, "xoxb-"),
        ({"slack_bot_token": "xoxb-1"}, True, "SLACK_APP_TOKEN"),
        ({"slack_bot_token": "xoxb-1", "slack_app_token": "xoxb-2"}, True, "xapp-"),
        ({"slack_client_id": "123.456"}, False, "SLACK_CLIENT_SECRET"),
        ({"slack_client_secret": "x"}, False, "SLACK_CLIENT_ID"),
        (
            {
                "slack_client_id": "1.2",
                "slack_client_secret": "x",
                "slack_bot_token": "xoxb-1",
                "slack_signing_secret": "s",
            },
            False,
            "not both",
        ),
        (
            {"slack_client_id": "1.2", "slack_client_secret": "x", "slack_signing_secret": "s"},
            True,
            "OAuth installs need HTTP mode",
        ),
        ({"slack_client_id": "1.2", "slack_client_secret": "x"}, False, "SLACK_SIGNING_SECRET"),
    ],
)
def test_missing_or_contradictory_settings_name_the_variable(
    env: dict, socket: bool, names: str
) -> None:
    with pytest.raises(SlackConfigError, match=names):
        slack_mode(Settings(**env), socket=socket)


def test_valid_modes_are_described() -> None:
    http = slack_mode(Settings(slack_bot_token="xoxb-1", slack_signing_secret="s"), socket=False)
    assert not http.socket and "/slack/events" in http.description
    sock = slack_mode(Settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1"), socket=True)
    assert sock.socket and "Socket Mode" in sock.description
    oauth = slack_mode(
        Settings(slack_client_id="1.2", slack_client_secret="x", slack_signing_secret="s"),
        socket=False,
    )
    assert oauth.oauth and "/slack/install" in oauth.description


def test_settings_repr_never_shows_tokens() -> None:
    s = Settings(slack_bot_token="xoxb-secret-token", slack_signing_secret="shh-secret")
    assert "xoxb-secret-token" not in repr(s) and "shh-secret" not in repr(s)


def _opened(slack: SlackBot, n: int) -> dict:
    return slack.wait_for(
        lambda: len(slack.fake.of("views.open")) >= n and slack.fake.of("views.open")
    )[n - 1].args["view"]


def test_edit_button_opens_a_prefilled_modal_and_saves_with_audit(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from handlers.slack.ids import ActionId, BlockId
    from models import ActionItem, AuditEvent, Person

    blocks = slack.command('action add "Draft plan" due:friday')["blocks"]
    slack.click(blocks, ActionId.ITEM_EDIT)
    view = _opened(slack, 1)
    assert view["callback_id"] == CallbackId.EDIT_ITEM_MODAL
    title = next(b for b in view["blocks"] if b["block_id"] == BlockId.TITLE)
    assert title["element"]["initial_value"] == "Draft plan"
    due = next(b for b in view["blocks"] if b["block_id"] == BlockId.DUE)
    assert due["element"]["initial_date"] == "2026-11-27"
    resp = slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": ""},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U2"},
    })  # fmt: skip
    assert resp["response_action"] == "errors" and BlockId.TITLE in resp["errors"]
    resp = slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Draft the plan v2"},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U2"},
        BlockId.DUE: {"type": "datepicker", "selected_date": "2026-12-02"},
        BlockId.NOTES: {"type": "plain_text_input", "value": "with finance"},
    })  # fmt: skip
    assert resp == {}
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        assert (item.title, str(item.due_on), item.notes) == (
            "Draft the plan v2",
            "2026-12-02",
            "with finance",
        )
        assert s.get(Person, item.owner_id).external_id == "U2"
        edit = s.scalar(select(AuditEvent).where(AuditEvent.action == "edit"))
        assert edit.before["title"] == "Draft plan" and edit.after["title"] == "Draft the plan v2"


def test_new_deliverable_modal_checks_the_right_to_add(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from handlers.slack.ids import BlockId
    from models import Deliverable

    slack.command('project new APOLLO "Moon portal"')  # U1 is PM and PMO lead
    slack.command("project add APOLLO <@U2> member")
    fields = {
        BlockId.PROJECT: {"type": "static_select", "selected_option": {"value": "APOLLO"}},
        BlockId.TITLE: {"type": "plain_text_input", "value": "Beta release"},
        BlockId.DUE: {"type": "datepicker", "selected_date": "2026-12-15"},
    }
    # A member leads no project: no form, the reason instead.
    told = slack.command("deliverable new", user="U2")
    assert "Only a project's PM or a PMO lead adds its deliverables" in told["text"]
    assert slack.fake.of("views.open") == []
    slack.command("deliverable new", channel="C5", expect_reply=False)
    view = _opened(slack, 1)
    assert view["callback_id"] == CallbackId.NEW_DELIVERABLE_MODAL
    resp = slack.submit(view, fields, user="U2")  # the PM's form, sent by the member
    assert (
        resp["response_action"] == "errors"
        and "PM or a PMO lead" in resp["errors"][BlockId.PROJECT]
    )
    assert slack.submit(view, fields) == {}
    with sessions() as s:
        d = s.scalar(select(Deliverable))
        assert (d.title, str(d.baseline_on), str(d.forecast_on)) == (
            "Beta release",
            "2026-12-15",
            "2026-12-15",
        )
    post = slack.wait_for(
        lambda: [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "C5"]
    )
    assert "Beta release" in json.dumps(post[0].args["blocks"])


def test_profiles_are_refreshed_from_slack_once_a_day(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import select

    from models import Person

    slack.command("help")
    slack.command("help")
    assert len(slack.fake.of("users.info")) == 1
    slack.fake.users["U1"]["tz"] = "Asia/Tokyo"  # they moved
    slack.clock.now = NOW + timedelta(hours=25)
    slack.command("help")
    assert len(slack.fake.of("users.info")) == 2
    with sessions() as s:
        assert s.scalar(select(Person.timezone).where(Person.external_id == "U1")) == "Asia/Tokyo"


def test_serve_names_the_workspace_or_the_bad_token(slack: SlackBot) -> None:
    from bot.slack.app import describe_workspace

    assert describe_workspace(slack.app) == "workspace None (T1) as bot pmo"
    slack.fake.fail("auth.test", error="invalid_auth")
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        describe_workspace(slack.app)


def test_serve_refuses_missing_settings_with_the_variable_name(db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from bot.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    # With no Slack setting at all, serve runs without a platform (tests/test_serve_plain.py);
    # half a Slack configuration is an error naming what is missing.
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    out = CliRunner().invoke(main, ["serve"])
    assert out.exit_code == 1 and "SLACK_BOT_TOKEN" in out.output
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    out = CliRunner().invoke(main, ["serve", "--socket"])
    assert out.exit_code == 1 and "SLACK_APP_TOKEN" in out.output


def test_private_project_news_is_never_posted_in_the_channel(slack: SlackBot) -> None:
    from handlers.slack.ids import BlockId

    slack.command('project new ZEUS "Secret merger" private')
    for text in (
        'action add ZEUS "Call the lawyers"',
        'deliverable add ZEUS "Sign" due:2026-12-15',
        "deliverable forecast 1 2026-12-20",
        "deliverable done 1",
        "action done 1",
    ):
        reply = slack.command(text)
        assert reply["response_type"] == "ephemeral", text
    slack.command("new", channel="C77", expect_reply=False)
    view = _opened(slack, 1)
    slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Quiet task"},
        BlockId.PROJECT: {"type": "static_select", "selected_option": {"value": "ZEUS"}},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U1"},
    })  # fmt: skip
    posts = slack.wait_for(lambda: slack.fake.of("chat.postMessage"))
    assert {p.args["channel"] for p in posts} == {"U1"}  # to the person, not to C77


def test_fallback_text_keeps_our_mentions_and_escapes_theirs(slack: SlackBot) -> None:
    reply = slack.command('action add "<@U999> please" <@U2>')
    assert "<@U2>" in reply["text"] and "&lt;@U999&gt;" in reply["text"]


def test_an_unexpected_failure_in_a_modal_is_an_inline_error(slack: SlackBot) -> None:
    from handlers.slack.ids import ActionId, BlockId

    blocks = slack.command('action add "Keep me"')["blocks"]
    slack.click(blocks, ActionId.ITEM_EDIT)
    view = _opened(slack, 1)
    resp = slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Changed"},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U1"},
        BlockId.DUE: {"type": "datepicker", "selected_date": "2026-02-30"},
    })  # fmt: skip
    assert resp["response_action"] == "errors"
    assert resp["errors"] == {
        BlockId.DUE: "There is no 30 February 2026. Write it as YYYY-MM-DD, e.g. 2026-12-04."
    }
    assert "Keep me" in slack.command("action show 1")["text"]


def test_an_unexpected_failure_in_a_modal_is_an_inline_error_that_saves_nothing(
    slack: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers.slack.ids import ActionId, BlockId
    from services.work import action_items

    blocks = slack.command('action add "Keep me"')["blocks"]
    slack.click(blocks, ActionId.ITEM_EDIT)
    view = _opened(slack, 1)

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(action_items, "edit", broken)
    resp = slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Changed"},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U1"},
    })  # fmt: skip
    assert resp["response_action"] == "errors"
    assert "nothing was saved" in next(iter(resp["errors"].values()))
    assert "disk on fire" not in str(resp)
    monkeypatch.undo()
    assert "Keep me" in slack.command("action show 1")["text"]
