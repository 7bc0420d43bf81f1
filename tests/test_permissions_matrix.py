"""Who may change what, at every Slack entry point that writes, through the fake Slack HTTP
boundary: each button, form submission (forged ones included: a modal opened for the PM,
submitted by someone else) and shortcut, for each role. An allowed role changes the row; a
refused one changes nothing (the rows compared before and after) and is told why, in words.
The rules are README's "Who may do what"; one table per entry point. Action items,
deliverables and status here (and the same rule in the console and Teams); the RAID log in
test_permissions_raid; the registers, meetings and typed commands in test_permissions_registers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from handlers.console.channel import ConsoleChannel
from handlers.slack.ids import ActionId, CallbackId
from models import (
    ActionItem,
    ActionStatus,
    Deliverable,
    StatusCadence,
    StatusUpdate,
)
from tests.conftest import NOW
from tests.permission_roles import (
    CONTRIBUTORS,
    ITEM_CHANGERS,
    MANAGERS,
    USERS,
    button_opens,
    each_role,
    opened_for,
    press,
    refused,
    slack,
    view_values,
    views,
)
from tests.slack_harness import SlackBot
from tests.teams_harness import TeamsBot

__all__ = ["slack"]  # the fixture


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

    by_button = button_opens(
        slack, ActionId.ITEM_EDIT, CallbackId.EDIT_ITEM_MODAL, ITEM_REFUSED, str(item_id)
    )
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
    slack.command('project new HERMES "Hermes"', user="U1")  # led by U1 alone

    def by_button(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.NEW_DELIVERABLE_MODAL))
        told = press(slack, ActionId.OPEN_NEW_DELIVERABLE, user)
        shown = views(slack, CallbackId.NEW_DELIVERABLE_MODAL)[before:]
        if not shown:
            assert "Only a project's PM or a PMO lead adds its deliverables" in told, told
            return False
        offered = str(next(b for b in shown[0]["blocks"] if b.get("block_id") == "project"))
        assert "APOLLO" in offered and ("HERMES" in offered) == (role == "pmo_lead"), offered
        return True

    each_role(by_button, MANAGERS)
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

    check = button_opens(
        slack,
        ActionId.STATUS_OPEN,
        CallbackId.STATUS_MODAL,
        "PM or its named reporters can report its status",
        "APOLLO",
    )
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
    by_button = button_opens(
        slack,
        ActionId.CADENCE_OPEN,
        CallbackId.CADENCE_MODAL,
        "PM or a PMO lead can change its status round",
        "APOLLO",
    )
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


def test_teams_follows_the_same_item_rule(engine, sessions) -> None:  # type: ignore[no-untyped-def]
    """In Teams too, a creator made a viewer no longer changes the item (their click is
    answered with the reason and changes nothing)."""
    teams = TeamsBot(engine, sessions, NOW)
    try:
        chan = "19:apollo@thread.tacv2"
        teams.names.update({"ana": "Ana Ruiz", "ben": "Ben Li"})
        teams.say("ana", "help")  # the tenant's admin and PMO lead
        teams.say("ben", "help")
        teams.say("ana", 'project new APOLLO "Apollo"', conv=chan)
        ben = {"Ben Li": "ben"}
        teams.say("ana", "project add APOLLO <at>Ben Li</at> member", conv=chan, mentions=ben)
        teams.say("ben", 'action add APOLLO "Ben made it" due:2026-12-01', conv=chan)
        with sessions() as s:
            item_id = s.scalar(select(ActionItem.id).where(ActionItem.title == "Ben made it"))
        teams.say("ana", f"action assign {item_id} <at>Ana Ruiz</at>", conv=chan,
                  mentions={"Ana Ruiz": "ana"})  # fmt: skip
        teams.say("ana", "project add APOLLO <at>Ben Li</at> viewer", conv=chan, mentions=ben)
        before = item_row(sessions, item_id)
        answer = teams.click("ben", "item.done", {"item": item_id}, conv=chan)
        assert answer["type"] == "application/vnd.microsoft.activity.message"
        assert ITEM_REFUSED in str(answer["value"]), answer
        assert item_row(sessions, item_id) == before
    finally:
        teams.close()
