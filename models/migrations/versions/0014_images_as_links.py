"""posts saved with an <img> are rendered again: an image in a post is now a link

Revision ID: 0014_images_as_links
Revises: 0013_password_resets

Markdown is rendered once, on save (forum/markup.py). Images from other sites now render as links (no reader's
browser calls another site) and the Content-Security-Policy no longer allows them, so posts saved before would
show broken images. Only their HTML changes; their Markdown and plain text stay as they are. The stored HTML
came out of nh3, so its <img> tags have double-quoted attributes; each becomes the link forum/markup.py now
renders (kept here, not imported: models/ never imports the forum layer, and a migration must stay as written).
"""
import html
import re

import sqlalchemy as sa
from alembic import op

revision = "0014_images_as_links"
down_revision = "0013_password_resets"
branch_labels = None
depends_on = None

posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("body_html", sa.Text))


IMG = re.compile(r"<img\b([^>]*)/?>")
ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')


def _as_link(match: re.Match) -> str:
    attributes = dict(ATTRIBUTE.findall(match.group(1)))
    alt = html.unescape(attributes.get("alt", "")) or "gambar"
    return f'<a href="{attributes.get("src", "")}" rel="nofollow ugc noopener">🖼 {html.escape(alt)}</a>'


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(posts.c.id, posts.c.body_html).where(posts.c.body_html.like("%<img%")))
    for post_id, body_html in rows.fetchall():
        connection.execute(posts.update().where(posts.c.id == post_id).values(body_html=IMG.sub(_as_link, body_html)))


def downgrade() -> None:
    """Nothing to undo: the links render the same images' addresses."""
