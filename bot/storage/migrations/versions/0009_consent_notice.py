"""residents.consent_notice: which privacy notice (language and digest of its text) a resident agreed to

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing residents agreed before versions were recorded: NULL says exactly that.
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("consent_notice", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("consent_notice")
