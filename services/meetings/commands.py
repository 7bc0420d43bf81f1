"""The minutes, meeting and calendar-feed commands of the language."""

from __future__ import annotations

from typing import assert_never

from models import EntryKind
from services.commands import ast_meetings
from services.commands.context import Ctx
from services.commands.results import (
    FormResult,
    IcsResult,
    MeetingListResult,
    MeetingResult,
    MinutesExportResult,
    MinutesListResult,
    MinutesResult,
    Result,
)
from services.meetings import amend, closing, export, feeds, forms, minutes, series, views


def run(ctx: Ctx, cmd: ast_meetings.MeetingCommand) -> Result:
    """Run one minutes, meeting or calendar command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    here = ctx.channel or ""
    match cmd:
        case ast_meetings.MinutesStart(key, title):
            v = minutes.start(s, actor, channel=here, now=now, key=key, title=title)
            return MinutesResult(v, "started", today=today)
        case ast_meetings.MinutesAdd(kind, text):
            v = minutes.add_entry(s, actor, channel=here, kind=EntryKind(kind), text=text, now=now)
            return MinutesResult(v, "note" if kind == "note" else "decision", today=today)
        case ast_meetings.MinutesAction(mention, due_text, text):
            owner = ctx.person(mention) if mention else ctx.me()
            due = ctx.day(due_text) if due_text else None
            v, item = minutes.add_action(
                s, actor, channel=here, owner=owner, text=text, due_on=due, now=now
            )
            return MinutesResult(v, "action", item, today)
        case ast_meetings.MinutesAttend(mentions, present):
            named = [ctx.person(m) for m in mentions]
            v = minutes.set_attendance(s, actor, channel=here, people=named, present=present)
            return MinutesResult(v, "attendance", today=today)
        case ast_meetings.MinutesForm():
            v = views.view(s, minutes.open_in(s, actor, here).id)
            return FormResult(forms.minutes_request(v))
        case ast_meetings.MinutesEnd():
            return MinutesResult(closing.end(s, actor, channel=here, now=now), "ended", today=today)
        case ast_meetings.MinutesShow(None):
            v = views.view(s, minutes.open_in(s, actor, here).id)
            return MinutesResult(v, "shown", today=today)
        case ast_meetings.MinutesShow(mid):
            return MinutesResult(minutes.get(s, actor, minutes_id=mid or 0), "shown", today=today)
        case ast_meetings.MinutesList(key, page_no):
            page = views.list_recent(s, actor, key=key, page=page_no)
            return MinutesListResult(
                page, key, page.next_command(f"minutes list{f' {key}' if key else ''}")
            )
        case ast_meetings.MinutesExport(mid):
            v = minutes.get(s, actor, minutes_id=mid)
            return MinutesExportResult(v, export.to_markdown(v))
        case ast_meetings.MinutesAmend(mid, op, text, kind_text, n):
            entry = EntryKind(kind_text) if kind_text else None
            v = amend.amend(s, actor, minutes_id=mid, op=op, text=text, now=now, kind=entry, n=n)
            return MinutesResult(v, "amended", today=today)
        case ast_meetings.MeetingNew(key, title, recurrence):
            sv = series.create(s, actor, key=key, title=title, recurrence=recurrence, now=now)
            return MeetingResult(sv, "created")
        case ast_meetings.MeetingImport(key):
            project = series.editable(s, actor, key)
            return FormResult(forms.import_request(key=project.key, channel=ctx.channel))
        case ast_meetings.MeetingList(key):
            return MeetingListResult(series.list_series(s, actor, now=now, key=key), key)
        case ast_meetings.MeetingCancel(sid):
            return MeetingResult(series.cancel(s, actor, series_id=sid, now=now), "cancelled")
        case ast_meetings.IcsLink(key, revoke):
            if revoke:
                return IcsResult(None, key, feeds.revoke(s, actor, now=now, key=key))
            return IcsResult(feeds.link(s, actor, now=now, key=key), key)
        case _:
            assert_never(cmd)
