"""A full status round through the fake Slack over HTTP: nudge → button → modal → edit →
chase of the missing → escalation → report with thread replies and the chart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot import jobs
from handlers.slack.ids import ActionId, CallbackId
from handlers.slack.notifier import SlackNotifier
from models import Person, Rag, StatusUpdate
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


def _cadence_values(**over: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    values: dict[str, dict] = {  # type: ignore[type-arg]
        "cd_active": {"type": "checkboxes", "selected_options": [{"value": "on"}]},
        "cd_days": {"type": "multi_static_select",
                    "selected_options": [{"value": "1"}, {"value": "3"}]},
        "cd_time": {"type": "timepicker", "selected_time": "09:30"},
        "cd_deadline_days": {"type": "static_select", "selected_option": {"value": "0"}},
        "cd_deadline_time": {"type": "timepicker", "selected_time": "17:00"},
        "cd_reporters": {"type": "multi_users_select", "selected_users": ["U3"]},
        "cd_channel": {"type": "conversations_select", "selected_conversation": "C0APOLLO"},
        "cd_rrule": {"type": "plain_text_input", "value": ""},
    }  # fmt: skip
    values.update(over)
    return values


def test_status_round_settings_modal(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    from models import AuditEvent, StatusCadence

    slack.command('project new APOLLO "Apollo" <@U2>')
    slack.command("status settings APOLLO", user="U2", expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[0].args["view"]
    assert view["callback_id"] == CallbackId.CADENCE_MODAL
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    # Prefilled with the default: Thursday 10:00, due next day 12:00, in Lara's zone.
    assert blocks["cd_days"]["element"]["initial_options"][0]["value"] == "4"
    assert blocks["cd_time"]["element"]["initial_time"] == "10:00"
    assert blocks["cd_deadline_days"]["element"]["initial_option"]["value"] == "1"
    assert "America/Los_Angeles" in str(view["blocks"][0])
    # A rule that never recurs is refused on its field; nothing is saved.
    bad = _cadence_values(cd_rrule={"type": "plain_text_input", "value": "FREQ=SOMETIMES"})
    resp = slack.submit(view, bad, user="U2")
    assert resp["response_action"] == "errors" and "cd_rrule" in resp["errors"]
    # A secondly rule is refused on its field at once, before anything is expanded (it used
    # to hold the front for a minute while Slack gave up on the submission).
    started = time.monotonic()
    every_second = _cadence_values(cd_rrule={"type": "plain_text_input", "value": "FREQ=SECONDLY"})
    resp = slack.submit(view, every_second, user="U2")
    assert time.monotonic() - started < 5
    assert "once a day" in resp["errors"]["cd_rrule"]
    with sessions() as s:
        assert s.scalar(select(StatusCadence)) is None
    # Mondays and Wednesdays 09:30, due the same day 17:00, Kiran reports, into #apollo.
    assert slack.submit(view, _cadence_values(), user="U2") == {}
    with sessions() as s:
        row = s.scalar(select(StatusCadence))
        assert row is not None
        assert row.rrule == "FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=30"
        assert (row.deadline_days, f"{row.deadline_time:%H:%M}") == (0, "17:00")
        assert row.report_channel == "C0APOLLO" and row.active
        kiran = s.scalar(select(Person).where(Person.external_id == "U3"))
        assert kiran is not None and row.reporters == [kiran.id]
        audits = s.scalars(select(AuditEvent).where(AuditEvent.action == "status_cadence"))
        assert len(list(audits)) == 1
    told = slack.wait_for(lambda: [m for m in dms(slack, "U2") if "Status round" in m["text"]])
    assert "MO,WE" in told[0]["text"] and "Change" in str(told[0]["blocks"])
    # Kiran is not the PM: he sees the settings, with no button to change them.
    reply = slack.command("status settings APOLLO", user="U3")
    assert "BYDAY=MO,WE" in reply["text"] and "Change" not in str(reply["blocks"])
    assert len(slack.fake.of("views.open")) == 1
    # The lead changes a part by command, then opens the modal from the "Change…" button.
    reply = slack.command("status settings APOLLO off")
    assert "(off)" in reply["text"]
    slack.click(reply["blocks"], ActionId.CADENCE_OPEN)
    view2 = slack.wait_for(lambda: slack.fake.of("views.open")[1:])[0].args["view"]
    assert view2["callback_id"] == CallbackId.CADENCE_MODAL
    b2 = {b.get("block_id"): b for b in view2["blocks"]}
    assert "initial_options" not in b2["cd_active"]["element"]  # shows "off"
    assert b2["cd_reporters"]["element"]["initial_users"] == ["U3"]
    assert b2["cd_channel"]["element"]["initial_conversation"] == "C0APOLLO"
    # Kiran, the reporter, is nudged at Monday 09:30 in Lara's zone once the round is on.
    slack.submit(view2, _cadence_values(), user="U1")
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda team: client, pace=0)
    slack.clock.now = at(2026, 11, 30, 17, 30)  # Mon 09:30 PST
    jobs.sweep(sessions, notifier, now=slack.clock.now)
    assert [m for m in dms(slack, "U3") if "APOLLO" in m["text"] + str(m["blocks"])]
    assert not [m for m in dms(slack, "U2") if "Submit update" in str(m["blocks"])]


def test_quick_form_and_modal_store_the_same_update(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command('project new APOLLO "Apollo" <@U2>')
    slack.command('project new BETA "Beta" <@U2>')
    reply = slack.command('status APOLLO amber "Vendor late; <!channel> 40% done"', user="U2")
    assert ":warning:" not in str(reply)
    slack.command("status BETA", user="U2", expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[0].args["view"]
    values = {
        "st_overall": {"type": "static_select", "selected_option": {"value": "amber"}},
        "st_summary": {"type": "plain_text_input", "value": "Vendor late; <!channel> 40% done"},
    }
    assert slack.submit(view, values, user="U2") == {}
    fields = ("overall", "schedule", "scope", "budget", "resources", "percent_complete",
              "summary", "highlights", "blockers", "escalate", "asks", "next_steps",
              "version", "author_id", "on_time")  # fmt: skip
    with sessions() as s:
        a, b = s.scalars(select(StatusUpdate).order_by(StatusUpdate.id)).all()
        assert a.cycle_id != b.cycle_id
        assert {f: getattr(a, f) for f in fields} == {f: getattr(b, f) for f in fields}
        assert a.summary == "Vendor late; <!channel> 40% done"


def test_a_report_that_fails_halfway_resumes_without_posting_twice(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    slack.command('project new APOLLO "Apollo" <@U2>')
    slack.command('project new BETA "Beta" <@U3>')
    slack.command("settings pmo_channel <#C0PMO|pmo>")
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda team: client, pace=0)

    def sweep(t: datetime) -> None:
        slack.clock.now = t
        jobs.sweep(sessions, notifier, now=t)

    sweep(at(2026, 11, 26, 18))  # the nudges
    slack.command('status APOLLO green "On track"', user="U2")
    slack.command('status BETA amber "Hiring"', user="U3")
    slack.fake.fail("files.getUploadURLExternal", status=500, times=1)
    sweep(at(2026, 11, 27, 21))  # rounds close; the chart upload fails

    def in_pmo() -> tuple[int, int]:
        posts = [c.args for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "C0PMO"]
        return sum("thread_ts" not in p for p in posts), sum("thread_ts" in p for p in posts)

    assert in_pmo() == (1, 2) and not slack.fake.of("files.completeUploadExternal")
    sweep(at(2026, 11, 27, 22))  # the retry: only the chart goes out, into the same thread
    assert in_pmo() == (1, 2)
    (done,) = slack.fake.of("files.completeUploadExternal")
    parent_ts = next(c.args["thread_ts"] for c in slack.fake.of("chat.postMessage")
                     if c.args.get("thread_ts"))  # fmt: skip
    assert done.args["thread_ts"] == parent_ts


def test_a_holiday_moves_the_nudge_to_the_next_working_day(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    from models import Holiday, Workspace

    slack.command('project new APOLLO "Apollo" <@U2>')
    with sessions.begin() as s:
        ws = s.scalar(select(Workspace))
        assert ws is not None
        s.add(Holiday(workspace_id=ws.id, on=at(2026, 11, 26, 0).date(), name="Thanksgiving"))
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda team: client, pace=0)
    for t in (at(2026, 11, 26, 18), at(2026, 11, 26, 23), at(2026, 11, 27, 17, 45)):
        slack.clock.now = t
        jobs.sweep(sessions, notifier, now=t)
    assert dms(slack, "U2") == []  # not on Thanksgiving, nor before Friday 10:00 PST
    slack.clock.now = at(2026, 11, 27, 18)
    jobs.sweep(sessions, notifier, now=slack.clock.now)
    (nudge,) = dms(slack, "U2")
    assert "APOLLO" in nudge["text"] + str(nudge["blocks"])
    assert "Submit update" in str(nudge["blocks"])
