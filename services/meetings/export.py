"""Minutes as a Markdown document."""

from __future__ import annotations

from services.core.dates import zone
from services.meetings.views import MinutesView


def to_markdown(v: MinutesView) -> str:
    """The minutes as a Markdown document (title, when, who, notes, decisions, actions)."""
    tz = zone(v.timezone)
    start = v.started_at.astimezone(tz)
    when = f"{start:%A %d %B %Y, %H:%M}"
    if v.ended_at:
        when += f" to {v.ended_at.astimezone(tz):%H:%M}"
    lines = [f"# {_md(v.title)}", "", f"- **When:** {when} ({v.timezone})"]
    if v.project_key:
        lines.append(f"- **Project:** {v.project_key} — {_md(v.project_name or '')}")
    lines.append(f"- **Minutes by:** @{v.started_by.handle}")
    if v.attendees:
        lines.append("- **Attendees:** " + ", ".join(f"@{p.handle}" for p in v.attendees))
    if v.absent:
        lines.append("- **Regrets:** " + ", ".join(f"@{p.handle}" for p in v.absent))
    if v.auto_closed:
        lines.append("- _Closed automatically after 12 hours open._")
    if v.amended_at:
        lines.append(f"- _Amended {v.amended_at.astimezone(tz):%d %b %Y %H:%M}._")
    for heading, entries in (("Notes", v.notes), ("Decisions", v.decisions)):
        lines += ["", f"## {heading}", ""]
        lines += [f"{e.n}. {_md(e.text)}" for e in entries] or ["_None._"]
    lines += ["", "## Action items", ""]
    if v.actions:
        lines += ["| # | Action | Owner | Due | State |", "|---|---|---|---|---|"]
        lines += [
            f"| {a.id} | {_cell(a.title)} | @{a.owner.handle} | "
            f"{a.due_on.isoformat() if a.due_on else '—'} | {a.status.value} |"
            for a in v.actions
        ]
    else:
        lines.append("_None._")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return _md(text).replace("|", "\\|")


def _md(text: str) -> str:
    """One line of user text, safe in Markdown (no stray HTML, no line breaks)."""
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")
