"""big ideas (clusters, their members and audit trail), quotes, demo residents

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_clusters_consultation_id_consultations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
    )
    op.create_index(
        op.f("ix_clusters_consultation_id"), "clusters", ["consultation_id"], unique=False
    )
    op.create_table(
        "cluster_members",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_cluster_members_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_cluster_members_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_cluster_members")),
    )
    op.create_index(
        op.f("ix_cluster_members_cluster_id"), "cluster_members", ["cluster_id"], unique=False
    )
    op.create_table(
        "cluster_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_cluster_events_consultation_id_consultations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_events")),
    )
    op.create_index(
        op.f("ix_cluster_events_consultation_id"),
        "cluster_events",
        ["consultation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cluster_events_cluster_id"), "cluster_events", ["cluster_id"], unique=False
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quoted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("demo")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("quoted")
    op.drop_index(op.f("ix_cluster_events_cluster_id"), table_name="cluster_events")
    op.drop_index(op.f("ix_cluster_events_consultation_id"), table_name="cluster_events")
    op.drop_table("cluster_events")
    op.drop_index(op.f("ix_cluster_members_cluster_id"), table_name="cluster_members")
    op.drop_table("cluster_members")
    op.drop_index(op.f("ix_clusters_consultation_id"), table_name="clusters")
    op.drop_table("clusters")
