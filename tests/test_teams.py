"""Teams at the HTTP boundary: activities posted to the real /api/messages as Teams posts
them, a fake Bot Connector as the serviceUrl the bot calls back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from models import ActionItem, Person, TeamsConversation, WorkspaceRole
from tests.conftest import NOW
from tests.teams_harness import TeamsBot


@pytest.fixture
def teams(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TeamsBot]:
    bot = TeamsBot(engine, sessions, NOW)
    yield bot
    bot.close()


def test_a_request_without_a_valid_bearer_gets_401_outside_anonymous_mode(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    env = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "00000000-0000-0000-0000-000000000001",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "not-used",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": "tenant-1",
    }
    bot = TeamsBot(engine, sessions, NOW, env=env)
    try:
        assert bot.say("ana", "help")[0] == 401
        assert bot.post(bot.activity("ana", text="help"), bearer="not.a.jwt")[0] == 401
        assert bot.fake.sent == []
        with sessions() as s:
            assert s.scalar(select(Person)) is None  # nothing ran, nothing stored
    finally:
        bot.close()


def test_anonymous_mode_still_refuses_a_bad_bearer(teams: TeamsBot) -> None:
    assert teams.post(teams.activity("ana", text="help"), bearer="forged")[0] == 401
    assert teams.fake.sent == []


def test_help_in_the_personal_chat_answers_with_a_card_and_makes_the_first_person_admin(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    status, _ = teams.say("ana", "help")
    assert status == 202
    sent = teams.fake.to("a:dm-ana")
    assert sent and sent[-1].cards, "help comes back as a card in the personal chat"
    assert "action" in sent[-1].text.lower()
    with sessions() as s:
        ana = s.scalar(select(Person).where(Person.external_id == "ana"))
        assert ana is not None and ana.timezone == "Europe/London" and ana.display_name == "Ana"
        roles = {r.role.value for r in s.scalars(select(WorkspaceRole))}
        assert roles == {"admin", "pmo_lead"}
        conv = s.scalar(select(TeamsConversation))
        assert conv is not None and conv.kind == "personal" and conv.person_id == ana.id


CHAN = "19:apollo@thread.tacv2"


def _setup_project(teams: TeamsBot) -> None:
    teams.names.update({"ana": "Ana Ruiz", "ben": "Ben Li"})
    teams.say("ana", "help")  # Ana first: the tenant's admin and PMO lead
    teams.say("ben", "help")
    teams.say("ana", 'project new APOLLO "Apollo"', conv=CHAN)
    teams.say(
        "ana", "project add APOLLO <at>Ben Li</at> member", conv=CHAN, mentions={"Ben Li": "ben"}
    )


def test_a_mention_in_a_channel_runs_the_command_and_people_mentions_resolve(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    _setup_project(teams)
    assert "APOLLO" in teams.last_to(CHAN)  # project news: the channel sees it
    status, _ = teams.say(
        "ana",
        'action add APOLLO "Draft the plan" <at>Ben Li</at> due:2026-11-27',
        conv=CHAN,
        mentions={"Ben Li": "ben"},
    )
    assert status == 202
    posted = teams.fake.to(CHAN)[-1]
    assert "Draft the plan" in posted.text and "Ben Li" in posted.text
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        ben = s.scalar(select(Person).where(Person.external_id == "ben"))
        assert item is not None and ben is not None and item.owner_id == ben.id
        assert str(item.due_on) == "2026-11-27"


def test_what_only_the_caller_may_see_goes_to_their_personal_chat_never_the_channel(
    teams: TeamsBot,
) -> None:
    _setup_project(teams)
    teams.say("ana", 'project new SECRET "Secret" private', conv=CHAN)
    in_channel = len(teams.fake.to(CHAN))
    teams.say("ana", "action list mine", conv=CHAN)
    teams.say("ana", "project show SECRET", conv=CHAN)
    assert len(teams.fake.to(CHAN)) == in_channel
    assert all("SECRET" not in s.text for s in teams.fake.to(CHAN))
    assert "SECRET" in teams.last_to("a:dm-ana")


def test_done_snooze_and_reassign_update_the_card_in_place_and_say_who(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    _setup_project(teams)
    teams.say("ana", 'action add APOLLO "Book the room" due:2026-11-25', conv=CHAN)
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        assert item is not None
        item_id = item.id
    card_posted = teams.fake.to(CHAN)[-1].cards[0]
    verbs = {a.get("verb") for a in card_posted["actions"] if a["type"] == "Action.Execute"}
    assert "item.done" in verbs and any(a["title"] == "Edit" for a in card_posted["actions"])

    answer = teams.click("ana", "item.snooze", {"item": item_id, "days": 3}, conv=CHAN)
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Snoozed" in str(answer["value"]) and "Ana Ruiz" in str(answer["value"])
    with sessions() as s:
        assert str(s.get(ActionItem, item_id).snoozed_until) == "2026-11-26"  # type: ignore[union-attr]
    answer = teams.click("ana", "item.reassign", {"item": item_id, "pick": "ben"}, conv=CHAN)
    assert "Ben Li" in str(answer["value"])
    with sessions() as s:
        ben_id = s.scalar(select(Person.id).where(Person.external_id == "ben"))
    answer = teams.click("ben", "item.done", {"item": item_id}, conv=CHAN)
    assert "done" in str(answer["value"]).lower() and "Changed by Ben Li" in str(answer["value"])
    with sessions() as s:
        item = s.get(ActionItem, item_id)
        assert item is not None and item.status.value == "done" and item.owner_id == ben_id


def test_a_click_on_someone_elses_item_that_is_not_allowed_changes_nothing(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    _setup_project(teams)
    teams.say("ana", 'action add APOLLO "Ana only" due:2026-11-25', conv=CHAN)
    teams.say("carl", "help")
    with sessions() as s:
        item_id = s.scalar(select(ActionItem.id))
    answer = teams.click("carl", "item.done", {"item": item_id}, conv=CHAN)
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    with sessions() as s:
        item = s.get(ActionItem, item_id)
        assert item is not None and item.status.value == "open"


def test_install_greets_and_my_work_is_updated_in_place_after_a_change(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    teams.names["ana"] = "Ana Ruiz"
    status, _ = teams.install("ana")
    assert status == 202
    dm = teams.fake.to("a:dm-ana")
    assert "help" in dm[0].text and dm[1].text.startswith("My work")
    home_id = dm[1].activity_id
    with sessions() as s:
        conv = s.scalar(select(TeamsConversation))
        assert conv is not None and conv.home_activity_id == home_id

    teams.say("ana", 'action add "Water the plants" due:2026-11-24')
    with sessions() as s:
        item_id = s.scalar(select(ActionItem.id))
    updates = [x for x in teams.fake.to("a:dm-ana") if x.method == "PUT"]
    assert updates and updates[-1].activity_id == home_id
    assert "Water the plants · 2026-11-24" in updates[-1].text

    teams.click("ana", "item.done", {"item": item_id, "home": 1})
    last = [x for x in teams.fake.to("a:dm-ana") if x.method == "PUT"][-1]
    assert last.activity_id == home_id and "Water the plants" not in last.text


def test_pacing_keeps_every_conversation_within_teams_limits() -> None:
    from handlers.teams.notifier import Pacer

    now = [0.0]
    pacer = Pacer(clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    sends = []
    for _ in range(70):
        pacer.wait_turn("a:dm-x")
        sends.append(now[0])
    for window, most in ((1.0, 7), (2.0, 8), (30.0, 60)):
        for t in sends:
            assert sum(1 for u in sends if t <= u < t + window) <= most
    pacer.wait_turn("a:dm-other")  # another conversation is not held back
    assert now[0] == sends[-1]


def test_numeric_dates_follow_the_clientinfo_locale(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    teams.say("ana", "help")
    us = teams.activity("ana", text='action add "US order" due:12/01/2026', locale="en-US")
    uk = teams.activity("ana", text='action add "UK order" due:12/01/2027', locale="en-GB")
    teams.identities_expire()  # the locale is read again when the identity cache expires
    teams.post(us)
    teams.identities_expire()
    teams.post(uk)
    with sessions() as s:
        due = {i.title: str(i.due_on) for i in s.scalars(select(ActionItem))}
    assert due == {"US order": "2026-12-01", "UK order": "2027-01-12"}


def test_a_message_in_a_channel_thread_belongs_to_the_channel(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    teams.say("ana", "help")
    thread = f"{CHAN};messageid=1700000000777"
    teams.say("ana", 'project new APOLLO "Apollo"', conv=thread)
    assert teams.fake.to(thread), "the answer goes to the thread it was asked in"
    with sessions() as s:
        kinds = {c.conversation_id: c.kind for c in s.scalars(select(TeamsConversation))}
        assert kinds == {"a:dm-ana": "personal", CHAN: "channel"}


def test_name_and_email_come_from_the_roster(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    teams.fake.members["29:ana"] = {
        "id": "29:ana",
        "name": "Ana María Ruiz",
        "aadObjectId": "ana",
        "email": "ana@contoso.com",
        "userPrincipalName": "ana@contoso.com",
    }
    teams.say("ana", "help")
    teams.say("zed", "help")  # not in the roster the fake knows: kept as the activity says
    with sessions() as s:
        found = {p.external_id: (p.display_name, p.email) for p in s.scalars(select(Person))}
    assert found == {"ana": ("Ana María Ruiz", "ana@contoso.com"), "zed": ("Zed", None)}


def test_an_older_client_clicking_done_sends_a_card_submit_and_gets_the_same_effect(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    teams.say("ana", 'action add "Old client item" due:2026-11-25')
    card = next(x.cards[0] for x in teams.fake.to("a:dm-ana") if "Old client item" in x.text)
    done = next(a for a in card["actions"] if a.get("verb") == "item.done")
    legacy = done["fallback"]
    assert legacy["type"] == "Action.Submit"
    teams.post(teams.activity("ana", value=legacy["data"]))
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        assert item is not None and item.status.value == "done"
    assert "done" in teams.last_to("a:dm-ana").lower()
