"""rate-limit events in the database, shared by every web worker

Revision ID: 0004_rate_events
Revises: 0003_stored_tsvector

The limiter counted in each process's memory, so `forum serve --workers 2` allowed twice the logins and
writes per minute, and a restart forgot every failed login.
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_rate_events"
down_revision = "0003_stored_tsvector"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_rate_events_key_at", "rate_events", ["key", "at"])
    op.create_index("ix_rate_events_at", "rate_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_rate_events_at", table_name="rate_events")
    op.drop_index("ix_rate_events_key_at", table_name="rate_events")
    op.drop_table("rate_events")
