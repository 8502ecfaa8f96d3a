"""a revision of a thread's first post keeps the title it had

Revision ID: 0011_revision_titles
Revises: 0010_unaccept_hidden_answers

The asker (or a moderator) can now correct a thread's title while editing its question; the title before
the edit is kept with the body in the revision, so the history shows what the question was called.
"""
import sqlalchemy as sa
from alembic import op


revision = "0011_revision_titles"
down_revision = "0010_unaccept_hidden_answers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("post_revisions") as batch:
        batch.add_column(sa.Column("title", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("post_revisions") as batch:
        batch.drop_column("title")
