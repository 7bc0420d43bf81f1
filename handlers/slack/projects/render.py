"""Projects in Block Kit. Pure: data in, JSON out."""

from __future__ import annotations

from datetime import UTC, date

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    Message,
    channel_link,
    command,
    context,
    day,
    escape,
    fallback,
    header,
    list_with_overflow,
    section,
    who,
)
from handlers.slack.paging import paged_blocks
from services.commands.results import ProjectListResult, ProjectResult
from services.core.dates import day_label
from services.core.views import Page, ProjectView

RAG_DOTS = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def project_text(p: ProjectView, today: date) -> str:
    lock = " 🔒" if p.private else ""
    state = p.state.value.replace("_", " ")
    lines = [
        f"*{p.key}* — {escape(p.name)}{lock} · {state}"
        + (f" · phase {escape(p.phase)}" if p.phase else ""),
        f"PM {who(p.pm)} · {p.open_actions} open / {p.overdue_actions} overdue actions · "
        f"{p.open_deliverables} open / {p.late_deliverables} late deliverables",
    ]
    if p.start_on:
        lines.append(f"Start {day_label(p.start_on, today)}")
    if p.target_on:
        lines.append(f"Target {day(p.target_on, today)}")
    if p.rag:
        lines.append(f"Latest status: {RAG_DOTS.get(p.rag, '')} {p.rag.title()} ({p.rag_period})")
    if p.home_channel:
        lines.append(f"Channel: {channel_link(p.home_channel)}")
    if p.next_round:
        stamp = int(p.next_round.timestamp())
        shown = f"{p.next_round.astimezone(UTC):%a %d %b %H:%M} UTC"
        lines.append(f"Next status round: <!date^{stamp}^{{date_short_pretty}} {{time}}|{shown}>")
    return "\n".join(lines)


def project_message(result: ProjectResult) -> Message:
    project = result.project
    lead = {
        "created": f"📁 New project *{project.key}*",
        "updated": f"Updated *{project.key}*",
        "closed": f"📦 Closed *{project.key}*",
        "member_added": f"Updated the members of *{project.key}*",
        "member_removed": f"Updated the members of *{project.key}*",
    }.get(result.event)
    blocks = ([section(lead)] if lead else []) + [section(project_text(project, result.today))]
    if project.members:
        members = ", ".join(f"{who(m.person)} ({m.role.value})" for m in project.members)
        blocks.append(context(f"Members: {members}"))
    return Message(fallback(f"{project.key} — ", project.name), blocks)


def project_list_message(result: ProjectListResult) -> Message:
    projects = result.projects
    if not projects:
        new = command('project new KEY "Name"')
        text = f"No projects yet. Create one: {new}"
        return Message("No projects yet.", [section(text)])
    rows = [[section(project_text(p, result.today))] for p in projects]
    title = "Projects" + (" (including closed)" if result.include_closed else "")
    if result.rest or result.offset:
        page = Page(projects, result.total, result.offset, len(projects))
        return Message(f"{result.total} projects", paged_blocks(rows, title, page, result.rest))
    head = [header(title)]
    blocks = list_with_overflow(rows, head, len(projects), MESSAGE_BLOCKS)
    return Message(f"{len(projects)} projects", blocks)
