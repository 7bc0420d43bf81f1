"""date order per person and workspace; a person's locale; since when their digest runs

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-29 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("person", sa.Column("date_order", sa.String(length=3), nullable=True))
    op.add_column("person", sa.Column("locale", sa.String(length=35), nullable=True))
    op.add_column("person", sa.Column("digest_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("workspace", sa.Column("date_order", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("date_order")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("digest_since")
        batch.drop_column("locale")
        batch.drop_column("date_order")
