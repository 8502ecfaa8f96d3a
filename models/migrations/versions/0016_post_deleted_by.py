"""a deleted reply remembers who deleted it and when

Revision ID: 0016_post_deleted_by
Revises: 0015_visible_reply_counts

A deleted reply can now be restored: by its author when they deleted it themselves, by a moderator always
(forum/post_deletion.py). Replies deleted before this revision are attributed from the moderation log, which
records every deletion by someone other than the author; the others were deleted by their author.

Reply counts are now counted from the posts after each change (forum/reply_counts.py); a merge used to count
replies deleted before it, so the threads holding a deleted reply are counted again.
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_post_deleted_by"
down_revision = "0015_visible_reply_counts"
branch_labels = None
depends_on = None

posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("author_id", sa.Integer),
                 sa.column("thread_id", sa.Integer), sa.column("is_hidden", sa.Boolean),
                 sa.column("is_deleted", sa.Boolean), sa.column("deleted_by_id", sa.Integer),
                 sa.column("deleted_at", sa.DateTime))
threads = sa.table("threads", sa.column("id", sa.Integer), sa.column("first_post_id", sa.Integer),
                   sa.column("reply_count", sa.Integer))
log = sa.table("moderation_log", sa.column("id", sa.Integer), sa.column("actor_id", sa.Integer),
               sa.column("action", sa.String), sa.column("post_id", sa.Integer),
               sa.column("created_at", sa.DateTime))


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("deleted_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key("fk_posts_deleted_by_id_users", "users", ["deleted_by_id"], ["id"])
    bind = op.get_bind()
    # Deleted replies are few: a row at a time keeps the statement plain on both databases.
    last_deletion = {row.post_id: row for row in bind.execute(
        sa.select(log.c.post_id, log.c.actor_id, log.c.created_at).where(log.c.action == "delete_post")
        .order_by(log.c.id))}  # later entries overwrite earlier ones: the last deletion wins
    for post_id, author_id in bind.execute(sa.select(posts.c.id, posts.c.author_id)
                                           .where(posts.c.is_deleted.is_(sa.true()))).all():
        entry = last_deletion.get(post_id)
        bind.execute(posts.update().where(posts.c.id == post_id).values(
            deleted_by_id=entry.actor_id if entry else author_id, deleted_at=entry.created_at if entry else None))
    readable = (sa.select(sa.func.count()).select_from(posts)
                .where(posts.c.thread_id == threads.c.id, posts.c.id != threads.c.first_post_id,
                       posts.c.is_hidden.is_(sa.false()), posts.c.is_deleted.is_(sa.false())).scalar_subquery())
    holding_deleted = sa.select(posts.c.thread_id).where(posts.c.is_deleted.is_(sa.true()))
    bind.execute(threads.update().where(threads.c.id.in_(holding_deleted)).values(reply_count=readable))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_constraint("fk_posts_deleted_by_id_users", type_="foreignkey")
        batch.drop_column("deleted_at")
        batch.drop_column("deleted_by_id")
