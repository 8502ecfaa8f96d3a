"""the thread → post foreign keys on PostgreSQL

Revision ID: 0007_thread_post_keys
Revises: 0006_answered_before_asking

0001 declared threads.first_post_id and threads.accepted_post_id as foreign keys to posts with
use_alter=True (threads and posts point at each other). SQLite writes them into CREATE TABLE, but Alembic's
create_table leaves use_alter constraints to a later ALTER that 0001 never issued, so PostgreSQL databases
had no such keys. Found by the schema-drift test (tests/models/test_migrations.py).
"""
from alembic import op
import sqlalchemy as sa


revision = "0007_thread_post_keys"
down_revision = "0006_answered_before_asking"
branch_labels = None
depends_on = None

KEYS = (("fk_threads_first_post_id_posts", "first_post_id"), ("fk_threads_accepted_post_id_posts", "accepted_post_id"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    present = {fk["name"] for fk in sa.inspect(bind).get_foreign_keys("threads")}
    for name, column in KEYS:
        if name in present:
            continue
        # Posts are never deleted (only marked), so nothing should dangle; clear it rather than fail if it does.
        op.execute(f"UPDATE threads SET {column} = NULL WHERE {column} IS NOT NULL "
                   f"AND NOT EXISTS (SELECT 1 FROM posts WHERE posts.id = threads.{column})")
        op.create_foreign_key(name, "threads", "posts", [column], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _ in KEYS:
            op.drop_constraint(name, "threads", type_="foreignkey")
