"""Help, roles, workspace settings, leave and the daily digest setting in Block Kit. Pure."""

from __future__ import annotations

from handlers.slack.blocks import (
    Block,
    Message,
    actions,
    button,
    channel_link,
    command,
    context,
    escape,
    fallback,
    header,
    section,
    who,
)
from handlers.slack.digests.render import digest_blocks
from handlers.slack.ids import ActionId, BlockId
from services.commands.results import (
    DigestResult,
    HelpResult,
    LeaveResult,
    RoleChanged,
    RolesResult,
    SettingsResult,
)
from services.core.dates import day_label
from services.workspace.settings import WEEKDAYS


def help_blocks(result: HelpResult) -> list[Block]:
    topic = result.topic
    head = f"PMO Bot — {topic} commands" if topic else "PMO Bot — what I can do"
    lines = "\n".join(f"{command(e.usage)} — {escape(e.summary)}" for e in result.entries)
    blocks: list[Block] = [header(head)]
    chunk: list[str] = []
    for line in lines.splitlines():  # a section holds 3,000 characters: the rest follows
        if not line.strip():
            continue  # a blank line (a line break in a summary) makes no section of its own
        if chunk and len("\n".join([*chunk, line])) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if result.extra:
        blocks.append(context(escape(result.extra)))
    if not lines and not result.extra:
        blocks.append(section(f"Nothing more on {escape(topic or 'that')}: try {command('help')}."))
    blocks.append(
        actions(
            BlockId.HELP_ACTIONS,
            [
                button("New action item", ActionId.OPEN_NEW_ITEM, style="primary"),
                button("New project", ActionId.OPEN_NEW_PROJECT),
                button("New deliverable", ActionId.OPEN_NEW_DELIVERABLE),
                button("My items", ActionId.SHOW_MINE),
                button("Overdue", ActionId.SHOW_OVERDUE),
            ],
        )
    )
    return blocks


def help_message(result: HelpResult) -> Message:
    return Message("PMO Bot help", help_blocks(result))


def roles_message(result: RolesResult) -> Message:
    if not result.roles:
        return Message(
            "Nobody holds a workspace role.", [section("Nobody holds a workspace role.")]
        )
    text = "\n".join(f"{who(p)} — {r.value}" for p, r in result.roles)
    return Message("Workspace roles", [section(f"*Workspace roles*\n{text}")])


def role_changed_message(result: RoleChanged) -> Message:
    verb = "is now" if result.granted else "is no longer"
    text = f"{who(result.person)} {verb} {result.role.value}."
    return Message(fallback(text), [section(text)])


def leave_message(result: LeaveResult) -> Message:
    lead = {"recorded": "🌴 Leave recorded.", "cancelled": "Leave cancelled."}.get(result.event, "")
    if not result.periods:
        body = "You have no current or upcoming leave."
    else:
        today = result.today
        ids = [f"#{i} " for i in result.ids] if len(result.ids) == len(result.periods) else []
        body = "*Your leave*\n" + "\n".join(
            f"• {ids[n] if ids else ''}{day_label(s, today)} → {day_label(e, today)}"
            for n, (s, e) in enumerate(result.periods)
        )
        if ids:
            body += f"\n{command(f'leave cancel {result.ids[0]}')} ends one."
    text = (f"{lead}\n" if lead else "") + body
    note = "While you are on leave you are not chased; your PM is."
    return Message(fallback(text), [section(text), context(note)])


def _weekly(on: bool, day_no: int, at: str) -> str:
    return f"*{WEEKDAYS[day_no - 1].title()} {at}*" if on else "*off*"


def settings_message(result: SettingsResult) -> Message:
    ws = result.settings
    lead = "⚙️ Settings updated.\n" if result.changed else ""
    policy, dg = ws.reminders, ws.digests
    channel = (
        channel_link(ws.pmo_channel)
        if ws.pmo_channel
        else "not set: the PMO digest goes to PMO leads by DM"
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
        f"(each project's own schedule: {command('status settings KEY')})\n"
        f"*Date order* for people whose Slack language gives none: *{ws.date_order.value}* "
        f"({command('settings date_order DMY|MDY|YMD')})"
    )
    return Message(fallback(text), [section(text)])


def digest_setting_message(result: DigestResult) -> Message:
    mine = result.mine
    lead = {
        "on": "✅ Your daily digest is on.\n",
        "off": f"🔕 Your daily digest is off. {command('digest on')} brings it back.\n",
        "moved": "⏰ Your daily digest moved.\n",
    }.get(result.event, "")
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
    return Message(fallback(lead + state), blocks)
