"""The project commands of the language."""

from __future__ import annotations

from typing import assert_never

from services.commands import ast
from services.commands.context import Ctx
from services.commands.results import FormResult, ProjectListResult, ProjectResult, Result
from services.commands.results_registers import RegisterCardResult
from services.core.errors import InvalidInput
from services.projects import budget, forms, gates, members, portfolio, register, risks
from services.projects.card import project_card

PAGE_SIZE = 20  # projects a page shows (Slack: one block each, with room to spare)


def yes_no(value: str) -> bool:
    """yes/no, on/off, private/public as a flag."""
    low = value.strip().lower()
    if low in ("yes", "y", "true", "on", "1", "private"):
        return True
    if low in ("no", "n", "false", "off", "0", "public"):
        return False
    raise InvalidInput(f"{value!r} is not yes or no.")


def run(ctx: Ctx, cmd: ast.ProjectCommand) -> Result:
    """Run one project command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    match cmd:
        case ast.ProjectForm():
            return FormResult(forms.project_request(channel=ctx.channel))
        case ast.ProjectNew(key, name, pm_mention, private):
            pm = ctx.person(pm_mention) if pm_mention else None
            view = register.create(s, actor, key=key, name=name, pm=pm, private=private, now=now)
            return ProjectResult(view, "created", today)
        case ast.ProjectList(include_closed, page):
            views = register.list_projects(s, actor, now=now, include_closed=include_closed)
            start = (max(page, 1) - 1) * PAGE_SIZE
            shown = views[start : start + PAGE_SIZE]
            more = len(views) > start + PAGE_SIZE
            nxt = f"project list{' all' if include_closed else ''} page {page + 1}" if more else ""
            return ProjectListResult(shown, include_closed, today, len(views), start, nxt)
        case ast.ProjectShow(key):
            return ProjectResult(project_card(s, actor, key=key, now=now), "shown", today)
        case ast.ProjectAdd(key, mention, role_text):
            role = members.parse_project_role(role_text)
            view = members.add_member(
                s, actor, key=key, person=ctx.person(mention), role=role, now=now
            )
            return ProjectResult(view, "member_added", today)
        case ast.ProjectRemove(key, mention):
            view = members.remove_member(s, actor, key=key, person=ctx.person(mention), now=now)
            return ProjectResult(view, "member_removed", today)
        case ast.ProjectClose(key):
            return ProjectResult(register.close(s, actor, key=key, now=now), "closed", today)
        case ast.ProjectSet(key, "phase", raw):
            name, event = gates.change_phase(s, actor, key=key, phase=raw, now=now)
            entry = portfolio.entry(s, actor, key=key, now=now, today=today, source=risks.SOURCE)
            return RegisterCardResult(entry, event, name)
        case ast.ProjectSet(key, "budget" | "planned" | "actual" | "currency" as field, raw):
            view = budget.set_money(s, actor, key=key, field=field, value=raw, now=now)
            return ProjectResult(view, "updated", today)
        case ast.ProjectSet(key, field, raw):
            field = "target" if field == "end" else field
            value: object = raw
            if field in ("start", "target"):
                value = ctx.day(raw, allow_past=field == "start")
            elif field == "private":
                value = yes_no(raw)
            view = register.update(s, actor, key=key, field=field, value=value, now=now)
            return ProjectResult(view, "updated", today)
        case _:
            assert_never(cmd)
