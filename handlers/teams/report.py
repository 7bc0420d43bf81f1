"""The portfolio report for Teams: a parent card in the report channel (counts, changes,
missing updates, the RAG heat map as an image when it fits) and one reply card per project
in its thread. Pure: data in, cards out."""

from __future__ import annotations

import base64
from typing import Any

from handlers.teams.cards import CARD_BUDGET, Card, card, text_block, text_cards
from services.status.exports import to_markdown
from services.status.report import ProjectLine, Report

RAG = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def parent_card(report: Report, chart: bytes | None = None) -> Card:
    """Counts, RAG changes, slipping, dependencies at risk and missing updates."""
    text = to_markdown(report).split("\n## Projects")[0].replace("# ", "", 1).strip()
    body: list[dict[str, Any]] = [text_block(text)]
    if chart:
        uri = "data:image/png;base64," + base64.b64encode(chart).decode("ascii")
        if len(uri) + len(text.encode()) * 2 < CARD_BUDGET:
            body.append(
                {"type": "Image", "url": uri, "altText": f"RAG by project, {report.period}"}
            )
    content = card(body, fallback=text)
    if len(text.encode()) * 2 > CARD_BUDGET:
        return text_cards(text)[0]
    return Card(content, text)


def project_card(line: ProjectLine) -> Card:
    """One project's line of the report, as a thread reply."""
    f = line.update
    state = f.overall.value if f else "skipped" if line.skipped else "missing"
    head = f"{RAG.get(state, '⚪')} {line.key} {line.name}: {state}"
    if line.previous:
        head += f" (was {line.previous.value})"
    facts = []
    if f is not None:
        if f.percent_complete is not None:
            facts.append({"title": "Complete", "value": f"{f.percent_complete}%"})
        for title, value in (("Summary", f.summary), ("Blockers", f.blockers), ("Asks", f.asks)):
            if value:
                facts.append({"title": title, "value": value[:1500]})
    elif line.skip_note:
        facts.append({"title": "Skipped", "value": line.skip_note[:1500]})
    facts.append(
        {
            "title": "Overdue",
            "value": f"{line.overdue_items} items, {line.overdue_deliverables} deliverables",
        }
    )
    body: list[dict[str, Any]] = [
        text_block(head, weight="Bolder"),
        {"type": "FactSet", "facts": facts},
    ]
    text = head + "\n" + "\n".join(f"{x['title']}: {x['value']}" for x in facts)
    return Card(card(body, fallback=text), text)


def report_cards(report: Report, chart: bytes | None = None) -> tuple[Card, list[Card]]:
    """The parent and one reply per project."""
    return parent_card(report, chart), [project_card(ln) for ln in report.projects]
