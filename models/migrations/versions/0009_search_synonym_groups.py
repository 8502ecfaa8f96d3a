"""synonym groups moderators add to the search dictionary

Revision ID: 0009_search_synonym_groups
Revises: 0008_search_log

"tukin" = "tunjangan kinerja": groups typed on /moderasi/sinonim widen query expansion beside the shipped
dictionary and FORUM_SYNONYMS_FILE, in every worker, without a restart or a reindex.
"""
from alembic import op
import sqlalchemy as sa


revision = "0009_search_synonym_groups"
down_revision = "0008_search_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_synonym_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("search_synonym_groups")
