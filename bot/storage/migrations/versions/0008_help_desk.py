"""help desk: residents' questions to their commune's helpers, their conversation, who was told

Also `direct_messages.sent_message_id`: a helper answers by replying to the question message, and the
reply names that message by the channel's id.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC_DATETIME = bot.storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("direct_messages") as batch:
        batch.add_column(sa.Column("sent_message_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_direct_messages_resident_sent", "direct_messages", ["resident_id", "sent_message_id"])
    op.create_table(
        "help_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("asked_at", UTC_DATETIME, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("escalate_at", UTC_DATETIME, nullable=True),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.Column("claimed_by_name", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", UTC_DATETIME, nullable=True),
        sa.Column("answered_at", UTC_DATETIME, nullable=True),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("rating", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_help_questions_resident_id_residents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by"], ["residents.id"], name=op.f("fk_help_questions_claimed_by_residents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_questions")),
    )
    op.create_index(op.f("ix_help_questions_resident_id"), "help_questions", ["resident_id"])
    op.create_index("ix_help_questions_status_escalate", "help_questions", ["status", "escalate_at"])
    op.create_index("ix_help_questions_commune_asked", "help_questions", ["commune_id", "asked_at"])
    op.create_table(
        "help_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_resident", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("media_kind", sa.String(length=16), nullable=True),
        sa.Column("media_id", sa.String(length=255), nullable=True),
        sa.Column("source_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["help_questions.id"],
            name=op.f("fk_help_messages_question_id_help_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["residents.id"], name=op.f("fk_help_messages_author_id_residents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_messages")),
        sa.UniqueConstraint("source_key", name=op.f("uq_help_messages_source_key")),
    )
    op.create_index(op.f("ix_help_messages_question_id"), "help_messages", ["question_id"])
    op.create_table(
        "help_notices",
        sa.Column("direct_message_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["direct_message_id"],
            ["direct_messages.id"],
            name=op.f("fk_help_notices_direct_message_id_direct_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["help_questions.id"],
            name=op.f("fk_help_notices_question_id_help_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["residents.id"], name=op.f("fk_help_notices_recipient_id_residents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("direct_message_id", name=op.f("pk_help_notices")),
    )
    op.create_index(op.f("ix_help_notices_question_id"), "help_notices", ["question_id"])
    op.create_index(op.f("ix_help_notices_recipient_id"), "help_notices", ["recipient_id"])


def downgrade() -> None:
    op.drop_table("help_notices")
    op.drop_table("help_messages")
    op.drop_table("help_questions")
    op.drop_index("ix_direct_messages_resident_sent", table_name="direct_messages")
    with op.batch_alter_table("direct_messages") as batch:
        batch.drop_column("sent_message_id")
