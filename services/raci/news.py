"""News of a deliverable for its RACI's Informed, as it happens (slips are the sweep's)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from models import Deliverable, Person, Project
from services.raci.notices import tell_informed
from services.raci.routing import route_of


def forecast_moved(
    session: Session, deliverable_id: int, *, was: date | None, by: Person, now: datetime
) -> int:
    """Tell the Informed a deliverable was re-forecast (once per new date)."""
    d = session.get(Deliverable, deliverable_id)
    if d is None or was == d.forecast_on:
        return 0
    project = session.get(Project, d.project_id)
    assert project is not None
    return tell_informed(session, d, project, route_of(session, d), "forecast", now, by=by, was=was)
