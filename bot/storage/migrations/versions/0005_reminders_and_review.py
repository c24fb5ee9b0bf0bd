"""reminders and spaced review: the reminders ledger, the review deck and its answers, the setting

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("reminders", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_index("ix_deliveries_resident_sent", "deliveries", ["resident_id", "sent_at"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("slot_key", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_reminders_resident_id_residents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("slot_key", name=op.f("uq_reminders_slot_key")),
    )
    op.create_index("ix_reminders_resident_created", "reminders", ["resident_id", "created_at"])
    op.create_index(op.f("ix_reminders_created_at"), "reminders", ["created_at"])
    op.create_table(
        "review_cards",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("box", sa.Integer(), nullable=False),
        sa.Column("due_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("added_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_review_cards_resident_id_residents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("resident_id", "module_id", "question_id", name=op.f("pk_review_cards")),
    )
    op.create_index("ix_review_cards_resident_due", "review_cards", ["resident_id", "due_at"])
    op.create_table(
        "review_answers",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("box", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_review_answers_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resident_id", "module_id", "question_id", "round", name=op.f("pk_review_answers")),
    )
    op.create_index("ix_review_answers_module_box", "review_answers", ["module_id", "box", "correct"])


def downgrade() -> None:
    op.drop_index("ix_review_answers_module_box", table_name="review_answers")
    op.drop_table("review_answers")
    op.drop_index("ix_review_cards_resident_due", table_name="review_cards")
    op.drop_table("review_cards")
    op.drop_index(op.f("ix_reminders_created_at"), table_name="reminders")
    op.drop_index("ix_reminders_resident_created", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_deliveries_resident_sent", table_name="deliveries")
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("reminders")
