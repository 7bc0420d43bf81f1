"""Render command results as plain text for a terminal: one match, ending in
`assert_never`, so a result nobody renders is a type error. Pure: data in, text out."""

from __future__ import annotations

from typing import assert_never

from handlers.console import everyday, raid, registers
from handlers.console import meetings as more
from handlers.console.dates import dates_text
from handlers.console.help import help_text
from handlers.console.text import (
    STATE_LABEL,
    deliverable_line,
    digest_text,
    item_line,
    project_block,
    when,
    who,
    words,
)
from services.commands.everyday_results import (
    ActionBatchResult,
    ActionCardResult,
    DeliverableCardResult,
    MeResult,
    PeopleResult,
)
from services.commands.results import (
    ActionListResult,
    ActionResult,
    CadenceResult,
    DatesResult,
    DeliverableListResult,
    DeliverableResult,
    DigestResult,
    FormResult,
    HelpResult,
    IcsResult,
    LeaveResult,
    MeetingListResult,
    MeetingResult,
    MinutesExportResult,
    MinutesListResult,
    MinutesResult,
    ProjectListResult,
    ProjectResult,
    RaidEntryResult,
    RaidListResult,
    RaidOfferResult,
    RaidSettingsResult,
    ReportResult,
    Result,
    RoleChanged,
    RolesResult,
    SettingsResult,
    StatusResult,
)
from services.commands.results_registers import (
    DependencyListResult,
    DependencyResult,
    DocumentListResult,
    DocumentResult,
    FileResult,
    PhasesResult,
    RaciMatrixResult,
    RaciResult,
    RegisterCardResult,
    RegisterResult,
    SignoffResult,
)
from services.core.errors import DomainError
from services.workspace.settings import WEEKDAYS

LOCAL_URL = "http://localhost:3000"


def render(result: Result, *, public_url: str = LOCAL_URL, tz: str = "UTC") -> str:
    """The text reply for a command result."""
    match result:
        case HelpResult(topic, entries, extra):
            return help_text(topic, entries, extra)
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
            body = "\n".join(project_block(project))
            return f"{lead}\n{body}" if lead else body
        case ProjectListResult(projects, include_closed, _, total, offset, rest):
            if not projects:
                if offset:
                    return "There is no such page."
                return 'No projects yet. Create one: project new KEY "Name"'
            head = "Projects" + (" (including closed)" if include_closed else "")
            if rest or offset:
                head += f" ({offset + 1}-{offset + len(projects)} of {total})"
            lines = [head + ":"]
            for p in projects:
                state = "" if p.state.value == "active" else f" [{STATE_LABEL[p.state.value]}]"
                lines.append(
                    f"  {p.key:<10} {p.name}{state} · PM {who(p.pm)} · "
                    f"{p.open_actions} open / {p.overdue_actions} overdue actions · "
                    f"{p.late_deliverables} late deliverables"
                )
            if rest:
                lines.append(f"  … and {total - offset - len(projects)} more: {rest}")
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
                "edited": f"Saved #{item.id}.",
                "given": f"{who(item.owner)} now owns #{item.id}.",
            }.get(event)
            line = item_line(item, today).strip()
            return f"{lead}\n  {line}" if lead else line
        case ActionListResult(title, page, today, empty_text, rest):
            if not page.items:
                return empty_text if not page.offset else f"{title}: there is no such page."
            shown = f"{page.offset + 1}-{page.offset + len(page.items)} of {page.total}"
            lines = [f"{title} ({shown if page.offset or page.more else page.total}):"]
            for i in page.items:
                lines.append(item_line(i, today))
                if note := everyday.latest_note(i):
                    lines.append(f"      ✎ {note}")
            if page.more:
                lines.append(f"  … and {page.more} more" + (f": {rest}" if rest else "."))
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
        case LeaveResult(periods, event, today, ids):
            lead = {"recorded": "Leave recorded.", "cancelled": "Leave cancelled."}.get(event, "")
            if not periods:
                body = "You have no current or upcoming leave."
            else:
                numbers = [f"#{i} " for i in ids] if len(ids) == len(periods) else [""] * 99
                body = "Your leave:\n" + "\n".join(
                    f"  {n}{when(s, today).split(' (')[0]} → {when(e, today).split(' (')[0]}"
                    for n, (s, e) in zip(numbers, periods, strict=False)
                )
                if ids:
                    body += f"\n`leave cancel {ids[0]}` ends one."
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
                    f"Date order (for people whose platform gives none): {ws.date_order.value}",
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
        case StatusResult():
            return more.status_text(result)
        case CadenceResult():
            return more.cadence_text(result, tz)
        case ReportResult():
            return more.report_text(result)
        case MinutesResult():
            return more.minutes_text(result)
        case MinutesListResult():
            return more.minutes_list_text(result, tz)
        case MinutesExportResult():
            return more.export_text(result)
        case MeetingResult():
            return more.meeting_text(result, tz)
        case MeetingListResult():
            return more.meeting_list_text(result)
        case IcsResult():
            return more.ics_text(result, public_url)
        case PeopleResult():
            return everyday.people_text(result)
        case MeResult():
            return everyday.me_text(result)
        case ActionCardResult():
            return everyday.action_card_text(result)
        case ActionBatchResult():
            return everyday.batch_text(result)
        case DeliverableCardResult():
            return everyday.deliverable_card_text(result)
        case FormResult(request, shown):
            if shown is not None:
                return render(shown, public_url=public_url, tz=tz)
            fields = ", ".join(f.label.lower() for f in request.form.fields)
            return (
                f"{request.form.title}: this opens a form ({fields}). Run it in the "
                "interactive console (`pmo-bot console`), or use the one-line command."
            )
        case DatesResult():
            return dates_text(result)
        case RaidEntryResult():
            return raid.entry_text(result)
        case RaidListResult():
            return raid.list_text(result)
        case RaidSettingsResult():
            return raid.settings_text(result)
        case RaidOfferResult():
            return raid.offer_text(result)
        case (
            RaciResult()
            | RaciMatrixResult()
            | SignoffResult()
            | FileResult()
            | DependencyResult()
            | DependencyListResult()
            | RegisterResult()
            | RegisterCardResult()
            | PhasesResult()
            | DocumentResult()
            | DocumentListResult()
        ):
            return registers.text(result)
        case _:
            assert_never(result)


def render_error(err: DomainError) -> str:
    """A user error as text: what went wrong, then what to do."""
    text = words(err.message)
    return f"{text}\n{words(err.hint)}" if err.hint else text
