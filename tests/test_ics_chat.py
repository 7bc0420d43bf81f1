"""Calendar imports as people meet them: through the Slack modal, the console's CLI and the
scheduler, with real exports from tests/data/ics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import recurring_ical_events
from click.testing import CliRunner
from icalendar import Calendar
from sqlalchemy import select

from bot.cli.main import main
from models import MeetingSeries, Notification
from services.meetings import agenda
from services.meetings import series as meetings
from tests.conftest import NOW
from tests.slack_harness import SlackBot

DATA = Path(__file__).parent / "data" / "ics"
HOME = "C0APOLLO"


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.fake.add_user("U1", "lead")
    bot.fake.add_user("U2", "lara", tz="Europe/Berlin", locale="de-DE")
    bot.command('project new APOLLO "Apollo" <@U2>')
    bot.command(f"project set APOLLO channel <#{HOME}|apollo>")
    yield bot
    bot.close()


def upload(slack: SlackBot, name: str) -> str:
    """Import a corpus file through the modal as @lara; what she is told afterwards."""
    before = len(slack.fake.of("chat.postMessage"))
    slack.command("meeting import APOLLO", user="U2", channel=HOME, expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[-1].args["view"]
    file = slack.fake.add_file(name.split("/")[-1], (DATA / name).read_bytes())
    resp = slack.submit(view, {"mi_file": {"type": "file_input", "files": [file]}}, user="U2")
    assert resp == {}, resp
    told = slack.wait_for(
        lambda: [
            c.args
            for c in slack.fake.of("chat.postMessage")[before:]
            if c.args.get("channel") == "U2" and "Imported" in c.args.get("text", "")
        ]
    )
    return str(told[0]["text"]) + str(told[0]["blocks"])


def feed_path(slack: SlackBot) -> str:
    """The path of APOLLO's calendar feed, from the link the bot gives."""
    reply = slack.command("ics APOLLO", user="U2")
    said = str(reply.get("text", "")) + str(reply.get("blocks", ""))
    url = next(w for w in said.replace("\\n", " ").split() if "/ics/" in w)
    return url[url.index("/ics/") :]


def test_outlook_display_name_zones_are_honoured(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    said = upload(slack, "node-ical/Office-2012-owa.ics")
    assert "Imported 4 meeting series" in said and "couldn't tell" not in said
    with sessions() as s:
        rows = s.scalars(select(MeetingSeries).order_by(MeetingSeries.starts_at)).all()
        assert {r.timezone for r in rows} == {"America/New_York", "Australia/Canberra"}
        window = (datetime(2020, 10, 1, tzinfo=UTC), datetime(2020, 11, 30, tzinfo=UTC))
        starts = sorted(
            o.start
            for r in rows
            if r.timezone == "America/New_York"
            for o in meetings.expand(r, *window)
        )
    # 13:30 in New York: 17:30Z under EDT (28 Oct), 18:30Z under EST (from 1 Nov).
    assert starts[0] == datetime(2020, 10, 28, 17, 30, tzinfo=UTC)
    assert datetime(2020, 11, 5, 18, 30, tzinfo=UTC) in starts


def test_an_unknowable_zone_is_named_with_the_zone_used(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    said = upload(slack, "allenporter-ical/office_365_invalid_timezone.ics")
    assert "Customized Time Zone" in said and "read in Europe/Berlin" in said  # lara's zone
    with sessions() as s:
        row = s.scalar(select(MeetingSeries))
        assert row is not None and row.timezone == "Europe/Berlin"


def test_a_renamed_occurrence_keeps_its_title_in_the_agenda_and_the_feed(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    slack.clock.now = datetime(2026, 1, 20, tzinfo=UTC)  # imported before the meetings
    upload(slack, "allenporter-ical/recurring_with_single_change.ics")
    with sessions() as s:
        row = s.scalar(select(MeetingSeries))
        assert row is not None
        occs = meetings.expand(
            row, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
        )
        titles = [o.title for o in occs]
        assert titles.count("Edited Title") == 1 and len(titles) == 3
        renamed = next(o for o in occs if o.title == "Edited Title")
    # The agenda goes to the project channel 15 minutes before: under the occurrence's own name.
    with sessions.begin() as s:
        agenda.materialize(s, now=renamed.start - timedelta(minutes=10))
    with sessions() as s:
        payload = s.scalar(
            select(Notification.payload).where(Notification.rule == "meeting_agenda")
        )
    assert payload is not None and payload["digest"]["title"].startswith("Edited Title ·")
    # And in the project's calendar feed.
    status, body = slack.get(feed_path(slack))
    assert status == 200
    feed = Calendar.from_ical(body)
    shown = [
        str(e.get("SUMMARY"))
        for e in recurring_ical_events.of(feed).between(date(2026, 1, 1), date(2026, 3, 1))
    ]
    assert sorted(shown) == sorted(titles)


def test_rdate_periods_keep_their_length_in_the_feed(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    upload(slack, "recurring-ical-events/issue_113_period_in_rdate.ics")
    body = slack.get(feed_path(slack))[1]
    assert "RDATE;VALUE=PERIOD:20231213T200000Z/20231213T230000Z" in body.replace("\r\n ", "")
    feed = Calendar.from_ical(body)
    lengths = {
        e.start.date(): e.end - e.start
        for e in recurring_ical_events.of(feed).between(date(2023, 9, 1), date(2024, 6, 1))
    }
    assert lengths[date(2023, 12, 13)] == timedelta(hours=3)
    assert lengths[date(2023, 11, 15)] == timedelta(hours=2)


def test_holiday_imports_through_the_cli_refuse_meetings_in_plain_words(
    db_url,
    sessions,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["console", "--as", "pat", "-c", "project list"]).exit_code == 0
    timed = str(DATA / "allenporter-ical/google_calendar_invalid_offset.ics")
    out = runner.invoke(main, ["holidays", "import", timed])
    assert out.exit_code == 1
    assert "only timed events" in out.output and "holidays are all-day events" in out.output
    assert "Traceback" not in out.output and "Error:" not in out.output.replace("Error: That", "")
    damaged = str(DATA / "ical4j/twinkle.ics")  # a task dated year -1: not needed, not fatal
    out = runner.invoke(main, ["holidays", "import", damaged])
    assert "Traceback" not in out.output
