"""personal settings: quiet hours (`me quiet 18:00-08:00`) and a time zone of one's own
(`me timezone …`, no longer overridden by the platform profile)

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_start", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.Time(), nullable=True))
        batch_op.add_column(
            sa.Column("timezone_pinned", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("timezone_pinned")
        batch_op.drop_column("quiet_end")
        batch_op.drop_column("quiet_start")
