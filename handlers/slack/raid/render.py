"""The RAID log in Block Kit: entries with their buttons, lists, settings, review reminders
and offers. Pure: data in, JSON out; every word a person typed is escaped."""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    Block,
    Message,
    actions,
    block_id,
    button,
    clip,
    command,
    context,
    day,
    escape,
    fallback,
    section,
    who,
)
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.paging import paged_blocks
from models import RaidKind
from services.commands.results import (
    RaidEntryResult,
    RaidListResult,
    RaidOfferResult,
    RaidSettingsResult,
)
from services.outbox.port import Reminder
from services.raid.portfolio import RaidSummary
from services.raid.views import DATE_LABEL, RaidEntryView

DOT = {"red": "🔴", "amber": "🟠", "green": "🟢"}
SEVERITY_DOT = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "⚪"}


def score_text(v: RaidEntryView) -> str:
    if v.score is None:
        return ""
    dot = DOT[v.band.value] if v.band else ""
    residual = f" → residual {v.residual_score}" if v.residual_score is not None else ""
    upside = " opportunity" if v.opportunity else ""
    return f"{dot} *{v.score}* ({v.probability}×{v.impact}){residual}{upside}"


def entry_text(v: RaidEntryView, today: date, *, with_key: bool = True) -> str:
    """One entry in a line or two."""
    ref = escape(v.full_ref if with_key else v.ref)
    closed = f" · _{v.status.value}_" if not v.is_open or v.status.value == "mitigating" else ""
    bits = [f"*{ref}* {escape(v.title)}{closed}"]
    if v.kind == RaidKind.RISK:
        bits.append(score_text(v))
    elif v.kind == RaidKind.ISSUE and v.severity:
        bits.append(f"{SEVERITY_DOT[v.severity.value]} {v.severity.value}")
    if v.owner:
        bits.append(who(v.owner))
    if v.kind == RaidKind.DECISION:
        bits.append(f"decided {v.decided_on.isoformat() if v.decided_on else '?'}")
    elif v.is_open and v.next_date:
        bits.append(f"{DATE_LABEL[v.kind]} {day(v.next_date, today)}")
    return " · ".join(b for b in bits if b)


def entry_actions(v: RaidEntryView) -> list[Block]:
    """The buttons that fit an entry's kind and state (none on a decision)."""
    value = str(v.id)
    if not v.is_open:
        if v.kind == RaidKind.DECISION and v.status.value != "withdrawn":
            return []
        return [
            actions(
                block_id(BlockId.RAID_PREFIX, v.id),
                [button("Reopen", ActionId.RAID_REOPEN, value)],
            )
        ]
    match v.kind:
        case RaidKind.RISK:
            row = [
                button("Still valid", ActionId.RAID_REVIEW, value, style="primary"),
                button("Rescore…", ActionId.RAID_RESCORE, value),
                button("Close", ActionId.RAID_CLOSE, value),
            ]
        case RaidKind.ISSUE:
            row = [button("Resolve…", ActionId.RAID_RESOLVE, value, style="primary")]
        case RaidKind.ASSUMPTION:
            row = [
                button("Confirmed", ActionId.RAID_CONFIRM, value, style="primary"),
                button("Invalid", ActionId.RAID_INVALID, value, style="danger"),
            ]
        case RaidKind.DEPENDENCY:
            row = [
                button("Met", ActionId.RAID_MET, value, style="primary"),
                button("Missed", ActionId.RAID_MISSED, value, style="danger"),
            ]
        case RaidKind.DECISION:
            return []
    row.append(button("Edit", ActionId.RAID_EDIT, value))
    return [actions(block_id(BlockId.RAID_PREFIX, v.id), row)]


def entry_blocks(v: RaidEntryView, today: date, *, with_key: bool = True) -> list[Block]:
    return [section(entry_text(v, today, with_key=with_key)), *entry_actions(v)]


def detail_blocks(v: RaidEntryView, today: date) -> list[Block]:
    """An entry in full (`raid show`): description, scores and their trend, actions."""
    lines = [f"*{escape(v.full_ref)}* {escape(v.title)} · {v.kind.value} · _{v.status.value}_"]
    if v.description:
        lines.append(escape(clip(v.description, 1500)))
    people = [
        f"owner {who(v.owner)}" if v.owner else "",
        f"actionee {who(v.actionee)}" if v.actionee else "",
        f"raised by {who(v.raised_by)}",
    ]
    lines.append(" · ".join(p for p in people if p))
    if v.kind == RaidKind.RISK:
        lines.append(f"Score {score_text(v)}")
        extra = [
            f"category {escape(v.category)}" if v.category else "",
            f"proximity {v.proximity.value.replace('_', ' ')}" if v.proximity else "",
            f"response *{v.strategy.value}*" if v.strategy else "",
        ]
        if any(extra):
            lines.append(" · ".join(e for e in extra if e))
        if len(v.history) > 1:
            lines.append("Trend: " + " → ".join(str(h.score) for h in v.history[-12:]))
    if v.kind == RaidKind.ISSUE:
        extra = [
            f"type {v.issue_type.value.replace('_', ' ')}" if v.issue_type else "",
            f"severity *{v.severity.value}*" if v.severity else "",
            f"priority {v.priority.value}" if v.priority else "",
        ]
        lines.append(" · ".join(e for e in extra if e))
        if v.resolution:
            lines.append(f"_Resolution:_ {escape(clip(v.resolution, 1000))}")
    if v.kind == RaidKind.DECISION:
        where = f" in minutes #{v.minutes_id}" if v.minutes_id else ""
        lines.append(f"Decided {v.decided_on.isoformat() if v.decided_on else '?'}{where}")
        if v.attendees:
            lines.append("Who was there: " + ", ".join(escape("@" + p.handle) for p in v.attendees))
    elif v.is_open and v.next_date:
        lines.append(f"{DATE_LABEL[v.kind].capitalize()} {day(v.next_date, today)}")
    if v.linked:
        lines.append(f"Linked: *{escape(v.linked)}*")
    if v.source_ref and v.source_ref.startswith("https://"):
        lines.append(f"<{v.source_ref}|Source message>")
    blocks = [section("\n".join(lines))]
    if v.actions:
        items = "\n".join(
            f"• *#{a.id}* {escape(a.title)} · {who(a.owner)} · {a.status.value} · "
            f"{day(a.due_on, today)}"
            for a in v.actions[:20]
        )
        blocks.append(section(f"*Response actions*\n{items}"))
    return blocks + entry_actions(v)


LEADS = {
    "created": "🗂️ {by} logged {ref}",
    "scored": "📊 {by} rescored {ref}",
    "reviewed": "👍 {by} reviewed {ref}: still valid",
    "status": "{ref} is now *{status}*",
    "responded": "🛡️ Response set for {ref}",
    "assigned": "➡️ {ref} now belongs to {owner}",
    "edited": "✏️ Saved {ref}",
    "logged": "🗂️ {by} logged {ref} from the offer",
}


def entry_message(r: RaidEntryResult) -> Message:
    v = r.entry
    if r.event == "shown":
        return Message(fallback(f"{v.full_ref}: ", v.title), detail_blocks(v, r.today))
    lead = LEADS[r.event].format(
        by=who(r.by) if r.by else "Someone",
        ref=escape(v.full_ref),
        status=v.status.value,
        owner=who(v.owner),
    )
    blocks = [section(lead), *entry_blocks(v, r.today)]
    if v.band is not None and v.band.value == "red" and r.event in ("created", "scored"):
        blocks.append(context("🚨 In the red band: the PMO leads are told."))
    if r.linked:
        blocks.append(section(f"It became issue *{escape(r.linked.full_ref)}*."))
        blocks += entry_actions(r.linked)
    if r.offer:
        blocks += offer_blocks(r.offer.id, r.offer.kind.value, r.offer.title)
    return Message(fallback(f"{lead.replace('*', '')}: ", v.title), blocks[:MESSAGE_BLOCKS])


def offer_blocks(offer_id: int, kind: str, title: str, part: int | None = None) -> list[Block]:
    """Log as issue (or risk) / Edit first… / Dismiss (`part`: its place in a message of
    several parts)."""
    return [
        section(f"Log it as a{'n' if kind == 'issue' else ''} {kind}? _{escape(title)}_"),
        actions(
            block_id(BlockId.RAID_OFFER_PREFIX, offer_id, part),
            [
                button(f"Log as {kind}", ActionId.RAID_OFFER_LOG, str(offer_id), style="primary"),
                button("Edit first…", ActionId.RAID_OFFER_EDIT, str(offer_id)),
                button("Dismiss", ActionId.RAID_OFFER_DISMISS, str(offer_id)),
            ],
        ),
    ]


def list_message(r: RaidListResult) -> Message:
    page = r.page
    if not page.items:
        return Message(r.empty_text, [section(escape(r.empty_text))])
    rows = [entry_blocks(v, r.today) for v in page.items]
    return Message(f"{r.title} ({page.total})", paged_blocks(rows, r.title, page, r.rest))


def settings_message(r: RaidSettingsResult) -> Message:
    p = r.policy
    text = (
        ("⚙️ RAID settings updated.\n" if r.changed else "")
        + f"*Score bands*: 🔴 red from *{p.red}* · 🟠 amber from *{p.amber}* · 🟢 green below\n"
        f"*Reviews*: red every {p.review_red} days · amber {p.review_amber} · green "
        f"{p.review_green}\n*Review reminders*: at most {p.budget} a person a day\n"
        f"Change them with {command('settings raid bands 15 5')}."
    )
    return Message(fallback(text), [section(text)])


def offer_message(r: RaidOfferResult) -> Message:
    text = f"Dismissed: _{escape(r.offer.title)}_. It won't be offered again."
    return Message(fallback(text), [section(text)])


def replace_entry(
    blocks: list[Block], target: str, result: RaidEntryResult | RaidOfferResult
) -> Message:
    """The message a button was on (`target` is the clicked block), with that part replaced
    by the entry's new state and who changed it; other parts stay. Without the original
    message, the result alone."""
    if isinstance(result, RaidOfferResult):
        return _swap(blocks, target, offer_message(result))
    v = result.entry
    by = who(result.by) if result.by else "someone"
    notes = {
        "reviewed": f"👍 Still valid, said {by}",
        "logged": f"🗂️ Logged as *{escape(v.full_ref)}* by {by}",
        "status": f"Now *{v.status.value}*, by {by}",
    }
    note = notes.get(result.event, f"Updated by {by}")
    new = Message(
        fallback(f"{v.full_ref} ", v.title, f" — {note}"),
        [section(entry_text(v, result.today)), context(note), *entry_actions(v)],
    )
    if result.offer:
        new.blocks.extend(
            offer_blocks(result.offer.id, result.offer.kind.value, result.offer.title)
        )
    return _swap(blocks, target, new)


def _swap(blocks: list[Block], target: str, new: Message) -> Message:
    for i, block in enumerate(blocks):
        bid = str(block.get("block_id") or "")
        if block.get("type") != "actions" or not (bid == target or bid.startswith(target + ":")):
            continue
        start, j = i, i - 1
        while j >= 0 and blocks[j].get("type") == "context":
            j -= 1
        if j >= 0 and blocks[j].get("type") == "section":
            start = j
        return Message(new.text, (blocks[:start] + new.blocks + blocks[i + 1 :])[:MESSAGE_BLOCKS])
    return new


def reminder_rows(r: Reminder, lead: str, today: date, n: int) -> list[Block]:
    """One review (or due date) reminder with the entry's buttons."""
    key = f" · `{escape(r.project_key)}`" if r.project_key else ""
    owner = f" · owner {escape('@' + r.owner_handle)}" if r.rule.startswith("raid_escalate") else ""
    days = r.days_overdue
    late = f" · {days} working day{'s' if days != 1 else ''} late" if days else ""
    text = f"{lead}\n*{escape(r.title)}*{key}{owner} · {day(r.due_on, today)}{late}"
    row = _reminder_buttons(r.kind.removeprefix("raid_"), str(r.item_id))
    return [section(text), actions(block_id(BlockId.RAID_PREFIX, r.item_id, n), row)]


def _reminder_buttons(kind: str, value: str) -> list[dict[str, Any]]:
    match kind:
        case "risk":
            return [
                button("Still valid", ActionId.RAID_REVIEW, value, style="primary"),
                button("Rescore…", ActionId.RAID_RESCORE, value),
                button("Close", ActionId.RAID_CLOSE, value),
            ]
        case "issue":
            return [
                button("Resolve…", ActionId.RAID_RESOLVE, value, style="primary"),
                button("Edit", ActionId.RAID_EDIT, value),
            ]
        case "assumption":
            return [
                button("Confirmed", ActionId.RAID_CONFIRM, value, style="primary"),
                button("Invalid", ActionId.RAID_INVALID, value, style="danger"),
            ]
        case _:
            return [
                button("Met", ActionId.RAID_MET, value, style="primary"),
                button("Missed", ActionId.RAID_MISSED, value, style="danger"),
            ]


def report_groups(s: RaidSummary, today: date) -> list[list[Block]]:
    """The portfolio report's RAID parts: top risks (the red band, highest score first, with
    owner and review state) and new high-severity issues. People are named, not pinged."""
    groups: list[list[Block]] = []
    if s.top_risks:
        lines = []
        for v in s.top_risks[:10]:
            review = day(v.next_date, today) if v.next_date else "no review date"
            owner = escape("@" + v.owner.handle) if v.owner else "no owner"
            lines.append(
                f"{DOT['red']} `{escape(v.full_ref)}` *{escape(clip(v.title, 120))}* · "
                f"*{v.score}* ({v.probability}×{v.impact}) · {owner} · review {review}"
            )
        more = s.red_total - len(lines)
        tail = f"\n… and {more} more in the red band." if more > 0 else ""
        groups.append([section(f"*Top risks* ({s.red_total} red)\n" + "\n".join(lines) + tail)])
    if s.new_issues:
        lines = [
            f"{SEVERITY_DOT[v.severity.value if v.severity else 'low']} `{escape(v.full_ref)}` "
            f"*{escape(clip(v.title, 120))}* · {v.severity.value if v.severity else ''} · "
            f"{escape('@' + v.owner.handle) if v.owner else 'no owner'}"
            for v in s.new_issues[:10]
        ]
        groups.append([section("*New high-severity issues*\n" + "\n".join(lines))])
    return groups
