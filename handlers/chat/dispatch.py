"""Run what a person asked for in chat, whatever the channel, and say what follows.

Each entry point opens one transaction (the edge owns it), acts as the person, runs one
command or one action through the services, and returns an `Outcome`: the result, how it
reaches people, and the follow-ups the channel carries out after answering. The same input
leaves the same rows in the database from Slack, Teams or the console.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from handlers.chat import audience
from handlers.chat.actions import (
    Action,
    ChangeEntry,
    ChangeItem,
    FromMessage,
    MinutesButton,
    RunCommand,
    TakeOffer,
)
from handlers.chat.actions import StartMinutes as StartMinutesAction
from handlers.chat.outcome import (
    DeliverNow,
    OpenForm,
    Outcome,
    RefreshHome,
    RefreshLive,
    Reply,
    SendFile,
)
from models import Person
from services.commands import ast
from services.commands import ast_raid as raid_ast
from services.commands.everyday_results import ActionBatchResult, ActionCardResult
from services.commands.execute import execute
from services.commands.parser import parse
from services.commands.results import (
    ActionResult,
    FormResult,
    MinutesExportResult,
    MinutesResult,
    RaidEntryResult,
    RaidOfferResult,
    Result,
)
from services.commands.results_registers import (
    DependencyResult,
    DocumentResult,
    FileResult,
    RegisterCardResult,
    SignoffResult,
)
from services.core.access import Actor, actor_for
from services.core.dates import local_today
from services.core.errors import Conflict, NotFound, PermissionDenied
from services.core.people import Mention
from services.core.refs import Cmd, phrase
from services.meetings import closing, minutes
from services.meetings import forms as meeting_forms
from services.projects import register
from services.raid import forms as raid_forms
from services.raid import store as raid_store
from services.raid.views import RaidEntryView
from services.work import forms as work_forms


class People(Protocol):
    """How a channel names people: mentions typed in commands, people picked in forms."""

    def resolve(self, session: Session, workspace_id: int, mention: Mention) -> Person:
        """The person a mention names (NotFound saying why not)."""
        ...

    def mention(self, raw: str) -> Mention:
        """A person as this channel's forms hand them back (a platform id, a handle)."""
        ...


@dataclass(frozen=True)
class Core:
    """What the chat edge needs from the composition root."""

    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]


@dataclass(frozen=True)
class Turn:
    """Who acts, where (the channel or conversation id; None in a direct chat), and how
    their channel names people."""

    workspace_id: int
    person_id: int
    channel: str | None
    people: People


def acting(session: Session, turn: Turn) -> Actor:
    """The actor for a turn, or NotFound if the person is gone."""
    person = session.get(Person, turn.person_id)
    if person is None or person.workspace_id != turn.workspace_id:
        raise NotFound("I couldn't work out who you are. Please try again.")
    return actor_for(session, person)


def run_command(core: Core, turn: Turn, text: str) -> Outcome:
    """Parse and run one command typed by the person."""
    return run_parsed(core, turn, parse(text))


def run_parsed(core: Core, turn: Turn, cmd: ast.Command) -> Outcome:
    """Run one parsed command."""
    now = core.clock()
    with core.sessions.begin() as s:
        actor = acting(s, turn)
        result = execute(s, actor, cmd, now=now, resolve=turn.people.resolve, channel=turn.channel)
        return after_command(result, turn)


def after_command(result: Result, turn: Turn) -> Outcome:
    """How a command's result is shown, and what follows it."""
    reply = Reply.CHANNEL if audience.channel_news(result) else Reply.PRIVATE
    match result:
        case FormResult(request, shown):
            return Outcome(shown, Reply.NONE, (OpenForm(request),))
        case ActionResult(item, event) if event != "shown":
            return Outcome(result, reply, (RefreshHome(item.owner),))
        case ActionBatchResult(items):
            owners = {i.owner.id: i.owner for i in items}
            return Outcome(result, reply, tuple(RefreshHome(o) for o in owners.values()))
        case ActionCardResult(item, changed=True):
            return Outcome(result, reply, (RefreshHome(item.owner),))
        case MinutesResult(v, event) if event != "shown":
            follow: list[DeliverNow | RefreshLive] = [
                RefreshLive(v.id, turn.channel if event == "started" else None)
            ]
            if event in ("ended", "amended"):
                follow.append(DeliverNow(turn.workspace_id))
            return Outcome(result, Reply.PRIVATE, tuple(follow))
        case RaidEntryResult(entry, event) if event != "shown":
            return Outcome(result, reply, raid_follow_ups(entry, turn))
        case MinutesExportResult(v, markdown):
            title = f"Minutes #{v.id}: {v.title}"[:250]
            file = SendFile(result.filename, title, markdown.encode())
            return Outcome(result, Reply.NONE, (file,))
        case FileResult(filename, title, content):
            return Outcome(result, Reply.NONE, (SendFile(filename, title[:250], content),))
        case SignoffResult() | DependencyResult() | RegisterCardResult() | DocumentResult() if (
            result.event not in ("shown", "set")
        ):
            return Outcome(result, reply, (DeliverNow(turn.workspace_id),))
        case _:
            return Outcome(result, reply)


def run_action(core: Core, turn: Turn, action: Action) -> Outcome:
    """Run a click or a message shortcut."""
    now = core.clock()
    with core.sessions.begin() as s:
        actor = acting(s, turn)

        def run(cmd: ast.Command) -> Result:
            return execute(
                s, actor, cmd, now=now, resolve=turn.people.resolve, channel=turn.channel
            )

        match action:
            case RunCommand(ast.StatusSettings(key, None)):
                shown = run(ast.StatusSettings(key))
                if not isinstance(shown, FormResult):
                    raise PermissionDenied(
                        f"Only {key}'s PM or a PMO lead can change its status round."
                    )
                return after_command(shown, turn)
            case RunCommand(cmd):
                return after_command(run(cmd), turn)
            case ChangeItem(item_id, change, days, pick):
                result = run(_item_command(actor, turn, item_id, change, days, pick, now))
                assert isinstance(result, ActionResult)
                return Outcome(result, Reply.REPLACE, (RefreshHome(result.item.owner),))
            case MinutesButton(mid, "add"):
                minutes.writable(s, actor, channel="", minutes_id=mid)
                v = minutes.get(s, actor, minutes_id=mid)
                if not v.open:
                    raise Conflict(
                        f"Minutes #{v.id} are closed.",
                        phrase("Amend them: ", Cmd(f"minutes amend {v.id} note …"), "."),
                    )
                return Outcome(None, Reply.NONE, (OpenForm(meeting_forms.minutes_request(v)),))
            case MinutesButton(mid, "end"):
                here = turn.channel or ""
                v = closing.end(s, actor, channel=here, now=now, minutes_id=mid)
                done = MinutesResult(v, "ended")
                return Outcome(done, Reply.NONE, (RefreshLive(v.id), DeliverNow(turn.workspace_id)))
            case StartMinutesAction(occurrence):
                here = turn.channel or ""
                v = minutes.start(s, actor, channel=here, now=now, occurrence_id=occurrence)
                started = MinutesResult(v, "started")
                return Outcome(started, Reply.NONE, (RefreshLive(v.id, turn.channel),))
            case FromMessage("item", text, _author, link):
                visible = register.list_projects(s, actor, now=now)
                me = s.get(Person, actor.person_id)
                request = work_forms.item_request(
                    visible,
                    owner=me.external_id if me else None,
                    channel=turn.channel,
                    title=text[:300],
                    notes=text[:3000],
                    source_ref=link,
                )
                return Outcome(None, Reply.NONE, (OpenForm(request),))
            case ChangeEntry(entry_id, change):
                ref = raid_ast.RaidRef(entry_id=entry_id)
                cmd = (
                    raid_ast.RaidReview(ref)
                    if change == "review"
                    else raid_ast.RaidSetStatus(ref, change)
                )
                changed = run(cmd)
                assert isinstance(changed, RaidEntryResult)
                return Outcome(changed, Reply.REPLACE, raid_follow_ups(changed.entry, turn))
            case TakeOffer(offer_id, op):
                taken = run(raid_ast.RaidOffer(offer_id, op))
                assert isinstance(taken, RaidEntryResult | RaidOfferResult)
                follow = (
                    raid_follow_ups(taken.entry, turn) if isinstance(taken, RaidEntryResult) else ()
                )
                return Outcome(taken, Reply.REPLACE, follow)
            case FromMessage("raid", text, _author, link):
                visible = raid_store.form_projects(
                    s, actor, register.list_projects(s, actor, now=now)
                )
                me = s.get(Person, actor.person_id)
                request = raid_forms.log_request(
                    visible,
                    owner=me.external_id if me else None,
                    channel=turn.channel,
                    text=text,
                    link=link,
                )
                return Outcome(None, Reply.NONE, (OpenForm(request),))
            case FromMessage("minutes", text, author, link):
                m = minutes.writable(s, actor, channel=turn.channel or "", minutes_id=None)
                request = meeting_forms.add_request(
                    minutes_id=m.id, title=m.title, text=text, author=author, source_ref=link
                )
                return Outcome(None, Reply.NONE, (OpenForm(request),))
    raise NotFound("I couldn't read that button.")


def raid_follow_ups(entry: RaidEntryView, turn: Turn) -> tuple[RefreshHome | DeliverNow, ...]:
    """After a RAID change: the owner's home, and the PMO leads' escalation sent at once when
    the entry is red or a high or critical issue."""
    follow: list[RefreshHome | DeliverNow] = [RefreshHome(entry.owner)] if entry.owner else []
    red = entry.band is not None and entry.band.value == "red" and not entry.opportunity
    high = entry.severity is not None and entry.severity.value in ("high", "critical")
    if entry.is_open and (red or high):
        follow.append(DeliverNow(turn.workspace_id))
    return tuple(follow)


def _item_command(
    actor: Actor, turn: Turn, item_id: int, change: str, days: int, pick: str, now: datetime
) -> ast.Command:
    if change == "done":
        return ast.ActionDone(item_id)
    if change == "reopen":
        return ast.ActionReopen(item_id)
    if change == "snooze":
        until = local_today(now, actor.timezone) + timedelta(days=days)
        return ast.ActionSnooze(item_id, until.isoformat())
    return ast.ActionAssign(item_id, turn.people.mention(pick))
