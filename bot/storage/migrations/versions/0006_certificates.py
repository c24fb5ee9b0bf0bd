"""certificates: a record per pass with a code anyone can check, and its revocation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("issued_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=200), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_certificates_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("resident_id", "module_id", name="uq_certificates_resident_module"),
    )
    op.create_index(op.f("ix_certificates_resident_id"), "certificates", ["resident_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_certificates_resident_id"), table_name="certificates")
    op.drop_table("certificates")
