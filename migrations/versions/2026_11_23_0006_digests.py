"""digests

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 22:04:53.236928
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=64), nullable=True))
        batch_op.alter_column("recipient_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(
            "uq_notification_channel_key",
            ["workspace_id", "rule", "subject_type", "subject_id", "occurrence", "channel"],
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("digest_enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("digest_at", sa.Time(), nullable=True))


def downgrade() -> None:
    # Channel posts have no recipient person and can't survive the NOT NULL.
    op.execute("DELETE FROM notification WHERE recipient_id IS NULL")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("digest_at")
        batch_op.drop_column("digest_enabled")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notification_channel_key", type_="unique")
        batch_op.alter_column("recipient_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("channel")
