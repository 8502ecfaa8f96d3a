"""searches logged and composer wordings kept before lose the identity and phone numbers and e-mail addresses

Revision ID: 0012_redact_search_log
Revises: 0011_revision_titles

Moderators read the search-gap lists and the wordings of questions answered before asking; from now on
forum/text.redact_personal_data takes NIP, NIK, phone numbers and e-mail addresses out of both before they are
stored. This migration does the same to the rows stored before. The
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
TYPED_TEXT = [sa.table("search_log", sa.column("id", sa.Integer), sa.column("query", sa.String)),
              sa.table("answered_before_asking", sa.column("id", sa.Integer), sa.column("question", sa.String))]


def upgrade() -> None:
    connection = op.get_bind()
    for table in TYPED_TEXT:
        row_id, text = table.columns
        # Only rows holding a digit or an "@" can change; the rest are not read into Python.
        rows = connection.execute(sa.select(row_id, text).where(sa.or_(
            text.like("%@%"), *(text.like(f"%{digit}%") for digit in "0123456789"))))
        for key, typed in rows.fetchall():
            redacted = LONG_NUMBER.sub("[angka]", EMAIL.sub("[email]", typed))
            if redacted != typed:
                connection.execute(table.update().where(row_id == key).values({text.name: redacted}))


def downgrade() -> None:
    """Nothing to undo: the redacted numbers are gone on purpose."""
