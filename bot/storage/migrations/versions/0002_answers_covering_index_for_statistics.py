"""answers covering index for statistics

The statistics read every answer once, grouped by question and choice; this index holds all the
columns they need, so the pass never touches the table (1.4 s -> 0.2 s at 750,000 answers on SQLite).
It starts with (module_id, question_id), so the narrower index it replaces is no longer needed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 04:51:53.878155
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answers_module_question"))
        batch_op.create_index(
            "ix_answers_question_choice",
            ["module_id", "question_id", "chosen", "correct", "attempt", "resident_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_question_choice")
        batch_op.create_index(batch_op.f("ix_answers_module_question"), ["module_id", "question_id"], unique=False)
