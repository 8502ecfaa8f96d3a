"""PostgreSQL: store each search document's tsvector instead of recomputing it for every matching row

Revision ID: 0003_stored_tsvector
Revises: 0002_search

With only an expression index, ts_rank_cd and the index recheck ran to_tsvector('indonesian', stems)
(the Snowball stemmer over the whole text) on every row a query matched. A stored generated column keeps
the same lexemes, computed once when the row is written; the GIN index moves onto it. SQLite: no change.
"""
from alembic import op


revision = "0003_stored_tsvector"
down_revision = "0002_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_documents ADD COLUMN stems_tsv tsvector "
               "GENERATED ALWAYS AS (to_tsvector('indonesian', stems)) STORED")
    op.execute("CREATE INDEX ix_search_documents_stems_tsv ON search_documents USING gin (stems_tsv)")
    op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (to_tsvector('indonesian', stems))")
    op.execute("DROP INDEX IF EXISTS ix_search_documents_stems_tsv")
    op.execute("ALTER TABLE search_documents DROP COLUMN stems_tsv")
