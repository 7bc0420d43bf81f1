"""Every PMO Bot listener of the Slack app, in one registration table.

Commands, buttons, shortcuts and events ack at once and run their work after the ack (lazy
listeners); modal submissions answer with inline field errors, so they validate first. Each
listener only translates Slack's payload into the chat edge's input and its outcome back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.chat.actions import (
    Action,
    ChangeEntry,
    ChangeItem,
    FromMessage,
    MinutesButton,
    RunCommand,
    StartMinutes,
    TakeOffer,
)
from handlers.chat.dispatch import Turn, run_action, run_command
from handlers.chat.forms import DEFINITIONS, submit_form
from handlers.chat.paging import next_page
from handlers.slack import forms, identity
from handlers.slack.blocks import flat
from handlers.slack.ids import SNOOZE_CHOICES, ActionId, BlockId, CallbackId
from handlers.slack.meetings.download import download
from handlers.slack.outcomes import answer, follow, publish_home
from handlers.slack.runtime import OOPS, Req, SlackDeps, Work, ack_now, identify, lazy
from services.commands import ast
from services.commands import ast_raid as raid_ast
from services.commands import ast_registers as reg
from services.core.errors import DomainError, FormErrors, NotFound
from services.core.forms import FormId
from services.core.refs import Text
from services.outbox import inbound

log = logging.getLogger(__name__)


def handle_pmo_command(req: Req) -> None:
    """Run one command of the shared language; reply through the response_url."""
    answer(req, run_command(req.deps.core, req.turn, str(req.body.get("text") or "").strip()))


def _value(req: Req) -> str:
    return str(req.body["actions"][0].get("value") or "")


def _acting(build: Callable[[Req], Action]) -> Work:
    def work(req: Req) -> None:
        try:
            action = build(req)
        except (KeyError, ValueError, IndexError):
            raise NotFound("I couldn't read that button.") from None
        answer(req, run_action(req.deps.core, req.turn, action))

    work.__name__ = f"handle_{getattr(build, '__name__', 'action')}"
    return work


def _command(make: Callable[[str], ast.Command]) -> Work:
    def command(req: Req) -> Action:
        return RunCommand(make(_value(req)))

    return _acting(command)


def _item_id(block_id: str) -> int:
    return int(block_id.removeprefix(BlockId.ITEM_PREFIX).split(":")[0])


def _item_change(change: str) -> Work:
    def item(req: Req) -> Action:
        act = req.body["actions"][0]
        if change == "snooze":
            item_id, code = str(act["selected_option"]["value"]).split(":", 1)
            return ChangeItem(int(item_id), "snooze", days=SNOOZE_CHOICES[code][1])
        if change == "reassign":
            return ChangeItem(_item_id(str(act["block_id"])), "reassign", pick=act["selected_user"])
        return ChangeItem(int(act["value"]), "done" if change == "done" else "reopen")

    return _acting(item)


def _minutes(op: str) -> Work:
    def minutes(req: Req) -> Action:
        return MinutesButton(int(_value(req)), "add" if op == "add" else "end")

    return _acting(minutes)


def _from_message(to: str) -> Work:
    def shortcut(req: Req) -> Action:
        message = req.body.get("message") or {}
        link = None
        try:
            link = req.client.chat_getPermalink(channel=str(req.channel), message_ts=message["ts"])[
                "permalink"
            ]
        except (SlackApiError, KeyError) as exc:
            log.warning("chat.getPermalink failed: %s", exc)
        text = str(message.get("text") or "")
        where = {"item": "item", "raid": "raid"}.get(to, "minutes")
        return FromMessage(where, text, message.get("user"), link)  # type: ignore[arg-type]

    return _acting(shortcut)


def _gate(value: str) -> tuple[str, str]:
    """A gate button's value, `KEY:phase`."""
    key, phase = value.split(":", 1)
    return key, phase


def _document(value: str) -> tuple[int, str]:
    """A document button's value, `id:version`."""
    doc_id, version = value.split(":", 1)
    return int(doc_id), version


def handle_home_opened(req: Req) -> None:
    """Publish the Home tab when someone opens it."""
    event = req.body.get("event") or {}
    if event.get("tab", "home") == "home":
        publish_home(req.deps, req.client, req.turn.person_id, req.user or event["user"])


BUTTONS: dict[ActionId, Work] = {
    ActionId.ITEM_DONE: _item_change("done"),
    ActionId.ITEM_REOPEN: _item_change("reopen"),
    ActionId.ITEM_SNOOZE: _item_change("snooze"),
    ActionId.ITEM_REASSIGN: _item_change("reassign"),
    ActionId.ITEM_EDIT: _command(lambda v: ast.ActionEditForm(int(v))),
    ActionId.OPEN_NEW_ITEM: _command(lambda _: ast.ActionForm()),
    ActionId.OPEN_NEW_PROJECT: _command(lambda _: ast.ProjectForm()),
    ActionId.OPEN_NEW_DELIVERABLE: _command(lambda _: ast.DeliverableForm()),
    ActionId.SHOW_MINE: _command(lambda _: ast.ActionList("mine")),
    ActionId.SHOW_OVERDUE: _command(lambda _: ast.ActionList("overdue")),
    ActionId.STATUS_OPEN: _command(ast.StatusForm),
    ActionId.STATUS_SHOW: _command(ast.StatusShow),
    ActionId.CADENCE_OPEN: _command(ast.StatusSettings),
    ActionId.MINUTES_ADD: _minutes("add"),
    ActionId.MINUTES_END: _minutes("end"),
    ActionId.MINUTES_START: _acting(lambda req: StartMinutes(int(_value(req)))),
    ActionId.SIGNOFF: _command(lambda v: reg.DeliverableSignoff(int(v))),
    ActionId.SIGNOFF_NOT_YET: _command(lambda v: reg.SignoffForm(int(v))),
    ActionId.DEPENDENCY_ACCEPT: _command(lambda v: reg.DependAccept(int(v))),
    ActionId.DEPENDENCY_PROPOSE: _command(lambda v: reg.DependForm(int(v), "propose")),
    ActionId.DEPENDENCY_DECLINE: _command(lambda v: reg.DependForm(int(v), "decline")),
    ActionId.GATE_APPROVE: _command(
        lambda v: reg.ProjectGateDecide(_gate(v)[0], True, "", _gate(v)[1])
    ),
    ActionId.GATE_REJECT: _command(lambda v: reg.GateRejectForm(*_gate(v))),
    ActionId.DOCUMENT_APPROVE: _command(lambda v: reg.DocApprove(*_document(v))),
    ActionId.DOCUMENT_CHANGES: _command(lambda v: reg.DocChangesForm(*_document(v))),
    ActionId.LIST_MORE: _command(next_page),
}


def _entry(change: str) -> Work:
    def entry(req: Req) -> Action:
        return ChangeEntry(int(_value(req)), change)  # type: ignore[arg-type]

    return _acting(entry)


def _offer(op: str) -> Work:
    def offer(req: Req) -> Action:
        return TakeOffer(int(_value(req)), "log" if op == "log" else "dismiss")

    return _acting(offer)


def _by_id(make: Callable[[raid_ast.RaidRef], ast.Command]) -> Callable[[str], ast.Command]:
    def command(value: str) -> ast.Command:
        return make(raid_ast.RaidRef(entry_id=int(value)))

    return command


BUTTONS.update(
    {
        ActionId.RAID_SHOW: _command(_by_id(raid_ast.RaidShow)),
        ActionId.RAID_EDIT: _command(_by_id(raid_ast.RaidEditForm)),
        ActionId.RAID_RESCORE: _command(_by_id(raid_ast.RaidRescoreForm)),
        ActionId.RAID_RESOLVE: _command(_by_id(raid_ast.RaidResolveForm)),
        ActionId.RAID_REVIEW: _entry("review"),
        ActionId.RAID_CLOSE: _entry("closed"),
        ActionId.RAID_CONFIRM: _entry("confirmed"),
        ActionId.RAID_INVALID: _entry("invalid"),
        ActionId.RAID_MET: _entry("met"),
        ActionId.RAID_MISSED: _entry("missed"),
        ActionId.RAID_REOPEN: _entry("open"),
        ActionId.RAID_OFFER_LOG: _offer("log"),
        ActionId.RAID_OFFER_DISMISS: _offer("dismiss"),
        ActionId.RAID_OFFER_EDIT: _command(lambda v: raid_ast.RaidOffer(int(v), "edit")),
        ActionId.OPEN_NEW_RISK: _command(lambda _: raid_ast.RaidForm("risk")),
        ActionId.OPEN_NEW_ISSUE: _command(lambda _: raid_ast.RaidForm("issue")),
    }
)
SHORTCUTS: dict[CallbackId, Work] = {
    CallbackId.CREATE_ITEM_SHORTCUT: _from_message("item"),
    CallbackId.ADD_TO_MINUTES_SHORTCUT: _from_message("minutes"),
    CallbackId.RAID_LOG_SHORTCUT: _from_message("raid"),
}


def _errors(form: FormId, errors: dict[str, Text]) -> dict[str, str]:
    return forms.errors_for(form, {name: flat(text) for name, text in errors.items()})


def submission(deps: SlackDeps, form: FormId) -> Callable[..., None]:
    """A modal's submission: every problem shown on its field and nothing saved, or saved
    and closed, with what follows carried out after the ack."""

    def handle_submission(
        ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        try:
            known = identify(deps, context, client)
            values, ref, files = forms.read(form, view)
            upload = download(client, files) if form == FormId.MEETING_IMPORT else None
            people = identity.SlackPeople(client, deps.defaults, deps.clock())
            channel = str(ref["channel"]) if ref.get("channel") else None
            turn = Turn(known.workspace_id, known.person_id, channel, people)
            outcome = submit_form(deps.core, turn, form, values, ref, upload=upload)
        except FormErrors as err:
            ack(response_action="errors", errors=_errors(form, err.errors))
            return
        except DomainError as err:
            where = err.field or _fallback_field(form)
            text = flat(err.message) + (f" {flat(err.hint)}" if err.hint else "")
            ack(response_action="errors", errors=_errors(form, {where: text}))
            return
        except Exception:
            log.exception("modal %s failed", form)
            ack(response_action="errors", errors=_errors(form, {_fallback_field(form): OOPS}))
            return
        ack()
        follow(deps, client, str(context.user_id), outcome)

    handle_submission.__name__ = f"handle_{form}_submission"
    return handle_submission


def _fallback_field(form: FormId) -> str:
    return DEFINITIONS[form].fallback_field


def dedupe_events(deps: SlackDeps) -> Callable[..., Any]:
    """Drop Slack's retries of an event already handled, keyed on (team_id, event_id)."""

    def middleware(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        if body.get("type") == "event_callback" and body.get("event_id"):
            team = str(body.get("team_id") or body.get("enterprise_id") or "")
            with deps.sessions.begin() as s:
                event_id = str(body["event_id"])
                first = inbound.first_sight(
                    s, platform="slack", team_id=team, event_id=event_id, now=deps.clock()
                )
            if not first:
                log.info("dropping repeated event %s", body["event_id"])
                return BoltResponse(status=200, body="")
        return next()

    return middleware


def register(app: App, deps: SlackDeps) -> None:
    """Attach every PMO Bot listener to a Bolt app."""
    app.middleware(dedupe_events(deps))
    app.command("/pmo")(ack=ack_now, lazy=[lazy(deps, handle_pmo_command)])
    for action_id, work in BUTTONS.items():
        app.action(action_id)(ack=ack_now, lazy=[lazy(deps, work)])
    for callback_id, work in SHORTCUTS.items():
        app.shortcut(callback_id)(ack=ack_now, lazy=[lazy(deps, work)])
    app.event("app_home_opened")(ack=ack_now, lazy=[lazy(deps, handle_home_opened)])
    for callback_id, form in forms.FORMS.items():
        app.view(callback_id)(submission(deps, form))
