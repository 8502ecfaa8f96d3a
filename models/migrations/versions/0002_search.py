"""search documents, lexical index, stored vectors, embedding cache, index events

Revision ID: 0002_search
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_search"
down_revision = "0001_core"
branch_labels = None
depends_on = None

# SQLite: an external-content FTS5 table over search_documents.stems, kept in sync by triggers,
# so the Python side writes only the plain table on both databases.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(stems, content='search_documents', content_rowid='doc_id')",
    """CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
         INSERT INTO search_fts(rowid, stems) VALUES (new.doc_id, new.stems); END""",
    """CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
         INSERT INTO search_fts(search_fts, rowid, stems) VALUES ('delete', old.doc_id, old.stems); END""",
    """CREATE TRIGGER search_documents_au AFTER UPDATE OF stems ON search_documents BEGIN
         INSERT INTO search_fts(search_fts, rowid, stems) VALUES ('delete', old.doc_id, old.stems);
         INSERT INTO search_fts(rowid, stems) VALUES (new.doc_id, new.stems); END""",
    # Document frequency per stem: lexical.py leaves out stems most documents contain (cheap and uninformative).
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
]
# PostgreSQL: a GIN expression index with the built-in `indonesian` configuration; lexical.py queries
# the very same expression so the planner uses it.
PG_FTS = ["CREATE INDEX ix_search_documents_tsv ON search_documents "
          "USING gin (to_tsvector('indonesian', stems))"]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("doc_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_search_documents")),
    )
    op.create_index(op.f("ix_search_documents_group_id"), "search_documents", ["group_id"])
    op.create_table(
        "search_vectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("passage_no", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_vectors")),
        sa.UniqueConstraint("doc_id", "model_id", "passage_no", name="uq_search_vectors_passage"),
    )
    op.create_index(op.f("ix_search_vectors_doc_id"), "search_vectors", ["doc_id"])
    op.create_index("ix_search_vectors_model", "search_vectors", ["model_id", "id"])
    op.create_table(
        "embedding_cache",
        sa.Column("model_id", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "text_hash", name=op.f("pk_embedding_cache")),
    )
    op.create_table(
        "search_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_events")),
    )
    op.create_index(op.f("ix_search_events_doc_id"), "search_events", ["doc_id"])
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else PG_FTS if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("search_documents_au", "search_documents_ad", "search_documents_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts_vocab")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
    op.drop_table("search_events")
    op.drop_table("embedding_cache")
    op.drop_index("ix_search_vectors_model", table_name="search_vectors")
    op.drop_index(op.f("ix_search_vectors_doc_id"), table_name="search_vectors")
    op.drop_table("search_vectors")
    op.drop_index(op.f("ix_search_documents_group_id"), table_name="search_documents")
    op.drop_table("search_documents")
