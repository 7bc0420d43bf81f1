"""A status update as a message: its RAG, dimensions and % on one line, then each text part
(for the project's channel, the report's thread and the person who submitted it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from models import Rag
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest, DigestLine, DigestSection
from services.status.update import UpdateFields, UpdateView

RAG_LABEL = {Rag.GREEN: "🟢 Green", Rag.AMBER: "🟠 Amber", Rag.RED: "🔴 Red"}


def update_digest_parts(
    key: str, period: str, f: UpdateFields, version: int, author: str, today: date
) -> Any:
    """An update as a message: RAG, dimensions and % on one line, then each text part."""
    dims = " · ".join(
        f"{name} {getattr(f, name).value}"
        for name in ("schedule", "scope", "budget", "resources")
        if getattr(f, name) is not None
    )
    pct = f" · {f.percent_complete}% complete" if f.percent_complete is not None else ""
    sections = [
        DigestSection(heading, [DigestLine("text", 0, text)], 1)
        for heading, text in (
            ("Summary", f.summary),
            ("Highlights", f.highlights),
            ("Blockers" + (" (escalated)" if f.escalate else ""), f.blockers),
            ("Asks", f.asks),
            ("Next steps", f.next_steps),
        )
        if text
    ]
    by = f" by @{author}" if author else ""
    note = f"{RAG_LABEL[f.overall]}{pct}{' · ' + dims if dims else ''} · v{version}{by}"
    return Digest(
        DigestKind.STATUS_UPDATE,
        f"{key} status · {period}",
        today,
        sections,
        note=note,
        project_key=key,
    )


def update_digest(view: UpdateView, today: date) -> Any:
    """A submitted update as a message."""
    return update_digest_parts(
        view.project_key, view.period, view.fields, view.version, view.author.handle, today
    )
