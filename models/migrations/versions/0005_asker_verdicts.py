"""the asker's own verdict on a candidate duplicate link

Revision ID: 0005_asker_verdicts
Revises: 0004_rate_events

The member who asked the newer thread can say the earlier one answers their question ("answered") or that
their question is a different one ("different"): the thread page and the moderators' queue use it, and the
judge can be retrained on it.
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_asker_verdicts"
down_revision = "0004_rate_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("duplicate_links", sa.Column("asker_verdict", sa.String(20), nullable=True))
    op.add_column("duplicate_links", sa.Column("asker_verdict_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("duplicate_links") as batch:
        batch.drop_column("asker_verdict_at")
        batch.drop_column("asker_verdict")
