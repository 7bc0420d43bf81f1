"""Teams dialogs built from the forms of the interaction core: task/fetch opens one, task/submit
saves it (errors under their field, nothing saved until valid); message actions make an item
of a message or add it to the open minutes, linked to the message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from models import ActionItem, MinutesEntry, StatusUpdate
from tests.conftest import NOW
from tests.fake_teams import validate_card
from tests.teams_harness import TeamsBot

CHAN = "19:apollo@thread.tacv2"
STATUS = {
    "overall": "amber",
    "schedule": "red",
    "scope": "",
    "budget": "green",
    "resources": "",
    "percent": "40",
    "summary": "Vendor late, plan B ready",
    "highlights": "Design signed off",
    "blockers": "Contract unsigned",
    "escalate": "true",
    "asks": "Sponsor to call the vendor",
    "next_steps": "Sign by Friday",
}


@pytest.fixture
def teams(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TeamsBot]:
    bot = TeamsBot(engine, sessions, NOW)
    bot.names.update({"ana": "Ana Ruiz", "ben": "Ben Li"})
    bot.say("ana", "help")
    bot.say("ana", 'project new APOLLO "Apollo"', conv=CHAN)
    yield bot
    bot.close()


def dialog_card(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["task"]["type"] == "continue", answer
    content = answer["task"]["value"]["card"]["content"]
    validate_card(content)
    return content


def submit(
    teams: TeamsBot,
    user: str,
    content: dict[str, Any],
    values: dict[str, str],
    *,
    name: str = "task/submit",
    conv: str | None = None,
) -> Any:
    """Teams merges the inputs into the submit button's data."""
    data = {**content["actions"][0]["data"], **values}
    return teams.invoke(user, name, {"data": data}, conv=conv)


def errors_in(content: dict[str, Any]) -> list[str]:
    return [b["text"] for b in content["body"] if b.get("color") == "Attention"]


def test_the_status_form_shows_a_field_error_first_then_saves(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    opened = teams.invoke("ana", "task/fetch", {"data": {"dialog": "status", "project": "APOLLO"}})
    content = dialog_card(opened)
    ids = [b.get("id") for b in content["body"] if b.get("id")]
    assert {"overall", "percent", "summary", "escalate"} <= set(ids)

    again = dialog_card(submit(teams, "ana", content, {**STATUS, "percent": "140"}))
    assert any("0 to 100" in e for e in errors_in(again))
    percent_at = next(i for i, b in enumerate(again["body"]) if b.get("id") == "percent")
    assert "0 to 100" in again["body"][percent_at + 1]["text"]  # under its field
    summary = next(b for b in again["body"] if b.get("id") == "summary")
    assert summary["value"] == STATUS["summary"]  # what was typed is kept
    with sessions() as s:
        assert s.scalar(select(StatusUpdate)) is None

    done = submit(teams, "ana", again, STATUS)
    assert done == {"task": {"type": "message", "value": "Saved."}}
    with sessions() as s:
        upd = s.scalar(select(StatusUpdate))
        assert upd is not None and upd.percent_complete == 40 and upd.escalate is True
        assert upd.summary == STATUS["summary"]


def test_edit_opens_the_item_form_prefilled_and_saves_the_change(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    teams.say("ana", 'action add APOLLO "Book the room" due:2026-11-25', conv=CHAN)
    with sessions() as s:
        item_id = s.scalar(select(ActionItem.id))
    content = dialog_card(
        teams.invoke("ana", "task/fetch", {"data": {"dialog": "edit_item", "item": item_id}})
    )
    title = next(b for b in content["body"] if b.get("id") == "title")
    assert title["value"] == "Book the room"
    values = {b["id"]: str(b.get("value") or "") for b in content["body"] if b.get("id")}
    done = submit(teams, "ana", content, {**values, "title": "Book the big room"})
    assert done["task"]["type"] == "message"
    with sessions() as s:
        item = s.get(ActionItem, item_id)
        assert item is not None and item.title == "Book the big room"


def test_create_action_item_from_a_message_is_linked_to_it(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    payload = {
        "id": "1700000000000",
        "body": {"contentType": "html", "content": "<p>Ship the <b>release notes</b></p>"},
        "from": {"user": {"id": "29:ben", "aadObjectId": "ben", "displayName": "Ben Li"}},
        "linkToMessage": "https://teams.microsoft.com/l/message/19:apollo/1700000000000",
    }
    fetched = teams.invoke(
        "ana",
        "composeExtension/fetchTask",
        {"commandId": "createActionItem", "commandContext": "message", "messagePayload": payload},
        conv=CHAN,
    )
    content = dialog_card(fetched)
    title = next(b for b in content["body"] if b.get("id") == "title")
    assert title["value"] == "Ship the release notes"
    values = {b["id"]: str(b.get("value") or "") for b in content["body"] if b.get("id")}
    assert values["owner"] == "ana"  # the person who picked the action, by Entra id
    missing = submit(
        teams,
        "ana",
        content,
        {**values, "title": "", "project": "APOLLO"},
        name="composeExtension/submitAction",
        conv=CHAN,
    )
    assert errors_in(dialog_card(missing)) == ["⚠️ What needs doing? is missing."]
    with sessions() as s:
        assert s.scalar(select(ActionItem)) is None
    done = submit(
        teams,
        "ana",
        content,
        {**values, "project": "APOLLO"},
        name="composeExtension/submitAction",
        conv=CHAN,
    )
    assert done["task"]["type"] == "message"
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        assert item is not None and item.title == "Ship the release notes"
        assert item.source_ref == payload["linkToMessage"]
    assert "Ship the release notes" in teams.last_to(CHAN)  # news of a public project


def test_add_to_minutes_from_a_message(teams: TeamsBot, sessions: sessionmaker[Session]) -> None:
    teams.say("ana", 'minutes start APOLLO "Weekly"', conv=CHAN)
    payload = {
        "body": {"content": "We agreed to freeze scope"},
        "from": {"user": {"aadObjectId": "ana"}},
        "linkToMessage": "https://t/l/2",
    }
    content = dialog_card(
        teams.invoke(
            "ana",
            "composeExtension/fetchTask",
            {"commandId": "addToMinutes", "messagePayload": payload},
            conv=CHAN,
        )
    )
    values = {b["id"]: str(b.get("value") or "") for b in content["body"] if b.get("id")}
    assert "We agreed to freeze scope" in values.values()
    done = submit(teams, "ana", content, values, name="composeExtension/submitAction", conv=CHAN)
    assert done["task"]["type"] == "message", done
    with sessions() as s:
        texts = [e.text for e in s.scalars(select(MinutesEntry))]
        assert any("freeze scope" in t for t in texts)
