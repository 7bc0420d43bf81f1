"""Every command result as a Slack message: one match, ending in `assert_never`, so a result
nobody renders is a type error. Pure: data in, JSON out."""

from __future__ import annotations

from datetime import date
from typing import assert_never

from handlers.slack.blocks import Message, section
from handlers.slack.everyday import render as everyday
from handlers.slack.meetings import render as meetings
from handlers.slack.projects import render as projects
from handlers.slack.raid import render as raid
from handlers.slack.registers import render as registers
from handlers.slack.status import render as status
from handlers.slack.status.carried import carried_message
from handlers.slack.work import render as work
from handlers.slack.workspace import render as workspace
from handlers.slack.workspace.dates import dates_message
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


def message(result: Result, *, public_url: str = "") -> Message:
    """The Slack message for a result."""
    match result:
        case HelpResult():
            return workspace.help_message(result)
        case RolesResult():
            return workspace.roles_message(result)
        case RoleChanged():
            return workspace.role_changed_message(result)
        case ProjectResult():
            return projects.project_message(result)
        case ProjectListResult():
            return projects.project_list_message(result)
        case ActionResult():
            return work.action_message(result)
        case ActionListResult():
            return work.action_list_message(result)
        case DeliverableResult():
            return work.deliverable_message(result)
        case DeliverableListResult():
            return work.deliverable_list_message(result)
        case LeaveResult():
            return workspace.leave_message(result)
        case SettingsResult():
            return workspace.settings_message(result)
        case DigestResult():
            return workspace.digest_setting_message(result)
        case StatusResult(view, event, note, versions, key):
            today = view.submitted_at.date() if view else date.min
            shown = status.status_message(view, event, note, versions, key, today)
            return carried_message(shown, result.carried, view)
        case CadenceResult(cad, changed):
            return status.cadence_message(cad, changed)
        case ReportResult(report, stats_only):
            if stats_only:
                return status.stats_message(report)
            parent = status.report_parent(report)  # on demand: for the asker only
            return Message(parent.text, parent.blocks)
        case MinutesResult():
            return meetings.minutes_message(result)
        case MinutesListResult():
            return meetings.minutes_list_message(result)
        case MinutesExportResult():
            return meetings.export_message(result)
        case MeetingResult():
            return meetings.meeting_message(result)
        case MeetingListResult():
            return meetings.meeting_list_message(result)
        case IcsResult():
            return meetings.ics_message(result, public_url)
        case PeopleResult():
            return everyday.people_message(result)
        case MeResult():
            return everyday.me_message(result)
        case ActionCardResult():
            return everyday.action_card_message(result)
        case ActionBatchResult():
            return everyday.batch_message(result)
        case DeliverableCardResult():
            return everyday.deliverable_card_message(result)
        case FormResult(request, shown):
            if shown is not None:
                return message(shown, public_url=public_url)
            text = f"Opening the {request.form.title.lower()} form…"
            return Message(text, [section(text)])
        case DatesResult():
            return dates_message(result)
        case RaidEntryResult():
            return raid.entry_message(result)
        case RaidListResult():
            return raid.list_message(result)
        case RaidSettingsResult():
            return raid.settings_message(result)
        case RaidOfferResult():
            return raid.offer_message(result)
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
            return registers.message(result)
        case _:
            assert_never(result)
