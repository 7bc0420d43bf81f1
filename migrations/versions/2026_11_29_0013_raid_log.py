"""raid log

Revision ID: 0013
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "raid_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "risk",
                "assumption",
                "issue",
                "dependency",
                "decision",
                name="raid_kind",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("actionee_id", sa.Integer(), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "mitigating",
                "closed",
                "accepted",
                "occurred",
                "resolved",
                "confirmed",
                "invalid",
                "met",
                "missed",
                "withdrawn",
                name="raid_status",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("opportunity", sa.Boolean(), nullable=False),
        sa.Column("probability", sa.SmallInteger(), nullable=True),
        sa.Column("impact", sa.SmallInteger(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("residual_probability", sa.SmallInteger(), nullable=True),
        sa.Column("residual_impact", sa.SmallInteger(), nullable=True),
        sa.Column(
            "proximity",
            sa.Enum(
                "imminent",
                "this_phase",
                "this_project",
                "beyond",
                name="raid_proximity",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column(
            "strategy",
            sa.Enum(
                "avoid",
                "reduce",
                "fallback",
                "transfer",
                "share",
                "accept",
                "exploit",
                "enhance",
                "reject",
                name="raid_strategy",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=True,
        ),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("red_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "issue_type",
            sa.Enum(
                "problem",
                "change",
                "off_spec",
                name="raid_issue_type",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=True,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "low",
                "medium",
                "high",
                "critical",
                name="raid_priority",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=True,
        ),
        sa.Column(
            "severity",
            sa.Enum(
                "low",
                "medium",
                "high",
                "critical",
                name="raid_severity",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=True,
        ),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("linked_entry_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("minutes_id", sa.Integer(), nullable=True),
        sa.Column("minutes_entry_id", sa.Integer(), nullable=True),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("source_ref", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name=op.f("ck_raid_entry_impact")),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name=op.f("ck_raid_entry_probability")),
        sa.CheckConstraint(
            "residual_impact BETWEEN 1 AND 5", name=op.f("ck_raid_entry_residual_impact")
        ),
        sa.CheckConstraint(
            "residual_probability BETWEEN 1 AND 5", name=op.f("ck_raid_entry_residual_probability")
        ),
        sa.ForeignKeyConstraint(
            ["actionee_id"],
            ["person.id"],
            name=op.f("fk_raid_entry_actionee_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["linked_entry_id"],
            ["raid_entry.id"],
            name=op.f("fk_raid_entry_linked_entry_id_raid_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["minutes_entry_id"],
            ["minutes_entry.id"],
            name=op.f("fk_raid_entry_minutes_entry_id_minutes_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"],
            ["minutes.id"],
            name=op.f("fk_raid_entry_minutes_id_minutes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_raid_entry_owner_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_raid_entry_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["person.id"],
            name=op.f("fk_raid_entry_raised_by_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_raid_entry_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid_entry")),
        sa.UniqueConstraint("minutes_entry_id", name=op.f("uq_raid_entry_minutes_entry_id")),
        sa.UniqueConstraint(
            "project_id", "kind", "number", name=op.f("uq_raid_entry_project_id_kind_number")
        ),
    )
    op.create_index(op.f("ix_raid_entry_owner_id"), "raid_entry", ["owner_id"], unique=False)
    op.create_index(op.f("ix_raid_entry_project_id"), "raid_entry", ["project_id"], unique=False)
    op.create_index(
        "ix_raid_entry_ws_kind_rank", "raid_entry", ["workspace_id", "kind", "rank"], unique=False
    )

    op.create_table(
        "raid_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["action_item.id"],
            name=op.f("fk_raid_action_action_item_id_action_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["raid_entry.id"],
            name=op.f("fk_raid_action_entry_id_raid_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_raid_action_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid_action")),
        sa.UniqueConstraint(
            "entry_id", "action_item_id", name=op.f("uq_raid_action_entry_id_action_item_id")
        ),
    )
    op.create_index(
        op.f("ix_raid_action_action_item_id"), "raid_action", ["action_item_id"], unique=False
    )
    op.create_index(op.f("ix_raid_action_entry_id"), "raid_action", ["entry_id"], unique=False)

    op.create_table(
        "raid_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "risk",
                "assumption",
                "issue",
                "dependency",
                "decision",
                name="raid_proposal_kind",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("rounds", sa.JSON(), nullable=False),
        sa.Column("source_entry_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "offered",
                "logged",
                "dismissed",
                name="raid_proposal_state",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_raid_proposal_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["raid_entry.id"],
            name=op.f("fk_raid_proposal_entry_id_raid_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_raid_proposal_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_entry_id"],
            ["raid_entry.id"],
            name=op.f("fk_raid_proposal_source_entry_id_raid_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_raid_proposal_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid_proposal")),
    )
    op.create_index(
        op.f("ix_raid_proposal_project_id"), "raid_proposal", ["project_id"], unique=False
    )

    op.create_table(
        "raid_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.SmallInteger(), nullable=False),
        sa.Column("impact", sa.SmallInteger(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("residual_probability", sa.SmallInteger(), nullable=True),
        sa.Column("residual_impact", sa.SmallInteger(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["person.id"], name=op.f("fk_raid_score_by_id_person"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["raid_entry.id"],
            name=op.f("fk_raid_score_entry_id_raid_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_raid_score_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid_score")),
    )
    op.create_index(op.f("ix_raid_score_entry_id"), "raid_score", ["entry_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_raid_score_entry_id"), table_name="raid_score")
    op.drop_table("raid_score")
    op.drop_index(op.f("ix_raid_proposal_project_id"), table_name="raid_proposal")
    op.drop_table("raid_proposal")
    op.drop_index(op.f("ix_raid_action_entry_id"), table_name="raid_action")
    op.drop_index(op.f("ix_raid_action_action_item_id"), table_name="raid_action")
    op.drop_table("raid_action")
    op.drop_index("ix_raid_entry_ws_kind_rank", table_name="raid_entry")
    op.drop_index(op.f("ix_raid_entry_project_id"), table_name="raid_entry")
    op.drop_index(op.f("ix_raid_entry_owner_id"), table_name="raid_entry")
    op.drop_table("raid_entry")
