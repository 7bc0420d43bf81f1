"""Where the project register's "top risk" column comes from.

The RAID log (built beside this feature) exposes `top_risk_by_project(session, workspace_id,
project_ids)`; once both are merged, `SOURCE` below is pointed at it and the register shows
each project's top risk. Until then there is no source, and the register says so instead of
showing an empty column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy.orm import Session

TopRisks = Callable[[Session, int, Sequence[int]], Mapping[int, object]]

SOURCE: TopRisks | None = None  # the integrator: services.raid's top_risk_by_project


def describe(risk: object) -> str:
    """A risk as one line: its title (or summary, or text) if it has one, else as printed."""
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
