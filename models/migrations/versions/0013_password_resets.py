"""one-time password reset links made by an admin

Revision ID: 0013_password_resets
Revises: 0012_redact_search_log

The forum sends no e-mail, so a member who forgot their password asks an admin, who makes a link valid for a
day and used once; only the link token's SHA-256 hash is stored.
"""
from alembic import op
import sqlalchemy as sa


revision = "0013_password_resets"
down_revision = "0012_redact_search_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"])


def downgrade() -> None:
    op.drop_table("password_resets")
