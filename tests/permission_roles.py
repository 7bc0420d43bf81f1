"""The roles of the permission matrix and how its tests reach the bot: a workspace where
each role is held by one Slack user, signed clicks and modal submissions through the fake
Slack, and what a refusal must look like."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import NOW
from tests.slack_harness import SlackBot

USERS = {  # role -> Slack user (U1, the first person, is admin and PMO lead: left out)
    "creator": "U8",  # a member who created the item (items only)
    "owner": "U9",  # a member who owns the item or the entry
    "pm": "U2",
    "pmo_lead": "U7",  # workspace PMO lead, no project role
    "sponsor": "U10",
    "member": "U3",
    "viewer": "U4",
    "non_member": "U5",
    "admin": "U6",  # workspace admin, no project role
}
NAMES = {"U1": "first", "U2": "pat", "U3": "mia", "U4": "vic", "U5": "nora", "U6": "ada",
         "U7": "lee", "U8": "cal", "U9": "olga", "U10": "sam"}  # fmt: skip
CONTRIBUTORS = {"creator", "owner", "pm", "pmo_lead", "sponsor", "member"}
ITEM_CHANGERS = {"creator", "owner", "pm", "pmo_lead"}
ENTRY_CHANGERS = {"owner", "pm", "pmo_lead"}
MANAGERS = {"pm", "pmo_lead"}
WITHOUT_CREATOR = tuple(r for r in USERS if r != "creator")  # where nobody creates the row
_names = itertools.count()


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.deps.notify_pace = 0
    for uid, name in NAMES.items():
        bot.fake.add_user(uid, name)
    bot.command("help", user="U1")  # the first person: admin and PMO lead
    bot.command('project new APOLLO "Apollo" <@U2>', user="U1")
    for uid, role in (("U3", "member"), ("U4", "viewer"), ("U8", "member"), ("U9", "member"),
                      ("U10", "sponsor")):  # fmt: skip
        bot.command(f"project add APOLLO <@{uid}> {role}", user="U2")
    bot.command("admin grant <@U6> admin", user="U1")
    bot.command("admin grant <@U7> pmo_lead", user="U1")
    bot.command("help", user="U5")  # seen, so they can be named
    yield bot
    bot.close()


def each_role(
    check: Callable[[str, str], bool], allowed: set[str], roles: tuple[str, ...] = ()
) -> None:
    """Run `check(role, user)` for every role; it says whether the change happened."""
    names = roles or tuple(USERS)
    got = {role: check(role, USERS[role]) for role in names}
    assert got == {role: role in allowed for role in names}


def press(slack: SlackBot, action_id: str, user: str, *, value: str = "", block_id: str = "b",
          channel: str = "C1", until: Callable[[], object] = lambda: False,
          **extra: Any) -> str:  # fmt: skip
    """Send a signed click on a button (as if it were on a message the user sees); returns
    what the bot answered through the response_url, as text ("" when it opened a modal or
    `until` came true first)."""
    slack.clock.now += timedelta(minutes=1)  # a change shows in its timestamps
    name = f"press{next(_names)}"
    opened = len(slack.fake.of("views.open"))
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": "button",
                              "value": value, "action_ts": "1.1", **extra}  # fmt: skip
    status, _ = slack.interact({
        "type": "block_actions", "user": {"id": user}, "actions": [action],
        "container": {"type": "message", "message_ts": "1.1", "channel_id": channel},
        "channel": {"id": channel}, "message": {"ts": "1.1", "blocks": []},
        "response_url": slack.fake.response_url(name),
    })  # fmt: skip
    assert status == 200
    path = f"/response/{name}"
    told = slack.wait_for(
        lambda: (
            [r for r in slack.fake.responses if r["url"] == path]
            or len(slack.fake.of("views.open")) > opened
            or bool(until())
        )
    )
    return "" if told is True else str(told)


def views(slack: SlackBot, callback: str) -> list[dict[str, Any]]:
    return [c.args["view"] for c in slack.fake.of("views.open")
            if c.args["view"]["callback_id"] == callback]  # fmt: skip


def button_opens(
    slack: SlackBot, action_id: str, callback: str, refusal: str, value: str = ""
) -> Callable[[str, str], bool]:
    """A role check: whether pressing the button opens its form for that person; when it
    doesn't, the person is told `refusal` (for `each_role`)."""

    def check(role: str, user: str) -> bool:
        before = len(views(slack, callback))
        told = press(slack, action_id, user, value=value)
        opened = len(views(slack, callback)) > before
        if not opened:
            assert refusal in told, (role, told)
        return opened

    return check


def opened_for(slack: SlackBot, callback: str, open_it: Callable[[], object]) -> dict[str, Any]:
    """The modal `open_it` opens (for whoever it runs as)."""
    before = len(views(slack, callback))
    open_it()
    return slack.wait_for(lambda: views(slack, callback)[before:])[0]


def refused(answer: dict[str, Any], words: str) -> None:
    """A refused submission: the modal stays open with the reason on a field, no traceback."""
    assert answer.get("response_action") == "errors", answer
    assert words in str(answer["errors"]), answer
    assert "Traceback" not in str(answer) and "went wrong" not in str(answer)


def view_values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a modal's inputs hold as it was opened (its initial values), as Slack submits them."""
    out: dict[str, dict[str, Any]] = {}
    for b in view["blocks"]:
        e = b.get("element") or {}
        bid = b.get("block_id")
        if b.get("type") != "input" or not bid:
            continue
        kind = e.get("type")
        if kind == "plain_text_input":
            out[bid] = {"type": kind, "value": e.get("initial_value") or ""}
        elif kind in ("static_select", "radio_buttons") and e.get("initial_option"):
            out[bid] = {"type": kind, "selected_option": e["initial_option"]}
        elif kind == "timepicker" and e.get("initial_time"):
            out[bid] = {"type": kind, "selected_time": e["initial_time"]}
        elif kind == "users_select" and e.get("initial_user"):
            out[bid] = {"type": kind, "selected_user": e["initial_user"]}
        elif kind == "datepicker" and e.get("initial_date"):
            out[bid] = {"type": kind, "selected_date": e["initial_date"]}
        elif kind == "multi_users_select":
            out[bid] = {"type": kind, "selected_users": e.get("initial_users") or []}
        elif kind == "conversations_select" and e.get("initial_conversation"):
            out[bid] = {"type": kind, "selected_conversation": e["initial_conversation"]}
        elif kind in ("checkboxes", "multi_static_select"):
            out[bid] = {"type": kind, "selected_options": e.get("initial_options") or []}
    return out
