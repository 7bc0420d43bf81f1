"""Every command result as an Adaptive Card 1.5 with a text fallback: one match, ending in
`assert_never`, so a result nobody renders is a type error. Pure: data in, JSON out.

The words are the neutral plain-text rendering every channel shares (the console's); items
get their facts and the Done / Snooze / Reassign / Edit buttons as Universal Actions
(`Action.Execute`), which update the card in place. Every card stays under 28 KB: a longer
text is split over several cards, like a long Slack message.
"""

from __future__ import annotations

from datetime import date
from typing import Any, assert_never

from handlers.chat import notices
from handlers.console.render import render as plain_render
from handlers.teams.adaptive import CARD_BUDGET, Card, card, cost, size_of, text_block, text_cards
from handlers.teams.ids import SNOOZE_DAYS, Dialog, Verb
from handlers.teams.markup import Markup, escape
from handlers.teams.minutes import minutes_cards
from handlers.teams.report import report_cards
from models.enums import ActionStatus
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
from services.core.refs import plain_text
from services.core.views import ActionItemView

LIST_BUTTONS = 10  # items in a list that get their own Done button


def execute(title: str, verb: Verb, data: dict[str, Any]) -> dict[str, Any]:
    """A Universal Action button (invoke `adaptiveCard/action`); clients without Universal
    Actions send the same as a card submit (a message with `value`)."""
    legacy = {"type": "Action.Submit", "title": title, "data": {"verb": verb.value, **data}}
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": verb.value,
        "data": data,
        "fallback": legacy,
    }


def dialog_button(title: str, dialog: Dialog, data: dict[str, Any]) -> dict[str, Any]:
    """A button that opens a Teams dialog (Teams sends `task/fetch` with `data`)."""
    payload = {"msteams": {"type": "task/fetch"}, "dialog": dialog.value, **data}
    return {"type": "Action.Submit", "title": title, "data": payload}


def notice_actions(buttons: list[notices.Button]) -> list[dict[str, Any]]:
    """A notice's buttons: a Universal Action each, or a dialog for those that ask first."""
    out = []
    for b in buttons:
        data = {"button": b.key.value, "ref": b.ref}
        shown = dialog_button(b.label, Dialog.NOTICE, data) if b.opens_form else None
        shown = shown or execute(b.label, Verb.NOTICE, data)
        if b.primary or b.danger:
            shown["style"] = "positive" if b.primary else "destructive"
        out.append(shown)
    return out


def command_button(title: str, command: str) -> dict[str, Any]:
    """A button that runs a command of the language, as if the person had typed it."""
    return execute(title, Verb.COMMAND, {"command": command})


def item_actions(item: ActionItemView) -> list[dict[str, Any]]:
    """Done / Snooze / Reassign / Edit for an open item; Reopen for a closed one."""
    ref = {"item": item.id}
    if item.status != ActionStatus.OPEN:
        return [execute("Reopen", Verb.REOPEN, ref)]
    snooze = {
        "type": "Action.ShowCard",
        "title": "Snooze",
        "card": card(
            [text_block("Snooze until…")],
            [
                execute(label, Verb.SNOOZE, {**ref, "days": int(days)})
                for days, label in SNOOZE_DAYS
            ],
        ),
    }
    reassign = {
        "type": "Action.ShowCard",
        "title": "Reassign",
        "card": card(
            [
                {
                    "type": "Input.ChoiceSet",
                    "id": "pick",
                    "label": "New owner",
                    "isRequired": True,
                    "errorMessage": "Pick the new owner.",
                    "choices": [],
                    "choices.data": {"type": "Data.Query", "dataset": "graph.microsoft.com/users"},
                }
            ],
            [execute("Reassign", Verb.REASSIGN, ref)],
        ),
    }
    return [
        execute("Done", Verb.DONE, ref),
        snooze,
        reassign,
        dialog_button("Edit", Dialog.EDIT_ITEM, ref),
    ]


def item_facts(item: ActionItemView, today: date) -> dict[str, Any]:
    due = item.due_on.isoformat() if item.due_on else "no date"
    if item.is_overdue(today):
        due += " (overdue)"
    facts = [
        {"title": "Owner", "value": item.owner.display_name or item.owner.handle},
        {"title": "Due", "value": due},
        {"title": "Status", "value": item.status.value},
    ]
    if item.project_key:
        facts.insert(0, {"title": "Project", "value": item.project_key})
    if item.snoozed_until:
        facts.append({"title": "Snoozed until", "value": item.snoozed_until.isoformat()})
    return {"type": "FactSet", "facts": facts}


def item_card(item: ActionItemView, lead: str, today: date, *, by: str = "") -> Card:
    """One item with its buttons; `by` says who changed it last (shown on the card)."""
    body = [
        text_block(lead, weight="Bolder"),
        text_block(f"#{item.id} {item.title}", size="Medium"),
        item_facts(item, today),
    ]
    if by:
        body.append(text_block(by, isSubtle=True, size="Small"))
    text = f"{lead}\n#{item.id} {item.title}"
    return Card(card(body, item_actions(item), fallback=text), text)


def list_card(result: ActionListResult, text: str) -> list[Card]:
    body: list[dict[str, Any]] = [text_block(result.title, weight="Bolder", size="Medium")]
    if not result.page.items:
        body.append(text_block(result.empty_text))
    for item in result.page.items[:LIST_BUTTONS]:
        due = item.due_on.isoformat() if item.due_on else "no date"
        late = " · **overdue**" if item.is_overdue(result.today) else ""
        line = Markup(escape(f"#{item.id} {item.title} · {due}") + late)
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [text_block(line)],
                "selectAction": execute("Done", Verb.DONE, {"item": item.id}),
            }
        )
    rest = result.page.items[LIST_BUTTONS:]
    if rest or result.page.more:
        body.append(text_block("\n".join(text.splitlines()[LIST_BUTTONS + 1 :]) or "…"))
    content = card(body, fallback=text)
    if size_of(content) > CARD_BUDGET:
        return text_cards(text)
    return [Card(content, text)]


def error_card(err: DomainError) -> Card:
    """A user error: what went wrong and what to do."""
    text = plain_text(err.message) + (f"\n{plain_text(err.hint)}" if err.hint else "")
    body = [text_block(f"⚠️ {plain_text(err.message)}", color="Attention")]
    if err.hint:
        body.append(text_block(plain_text(err.hint), isSubtle=True))
    return Card(card(body, fallback=text), text)


def notice_card(text: str) -> Card:
    return Card(card([text_block(text)], fallback=text), text)


def render(result: Result, *, public_url: str = "", tz: str = "UTC") -> list[Card]:
    """The cards for a result (usually one)."""
    text = plain_render(result, public_url=public_url or "http://localhost:3000", tz=tz)
    match result:
        case ActionResult(item, event, today, by=by):
            lead = text.splitlines()[0] if text else f"#{item.id}"
            who = f"Changed by {by.display_name or by.handle}" if by and event != "shown" else ""
            return [item_card(item, lead, today, by=who)]
        case ActionCardResult(item, _history, today):
            first, *rest = text.splitlines() or [""]
            shown = item_card(item, first, today)
            history = "\n".join(rest)
            while history and cost(history) > CARD_BUDGET // 2:
                history = history[: len(history) // 2]
            if history:
                shown.content["body"].append(text_block(escape(history)))
            return [shown]
        case ActionListResult():
            return list_card(result, text)
        case HelpResult():
            return text_cards(text, [command_button("My items", "action list mine")])
        case StatusResult(view, _event, _note, _versions, key):
            project = view.project_key if view else key
            button = dialog_button("Submit update", Dialog.STATUS, {"project": project})
            return text_cards(text, [button] if project else None)
        case FormResult(request, shown):
            if shown is not None:
                return render(shown, public_url=public_url, tz=tz)
            return text_cards(f"Opening the {request.form.title.lower()} form…")
        case ReportResult(report, False):  # the parent, then every project's line in words
            parent, lines = report_cards(report)
            return [parent, *text_cards("\n\n".join(c.text for c in lines))] if lines else [parent]
        case MinutesResult(v, "shown" | "ended" | "amended" as event):
            lead = {"ended": "Minutes ended.", "amended": "Minutes amended."}.get(event, "")
            return minutes_cards(v, lead)
        case (
            RolesResult()
            | RoleChanged()
            | ProjectResult()
            | ProjectListResult()
            | DeliverableResult()
            | DeliverableListResult()
            | LeaveResult()
            | SettingsResult()
            | DigestResult()
            | CadenceResult()
            | ReportResult()
            | MinutesResult()
            | MinutesListResult()
            | MinutesExportResult()
            | MeetingResult()
            | MeetingListResult()
            | IcsResult()
            | PeopleResult()
            | MeResult()
            | ActionBatchResult()
            | DeliverableCardResult()
            | DatesResult()
            | RaidEntryResult()
            | RaidListResult()
            | RaidSettingsResult()
            | RaidOfferResult()
            | RaciResult()
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
            return text_cards(text)
        case _:
            assert_never(result)
