"""A full status round through the fake Slack over HTTP: nudge → button → modal → edit →
chase of the missing → escalation → report with thread replies and the chart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot import jobs
from handlers.slack.ids import ActionId, CallbackId
from handlers.slack.notifier import SlackNotifier
from models import Rag, StatusUpdate
from tests.conftest import NOW
from tests.fake_slack import validate_blocks
from tests.slack_harness import SlackBot


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.fake.add_user("U1", "lead")
    bot.fake.add_user("U2", "lara", tz="America/Los_Angeles")
    bot.fake.add_user("U3", "kiran", tz="Asia/Kolkata")
    yield bot
    bot.close()


def dms(slack: SlackBot, user: str) -> list[dict]:  # type: ignore[type-arg]
    return [c.args for c in slack.fake.of("chat.postMessage") if c.args["channel"] == user]


def test_a_full_status_round_end_to_end(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    for text in ('project new APOLLO "Apollo <!channel>" <@U2>',
                 'project new BETA "Beta" <@U3>',
                 "project set APOLLO channel <#C0APOLLO|apollo>",
                 "settings pmo_channel <#C0PMO|pmo>"):  # fmt: skip
        reply = slack.command(text)
        assert ":warning:" not in str(reply), reply
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda team: client, pace=0)

    def sweep(t: datetime) -> None:
        slack.clock.now = t
        jobs.sweep(sessions, notifier, now=t)

    # Thursday: each PM is nudged at their own 10:00 (IST 04:30 UTC, PST 18:00 UTC).
    sweep(at(2026, 11, 26, 4, 30))
    (nudge,) = dms(slack, "U3")
    assert dms(slack, "U2") == [] and "BETA" in nudge["text"] + str(nudge["blocks"])
    sweep(at(2026, 11, 26, 18))
    (nudge,) = dms(slack, "U2")
    validate_blocks(nudge["blocks"], limit=50)
    # Lara clicks "Submit update": the form opens; she submits it with a bad % first.
    slack.click(nudge["blocks"], ActionId.STATUS_OPEN, user="U2")
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[0].args["view"]
    assert view["callback_id"] == CallbackId.STATUS_MODAL
    values = {
        "st_overall": {"type": "static_select", "selected_option": {"value": "amber"}},
        "st_schedule": {"type": "static_select", "selected_option": {"value": "red"}},
        "st_percent": {"type": "plain_text_input", "value": "lots"},
        "st_summary": {"type": "plain_text_input", "value": "Vendor late <!here>"},
        "st_blockers": {"type": "plain_text_input", "value": "Vendor contract unsigned"},
        "st_escalate": {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
        "st_asks": {"type": "plain_text_input", "value": "Sponsor to call the vendor"},
    }
    resp = slack.submit(view, values, user="U2")
    assert resp["response_action"] == "errors" and "st_percent" in resp["errors"]
    with sessions() as s:
        assert s.scalar(select(StatusUpdate)) is None  # nothing saved
    values["st_percent"] = {"type": "plain_text_input", "value": "40"}
    assert slack.submit(view, values, user="U2") == {}
    with sessions() as s:
        upd = s.scalar(select(StatusUpdate))
        assert upd is not None
        assert (upd.overall, upd.schedule, upd.percent_complete, upd.escalate) == (
            Rag.AMBER, Rag.RED, 40, True,
        )  # fmt: skip
    # The escalated blocker reaches the PMO lead at once (next sweep).
    sweep(at(2026, 11, 26, 18, 5))
    told = [m for m in dms(slack, "U1") if "blocker" in m["text"] + str(m["blocks"])]
    assert len(told) == 1 and "Vendor contract unsigned" in str(told[0]["blocks"])
    # She edits it with the one-line form; the edit becomes version 2.
    slack.clock.now = at(2026, 11, 26, 19)
    reply = slack.command('status APOLLO red "Vendor gone"', user="U2")
    assert "version 2" in reply["text"]
    # Kiran never reports: chased 2 h before his deadline and at it, nothing more.
    sweep(at(2026, 11, 27, 4, 30))
    sweep(at(2026, 11, 27, 6, 30))
    sweep(at(2026, 11, 27, 6, 45))
    assert len(dms(slack, "U3")) == 3  # open, chase, deadline
    assert len(dms(slack, "U2")) == 2  # her nudge, and the modal's confirmation
    # Every round closes an hour after its deadline (Friday 12:00 PST + 1 h):
    sweep(at(2026, 11, 27, 21))
    missing = [m for m in dms(slack, "U1") if "Missing status updates" in m["text"] + str(m)]
    assert len(missing) == 1 and "BETA" in str(missing[0]["blocks"])
    parent = next(c.args for c in slack.fake.of("chat.postMessage")
                  if c.args["channel"] == "C0PMO" and "thread_ts" not in c.args)  # fmt: skip
    text = str(parent["blocks"])
    validate_blocks(parent["blocks"], limit=50)
    assert "Portfolio status · 2026-W48" in text and "Missing updates" in text
    assert "Vendor gone" in text and "<!here>" not in text and "<!channel>" not in text
    assert "@kiran" in text and "<@U3>" not in text  # named, not pinged
    replies = [c.args for c in slack.fake.of("chat.postMessage")
               if c.args.get("thread_ts") and c.args["channel"] == "C0PMO"]  # fmt: skip
    assert len(replies) == 1 and "APOLLO status" in str(replies[0]["blocks"])
    parent_ts = replies[0]["thread_ts"]
    done = slack.fake.of("files.completeUploadExternal")
    assert len(done) == 1 and done[0].args.get("thread_ts") == parent_ts
    (upload,) = slack.fake.of("upload")
    assert upload.args["head"] == b"\x89PNG\r\n\x1a\n" and upload.args["size"] > 1000
    # APOLLO's own channel gets its update; then nothing repeats on later sweeps.
    assert [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "C0APOLLO"]
    before = len(slack.fake.of("chat.postMessage"))
    sweep(at(2026, 11, 27, 22))
    sweep(at(2026, 11, 28, 9))
    assert len(slack.fake.of("chat.postMessage")) == before
    # On demand, any week: the report comes back to the asker only.
    slack.clock.now = at(2026, 11, 30, 9) + timedelta(minutes=1)
    again = slack.command("report 2026-W48")
    assert again["response_type"] == "ephemeral" and "Portfolio status · 2026-W48" in str(again)
