"""more dates within the horizon: what 0016 did for action items and deliverables, for every
other stored date a person typed — leave periods, project start and target dates, RAID review,
due and decision dates, dependency need-by and proposed dates, document review due dates. Each
change is recorded in the audit log with the old date. Holidays outside the horizon are of no
use to any plan and are dropped, each one recorded in the audit log (name and date).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 16:40:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HORIZON_DAYS = 5 * 366  # services.core.dates.HORIZON_YEARS, as within_horizon counts it
TABLES = (  # a row's columns are clamped in one UPDATE (leave keeps end_on >= start_on)
    ("leave_period", ("start_on", "end_on")),
    ("project", ("start_on", "target_on")),
    ("raid_entry", ("review_on", "due_on", "decided_on")),
    ("dependency", ("needed_by", "proposed_on")),
    ("document_review", ("due_on",)),
)
AUDIT = sa.table(
    "audit_event",
    sa.column("workspace_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    low, high = now.date() - timedelta(days=HORIZON_DAYS), now.date() + timedelta(days=HORIZON_DAYS)
    for name, cols in TABLES:
        t = sa.table(name, sa.column("id", sa.Integer), sa.column("workspace_id", sa.Integer),
                     *(sa.column(c, sa.Date) for c in cols))  # fmt: skip
        outside = sa.or_(*(sa.or_(t.c[c] < low, t.c[c] > high) for c in cols))
        rows = conn.execute(
            sa.select(t.c.id, t.c.workspace_id, *(t.c[c] for c in cols)).where(outside)
        ).all()
        for row_id, ws_id, *olds in rows:
            before, after = {}, {}
            for col, old in zip(cols, olds, strict=True):
                if old is not None and not low <= old <= high:
                    before[col] = old.isoformat()
                    after[col] = (low if old < low else high).isoformat()
            conn.execute(
                sa.update(t)
                .where(t.c.id == row_id)
                .values({c: date.fromisoformat(v) for c, v in after.items()})
            )
            for col in before:
                conn.execute(
                    sa.insert(AUDIT).values(
                        workspace_id=ws_id,
                        actor_id=None,
                        entity_type=name,
                        entity_id=row_id,
                        action="date_clamped",
                        before={col: before[col]},
                        after={col: after[col]},
                        at=now,
                    )
                )
    holiday = sa.table(
        "holiday",
        sa.column("id", sa.Integer),
        sa.column("workspace_id", sa.Integer),
        sa.column("on", sa.Date),
        sa.column("name", sa.String),
    )
    far = sa.or_(holiday.c.on < low, holiday.c.on > high)
    for row_id, ws_id, on, title in conn.execute(
        sa.select(holiday.c.id, holiday.c.workspace_id, holiday.c.on, holiday.c.name).where(far)
    ).all():
        conn.execute(
            sa.insert(AUDIT).values(
                workspace_id=ws_id,
                actor_id=None,
                entity_type="holiday",
                entity_id=row_id,
                action="holiday_dropped",
                before={"on": on.isoformat(), "name": title},
                after=None,
                at=now,
            )
        )
    conn.execute(sa.delete(holiday).where(far))


def downgrade() -> None:
    """Nothing to undo in the schema; the old dates stay in the audit log."""
