"""The workspace commands of the language: settings, roles, leave and the daily digest."""

from __future__ import annotations

from typing import assert_never

from services.commands import ast
from services.commands.context import Ctx
from services.commands.results import (
    DatesResult,
    DigestEvent,
    DigestResult,
    LeaveEvent,
    LeaveResult,
    Result,
    RoleChanged,
    RolesResult,
    SettingsResult,
)
from services.core import people
from services.core.dates import parse_time
from services.digests import personal as digests
from services.workspace import date_prefs, leave, settings


def leave_result(ctx: Ctx, event: LeaveEvent) -> LeaveResult:
    """The actor's current and upcoming leave, numbered, after `event`."""
    rows = leave.with_ids(ctx.session, ctx.actor, today=ctx.today)
    return LeaveResult([(a, b) for _, a, b in rows], event, ctx.today, tuple(i for i, _, _ in rows))


def run(ctx: Ctx, cmd: ast.WorkspaceCommand | ast.AdminCommand) -> Result:
    """Run one workspace command."""
    s, actor, now = ctx.session, ctx.actor, ctx.now
    match cmd:
        case ast.AdminRoles():
            return RolesResult(people.list_roles(s, workspace_id=actor.workspace_id))
        case ast.AdminGrant(mention, role_text):
            target = ctx.person(mention)
            role = people.parse_role(role_text)
            people.grant_role(s, actor, person=target, role=role, now=now)
            return RoleChanged(people.person_ref(target), role, True)
        case ast.AdminRevoke(mention, role_text):
            target = ctx.person(mention)
            role = people.parse_role(role_text)
            people.revoke_role(s, actor, person=target, role=role, now=now)
            return RoleChanged(people.person_ref(target), role, False)
        case ast.LeaveShow():
            return leave_result(ctx, "shown")
        case ast.LeaveAdd(start_text, end_text):
            start = ctx.day(start_text, allow_past=True)
            end = ctx.day(end_text, allow_past=True)
            leave.record(s, actor, start=start, end=end, now=now)
            return leave_result(ctx, "recorded")
        case ast.LeaveCancel():
            leave.cancel(s, actor, now=now)
            return leave_result(ctx, "cancelled")
        case ast.SettingsShow():
            return SettingsResult(settings.workspace_settings(s, actor), changed=False)
        case ast.SettingsSet(section, key, value):
            if key == "pmo_channel" and value.strip().lower() == "here" and ctx.channel:
                value = ctx.channel  # the channel it was typed in (how Teams names one)
            new = settings.set_option(s, actor, section=section, key=key, value=value, now=now)
            return SettingsResult(new, changed=True)
        case ast.DigestShow():
            return DigestResult(digests.my_digest(s, actor, now=now), "shown")
        case ast.DigestSet(enabled, at_text):
            at = parse_time(at_text) if at_text else None
            mine = digests.set_my_digest(s, actor, enabled=enabled, at=at, now=now)
            event: DigestEvent = "moved" if at else ("on" if enabled else "off")
            return DigestResult(mine, event)
        case ast.MeDates(value):
            if value is None:
                return DatesResult(date_prefs.my_dates(s, actor, now=now), changed=False)
            return DatesResult(date_prefs.set_my_dates(s, actor, value=value, now=now), True)
        case _:
            assert_never(cmd)
