"""job runs: periodic jobs run once per period

The Monday report lived only in the job queue's memory: a bot that was down at 07:30 skipped that
week. This table records the weeks reported, so the report is caught up after a restart and still
goes once, even with two bot processes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 06:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("ran_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "period", name=op.f("pk_job_runs")),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
