"""indexes for the reminder due scan: who got a broadcast or a direct message lately, found by time

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The scan asks "who was sent something in the last 23 hours" once per run (bot/reminders/scan.py);
    # deliveries grow by a district with every broadcast, so that must be a range, not a table scan.
    op.create_index("ix_deliveries_sent_at", "deliveries", ["sent_at"])
    op.create_index("ix_direct_messages_sent_at", "direct_messages", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_direct_messages_sent_at", table_name="direct_messages")
    op.drop_index("ix_deliveries_sent_at", table_name="deliveries")
