"""dates within the horizon: action items and deliverables whose dates lie more than
HORIZON_YEARS from today (rows written before every path checked them) are clamped to the
horizon, each change recorded in the audit log with the old date (so nothing is lost)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 15:00:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HORIZON_DAYS = 5 * 366  # services.core.dates.HORIZON_YEARS, as within_horizon counts it
COLUMNS = (
    ("action_item", "due_on"),
    ("action_item", "snoozed_until"),
    ("deliverable", "forecast_on"),
    ("deliverable", "baseline_on"),
)


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    low, high = now.date() - timedelta(days=HORIZON_DAYS), now.date() + timedelta(days=HORIZON_DAYS)
    audit = sa.table(
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
    for name, col in COLUMNS:
        t = sa.table(name, sa.column("id", sa.Integer), sa.column("workspace_id", sa.Integer),
                     sa.column(col, sa.Date))  # fmt: skip
        rows = conn.execute(
            sa.select(t.c.id, t.c.workspace_id, t.c[col]).where(
                sa.or_(t.c[col] < low, t.c[col] > high)
            )
        ).all()
        for row_id, ws_id, old in rows:
            new: date = low if old < low else high
            conn.execute(sa.update(t).where(t.c.id == row_id).values({col: new}))
            conn.execute(
                sa.insert(audit).values(
                    workspace_id=ws_id,
                    actor_id=None,
                    entity_type=name,
                    entity_id=row_id,
                    action="date_clamped",
                    before={col: old.isoformat()},
                    after={col: new.isoformat()},
                    at=now,
                )
            )


def downgrade() -> None:
    """Nothing to undo in the schema; the old dates stay in the audit log."""
