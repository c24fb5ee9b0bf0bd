"""direct messages: the outbox for messages to one resident outside a reply

Reminders and a helper's answers go through the same paced sender as broadcasts, so they survive a
restart and respect each channel's limits; a dedupe key makes queueing one idempotent.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "direct_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("created_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_direct_messages_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_direct_messages_dedupe_key")),
    )
    op.create_index("ix_direct_messages_status_due", "direct_messages", ["status", "due_at", "id"])
    op.create_index(op.f("ix_direct_messages_resident_id"), "direct_messages", ["resident_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_direct_messages_resident_id"), table_name="direct_messages")
    op.drop_index("ix_direct_messages_status_due", table_name="direct_messages")
    op.drop_table("direct_messages")
