"""Where the project register's "top risk" column comes from: the RAID log's open threat
with the highest score in each project (one statement for the whole register)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy.orm import Session

from services.raid.queries import top_risk_by_project
from services.raid.views import RaidEntryView

TopRisks = Callable[[Session, int, list[int]], Mapping[int, object]]

SOURCE: TopRisks | None = top_risk_by_project


def describe(risk: object) -> str:
    """A risk as one line: its reference, title and score when it is a RAID entry; else its
    title (or summary, or text), or as printed."""
    if isinstance(risk, RaidEntryView):
        score = f" ({risk.score})" if risk.score is not None else ""
        return f"{risk.ref} {risk.title}{score}"
    for attr in ("title", "summary", "text", "description"):
        value = getattr(risk, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(risk)


def top_risks(
    session: Session, workspace_id: int, project_ids: Sequence[int], source: TopRisks | None
) -> dict[int, str] | None:
    """Each project's top risk in words (None: no risk log to ask)."""
    if source is None:
        return None
    found = source(session, workspace_id, list(project_ids))
    return {pid: describe(risk) for pid, risk in found.items() if risk is not None}
