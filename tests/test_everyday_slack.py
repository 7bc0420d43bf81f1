"""The everyday commands through /pmo on the real HTTP endpoint, against the fake Slack Web
API: people, your settings, leave by number, one person's items, notes, history, one field
at a time, several items at once, a deliverable's card, a project's next round, and a cut
list's More button (clicked as Slack sends the click)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.slack.ids import ActionId
from models import ActionItem, ActionStatus, LeavePeriod
from tests.conftest import NOW
from tests.fake_slack import validate_blocks
from tests.slack_harness import SlackBot


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    for uid, name in (("U1", "alice"), ("U2", "bob"), ("U3", "carol")):
        bot.fake.add_user(uid, name, tz="Europe/London")
    yield bot
    bot.close()


def shown(reply: dict[str, Any]) -> str:
    validate_blocks(reply.get("blocks", []), limit=50)
    return reply["text"] + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def say(slack: SlackBot, text: str, user: str = "U1") -> str:
    out = shown(slack.command(text, user=user))
    assert ":warning:" not in out, (text, out[:400])
    return out


def test_people_whoami_me_and_leave_by_number(
    slack: SlackBot, sessions: sessionmaker[Session]
) -> None:
    say(slack, 'project new APOLLO "Portal"')
    say(slack, "whoami", user="U2")
    people = say(slack, "people")
    assert "People (2)" in people and "<@U1>" in people and "<@U2>" in people
    assert "PM of `APOLLO`" in people and "PMO lead" in people
    assert "You are <@U1>" in say(slack, "whoami")
    everything = say(slack, "help")  # the whole reference, in sections Slack accepts
    assert "/pmo project list [all] page &lt;n&gt;" in everything
    assert "/pmo me quiet 18:00-08:00" in say(slack, "help me")
    assert "*Your settings*" in say(slack, "me")
    assert "Europe/Paris" in say(slack, "me timezone paris")
    assert "*08:00-16:30*" in say(slack, "me hours 08:00-16:30")
    assert "*Mon-Thu*" in say(slack, "me days mon-thu")
    assert "*19:00-07:00*" in say(slack, "me quiet 19:00-07:00")
    refused = shown(slack.command("me timezone Mars/Base"))
    assert ":warning:" in refused and "is not a time zone I know" in refused

    say(slack, "leave 2026-12-21 to 2026-12-24")
    listed = say(slack, "leave 2027-01-04 to 2027-01-08")
    with sessions() as s:
        first, second = s.scalars(select(LeavePeriod.id).order_by(LeavePeriod.start_on)).all()
    assert f"#{first} Mon 21 Dec" in listed and f"/pmo leave cancel {first}" in listed
    after = say(slack, f"leave cancel {first}")
    assert "Leave cancelled." in after and f"#{second} Mon 4 Jan" in after and "21 Dec" not in after


def test_items_notes_history_fields_several_at_once_and_cards(
    slack: SlackBot, sessions: sessionmaker[Session]
) -> None:
    say(slack, 'project new APOLLO "Portal"')
    say(slack, "whoami", user="U2")
    say(slack, "project add APOLLO <@U2> member")
    for n in range(1, 4):
        say(slack, f'action add APOLLO "Task {n}" <@U2> due:2026-12-0{n}')
    owed = say(slack, "action list <@U2>")
    assert "@bob's open action items (3)" in owed and "Task 3" in owed
    noted = say(slack, 'action note 1 "Waiting for <!channel> legal"', user="U2")
    assert "*Notes*" in noted and "Waiting for &lt;!channel&gt; legal" in noted  # escaped
    assert "<!channel>" not in noted
    say(slack, 'action edit 1 title "Agree the wording"')
    card = say(slack, "action show 1")
    assert "Agree the wording" in card and "*History*" in card and "<!date^" in card
    assert "title Task 1 → Agree the wording" in card and "<@U2> added a note" in card
    assert "✎ _" in say(slack, "action list APOLLO")  # the latest note under the item
    done = say(slack, "action done 1 2", user="U2")
    assert "Marked done 2 items" in done
    assert "Done action items (2)" in say(slack, "action list done")
    failed = shown(slack.command("action done 3 99"))
    assert "There is no action item #99." in failed and "Nothing was changed" in failed
    with sessions() as s:
        assert s.get(ActionItem, 3).status == ActionStatus.OPEN  # type: ignore[union-attr]

    edited = say(slack, "action edit 3 due 2026-12-11")
    assert "Fri 11 Dec" in edited and "due Thu 3 Dec → Fri 11 Dec" in edited
    say(slack, "whoami", user="U3")
    say(slack, "project add APOLLO <@U3> member")
    say(slack, "action edit 3 owner <@U3>")
    assert "owner @bob → @carol" in say(slack, "action show 3")
    say(slack, 'action add "Mine A" due:2026-12-01')
    say(slack, 'action add "Mine B" due:2026-12-02')
    assert "Snoozed 2 items" in say(slack, "action snooze 4 5 next mon")
    assert "Reassigned 2 items" in say(slack, "action assign 4 5 <@U2>")
    assert "Done action items in APOLLO (2)" in say(slack, "action list done APOLLO")

    say(slack, 'deliverable add APOLLO "Beta" <@U2> due:2026-12-01')
    say(slack, "deliverable forecast 1 2026-12-08")
    deliverable = say(slack, "deliverable show 1")
    assert "re-forecast it: forecast Tue 1 Dec → Tue 8 Dec" in deliverable
    say(slack, "project set APOLLO channel <#C0APOLLO1|apollo>")
    project = say(slack, "project show APOLLO")
    assert "Channel: <#C0APOLLO1>" in project and "Next status round: <!date^" in project


def test_a_cut_list_has_a_more_button_that_shows_the_next_page(slack: SlackBot) -> None:
    for n in range(1, 26):
        say(slack, f'action add "Item {n:02d}" due:2026-12-{n:02d}')
    reply = slack.command("action list mine")
    first = shown(reply)
    assert "Your open action items (1-20 of 25)" in first
    assert "Next page: `/pmo action list mine page 2`" in first
    slack.click(reply["blocks"], ActionId.LIST_MORE)
    page = slack.wait_for(lambda: slack.button_replies())[-1]
    second = shown(page)
    assert "Your open action items (21-25 of 25)" in second and "Item 25" in second
    assert "Item 20" not in second and "Next page" not in second
    for n in range(1, 23):
        say(slack, f'project new P{n:02d} "Project {n}"')
    projects = slack.command("project list")
    assert "Projects (1-20 of 22)" in shown(projects)
    slack.click(projects["blocks"], ActionId.LIST_MORE)
    later = slack.wait_for(
        lambda: [
            r
            for r in slack.button_replies()
            if "of 22)" in json.dumps(r) and "21-" in json.dumps(r)
        ]
    )
    assert "P22" in shown(later[-1])
    # A More button can only page through lists: anything else it carries is refused.
    blocks = json.loads(
        json.dumps(reply["blocks"]).replace("action list mine page 2", "admin grant <@U2> admin")
    )
    slack.click(blocks, ActionId.LIST_MORE)
    refused = slack.wait_for(
        lambda: [r for r in slack.button_replies() if "couldn" in json.dumps(r)]
    )
    assert "I couldn't read that button." in json.dumps(refused)


def test_a_time_zone_you_chose_outlives_your_slack_profile(
    slack: SlackBot, sessions: sessionmaker[Session]
) -> None:
    from handlers.slack.runtime import SlackDeps
    from models import Person

    say(slack, "me timezone Asia/Tokyo")
    deps: SlackDeps = slack.deps
    slack.fake.add_user("U1", "alice", tz="America/Chicago")
    slack.clock.now = NOW + timedelta(days=2)  # the profile is read again once a day
    deps.identities._entries.clear()
    say(slack, "whoami")
    with sessions() as s:
        tz = s.scalar(select(Person.timezone).where(Person.external_id == "U1"))
    assert tz == "Asia/Tokyo"
    say(slack, "me timezone auto")  # back to the profile's zone at the next refresh
    slack.clock.now = NOW + timedelta(days=4)
    deps.identities._entries.clear()
    say(slack, "whoami")
    with sessions() as s:
        tz = s.scalar(select(Person.timezone).where(Person.external_id == "U1"))
    assert tz == "America/Chicago"


def test_notes_longer_than_slacks_input_survive_the_edit_form(
    slack: SlackBot, sessions: sessionmaker[Session]
) -> None:
    """Notes grow to 4,000 characters with `action note`, more than a Slack input holds
    (3,000): the edit form shows them cut and says so; saved with the notes left as shown,
    the whole notes stay and the other changes are saved; notes changed in the box replace
    them."""
    say(slack, 'action add "Plan the launch"')
    for n in range(7):
        say(slack, f'action note 1 "{n}{"x" * 480}"')
    with sessions() as s:
        item = s.get(ActionItem, 1)
        assert item is not None and len(item.notes) > 3000
        notes = item.notes
    assert slack.command("action edit 1", expect_reply=False) == {}
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[-1].args["view"]
    box = next(b for b in view["blocks"] if b["block_id"] == "notes")
    assert f"of its {len(notes):,} characters" in box["hint"]["text"]
    values = {
        "title": {"type": "plain_text_input", "value": "Plan the launch party"},
        "owner": {"type": "users_select", "selected_user": "U1"},
        "due": {"type": "datepicker", "selected_date": None},
        "notes": {"type": "plain_text_input", "value": box["element"]["initial_value"]},
    }
    assert slack.submit(view, values) == {}
    with sessions() as s:
        item = s.get(ActionItem, 1)
        assert item is not None and item.title == "Plan the launch party" and item.notes == notes
    values["notes"] = {"type": "plain_text_input", "value": "Shorter notes"}
    assert slack.submit(view, values) == {}
    with sessions() as s:
        item = s.get(ActionItem, 1)
        assert item is not None and item.notes == "Shorter notes"
