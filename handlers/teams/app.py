"""The PMO Bot agent for Teams: every activity kind routed to the chat edge.

Messages (the personal chat, or an @mention in a channel or group chat) run a command;
`adaptiveCard/action` (Universal Actions) changes an item and answers with its card, updated
in place; `task/fetch` opens a form as a dialog and `task/submit` saves it (errors on the
field, nothing saved until valid); message actions (`composeExtension/fetchTask`) make an
item of a message or add it to the open minutes; installs store the conversation and greet.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Literal

import anyio.to_thread
from microsoft_agents.activity import Activity, InvokeResponse
from microsoft_agents.hosting.core import TurnContext

from handlers.chat import notices
from handlers.chat.actions import Action, ChangeItem, FromMessage, RunCommand
from handlers.chat.dispatch import run_action, run_command
from handlers.chat.forms import DEFINITIONS, submit_form
from handlers.chat.outcome import Outcome
from handlers.teams import adaptive, cards, forms, home, identity, outcomes, roster
from handlers.teams.ids import Dialog, MessageAction, Verb
from handlers.teams.markup import Markup
from handlers.teams.runtime import OOPS, Here, TeamsDeps, identify
from services.commands import ast
from services.core.errors import DomainError, FormErrors
from services.core.forms import FormRequest
from services.core.refs import plain_text

log = logging.getLogger(__name__)
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"
TAGS = re.compile(r"<[^>]+>")
WELCOME = Markup(
    "Hi, I'm PMO Bot. Type `help` here, or @mention me in a channel: "
    "`@PMO Bot status APOLLO`. Your open work is on the card below."
)


def message_text(payload: dict[str, Any]) -> str:
    """A message payload's words (its HTML body as text)."""
    body = str((payload.get("body") or {}).get("content") or "")
    text = TAGS.sub(" ", body).replace("&nbsp;", " ").replace("&amp;", "&")
    return " ".join(text.split())


class TeamsAgent:
    """The agent the SDK adapter runs for every activity (`Agent.on_turn`)."""

    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    async def on_turn(self, context: TurnContext) -> None:
        kind = context.activity.type
        try:
            here = await anyio.to_thread.run_sync(identify, self.deps, context)
        except DomainError as err:
            if kind == "invoke":
                await self._invoke_answer(context, _message(plain_text(err.message)))
            else:
                await outcomes.send_here(context, [cards.error_card(err)])
            return
        await roster.refresh(self.deps, context, here)
        if kind == "invoke":
            body = await self._invoke(context, here)
            await self._invoke_answer(context, body)
        elif kind == "message":
            await self._message(context, here)
        elif kind in ("installationUpdate", "conversationUpdate"):
            await self._installed(context, here)

    async def _invoke_answer(self, context: TurnContext, body: dict[str, Any]) -> None:
        response = InvokeResponse(status=200, body=body)
        await context.send_activity(Activity(type="invokeResponse", value=response))

    async def _run(
        self, context: TurnContext, here: Here, work: Callable[[], Outcome]
    ) -> Outcome | None:
        """Run chat-edge work in a thread; a domain error reaches the person as advice."""
        try:
            return await anyio.to_thread.run_sync(work)
        except DomainError as err:
            await outcomes.to_me(self.deps, context, here, [cards.error_card(err)])
        except Exception:
            log.exception("Teams turn failed")
            await outcomes.to_me(self.deps, context, here, [cards.notice_card(OOPS)])
        return None

    async def _message(self, context: TurnContext, here: Here) -> None:
        raw = here.raw
        text = identity.command_text(raw)
        value = raw.get("value")
        if not text and isinstance(value, dict) and value.get("verb"):  # an older client
            await self._legacy_click(context, here, value)
            return
        if not text:
            return
        core, turn = self.deps.core, here.turn
        outcome = await self._run(context, here, lambda: run_command(core, turn, text))
        if outcome is not None:
            await outcomes.answer(self.deps, context, here, outcome)

    async def _legacy_click(self, context: TurnContext, here: Here, value: dict[str, Any]) -> None:
        """A card button sent as Action.Submit: the same action; the answer as a new card."""
        action = {"verb": value["verb"], "data": {k: v for k, v in value.items() if k != "verb"}}
        try:
            answer = await self._card_action(context, here, action)
        except DomainError as err:
            await outcomes.to_me(self.deps, context, here, [cards.error_card(err)])
            return
        except (KeyError, ValueError, TypeError):
            await outcomes.to_me(
                self.deps, context, here, [cards.notice_card("I couldn't read that button.")]
            )
            return
        if answer.get("type") == ADAPTIVE:
            shown = adaptive.Card(answer["value"], str(answer["value"].get("fallbackText") or ""))
            await outcomes.send_here(context, [shown])
        else:
            await outcomes.to_me(
                self.deps, context, here, [cards.notice_card(str(answer["value"]))]
            )

    async def _installed(self, context: TurnContext, here: Here) -> None:
        raw = here.raw
        added = raw.get("action") == "add" or any(
            m.get("id") == (raw.get("recipient") or {}).get("id")
            for m in raw.get("membersAdded") or []
        )
        if added and here.personal:
            await outcomes.send_here(context, [cards.notice_card(WELCOME)])
            await home.refresh(self.deps, here, here.turn.person_id)

    async def _invoke(self, context: TurnContext, here: Here) -> dict[str, Any]:
        name = str(here.raw.get("name") or "")
        value = here.raw.get("value") or {}
        try:
            if name == "adaptiveCard/action":
                return await self._card_action(context, here, value.get("action") or {})
            if name == "task/fetch":
                return await self._open(context, here, value.get("data") or {})
            if name in ("task/submit", "composeExtension/submitAction"):
                return await self._submit(context, here, value.get("data") or {})
            if name == "composeExtension/fetchTask":
                return await self._from_message(context, here, value)
        except DomainError as err:
            text = plain_text(err.message) + (f" {plain_text(err.hint)}" if err.hint else "")
            return _message(text)
        except (KeyError, ValueError, TypeError):
            return _message("I couldn't read that button.")
        except Exception:
            log.exception("Teams invoke %s failed", name)
            return _message(OOPS)
        return {}

    async def _card_action(
        self, context: TurnContext, here: Here, action: dict[str, Any]
    ) -> dict[str, Any]:
        verb, data = Verb(str(action.get("verb"))), dict(action.get("data") or {})
        core, turn = self.deps.core, here.turn
        act: Action
        if verb == Verb.COMMAND:
            command = str(data["command"])
            outcome = await anyio.to_thread.run_sync(lambda: run_command(core, turn, command))
            await outcomes.answer(self.deps, context, here, outcome)
            return _message("Done.")
        if verb == Verb.NOTICE:  # the notice's card becomes what the click did
            act = notices.action(notices.Key(str(data["button"])), str(data["ref"]))
            outcome = await anyio.to_thread.run_sync(lambda: run_action(core, turn, act))
            await outcomes.follow(self.deps, context, here, outcome)
            if outcome.result is None:
                return _message("Done.")
            shown = cards.render(outcome.result, public_url=self.deps.public_url)[0]
            return {"statusCode": 200, "type": ADAPTIVE, "value": shown.content}
        item = int(data["item"])
        if verb == Verb.DONE:
            act = ChangeItem(item, "done")
        elif verb == Verb.REOPEN:
            act = ChangeItem(item, "reopen")
        elif verb == Verb.SNOOZE:
            act = ChangeItem(item, "snooze", days=int(data.get("days") or 1))
        else:
            pick = str(data.get("pick") or "")
            if not pick:
                return _message("Pick the new owner first.")
            act = ChangeItem(item, "reassign", pick=pick)
        outcome = await anyio.to_thread.run_sync(lambda: run_action(core, turn, act))
        await outcomes.follow(self.deps, context, here, outcome)
        if data.get("home") or outcome.result is None:
            return _message("Done.")
        shown = cards.render(outcome.result, public_url=self.deps.public_url)[0]
        return {"statusCode": 200, "type": ADAPTIVE, "value": shown.content}

    async def _open(self, context: TurnContext, here: Here, data: dict[str, Any]) -> dict[str, Any]:
        """task/fetch: the dialog a button asked for."""
        dialog = Dialog(str(data.get("dialog") or Dialog.FORM.value))
        if dialog == Dialog.FORM:
            return forms.dialog(forms.request_from(data, DEFINITIONS))
        if dialog == Dialog.NOTICE:
            key = notices.Key(str(data["button"]))
            return await self._dialog_of(context, here, notices.action(key, str(data["ref"])))
        cmd: ast.Command = (
            ast.ActionEditForm(int(data["item"]))
            if dialog == Dialog.EDIT_ITEM
            else ast.StatusForm(str(data["project"]))
        )
        return await self._dialog_of(context, here, RunCommand(cmd))

    async def _dialog_of(self, context: TurnContext, here: Here, act: Action) -> dict[str, Any]:
        core, turn = self.deps.core, here.turn
        outcome = await anyio.to_thread.run_sync(lambda: run_action(core, turn, act))
        opened = outcome.forms()
        if not opened:
            await outcomes.answer(self.deps, context, here, outcome)
            return forms.message_answer("Done.")
        return forms.dialog(opened[0])

    async def _from_message(
        self, context: TurnContext, here: Here, value: dict[str, Any]
    ) -> dict[str, Any]:
        """A message action: its dialog, prefilled from the message and linked to it."""
        payload = value.get("messagePayload") or {}
        command = MessageAction(str(value.get("commandId")))
        to: Literal["item", "minutes"] = (
            "item" if command == MessageAction.CREATE_ITEM else "minutes"
        )
        author = ((payload.get("from") or {}).get("user") or {}).get("aadObjectId") or (
            (payload.get("from") or {}).get("user") or {}
        ).get("id")
        act = FromMessage(to, message_text(payload), author, payload.get("linkToMessage"))
        return await self._dialog_of(context, here, act)

    async def _submit(
        self, context: TurnContext, here: Here, data: dict[str, Any]
    ) -> dict[str, Any]:
        """task/submit: save the form, or show it again with the errors on their fields."""
        form, values, ref = forms.submitted(data)
        core, turn = self.deps.core, here.turn
        try:
            outcome = await anyio.to_thread.run_sync(
                lambda: submit_form(core, turn, form, values, ref)
            )
        except FormErrors as err:
            request = _again(form, data, ref)
            return forms.dialog(request, values=values, errors=err.errors)
        except DomainError as err:
            if err.field is None:
                raise
            request = _again(form, data, ref)
            return forms.dialog(request, values=values, errors={err.field: err.message})
        await outcomes.follow(self.deps, context, here, outcome)
        return forms.message_answer("Saved.")


def _again(form: Any, data: dict[str, Any], ref: dict[str, Any]) -> FormRequest:
    """The request to show again after errors (its choices come back with the data)."""
    return forms.request_from(
        {
            "form": form.value,
            "ref": ref,
            "choices": data.get("choices") or {},
            "intro": data.get("intro") or "",
        },
        DEFINITIONS,
    )


def _message(text: str) -> dict[str, Any]:
    """An invoke answer that shows a short message."""
    return {"statusCode": 200, "type": MESSAGE, "value": text[:500]}
