"""WhatsApp: customer-service windows, Content API resources; recordings kept at Twilio

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_whatsapp_windows",
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_bot_whatsapp_windows")),
    )
    op.create_table(
        "bot_whatsapp_contents",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_bot_whatsapp_contents")),
    )
    op.create_table(
        "bot_recordings",
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column(
            "kept_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_bot_recordings")),
    )
    op.create_index(op.f("ix_bot_recordings_ref"), "bot_recordings", ["ref"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_bot_recordings_ref"), table_name="bot_recordings")
    op.drop_table("bot_recordings")
    op.drop_table("bot_whatsapp_contents")
    op.drop_table("bot_whatsapp_windows")
