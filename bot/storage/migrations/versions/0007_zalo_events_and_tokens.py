"""zalo: webhook events seen (dedupe across restarts) and the Official Account's token pair

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zalo_events",
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.Column("received_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("event_key", name=op.f("pk_zalo_events")),
    )
    op.create_index(op.f("ix_zalo_events_received_at"), "zalo_events", ["received_at"])
    op.create_table(
        "zalo_tokens",
        sa.Column("app_id", sa.String(length=32), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("access_expires_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("rotated_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_zalo_tokens")),
    )


def downgrade() -> None:
    op.drop_table("zalo_tokens")
    op.drop_index(op.f("ix_zalo_events_received_at"), table_name="zalo_events")
    op.drop_table("zalo_events")
