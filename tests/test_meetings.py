"""Meeting series, agendas and calendar feeds, through the fake Slack over HTTP and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import recurring_ical_events
from click.testing import CliRunner
from icalendar import Calendar
from slack_sdk import WebClient
from sqlalchemy import select

from bot import jobs
from bot.cli.main import main
from handlers.slack.ids import ActionId
from handlers.slack.notifier import SlackNotifier
from models import MeetingSeries, Minutes
from tests.conftest import NOW
from tests.slack_harness import SlackBot

HOME = "C0APOLLO"


def at(d: int, hh: int, mm: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, d, hh, mm, tzinfo=UTC)


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.deps.notify_pace = 0
    for uid, name in (("U1", "lead"), ("U2", "lara"), ("U3", "kiran"), ("U4", "omar")):
        bot.fake.add_user(uid, name)
    bot.command('project new APOLLO "Apollo" <@U2>')
    bot.command(f"project set APOLLO channel <#{HOME}|apollo>")
    bot.command("project add APOLLO <@U3> member")
    yield bot
    bot.close()


def said(reply: dict) -> str:  # type: ignore[type-arg]
    return str(reply.get("text", "")) + str(reply.get("blocks", ""))


def posts(slack: SlackBot, channel: str) -> list[dict]:  # type: ignore[type-arg]
    return [c.args for c in slack.fake.of("chat.postMessage") if c.args.get("channel") == channel]


def test_agenda_before_each_meeting_carries_open_actions_and_nudges_when_no_minutes(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    reply = slack.command('meeting new APOLLO "Weekly sync" weekly on tue 10:00', user="U2")
    assert "Meeting #1" in said(reply) and "Tue 24 Nov 10:00" in said(reply), reply
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda team: client, pace=0)

    def sweep(t: datetime) -> None:
        slack.clock.now = t
        jobs.sweep(sessions, notifier, now=t)

    sweep(at(24, 9, 40))
    assert posts(slack, HOME) == []  # 20 minutes before: not yet
    sweep(at(24, 9, 46))
    (agenda,) = posts(slack, HOME)
    assert "Weekly sync" in str(agenda) and "No open action items" in str(agenda)
    # "Start minutes" on the agenda links the minutes to this occurrence.
    slack.click(agenda["blocks"], ActionId.MINUTES_START, user="U2", channel=HOME)
    slack.wait_for(lambda: len(posts(slack, HOME)) == 2)  # the live minutes message
    slack.clock.now = at(24, 10, 5)
    slack.command("minutes action <@U3> due:2026-12-04 Send the plan", user="U2", channel=HOME)
    slack.command("minutes end", user="U2", channel=HOME)
    with sessions() as s:
        m = s.scalar(select(Minutes))
        assert m is not None and m.occurrence_id is not None and m.title == "Weekly sync"
    sweep(at(24, 11))  # it had minutes: nobody is nudged
    assert not [p for p in posts(slack, "U2") if "No minutes" in str(p)]
    # Next week's agenda carries the open action forward; then no minutes → one nudge.
    sweep(at(1, 9, 50, month=12))
    agenda2 = [p for p in posts(slack, HOME) if "Weekly sync" in p["text"]][-1]
    assert "Send the plan" in str(agenda2) and "carried forward" in str(agenda2)
    sweep(at(1, 10, 20, month=12))
    assert not [p for p in posts(slack, "U2") if "No minutes" in str(p)]  # still on
    sweep(at(1, 10, 46, month=12))
    sweep(at(1, 12, 0, month=12))
    nudges = [p for p in posts(slack, "U2") if "No minutes" in str(p)]
    assert len(nudges) == 1 and "/pmo minutes start" in str(nudges[0])
    # Once the action is done it is no longer carried forward.
    with sessions.begin() as s:
        from models import ActionItem, ActionStatus

        item = s.scalar(select(ActionItem))
        assert item is not None
        item.status = ActionStatus.DONE
    sweep(at(8, 9, 50, month=12))
    agenda3 = [p for p in posts(slack, HOME) if "Weekly sync" in p["text"]][-1]
    assert "Send the plan" not in str(agenda3)
    # Cancelled: no more agendas.
    assert "cancelled" in said(slack.command("meeting cancel 1", user="U2"))
    n = len(posts(slack, HOME))
    sweep(at(15, 9, 50, month=12))
    assert len(posts(slack, HOME)) == n


def test_meeting_command_errors_are_helpful(slack: SlackBot) -> None:
    bad = slack.command('meeting new APOLLO "Sync" every minute', user="U2")
    assert ":warning:" in str(bad["blocks"]) and "weekly on tue 10:00" in said(bad)
    assert ":warning:" in str(
        slack.command('meeting new NOPE "Sync" weekly on tue 10:00')["blocks"]
    )
    viewer = slack.command('meeting new APOLLO "Sync" weekly on tue 10:00', user="U4")
    assert "Only members of APOLLO" in said(viewer)


def test_calendar_feeds_are_private_revocable_and_valid(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command('action add APOLLO "Send the plan" <@U3> due:2026-12-04', user="U2")
    slack.command('deliverable add APOLLO "Beta release" <@U2> due:2026-12-18', user="U2")
    slack.command('meeting new APOLLO "Weekly sync" weekly on tue 10:00', user="U2")
    slack.command('project new SECRET "Secret" <@U1> private')
    slack.command('action add SECRET "Hidden work" <@U1> due:2026-12-01')
    reply = slack.command("ics", user="U3")
    url = next(w for w in said(reply).replace("\\n", " ").split() if "/ics/" in w)
    path = url[url.index("/ics/") :]
    status, body, headers = slack.get_full(path)
    assert status == 200 and headers.get("content-type", "").startswith("text/calendar")
    cal = Calendar.from_ical(body)
    events = list(recurring_ical_events.of(cal).between(date(2026, 11, 23), date(2026, 12, 31)))
    titles = [str(e.get("SUMMARY")) for e in events]
    assert any("Send the plan" in t for t in titles)
    assert titles.count("Weekly sync") == 6  # Tuesdays 24 Nov to 29 Dec
    assert not any("Hidden" in t or "Beta release" in t for t in titles)  # not Kiran's
    for ev in cal.walk("VEVENT"):
        assert ev.get("UID") and ev.get("DTSTAMP")
        start = ev.decoded("DTSTART")
        assert not isinstance(start, datetime) or start.tzinfo is not None  # never floating
    # The same link again; a project feed; the lead's feed has the private project.
    assert said(slack.command("ics", user="U3")) == said(reply)
    project = said(slack.command("ics APOLLO", user="U3")).replace("\\n", " ")
    ppath = next(w for w in project.split() if "/ics/" in w)
    ppath = ppath[ppath.index("/ics/") :]
    status, body = slack.get(ppath)
    assert status == 200 and "Beta release" in body and "Weekly sync" in body
    assert "Hidden" not in body
    assert ":warning:" in str(slack.command("ics SECRET", user="U3")["blocks"])
    lead = said(slack.command("ics", user="U1")).replace("\\n", " ")
    lpath = next(w for w in lead.split() if "/ics/" in w)
    assert "Hidden work" in slack.get(lpath[lpath.index("/ics/") :])[1]
    # A change bumps SEQUENCE; the UID stays.
    before = {str(e["UID"]): int(e.get("SEQUENCE", 0)) for e in cal.walk("VEVENT")}
    slack.clock.now = NOW + timedelta(hours=1)
    slack.command("action due 1 2026-12-07", user="U3")
    after = Calendar.from_ical(slack.get(path)[1])
    moved = next(e for e in after.walk("VEVENT") if "Send the plan" in str(e["SUMMARY"]))
    assert before[str(moved["UID"])] < int(moved["SEQUENCE"])
    assert moved.decoded("DTSTART") == date(2026, 12, 7)
    # Revoked: 404 at once, and a new link works.
    assert "Revoked 1" in said(slack.command("ics revoke", user="U3"))
    assert slack.get(path)[0] == 404
    assert slack.get("/ics/not-a-real-token.ics")[0] == 404
    fresh = said(slack.command("ics", user="U3")).replace("\\n", " ")
    assert fresh != said(reply)
    # Kiran leaves APOLLO while it is private: its feed is gone for him.
    slack.command("project set APOLLO private yes", user="U2")
    slack.command("project remove APOLLO <@U3>", user="U2")
    assert slack.get(ppath)[0] == 404
    fpath = next(w for w in fresh.split() if "/ics/" in w)
    assert "Weekly sync" not in slack.get(fpath[fpath.index("/ics/") :])[1]


GOOGLE_EXPORT = """BEGIN:VCALENDAR\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
VERSION:2.0\r
CALSCALE:GREGORIAN\r
METHOD:PUBLISH\r
X-WR-CALNAME:Apollo\r
X-WR-TIMEZONE:America/New_York\r
BEGIN:VEVENT\r
DTSTART;TZID=America/New_York:20261020T100000\r
DTEND;TZID=America/New_York:20261020T103000\r
RRULE:FREQ=WEEKLY;BYDAY=TU\r
EXDATE;TZID=America/New_York:20261110T100000\r
DTSTAMP:20261101T000000Z\r
UID:apollo-sync@google.com\r
SUMMARY:Apollo sync\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=America/New_York:20261118T150000\r
DTEND;TZID=America/New_York:20261118T153000\r
RECURRENCE-ID;TZID=America/New_York:20261117T100000\r
DTSTAMP:20261101T000000Z\r
UID:apollo-sync@google.com\r
SUMMARY:Apollo sync (moved)\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_cli_imports_a_google_export_and_bad_files_import_nothing(
    slack: SlackBot, sessions, db_url, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from services.meetings import series as meetings

    monkeypatch.setenv("DATABASE_URL", db_url)
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    bad = tmp_path / "bad.ics"
    bad.write_text("<html>not a calendar</html>")
    out = CliRunner().invoke(main, ["meetings", "import", str(bad), "--project", "APOLLO",
                                    "--as", "lara", "--workspace", "T1"])  # fmt: skip
    assert out.exit_code == 1 and "Traceback" not in out.output and "calendar" in out.output
    with sessions() as s:
        assert s.scalar(select(MeetingSeries)) is None
    good = tmp_path / "apollo.ics"
    good.write_text(GOOGLE_EXPORT)
    out = CliRunner().invoke(main, ["meetings", "import", str(good), "--project", "APOLLO",
                                    "--as", "lara", "--workspace", "T1"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "Imported 1 meeting series into APOLLO" in out.output
    with sessions() as s:
        series = s.scalar(select(MeetingSeries))
        assert series is not None and series.channel == HOME
        starts = [o.start for o in meetings.expand(series, at(1, 0), at(1, 0, month=12))]
    # 10:00 New York: 14:00 UTC under EDT, 15:00 under EST; 10 Nov cancelled; 17 Nov moved.
    assert starts == [at(3, 15), at(18, 20), at(24, 15)]
    # Importing the same file again updates the series (same UID), it does not duplicate.
    again = CliRunner().invoke(main, ["meetings", "import", str(good), "--project", "APOLLO",
                                      "--as", "lara", "--workspace", "T1"])  # fmt: skip
    assert again.exit_code == 0
    with sessions() as s:
        assert len(s.scalars(select(MeetingSeries)).all()) == 1
    listed = slack.command("meeting list APOLLO", user="U3")
    assert "Apollo sync" in said(listed)


def test_an_ics_uploaded_in_slack_is_imported_from_the_modal(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command("meeting import APOLLO", user="U2", channel=HOME, expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[-1].args["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["mi_file"]["element"]["type"] == "file_input"
    assert blocks["mi_channel"]["element"]["initial_conversation"] == HOME
    bad = slack.fake.add_file("notes.ics", b"BEGIN:VCALENDAR\r\nnonsense")
    resp = slack.submit(view, {"mi_file": {"type": "file_input", "files": [bad]}}, user="U2")
    assert resp["response_action"] == "errors" and "mi_file" in resp["errors"]
    with sessions() as s:
        assert s.scalar(select(MeetingSeries)) is None
    good = slack.fake.add_file("apollo.ics", GOOGLE_EXPORT.encode())
    assert slack.submit(view, {"mi_file": {"type": "file_input", "files": [good]}},
                        user="U2") == {}  # fmt: skip
    download = [c for c in slack.fake.of("download") if good["id"] in c.args["path"]]
    assert download and download[0].args["auth"] == "Bearer xoxb-test"
    told = slack.wait_for(lambda: [p for p in posts(slack, "U2") if "Imported 1" in p["text"]])
    assert "Apollo sync" in str(told[0]["blocks"])
    with sessions() as s:
        series = s.scalar(select(MeetingSeries))
        assert series is not None and series.uid == "apollo-sync@google.com"
    # A file hosted anywhere but Slack never gets the bot token.
    evil = {**good, "url_private_download": "http://evil.example/steal.ics"}
    resp = slack.submit(view, {"mi_file": {"type": "file_input", "files": [evil]}}, user="U2")
    assert (
        resp["response_action"] == "errors" and "not stored in Slack" in resp["errors"]["mi_file"]
    )
