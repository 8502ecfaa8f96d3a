"""Lexical search in the database: FTS5 bm25() over stems (SQLite), ts_rank_cd with `indonesian` (PostgreSQL)."""
import re

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from search.text import lexical_terms

SQL_FILTER_MAX = 20_000  # larger group filters are applied in Python after a wider fetch
_SAFE = re.compile(r"^[0-9a-z]+$")


def query_terms(query: str) -> list[str]:
    """The stems (plus synonym/acronym expansions) OR-ed together in a lexical query."""
    return [t for t in lexical_terms(query) if _SAFE.match(t)][:64]


def search_lexical(session: Session, query: str, *, limit: int = 100,
                   groups: set[int] | None = None) -> list[tuple[int, int, float]]:
    """Best documents for `query` as (doc_id, group_id, score), higher is better; optionally within `groups`."""
    terms = query_terms(query)
    if not terms or (groups is not None and not groups):
        return []
    in_sql = groups is not None and len(groups) <= SQL_FILTER_MAX
    fetch = limit if groups is None or in_sql else limit * 5
    if session.get_bind().dialect.name == "postgresql":
        rows = _postgres(session, terms, fetch, groups if in_sql else None)
    else:
        rows = _sqlite(session, terms, fetch, groups if in_sql else None)
    if groups is not None and not in_sql:
        rows = [r for r in rows if r[1] in groups]
    return rows[:limit]


def _sqlite(session, terms, limit, groups):
    match = " OR ".join(f'"{t}"' for t in terms)
    where = "AND d.group_id IN :groups" if groups is not None else ""
    # bm25() is lower-is-better; negate so every signal grows with relevance.
    stmt = text(f"""SELECT d.doc_id, d.group_id, -bm25(search_fts) AS score
                    FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid
                    WHERE search_fts MATCH :match {where}
                    ORDER BY bm25(search_fts) LIMIT :limit""")
    params = {"match": match, "limit": limit}
    if groups is not None:
        stmt = stmt.bindparams(bindparam("groups", expanding=True))
        params["groups"] = list(groups)
    return [(int(d), int(g), float(s)) for d, g, s in session.execute(stmt, params)]


def _postgres(session, terms, limit, groups):
    where = "AND d.group_id = ANY(:groups)" if groups is not None else ""
    # Same expression as the GIN index in migration 0002 so the planner uses it.
    stmt = text(f"""SELECT d.doc_id, d.group_id,
                           ts_rank_cd(to_tsvector('indonesian', d.stems), q, 1) AS score
                    FROM search_documents d, to_tsquery('indonesian', :query) q
                    WHERE to_tsvector('indonesian', d.stems) @@ q {where}
                    ORDER BY score DESC LIMIT :limit""")
    params = {"query": " | ".join(terms), "limit": limit}
    if groups is not None:
        params["groups"] = list(groups)
    return [(int(d), int(g), float(s)) for d, g, s in session.execute(stmt, params)]
