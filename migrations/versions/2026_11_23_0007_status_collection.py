"""status collection

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 22:41:21.746735
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_cadence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("rrule", sa.String(length=200), nullable=False),
        sa.Column("deadline_days", sa.SmallInteger(), nullable=False),
        sa.Column("deadline_time", sa.Time(), nullable=False),
        sa.Column("reporters", sa.JSON(), nullable=False),
        sa.Column("report_channel", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_status_cadence_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_status_cadence_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_cadence")),
        sa.UniqueConstraint("project_id", name=op.f("uq_status_cadence_project_id")),
    )
    op.create_table(
        "status_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "closed",
                "skipped",
                name="cycle_state",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reporters", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_status_cycle_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_status_cycle_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_cycle")),
        sa.UniqueConstraint("project_id", "period", name=op.f("uq_status_cycle_project_id_period")),
    )
    with op.batch_alter_table("status_cycle", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_cycle_state_deadline", ["state", "deadline_at"], unique=False
        )
        batch_op.create_index("ix_status_cycle_ws_period", ["workspace_id", "period"], unique=False)

    op.create_table(
        "status_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.Column(
            "overall",
            sa.Enum(
                "green",
                "amber",
                "red",
                name="rag",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=False,
        ),
        sa.Column(
            "schedule",
            sa.Enum(
                "green",
                "amber",
                "red",
                name="rag_schedule",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=True,
        ),
        sa.Column(
            "scope",
            sa.Enum(
                "green",
                "amber",
                "red",
                name="rag_scope",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=True,
        ),
        sa.Column(
            "budget",
            sa.Enum(
                "green",
                "amber",
                "red",
                name="rag_budget",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=True,
        ),
        sa.Column(
            "resources",
            sa.Enum(
                "green",
                "amber",
                "red",
                name="rag_resources",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=True,
        ),
        sa.Column("percent_complete", sa.SmallInteger(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("highlights", sa.Text(), nullable=False),
        sa.Column("blockers", sa.Text(), nullable=False),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("asks", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_status_update_author_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["status_cycle.id"],
            name=op.f("fk_status_update_cycle_id_status_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_status_update_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_status_update_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_update")),
        sa.UniqueConstraint("cycle_id", "version", name=op.f("uq_status_update_cycle_id_version")),
    )
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_update_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(
            "ix_status_update_project_latest", ["project_id", "latest"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("status_update", schema=None) as batch_op:
        batch_op.drop_index("ix_status_update_project_latest")
        batch_op.drop_index(batch_op.f("ix_status_update_cycle_id"))

    op.drop_table("status_update")
    with op.batch_alter_table("status_cycle", schema=None) as batch_op:
        batch_op.drop_index("ix_status_cycle_ws_period")
        batch_op.drop_index("ix_status_cycle_state_deadline")

    op.drop_table("status_cycle")
    op.drop_table("status_cadence")
