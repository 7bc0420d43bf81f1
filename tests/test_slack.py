"""Slack end to end: signed requests over HTTP to `pmo-bot serve`, fake Slack at the Web API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from handlers.slack.ids import ActionId, BlockId, CallbackId
from models import ActionItem, ActionStatus, AuditEvent, Person, Project, SourceKind
from tests.conftest import NOW
from tests.slack_harness import SlackBot


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.fake.add_user("U1", "alice", tz="Europe/London")
    bot.fake.add_user("U2", "bob", tz="America/Los_Angeles")
    bot.fake.add_user("U3", "carol", tz="Asia/Kolkata")
    yield bot
    bot.close()


def count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_help_has_buttons_and_is_ephemeral(slack: SlackBot) -> None:
    reply = slack.command("")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "PMO Bot help"
    ids = {e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert {ActionId.OPEN_NEW_ITEM, ActionId.SHOW_MINE, ActionId.SHOW_OVERDUE} <= ids


def test_first_user_is_created_from_users_info_and_becomes_admin(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command("help")
    slack.command("help", user="U2")
    with sessions() as s:
        alice = s.scalar(select(Person).where(Person.external_id == "U1"))
        assert (
            alice is not None
            and alice.timezone == "Europe/London"
            and alice.email == "alice@example.com"
        )
    reply = slack.command("admin roles", user="U2")
    assert "<@U1> — admin" in all_text(reply["blocks"])
    assert len(slack.fake.of("users.info")) == 2  # cached: not asked again within a day
    slack.command("help")
    assert len(slack.fake.of("users.info")) == 2


def test_project_new_is_posted_in_channel_and_stored(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    reply = slack.command('project new APOLLO "Moon portal"')
    assert reply["response_type"] == "in_channel"
    assert "APOLLO" in reply["text"] and "PM <@U1>" in all_text(reply["blocks"])
    with sessions() as s:
        assert s.scalar(select(Project.name).where(Project.key == "APOLLO")) == "Moon portal"


def test_action_add_with_a_new_mention_asks_slack_and_has_buttons(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    slack.command('project new APOLLO "Moon portal"')
    slack.command("project add APOLLO <@U2|bob> member")
    reply = slack.command('action add APOLLO "Send the plan" <@U2> due:friday')
    assert reply["response_type"] == "in_channel"
    blocks = reply["blocks"]
    assert "Fri 27 Nov" in all_text(blocks) and "<@U2>" in all_text(blocks)
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        ActionId.ITEM_DONE, ActionId.ITEM_SNOOZE, ActionId.ITEM_REASSIGN, ActionId.ITEM_EDIT,
    ]  # fmt: skip
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        owner = s.get(Person, item.owner_id)
        assert owner.external_id == "U2" and owner.timezone == "America/Los_Angeles"
    # The owner's App Home is refreshed after the change.
    slack.wait_for(lambda: any(c.args["user_id"] == "U2" for c in slack.fake.of("views.publish")))


def test_user_errors_are_ephemeral_and_helpful(slack: SlackBot) -> None:
    slack.command('project new APOLLO "Moon portal"')
    reply = slack.command("project show APOLO")
    assert reply["response_type"] == "ephemeral"
    assert "There is no project APOLO." in reply["text"] and "Did you mean APOLLO?" in reply["text"]
    reply = slack.command('action add "Ghost" <@U404>')
    assert "Slack doesn't know" in reply["text"]
    reply = slack.command("frobnicate")
    assert "Type `help`" in reply["text"]


def test_bad_signature_and_stale_timestamp_are_rejected_with_no_effect(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    body = "command=%2Fpmo&text=project+new+EVIL+x&team_id=T1&user_id=U1&channel_id=C1"
    assert slack.send(body, "application/x-www-form-urlencoded", secret="wrong")[0] == 401
    stale = int(time.time()) - 301
    assert slack.send(body, "application/x-www-form-urlencoded", timestamp=stale)[0] == 401
    future = int(time.time()) + 301
    assert slack.send(body, "application/x-www-form-urlencoded", timestamp=future)[0] == 401
    assert count(sessions, Project) == 0
    assert slack.fake.calls == []


def test_done_button_updates_the_message_in_place_and_audits(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command('action add "First" due:friday')
    slack.command('action add "Second" due:monday')
    listing = slack.command("action list mine")["blocks"]
    first_id = next(b["block_id"] for b in listing if b["type"] == "actions")
    status, _ = slack.click(listing, ActionId.ITEM_DONE, block_id=first_id)
    assert status == 200
    posted = slack.wait_for(slack.button_replies)
    update = posted[-1]
    assert update["replace_original"] is True
    text = all_text(update["blocks"])
    assert "Marked done by <@U1>" in text and "Second" in text  # the rest of the list stays
    item_id = int(first_id.split(":")[1])
    with sessions() as s:
        assert s.get(ActionItem, item_id).status == ActionStatus.DONE
        assert (
            s.scalar(select(AuditEvent.action).where(AuditEvent.action == "complete")) == "complete"
        )
    # Reopen is offered on the done item.
    assert ActionId.ITEM_REOPEN in text


def test_snooze_and_reassign_buttons(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    blocks = slack.command('action add "Chase vendor" due:friday')["blocks"]
    item_id = int(next(b["block_id"] for b in blocks if b["type"] == "actions").split(":")[1])
    slack.click(blocks, ActionId.ITEM_SNOOZE, selected_option=f"{item_id}:3d")
    slack.wait_for(slack.button_replies)
    slack.click(blocks, ActionId.ITEM_REASSIGN, selected_user="U3")
    slack.wait_for(lambda: len(slack.button_replies()) == 2)
    assert "Reassigned to <@U3> by <@U1>" in all_text(slack.button_replies()[-1]["blocks"])
    with sessions() as s:
        item = s.get(ActionItem, item_id)
        assert str(item.snoozed_until) is not None
        assert s.get(Person, item.owner_id).external_id == "U3"


def test_someone_else_cannot_close_my_item_from_a_button(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command('project new APOLLO "Moon portal"')  # U1: PMO lead and PM
    slack.command("project add APOLLO <@U2> member")
    slack.command("project add APOLLO <@U3> member")
    blocks = slack.command('action add APOLLO "Mine only"', user="U3")["blocks"]
    slack.click(blocks, ActionId.ITEM_DONE, user="U2")
    err = slack.wait_for(slack.button_replies)[-1]
    assert err["response_type"] == "ephemeral" and err["replace_original"] is False
    assert "can't change" in err["text"]
    with sessions() as s:
        assert s.scalar(select(ActionItem.status)) == ActionStatus.OPEN


def test_new_item_modal_validates_inline_then_creates_and_notifies(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    slack.command('project new APOLLO "Moon portal"')
    slack.command('project new ZEUS "Secret" private')
    assert slack.command("new", channel="C42", expect_reply=False) == {}
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[-1].args["view"]
    assert view["callback_id"] == CallbackId.NEW_ITEM_MODAL
    # Not a member of private ZEUS: the owner field says so, nothing is written.
    resp = slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Draft the RFP"},
        BlockId.PROJECT: {"type": "static_select", "selected_option": {"value": "ZEUS"}},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U2"},
        BlockId.DUE: {"type": "datepicker", "selected_date": "2026-12-04"},
    })  # fmt: skip
    assert resp["response_action"] == "errors" and BlockId.OWNER in resp["errors"]
    assert count(sessions, ActionItem) == 0
    resp = slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Draft the RFP"},
        BlockId.PROJECT: {"type": "static_select", "selected_option": {"value": "APOLLO"}},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U2"},
        BlockId.DUE: {"type": "datepicker", "selected_date": "2026-12-04"},
        BlockId.NOTES: {"type": "plain_text_input", "value": "Use the 2025 template"},
    })  # fmt: skip
    assert resp == {}
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        assert (item.title, str(item.due_on), item.notes) == (
            "Draft the RFP",
            "2026-12-04",
            "Use the 2025 template",
        )
    posts = slack.wait_for(
        lambda: len(slack.fake.of("chat.postMessage")) >= 2 and slack.fake.of("chat.postMessage")
    )
    assert {p.args["channel"] for p in posts} == {"C42", "U2"}


def test_modal_result_falls_back_to_a_dm_when_the_bot_is_not_in_the_channel(
    slack: SlackBot,
) -> None:
    slack.fake.not_member.add("C9")
    slack.command("new", channel="C9", expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[-1].args["view"]
    slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Book the room"},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U1"},
    })  # fmt: skip
    dm = slack.wait_for(
        lambda: [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "U1"]
    )
    assert "/invite @PMO Bot" in all_text(dm[0].args["blocks"])


def test_message_shortcut_prefills_and_links_the_source(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    status, _ = slack.interact({
        "type": "message_action", "callback_id": CallbackId.CREATE_ITEM_SHORTCUT,
        "user": {"id": "U1"}, "channel": {"id": "C1"},
        "message": {"ts": "1700000000.000100", "text": "Can someone send the budget?\nThanks"},
        "response_url": slack.fake.response_url("sc"),
    })  # fmt: skip
    assert status == 200
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[-1].args["view"]
    title = next(b for b in view["blocks"] if b["block_id"] == BlockId.TITLE)
    assert title["element"]["initial_value"] == "Can someone send the budget?"
    slack.submit(view, {
        BlockId.TITLE: {"type": "plain_text_input", "value": "Send the budget"},
        BlockId.OWNER: {"type": "users_select", "selected_user": "U1"},
    })  # fmt: skip
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        assert item.source_kind == SourceKind.MESSAGE
        assert item.source_ref == "https://example.slack.com/archives/C1/p1700000000000100"


def test_app_home_lists_items_within_100_blocks(slack: SlackBot) -> None:
    slack.command('project new APOLLO "Moon portal"')
    slack.clock.now = NOW - timedelta(days=30)  # planned a month ago: some are overdue now
    for i in range(40):
        slack.command(f'action add APOLLO "Item {i}" due:2026-11-{(i % 20) + 1:02d}')
    slack.clock.now = NOW
    status, _ = slack.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    )
    assert status == 200
    view = slack.wait_for(
        lambda: [
            c
            for c in slack.fake.of("views.publish")
            if c.args["user_id"] == "U1" and "(40)" in json.dumps(c.args["view"])
        ]
    )[-1].args["view"]
    time.sleep(0.5)  # let every queued refresh finish: the last one published must be current
    last = [c for c in slack.fake.of("views.publish") if c.args["user_id"] == "U1"][-1]
    assert "Your open action items (40)" in json.dumps(last.args["view"])
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = all_text(view["blocks"])
    assert "Your open action items (40)" in text and "more." in text and "APOLLO" in text
    # overdue first: the oldest due date is the first item shown
    first_item = next(
        b for b in view["blocks"] if b["type"] == "section" and "#" in b["text"]["text"]
    )
    assert "Sun 1 Nov" in first_item["text"]["text"]


def test_retried_event_has_one_effect(slack: SlackBot) -> None:
    ev = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    assert slack.event(ev, event_id="EvSame")[0] == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert slack.event(ev, event_id="EvSame", headers=retry)[0] == 200
    assert slack.event(ev, event_id="EvSame", headers={**retry, "X-Slack-Retry-Num": "2"})[0] == 200
    slack.wait_for(lambda: slack.fake.of("views.publish"))
    time.sleep(0.3)
    assert len(slack.fake.of("views.publish")) == 1
    slack.event(ev, event_id="EvOther")  # a new event is handled
    slack.wait_for(lambda: len(slack.fake.of("views.publish")) == 2)


def test_rate_limit_storm_still_delivers(slack: SlackBot) -> None:
    slack.fake.fail("views.publish", status=429, retry_after=1, times=2)
    slack.fake.fail("views.publish", status=503, times=1)
    started = time.monotonic()
    status, _ = slack.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    )
    assert status == 200 and time.monotonic() - started < 1  # acked before any retrying
    calls = slack.wait_for(
        lambda: len(slack.fake.of("views.publish")) == 4 and slack.fake.of("views.publish")
    )
    time.sleep(0.2)
    assert len(slack.fake.of("views.publish")) == 4  # two 429s, one 503, then success
    assert calls[1].at - calls[0].at >= 0.9  # Retry-After honoured, no busy loop
    assert time.monotonic() - started < 10


def test_malicious_text_is_escaped_and_within_limits(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    nasty = "<!channel> ping <@U999> & <https://evil|click> مرحبا 🚀"
    reply = slack.command(f'action add "{nasty}"')
    text = all_text(reply["blocks"]) + reply["text"]
    assert "<!channel>" not in text and "<@U999>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text and "مرحبا 🚀" in text
    long_reply = slack.command('action add "' + "x" * 5000 + '"')
    assert "limit is 4000" in long_reply["text"]
    title_reply = slack.command('action add "' + "y" * 400 + '"')
    assert "the limit is 300" in title_reply["text"]
    with sessions() as s:
        assert s.scalar(select(ActionItem.title)) == nasty


def test_healthz(slack: SlackBot) -> None:
    assert slack.get("/healthz") == (200, '{"ok":true}')


def test_app_home_shows_each_of_my_projects_with_its_latest_rag(slack: SlackBot) -> None:
    slack.command('project new APOLLO "Moon portal"')
    slack.command('project new BETA "Second"')
    slack.command('status APOLLO amber "Vendor late"')
    slack.command('status APOLLO red "Vendor gone"')  # the newest version counts
    slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    view = slack.wait_for(lambda: slack.fake.of("views.publish"))[-1].args["view"]
    text = all_text(view["blocks"])
    assert "Latest status: 🔴 Red (2026-W48)" in text
    beta = next(
        b for b in view["blocks"] if b["type"] == "section" and "*BETA*" in b["text"]["text"]
    )
    assert "Latest status" not in beta["text"]["text"]  # no update yet
