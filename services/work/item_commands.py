"""The everyday action item and deliverable commands: one person's items, done ones, one
field at a time, notes, several at once, and an item's or a deliverable's card."""

from __future__ import annotations

from datetime import date
from typing import assert_never

from models import Person
from services.commands import everyday_ast as ast
from services.commands.context import Ctx
from services.commands.everyday_results import (
    ActionBatchResult,
    ActionCardResult,
    BatchEvent,
    DeliverableCardResult,
)
from services.commands.results import ActionListResult, Result
from services.core.errors import InvalidInput
from services.core.people import Mention, person_ref
from services.core.views import ActionItemView
from services.work import action_items, deliverables, item_more
from services.work.history import history

NO_DATE = ("none", "no date", "clear")
BATCH: dict[str, BatchEvent] = {
    "done": "done",
    "reopen": "reopened",
    "cancel": "cancelled",
    "snooze": "snoozed",
    "due": "rescheduled",
    "assign": "assigned",
}


def rest(command: str, page_no: int, more: int) -> str:
    """The command for the next page of a cut list ('' when nothing more)."""
    return f"{command} page {page_no + 1}" if more else ""


def card(ctx: Ctx, item: ActionItemView, *, changed: bool = False) -> ActionCardResult:
    """An item with its history."""
    trail = history(
        ctx.session, ctx.actor, entity_type="action_item", entity_id=item.id, today=ctx.today
    )
    return ActionCardResult(item, trail, ctx.today, changed)


def run(ctx: Ctx, cmd: ast.ItemCommand) -> Result:
    """Run one everyday item command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    match cmd:
        case ast.ActionListOf(mention, page_no):
            person = ctx.person(mention)
            page = item_more.list_for(s, actor, person=person, page_no=page_no)
            who = "Your" if person.id == actor.person_id else f"@{person.handle}'s"
            more = rest(f"action list @{person.handle}", page_no, page.more)
            empty = f"@{person.handle} has no open items you can see."
            return ActionListResult(f"{who} open action items", page, today, empty, more)
        case ast.ActionListDone(key, page_no):
            page = item_more.list_done(s, actor, key=key, page_no=page_no)
            where = f" in {key}" if key else ""
            more = rest(f"action list done{' ' + key if key else ''}", page_no, page.more)
            empty = f"Nothing done yet{where}."
            return ActionListResult(f"Done action items{where}", page, today, empty, more)
        case ast.ActionEditField(item_id, field, value, owner):
            item = item_more.edit_field(
                s,
                actor,
                item_id=item_id,
                field=field,
                value=value,
                now=now,
                day=lambda text: _due(ctx, text),
                person=lambda: _owner(ctx, owner),
            )
            return card(ctx, item, changed=True)
        case ast.ActionNote(item_id, text):
            item = item_more.add_note(s, actor, item_id=item_id, text=text, now=now)
            return card(ctx, item, changed=True)
        case ast.ActionMany(verb, ids, value, owner):
            event = BATCH[verb]
            until = _due(ctx, value) if verb in ("snooze", "due") else None
            if verb == "snooze" and until is None:
                raise InvalidInput("Snooze needs a date.", "e.g. action snooze 14 15 monday")
            to = _owner(ctx, owner) if verb == "assign" else None

            def change(item_id: int) -> ActionItemView:
                match verb:
                    case "done":
                        return action_items.complete(s, actor, item_id=item_id, now=now)
                    case "reopen":
                        return action_items.reopen(s, actor, item_id=item_id, now=now)
                    case "cancel":
                        return action_items.cancel(s, actor, item_id=item_id, now=now)
                    case "snooze":
                        assert until is not None
                        return action_items.snooze(s, actor, item_id=item_id, until=until, now=now)
                    case "due":
                        return action_items.set_due(
                            s, actor, item_id=item_id, due_on=until, now=now
                        )
                    case _:
                        assert to is not None
                        return action_items.assign(s, actor, item_id=item_id, owner=to, now=now)

            items = item_more.at_once(ids, change)
            return ActionBatchResult(items, event, today, person_ref(ctx.me()))
        case ast.DeliverableShow(d_id):
            d = deliverables.get(s, actor, deliverable_id=d_id)
            trail = history(s, actor, entity_type="deliverable", entity_id=d_id, today=today)
            return DeliverableCardResult(d, trail, today)
        case _:
            assert_never(cmd)


def _due(ctx: Ctx, text: str) -> date | None:
    return None if text.strip().lower() in NO_DATE else ctx.day(text)


def _owner(ctx: Ctx, mention: Mention | None) -> Person:
    if mention is None:
        raise InvalidInput("Name the new owner as @name.", "e.g. action assign 14 15 @maria")
    return ctx.person(mention)
