"""Notices that ask for a decision carry their buttons in Teams as in Slack (one neutral table,
handlers/chat/notices.py): a dependency request's Accept is a Universal Action that records the
same rows as Slack's button and turns the card into what it did; Propose another date opens a
dialog from the same form; several notices in one message each get their own buttons."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.chat import notices
from handlers.slack.digests.render import digest_buttons
from handlers.teams.notifier import bundle_cards
from models import Dependency, DependencyState
from services.outbox.kinds import DigestKind
from services.outbox.port import Bundle, Digest
from tests.conftest import NOW
from tests.fake_teams import validate_card
from tests.teams_harness import TeamsBot
from tests.test_teams_dialogs import dialog_card, submit


@pytest.fixture
def teams(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TeamsBot]:
    bot = TeamsBot(engine, sessions, NOW)
    bot.names.update({"ana": "Ana Ruiz", "ben": "Ben Li"})
    bot.say("ana", 'project new APOLLO "Apollo"')
    bot.say("ben", 'project new HERMES "Hermes"')
    yield bot
    bot.close()


def buttons_to(teams: TeamsBot, conv: str) -> list[dict[str, Any]]:
    """The buttons of every card sent to a conversation, oldest first."""
    found = []
    for sent in teams.fake.to(conv):
        for card in sent.cards:
            validate_card(card)
            found += card.get("actions") or []
    return found


def ask(teams: TeamsBot, sessions: sessionmaker[Session]) -> int:
    teams.say("ana", 'depend APOLLO on HERMES "API v2 in staging" by:2026-12-10')
    teams.settle()
    with sessions() as s:
        dep = s.scalars(select(Dependency)).one()
        assert dep.state == DependencyState.PROPOSED
        return dep.id


def test_accept_on_a_dependency_request_in_teams_records_the_agreement(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    dep_id = ask(teams, sessions)
    shown = {b["title"]: b for b in buttons_to(teams, "a:dm-ben")}
    assert {"Accept", "Propose another date", "Decline"} <= set(shown), list(shown)
    accept = shown["Accept"]
    assert accept["type"] == "Action.Execute" and accept["style"] == "positive"
    assert shown["Propose another date"]["data"]["msteams"] == {"type": "task/fetch"}
    # Someone with no say over HERMES clicking it (a forwarded card) is refused in words.
    teams.say("cat", "help")
    refused = teams.click("cat", accept["verb"], accept["data"])
    assert refused["type"] == "application/vnd.microsoft.activity.message", refused
    assert "HERMES" in refused["value"] or "PM" in refused["value"], refused
    with sessions() as s:
        assert s.get(Dependency, dep_id).state == DependencyState.PROPOSED  # type: ignore[union-attr]
    answer = teams.click("ben", accept["verb"], accept["data"])
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    validate_card(answer["value"])
    assert "accept" in str(answer["value"]).lower()
    assert not answer["value"].get("actions")  # the card no longer offers the decision
    with sessions() as s:
        dep = s.get(Dependency, dep_id)
        assert dep is not None and dep.state == DependencyState.ACCEPTED


def test_propose_another_date_opens_the_same_form_and_records_the_counter_proposal(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    dep_id = ask(teams, sessions)
    propose = next(b for b in buttons_to(teams, "a:dm-ben") if b["title"].startswith("Propose"))
    content = dialog_card(teams.invoke("ben", "task/fetch", {"data": propose["data"]}))
    ids = [b.get("id") for b in content["body"] if b.get("id")]
    assert ids, content
    values = {b["id"]: str(b.get("value") or "") for b in content["body"] if b.get("id")}
    date_field = next(i for i in ids if "date" in i or "on" in i or "by" in i)
    done = submit(teams, "ben", content, {**values, date_field: "2026-12-17"})
    assert done["task"]["type"] == "message", done
    with sessions() as s:
        dep = s.get(Dependency, dep_id)
        assert dep is not None and dep.proposed_on == date(2026, 12, 17)


def test_the_neutral_buttons_are_slacks_buttons_for_every_notice_kind() -> None:
    """One table for every channel: the labels Teams shows are the ones Slack shows."""
    refs = {
        DigestKind.RAID_OFFER: "issue:4",
        DigestKind.DOCUMENT_REVIEW: "3:2",
        DigestKind.GATE_REQUEST: "APOLLO:build",
    }
    for kind in DigestKind:
        d = Digest(kind, "A notice", date(2026, 12, 1), [], project_key="APOLLO",
                   ref=refs.get(kind, "7"))  # fmt: skip
        ours = [b.label for b in notices.buttons(d)]
        slack = [
            e["text"]["text"]
            for block in digest_buttons(d)
            for e in block.get("elements", [])
            if e.get("type") == "button"
        ]
        if kind in (DigestKind.STATUS_NUDGE,):
            continue  # the nudge's Submit update is each channel's form button
        assert ours == slack, (kind, ours, slack)
        for b in notices.buttons(d):
            notices.action(b.key, b.ref)  # every button maps to an action


def test_several_notices_in_one_message_each_get_their_own_buttons() -> None:
    day = date(2026, 12, 1)
    bundle = Bundle("teams", "t1", "ben", "UTC", day, digests=[
        Digest(DigestKind.DEPENDENCY_REQUEST, "APOLLO needs API v2", day, [], ref="1"),
        Digest(DigestKind.SIGNOFF_REQUEST, "Sign off the design pack", day, [], ref="2"),
    ])  # fmt: skip
    shown = bundle_cards(bundle)
    for c in shown:
        validate_card(c.content)
    titled = [(c.text, [a["title"] for a in c.content.get("actions") or []]) for c in shown]
    assert any("API v2" in t and "Accept" in a for t, a in titled), titled
    assert any("design pack" in t and "Sign off" in a for t, a in titled), titled
