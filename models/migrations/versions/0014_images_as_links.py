"""posts saved with an <img> are rendered again: an image in a post is now a link

Revision ID: 0014_images_as_links
Revises: 0013_password_resets

Markdown is rendered once, on save (forum/markup.py). Images from other sites now render as links (no reader's
browser calls another site) and the Content-Security-Policy no longer allows them, so posts saved before would
show broken images. Only their HTML changes; their Markdown and plain text stay as they are. This migration
renders with the code installed at upgrade time, on purpose: the point is that old posts look like new ones.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_images_as_links"
down_revision = "0013_password_resets"
branch_labels = None
depends_on = None

posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("body_md", sa.Text), sa.column("body_html", sa.Text))


def upgrade() -> None:
    from forum.markup import render_markdown
    connection = op.get_bind()
    rows = connection.execute(sa.select(posts.c.id, posts.c.body_md).where(posts.c.body_html.like("%<img%")))
    for post_id, body_md in rows.fetchall():
        connection.execute(posts.update().where(posts.c.id == post_id)
                           .values(body_html=render_markdown(body_md).html))


def downgrade() -> None:
    """Nothing to undo: the links render the same images' addresses."""
