"""questions a composer suggestion answered before they were asked

Revision ID: 0006_answered_before_asking
Revises: 0005_asker_verdicts

"Ya, ini menjawab pertanyaan saya" on a composer suggestion records the member, the earlier thread and the
title they had typed: the forum's measure of questions it did not need to be asked twice.
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_answered_before_asking"
down_revision = "0005_asker_verdicts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answered_before_asking",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("thread_id", sa.Integer(), sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "thread_id", name="uq_answered_before_asking_member_thread"),
    )
    op.create_index("ix_answered_before_asking_thread_id", "answered_before_asking", ["thread_id"])
    op.create_index("ix_answered_before_asking_created", "answered_before_asking", ["created_at"])


def downgrade() -> None:
    op.drop_table("answered_before_asking")
