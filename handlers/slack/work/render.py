"""Action items and deliverables in Block Kit. Pure: data in, JSON out."""

from __future__ import annotations

from datetime import date
from typing import assert_never

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    Block,
    Message,
    actions,
    block_id,
    button,
    clip,
    context,
    day,
    escape,
    fallback,
    header,
    list_with_overflow,
    plain,
    section,
    who,
)
from handlers.slack.ids import SNOOZE_CHOICES, ActionId, BlockId
from handlers.slack.paging import paged_blocks
from services.commands.results import (
    ActionListResult,
    ActionResult,
    DeliverableListResult,
    DeliverableResult,
)
from services.core.dates import day_label
from services.core.views import ActionItemView, DeliverableView


def item_text(item: ActionItemView, today: date) -> str:
    status = {"done": "✅ ", "cancelled": "🚫 "}.get(item.status.value, "")
    title = escape(item.title)
    if item.status.value == "cancelled":
        title = f"~{title}~"
    bits = [f"{status}*#{item.id}* {title}", who(item.owner)]
    if item.project_key:
        bits.append(f"`{item.project_key}`")
    if item.status.value == "open":
        bits.append(day(item.due_on, today))
        if item.snoozed_until and item.snoozed_until > today:
            bits.append(f"💤 until {day_label(item.snoozed_until, today)}")
    else:
        bits.append(item.status.value)
    if item.source_ref and item.source_ref.startswith("https://"):
        bits.append(f"<{item.source_ref}|source>")
    return " · ".join(bits)


def snooze_menu(item_id: int) -> dict[str, object]:
    return {
        "type": "static_select",
        "action_id": ActionId.ITEM_SNOOZE,
        "placeholder": plain("Snooze"),
        "options": [
            {"text": plain(label), "value": f"{item_id}:{code}"}
            for code, (label, _) in SNOOZE_CHOICES.items()
        ],
    }


def item_actions(item: ActionItemView) -> Block:
    """Done / Snooze / Reassign / Edit for an open item, Reopen for a closed one."""
    bid = block_id(BlockId.ITEM_PREFIX, item.id)
    if item.status.value != "open":
        return actions(bid, [button("Reopen", ActionId.ITEM_REOPEN, str(item.id))])
    return actions(
        bid,
        [
            button("Done", ActionId.ITEM_DONE, str(item.id), style="primary"),
            snooze_menu(item.id),
            {
                "type": "users_select",
                "action_id": ActionId.ITEM_REASSIGN,
                "placeholder": plain("Reassign"),
            },
            button("Edit", ActionId.ITEM_EDIT, str(item.id)),
        ],
    )


def item_blocks(item: ActionItemView, today: date) -> list[Block]:
    return [section(item_text(item, today)), item_actions(item)]


def item_message(item: ActionItemView, today: date, lead: str) -> Message:
    blocks = [section(lead), *item_blocks(item, today)]
    return Message(fallback(f"{lead} #{item.id} ", item.title), blocks)


def change_note(result: ActionResult) -> str:
    """Who changed an item from a button, and how (shown under it)."""
    by = who(result.by)
    item = result.item
    match result.event:
        case "done":
            return f"✅ Marked done by {by}"
        case "reopened":
            return f"↩️ Reopened by {by}"
        case "snoozed":
            until = item.snoozed_until
            when = f"{until:%a} {until.day} {until:%b}" if until else "later"
            return f"💤 Snoozed until {when} by {by}"
        case "assigned":
            return f"➡️ Reassigned to {who(item.owner)} by {by}"
        case _:
            return f"Updated by {by}"


def replace_item(blocks: list[Block], result: ActionResult, clicked: str = "") -> Message:
    """The message a button was on, with this item's blocks (the part `clicked`, the id of
    the block clicked in, or else the item's own) replaced by its new state and a note of the
    change. Other items in the same message (a list, a DM of reminders) stay as they are;
    without the original blocks (an ephemeral message) the result is the item alone."""
    item, note = result.item, change_note(result)
    own = block_id(BlockId.ITEM_PREFIX, item.id)
    target = clicked if clicked == own or clicked.startswith(own + ":") else own
    new = [section(item_text(item, result.today)), context(note), item_actions(item)]
    text = fallback(f"#{item.id} ", item.title, f" — {note}")
    for i, block in enumerate(blocks):
        if block.get("type") == "actions" and block.get("block_id") == target:
            start = i
            if start > 0 and blocks[start - 1].get("type") == "context":
                start -= 1
            if start > 0 and blocks[start - 1].get("type") == "section":
                start -= 1
            return Message(text, (blocks[:start] + new + blocks[i + 1 :])[:MESSAGE_BLOCKS])
    return Message(text, new)


def deliverable_text(d: DeliverableView, today: date) -> str:
    slip = (
        f" · slipped {d.slip_days:+d}d vs baseline {d.baseline_on.isoformat()}"
        if d.slip_days
        else ""
    )
    flag = "🔴 " if d.is_late(today) else ""
    state = d.status.value.replace("_", " ")
    return (
        f"{flag}*#{d.id}* {escape(d.title)} · `{d.project_key}` · {who(d.owner)} · {state} · "
        f"forecast {day(d.forecast_on, today)}{slip}"
    )


def action_message(result: ActionResult) -> Message:
    """The reply to an action item command or form."""
    item, today = result.item, result.today
    match result.event:
        case "shown":
            return Message(fallback(f"#{item.id} ", item.title), item_blocks(item, today))
        case "created":
            return item_message(
                item,
                today,
                f"📝 {who(result.by)} added an action item for {who(item.owner)}"
                if result.by
                else "📝 New action item",
            )
        case "given":
            return item_message(item, today, f"📝 {who(result.by)} gave you an action item")
        case "done":
            return item_message(item, today, "✅ Done")
        case "reopened":
            return item_message(item, today, "↩️ Reopened")
        case "cancelled":
            return item_message(item, today, "🚫 Cancelled")
        case "snoozed":
            return item_message(item, today, "💤 Snoozed")
        case "assigned":
            return item_message(item, today, f"➡️ Now with {who(item.owner)}")
        case "rescheduled":
            return item_message(item, today, "📅 Due date moved")
        case "edited":
            return item_message(item, today, "✏️ Saved")
        case _:
            assert_never(result.event)


def action_list_message(result: ActionListResult) -> Message:
    page = result.page
    if not page.items:
        return Message(result.empty_text, [section(escape(result.empty_text))])
    if result.rest or page.offset:  # a paged list: the next page is a click away
        rows = [item_rows(i, result.today) for i in page.items]
        blocks = paged_blocks(rows, result.title, page, result.rest)
        return Message(f"{result.title} ({page.total})", blocks)
    rows = [item_rows(i, result.today) for i in page.items]
    head = [header(f"{result.title} ({page.total})")]
    blocks = list_with_overflow(rows, head, page.total, MESSAGE_BLOCKS)
    return Message(f"{result.title} ({page.total})", blocks)


def item_rows(item: ActionItemView, today: date) -> list[Block]:
    """An item in a list: its line, its latest note, its buttons."""
    last = item.notes.strip().splitlines()[-1] if item.notes.strip() else ""
    note = f"\n✎ _{clip(escape(last), 300)}_" if last else ""
    return [section(item_text(item, today) + note), item_actions(item)]


def deliverable_message(result: DeliverableResult) -> Message:
    lead = {"created": "🎯 New deliverable", "forecast": "📅 Re-forecast", "done": "🏁 Delivered"}[
        result.event
    ]
    d = result.deliverable
    text = f"{lead}\n{deliverable_text(d, result.today)}"
    return Message(fallback(f"{lead}: ", d.title), [section(text)])


def deliverable_list_message(result: DeliverableListResult) -> Message:
    key, items = result.key, result.deliverables
    if not items:
        return Message(
            f"{key} has no deliverables yet.", [section(f"{key} has no deliverables yet.")]
        )
    rows = [[section(deliverable_text(d, result.today))] for d in items]
    head = [header(f"Deliverables of {key}")]
    return Message(
        f"Deliverables of {key}", list_with_overflow(rows, head, len(items), MESSAGE_BLOCKS)
    )
