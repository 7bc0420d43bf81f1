"""Render command results as plain text for a terminal. Pure: data in, text out."""

from __future__ import annotations

from datetime import date

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
from services.core.errors import DomainError
from services.core.views import ActionItemView, DeliverableView, PersonRef, ProjectView
from services.outbox.port import Digest
from services.status.exports import to_markdown
from services.status.messages import update_digest
from services.workspace.settings import WEEKDAYS

STATE_LABEL = {"active": "active", "on_hold": "on hold", "closed": "closed"}


def when(d: date | None, today: date) -> str:
    """'Fri 27 Nov (in 4 days)', 'today', 'Mon 2 Nov (3 days overdue)'."""
    if d is None:
        return "no due date"
    phrase, _ = relative_phrase(d, today)
    return f"{day_label(d, today)} ({phrase})"


def digest_text(d: Digest, skip: frozenset[tuple[str, int]] = frozenset()) -> str:
    """A digest as indented text, leaving out entries in `skip`."""
    out = [d.title] + ([f"  ({d.note})"] if d.note else [])
    if d.sections and all(
        {(ln.kind, ln.id) for ln in sec.lines} <= skip and sec.total == len(sec.lines)
        for sec in d.sections
    ):
        return ""
    for sec in d.sections:
        lines = [ln for ln in sec.lines if (ln.kind, ln.id) not in skip]
        total = sec.total - (len(sec.lines) - len(lines))
        if total <= 0:
            continue
        out.append(f"  {sec.heading}:")
        for ln in lines:
            key = f"{ln.project_key} " if ln.project_key else ""
            if ln.kind == "text":
                out.append("    " + ln.title.replace("\n", "\n    "))
            elif ln.kind == "project":
                out.append(
                    f"    {key}{ln.title}: {ln.overdue_items} overdue items, "
                    f"{ln.overdue_deliverables} overdue deliverables, "
                    f"{ln.escalations} escalations open"
                )
            else:
                what = "deliverable " if ln.kind == "deliverable" else ""
                owner = f" · @{ln.owner_handle}" if d.kind != "personal" and ln.owner_handle else ""
                out.append(
                    f"    {key}{what}#{ln.id} {ln.title}{owner} · {when(ln.due_on, d.today)}"
                )
        if total > len(lines):
            out.append(f"    … and {total - len(lines)} more")
    return "\n".join(out)


def who(p: PersonRef | None) -> str:
    return f"@{p.handle}" if p else "nobody"


def item_line(item: ActionItemView, today: date) -> str:
    """One action item on one line."""
    parts = [f"#{item.id} {item.title}", who(item.owner)]
    if item.project_key:
        parts.append(item.project_key)
    if item.status.value != "open":
        parts.append(item.status.value)
    else:
        parts.append(
            when(item.due_on, today).replace(" (", ", ").rstrip(")")
            if item.due_on
            else "no due date"
        )
        if item.snoozed_until and item.snoozed_until > today:
            parts.append("snoozed until " + when(item.snoozed_until, today).split(" (")[0])
    flag = "! " if item.is_overdue(today) else "  "
    return flag + " · ".join(parts)


def deliverable_line(d: DeliverableView, today: date) -> str:
    """One deliverable on one line, with its slip against baseline."""
    slip = ""
    if d.slip_days:
        slip = f" · slipped {d.slip_days:+d} days from {d.baseline_on.isoformat()}"
    state = d.status.value.replace("_", " ")
    flag = "! " if d.is_late(today) else "  "
    return (
        f"{flag}#{d.id} {d.title} · {who(d.owner)} · {state} · "
        f"forecast {when(d.forecast_on, today)}{slip}"
    )


def project_block(p: ProjectView, today: date) -> list[str]:
    lines = [
        f"{p.key} — {p.name}" + (" 🔒 private" if p.private else ""),
        f"  State: {STATE_LABEL[p.state.value]}" + (f" · Phase: {p.phase}" if p.phase else ""),
        f"  PM: {who(p.pm)}",
    ]
    if p.start_on or p.target_on:
        lines.append(
            f"  Dates: {p.start_on.isoformat() if p.start_on else '?'} → "
            f"{p.target_on.isoformat() if p.target_on else '?'}"
        )
    if p.description:
        lines.append(f"  {p.description}")
    lines.append(
        f"  Action items: {p.open_actions} open, {p.overdue_actions} overdue · "
        f"Deliverables: {p.open_deliverables} open, {p.late_deliverables} late"
    )
    if p.members:
        lines.append(
            "  Members: " + ", ".join(f"{who(m.person)} ({m.role.value})" for m in p.members)
        )
    return lines


def render(result: Result) -> str:
    """The text reply for a command result."""
    match result:
        case HelpResult(topic, entries, extra):
            head = f"PMO Bot — {topic} commands" if topic else "PMO Bot — what I can do"
            width = max((len(e.usage) for e in entries), default=0)
            lines = [head, ""] + [f"  {e.usage.ljust(width)}  {e.summary}" for e in entries]
            if extra:
                lines += ["", extra]
            return "\n".join(lines)
        case RolesResult(roles):
            if not roles:
                return "Nobody holds a workspace role."
            return "Workspace roles:\n" + "\n".join(f"  {who(p)} — {r.value}" for p, r in roles)
        case RoleChanged(person, role, granted):
            verb = "is now" if granted else "is no longer"
            return f"{who(person)} {verb} {role.value}."
        case ProjectResult(project, event, today):
            lead = {
                "created": f"Created project {project.key}.",
                "updated": f"Updated {project.key}.",
                "closed": f"Closed {project.key}.",
                "member_added": f"Updated the members of {project.key}.",
                "member_removed": f"Updated the members of {project.key}.",
            }.get(event)
            body = "\n".join(project_block(project, today))
            return f"{lead}\n{body}" if lead else body
        case ProjectListResult(projects, include_closed):
            if not projects:
                return 'No projects yet. Create one: project new KEY "Name"'
            lines = ["Projects" + (" (including closed)" if include_closed else "") + ":"]
            for p in projects:
                state = "" if p.state.value == "active" else f" [{STATE_LABEL[p.state.value]}]"
                lines.append(
                    f"  {p.key:<10} {p.name}{state} · PM {who(p.pm)} · "
                    f"{p.open_actions} open / {p.overdue_actions} overdue actions · "
                    f"{p.late_deliverables} late deliverables"
                )
            return "\n".join(lines)
        case ActionResult(item, event, today):
            lead = {
                "created": f"Added action item #{item.id} for {who(item.owner)}.",
                "done": f"Marked #{item.id} done.",
                "reopened": f"Reopened #{item.id}.",
                "cancelled": f"Cancelled #{item.id}.",
                "snoozed": f"Snoozed #{item.id}.",
                "assigned": f"#{item.id} now belongs to {who(item.owner)}.",
                "rescheduled": f"Moved the due date of #{item.id}.",
            }.get(event)
            line = item_line(item, today).strip()
            return f"{lead}\n  {line}" if lead else line
        case ActionListResult(title, page, today, empty_text):
            if not page.items:
                return empty_text
            lines = [f"{title} ({page.total}):"] + [item_line(i, today) for i in page.items]
            if page.more:
                lines.append(f"  … and {page.more} more.")
            return "\n".join(lines)
        case DeliverableResult(d, event, today):
            lead = {
                "created": f"Added deliverable #{d.id} to {d.project_key}.",
                "forecast": f"Re-forecast #{d.id}.",
                "done": f"Deliverable #{d.id} is done.",
            }[event]
            return f"{lead}\n{deliverable_line(d, today)}"
        case DeliverableListResult(key, items, today):
            if not items:
                return f"{key} has no deliverables yet."
            return f"Deliverables of {key}:\n" + "\n".join(
                deliverable_line(d, today) for d in items
            )
        case LeaveResult(periods, event, today):
            lead = {"recorded": "Leave recorded.", "cancelled": "Leave cancelled."}.get(event, "")
            if not periods:
                body = "You have no current or upcoming leave."
            else:
                body = "Your leave:\n" + "\n".join(
                    f"  {when(s, today).split(' (')[0]} → {when(e, today).split(' (')[0]}"
                    for s, e in periods
                )
            body += "\nWhile you are on leave you are not chased; your PM is."
            return f"{lead}\n{body}" if lead else body
        case SettingsResult(ws, changed):
            policy, dg = ws.reminders, ws.digests
            lead = "Settings updated.\n" if changed else ""

            def weekly(on: bool, d: int, at: str) -> str:
                return f"{WEEKDAYS[d - 1]} {at}" if on else "off"

            return lead + "\n".join(
                [
                    "Reminder settings for this workspace:",
                    f"  heads_up             {'on' if policy.heads_up else 'off'}",
                    f"  escalate_pm_after    {policy.escalate_pm_after} working days overdue",
                    f"  escalate_lead_after  {policy.escalate_lead_after} working days overdue",
                    f"Weekly digests (time zone {ws.timezone}):",
                    f"  project channels     "
                    f"{weekly(dg.project_weekly, dg.project_day, dg.project_time)}",
                    f"  PMO                  {weekly(dg.pmo_weekly, dg.pmo_day, dg.pmo_time)}"
                    f" to {ws.pmo_channel or 'PMO leads by DM (no pmo_channel set)'}",
                    f"Weekly status rounds: {'on' if ws.status_rounds else 'off'}",
                ]
            )
        case DigestResult(mine, event):
            lead = {
                "on": "Your daily digest is on.\n",
                "off": "Your daily digest is off. `digest on` brings it back.\n",
                "moved": "Your daily digest moved.\n",
            }.get(event, "")
            state = (
                f"Your daily digest comes at {mine.at:%H:%M} ({mine.timezone}) on your working "
                "days, when there is something to report."
                if mine.enabled
                else "Your daily digest is off."
            )
            body = (
                "Today it would say:\n" + digest_text(mine.preview)
                if mine.preview
                else "Nothing is overdue or due this week for you right now."
            )
            return f"{lead}{state}\n{body}"
        case StatusResult(view, event, note, versions, key):
            if view is None:
                if event == "form":
                    return (
                        f"Type `status {key}` in the interactive console (`pmo-bot console`) "
                        f"for the guided form, or use the one-line form: "
                        f'status {key} green "summary"'
                    )
                return f"{key} has no status update yet."
            lead = {
                "submitted": "Status recorded.",
                "edited": f"Status updated (v{view.version}).",
                "shown": f"Latest status ({versions} version{'s' if versions != 1 else ''}).",
            }[event]
            return "\n".join(
                [lead, digest_text(update_digest(view, view.submitted_at.date()))]
                + ([note] if note else [])
                + (
                    ["The PMO leads have been told (red)."]
                    if view.fields.overall.value == "red" and event != "shown"
                    else []
                )
            )
        case CadenceResult(c, changed):
            names = ", ".join("@" + p.handle for p in c.reporters) or "nobody (no PM)"
            return "\n".join(
                [
                    ("Status round updated.\n" if changed else "")
                    + f"Status round of {c.project_key} ({'on' if c.active else 'off'}):",
                    f"  when       {c.rrule} in {c.timezone}",
                    f"  next       {c.next_open:%a %d %b %H:%M} UTC"
                    if c.next_open
                    else "  next never",
                    f"  due        {c.deadline_days} day(s) later at {c.deadline_time:%H:%M}",
                    f"  reporters  {names}",
                    f"  report to  {c.report_channel or 'the workspace PMO channel'}",
                ]
            )
        case ReportResult(report, stats_only):
            if stats_only:
                lines = [f"On-time status updates, last {len(report.periods)} cycles:"]
                lines += [
                    f"  {ln.key:<10} {ln.on_time_rate:.0%}"
                    for ln in report.projects
                    if ln.on_time_rate is not None
                ]
                lines += [f"  @{p.handle:<12} {rate:.0%} of {n}" for p, rate, n in report.pm_rates]
                return "\n".join(lines)
            return to_markdown(report).rstrip()
    return _more(result)


def _more(result: Result) -> str:
    """Minutes, meetings and calendar links as text."""
    from services.commands.results import (
        IcsResult,
        MeetingImportForm,
        MeetingListResult,
        MeetingResult,
        MinutesExportResult,
        MinutesListResult,
        MinutesResult,
    )
    from services.meetings.export import to_markdown as minutes_markdown

    match result:
        case MinutesResult(v, "shown" | "ended" | "amended" as event, _, _):
            lead = {"ended": "Minutes ended.\n", "amended": "Minutes amended.\n"}.get(event, "")
            return lead + minutes_markdown(v).rstrip()
        case MinutesResult(v, event, item, today):
            if event == "action" and item is not None:
                return f"Minuted: {item_line(item, today or v.started_at.date())}"
            return {
                "started": f"Minutes #{v.id} started: {v.title}.",
                "note": f"Note {len(v.notes)} added.",
                "decision": f"Decision {len(v.decisions)} added.",
                "attendance": f"{len(v.attendees)} present, {len(v.absent)} regrets.",
            }.get(event, "Done.")
        case MinutesListResult(items, _):
            return (
                "\n".join(
                    f"#{v.id} {v.title} · {v.project_key or '-'} · "
                    f"{v.started_at:%Y-%m-%d %H:%M} UTC{' · open' if v.open else ''}"
                    for v in items
                )
                or "No minutes yet."
            )
        case MinutesExportResult(_, markdown):
            return markdown.rstrip()
        case MeetingResult(sv, event):
            nxt = f"next {sv.next_start:%a %d %b %H:%M} UTC" if sv.next_start else "no more"
            return f"Meeting #{sv.id} {sv.title} {event}: {sv.rrule or 'once'}, {nxt}."
        case MeetingImportForm(key):
            return (
                f"Import the .ics file from the command line: "
                f"pmo-bot meetings import FILE.ics --project {key} --as you"
            )
        case MeetingListResult(series, _):
            return (
                "\n".join(
                    f"#{sv.id} {sv.title} · {sv.project_key} · {sv.rrule or 'once'}"
                    for sv in series
                )
                or "No meeting series."
            )
        case IcsResult(None, _, revoked):
            return f"Revoked {revoked} calendar link(s)."
        case IcsResult(link, _, _):
            assert link is not None
            return f"Your calendar feed: http://localhost:3000{link.path} (served by pmo-bot serve)"
    return str(result)


def render_error(err: DomainError) -> str:
    """A user error as text: what went wrong, then what to do."""
    return f"{err.message}\n{err.hint}" if err.hint else err.message
