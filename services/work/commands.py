"""The action item and deliverable commands of the language."""

from __future__ import annotations

from typing import TypedDict, assert_never

from services.commands import ast
from services.commands.context import Ctx
from services.commands.results import (
    ActionListResult,
    ActionResult,
    DeliverableListResult,
    DeliverableResult,
    FormResult,
    Result,
)
from services.commands.results_registers import SignoffResult
from services.core.people import person_ref
from services.projects import register
from services.raci import news as raci_news
from services.raci import signoff
from services.work import action_items, deliverables, forms, item_more
from services.work.item_commands import card, rest

NO_DATE = ("none", "no date", "clear")


def paged(page_no: int) -> PageSlice:
    """The slice of a list that page `page_no` shows."""
    return {"limit": item_more.PAGE_SIZE, "offset": item_more.offset_of(page_no)}


class PageSlice(TypedDict):
    limit: int
    offset: int


def run(ctx: Ctx, cmd: ast.WorkCommand) -> Result:
    """Run one action item or deliverable command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    match cmd:
        case ast.ActionForm():
            visible = register.list_projects(s, actor, now=now)
            request = forms.item_request(visible, owner=ctx.me().external_id, channel=ctx.channel)
            return FormResult(request)
        case ast.ActionEditForm(item_id):
            action_items.load_for_change(s, actor, item_id)  # no form for who can't save it
            item = action_items.get(s, actor, item_id=item_id)
            return FormResult(forms.edit_request(item, channel=ctx.channel))
        case ast.ActionAdd(title, key, owner_mention, due_text):
            owner = ctx.person(owner_mention) if owner_mention else ctx.me()
            due = ctx.day(due_text) if due_text else None
            item = action_items.add(
                s, actor, title=title, owner=owner, project_key=key, due_on=due, now=now
            )
            return ActionResult(item, "created", today, by=person_ref(ctx.me()))
        case ast.ActionList("overdue", _, n):
            page = action_items.list_overdue(s, actor, now=now, **paged(n))
            scope = "across the portfolio" if actor.is_pmo_lead else "for you and your projects"
            title = f"Overdue action items {scope}"
            more = rest("action list overdue", n, page.more)
            return ActionListResult(title, page, today, "Nothing is overdue. 🎉", more)
        case ast.ActionList("project", key, n) if key:
            page = action_items.list_project(s, actor, key=key, **paged(n))
            empty = f"{key} has no open action items."
            more = rest(f"action list {key}", n, page.more)
            return ActionListResult(f"Open action items in {key}", page, today, empty, more)
        case ast.ActionList(_, _, n):
            page = action_items.list_mine(s, actor, **paged(n))
            more = rest("action list mine", n, page.more)
            return ActionListResult(
                "Your open action items", page, today, "You have no open items.", more
            )
        case ast.ActionShow(item_id):
            return card(ctx, action_items.get(s, actor, item_id=item_id))
        case ast.ActionDone(item_id):
            item = action_items.complete(s, actor, item_id=item_id, now=now)
            return ActionResult(item, "done", today, by=person_ref(ctx.me()))
        case ast.ActionReopen(item_id):
            item = action_items.reopen(s, actor, item_id=item_id, now=now)
            return ActionResult(item, "reopened", today, by=person_ref(ctx.me()))
        case ast.ActionCancel(item_id):
            item = action_items.cancel(s, actor, item_id=item_id, now=now)
            return ActionResult(item, "cancelled", today, by=person_ref(ctx.me()))
        case ast.ActionSnooze(item_id, until_text):
            until = ctx.day(until_text)
            item = action_items.snooze(s, actor, item_id=item_id, until=until, now=now)
            return ActionResult(item, "snoozed", today, by=person_ref(ctx.me()))
        case ast.ActionAssign(item_id, owner_mention):
            owner = ctx.person(owner_mention)
            item = action_items.assign(s, actor, item_id=item_id, owner=owner, now=now)
            return ActionResult(item, "assigned", today, by=person_ref(ctx.me()))
        case ast.ActionDue(item_id, due_text):
            due = None if due_text.strip().lower() in NO_DATE else ctx.day(due_text)
            item = action_items.set_due(s, actor, item_id=item_id, due_on=due, now=now)
            return ActionResult(item, "rescheduled", today, by=person_ref(ctx.me()))
        case ast.DeliverableForm():
            visible = deliverables.form_projects(
                s, actor, register.list_projects(s, actor, now=now)
            )
            return FormResult(forms.deliverable_request(visible, channel=ctx.channel))
        case ast.DeliverableAdd(key, title, due_text, owner_mention):
            d_owner = ctx.person(owner_mention) if owner_mention else None
            d = deliverables.add(
                s, actor, key=key, title=title, owner=d_owner, due_on=ctx.day(due_text), now=now
            )
            return DeliverableResult(d, "created", today)
        case ast.DeliverableList(key):
            listed = deliverables.list_for_project(s, actor, key=key)
            return DeliverableListResult(key, listed, today)
        case ast.DeliverableForecast(d_id, on_text):
            on = ctx.day(on_text)
            was = deliverables.list_forecast(s, actor, deliverable_id=d_id)
            d = deliverables.forecast(s, actor, deliverable_id=d_id, on=on, now=now)
            raci_news.forecast_moved(s, d_id, was=was, by=ctx.me(), now=now)
            return DeliverableResult(d, "forecast", today)
        case ast.DeliverableDone(d_id):
            asked, event = signoff.mark_done(s, actor, deliverable_id=d_id, now=now, today=today)
            if event == "done" and asked.deliverable is not None:
                return DeliverableResult(asked.deliverable, "done", today)
            return SignoffResult(asked, event)
        case _:
            assert_never(cmd)
