"""Dates through the channels: the person's date order (Slack locale, `me dates`, the workspace
setting), refusals that save nothing, multi-word dates, and confirmations in words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.console.channel import ConsoleChannel
from models import ActionItem, AuditEvent, Deliverable, Person
from tests.conftest import NOW
from tests.slack_harness import SlackBot

TODAY = NOW.date()  # Monday 23 November 2026


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.fake.add_user("U1", "amy", tz="America/New_York", locale="en-US")
    bot.fake.add_user("U2", "dora", tz="Europe/Berlin", locale="de-DE")
    bot.fake.add_user("U3", "kenji", tz="Asia/Tokyo", locale="ja-JP")
    yield bot
    bot.close()


@pytest.fixture
def console(sessions: sessionmaker[Session]) -> ConsoleChannel:
    return ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)


def text_of(reply: dict) -> str:
    return reply.get("text", "") + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def items(sessions: sessionmaker[Session]) -> list[tuple[str, date | None]]:
    with sessions() as s:
        return [(i.title, i.due_on) for i in s.scalars(select(ActionItem).order_by(ActionItem.id))]


def test_slack_locale_sets_the_date_order(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    # An en-US person: 12/31 is 31 December, and the confirmation says so in words.
    reply = slack.command('action add "Pay the vendor" due:12/31', user="U1")
    assert "Thu 31 Dec" in text_of(reply)
    assert slack.fake.of("users.info")[0].args.get("include_locale") in ("1", "true", True)
    # A de-DE person: 12/31 is refused with the date they probably meant; nothing is saved.
    reply = slack.command('action add "Pay the vendor" due:12/31', user="U2")
    said = text_of(reply)
    assert "There is no month 31 — did you mean 31/12 (Thursday 31 December 2026)?" in said
    assert "/pmo me dates MDY" in said
    # A ja-JP person writes month/day too.
    slack.command('action add "Book hall" due:12/5', user="U3")
    assert items(sessions) == [
        ("Pay the vendor", date(2026, 12, 31)),
        ("Book hall", date(2026, 12, 5)),
    ]
    with sessions() as s:
        locales = {h: loc for h, loc in s.execute(select(Person.handle, Person.locale))}
    assert locales == {"amy": "en-US", "dora": "de-DE", "kenji": "ja-JP"}


def test_me_dates_overrides_the_locale_in_slack(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    shown = text_of(slack.command("me dates", user="U2"))
    assert "DMY" in shown and "23/11/2026" in shown and "de-DE" in shown
    changed = text_of(slack.command("me dates MDY", user="U2"))
    assert "Saved" in changed and "11/23/2026" in changed
    slack.command('action add "Pay" due:12/31', user="U2")
    assert items(sessions) == [("Pay", date(2026, 12, 31))]
    assert "is not a date order" in text_of(slack.command("me dates DM", user="U2"))
    back = text_of(slack.command("me dates auto", user="U2"))
    assert "DMY" in back and "from your Slack language" in back
    with sessions() as s:
        audited = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "date_order")
        )
    assert audited == 2


def test_refused_dates_save_nothing_in_slack(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    for text, said in [
        ('action add "A" due:12', "is a number, not a date"),
        ('action add "B" due:-3', "is a number, not a date"),
        ('action add "C" due:yesterday', "was yesterday; a due date can't be in the past"),
        ('action add "D" due:in -3 days', "was 3 days ago"),
        ('action add "E" due:2/30', "There is no 30 February"),
        ('action add "F" due:in 7 years', "more than 5 years away"),
    ]:
        reply = text_of(slack.command(text, user="U1"))
        assert said in reply, (text, reply)
        assert "Traceback" not in reply and "Error" not in reply.split(":warning:")[0]
    assert items(sessions) == []


def test_multi_word_dates_wherever_a_date_goes_in_slack(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    reply = slack.command("action add due:in 3 days Send the plan", user="U2")
    assert "Thu 26 Nov" in text_of(reply) and "in 3 days" in text_of(reply)
    with sessions() as s:
        item_id = s.scalar(select(ActionItem.id))
    reply = slack.command(f"action snooze {item_id} next monday", user="U2")
    assert "Snoozed" in text_of(reply) or "snoozed" in text_of(reply)
    reply = slack.command(f"action due {item_id} end of next month", user="U2")
    assert "Thu 31 Dec" in text_of(reply)
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        assert item is not None
        assert (item.title, item.snoozed_until, item.due_on) == (
            "Send the plan",
            date(2026, 11, 30),
            date(2026, 12, 31),
        )


def test_the_item_modal_refuses_a_bare_number_on_its_field(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command("action add", user="U1", expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[0].args["view"]
    due_block = next(b["block_id"] for b in view["blocks"] if b["block_id"].endswith("due"))
    title_block = next(b["block_id"] for b in view["blocks"] if b["block_id"].endswith("title"))
    resp = slack.submit(
        view,
        {
            title_block: {"type": "plain_text_input", "value": "Call the bank"},
            due_block: {"type": "plain_text_input", "value": "12"},
        },
        user="U1",
    )
    assert resp["response_action"] == "errors"
    assert "is a number, not a date" in resp["errors"][due_block]
    assert items(sessions) == []


def test_console_dates_refusals_and_order(console: ConsoleChannel, sessions) -> None:  # type: ignore[no-untyped-def]
    assert console.run("pat", 'project new APOLLO "Apollo"').ok
    bad = console.run("pat", 'deliverable add APOLLO "Beta" due:12/31')
    assert not bad.ok and "did you mean 31/12" in bad.text and "Traceback" not in bad.text
    past = console.run("pat", 'deliverable add APOLLO "Beta" due:20 Nov')
    assert not past.ok and "Friday 20 November 2026 was 3 days ago" in past.text
    assert "For next year's, write 20 Nov 2027." in past.text
    ok = console.run("pat", 'deliverable add APOLLO "Beta" due:31/12')
    assert ok.ok and "Thu 31 Dec" in ok.text
    assert console.run("pat", "me dates MDY").ok
    ok = console.run("pat", "minutes action @pat due:in 3 days Send the plan")  # no minutes open
    assert not ok.ok and "minutes" in ok.text.lower()
    ok = console.run("pat", 'action add "Order badges" due:1/15/2027')
    assert ok.ok and "Fri 15 Jan 2027" in ok.text
    with sessions() as s:
        assert s.scalar(select(Deliverable.forecast_on)) == date(2026, 12, 31)
    assert items(sessions) == [("Order badges", date(2027, 1, 15))]


def test_workspace_date_order_is_the_fallback(console: ConsoleChannel, sessions) -> None:  # type: ignore[no-untyped-def]
    assert console.run("pat", "help").ok  # the console's first person is its admin
    shown = console.run("pat", "settings")
    assert "Date order (for people whose platform gives none): DMY" in shown.text
    changed = console.run("pat", "settings date_order MDY")
    assert changed.ok and "Date order (for people whose platform gives none): MDY" in changed.text
    assert console.run("pat", 'action add "X" due:12/31').ok
    assert items(sessions) == [("X", date(2026, 12, 31))]
    refused = console.run("pat", "settings date_order DDD")
    assert not refused.ok and "is not a date order" in refused.text
    # leave may look back (recording leave taken); a due date may not
    assert console.run("pat", "leave 11/20 to 11/27").ok  # started last Friday
    assert not console.run("pat", f'action add "Y" due:{(TODAY - timedelta(days=1)):%m/%d}').ok


def test_one_line_project_dates_confirm_in_words(console: ConsoleChannel) -> None:
    assert console.run("pat", 'project new APOLLO "Apollo"').ok
    target = console.run("pat", "project set APOLLO target 31/12")
    assert target.ok and "Thursday 31 December 2026" in target.text
    start = console.run("pat", "project set APOLLO start last monday")  # a start may be past
    assert start.ok and "Monday 16 November 2026 → Thursday 31 December 2026" in start.text
    late = console.run("pat", "project set APOLLO target yesterday")
    assert not late.ok and "was yesterday" in late.text
