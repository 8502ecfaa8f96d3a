"""a thread's reply count leaves hidden replies out

Revision ID: 0015_visible_reply_counts
Revises: 0014_images_as_links

Hiding a reply now takes one off its thread's count and unhiding puts it back (forum/reports.py), as the page
and the API show only the replies members can read. Counts stored before included hidden replies; they are
counted again. Downgrading keeps the counts: the older code only adds to them.
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_visible_reply_counts"
down_revision = "0014_images_as_links"
branch_labels = None
depends_on = None

threads = sa.table("threads", sa.column("id", sa.Integer), sa.column("first_post_id", sa.Integer),
                   sa.column("reply_count", sa.Integer))
posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("thread_id", sa.Integer),
                 sa.column("is_hidden", sa.Boolean))


def upgrade() -> None:
    # Only threads holding a hidden post can be off; one UPDATE over them, the same on SQLite and PostgreSQL.
    visible = (sa.select(sa.func.count()).select_from(posts)
               .where(posts.c.thread_id == threads.c.id, posts.c.id != threads.c.first_post_id,
                      posts.c.is_hidden.is_(sa.false())).scalar_subquery())
    holding_hidden = sa.select(posts.c.thread_id).where(posts.c.is_hidden.is_(sa.true()))
    op.get_bind().execute(threads.update().where(threads.c.id.in_(holding_hidden)).values(reply_count=visible))


def downgrade() -> None:
    pass
