"""Everyday-use results as console text: people, your settings, an item's or a
deliverable's card, several items changed at once, and the help in 80 columns. Pure."""

from __future__ import annotations

import textwrap
from datetime import date, time

from handlers.console.text import deliverable_line, item_line, plural, who
from services.commands.everyday_results import (
    ActionBatchResult,
    ActionCardResult,
    DeliverableCardResult,
    MeResult,
    PeopleResult,
)
from services.core.views import ActionItemView
from services.people.directory import PersonCard
from services.work.history import HistoryEntry

WIDTH = 80
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROLE_NAMES = {"admin": "admin", "pmo_lead": "PMO lead"}


def days_text(digits: str) -> str:
    """'Mon-Fri', 'Sun-Thu', 'Mon, Tue, Thu', 'every day'."""
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
        roles.append("PM of " + ", ".join(c.leads))
    return "; ".join(roles)


def people_text(result: PeopleResult) -> str:
    page = result.people
    if not page.items:
        return "Nobody here yet." if not page.offset else "There is no such page."
    first = page.offset + 1
    head = (
        f"People ({page.total})"
        if not page.offset and not page.more
        else (f"People ({first}-{page.offset + len(page.items)} of {page.total})")
    )
    lines = [f"{head}:"]
    for c in page.items:
        away = f" · on leave until {c.away_until:%a %d %b}" if c.away_until else ""
        local = f" · {c.local_time:%a %H:%M} there" if c.local_time else ""
        lines.append(f"  {who(c.person)} {c.person.display_name}{away}")
        lines.append(
            f"      {c.timezone}{local} · {days_text(c.working_days)} "
            f"{span(c.work_start, c.work_end)}" + (f" · {roles_text(c)}" if roles_text(c) else "")
        )
    if page.more:
        lines.append(f"  … {page.more} more: people page {page.number + 1}")
    return "\n".join(lines)


def me_text(result: MeResult) -> str:
    mine = result.me
    c = mine.card
    here = f"{c.local_time:%a %d %b %H:%M}" if c.local_time else ""
    if result.event == "whoami":
        roles = roles_text(c) or "member"
        return (
            f"You are {who(c.person)} ({c.person.display_name}) — {roles}.\n"
            f"Your time: {here} ({c.timezone})."
        )
    lead = {
        "timezone": "Your time zone is set.",
        "hours": "Your working hours are set.",
        "days": "Your working days are set.",
        "quiet": "Your quiet hours are set.",
    }.get(result.event)
    quiet = span(*c.quiet) if c.quiet else "none"
    digest = (
        f"at {(mine.digest_at or c.work_start):%H:%M} on working days"
        if mine.digest_enabled
        else "off"
    )
    lines = ([lead] if lead else []) + [
        f"Your settings, {who(c.person)}:",
        f"  time zone     {c.timezone} (it is {here} for you)",
        f"  working days  {days_text(c.working_days)}",
        f"  working hours {span(c.work_start, c.work_end)}",
        f"  quiet hours   {quiet}",
        f"  daily digest  {digest}",
        "Reminders come at the start of your working day, never on your days off or in your "
        "quiet hours.",
    ]
    if mine.note:
        lines.append(mine.note)
    return "\n".join(lines)


def history_lines(history: list[HistoryEntry], today: date) -> list[str]:
    out = []
    for h in history:
        when = f"{h.at:%a %d %b %H:%M}" if h.at.date() != today else f"today {h.at:%H:%M}"
        by = who(h.by) if h.by else "PMO Bot"
        changed = f": {'; '.join(h.changes)}" if h.changes else ""
        out.append(f"    {when} · {by} {h.action}{changed}")
    return out


def notes_lines(notes: str, indent: str = "    ") -> list[str]:
    return [
        line
        for para in notes.strip().splitlines()
        for line in textwrap.wrap(
            para, WIDTH - len(indent), initial_indent=indent, subsequent_indent=indent + "  "
        )
    ]


def latest_note(item: ActionItemView) -> str:
    """The last line of an item's notes, as a list shows it under the item."""
    last = item.notes.strip().splitlines()[-1] if item.notes.strip() else ""
    return textwrap.shorten(last, WIDTH - 8, placeholder="…") if last else ""


def action_card_text(result: ActionCardResult) -> str:
    item, today = result.item, result.today
    lines = [item_line(item, today).strip()]
    if item.created_by:
        lines.append(f"  created by {who(item.created_by)}")
    if item.notes.strip():
        lines += ["  Notes:", *notes_lines(item.notes)]
    if result.history:
        lines += ["  History:", *history_lines(result.history, today)]
    return "\n".join(lines)


def batch_text(result: ActionBatchResult) -> str:
    verb = {
        "done": "Marked done",
        "reopened": "Reopened",
        "cancelled": "Cancelled",
        "snoozed": "Snoozed",
        "rescheduled": "Moved the due date of",
        "assigned": "Reassigned",
    }[result.event]
    n = plural(len(result.items), "item")
    return f"{verb} {n}:\n" + "\n".join(item_line(i, result.today) for i in result.items)


def deliverable_card_text(result: DeliverableCardResult) -> str:
    d, today = result.deliverable, result.today
    lines = [deliverable_line(d, today).strip(), f"  project {d.project_key}"]
    if result.history:
        lines += ["  History:", *history_lines(result.history, today)]
    return "\n".join(lines)
