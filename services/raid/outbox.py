"""What the outbox needs to know about RAID entries: how a reminder names one, and whether
its review (or date) is still due when the reminder goes out (a risk reviewed, rescored or
closed meanwhile is skipped)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RaidEntry, RaidKind
from services.outbox.contents import Subject, SubjectLoader
from services.raid.reviews import label


def entries(session: Session, ids: set[int]) -> dict[int, Subject]:
    """Open, and its review or date has come on the recipient's today."""
    out: dict[int, Subject] = {}
    for r in session.execute(
        select(
            RaidEntry.id,
            RaidEntry.kind,
            RaidEntry.number,
            RaidEntry.title,
            RaidEntry.score,
            RaidEntry.due_on,
            RaidEntry.closed_at,
        ).where(RaidEntry.id.in_(ids))
    ):

        def due(today: date, on: date | None = r.due_on, open_: bool = r.closed_at is None) -> bool:
            return open_ and on is not None and on <= today

        out[r.id] = Subject(label(r.kind, r.number, r.title, r.score), due)
    return out


SUBJECTS: dict[str, SubjectLoader] = {
    f"raid_{kind.value}": entries for kind in RaidKind if kind != RaidKind.DECISION
}
