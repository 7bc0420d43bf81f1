"""The "My work" card in a person's personal chat with the bot (Teams' App Home): my open
items overdue first, my projects with their latest RAG, my deliverables due in 14 days;
posted once and then updated in place after every change that affects the person."""

from __future__ import annotations

import logging
from typing import Any

import anyio.to_thread

from handlers.teams.adaptive import CARD_BUDGET, Card, card, size_of, text_block
from handlers.teams.cards import command_button, execute
from handlers.teams.connector import TeamsRefusal
from handlers.teams.ids import Verb
from handlers.teams.markup import Markup, escape
from handlers.teams.runtime import Here, TeamsDeps
from models import Person
from services.core.access import actor_for
from services.workspace import conversations
from services.workspace.home import HomeData, home

log = logging.getLogger(__name__)
SHOWN = 25  # projects and deliverables on the card (fewer when it would pass 28 KB)
TITLE = 120  # characters of a title on the card
RAG = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def home_card(data: HomeData) -> Card:
    """The "My work" card, under the size limit however much is on it. Pure."""
    shown = SHOWN
    while True:
        built = _card(data, shown)
        if size_of(built.content) < CARD_BUDGET or shown <= 3:
            return built
        shown //= 2


def clip(text: str, most: int = TITLE) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _card(data: HomeData, shown: int) -> Card:
    body: list[dict[str, Any]] = [text_block("My work", weight="Bolder", size="Large")]
    items = sorted(data.items.items, key=lambda i: not i.is_overdue(data.today))
    body.append(text_block(f"Open items ({data.items.total})", weight="Bolder"))
    lines = []
    for item in items:
        due = item.due_on.isoformat() if item.due_on else "no date"
        late = " · overdue" if item.is_overdue(data.today) else ""
        body.append(
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [text_block(f"#{item.id} {clip(item.title)} · {due}{late}")],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [
                            {
                                "type": "ActionSet",
                                "actions": [
                                    execute("Done", Verb.DONE, {"item": item.id, "home": 1})
                                ],
                            }
                        ],
                    },
                ],
            }
        )
        lines.append(f"#{item.id} {clip(item.title)} · {due}{late}")
    if not items:
        body.append(text_block("Nothing open. 🎉"))
    body.append(text_block("My projects", weight="Bolder"))
    for p in data.projects[:shown]:
        rag = RAG.get(p.rag or "", "⚪")
        body.append(text_block(f"{rag} {p.key} {clip(p.name)}"))
        lines.append(f"{p.key} {p.rag or 'no status yet'}")
    if len(data.projects) > shown:
        more = escape(f"… and {len(data.projects) - shown} more: ")
        body.append(text_block(Markup(more + "`project list`")))
    if not data.projects:
        body.append(text_block("You are in no project yet."))
    body.append(text_block("Deliverables due in 14 days", weight="Bolder"))
    for d in data.deliverables[:shown]:
        body.append(
            text_block(f"{d.project_key} #{d.id} {clip(d.title)} · {d.forecast_on.isoformat()}")
        )
    if len(data.deliverables) > shown:
        body.append(text_block(f"… and {len(data.deliverables) - shown} more"))
    if not data.deliverables:
        body.append(text_block("None."))
    text = "My work\n" + "\n".join(lines)
    actions = [command_button("All my items", "action list mine")]
    return Card(card(body, actions, fallback=text), text)


async def refresh(deps: TeamsDeps, here: Here, person_id: int) -> None:
    """Update the person's "My work" card in place (or post it the first time) — only in a
    personal chat we already have; nobody gets a new chat just for it."""

    def load() -> tuple[dict[str, Any], str, str | None, int, Card] | None:
        with deps.sessions() as s:
            person = s.get(Person, person_id)
            if person is None or person.workspace_id != here.turn.workspace_id:
                return None
            row = conversations.personal(s, workspace_id=person.workspace_id, person_id=person_id)
            if row is None:
                return None
            shown = home_card(home(s, actor_for(s, person), now=deps.clock()))
            return dict(row.reference), row.conversation_id, row.home_activity_id, row.id, shown

    found = await anyio.to_thread.run_sync(load)
    if found is None:
        return
    stored, conv_id, activity_id, row_id, shown = found
    if activity_id:
        try:
            await deps.outbound.update(stored, activity_id, shown)
            return
        except TeamsRefusal as err:  # deleted by the person, too old: post a new one
            log.info("My work card not updated (%s); posting a new one", err)
    ids = await deps.outbound.post(stored, [shown], conversation_id=conv_id)

    def keep() -> None:
        with deps.sessions.begin() as s:
            conversations.set_home(s, row_id, ids[0] if ids else None)

    await anyio.to_thread.run_sync(keep)
