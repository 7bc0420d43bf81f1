"""Everyday-use results in Block Kit: people, your settings, an item's or a deliverable's
card with its history, several items changed at once, and the More button of a cut list.
Times are Slack date tokens, so each reader sees them in their own zone. Pure."""

from __future__ import annotations

from datetime import datetime, time

from handlers.slack.blocks import (
    Block,
    Message,
    clip,
    context,
    escape,
    fallback,
    section,
    who,
)
from handlers.slack.paging import paged_blocks
from handlers.slack.work.render import deliverable_text, item_actions, item_text
from services.commands.everyday_results import (
    ActionBatchResult,
    ActionCardResult,
    DeliverableCardResult,
    MeResult,
    PeopleResult,
)
from services.people.directory import PersonCard
from services.work.history import HistoryEntry

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROLE_NAMES = {"admin": "admin", "pmo_lead": "PMO lead"}


def local(at: datetime, fmt: str = "{date_short_pretty} {time}") -> str:
    """A moment as a Slack date token: shown in the reader's own zone (UTC as fallback)."""
    return f"<!date^{int(at.timestamp())}^{fmt}|{at:%Y-%m-%d %H:%M} UTC>"


def days_text(digits: str) -> str:
    days = sorted({int(d) for d in digits})
    if len(days) == 7:
        return "every day"
    starts = [d for d in days if (d - 2) % 7 + 1 not in days]
    if len(days) >= 3 and len(starts) == 1:
        end = (starts[0] + len(days) - 2) % 7 + 1
        return f"{DAY_NAMES[starts[0] - 1]}-{DAY_NAMES[end - 1]}"
    return ", ".join(DAY_NAMES[d - 1] for d in days) or "no days"


def span(a: time, b: time) -> str:
    return f"{a:%H:%M}-{b:%H:%M}"


def roles_text(c: PersonCard) -> str:
    roles = [ROLE_NAMES.get(r, r) for r in c.roles]
    if c.leads:
        roles.append("PM of " + ", ".join(f"`{k}`" for k in c.leads))
    return "; ".join(roles)


def people_message(result: PeopleResult) -> Message:
    page = result.people
    if not page.items:
        return Message("Nobody here yet.", [section("Nobody here yet.")])
    rows = []
    for c in page.items:
        away = f" · 🌴 on leave until {c.away_until:%a %d %b}" if c.away_until else ""
        roles = roles_text(c)
        rows.append(
            [
                section(
                    f"{who(c.person)} {escape(c.person.display_name)}{away}\n"
                    f"{escape(c.timezone)} · {days_text(c.working_days)} "
                    f"{span(c.work_start, c.work_end)}" + (f" · {roles}" if roles else "")
                )
            ]
        )
    rest = f"people page {page.number + 1}" if page.more else ""
    return Message(f"People ({page.total})", paged_blocks(rows, "People", page, rest))


def me_message(result: MeResult) -> Message:
    mine = result.me
    c = mine.card
    if result.event == "whoami":
        text = (
            f"You are {who(c.person)} ({escape(c.person.display_name)}) — "
            f"{roles_text(c) or 'member'}.\nYour time zone: {escape(c.timezone)}."
        )
        return Message(fallback(text), [section(text)])
    lead = {
        "timezone": "🌍 Your time zone is set.\n",
        "hours": "⏰ Your working hours are set.\n",
        "days": "📅 Your working days are set.\n",
        "quiet": "🔕 Your quiet hours are set.\n",
    }.get(result.event, "")
    digest = (
        f"at {(mine.digest_at or c.work_start):%H:%M} on working days"
        if mine.digest_enabled
        else "off"
    )
    text = (
        f"{lead}*Your settings*\n"
        f"• time zone: *{escape(c.timezone)}*\n"
        f"• working days: *{days_text(c.working_days)}*\n"
        f"• working hours: *{span(c.work_start, c.work_end)}*\n"
        f"• quiet hours: *{span(*c.quiet) if c.quiet else 'none'}*\n"
        f"• daily digest: *{digest}*"
    )
    why = "Reminders come at the start of your working day, never on your days off or in your "
    blocks = [section(text), context(why + "quiet hours.")]
    if mine.note:
        blocks.append(context(escape(mine.note)))
    return Message(fallback(text), blocks)


def history_text(history: list[HistoryEntry]) -> str:
    lines = []
    for h in history[-12:]:
        by = who(h.by) if h.by else "PMO Bot"
        changed = f": {escape('; '.join(h.changes))}" if h.changes else ""
        lines.append(f"• {local(h.at)} · {by} {escape(h.action)}{changed}")
    more = len(history) - 12
    return ("\n".join(lines) + (f"\n… and {more} earlier" if more > 0 else ""))[:2900]


def action_card_message(result: ActionCardResult) -> Message:
    item = result.item
    blocks: list[Block] = [section(item_text(item, result.today))]
    if item.notes.strip():
        blocks.append(section("*Notes*\n" + clip(escape(item.notes.strip()), 2900)))
    if result.history:
        blocks.append(context(clip("*History*\n" + history_text(result.history), 2000)))
    blocks.append(item_actions(item))
    return Message(fallback(f"#{item.id} ", item.title), blocks)


def batch_message(result: ActionBatchResult) -> Message:
    lead = {
        "done": "✅ Marked done",
        "reopened": "↩️ Reopened",
        "cancelled": "🚫 Cancelled",
        "snoozed": "💤 Snoozed",
        "rescheduled": "📅 Moved the due date of",
        "assigned": "➡️ Reassigned",
    }[result.event]
    n = len(result.items)
    head = f"{lead} {n} item{'s' if n != 1 else ''}"
    body = "\n".join(item_text(i, result.today) for i in result.items)
    return Message(head, [section(head)] + ([section(clip(body, 2900))] if body else []))


def deliverable_card_message(result: DeliverableCardResult) -> Message:
    d = result.deliverable
    blocks: list[Block] = [section(deliverable_text(d, result.today))]
    if result.history:
        blocks.append(context(clip("*History*\n" + history_text(result.history), 2000)))
    return Message(fallback(f"Deliverable #{d.id} ", d.title), blocks)
