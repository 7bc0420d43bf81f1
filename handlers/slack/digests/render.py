"""Digests, notices and bundled reminders in Block Kit. Pure: data in, JSON out.

A digest names people and never pings them (a digest is not a chase); a reminder names the
owner it is about. Every block id in one message is unique, whatever the data.
"""

from __future__ import annotations

from datetime import date
from typing import assert_never

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    Block,
    Message,
    actions,
    block_id,
    button,
    channel_link,
    clip,
    context,
    day,
    escape,
    fallback,
    header,
    list_with_overflow,
    rich,
    section,
    who,
)
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.raid.render import offer_blocks
from handlers.slack.raid.render import reminder_rows as raid_reminder_rows
from handlers.slack.work.render import snooze_menu
from services.core.views import PersonRef
from services.outbox.kinds import DigestKind, ReminderRule
from services.outbox.port import Bundle, Digest, DigestLine, Reminder

OWNER_NAMED = frozenset(
    {
        ReminderRule.ESCALATE_PM,
        ReminderRule.ESCALATE_LEAD,
        ReminderRule.OVERDUE_ON_LEAVE,
        ReminderRule.UNDELIVERABLE,
        ReminderRule.ESCALATE_ACCOUNTABLE,
    }
)


def reminder_lead(rule: ReminderRule) -> str:
    """What a reminder line is about."""
    match rule:
        case ReminderRule.HEADS_UP:
            return "⏰ Due on the next working day"
        case ReminderRule.DUE_TODAY:
            return "📅 Due today"
        case ReminderRule.OVERDUE:
            return "🔴 Overdue"
        case ReminderRule.OVERDUE_ON_LEAVE:
            return "🌴 Overdue while its owner is on leave"
        case ReminderRule.ESCALATE_PM:
            return "⚠️ Escalation: overdue in your project"
        case ReminderRule.ESCALATE_LEAD:
            return "🚨 Escalation to the PMO: long overdue"
        case ReminderRule.UNDELIVERABLE:
            return "📭 I couldn't reach this item's owner"
        case ReminderRule.MINUTES_ACTION:
            return "📝 New action item for you from the minutes"
        case ReminderRule.RAID_DUE:
            return "🔎 Due for review in the RAID log"
        case ReminderRule.RAID_OVERDUE:
            return "🔴 Review overdue in the RAID log"
        case ReminderRule.RAID_ESCALATE_PM:
            return "⚠️ Escalation: a review overdue in your project"
        case ReminderRule.RAID_ESCALATE_LEAD:
            return "🚨 Escalation to the PMO: a review long overdue"
        case ReminderRule.ESCALATE_ACCOUNTABLE:
            return "⚠️ Escalation: overdue, and you are Accountable for it"
        case _:
            assert_never(rule)


def digest_line(ln: DigestLine, today: date, *, show_owner: bool) -> str:
    """One digest entry."""
    key = f"`{escape(ln.project_key)}` " if ln.project_key else ""
    if ln.kind == "text":
        return escape(clip(ln.title, SECTION_TEXT - 200))
    if ln.kind == "project":
        parts = [escape("@" + ln.owner_handle)] if ln.owner_handle else []
        if ln.overdue_items:
            parts.append(f"{ln.overdue_items} overdue item{'s' if ln.overdue_items != 1 else ''}")
        if ln.overdue_deliverables:
            n = ln.overdue_deliverables
            parts.append(f"{n} overdue deliverable{'s' if n != 1 else ''}")
        if ln.escalations:
            parts.append(f"{ln.escalations} escalation{'s' if ln.escalations != 1 else ''} open")
        return f"• {key}{escape(clip(ln.title, 120))}: {', '.join(parts)}"
    what = "Deliverable " if ln.kind == "deliverable" else ""
    owner = f" · {escape('@' + ln.owner_handle)}" if show_owner and ln.owner_handle else ""
    return f"• {key}*{what}#{ln.id}* {escape(clip(ln.title, 200))}{owner} · {day(ln.due_on, today)}"


def digest_buttons(d: Digest, part: int | None = None) -> list[Block]:
    """The button a digest kind carries (Submit update, Start minutes, Show the update);
    `part` is the digest's place in its message, so two digests about one thing stay apart."""
    match d.kind:
        case DigestKind.STATUS_NUDGE if d.project_key:
            submit = button("Submit update", ActionId.STATUS_OPEN, d.project_key, style="primary")
            return [actions(block_id(BlockId.STATUS_PREFIX, d.project_key, part), [submit])]
        case DigestKind.MEETING_AGENDA if d.ref:
            start = button("Start minutes", ActionId.MINUTES_START, d.ref, style="primary")
            return [actions(block_id(BlockId.AGENDA_PREFIX, d.ref, part), [start])]
        case DigestKind.STATUS_ESCALATION if d.project_key:
            show = button("Show the update", ActionId.STATUS_SHOW, d.project_key)
            return [actions(block_id(BlockId.STATUS_PREFIX, d.project_key, part), [show])]
        case DigestKind.RAID_ESCALATION if d.ref:
            show = button("Open the entry", ActionId.RAID_SHOW, d.ref, style="primary")
            return [actions(block_id(BlockId.RAID_PREFIX, d.ref, part), [show])]
        case DigestKind.RAID_OFFER if d.ref:
            kind, _, offer_id = d.ref.partition(":")  # "issue:12"
            return offer_blocks(int(offer_id), kind, "", part)[1:]
        case DigestKind.SIGNOFF_REQUEST if d.ref:
            sign = button("Sign off", ActionId.SIGNOFF, d.ref, style="primary")
            not_yet = button("Not yet", ActionId.SIGNOFF_NOT_YET, d.ref)
            return [actions(block_id(BlockId.SIGNOFF_PREFIX, d.ref, part), [sign, not_yet])]
        case DigestKind.DEPENDENCY_REQUEST if d.ref:
            accept = button("Accept", ActionId.DEPENDENCY_ACCEPT, d.ref, style="primary")
            other = button("Propose another date", ActionId.DEPENDENCY_PROPOSE, d.ref)
            decline = button("Decline", ActionId.DEPENDENCY_DECLINE, d.ref, style="danger")
            bid = block_id(BlockId.DEPENDENCY_PREFIX, d.ref, part)
            return [actions(bid, [accept, other, decline])]
        case DigestKind.DOCUMENT_REVIEW if d.ref:
            approve = button("Approve", ActionId.DOCUMENT_APPROVE, d.ref, style="primary")
            changes = button("Request changes", ActionId.DOCUMENT_CHANGES, d.ref)
            return [actions(block_id(BlockId.DOCUMENT_PREFIX, d.ref, part), [approve, changes])]
        case DigestKind.GATE_REQUEST if d.ref:
            ok = button("Approve", ActionId.GATE_APPROVE, d.ref, style="primary")
            reject = button("Reject", ActionId.GATE_REJECT, d.ref, style="danger")
            return [actions(block_id(BlockId.GATE_PREFIX, d.ref, part), [ok, reject])]
        case (
            DigestKind.PERSONAL
            | DigestKind.PROJECT
            | DigestKind.PMO
            | DigestKind.NOTICE
            | DigestKind.STATUS_NUDGE
            | DigestKind.STATUS_ESCALATION
            | DigestKind.STATUS_MISSING
            | DigestKind.STATUS_UPDATE
            | DigestKind.MEETING_AGENDA
            | DigestKind.RAID_ESCALATION
            | DigestKind.RAID_OFFER
            | DigestKind.SIGNOFF_REQUEST
            | DigestKind.DEPENDENCY_REQUEST
            | DigestKind.DOCUMENT_REVIEW
            | DigestKind.GATE_REQUEST
        ):
            return []
        case _:
            assert_never(d.kind)


def digest_blocks(d: Digest, skip: set[tuple[str, int]], part: int | None = None) -> list[Block]:
    """A digest as a header and one section per part, each cut to fit with "… and N more";
    `part` is its place in the message."""
    blocks = [header(d.title)] if d.title else []
    if d.note:
        blocks.append(context(rich(d.note)))
    for sec in d.sections:
        lines = [ln for ln in sec.lines if (ln.kind, ln.id) not in skip]
        total = sec.total - (len(sec.lines) - len(lines))
        if total <= 0:
            continue
        text = f"*{escape(sec.heading)}*" + (
            f" ({total})" if lines and lines[0].kind != "project" else ""
        )
        shown = 0
        for ln in lines:
            line = digest_line(ln, d.today, show_owner=d.kind != DigestKind.PERSONAL)
            if len(text) + len(line) + 40 > SECTION_TEXT:
                break
            text += "\n" + line
            shown += 1
        if total > shown:
            text += f"\n… and {total - shown} more."
        blocks.append(section(text))
    if d.sections and len(blocks) == 1 + bool(d.note):
        blocks.append(context("Everything in it is already listed above."))
    if d.channel:
        blocks.append(context(f"Project channel: {channel_link(d.channel)}"))
    return blocks + digest_buttons(d, part)


# Digests whose parts are not lists worth counting in a notification's text.
UNCOUNTED = frozenset(
    {
        DigestKind.PMO,
        DigestKind.NOTICE,
        DigestKind.SIGNOFF_REQUEST,
        DigestKind.DEPENDENCY_REQUEST,
        DigestKind.DOCUMENT_REVIEW,
        DigestKind.GATE_REQUEST,
    }
)


def digest_fallback(d: Digest) -> str:
    counts = ", ".join(f"{sec.heading.lower()}: {sec.total}" for sec in d.sections)
    return f"{d.title}" + (f" ({counts})" if counts and d.kind not in UNCOUNTED else "")


def _reminder_rows(r: Reminder, today: date, n: int) -> list[Block]:
    if r.kind.startswith("raid_"):
        return raid_reminder_rows(r, reminder_lead(r.rule), today, n)
    owner = who(PersonRef(0, r.owner_external_id, r.owner_handle, r.owner_handle))
    key = f" · `{escape(r.project_key)}`" if r.project_key else ""
    extra = f" · owner {owner}" if r.rule in OWNER_NAMED else ""
    days = r.days_overdue
    late = f" · {days} working day{'s' if days != 1 else ''} late" if days else ""
    what = "Deliverable " if r.kind == "deliverable" else ""
    text = (
        f"{reminder_lead(r.rule)}\n*{what}#{r.item_id}* {escape(r.title)}{key}{extra} · "
        f"due {day(r.due_on, today)}{late}"
    )
    if r.note:
        text += f"\n_{escape(r.note)}_ — reassign it or reach them another way."
    if r.kind != "action_item":  # deliverables are changed by their PM, so no item buttons
        return [section(text)]
    # One line per rule: the same item can be due to a PM twice (as PM and as PMO lead).
    done = button("Done", ActionId.ITEM_DONE, str(r.item_id), style="primary")
    buttons = actions(block_id(BlockId.ITEM_PREFIX, r.item_id, n), [done, snooze_menu(r.item_id)])
    return [section(text), buttons]


def reminder_message(bundle: Bundle) -> Message:
    """One DM (or channel post) with every reminder due for a person in this sweep, each with
    Done / Snooze, and any digests due to them, leaving out what the reminders already say.
    Each reminder and each digest is a part of the message, numbered in order: its block ids
    carry that number, so they are unique whatever the parts are about."""
    n = len(bundle.reminders)
    if not bundle.reminders:
        blocks = [b for i, dg in enumerate(bundle.digests) for b in digest_blocks(dg, set(), i)]
        text = "; ".join(digest_fallback(dg) for dg in bundle.digests)
        return Message(fallback("", text), blocks[:MESSAGE_BLOCKS])
    reminded = {(r.kind, r.item_id) for r in bundle.reminders}
    tail = [b for i, dg in enumerate(bundle.digests, n) for b in digest_blocks(dg, reminded, i)][
        : MESSAGE_BLOCKS // 2
    ]
    head = header(f"PMO Bot: {n} reminder{'s' if n != 1 else ''}")
    rows = [_reminder_rows(r, bundle.today, i) for i, r in enumerate(bundle.reminders)]
    blocks = list_with_overflow(rows, [head], n, MESSAGE_BLOCKS - len(tail)) + tail
    titles = "; ".join(f"#{r.item_id}" for r in bundle.reminders[:20])
    return Message(fallback(f"PMO Bot: {n} reminder{'s' if n != 1 else ''} ({titles})"), blocks)
