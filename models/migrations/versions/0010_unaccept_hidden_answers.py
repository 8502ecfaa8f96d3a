"""a hidden post is no thread's accepted answer

Revision ID: 0010_unaccept_hidden_answers
Revises: 0009_search_synonym_groups

Hiding an accepted answer now leaves its thread unanswered (and unhiding restores it). Threads whose accepted
answer was hidden before this change still showed "terjawab"; they are set straight here. Their acceptance is
not restored by a later unhide (the hide left no note of it); the asker can accept the answer again.
"""
from alembic import op


revision = "0010_unaccept_hidden_answers"
down_revision = "0009_search_synonym_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE threads SET accepted_post_id = NULL WHERE accepted_post_id IN "
               "(SELECT id FROM posts WHERE is_hidden OR is_deleted)")


def downgrade() -> None:
    pass  # which hidden answers were accepted is not recorded: nothing to put back
