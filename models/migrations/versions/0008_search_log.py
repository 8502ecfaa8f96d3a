"""searches typed on /cari, for the moderators' "found nothing" and "searched, then asked" lists

Revision ID: 0008_search_log
Revises: 0007_thread_post_keys

Each first-page search stores its normalised query and result count; the member id only links a search to
the thread that member posted next (set to NULL when the account goes).
"""
from alembic import op
import sqlalchemy as sa


revision = "0008_search_log"
down_revision = "0007_thread_post_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("query", sa.String(200), nullable=False),
        sa.Column("results", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_search_log_user_created", "search_log", ["user_id", "created_at"])
    op.create_index("ix_search_log_created_at", "search_log", ["created_at"])


def downgrade() -> None:
    op.drop_table("search_log")
