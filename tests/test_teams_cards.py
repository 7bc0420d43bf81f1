"""Every result kind renders as a valid Adaptive Card 1.5 with a text fallback, under 28 KB.

The results come from real commands run through the chat edge (as the console runs them);
the renderer's match ends in assert_never, so a new result kind fails type-checking, and
this test says which kinds the commands below reach.
"""

from __future__ import annotations

import json
from typing import get_args

from sqlalchemy.orm import Session, sessionmaker

from handlers.chat.dispatch import run_command
from handlers.console.channel import ConsoleChannel
from handlers.teams import cards
from services.commands.results import Result
from services.core.errors import DomainError
from tests.conftest import NOW
from tests.fake_teams import MAX_BYTES, validate_card

COMMANDS = [
    ("pat", "help"),
    ("pat", "help action"),
    ("pat", 'project new APOLLO "Apollo" @pat'),
    ("pat", "project add APOLLO @kim member"),
    ("pat", "project list"),
    ("pat", "project show APOLLO"),
    ("pat", 'action add APOLLO "Draft the plan" @kim due:2026-11-20'),
    ("pat", 'action add APOLLO "Book the room" due:2026-11-30'),
    ("pat", "action list mine"),
    ("pat", "action list APOLLO"),
    ("pat", "action show 2"),
    ("pat", "action snooze 2 2026-11-26"),
    ("pat", "action done 2 1"),
    ("pat", "action edit 2"),
    ("pat", 'deliverable add APOLLO "Plan v1" 2026-12-04'),
    ("pat", "deliverable list APOLLO"),
    ("pat", "leave 2026-12-21 to 2026-12-24"),
    ("pat", "leave"),
    ("pat", "admin roles"),
    ("pat", "admin grant @kim pmo_lead"),
    ("pat", "settings"),
    ("pat", "digest"),
    ("pat", "status APOLLO"),
    ("pat", "status show APOLLO"),
    ("pat", "status settings APOLLO"),
    ("pat", "report"),
    ("pat", "report stats"),
    ("pat", 'minutes start APOLLO "Weekly"'),
    ("pat", "minutes list"),
    ("pat", "meeting list APOLLO"),
    ("pat", "ics"),
    ("pat", "people"),
    ("pat", "me"),
    ("pat", "me dates"),
    ("pat", 'risk add APOLLO "Vendor late"'),
    ("pat", "raid list APOLLO"),
    ("pat", "raid settings"),
    ("pat", "raci APOLLO"),
    ("pat", "register"),
    ("pat", "phases APOLLO"),
    ("pat", "depend list"),
    ("pat", "doc list APOLLO"),
    ("pat", 'deliverable add APOLLO "Plan v2" due:2026-12-04'),
    ("pat", "deliverable show 1"),
    ("pat", "action show 1"),
    ("pat", "action reopen 1 2"),
    ("pat", "new"),
    ("pat", 'risk add APOLLO "Vendor late" p:4 i:4'),
    ("pat", "raid show 1"),
    ("pat", "raid settings"),
    ("pat", "raci set APOLLO R @kim A @pat"),
    ("pat", "raci export APOLLO"),
    ("pat", "admin revoke @kim pmo_lead"),
    ("pat", "project phases"),
    ("pat", 'project new HERMES "Hermes" @pat'),
    ("pat", 'depend APOLLO on HERMES "API ready" by:2026-12-10'),
    ("pat", 'doc add APOLLO "Charter" https://example.com/c v:1.0'),
    ("pat", "minutes export 1"),
    ("pat", "register APOLLO"),
    ("pat", "project register"),
    ("pat", 'meeting add APOLLO "Weekly" every monday 10:00'),
]


def test_every_result_kind_renders_as_a_valid_card_under_28_kb(
    sessions: sessionmaker[Session],
) -> None:
    console = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    console.run("kim", "help")
    seen: set[str] = set()
    for who, text in COMMANDS:
        try:
            outcome = run_command(console.core, console.turn(who), text)
        except DomainError:
            continue
        if outcome.result is None:
            continue
        shown = cards.render(outcome.result)
        assert shown, text
        for c in shown:
            validate_card(c.content)
            activity = {"type": "message", "attachments": [c.attachment()], "summary": c.text}
            assert len(json.dumps(activity).encode()) < MAX_BYTES, text
            assert c.text.strip() and c.content.get("fallbackText"), text
        seen.add(type(outcome.result).__name__)
    kinds = {t.__name__ for t in get_args(Result)}
    print(f"reached {len(seen)} of {len(kinds)} result kinds; not reached: {sorted(kinds - seen)}")
    assert len(seen) >= 35, sorted(kinds - seen)


def test_a_very_long_answer_is_split_over_cards_each_under_28_kb() -> None:
    text = "\n".join(f"#{i} an item with a long enough title to take room ✓" for i in range(3000))
    shown = cards.text_cards(text, [cards.command_button("My items", "action list mine")])
    assert len(shown) > 3
    for c in shown:
        validate_card(c.content)
        assert len(json.dumps({"attachments": [c.attachment()]}).encode()) < MAX_BYTES
    assert "".join(c.text for c in shown).count("#") == 3000
    assert "actions" in shown[-1].content and "actions" not in shown[0].content


def test_a_status_nudge_has_a_submit_update_button_that_opens_the_form() -> None:
    from datetime import date

    from handlers.teams.notifier import bundle_cards
    from services.outbox.kinds import DigestKind
    from services.outbox.port import Bundle, Digest

    nudge = Digest(
        DigestKind.STATUS_NUDGE,
        "Status update due for APOLLO",
        date(2026, 11, 27),
        [],
        project_key="APOLLO",
    )
    shown = bundle_cards(Bundle("teams", "t1", "ana", "UTC", date(2026, 11, 27), digests=[nudge]))
    validate_card(shown[-1].content)
    button = shown[-1].content["actions"][0]
    assert button["title"] == "Submit update"
    assert button["data"]["msteams"] == {"type": "task/fetch"}
    assert (button["data"]["dialog"], button["data"]["project"]) == ("status", "APOLLO")
    assert "APOLLO" in shown[0].text


def test_a_channel_digest_opens_with_its_own_words_not_the_channel_id() -> None:
    """Teams channel ids hold colons (`19:…@thread.tacv2`): the console's address line is
    dropped whole, not cut at the first colon (it used to open with `…@thread.tacv2:`)."""
    from datetime import date

    from handlers.teams.notifier import bundle_cards
    from services.outbox.kinds import DigestKind
    from services.outbox.port import Bundle, Digest

    weekly = Digest(DigestKind.PROJECT, "APOLLO: the week ahead", date(2026, 11, 30), [])
    channel = "19:abc123def@thread.tacv2"
    bundle = Bundle("teams", "t1", channel, "UTC", date(2026, 11, 30), digests=[weekly],
                    to_channel=True)  # fmt: skip
    text = "".join(c.text for c in bundle_cards(bundle))
    assert "thread.tacv2" not in text and "19:" not in text, text
    assert "APOLLO" in text and "the week ahead" in text
    dm = Bundle("teams", "t1", "ana", "UTC", date(2026, 11, 30), digests=[weekly])
    assert "@ana" not in "".join(c.text for c in bundle_cards(dm))


def test_my_work_stays_one_valid_card_under_28_kb_however_much_is_on_it() -> None:
    from datetime import date

    from handlers.teams.home import home_card
    from models.enums import ActionStatus, DeliverableStatus, ProjectState
    from services.core.views import ActionItemView, DeliverableView, Page, PersonRef, ProjectView
    from services.workspace.home import HomeData

    me = PersonRef(id=1, external_id="ana", handle="ana", display_name="Ana")
    long = "x" * 300
    items = [
        ActionItemView(
            i, f"{long} {i}", ActionStatus.OPEN, me, "P1", date(2026, 11, i % 28 + 1), None, None
        )
        for i in range(15)
    ]
    projects = [
        ProjectView(i, f"P{i}", f"{long} {i}", ProjectState.ACTIVE, False, rag="red")
        for i in range(200)
    ]
    deliverables = [
        DeliverableView(
            i,
            f"{long} {i}",
            "P1",
            me,
            date(2026, 12, 1),
            date(2026, 12, 2),
            DeliverableStatus.PLANNED,
        )
        for i in range(200)
    ]
    data = HomeData(date(2026, 11, 23), Page(items, total=40, size=15), projects, deliverables)
    shown = home_card(data)
    validate_card(shown.content)
    assert len(json.dumps({"attachments": [shown.attachment()]}).encode()) < MAX_BYTES
    assert "… and 175 more" in json.dumps(shown.content, ensure_ascii=False)
    overdue_first = [b for b in shown.content["body"] if b["type"] == "ColumnSet"]
    assert "overdue" in overdue_first[0]["columns"][0]["items"][0]["text"]


def test_a_formatted_teams_message_reads_as_the_command_typed() -> None:
    from handlers.teams.identity import command_text

    activity = {
        "text": "<p><at>PMO Bot</at> action add &quot;Fix A&amp;B&quot;&nbsp;<at>Ben Li</at></p>",
        "recipient": {"id": "28:bot"},
        "entities": [
            {"type": "mention", "text": "<at>PMO Bot</at>", "mentioned": {"id": "28:bot"}}
        ],
    }
    assert command_text(activity) == 'action add "Fix A&B" <at>Ben Li</at>'
