"""The portfolio report for Teams: a parent card in the report channel (counts, changes,
missing updates, the RAG heat map as an image when it fits) and one reply card per project
in its thread. Pure: data in, cards out."""

from __future__ import annotations

import base64
from typing import Any

from handlers.teams.adaptive import CARD_BUDGET, Card, card, size_of, text_block, text_cards
from models import Rag
from services.status.report import ProjectLine, Report

RAG = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def sections(report: Report) -> list[tuple[str, list[str]]]:
    """The parent's parts as the Markdown export words them: (heading, lines)."""
    parts = [
        (
            "RAG changes",
            [
                f"{ln.key}: {ln.previous.value if ln.previous else ''} → "
                f"{ln.update.overall.value if ln.update else ''}"
                for ln in report.projects
                if ln.changed
            ],
        ),
        (
            "Green but slipping",
            [
                f"{ln.key}: reports {ln.update.overall.value if ln.update else ''} with "
                f"{ln.overdue_deliverables} overdue deliverable"
                f"{'s' if ln.overdue_deliverables != 1 else ''}"
                for ln in report.projects
                if ln.slipping
            ],
        ),
        (
            "Dependencies at risk",
            [
                f"#{v.id} {v.downstream_key} needs “{v.what}” from {v.upstream_key} by "
                f"{v.needed_by.isoformat()}: {v.risk or ''}"
                for v in report.at_risk
            ],
        ),
        (
            "Missing updates",
            [f"{ln.key} ({'@' + ln.pm.handle if ln.pm else 'no PM'})" for ln in report.missing],
        ),
    ]
    return [(head, lines) for head, lines in parts if lines]


def parent_card(report: Report, chart: bytes | None = None) -> Card:
    """Counts, RAG changes, slipping, dependencies at risk and missing updates: the words
    are plain text (a dependency's "what" and risk are people's words), headings in bold."""
    counts = (
        f"{report.count(Rag.GREEN)} green · {report.count(Rag.AMBER)} amber · "
        f"{report.count(Rag.RED)} red · {len(report.missing)} missing"
    )
    title = f"Portfolio status · {report.period}"
    body: list[dict[str, Any]] = [
        text_block(title, weight="Bolder", size="Medium"),
        text_block(counts),
    ]
    lines = [title, counts]
    for head, items in sections(report):
        body.append(text_block(head, weight="Bolder"))
        body.append(text_block("\n".join(f"• {x}" for x in items)[:6000], spacing="None"))
        lines += ["", head, *(f"• {x}" for x in items)]
    text = "\n".join(lines)
    if chart:
        uri = "data:image/png;base64," + base64.b64encode(chart).decode("ascii")
        if len(uri) + size_of(card(body, fallback=text)) < CARD_BUDGET:
            body.append(
                {"type": "Image", "url": uri, "altText": f"RAG by project, {report.period}"}
            )
    content = card(body, fallback=text)
    if size_of(content) > CARD_BUDGET:
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
