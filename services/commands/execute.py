"""Run a parsed command against the services. Channel-agnostic; the edge commits."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from models import Person
from services.commands import ast
from services.commands.help import DATES_HELP, entries_for
from services.commands.parser import parse
from services.commands.results import (
    ActionListResult,
    ActionResult,
    CadenceResult,
    DeliverableListResult,
    DeliverableResult,
    DigestResult,
    HelpResult,
    IcsResult,
    LeaveResult,
    MeetingImportForm,
    MeetingListResult,
    MeetingResult,
    MinutesExportResult,
    MinutesListResult,
    MinutesResult,
    ProjectListResult,
    ProjectResult,
    ReportResult,
    Result,
    RoleChanged,
    RolesResult,
    SettingsResult,
    StatusResult,
)
from services.core import people
from services.core.access import Actor
from services.core.dates import local_today, parse_date, parse_time
from services.core.errors import InvalidInput
from services.core.people import Mention
from services.digests import personal as digests
from services.meetings import amend as minutes_amend
from services.meetings import closing as minutes_closing
from services.meetings import export as minutes_export
from services.meetings import feeds, minutes
from services.meetings import series as meetings
from services.meetings import views as minutes_views
from services.projects import members as project_members
from services.projects import register as projects
from services.status import cadence as status_cadence
from services.status import report as reports
from services.status import update as status
from services.work import action_items, deliverables
from services.workspace import leave, settings

MentionResolver = Callable[[Session, int, Mention], Person]


def default_resolver(session: Session, workspace_id: int, mention: Mention) -> Person:
    """Resolve a mention against people already known in the workspace."""
    return people.resolve_mention(session, workspace_id=workspace_id, mention=mention)


def run_text(
    session: Session,
    actor: Actor,
    text: str,
    *,
    now: datetime,
    resolve: MentionResolver = default_resolver,
    channel: str | None = None,
) -> Result:
    """Parse and run one command typed by `actor` (in `channel`, where it matters)."""
    return execute(session, actor, parse(text), now=now, resolve=resolve, channel=channel)


def _yes_no(value: str) -> bool:
    low = value.strip().lower()
    if low in ("yes", "y", "true", "on", "1", "private"):
        return True
    if low in ("no", "n", "false", "off", "0", "public"):
        return False
    raise InvalidInput(f"{value!r} is not yes or no.")


def execute(
    session: Session,
    actor: Actor,
    cmd: ast.Command,
    *,
    now: datetime,
    resolve: MentionResolver = default_resolver,
    channel: str | None = None,
) -> Result:
    """Run a typed command; every lookup and date is checked before anything is written."""
    today = local_today(now, actor.timezone)

    def person(m: Mention) -> Person:
        return resolve(session, actor.workspace_id, m)

    def day(text: str) -> date:
        return parse_date(text, tz=actor.timezone, now=now)

    match cmd:
        case ast.Help(topic):
            return HelpResult(
                topic, entries_for(topic), DATES_HELP if topic in (None, "dates") else None
            )
        case ast.AdminRoles():
            return RolesResult(people.list_roles(session, workspace_id=actor.workspace_id))
        case ast.AdminGrant(mention, role_text) | ast.AdminRevoke(mention, role_text):
            role = people.parse_role(role_text)
            target = person(mention)
            grant = isinstance(cmd, ast.AdminGrant)
            fn = people.grant_role if grant else people.revoke_role
            fn(session, actor, person=target, role=role, now=now)
            return RoleChanged(people.person_ref(target), role, grant)
        case ast.ProjectNew(key, name, pm_mention, private):
            pm = person(pm_mention) if pm_mention else None
            view = projects.create(
                session, actor, key=key, name=name, pm=pm, private=private, now=now
            )
            return ProjectResult(view, "created", today, public=not private)
        case ast.ProjectList(include_closed):
            views = projects.list_projects(session, actor, now=now, include_closed=include_closed)
            return ProjectListResult(views, include_closed, today)
        case ast.ProjectShow(key):
            return ProjectResult(projects.show(session, actor, key=key, now=now), "shown", today)
        case ast.ProjectAdd(key, mention, role_text):
            project_role = project_members.parse_project_role(role_text)
            view = project_members.add_member(
                session, actor, key=key, person=person(mention), role=project_role, now=now
            )
            return ProjectResult(view, "member_added", today)
        case ast.ProjectRemove(key, mention):
            view = project_members.remove_member(
                session, actor, key=key, person=person(mention), now=now
            )
            return ProjectResult(view, "member_removed", today)
        case ast.ProjectClose(key):
            view = projects.close(session, actor, key=key, now=now)
            return ProjectResult(view, "closed", today, public=not view.private)
        case ast.ProjectSet(key, field, raw):
            value: object = raw
            if field in ("start", "target"):
                value = day(raw)
            elif field == "private":
                value = _yes_no(raw)
            view = projects.update(session, actor, key=key, field=field, value=value, now=now)
            return ProjectResult(view, "updated", today)
        case ast.ActionAdd(title, key, owner_mention, due_text):
            owner = person(owner_mention) if owner_mention else _me(session, actor)
            due = day(due_text) if due_text else None
            item = action_items.add(
                session, actor, title=title, owner=owner, project_key=key, due_on=due, now=now
            )
            shared = key is not None and not item.project_private
            return ActionResult(item, "created", today, public=shared)
        case ast.ActionList("overdue", _):
            page = action_items.list_overdue(session, actor, now=now)
            scope = "across the portfolio" if actor.is_pmo_lead else "for you and your projects"
            return ActionListResult(
                f"Overdue action items {scope}", page, today, "Nothing is overdue. 🎉"
            )
        case ast.ActionList("project", key) if key:
            page = action_items.list_project(session, actor, key=key, now=now)
            return ActionListResult(
                f"Open action items in {key}", page, today, f"{key} has no open action items."
            )
        case ast.ActionList():
            page = action_items.list_mine(session, actor, now=now)
            return ActionListResult(
                "Your open action items", page, today, "You have no open items."
            )
        case ast.ActionShow(item_id):
            return ActionResult(action_items.get(session, actor, item_id=item_id), "shown", today)
        case ast.ActionDone(item_id):
            item = action_items.complete(session, actor, item_id=item_id, now=now)
            shared = item.project_key is not None and not item.project_private
            return ActionResult(item, "done", today, public=shared)
        case ast.ActionReopen(item_id):
            item = action_items.reopen(session, actor, item_id=item_id, now=now)
            return ActionResult(item, "reopened", today)
        case ast.ActionCancel(item_id):
            item = action_items.cancel(session, actor, item_id=item_id, now=now)
            return ActionResult(item, "cancelled", today)
        case ast.ActionSnooze(item_id, until_text):
            until = day(until_text)
            item = action_items.snooze(session, actor, item_id=item_id, until=until, now=now)
            return ActionResult(item, "snoozed", today)
        case ast.ActionAssign(item_id, owner_mention):
            item = action_items.assign(
                session, actor, item_id=item_id, owner=person(owner_mention), now=now
            )
            return ActionResult(item, "assigned", today)
        case ast.ActionDue(item_id, due_text):
            clear = due_text.strip().lower() in ("none", "no date", "clear")
            due = None if clear else day(due_text)
            item = action_items.set_due(session, actor, item_id=item_id, due_on=due, now=now)
            return ActionResult(item, "rescheduled", today)
        case ast.DeliverableAdd(key, title, due_text, owner_mention):
            d_owner = person(owner_mention) if owner_mention else None
            d = deliverables.add(
                session, actor, key=key, title=title, owner=d_owner, due_on=day(due_text), now=now
            )
            return DeliverableResult(d, "created", today, public=not d.project_private)
        case ast.DeliverableList(key):
            listed = deliverables.list_for_project(session, actor, key=key)
            return DeliverableListResult(key, listed, today)
        case ast.DeliverableForecast(d_id, on_text):
            on = day(on_text)
            d = deliverables.forecast(session, actor, deliverable_id=d_id, on=on, now=now)
            return DeliverableResult(d, "forecast", today, public=not d.project_private)
        case ast.DeliverableDone(d_id):
            d = deliverables.complete(session, actor, deliverable_id=d_id, now=now)
            return DeliverableResult(d, "done", today, public=not d.project_private)
        case ast.LeaveShow():
            periods = leave.current_and_upcoming(session, actor, today=today)
            return LeaveResult(periods, "shown", today)
        case ast.LeaveAdd(start_text, end_text):
            start, end = day(start_text), day(end_text)
            periods = leave.record(session, actor, start=start, end=end, now=now)
            return LeaveResult(periods, "recorded", today)
        case ast.LeaveCancel():
            leave.cancel(session, actor, now=now)
            return LeaveResult(
                leave.current_and_upcoming(session, actor, today=today), "cancelled", today
            )
        case ast.SettingsShow():
            return SettingsResult(settings.workspace_settings(session, actor), changed=False)
        case ast.SettingsSet(section, key, value):
            new = settings.set_option(
                session, actor, section=section, key=key, value=value, now=now
            )
            return SettingsResult(new, changed=True)
        case ast.DigestShow():
            return DigestResult(digests.my_digest(session, actor, now=now), "shown")
        case ast.DigestSet(enabled, at_text):
            at = parse_time(at_text) if at_text else None
            mine = digests.set_my_digest(session, actor, enabled=enabled, at=at, now=now)
            event = "moved" if at else ("on" if enabled else "off")
            return DigestResult(mine, event)
        case ast.StatusForm(key):
            project, _ = status.prefill(session, actor, key=key)
            return StatusResult(None, "form", key=project.key)
        case ast.StatusQuick(key, rag_word, summary):
            prev = status.prefill(session, actor, key=key)[1]
            base = prev or status.UpdateFields(status.parse_rag(rag_word))
            fields_ = dataclasses.replace(
                base, overall=status.parse_rag(rag_word), summary=summary or base.summary
            )
            upd, note = status.submit(session, actor, key=key, fields_=fields_, now=now)
            return StatusResult(upd, "submitted" if upd.version == 1 else "edited", note)
        case ast.StatusShow(key):
            shown, versions = status.show(session, actor, key=key)
            return StatusResult(shown, "shown", versions=versions, key=key.upper())
        case ast.StatusSettings(key, None):
            return CadenceResult(
                status_cadence.cadence(session, actor, key=key, now=now), changed=False
            )
        case ast.StatusSettings(key, setting, value, mentions):
            named = [person(m) for m in mentions]
            cad = status_cadence.set_cadence(
                session,
                actor,
                key=key,
                setting=setting or "",
                value=value,
                reporters=named,
                now=now,
            )
            return CadenceResult(cad, changed=True)
        case ast.ReportShow(week):
            period = reports.parse_week(week, today)
            return ReportResult(reports.for_actor(session, actor, period, today=today))
        case ast.ReportStats():
            period = reports.parse_week(None, today)
            return ReportResult(reports.for_actor(session, actor, period, today=today), True)
        case ast.MinutesStart(key, title):
            v = minutes.start(session, actor, channel=channel or "", now=now, key=key, title=title)
            return MinutesResult(v, "started", today=today)
        case ast.MinutesAdd(kind, text):
            from models import EntryKind

            v = minutes.add_entry(
                session, actor, channel=channel or "", kind=EntryKind(kind), text=text, now=now
            )
            return MinutesResult(v, kind, today=today)
        case ast.MinutesAction(mention, due_text, text):
            owner = person(mention) if mention else _me(session, actor)
            due = day(due_text) if due_text else None
            v, item = minutes.add_action(
                session, actor, channel=channel or "", owner=owner, text=text, due_on=due, now=now
            )
            return MinutesResult(v, "action", item, today)
        case ast.MinutesAttend(mentions, present):
            named = [person(m) for m in mentions]
            v = minutes.set_attendance(
                session, actor, channel=channel or "", people=named, present=present, now=now
            )
            return MinutesResult(v, "attendance", today=today)
        case ast.MinutesEnd():
            return MinutesResult(
                minutes_closing.end(session, actor, channel=channel or "", now=now),
                "ended",
                today=today,
            )
        case ast.MinutesShow(None):
            m = minutes.open_in(session, actor, channel or "")
            return MinutesResult(minutes_views.view(session, m.id), "shown", today=today)
        case ast.MinutesShow(mid):
            v = minutes.get(session, actor, minutes_id=mid or 0)
            return MinutesResult(v, "shown", today=today)
        case ast.MinutesList(key):
            return MinutesListResult(minutes.list_recent(session, actor, key=key), key)
        case ast.MinutesExport(mid):
            v = minutes.get(session, actor, minutes_id=mid)
            return MinutesExportResult(v, minutes_export.to_markdown(v))
        case ast.MinutesAmend(mid, op, text, kind_text, n):
            from models import EntryKind

            v = minutes_amend.amend(
                session,
                actor,
                minutes_id=mid,
                op=op,
                text=text,
                now=now,
                kind=EntryKind(kind_text) if kind_text else None,
                n=n,
            )
            return MinutesResult(v, "amended", today=today)
        case ast.MeetingNew(key, title, recurrence):
            sv = meetings.create(
                session, actor, key=key, title=title, recurrence=recurrence, now=now
            )
            return MeetingResult(sv, "created")
        case ast.MeetingImport(key):
            return MeetingImportForm(meetings.editable(session, actor, key).key)
        case ast.MeetingList(key):
            return MeetingListResult(meetings.list_series(session, actor, now=now, key=key), key)
        case ast.MeetingCancel(sid):
            return MeetingResult(
                meetings.cancel(session, actor, series_id=sid, now=now), "cancelled"
            )
        case ast.IcsLink(key, True):
            return IcsResult(None, key, feeds.revoke(session, actor, now=now, key=key))
        case ast.IcsLink(key, False):
            return IcsResult(feeds.link(session, actor, now=now, key=key), key)
    raise InvalidInput("I can't run that command yet.", "Type `help` to see what I can do.")


def _me(session: Session, actor: Actor) -> Person:
    me = session.get(Person, actor.person_id)
    assert me is not None
    return me
