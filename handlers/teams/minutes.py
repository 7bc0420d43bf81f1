"""Minutes as an Adaptive Card: the title, when and who as facts, then the notes, decisions
and action items, each in people's own words (plain text, shown as typed — the shared
Markdown export would put them inside Markdown). Pure: data in, cards out."""

from __future__ import annotations

from typing import Any

from handlers.teams.adaptive import CARD_BUDGET, Card, card, size_of, text_block, text_cards
from services.core.dates import zone
from services.meetings.views import MinutesView


def minutes_cards(v: MinutesView, lead: str = "") -> list[Card]:
    """The minutes (with `lead`, e.g. "Minutes ended."), split into plain cards if too big."""
    tz = zone(v.timezone)
    when = f"{v.started_at.astimezone(tz):%A %d %B %Y, %H:%M}"
    if v.ended_at:
        when += f" to {v.ended_at.astimezone(tz):%H:%M}"
    facts = [("When", f"{when} ({v.timezone})")]
    if v.project_key:
        facts.append(("Project", f"{v.project_key} — {v.project_name or ''}"))
    facts.append(("Minutes by", f"@{v.started_by.handle}"))
    if v.attendees:
        facts.append(("Attendees", ", ".join(f"@{p.handle}" for p in v.attendees)))
    if v.absent:
        facts.append(("Regrets", ", ".join(f"@{p.handle}" for p in v.absent)))
    if v.auto_closed:
        facts.append(("Closed", "automatically after 12 hours open"))
    if v.amended_at:
        facts.append(("Amended", f"{v.amended_at.astimezone(tz):%d %b %Y %H:%M}"))
    parts = [
        ("Notes", [f"{e.n}. {e.text}" for e in v.notes]),
        ("Decisions", [f"{e.n}. {e.text}" for e in v.decisions]),
        (
            "Action items",
            [
                f"#{a.id} {a.title} · @{a.owner.handle} · "
                f"{a.due_on.isoformat() if a.due_on else 'no date'} · {a.status.value}"
                for a in v.actions
            ],
        ),
    ]
    body: list[dict[str, Any]] = [text_block(lead)] if lead else []
    body += [
        text_block(v.title, weight="Bolder", size="Medium"),
        {"type": "FactSet", "facts": [{"title": t, "value": x} for t, x in facts]},
    ]
    lines = [lead, v.title] if lead else [v.title]
    lines += [f"{t}: {x}" for t, x in facts]
    for head, entries in parts:
        body.append(text_block(head, weight="Bolder"))
        body += [text_block(e, spacing="Small") for e in entries] or [
            text_block("None.", isSubtle=True, spacing="Small")
        ]
        lines += ["", head, *(entries or ["None."])]
    text = "\n".join(lines)
    content = card(body, fallback=text)
    if size_of(content) > CARD_BUDGET:
        return text_cards(text)
    return [Card(content, text)]
