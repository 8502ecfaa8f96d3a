"""The migrated schema is the schema the models describe, on SQLite and PostgreSQL alike."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models import Base

# Made by raw SQL in the migrations, on purpose outside the models: SQLite's FTS5 table (and its shadow
# tables) and PostgreSQL's generated tsvector column with its GIN index.
RAW_SQL_SEARCH_OBJECTS = {"search_fts", "stems_tsv", "ix_search_documents_stems_tsv"}


def _outside_the_models(obj, name, type_, reflected, compare_to) -> bool:
    return not (name in RAW_SQL_SEARCH_OBJECTS or (type_ == "table" and str(name).startswith("search_fts_")))


def test_the_migrations_build_exactly_the_tables_columns_indexes_and_keys_the_models_declare(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _outside_the_models})
        drift = compare_metadata(context, Base.metadata)
    assert drift == [], "\n".join(map(str, drift))
