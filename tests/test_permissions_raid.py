"""Who may change what in the RAID log, at every Slack entry point that writes, role by
role, through the fake Slack HTTP boundary: members add (forms, the log shortcut, offers);
an entry's owner, the PM and PMO leads change it (buttons, and forged forms). See
test_permissions_matrix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from handlers.slack.ids import ActionId, CallbackId
from models import (
    ProposalState,
    RaidEntry,
    RaidProposal,
)
from tests.permission_roles import (
    CONTRIBUTORS,
    ENTRY_CHANGERS,
    WITHOUT_CREATOR,
    button_opens,
    each_role,
    press,
    refused,
    slack,
    view_values,
    views,
)
from tests.slack_harness import SlackBot

__all__ = ["slack"]  # the fixture


# -- the RAID log: contributors add; the owner, PM and PMO leads change an entry --------------


def new_risk(slack: SlackBot, sessions, title: str, kind: str = "risk") -> int:  # type: ignore[no-untyped-def]
    """An entry of APOLLO owned by the owner, added by a member (a risk, or `kind`)."""
    extra = " p:2 i:2" if kind == "risk" else ""
    slack.command(f'{kind} add APOLLO "{title}"{extra} <@U9>', user="U3")
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


@pytest.mark.parametrize(
    ("button", "kind"),
    [
        (ActionId.RAID_CLOSE, "risk"),
        (ActionId.RAID_REVIEW, "risk"),
        (ActionId.RAID_REOPEN, "risk"),
        (ActionId.RAID_CONFIRM, "assumption"),
        (ActionId.RAID_INVALID, "assumption"),
        (ActionId.RAID_MET, "dependency"),
        (ActionId.RAID_MISSED, "dependency"),
    ],
)
def test_raid_entry_buttons(slack: SlackBot, sessions, button: ActionId, kind: str) -> None:  # type: ignore[no-untyped-def]
    def check(role: str, user: str) -> bool:
        entry_id = new_risk(slack, sessions, f"{button} by {role}", kind)
        if button == ActionId.RAID_REOPEN:
            press(slack, ActionId.RAID_CLOSE, "U2", value=str(entry_id))
        before = entry_row(sessions, entry_id)
        told = press(slack, button, user, value=str(entry_id))
        after = entry_row(sessions, entry_id)
        if after == before:
            assert ENTRY_REFUSED in told, told
        return after != before

    each_role(check, ENTRY_CHANGERS, WITHOUT_CREATOR)


def test_raid_rescore_button_and_forged_rescore_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    entry_id = new_risk(slack, sessions, "rescore me")

    by_button = button_opens(
        slack, ActionId.RAID_RESCORE, CallbackId.RAID_RESCORE_MODAL, ENTRY_REFUSED, str(entry_id)
    )
    each_role(by_button, ENTRY_CHANGERS, WITHOUT_CREATOR)
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

    each_role(forged, ENTRY_CHANGERS, WITHOUT_CREATOR)


def pick(view: dict[str, Any], block: str, text: str) -> dict[str, Any]:
    """The option of a select in `view` whose label or value holds `text`."""
    b = next(b for b in view["blocks"] if b.get("block_id") == block)
    return next(o for o in b["element"]["options"] if text in str(o))


def entries(sessions) -> set[str]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return set(s.scalars(select(RaidEntry.title)))


def test_new_risk_button_and_forged_form_by_each_role(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    def by_button(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.RAID_RISK_MODAL))
        told = press(slack, ActionId.OPEN_NEW_RISK, user)
        if len(views(slack, CallbackId.RAID_RISK_MODAL)) == before:
            assert NO_FORM in told, told
            return False
        return True

    each_role(by_button, CONTRIBUTORS, WITHOUT_CREATOR)
    view = views(slack, CallbackId.RAID_RISK_MODAL)[0]  # the owner's form

    def check(role: str, user: str) -> bool:
        answer = slack.submit(view, {
            **view_values(view),
            "rr_project": {"type": "static_select", "selected_option": pick(view, "rr_project", "APOLLO")},
            "rr_title": {"type": "plain_text_input", "value": f"risk by {role}"},
            "rr_probability": {"type": "static_select", "selected_option": pick(view, "rr_probability", "3")},
            "rr_impact": {"type": "static_select", "selected_option": pick(view, "rr_impact", "3")},
        }, user=user)  # fmt: skip
        done = f"risk by {role}" in entries(sessions)
        if not done:
            refused(answer, "Only members of APOLLO can add to its RAID log.")
        return done

    each_role(check, CONTRIBUTORS, WITHOUT_CREATOR)


NO_FORM = "Only a project's members add to its RAID log, and you are a member of none."


def test_log_shortcut_and_forged_log_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    def shortcut(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.RAID_LOG_MODAL))
        name = f"log-{role}"
        status, _ = slack.interact({
            "type": "message_action", "callback_id": CallbackId.RAID_LOG_SHORTCUT,
            "user": {"id": user}, "channel": {"id": "C1"},
            "message": {"ts": "1700000000.000300", "text": "Vendor B may slip", "user": "U3"},
            "response_url": slack.fake.response_url(name),
        })  # fmt: skip
        assert status == 200
        told = slack.wait_for(
            lambda: (
                len(views(slack, CallbackId.RAID_LOG_MODAL)) > before
                or [r for r in slack.fake.responses if r["url"] == f"/response/{name}"]
            )
        )
        if told is not True:
            assert NO_FORM in str(told), told
        return told is True

    each_role(shortcut, CONTRIBUTORS, WITHOUT_CREATOR)
    view = views(slack, CallbackId.RAID_LOG_MODAL)[0]  # a member's form

    def check(role: str, user: str) -> bool:
        answer = slack.submit(view, {
            **view_values(view),
            "rl_project": {"type": "static_select", "selected_option": pick(view, "rl_project", "APOLLO")},
            "rl_kind": {"type": "radio_buttons", "selected_option": pick(view, "rl_kind", "issue")},
            "rl_title": {"type": "plain_text_input", "value": f"logged by {role}"},
            "rl_severity": {"type": "static_select", "selected_option": pick(view, "rl_severity", "low")},
        }, user=user)  # fmt: skip
        done = f"logged by {role}" in entries(sessions)
        if not done:
            refused(answer, "Only members of APOLLO can add to its")
        return done

    each_role(check, CONTRIBUTORS, WITHOUT_CREATOR)


def test_raid_edit_button_and_forged_edit_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    entry_id = new_risk(slack, sessions, "edit this risk")

    by_button = button_opens(
        slack, ActionId.RAID_EDIT, CallbackId.RAID_RISK_MODAL, ENTRY_REFUSED, str(entry_id)
    )
    each_role(by_button, ENTRY_CHANGERS, WITHOUT_CREATOR)
    view = views(slack, CallbackId.RAID_RISK_MODAL)[0]

    def forged(role: str, user: str) -> bool:
        before = entry_row(sessions, entry_id)
        answer = slack.submit(view, {**view_values(view), "rr_title": {
            "type": "plain_text_input", "value": f"edited by {role}"}}, user=user)  # fmt: skip
        changed = entry_row(sessions, entry_id) != before
        if not changed:
            refused(answer, ENTRY_REFUSED)
        return changed

    each_role(forged, ENTRY_CHANGERS, WITHOUT_CREATOR)


def test_raid_resolve_button_and_forged_resolve_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    entry_id = new_risk(slack, sessions, "resolve this issue", "issue")

    by_button = button_opens(
        slack, ActionId.RAID_RESOLVE, CallbackId.RAID_RESOLVE_MODAL, ENTRY_REFUSED, str(entry_id)
    )
    each_role(by_button, ENTRY_CHANGERS, WITHOUT_CREATOR)
    view = views(slack, CallbackId.RAID_RESOLVE_MODAL)[0]

    def forged(role: str, user: str) -> bool:
        issue = new_risk(slack, sessions, f"an issue for the {role}", "issue")
        meta = json.loads(view["private_metadata"])  # the same form, for another issue
        other = {**view, "private_metadata": json.dumps({**meta, "entry_id": issue})}
        before = entry_row(sessions, issue)
        answer = slack.submit(other, {"rv_resolution": {
            "type": "plain_text_input", "value": f"resolved by the {role}"}}, user=user)  # fmt: skip
        changed = entry_row(sessions, issue) != before
        if not changed:
            refused(answer, ENTRY_REFUSED)
        return changed

    each_role(forged, ENTRY_CHANGERS, WITHOUT_CREATOR)


@pytest.mark.parametrize("button", [ActionId.RAID_OFFER_LOG, ActionId.RAID_OFFER_DISMISS])
def test_offer_buttons_are_for_whoever_may_add_to_the_log(  # type: ignore[no-untyped-def]
    slack: SlackBot, sessions, button: ActionId
) -> None:
    """An assumption found invalid offers a risk; logging or dismissing it adds to the log."""

    def offer(title: str) -> int:
        slack.command(f'assumption add APOLLO "{title}" <@U9>', user="U3")
        with sessions() as s:
            a = s.scalar(select(RaidEntry).where(RaidEntry.title == title))
            assert a is not None
            number, entry_id = a.number, a.id
        slack.command(f"assumption invalid APOLLO A-{number}", user="U9")
        with sessions() as s:
            offer_id = s.scalar(
                select(RaidProposal.id).where(RaidProposal.source_entry_id == entry_id)
            )
            assert offer_id is not None
            return offer_id

    def state(offer_id: int) -> object:
        with sessions() as s:
            return s.scalar(select(RaidProposal.state).where(RaidProposal.id == offer_id))

    def check(role: str, user: str) -> bool:
        offer_id = offer(f"{button} holds for {role}")
        told = press(slack, button, user, value=str(offer_id))
        taken = state(offer_id) != ProposalState.OFFERED
        if not taken:
            assert "Only members of APOLLO can add to its RAID log." in told, told
        return taken

    each_role(check, CONTRIBUTORS, WITHOUT_CREATOR)
