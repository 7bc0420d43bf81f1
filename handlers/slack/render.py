"""Block Kit for command results, action items, help and App Home. Pure: data in, JSON out.

Every string that came from a person is escaped (`&`, `<`, `>`), so it can never form
`<!channel>`, `<!here>` or a `<@U…>` ping; limits from Slack's Block Kit reference are
enforced here (section 3,000 chars, header 150, button text 75, 50 blocks a message,
100 a view), with "and N more" where a list is cut.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from handlers.slack.ids import SNOOZE_CHOICES, ActionId, BlockId
from services.commands.help import HelpEntry
from services.commands.results import (
    ActionListResult,
    ActionResult,
    CadenceResult,
    DeliverableListResult,
    DeliverableResult,
    DigestResult,
    HelpResult,
    LeaveResult,
    ProjectListResult,
    ProjectResult,
    ReportResult,
    Result,
    RoleChanged,
    RolesResult,
    SettingsResult,
    StatusResult,
)
from services.core.dates import day_label, relative_phrase
from services.core.views import ActionItemView, DeliverableView, PersonRef, ProjectView
from services.outbox.port import Bundle, Digest, DigestLine
from services.workspace.home import HomeData
from services.workspace.settings import CHANNEL_ID, WEEKDAYS

Block = dict[str, Any]
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
FALLBACK_TEXT = 3000


@dataclass(frozen=True)
class Message:
    """A Slack message: fallback text, blocks, and whether it is for the whole channel."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    public: bool = False


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it renders literally and pings nobody."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis, never splitting an escape entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def plain(text: str, limit: int = BUTTON_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def section(mrkdwn: str, **extra: Any) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(mrkdwn, SECTION_TEXT)},
        **extra,
    }


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(mrkdwn, 2000)}]}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id}
    if value:
        b["value"] = value[:2000]
    if style:
        b["style"] = style
    return b


def who(p: PersonRef | None, slack: bool = True) -> str:
    """A person as a Slack mention when we hold their Slack id, else their escaped name."""
    if p is None:
        return "_nobody_"
    if slack and p.external_id.startswith(("U", "W")) and p.external_id.isalnum():
        return f"<@{p.external_id}>"
    return escape(f"@{p.handle}")


def day(d: date | None, today: date) -> str:
    if d is None:
        return "no due date"
    phrase, overdue = relative_phrase(d, today)
    return f"{day_label(d, today)} ({'*' + phrase + '*' if overdue else phrase})"


def item_text(item: ActionItemView, today: date) -> str:
    status = {"done": "✅ ", "cancelled": "🚫 "}.get(item.status.value, "")
    title = escape(item.title)
    if item.status.value != "open":
        title = f"~{title}~" if item.status.value == "cancelled" else title
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


def item_actions(item: ActionItemView) -> Block:
    """Done / Snooze / Reassign for an open item, Reopen for a closed one."""
    block_id = f"{BlockId.ITEM_PREFIX}{item.id}"
    if item.status.value != "open":
        return {
            "type": "actions",
            "block_id": block_id,
            "elements": [button("Reopen", ActionId.ITEM_REOPEN, str(item.id))],
        }
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            button("Done", ActionId.ITEM_DONE, str(item.id), style="primary"),
            {
                "type": "static_select",
                "action_id": ActionId.ITEM_SNOOZE,
                "placeholder": plain("Snooze"),
                "options": [
                    {"text": plain(label), "value": f"{item.id}:{code}"}
                    for code, (label, _) in SNOOZE_CHOICES.items()
                ],
            },
            {
                "type": "users_select",
                "action_id": ActionId.ITEM_REASSIGN,
                "placeholder": plain("Reassign"),
            },
            button("Edit", ActionId.ITEM_EDIT, str(item.id)),
        ],
    }


def item_blocks(item: ActionItemView, today: date) -> list[Block]:
    return [section(item_text(item, today)), item_actions(item)]


def item_message(item: ActionItemView, today: date, lead: str, *, public: bool = False) -> Message:
    blocks = [section(lead), *item_blocks(item, today)]
    return Message(text=_fallback(f"{lead} #{item.id} ", item.title), blocks=blocks, public=public)


def item_fallback(item: ActionItemView, note: str) -> str:
    """Plain text for an updated item message."""
    return _fallback(f"#{item.id} ", item.title, f" — {note}")


def replace_item(blocks: list[Block], item: ActionItemView, today: date, note: str) -> list[Block]:
    """`blocks` with this item's blocks replaced by its new state and a note of the change.

    An item is rendered as section, optional context (the last change), actions. Other items
    in the same message (a list) stay as they are. Without the original blocks (an ephemeral
    message) the result is the item alone.
    """
    target = f"{BlockId.ITEM_PREFIX}{item.id}"
    new = [section(item_text(item, today)), context(note), item_actions(item)]
    for i, block in enumerate(blocks):
        if block.get("type") == "actions" and block.get("block_id") == target:
            start = i
            if start > 0 and blocks[start - 1].get("type") == "context":
                start -= 1
            if start > 0 and blocks[start - 1].get("type") == "section":
                start -= 1
            return (blocks[:start] + new + blocks[i + 1 :])[:MESSAGE_BLOCKS]
    return new


def _fallback(trusted: str, user: str = "", tail: str = "") -> str:
    """Plain `text` for notifications and screen readers.

    `trusted` and `tail` are ours (mentions we made stay mentions, bold marks go); `user` is
    what a person typed, escaped so it cannot ping anyone.
    """
    return clip(trusted.replace("*", "") + escape(user) + tail.replace("*", ""), FALLBACK_TEXT)


def _list_with_overflow(
    rows: list[list[Block]], head: list[Block], total: int, limit: int
) -> list[Block]:
    """Add row groups while they fit under `limit` blocks; say how many did not."""
    blocks = list(head)
    shown = 0
    for group in rows:
        if len(blocks) + len(group) > limit - 1:
            break
        blocks.extend(group)
        shown += 1
    if total > shown:
        blocks.append(context(f"… and {total - shown} more."))
    return blocks


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


def project_text(p: ProjectView, today: date) -> str:
    lock = " 🔒" if p.private else ""
    state = p.state.value.replace("_", " ")
    lines = [
        f"*{p.key}* — {escape(p.name)}{lock} · {state}"
        + (f" · phase {escape(p.phase)}" if p.phase else ""),
        f"PM {who(p.pm)} · {p.open_actions} open / {p.overdue_actions} overdue actions · "
        f"{p.open_deliverables} open / {p.late_deliverables} late deliverables",
    ]
    if p.target_on:
        lines.append(f"Target {day(p.target_on, today)}")
    if p.rag:
        dot = {"green": "🟢", "amber": "🟠", "red": "🔴"}.get(p.rag, "")
        lines.append(f"Latest status: {dot} {p.rag.title()} ({p.rag_period})")
    return "\n".join(lines)


def help_blocks(entries: list[HelpEntry], topic: str | None, extra: str | None) -> list[Block]:
    head = f"PMO Bot — {topic} commands" if topic else "PMO Bot — what I can do"
    lines = "\n".join(f"`/pmo {escape(e.usage)}` — {escape(e.summary)}" for e in entries)
    blocks: list[Block] = [header(head), section(lines)]
    if extra:
        blocks.append(context(escape(extra)))
    blocks.append(
        {
            "type": "actions",
            "block_id": "help_actions",
            "elements": [
                button("New action item", ActionId.OPEN_NEW_ITEM, style="primary"),
                button("New project", ActionId.OPEN_NEW_PROJECT),
                button("New deliverable", ActionId.OPEN_NEW_DELIVERABLE),
                button("My items", ActionId.SHOW_MINE),
                button("Overdue", ActionId.SHOW_OVERDUE),
            ],
        }
    )
    return blocks


def result_message(result: Result, base_url: str = "") -> Message:
    """The reply to a /pmo command."""
    from services.commands.results import (
        IcsResult,
        MeetingListResult,
        MeetingResult,
        MinutesExportResult,
        MinutesListResult,
        MinutesResult,
    )

    if isinstance(
        result,
        MinutesResult
        | MinutesListResult
        | MinutesExportResult
        | MeetingResult
        | MeetingListResult
        | IcsResult,
    ):
        from handlers.slack import minutes

        today = date.min
        if isinstance(result, MinutesResult):
            today = result.today or result.minutes.started_at.date()
        return minutes.result_message(result, today, base_url)
    match result:
        case HelpResult(topic, entries, extra):
            return Message("PMO Bot help", help_blocks(entries, topic, extra))
        case RolesResult(roles):
            if not roles:
                return Message(
                    "Nobody holds a workspace role.", [section("Nobody holds a workspace role.")]
                )
            text = "\n".join(f"{who(p)} — {r.value}" for p, r in roles)
            return Message("Workspace roles", [section(f"*Workspace roles*\n{text}")])
        case RoleChanged(person, role, granted):
            text = f"{who(person)} {'is now' if granted else 'is no longer'} {role.value}."
            return Message(_fallback(text), [section(text)])
        case ProjectResult(project, event, today, public):
            lead = {
                "created": f"📁 New project *{project.key}*",
                "updated": f"Updated *{project.key}*",
                "closed": f"📦 Closed *{project.key}*",
                "member_added": f"Updated the members of *{project.key}*",
                "member_removed": f"Updated the members of *{project.key}*",
            }.get(event)
            blocks = ([section(lead)] if lead else []) + [section(project_text(project, today))]
            if project.members:
                members = ", ".join(f"{who(m.person)} ({m.role.value})" for m in project.members)
                blocks.append(context(f"Members: {members}"))
            return Message(_fallback(f"{project.key} — ", project.name), blocks, public)
        case ProjectListResult(projects, include_closed, today):
            if not projects:
                return Message(
                    "No projects yet.",
                    [section('No projects yet. Create one: `/pmo project new KEY "Name"`')],
                )
            rows = [[section(project_text(p, today))] for p in projects]
            head = [header("Projects" + (" (including closed)" if include_closed else ""))]
            return Message(
                f"{len(projects)} projects",
                _list_with_overflow(rows, head, len(projects), MESSAGE_BLOCKS),
            )
        case ActionResult(item, event, today, public):
            lead = {
                "created": f"📝 New action item for {who(item.owner)}",
                "done": "✅ Done",
                "reopened": "↩️ Reopened",
                "cancelled": "🚫 Cancelled",
                "snoozed": "💤 Snoozed",
                "assigned": f"➡️ Now with {who(item.owner)}",
                "rescheduled": "📅 Due date moved",
            }.get(event)
            if lead is None:
                return Message(_fallback(f"#{item.id} ", item.title), item_blocks(item, today))
            return item_message(item, today, lead, public=public)
        case ActionListResult(title, page, today, empty_text):
            if not page.items:
                return Message(empty_text, [section(escape(empty_text))])
            rows = [item_blocks(i, today) for i in page.items]
            head = [header(f"{title} ({page.total})")]
            return Message(
                f"{title} ({page.total})",
                _list_with_overflow(rows, head, page.total, MESSAGE_BLOCKS),
            )
        case DeliverableResult(d, event, today, public):
            lead = {
                "created": "🎯 New deliverable",
                "forecast": "📅 Re-forecast",
                "done": "🏁 Delivered",
            }[event]
            return Message(
                _fallback(f"{lead}: ", d.title),
                [section(f"{lead}\n{deliverable_text(d, today)}")],
                public,
            )
        case DeliverableListResult(key, items, today):
            if not items:
                return Message(
                    f"{key} has no deliverables yet.", [section(f"{key} has no deliverables yet.")]
                )
            rows = [[section(deliverable_text(d, today))] for d in items]
            return Message(
                f"Deliverables of {key}",
                _list_with_overflow(
                    rows, [header(f"Deliverables of {key}")], len(items), MESSAGE_BLOCKS
                ),
            )
        case LeaveResult(periods, event, today):
            lead = {"recorded": "🌴 Leave recorded.", "cancelled": "Leave cancelled."}.get(
                event, ""
            )
            if not periods:
                body = "You have no current or upcoming leave."
            else:
                body = "*Your leave*\n" + "\n".join(
                    f"• {day_label(s, today)} → {day_label(e, today)}" for s, e in periods
                )
            text = (f"{lead}\n" if lead else "") + body
            note = "While you are on leave you are not chased; your PM is."
            return Message(_fallback(text), [section(text), context(note)])
        case SettingsResult(ws, changed):
            lead = "⚙️ Settings updated.\n" if changed else ""
            policy, dg = ws.reminders, ws.digests
            channel = (
                f"<#{ws.pmo_channel}>"
                if ws.pmo_channel and not ws.pmo_channel.startswith("#")
                else escape(ws.pmo_channel or "not set: the PMO digest goes to PMO leads by DM")
            )
            weekly_project = _weekly(dg.project_weekly, dg.project_day, dg.project_time)
            text = (
                f"{lead}*Reminders*\n"
                f"• heads-up the working day before: *{'on' if policy.heads_up else 'off'}*\n"
                f"• tell the PM after *{policy.escalate_pm_after}* working days overdue\n"
                f"• tell the PMO leads after *{policy.escalate_lead_after}* working days overdue\n"
                f"*Weekly digests* (time zone {escape(ws.timezone)})\n"
                f"• project channels: {weekly_project}\n"
                f"• PMO: {_weekly(dg.pmo_weekly, dg.pmo_day, dg.pmo_time)} to {channel}\n"
                f"*Weekly status rounds*: *{'on' if ws.status_rounds else 'off'}* "
                "(each project's own schedule: `status settings KEY`)"
            )
            return Message(_fallback(text), [section(text)])
        case DigestResult(mine, event):
            lead = {
                "on": "✅ Your daily digest is on.\n",
                "off": "🔕 Your daily digest is off. `/pmo digest on` brings it back.\n",
                "moved": "⏰ Your daily digest moved.\n",
            }.get(event, "")
            state = (
                f"Your daily digest comes at *{mine.at:%H:%M}* ({escape(mine.timezone)}) on your "
                "working days, when there is something to report."
                if mine.enabled
                else "Your daily digest is *off*."
            )
            blocks = [section(lead + state)]
            if mine.preview is not None:
                blocks += [context("Today it would say:"), *digest_blocks(mine.preview, set())]
            else:
                blocks.append(context("Nothing is overdue or due this week for you right now."))
            return Message(_fallback(lead + state), blocks)
        case StatusResult(view, event, note, versions, key):
            from handlers.slack.reports import status_message

            today = view.submitted_at.date() if view else date.today()  # noqa: DTZ011
            return status_message(view, event, note, versions, key, today)
        case CadenceResult(cad, changed):
            from handlers.slack.reports import cadence_message

            return cadence_message(cad, changed)
        case ReportResult(report, stats_only):
            from handlers.slack.reports import report_parent, stats_message

            if stats_only:
                return stats_message(report)
            parent = report_parent(report)  # on demand: for the asker only
            return Message(parent.text, parent.blocks)
    return Message("Done.", [section("Done.")])


def error_message(message: str, hint: str | None) -> Message:
    """A user error: what went wrong and what to do, ephemeral."""
    text = f":warning: {escape(message)}" + (f"\n{escape(hint)}" if hint else "")
    return Message(_fallback("", message + (" " + hint if hint else "")), [section(text)])


def home_view(data: HomeData) -> dict[str, Any]:
    """The App Home tab: my open items (overdue first), my projects, deliverables due soon."""
    today = data.today
    blocks: list[Block] = [
        header("Your PMO"),
        {
            "type": "actions",
            "block_id": "home_actions",
            "elements": [
                button("New action item", ActionId.OPEN_NEW_ITEM, style="primary"),
                button("New project", ActionId.OPEN_NEW_PROJECT),
            ],
        },
        header(f"Your open action items ({data.items.total})"),
    ]
    if not data.items.items:
        blocks.append(section("Nothing open. 🎉"))
    budget_items = 60
    item_rows = [item_blocks(i, today) for i in data.items.items]
    blocks = _list_with_overflow(item_rows, blocks, data.items.total, budget_items)
    blocks.append({"type": "divider"})
    blocks.append(header("Your projects"))
    if not data.projects:
        blocks.append(section("You are not in any project yet."))
    project_rows = [[section(project_text(p, today))] for p in data.projects]
    blocks = _list_with_overflow(project_rows, blocks, len(data.projects), 85)
    blocks.append(header("Deliverables due in the next 14 days"))
    if not data.deliverables:
        blocks.append(section("None due."))
    rows = [[section(deliverable_text(d, today))] for d in data.deliverables]
    blocks = _list_with_overflow(rows, blocks, len(data.deliverables), VIEW_BLOCKS)
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS]}


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


REMINDER_LEAD = {
    "heads_up": "⏰ Due on the next working day",
    "due_today": "📅 Due today",
    "overdue": "🔴 Overdue",
    "overdue_on_leave": "🌴 Overdue while its owner is on leave",
    "escalate_pm": "⚠️ Escalation: overdue in your project",
    "escalate_lead": "🚨 Escalation to the PMO: long overdue",
    "undeliverable": "📭 I couldn't reach this item's owner",
    "minutes_action": "📝 New action item for you from the minutes",
}


def _weekly(on: bool, day_no: int, at: str) -> str:
    return f"*{WEEKDAYS[day_no - 1].title()} {at}*" if on else "*off*"


def digest_line(ln: DigestLine, today: date, *, show_owner: bool) -> str:
    """One digest entry. Owners are named, never pinged: a digest is not a chase."""
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


def digest_blocks(d: Digest, skip: set[tuple[str, int]]) -> list[Block]:
    """A digest as a header and one section per part, each cut to fit with "… and N more"."""
    blocks = [header(d.title)] if d.title else []
    if d.note:
        blocks.append(context(escape(d.note)))
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
            line = digest_line(ln, d.today, show_owner=d.kind != "personal")
            if len(text) + len(line) + 40 > SECTION_TEXT:
                break
            text += "\n" + line
            shown += 1
        if total > shown:
            text += f"\n… and {total - shown} more."
        blocks.append(section(text))
    if d.sections and len(blocks) == 1 + bool(d.note):
        blocks.append(context("Everything in it is already listed above."))
    if d.channel and CHANNEL_ID.match(d.channel):
        blocks.append(context(f"Project channel: <#{d.channel}>"))
    if d.kind == "status_nudge" and d.project_key:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"status:{d.project_key}"[:255],
                "elements": [
                    button("Submit update", ActionId.STATUS_OPEN, d.project_key, style="primary")
                ],
            }
        )
    if d.kind == "meeting_agenda" and d.ref:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"agenda:{d.ref}"[:255],
                "elements": [
                    button("Start minutes", ActionId.MINUTES_START, d.ref, style="primary")
                ],
            }
        )
    if d.kind == "status_escalation" and d.project_key:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"status:{d.project_key}"[:255],
                "elements": [button("Show the update", ActionId.STATUS_SHOW, d.project_key)],
            }
        )
    return blocks


def digest_fallback(d: Digest) -> str:
    counts = ", ".join(f"{sec.heading.lower()}: {sec.total}" for sec in d.sections)
    return f"{d.title}" + (f" ({counts})" if counts and d.kind != "pmo" else "")


def reminder_message(bundle: Bundle) -> Message:
    """One DM (or channel post) with every reminder due for a person in this sweep, each with
    Done / Snooze, and any digests due to them, leaving out what the reminders already say."""
    if not bundle.reminders:
        blocks = [b for dg in bundle.digests for b in digest_blocks(dg, set())][:MESSAGE_BLOCKS]
        return Message(
            _fallback("", "; ".join(digest_fallback(dg) for dg in bundle.digests)), blocks
        )
    reminded = {(r.kind, r.item_id) for r in bundle.reminders}
    tail = [b for dg in bundle.digests for b in digest_blocks(dg, reminded)][: MESSAGE_BLOCKS // 2]
    today = bundle.today
    n = len(bundle.reminders)
    head = header(f"PMO Bot: {n} reminder{'s' if n != 1 else ''}")
    rows: list[list[Block]] = []
    for r in bundle.reminders:
        owner = f"<@{r.owner_external_id}>" if r.owner_external_id else escape(f"@{r.owner_handle}")
        key = f" · `{r.project_key}`" if r.project_key else ""
        extra = (
            f" · owner {owner}"
            if r.rule in ("escalate_pm", "escalate_lead", "overdue_on_leave", "undeliverable")
            else ""
        )
        late = (
            f" · {r.days_overdue} working day{'s' if r.days_overdue != 1 else ''} late"
            if r.days_overdue
            else ""
        )
        what = "Deliverable " if r.kind == "deliverable" else ""
        text = (
            f"{REMINDER_LEAD.get(r.rule, r.rule)}\n*{what}#{r.item_id}* "
            f"{escape(r.title)}{key}{extra} · "
            f"due {day(r.due_on, today)}{late}"
        )
        if r.note:
            text += f"\n_{escape(r.note)}_ — reassign it or reach them another way."
        actions: Block = {
            "type": "actions",
            "block_id": f"{BlockId.ITEM_PREFIX}{r.item_id}",
            "elements": [
                button("Done", ActionId.ITEM_DONE, str(r.item_id), style="primary"),
                {
                    "type": "static_select",
                    "action_id": ActionId.ITEM_SNOOZE,
                    "placeholder": plain("Snooze"),
                    "options": [
                        {"text": plain(label), "value": f"{r.item_id}:{code}"}
                        for code, (label, _) in SNOOZE_CHOICES.items()
                    ],
                },
            ],
        }
        # Deliverables are changed by their PM (`/pmo deliverable …`), so no item buttons.
        rows.append([section(text), actions] if r.kind == "action_item" else [section(text)])
    blocks = _list_with_overflow(rows, [head], n, MESSAGE_BLOCKS - len(tail)) + tail
    titles = "; ".join(f"#{r.item_id}" for r in bundle.reminders[:20])
    return Message(_fallback(f"PMO Bot: {n} reminder{'s' if n != 1 else ''} ({titles})"), blocks)
