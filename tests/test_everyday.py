"""The commands a PMO reaches for daily, in the console: people, your own settings, leave by
number, one person's items, done ones, pages, an item's history, one field at a time, notes,
several items at once, a deliverable's card, a project's channel, RAG and next round.
(tests/test_everyday_slack.py runs the same commands through /pmo.)"""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.console.channel import ConsoleChannel
from handlers.console.help import quick_help
from handlers.console.render import render
from models import ActionItem, ActionStatus, LeavePeriod, Person
from services.commands.help import ENTRIES, TOPICS, entries_for
from services.commands.results import HelpResult
from tests.conftest import NOW


@pytest.fixture
def console(sessions: sessionmaker[Session]) -> ConsoleChannel:
    """The console on Monday 23 Nov 2026 12:00 UTC; @pat (first) is admin and PMO lead."""
    c = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    ok(c, "pat", 'project new APOLLO "Portal"')
    for who in ("tom", "maria"):
        ok(c, who, "whoami")  # first use: they exist
    ok(c, "pat", "project add APOLLO @tom member")
    return c


def ok(c: ConsoleChannel, who: str, text: str) -> str:
    reply = c.run(who, text)
    assert reply.ok, (text, reply.text)
    return reply.text


def bad(c: ConsoleChannel, who: str, text: str) -> str:
    reply = c.run(who, text)
    assert not reply.ok, (text, reply.text)
    assert "Traceback" not in reply.text and "went wrong on my side" not in reply.text
    return reply.text


def person(sessions: sessionmaker[Session], handle: str) -> Person:
    with sessions() as s:
        found = s.scalar(select(Person).where(Person.handle == handle))
        assert found is not None
        return found


def test_people_whoami_and_your_own_settings(
    console: ConsoleChannel, sessions: sessionmaker[Session]
) -> None:
    people = ok(console, "tom", "people")
    assert "People (3):" in people and "@maria" in people
    assert "admin; PMO lead; PM of APOLLO" in people  # pat's roles, as anyone sees them
    assert "You are @tom (Tom) — member." in ok(console, "tom", "whoami")
    assert "admin; PMO lead; PM of APOLLO" in ok(console, "pat", "whoami")

    wrong = bad(console, "tom", "me timezone Lodnon")
    assert "'Lodnon' is not a time zone I know." in wrong and "Did you mean Europe/London?" in wrong
    assert "time zone     Europe/London" in ok(console, "tom", "me timezone london")
    assert "working hours 08:00-16:30" in ok(console, "tom", "me hours 8:00 to 4:30pm")
    assert "working days  Sun-Thu" in ok(console, "tom", "me days sun-thu")
    assert "quiet hours   18:00-08:00" in ok(console, "tom", "me quiet 18:00-08:00")
    covered = bad(console, "tom", "me quiet 07:00-19:00")
    assert "cover your whole working day (08:00-16:30)" in covered
    assert "18:00-08:00" in ok(console, "tom", "me")  # the refused change left nothing behind
    tom = person(sessions, "tom")
    assert (tom.timezone, tom.working_days, tom.work_start, tom.work_end) == (
        "Europe/London", "12347", time(8), time(16, 30),
    )  # fmt: skip
    assert (tom.quiet_start, tom.quiet_end) == (time(18), time(8))
    assert "quiet hours   none" in ok(console, "tom", "me quiet off")
    assert "`me` has no `colour`" in bad(console, "tom", "me colour blue")


def test_leave_is_listed_by_number_and_one_period_can_be_cancelled(
    console: ConsoleChannel, sessions: sessionmaker[Session]
) -> None:
    ok(console, "tom", "leave 2026-12-21 to 2026-12-24")
    listed = ok(console, "tom", "leave 2027-01-04 to 2027-01-08")
    with sessions() as s:
        first, second = s.scalars(select(LeavePeriod.id).order_by(LeavePeriod.start_on)).all()
    assert f"#{first} Mon 21 Dec → Thu 24 Dec" in listed and f"#{second} Mon 4 Jan" in listed
    assert f"leave cancel {first}" in listed
    assert "no current or upcoming leave #" in bad(console, "maria", f"leave cancel {first}")
    after = ok(console, "tom", f"leave cancel {first}")
    assert "Leave cancelled." in after and "21 Dec" not in after and f"#{second}" in after
    with sessions() as s:
        assert s.scalars(select(LeavePeriod.id)).all() == [second]


def test_items_one_persons_done_paged_noted_edited_and_several_at_once(
    console: ConsoleChannel, sessions: sessionmaker[Session]
) -> None:
    for n in range(1, 26):
        ok(console, "pat", f'action add APOLLO "Task {n:02d}" @tom due:2026-12-{n:02d}')
    ok(console, "pat", 'action add "Pat\'s own" due:friday')
    first = ok(console, "pat", "action list @tom")
    assert "@tom's open action items (1-20 of 25):" in first
    assert "… and 5 more: action list @tom page 2" in first  # a cut list says how to go on
    second = ok(console, "pat", "action list @tom page 2")
    assert "(21-25 of 25)" in second and "Task 25" in second and "Task 20" not in second
    assert "there is no such page" in ok(console, "pat", "action list @tom page 9")
    assert "(1-20 of 25)" in ok(console, "tom", "mine")
    assert "(21-25 of 25)" in ok(console, "tom", "mine page 2")

    noted = ok(console, "tom", 'action note 3 "Waiting for legal"')
    assert "Notes:\n    2026-11-23 @tom: Waiting for legal" in noted
    assert "✎ 2026-11-23 @tom: Waiting for legal" in ok(console, "tom", "mine")  # in lists
    ok(console, "pat", 'action edit 3 title "Agree the legal wording"')
    ok(console, "pat", "action edit 3 due fri")
    edited = ok(console, "pat", "action edit 3 owner @maria")
    assert "#3 Agree the legal wording · @maria · APOLLO · Fri 27 Nov" in edited
    card = ok(console, "pat", "action show 3")
    assert "History:" in card and "@pat created it" in card and "@tom added a note" in card
    assert "title Task 03 → Agree the legal wording" in card
    assert "due Thu 3 Dec → Fri 27 Nov" in card and "owner @tom → @maria" in card
    assert "An action item has no field `colour`" in bad(console, "pat", "action edit 3 colour red")

    done = ok(console, "tom", "action done 1 2 4")
    assert "Marked done 3 items:" in done and "#4 Task 04" in done
    listed = ok(console, "pat", "action list done APOLLO")
    assert "Done action items in APOLLO (3):" in listed
    assert listed.index("#4 Task 04") < listed.index("#1 Task 01")  # most recent first
    # One failure changes nothing: #5 stays open, and the message names the culprit.
    failed = bad(console, "tom", "action done 5 999")
    assert "There is no action item #999." in failed and "Nothing was changed" in failed
    with sessions() as s:
        assert s.get(ActionItem, 5).status == ActionStatus.OPEN  # type: ignore[union-attr]
    snoozed = ok(console, "tom", "action snooze 5,6 next mon")
    assert "Snoozed 2 items" in snoozed and "snoozed until Mon 30 Nov" in snoozed
    assert "Reassigned 2 items" in ok(console, "pat", "action assign 7 8 @maria")
    assert "Moved the due date of 2 items" in ok(console, "pat", "action due 7 8 2026-12-31")
    # Maria may not close what is neither hers nor her project's.
    assert "can't change action item #9" in bad(console, "maria", "action done 9 10")


def test_a_deliverables_card_and_a_projects_channel_rag_and_next_round(
    console: ConsoleChannel,
) -> None:
    ok(console, "pat", 'deliverable add APOLLO "Beta" @tom due:2026-12-01')
    ok(console, "pat", "deliverable forecast 1 2026-12-08")
    card = ok(console, "tom", "deliverable show 1")
    assert "#1 Beta · @tom · planned" in card and "slipped +7 days" in card
    assert "@pat re-forecast it: forecast Tue 1 Dec → Tue 8 Dec" in card
    assert "There is no deliverable #9." in bad(console, "tom", "deliverable show 9")
    ok(console, "pat", "project set APOLLO channel #apollo")
    ok(console, "pat", 'status APOLLO green "On track"')
    ok(console, "pat", "me timezone Europe/London")
    shown = ok(console, "pat", "project show APOLLO")
    assert "Channel: #apollo · Latest status: green (2026-W48)" in shown
    # Thu 10:00 in the PM's (Pat's) zone, shown in the reader's zone.
    assert "Next status round: Thu 26 Nov 10:00 your time" in shown
    ok(console, "maria", "me timezone America/New_York")
    assert "Next status round: Thu 26 Nov 05:00 your time" in ok(
        console, "maria", "project show APOLLO"
    )


def test_help_fits_80_columns_and_every_topic_has_content() -> None:
    everything = render(HelpResult(None, list(ENTRIES), "Dates…"))
    assert all(len(line) <= 80 for line in everything.splitlines())
    for topic in TOPICS:
        text = quick_help(f"help {topic}")
        assert text is not None, topic
        assert len(text.splitlines()) > 2, topic  # more than its heading
        assert all(len(line) <= 80 for line in text.splitlines()), topic
        assert topic == "dates" or entries_for(topic), topic
    for alias, topic in (("me", "people"), ("report", "status"), ("settings", "admin"),
                         ("ics", "meeting")):  # fmt: skip
        assert quick_help(f"help {alias}") == quick_help(f"help {topic}")
    assert quick_help("help nonsense") is None  # the full path answers, with a suggestion


def test_times_and_plurals_read_naturally(console: ConsoleChannel) -> None:
    ok(console, "pat", "me timezone Asia/Kolkata")
    meeting = ok(console, "pat", 'meeting new APOLLO "Weekly sync" weekly on tue 10:00')
    assert "next Tue 24 Nov 10:00 your time" in meeting and "UTC" not in meeting
    assert "due        the next day at 12:00" in ok(console, "pat", "status settings APOLLO")
    ok(console, "pat", "ics")
    assert "Revoked 1 calendar link." in ok(console, "pat", "ics revoke")


def test_a_long_project_register_is_paged(console: ConsoleChannel) -> None:
    for n in range(1, 25):
        ok(console, "pat", f'project new P{n:02d} "Project {n}"')
    first = ok(console, "tom", "project list")
    assert first.startswith("Projects (1-20 of 25):") and "P19" in first and "P20" not in first
    assert "… and 5 more: project list page 2" in first
    second = ok(console, "tom", "project list page 2")
    assert "(21-25 of 25)" in second and "P24" in second and "APOLLO" not in second
    assert "more" not in second
