"""Who may change what in the RAID log and the registers (sign-off, dependencies, stage
gates, documents), at every Slack entry point that writes, role by role, through the fake
Slack HTTP boundary; forged form submissions included. See test_permissions_matrix."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.slack.ids import ActionId, CallbackId
from models import RaidEntry
from tests.permission_roles import (
    ENTRY_CHANGERS,
    USERS,
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
