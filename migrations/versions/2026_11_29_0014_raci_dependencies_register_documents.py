"""RACI charts and sign-offs, cross-project dependencies, the project register (budget,
stage gates) and the document register (versions, approvers, reviews)

Revision ID: 0014
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_document_owner_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_document_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_document_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_document_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "stage_gate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "pending",
                "approved",
                "rejected",
                name="gate_state",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("from_phase", sa.String(length=40), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["person.id"],
            name=op.f("fk_stage_gate_approver_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_stage_gate_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_stage_gate_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["person.id"],
            name=op.f("fk_stage_gate_requested_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_stage_gate_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_gate")),
        sa.UniqueConstraint("project_id", "phase", name=op.f("uq_stage_gate_project_id_phase")),
    )
    with op.batch_alter_table("stage_gate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_gate_project_id"), ["project_id"], unique=False)

    op.create_table(
        "deliverable_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("deliverable_id", sa.Integer(), nullable=False),
        sa.Column("accountable_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "signed_off",
                "not_yet",
                name="signoff_state",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accountable_id"],
            ["person.id"],
            name=op.f("fk_deliverable_signoff_accountable_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_deliverable_signoff_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deliverable_id"],
            ["deliverable.id"],
            name=op.f("fk_deliverable_signoff_deliverable_id_deliverable"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["person.id"],
            name=op.f("fk_deliverable_signoff_requested_by_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_deliverable_signoff_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliverable_signoff")),
    )
    with op.batch_alter_table("deliverable_signoff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliverable_signoff_deliverable_id"), ["deliverable_id"], unique=False
        )
        batch_op.create_index(
            "uq_deliverable_signoff_pending",
            ["deliverable_id"],
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )

    op.create_table(
        "dependency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("downstream_project_id", sa.Integer(), nullable=False),
        sa.Column("upstream_project_id", sa.Integer(), nullable=False),
        sa.Column("upstream_deliverable_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "proposed",
                "accepted",
                "declined",
                name="dependency_state",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column(
            "awaiting",
            sa.Enum(
                "upstream",
                "downstream",
                name="dependency_side",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=True,
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("risk_keys", sa.String(length=200), nullable=True),
        sa.Column("risk", sa.Text(), nullable=True),
        sa.Column("risk_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["person.id"],
            name=op.f("fk_dependency_asked_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_dependency_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["downstream_project_id"],
            ["project.id"],
            name=op.f("fk_dependency_downstream_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upstream_deliverable_id"],
            ["deliverable.id"],
            name=op.f("fk_dependency_upstream_deliverable_id_deliverable"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["upstream_project_id"],
            ["project.id"],
            name=op.f("fk_dependency_upstream_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_dependency_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dependency")),
    )
    with op.batch_alter_table("dependency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dependency_downstream_project_id"),
            ["downstream_project_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_dependency_upstream_deliverable_id"),
            ["upstream_deliverable_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_dependency_upstream_project_id"), ["upstream_project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dependency_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "document_approver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_approver_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_document_approver_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_approver")),
        sa.UniqueConstraint(
            "document_id", "person_id", name=op.f("uq_document_approver_document_id_person_id")
        ),
    )
    with op.batch_alter_table("document_approver", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_approver_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "in_review",
                "approved",
                "superseded",
                name="version_state",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
            name=op.f("fk_document_version_created_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_version_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_document_version_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_version")),
        sa.UniqueConstraint(
            "document_id", "number", name=op.f("uq_document_version_document_id_number")
        ),
    )
    with op.batch_alter_table("document_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_version_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "raci_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("deliverable_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "letter",
            sa.Enum(
                "R",
                "A",
                "C",
                "I",
                name="raci_letter",
                native_enum=False,
                create_constraint=True,
                length=5,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deliverable_id"],
            ["deliverable.id"],
            name=op.f("fk_raci_assignment_deliverable_id_deliverable"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_raci_assignment_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_raci_assignment_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_raci_assignment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raci_assignment")),
    )
    with op.batch_alter_table("raci_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_raci_assignment_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_raci_assignment_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            "uq_raci_assignment_default",
            ["project_id", "person_id", "letter"],
            unique=True,
            sqlite_where=sa.text("deliverable_id IS NULL"),
            postgresql_where=sa.text("deliverable_id IS NULL"),
        )
        batch_op.create_index(
            "uq_raci_assignment_deliverable",
            ["deliverable_id", "person_id", "letter"],
            unique=True,
            sqlite_where=sa.text("deliverable_id IS NOT NULL"),
            postgresql_where=sa.text("deliverable_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_raci_assignment_one_accountable",
            ["deliverable_id"],
            unique=True,
            sqlite_where=sa.text("letter = 'A' AND deliverable_id IS NOT NULL"),
            postgresql_where=sa.text("letter = 'A' AND deliverable_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_raci_assignment_one_default_accountable",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text("letter = 'A' AND deliverable_id IS NULL"),
            postgresql_where=sa.text("letter = 'A' AND deliverable_id IS NULL"),
        )

    op.create_table(
        "document_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "pending",
                "approved",
                "changes_requested",
                name="review_decision",
                native_enum=False,
                create_constraint=True,
                length=21,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["person.id"],
            name=op.f("fk_document_review_approver_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_version.id"],
            name=op.f("fk_document_review_version_id_document_version"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_document_review_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_review")),
        sa.UniqueConstraint(
            "version_id", "approver_id", name=op.f("uq_document_review_version_id_approver_id")
        ),
    )
    with op.batch_alter_table("document_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_review_approver_id"), ["approver_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_document_review_version_id"), ["version_id"], unique=False
        )

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_planned", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("budget_actual", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("currency")
        batch_op.drop_column("budget_actual")
        batch_op.drop_column("budget_planned")

    with op.batch_alter_table("document_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_review_version_id"))
        batch_op.drop_index(batch_op.f("ix_document_review_approver_id"))

    op.drop_table("document_review")
    with op.batch_alter_table("raci_assignment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_raci_assignment_one_default_accountable",
            sqlite_where=sa.text("letter = 'A' AND deliverable_id IS NULL"),
            postgresql_where=sa.text("letter = 'A' AND deliverable_id IS NULL"),
        )
        batch_op.drop_index(
            "uq_raci_assignment_one_accountable",
            sqlite_where=sa.text("letter = 'A' AND deliverable_id IS NOT NULL"),
            postgresql_where=sa.text("letter = 'A' AND deliverable_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_raci_assignment_deliverable",
            sqlite_where=sa.text("deliverable_id IS NOT NULL"),
            postgresql_where=sa.text("deliverable_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_raci_assignment_default",
            sqlite_where=sa.text("deliverable_id IS NULL"),
            postgresql_where=sa.text("deliverable_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_raci_assignment_project_id"))
        batch_op.drop_index(batch_op.f("ix_raci_assignment_person_id"))

    op.drop_table("raci_assignment")
    with op.batch_alter_table("document_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_version_document_id"))

    op.drop_table("document_version")
    with op.batch_alter_table("document_approver", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_approver_document_id"))

    op.drop_table("document_approver")
    with op.batch_alter_table("dependency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dependency_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_dependency_upstream_project_id"))
        batch_op.drop_index(batch_op.f("ix_dependency_upstream_deliverable_id"))
        batch_op.drop_index(batch_op.f("ix_dependency_downstream_project_id"))

    op.drop_table("dependency")
    with op.batch_alter_table("deliverable_signoff", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deliverable_signoff_pending",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_deliverable_signoff_deliverable_id"))

    op.drop_table("deliverable_signoff")
    with op.batch_alter_table("stage_gate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_gate_project_id"))

    op.drop_table("stage_gate")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_document_project_id"))

    op.drop_table("document")
