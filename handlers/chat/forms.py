"""Submit a form, whatever the channel showed it as, and say what follows.

The channel hands back the raw values it read from its widgets and the form's hidden
reference; the feature reads them through its one function. A problem raises FormErrors or
a DomainError whose `field` says where to show it; nothing is saved unless all is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

from handlers.chat import audience
from handlers.chat.dispatch import Core, Turn, acting, after_command, raid_follow_ups
from handlers.chat.outcome import (
    Announce,
    DeliverNow,
    Notify,
    Outcome,
    RefreshHome,
    RefreshLive,
    Reply,
)
from models import Person
from services.commands import ast
from services.commands.execute import execute
from services.commands.results import (
    ActionResult,
    CadenceResult,
    DeliverableResult,
    MeetingListResult,
    MinutesResult,
    ProjectResult,
    RaidEntryResult,
    RaidEvent,
    StatusResult,
)
from services.core.dates import local_today
from services.core.errors import DomainError, InvalidInput
from services.core.forms import Form, FormId, Raw, Ref
from services.core.people import person_ref
from services.dependencies import forms as dependency_forms
from services.documents import forms as document_forms
from services.meetings import forms as meeting_forms
from services.projects import forms as project_forms
from services.raci import forms as raci_forms
from services.raid import form_reading as raid_reading
from services.raid import forms as raid_forms
from services.raid.queries import view_of as raid_view
from services.status import forms as status_forms
from services.work import forms as work_forms

DEFINITIONS: dict[FormId, Form] = {
    FormId.NEW_ITEM: work_forms.ITEM_FORM,
    FormId.EDIT_ITEM: work_forms.EDIT_ITEM_FORM,
    FormId.NEW_PROJECT: project_forms.PROJECT_FORM,
    FormId.NEW_DELIVERABLE: work_forms.DELIVERABLE_FORM,
    FormId.STATUS: status_forms.STATUS_FORM,
    FormId.CADENCE: status_forms.CADENCE_FORM,
    FormId.MINUTES_ADD: meeting_forms.MINUTES_FORM,
    FormId.ADD_TO_MINUTES: meeting_forms.ADD_FORM,
    FormId.MEETING_IMPORT: meeting_forms.IMPORT_FORM,
    FormId.RAID_RISK: raid_forms.RISK_FORM,
    FormId.RAID_ISSUE: raid_forms.ISSUE_FORM,
    FormId.RAID_ENTRY: raid_forms.ENTRY_FORM,
    FormId.RAID_RESCORE: raid_forms.RESCORE_FORM,
    FormId.RAID_RESOLVE: raid_forms.RESOLVE_FORM,
    FormId.RAID_LOG: raid_forms.LOG_FORM,
    FormId.SIGNOFF_NOT_YET: raci_forms.NOT_YET_FORM,
    FormId.DEPENDENCY_PROPOSE: dependency_forms.PROPOSE_FORM,
    FormId.DEPENDENCY_DECLINE: dependency_forms.DECLINE_FORM,
    FormId.GATE_REJECT: project_forms.REJECT_FORM,
    FormId.DOCUMENT_CHANGES: document_forms.CHANGES_FORM,
}


def submit_form(
    core: Core,
    turn: Turn,
    form: FormId,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    *,
    upload: bytes | None = None,
) -> Outcome:
    """Read, check and save one submitted form in one transaction."""
    now = core.clock()
    with core.sessions.begin() as s:
        actor = acting(s, turn)
        today = local_today(now, actor.timezone)
        me = s.get(Person, actor.person_id)
        assert me is not None
        by = person_ref(me)

        def pick(field: str, raw: str) -> Person:
            try:
                return turn.people.resolve(s, actor.workspace_id, turn.people.mention(raw))
            except DomainError as err:
                raise err.on(field) from None

        key = str(ref.get("key") or "")
        channel = str(ref["channel"]) if ref.get("channel") else None
        match form:
            case FormId.NEW_ITEM:
                item = work_forms.submit_item(s, actor, values=values, ref=ref, pick=pick, now=now)
                made = ActionResult(item, "created", today, by=by)
                follow: list[Announce | Notify | RefreshHome] = [
                    Announce(made, audience.announce_in(made, channel))
                ]
                if item.owner.id != actor.person_id:
                    follow.append(Notify(item.owner, ActionResult(item, "given", today, by=by)))
                follow.append(RefreshHome(item.owner))
                return Outcome(made, Reply.NONE, tuple(follow))
            case FormId.EDIT_ITEM:
                item = work_forms.submit_edit(s, actor, values=values, ref=ref, pick=pick, now=now)
                edited = ActionResult(item, "edited", today, by=by)
                return Outcome(edited, Reply.NONE, (RefreshHome(item.owner),))
            case FormId.NEW_PROJECT:
                project = project_forms.submit_project(
                    s, actor, values=values, ref=ref, pick=pick, now=now
                )
                created = ProjectResult(project, "created", today)
                where = audience.announce_in(created, channel)
                return Outcome(created, Reply.NONE, (Announce(created, where),))
            case FormId.NEW_DELIVERABLE:
                d = work_forms.submit_deliverable(s, actor, values=values, pick=pick, now=now)
                added = DeliverableResult(d, "created", today)
                where = audience.announce_in(added, channel)
                return Outcome(added, Reply.NONE, (Announce(added, where),))
            case FormId.STATUS:
                upd, note = status_forms.submit_status(s, actor, key=key, values=values, now=now)
                reported = StatusResult(upd, "submitted" if upd.version == 1 else "edited", note)
                return Outcome(reported, Reply.NONE, (Announce(reported, None),))
            case FormId.CADENCE:
                cad = status_forms.submit_cadence(
                    s, actor, key=key, values=values, pick=pick, now=now
                )
                saved = CadenceResult(cad, changed=True)
                return Outcome(saved, Reply.NONE, (Announce(saved, None),))
            case FormId.MINUTES_ADD:
                v = meeting_forms.submit_minutes(
                    s, actor, values=values, ref=ref, pick=pick, now=now
                )
                return _minutes_added(v.id, MinutesResult(v, "added", today=today))
            case FormId.ADD_TO_MINUTES:
                v = meeting_forms.submit_add(s, actor, values=values, ref=ref, pick=pick, now=now)
                return _minutes_added(v.id, MinutesResult(v, "added", today=today))
            case FormId.MEETING_IMPORT:
                if upload is None:
                    raise InvalidInput("Attach the .ics file.", field="file")
                done = meeting_forms.submit_import(
                    s, actor, key=key, data=upload, values=values, now=now
                )
                imported = MeetingListResult(done.series, key, imported=True, notes=done.notes)
                return Outcome(imported, Reply.NONE, (Announce(imported, None),))
            case FormId.RAID_RISK | FormId.RAID_ISSUE | FormId.RAID_ENTRY:
                entry, new = raid_reading.submit_entry(
                    s, actor, form=DEFINITIONS[form], values=values, ref=ref, pick=pick, now=now
                )
                event: RaidEvent = "created" if new else "edited"
            case FormId.RAID_RESCORE:
                entry = raid_reading.submit_rescore(s, actor, values=values, ref=ref, now=now)
                event = "scored"
            case FormId.RAID_RESOLVE:
                entry = raid_reading.submit_resolve(s, actor, values=values, ref=ref, now=now)
                event = "status"
            case FormId.RAID_LOG:
                entry = raid_reading.submit_log(
                    s, actor, values=values, ref=ref, pick=pick, now=now
                )
                event = "created"
            case (
                FormId.SIGNOFF_NOT_YET
                | FormId.DEPENDENCY_PROPOSE
                | FormId.DEPENDENCY_DECLINE
                | FormId.GATE_REJECT
                | FormId.DOCUMENT_CHANGES
            ):
                if form == FormId.SIGNOFF_NOT_YET:
                    cmd: ast.Command = raci_forms.read_not_yet(values, ref)
                elif form == FormId.DEPENDENCY_PROPOSE:
                    cmd = dependency_forms.read_propose(values, ref, sense=actor.sense(now))
                elif form == FormId.DEPENDENCY_DECLINE:
                    cmd = dependency_forms.read_decline(values, ref)
                elif form == FormId.GATE_REJECT:
                    cmd = project_forms.read_reject(values, ref)
                else:
                    cmd = document_forms.read_changes(values, ref)
                answered = execute(s, actor, cmd, now=now, resolve=turn.people.resolve)
                told = after_command(answered, turn)
                return Outcome(answered, Reply.NONE, (Announce(answered, None), *told.follow_ups))
            case _:
                assert_never(form)
        logged = RaidEntryResult(raid_view(s, actor, entry.id), event, today, by=by)
        where = audience.announce_in(logged, channel) if event == "created" else None
        follow_ups: list[Announce | RefreshHome | DeliverNow] = [Announce(logged, where)]
        follow_ups += raid_follow_ups(logged.entry, turn)
        return Outcome(logged, Reply.NONE, tuple(follow_ups))


def _minutes_added(minutes_id: int, result: MinutesResult) -> Outcome:
    return Outcome(result, Reply.NONE, (RefreshLive(minutes_id),))
