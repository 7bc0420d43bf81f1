"""The RAID log through the fake Slack over HTTP: commands, the red escalation (at once and
once), buttons that update messages in place, the rescore and resolve modals, the review
reminder with Still valid / Rescore… / Close, the Log as risk / issue shortcut, offers, and
the report's RAID part with its heat map in the thread."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot import jobs
from handlers.slack.ids import ActionId, CallbackId
from handlers.slack.notifier import SlackNotifier
from models import RaidEntry, RaidKind, RaidScore, RaidStatus
from services.outbox.port import Bundle
from tests.conftest import NOW
from tests.fake_slack import validate_blocks, validate_view
from tests.slack_harness import SlackBot


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.fake.add_user("U1", "lead")
    bot.fake.add_user("U2", "maria", tz="Europe/Berlin")
    bot.fake.add_user("U3", "vic")
    for text in (
        'project new APOLLO "Apollo" <@U2>',
        "project add APOLLO <@U3> viewer",
        "settings digests project_weekly off",
        "settings digests pmo_weekly off",
        "settings status rounds off",
    ):
        assert ":warning:" not in str(bot.command(text))
    yield bot
    bot.close()


def dms(slack: SlackBot, user: str, text: str = "") -> list[dict[str, Any]]:
    return [
        c.args
        for c in slack.fake.of("chat.postMessage")
        if c.args["channel"] == user and text in json.dumps(c.args)
    ]


def opened(slack: SlackBot, n: int) -> dict[str, Any]:
    """The n-th modal the bot opened (from 1)."""
    view: dict[str, Any] = slack.wait_for(
        lambda: len(slack.fake.of("views.open")) >= n and slack.fake.of("views.open")
    )[n - 1].args["view"]
    validate_view(view)
    return view


def replaced(slack: SlackBot, n: int) -> dict[str, Any]:
    """The n-th message a button click replaced in place (from 1)."""
    found: list[dict[str, Any]] = slack.wait_for(
        lambda: (
            len(r := [x for x in slack.button_replies() if x.get("replace_original")]) >= n and r
        )
    )
    return found[n - 1]


def test_a_red_risk_is_posted_escalated_at_once_and_once_and_opened_from_the_dm(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    reply = slack.command('risk add APOLLO "Supplier <!channel> may go bust" p:4 i:5', user="U2")
    assert reply["response_type"] == "in_channel"  # a public project's news
    validate_blocks(reply["blocks"], limit=50)
    text = json.dumps(reply["blocks"])
    assert "APOLLO R-1" in text and "*20*" in text and "<!channel>" not in text
    assert "&lt;!channel&gt;" in text
    told = slack.wait_for(lambda: dms(slack, "U1", "red band"))
    assert len(told) == 1 and "Supplier" in json.dumps(told[0]["blocks"])
    validate_blocks(told[0]["blocks"], limit=50)
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda _team: client, pace=0)
    for t in (NOW + timedelta(minutes=1), NOW + timedelta(hours=2), NOW + timedelta(days=1)):
        slack.clock.now = t
        jobs.sweep(sessions, notifier, now=t)
    assert len(dms(slack, "U1", "red band")) == 1
    # The DM's button opens the entry, for the lead only.
    slack.click(told[0]["blocks"], ActionId.RAID_SHOW, user="U1", channel="D1")
    shown = slack.wait_for(
        lambda: [
            r
            for r in slack.button_replies()
            if "Probability" not in json.dumps(r) and "Score" in json.dumps(r)
        ]
    )
    assert shown[0]["response_type"] == "ephemeral"


def test_buttons_on_an_entry_rescore_in_a_modal_and_close_in_place(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    reply = slack.command('risk add APOLLO "Key engineer may leave" p:2 i:3', user="U2")
    slack.click(reply["blocks"], ActionId.RAID_RESCORE, user="U2")
    view = opened(slack, 1)
    assert view["callback_id"] == CallbackId.RAID_RESCORE_MODAL
    p = next(b for b in view["blocks"] if b.get("block_id") == "rs_probability")
    assert p["element"]["initial_option"]["value"] == "2"
    values = {
        "rs_probability": {"type": "static_select", "selected_option": {"value": "4"}},
        "rs_impact": {"type": "static_select", "selected_option": None},
        "rs_note": {"type": "plain_text_input", "value": "Offer from a rival"},
    }
    resp = slack.submit(view, values, user="U2")
    assert resp["response_action"] == "errors" and "rs_impact" in resp["errors"]
    values["rs_impact"] = {"type": "static_select", "selected_option": {"value": "4"}}
    assert slack.submit(view, values, user="U2") == {}
    with sessions() as s:
        scores = [r.score for r in s.scalars(select(RaidScore).order_by(RaidScore.id))]
        assert scores == [6, 16]
    # A viewer can't close it; its owner can, and the message changes in place.
    slack.click(reply["blocks"], ActionId.RAID_CLOSE, user="U3")
    refused = slack.wait_for(
        lambda: [r for r in slack.button_replies() if "Only the owner" in json.dumps(r)]
    )
    assert refused[0]["response_type"] == "ephemeral"
    slack.click(reply["blocks"], ActionId.RAID_CLOSE, user="U2")
    new = replaced(slack, 1)
    assert "Now *closed*" in json.dumps(new["blocks"]) and "Reopen" in json.dumps(new["blocks"])
    validate_blocks(new["blocks"], limit=50)
    with sessions() as s:
        assert s.scalar(select(RaidEntry.status)) == RaidStatus.CLOSED


def test_the_review_reminder_has_still_valid_rescore_and_close(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command('risk add APOLLO "Supplier may go bust" p:2 i:2 review:2026-11-25', user="U2")
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda _team: client, pace=0)
    due = datetime(2026, 11, 25, 9, tzinfo=UTC)  # 10:00 in Berlin
    slack.clock.now = due
    jobs.sweep(sessions, notifier, now=due)
    (dm,) = dms(slack, "U2", "Due for review")
    # Maria's App Home lists her reviews due.
    slack.event({"type": "app_home_opened", "user": "U2", "channel": "D2", "tab": "home"})
    home = slack.wait_for(
        lambda: [
            c.args["view"] for c in slack.fake.of("views.publish") if c.args["user_id"] == "U2"
        ]
    )[-1]
    assert "Your RAID reviews due (1)" in json.dumps(home) and "Supplier may go bust" in json.dumps(
        home
    )
    validate_blocks(dm["blocks"], limit=50)
    labels = json.dumps(dm["blocks"], ensure_ascii=False)
    assert all(b in labels for b in ("Still valid", "Rescore…", "Close"))
    slack.click(dm["blocks"], ActionId.RAID_REVIEW, user="U2", channel="D2")
    new = replaced(slack, 1)
    assert "Still valid, said" in json.dumps(new["blocks"])
    with sessions() as s:
        e = s.scalar(select(RaidEntry))
        assert e is not None and e.reviewed_at == due and e.due_on == due.date() + timedelta(30)
    # Reviewed: the next morning brings no chaser.
    jobs.sweep(sessions, notifier, now=due + timedelta(days=1))
    assert len(dms(slack, "U2", "review")) == 1


def test_the_message_shortcut_logs_a_message_as_an_issue_linked_to_it(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    status, _ = slack.interact(
        {
            "type": "message_action",
            "callback_id": CallbackId.RAID_LOG_SHORTCUT,
            "user": {"id": "U2"},
            "channel": {"id": "C1"},
            "message": {"ts": "1700000000.000100", "text": "The test rig is down again\nSince 9am"},
            "response_url": slack.fake.response_url("sc"),
        }
    )
    assert status == 200
    view = opened(slack, 1)
    assert view["callback_id"] == CallbackId.RAID_LOG_MODAL
    title = next(b for b in view["blocks"] if b.get("block_id") == "rl_title")
    assert title["element"]["initial_value"] == "The test rig is down again"
    base = {
        "rl_kind": {"type": "radio_buttons", "selected_option": {"value": "risk"}},
        "rl_project": {"type": "static_select", "selected_option": {"value": "APOLLO"}},
        "rl_title": {"type": "plain_text_input", "value": "Test rig down"},
        "rl_owner": {"type": "users_select", "selected_user": "U2"},
        "rl_severity": {"type": "static_select", "selected_option": {"value": "critical"}},
    }
    resp = slack.submit(view, base, user="U2")  # a risk needs its probability and impact
    assert set(resp["errors"]) == {"rl_probability", "rl_impact"}
    base["rl_kind"] = {"type": "radio_buttons", "selected_option": {"value": "issue"}}
    assert slack.submit(view, base, user="U2") == {}
    with sessions() as s:
        (issue,) = s.scalars(select(RaidEntry)).all()
        assert (issue.kind, issue.title, issue.severity.value) == (
            RaidKind.ISSUE,
            "Test rig down",
            "critical",
        )  # type: ignore[union-attr]
        assert issue.source_ref == "https://example.slack.com/archives/C1/p1700000000000100"
    assert slack.wait_for(lambda: dms(slack, "U1", "critical issue"))


def test_an_invalid_assumption_offers_a_risk_logged_with_one_click(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    slack.command('assumption add APOLLO "Licences arrive by December"', user="U1")
    reply = slack.command("assumption invalid A-1", user="U1")
    assert "Log as risk" in json.dumps(reply["blocks"])
    # The PM (maria) is offered it in her DM, with the same buttons.
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    jobs.sweep(sessions, SlackNotifier(lambda _team: client, pace=0), now=NOW)
    (offer,) = dms(slack, "U2", "assumption turned out invalid")
    validate_blocks(offer["blocks"], limit=50)
    slack.click(offer["blocks"], ActionId.RAID_OFFER_LOG, user="U2", channel="D2")
    new = replaced(slack, 1)
    assert "Logged as *APOLLO R-1*" in json.dumps(new["blocks"])
    with sessions() as s:
        risk = s.scalar(select(RaidEntry).where(RaidEntry.kind == RaidKind.RISK))
        assert risk is not None and "does not hold" in risk.title
    # Taken once: the lead's button now says so, and nothing is logged twice.
    slack.click(reply["blocks"], ActionId.RAID_OFFER_LOG, user="U1")
    assert slack.wait_for(
        lambda: [r for r in slack.button_replies() if "already logged" in json.dumps(r)]
    )
    with sessions() as s:
        assert len(s.scalars(select(RaidEntry).where(RaidEntry.kind == RaidKind.RISK)).all()) == 1


def test_the_weekly_report_lists_top_risks_and_puts_the_heat_map_in_the_thread(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    from handlers.slack.status.render import report_parent
    from services.raid.charts import heat_map
    from services.status.report import build

    slack.command('risk add APOLLO "Supplier may go bust" p:4 i:5', user="U2")
    slack.command('risk add APOLLO "Rain" p:1 i:2', user="U2")
    slack.command('issue add APOLLO "Data centre flooded" severity:high', user="U2")
    with sessions() as s:
        report = build(s, 1, "2026-W48", today=NOW.date())
    parent = report_parent(report)
    validate_blocks(parent.blocks, limit=50)
    text = json.dumps(parent.blocks)
    assert "Top risks" in text and "Supplier may go bust" in text and "@maria" in text
    assert "<@U2>" not in text  # named, not pinged
    assert "New high-severity issues" in text and "Data centre flooded" in text
    assert report.raid is not None
    png = heat_map(report.raid, report.period)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    # Sent as the weekly report: the RAG chart and the risk heat map go in its thread.
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    bundle = Bundle("slack", "T1", "C0PMO", "UTC", NOW.date(), to_channel=True, attachment=report)
    SlackNotifier(lambda _team: client, pace=0).send(bundle)
    uploads = slack.fake.of("files.completeUploadExternal")
    assert len(uploads) == 2 and all(u.args.get("thread_ts") for u in uploads)
    assert "Open risks by probability and impact" in json.dumps([u.args for u in uploads])


def _select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def test_every_entry_button_and_form_works_from_slack(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    def status_of(kind: RaidKind, number: int) -> RaidStatus:
        with sessions() as s:
            found = s.scalar(
                select(RaidEntry.status).where(RaidEntry.kind == kind, RaidEntry.number == number)
            )
            assert found is not None
            return found

    # Issues: Resolve… opens its form; the resolution is kept; Reopen brings it back.
    reply = slack.command('issue add APOLLO "Test env down" severity:low', user="U2")
    slack.click(reply["blocks"], ActionId.RAID_RESOLVE, user="U2")
    view = opened(slack, 1)
    assert view["callback_id"] == CallbackId.RAID_RESOLVE_MODAL
    assert slack.submit(view, {"rv_resolution": _text("")}, user="U2")["errors"]
    assert slack.submit(view, {"rv_resolution": _text("Rebooted the rig")}, user="U2") == {}
    assert status_of(RaidKind.ISSUE, 1) == RaidStatus.RESOLVED
    shown = slack.command("raid show I-1", user="U2")
    assert "Rebooted the rig" in json.dumps(shown["blocks"])
    slack.click(shown["blocks"], ActionId.RAID_REOPEN, user="U2")
    replaced(slack, 1)
    assert status_of(RaidKind.ISSUE, 1) == RaidStatus.OPEN
    # Assumptions: Confirmed, Invalid (which offers a risk: Edit first… opens the risk form).
    a1 = slack.command('assumption add APOLLO "Licences in time"', user="U2")
    slack.click(a1["blocks"], ActionId.RAID_CONFIRM, user="U2")
    replaced(slack, 2)
    assert status_of(RaidKind.ASSUMPTION, 1) == RaidStatus.CONFIRMED
    a2 = slack.command('assumption add APOLLO "Budget approved in Q1"', user="U2")
    slack.click(a2["blocks"], ActionId.RAID_INVALID, user="U2")
    invalid = replaced(slack, 3)
    assert "Log as risk" in json.dumps(invalid["blocks"])
    slack.click(invalid["blocks"], ActionId.RAID_OFFER_EDIT, user="U2")
    view = opened(slack, 2)
    assert view["callback_id"] == CallbackId.RAID_RISK_MODAL
    title = next(b for b in view["blocks"] if b.get("block_id") == "rr_title")
    assert "does not hold" in title["element"]["initial_value"]
    values = {
        "rr_project": _select("APOLLO"),
        "rr_title": _text("No budget until Q2"),
        "rr_owner": {"type": "users_select", "selected_user": "U2"},
        "rr_probability": _select("4"),
        "rr_impact": _select("3"),
        "rr_strategy": _select("exploit"),  # not a response to a threat
    }
    resp = slack.submit(view, values, user="U2")
    assert "rr_strategy" in resp["errors"]
    values["rr_strategy"] = _select("fallback")
    assert slack.submit(view, values, user="U2") == {}
    with sessions() as s:
        risk = s.scalar(select(RaidEntry).where(RaidEntry.kind == RaidKind.RISK))
        assert risk is not None and (risk.title, risk.score) == ("No budget until Q2", 12)
    # Dependencies: Met and Missed.
    d1 = slack.command('dependency add APOLLO "Ports opened" by:friday', user="U2")
    d2 = slack.command('dependency add APOLLO "Vendor API keys" by:friday', user="U2")
    slack.click(d1["blocks"], ActionId.RAID_MET, user="U2")
    slack.click(d2["blocks"], ActionId.RAID_MISSED, user="U2")
    replaced(slack, 5)
    assert status_of(RaidKind.DEPENDENCY, 1) == RaidStatus.MET
    assert status_of(RaidKind.DEPENDENCY, 2) == RaidStatus.MISSED
    # Edit on a risk: its form without the project, prefilled; a new score joins the history.
    r1 = slack.command("raid show R-1", user="U2")
    slack.click(r1["blocks"], ActionId.RAID_EDIT, user="U2")
    view = opened(slack, 3)
    assert view["title"]["text"] == "Edit R-1"
    assert not any(b.get("block_id") == "rr_project" for b in view["blocks"])
    values.pop("rr_project")
    values["rr_impact"] = _select("5")
    assert slack.submit(view, values, user="U2") == {}
    with sessions() as s:
        scores = s.scalars(select(RaidScore.score).order_by(RaidScore.id)).all()
        assert scores == [12, 20]
    # `risk add` and `dependency add` alone open the new-entry forms.
    slack.command("dependency add APOLLO", user="U2", expect_reply=False)
    view = opened(slack, 4)
    assert view["callback_id"] == CallbackId.RAID_ENTRY_MODAL and "Needed by" in json.dumps(view)
    assert (
        slack.submit(
            view,
            {
                "re_project": _select("APOLLO"),
                "re_title": _text("Legal OK"),
                "re_owner": {"type": "users_select", "selected_user": "U2"},
                "re_due": {"type": "datepicker", "selected_date": "2026-12-11"},
            },
            user="U2",
        )
        == {}
    )
    with sessions() as s:
        dep = s.scalar(select(RaidEntry).where(RaidEntry.title == "Legal OK"))
        assert (
            dep is not None and dep.kind == RaidKind.DEPENDENCY and str(dep.due_on) == "2026-12-11"
        )


def test_a_description_longer_than_slacks_input_survives_the_edit_form(slack, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command('issue add APOLLO "Test env down" severity:low', user="U2")
    whole = ("The rig reboots every hour. " * 140).strip()  # RAID descriptions hold 4,000
    with sessions.begin() as s:
        s.scalars(select(RaidEntry)).one().description = whole
    slack.click(slack.command("raid show I-1", user="U2")["blocks"], ActionId.RAID_EDIT, user="U2")
    view = opened(slack, 1)
    box = next(b for b in view["blocks"] if b.get("block_id") == "ri_description")
    assert "of its 3,919 characters" in box["hint"]["text"]
    values = {"ri_title": _text("Test rig down"), "ri_severity": _select("low"),
              "ri_owner": {"type": "users_select", "selected_user": "U2"},
              "ri_description": _text(box["element"]["initial_value"])}  # fmt: skip
    assert slack.submit(view, values, user="U2") == {}
    with sessions() as s:
        issue = s.scalars(select(RaidEntry)).one()
        assert (issue.title, issue.description) == ("Test rig down", whole)
