"""Who may change what, at every Slack entry point that writes, through the fake Slack HTTP
boundary: each button, form submission (forged ones included: a modal opened for the PM,
submitted by someone else) and shortcut, for each role. An allowed role changes the row; a
refused one changes nothing (the rows compared before and after) and is told why, in words.
The rules are README's "Who may do what"; one table per entry point."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handlers.console.channel import ConsoleChannel
from handlers.slack.ids import ActionId, CallbackId
from models import ActionItem, ActionStatus, Deliverable, RaidEntry, StatusCadence, StatusUpdate
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


def press(slack: SlackBot, action_id: str, user: str, *, value: str = "",
          block_id: str = "b", **extra: Any) -> str:  # fmt: skip
    """Send a signed click on a button (as if it were on a message the user sees); returns
    what the bot answered through the response_url, as text ("" when it opened a modal)."""
    slack.clock.now += timedelta(minutes=1)  # a change shows in its timestamps
    name = f"press{next(_names)}"
    opened = len(slack.fake.of("views.open"))
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": "button",
                              "value": value, "action_ts": "1.1", **extra}  # fmt: skip
    status, _ = slack.interact({
        "type": "block_actions", "user": {"id": user}, "actions": [action],
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1"},
        "channel": {"id": "C1"}, "message": {"ts": "1.1", "blocks": []},
        "response_url": slack.fake.response_url(name),
    })  # fmt: skip
    assert status == 200
    path = f"/response/{name}"
    told = slack.wait_for(
        lambda: (
            [r for r in slack.fake.responses if r["url"] == path]
            or len(slack.fake.of("views.open")) > opened
        )
    )
    return "" if told is True else str(told)


def views(slack: SlackBot, callback: str) -> list[dict[str, Any]]:
    return [c.args["view"] for c in slack.fake.of("views.open")
            if c.args["view"]["callback_id"] == callback]  # fmt: skip


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


# -- action items: owner, creator, PM, PMO lead -----------------------------------------------


def new_item(slack: SlackBot, sessions, title: str) -> int:  # type: ignore[no-untyped-def]
    """An item of APOLLO created by the creator, owned by the owner."""
    slack.command(f'action add APOLLO "{title}" <@U9> due:2026-12-01', user="U8")
    with sessions() as s:
        item_id = s.scalar(select(ActionItem.id).where(ActionItem.title == title))
        assert item_id is not None
        return item_id


def item_row(sessions, item_id: int) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        i = s.get(ActionItem, item_id)
        assert i is not None
        return (i.title, i.status, i.owner_id, i.due_on, i.snoozed_until, i.notes, i.updated_at)


ITEM_REFUSED = "can't change action item"


@pytest.mark.parametrize("button", ["done", "snooze", "reassign", "reopen"])
def test_item_buttons(slack: SlackBot, sessions, button: str) -> None:  # type: ignore[no-untyped-def]
    def check(role: str, user: str) -> bool:
        item_id = new_item(slack, sessions, f"{button} by {role}")
        if button == "reopen":
            slack.command(f"action done {item_id}", user="U2")
        before = item_row(sessions, item_id)
        match button:
            case "done":
                told = press(slack, ActionId.ITEM_DONE, user, value=str(item_id))
            case "reopen":
                told = press(slack, ActionId.ITEM_REOPEN, user, value=str(item_id))
            case "snooze":
                told = press(slack, ActionId.ITEM_SNOOZE, user, type="static_select",
                             selected_option={"value": f"{item_id}:1w"})  # fmt: skip
            case _:
                told = press(slack, ActionId.ITEM_REASSIGN, user, block_id=f"item:{item_id}",
                             type="users_select", selected_user="U3")  # fmt: skip
        after = item_row(sessions, item_id)
        if after == before:
            assert ITEM_REFUSED in told or "no action item" in told, told
            assert "Traceback" not in told
        return after != before

    each_role(check, ITEM_CHANGERS)


def test_item_edit_button_and_forged_edit_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    item_id = new_item(slack, sessions, "edit me")

    def by_button(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.EDIT_ITEM_MODAL))
        told = press(slack, ActionId.ITEM_EDIT, user, value=str(item_id))
        opened = len(views(slack, CallbackId.EDIT_ITEM_MODAL)) > before
        if not opened:
            assert ITEM_REFUSED in told, told
        return opened

    each_role(by_button, ITEM_CHANGERS)

    view = views(slack, CallbackId.EDIT_ITEM_MODAL)[0]  # opened for the creator

    def forged(role: str, user: str) -> bool:
        before = item_row(sessions, item_id)
        answer = slack.submit(view, {
            "title": {"type": "plain_text_input", "value": f"edited by {role}"},
            "owner": {"type": "users_select", "selected_user": "U9"},
            "due": {"type": "datepicker", "selected_date": "2026-12-04"},
            "notes": {"type": "plain_text_input", "value": ""},
        }, user=user)  # fmt: skip
        changed = item_row(sessions, item_id) != before
        assert changed == (answer == {}), answer
        if not changed:
            refused(answer, ITEM_REFUSED)
        return changed

    each_role(forged, ITEM_CHANGERS)


def test_a_creator_demoted_to_viewer_no_longer_changes_the_item(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    """A later role change wins over an earlier right: the creator, now a viewer, is refused
    (a form opened before the change included); the owner keeps their own item."""
    item_id = new_item(slack, sessions, "made before the change")
    view = opened_for(slack, CallbackId.EDIT_ITEM_MODAL,
                      lambda: press(slack, ActionId.ITEM_EDIT, "U8", value=str(item_id)))  # fmt: skip
    slack.command("project add APOLLO <@U8> viewer", user="U2")
    before = item_row(sessions, item_id)
    told = press(slack, ActionId.ITEM_DONE, "U8", value=str(item_id))
    assert ITEM_REFUSED in told and item_row(sessions, item_id) == before
    answer = slack.submit(view, {
        "title": {"type": "plain_text_input", "value": "edited after the change"},
        "owner": {"type": "users_select", "selected_user": "U9"},
    }, user="U8")  # fmt: skip
    refused(answer, ITEM_REFUSED)
    assert item_row(sessions, item_id) == before
    slack.command("project add APOLLO <@U9> viewer", user="U2")
    press(slack, ActionId.ITEM_DONE, "U9", value=str(item_id))
    assert item_row(sessions, item_id)[1] == ActionStatus.DONE


def test_new_item_form_in_a_project_is_for_contributors(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    view = opened_for(slack, CallbackId.NEW_ITEM_MODAL,
                      lambda: slack.command("action new", user="U2", expect_reply=False))  # fmt: skip
    project = next(b for b in view["blocks"] if b.get("block_id") == "project")
    apollo = next(o for o in project["element"]["options"] if "APOLLO" in str(o))

    def check(role: str, user: str) -> bool:
        answer = slack.submit(view, {
            "title": {"type": "plain_text_input", "value": f"form item by {role}"},
            "project": {"type": "static_select", "selected_option": apollo},
            "owner": {"type": "users_select", "selected_user": user},
        }, user=user)  # fmt: skip
        with sessions() as s:
            made = s.scalar(select(ActionItem.id).where(ActionItem.title == f"form item by {role}"))
        if made is None:
            refused(answer, "Only members of APOLLO can add its action items.")
        return made is not None

    each_role(check, CONTRIBUTORS)


# -- deliverables: the PM and PMO leads -------------------------------------------------------


def test_new_deliverable_form_is_for_the_pm_and_pmo_leads(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    view = opened_for(slack, CallbackId.NEW_DELIVERABLE_MODAL,
                      lambda: press(slack, ActionId.OPEN_NEW_DELIVERABLE, "U2"))  # fmt: skip
    project = next(b for b in view["blocks"] if b.get("block_id") == "project")
    apollo = next(o for o in project["element"]["options"] if "APOLLO" in str(o))

    def check(role: str, user: str) -> bool:
        answer = slack.submit(view, {
            "project": {"type": "static_select", "selected_option": apollo},
            "title": {"type": "plain_text_input", "value": f"deliverable by {role}"},
            "due": {"type": "datepicker", "selected_date": "2027-01-15"},
        }, user=user)  # fmt: skip
        with sessions() as s:
            made = s.scalar(
                select(Deliverable.id).where(Deliverable.title == f"deliverable by {role}")
            )
        if made is None:
            assert answer.get("response_action") == "errors", answer
            assert "APOLLO" in str(answer["errors"]), answer
        return made is not None

    each_role(check, MANAGERS)


# -- status: the PM, named reporters and PMO leads; the round: the PM and PMO leads -----------


def test_status_form_forged_by_each_role(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    view = opened_for(slack, CallbackId.STATUS_MODAL,
                      lambda: slack.command("status APOLLO", user="U2", expect_reply=False))  # fmt: skip
    rag = next(b for b in view["blocks"] if b.get("block_id") == "st_overall")
    green = next(o for o in rag["element"]["options"] if o["value"] == "green")

    def count() -> int:
        with sessions() as s:
            return len(s.scalars(select(StatusUpdate.id)).all())

    def check(role: str, user: str) -> bool:
        before = count()
        answer = slack.submit(view, {
            "st_overall": {"type": "static_select", "selected_option": green},
            "st_summary": {"type": "plain_text_input", "value": f"on track, says the {role}"},
        }, user=user)  # fmt: skip
        if count() == before:
            refused(answer, "Only APOLLO's PM or its named reporters can report its status.")
        return count() > before

    each_role(check, MANAGERS)


def test_status_button_opens_the_form_for_the_pm_reporters_and_pmo_leads(slack: SlackBot) -> None:
    slack.command("status settings APOLLO reporters <@U9> <@U2>", user="U2")

    def check(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.STATUS_MODAL))
        told = press(slack, ActionId.STATUS_OPEN, user, value="APOLLO")
        opened = len(views(slack, CallbackId.STATUS_MODAL)) > before
        if not opened:
            assert "PM or its named reporters can report its status" in told, told
        return opened

    each_role(check, MANAGERS | {"owner"})  # the owner is the named reporter here


def test_a_reporter_taken_off_the_round_no_longer_reports_in_a_round_already_open(  # type: ignore[no-untyped-def]
    slack: SlackBot, sessions
) -> None:
    """The round opened (and named its reporters) before the change; the change wins."""
    slack.command("status settings APOLLO reporters <@U9>", user="U2")
    view = opened_for(slack, CallbackId.STATUS_MODAL,
                      lambda: slack.command("status APOLLO", user="U9", expect_reply=False))  # fmt: skip
    rag = next(b for b in view["blocks"] if b.get("block_id") == "st_overall")
    green = next(o for o in rag["element"]["options"] if o["value"] == "green")

    def send(summary: str) -> tuple[dict[str, Any], int]:
        answer = slack.submit(view, {
            "st_overall": {"type": "static_select", "selected_option": green},
            "st_summary": {"type": "plain_text_input", "value": summary},
        }, user="U9")  # fmt: skip
        with sessions() as s:
            return answer, len(s.scalars(select(StatusUpdate.id)).all())

    assert send("first, as the named reporter") == ({}, 1)  # this opens the round
    slack.command("status settings APOLLO reporters pm", user="U2")
    answer, count = send("after being taken off the round")
    assert count == 1
    refused(answer, "Only APOLLO's PM or its named reporters can report its status.")
    told = slack.command('status APOLLO green "one line"', user="U9")
    assert "named reporters" in told["text"]
    slack.command("status settings APOLLO reporters <@U9>", user="U2")
    slack.command("project add APOLLO <@U9> viewer", user="U2")
    answer, count = send("as a viewer")
    assert count == 1
    refused(answer, "Only APOLLO's PM or its named reporters can report its status.")


def test_cadence_button_and_forged_cadence_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    def by_button(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.CADENCE_MODAL))
        told = press(slack, ActionId.CADENCE_OPEN, user, value="APOLLO")
        opened = len(views(slack, CallbackId.CADENCE_MODAL)) > before
        if not opened:
            assert "PM or a PMO lead can change its status round" in told, told
        return opened

    each_role(by_button, MANAGERS)
    view = views(slack, CallbackId.CADENCE_MODAL)[0]
    filled = {bid: acts for bid, acts in view_values(view).items()}

    def row() -> tuple[object, ...]:
        with sessions() as s:
            c = s.scalar(select(StatusCadence))
            return (c.rrule, c.updated_at) if c else ()

    def forged(role: str, user: str) -> bool:
        before = row()
        hour = f"{10 + list(USERS).index(role)}:00"
        answer = slack.submit(view, {**filled, "cd_time": {"type": "timepicker",
                                                           "selected_time": hour}}, user=user)  # fmt: skip
        if row() == before:
            refused(answer, "PM or a PMO lead can change its status round")
        return row() != before

    each_role(forged, MANAGERS)


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
        elif kind == "multi_users_select":
            out[bid] = {"type": kind, "selected_users": e.get("initial_users") or []}
        elif kind == "conversations_select" and e.get("initial_conversation"):
            out[bid] = {"type": kind, "selected_conversation": e["initial_conversation"]}
        elif kind in ("checkboxes", "multi_static_select"):
            out[bid] = {"type": kind, "selected_options": e.get("initial_options") or []}
    return out


# -- the RAID log: contributors add; the owner, PM and PMO leads change an entry --------------


def new_risk(slack: SlackBot, sessions, title: str) -> int:  # type: ignore[no-untyped-def]
    slack.command(f'risk add APOLLO "{title}" p:2 i:2 <@U9>', user="U3")
    with sessions() as s:
        entry_id = s.scalar(select(RaidEntry.id).where(RaidEntry.title == title))
        assert entry_id is not None
        return entry_id


def entry_row(sessions, entry_id: int) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        e = s.get(RaidEntry, entry_id)
        assert e is not None
        return (
            e.title,
            e.status,
            e.probability,
            e.impact,
            e.closed_at,
            e.reviewed_at,
            e.updated_at,
        )


ENTRY_REFUSED = "PM or a PMO lead can change it"
RAID_ROLES = tuple(r for r in USERS if r != "creator")


@pytest.mark.parametrize("button", [ActionId.RAID_CLOSE, ActionId.RAID_REVIEW])
def test_raid_entry_buttons(slack: SlackBot, sessions, button: ActionId) -> None:  # type: ignore[no-untyped-def]
    def check(role: str, user: str) -> bool:
        entry_id = new_risk(slack, sessions, f"{button} by {role}")
        before = entry_row(sessions, entry_id)
        told = press(slack, button, user, value=str(entry_id))
        after = entry_row(sessions, entry_id)
        if after == before:
            assert ENTRY_REFUSED in told, told
        return after != before

    each_role(check, ENTRY_CHANGERS, RAID_ROLES)


def test_raid_rescore_button_and_forged_rescore_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    entry_id = new_risk(slack, sessions, "rescore me")

    def by_button(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.RAID_RESCORE_MODAL))
        told = press(slack, ActionId.RAID_RESCORE, user, value=str(entry_id))
        opened = len(views(slack, CallbackId.RAID_RESCORE_MODAL)) > before
        if not opened:
            assert ENTRY_REFUSED in told, told
        return opened

    each_role(by_button, ENTRY_CHANGERS, RAID_ROLES)
    view = views(slack, CallbackId.RAID_RESCORE_MODAL)[0]
    filled = view_values(view)
    prob = next(b for b in view["blocks"] if b.get("block_id") == "rs_probability")

    def forged(role: str, user: str) -> bool:
        before = entry_row(sessions, entry_id)
        now_p = entry_row(sessions, entry_id)[2]
        pick = next(o for o in prob["element"]["options"] if o["value"] != str(now_p))
        answer = slack.submit(view, {**filled, "rs_probability": {
            "type": "static_select", "selected_option": pick}}, user=user)  # fmt: skip
        changed = entry_row(sessions, entry_id) != before
        if not changed:
            refused(answer, ENTRY_REFUSED)
        return changed

    each_role(forged, ENTRY_CHANGERS, RAID_ROLES)


# -- the same rules in the core: the console refuses alike ------------------------------------


def test_the_console_follows_the_same_item_rule(sessions, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The rule lives in the services: the console refuses the edit form to a viewer and a
    change to a creator demoted to viewer, and lets the owner finish their own item."""
    c = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None, downloads=tmp_path)
    for who in ("pat", "pam", "cal", "olga", "vic"):
        assert c.run(who, "help").ok
    assert c.run("pat", 'project new APOLLO "Apollo" @pam').ok
    for who, role in (("cal", "member"), ("olga", "member"), ("vic", "viewer")):
        assert c.run("pam", f"project add APOLLO @{who} {role}").ok
    assert c.run("cal", 'action add APOLLO "Book the venue" @olga').ok
    with sessions() as s:
        item_id = s.scalar(select(ActionItem.id).where(ActionItem.title == "Book the venue"))
    before = item_row(sessions, item_id)
    form = c.run("vic", f"action edit {item_id}", interactive=True)
    assert not form.ok and form.form is None and ITEM_REFUSED in form.text
    assert c.run("pam", "project add APOLLO @cal viewer").ok
    done = c.run("cal", f"action done {item_id}")
    assert not done.ok and ITEM_REFUSED in done.text
    assert item_row(sessions, item_id) == before
    assert c.run("olga", f"action done {item_id}").ok
    assert item_row(sessions, item_id)[1] == ActionStatus.DONE
