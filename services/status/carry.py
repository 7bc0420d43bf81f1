"""What a one-line status update carries over from the last update, said out loud.

`status APOLLO green "All good"` keeps the last update's blockers, escalation, asks and next
steps (a one-liner changes the RAG and the summary). Carrying an escalated blocker into a green
update silently would tell the PMO two things at once; so the confirmation lists everything
carried over, and `--clear` starts the update without it.
"""

from __future__ import annotations

import dataclasses

from services.status.update import UpdateFields

CLEAR_WORDS = ("--clear", "—clear", "clear:", "--fresh")


def _quote(text: str) -> str:
    one_line = " ".join(text.split())
    return f"“{one_line[:80]}{'…' if len(one_line) > 80 else ''}”"


def carried_over(fields: UpdateFields) -> tuple[str, ...]:
    """What of `fields` (taken from the last update) a one-liner keeps, in words."""
    found = []
    if fields.blockers.strip():
        escalated = " (escalated to the PMO)" if fields.escalate else ""
        found.append(f"blockers {_quote(fields.blockers)}{escalated}")
    elif fields.escalate:
        found.append("an escalation to the PMO")
    if fields.asks.strip():
        found.append(f"asks {_quote(fields.asks)}")
    if fields.next_steps.strip():
        found.append(f"next steps {_quote(fields.next_steps)}")
    for name in ("schedule", "scope", "budget", "resources"):
        rag = getattr(fields, name)
        if rag is not None:
            found.append(f"{name} {rag.value}")
    if fields.percent_complete is not None:
        found.append(f"{fields.percent_complete}% complete")
    return tuple(found)


def cleared(fields: UpdateFields) -> UpdateFields:
    """`fields` without what the last update said about blockers, escalation, asks and steps."""
    return dataclasses.replace(fields, blockers="", escalate=False, asks="", next_steps="")
