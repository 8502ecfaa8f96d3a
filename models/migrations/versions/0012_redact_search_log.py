"""searches already logged lose the identity numbers, phone numbers and e-mail addresses typed into them

Revision ID: 0012_redact_search_log
Revises: 0011_revision_titles

Every moderator reads the search-gap lists; from now on forum/search_log.py redacts NIP, NIK, phone numbers and
e-mail addresses before a search is stored. This migration does the same to the rows stored before. The
patterns are copied here on purpose: a migration must keep doing what it did when it was written.
"""
import re

import sqlalchemy as sa
from alembic import op


revision = "0012_redact_search_log"
down_revision = "0011_revision_titles"
branch_labels = None
depends_on = None

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
LONG_NUMBER = re.compile(r"\+?\d(?:[ .-]?\d){9,}")
search_log = sa.table("search_log", sa.column("id", sa.Integer), sa.column("query", sa.String))


def upgrade() -> None:
    connection = op.get_bind()
    # Only rows holding a digit run or an "@" can change; the rest are not read into Python.
    rows = connection.execute(sa.select(search_log.c.id, search_log.c.query).where(sa.or_(
        search_log.c.query.like("%@%"), *(search_log.c.query.like(f"%{d}%") for d in "0123456789"))))
    for row_id, query in rows.fetchall():
        redacted = LONG_NUMBER.sub("[angka]", EMAIL.sub("[email]", query))
        if redacted != query:
            connection.execute(search_log.update().where(search_log.c.id == row_id).values(query=redacted))


def downgrade() -> None:
    """Nothing to undo: the redacted numbers are gone on purpose."""
