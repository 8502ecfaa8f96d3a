"""Lexical search in the database: FTS5 bm25() over stems (SQLite), ts_rank_cd with `indonesian` (PostgreSQL).

Both drop stems too common to carry ranking signal before matching (_prune_common)."""
import re
import time
from functools import lru_cache

from sqlalchemy import bindparam, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.id_list import pg_array_literal
from search.lexeme_stats import RARE, estimated_frequencies
from search.text import lexical_terms, synonyms_version

SQL_FILTER_MAX = 20_000  # larger group filters are applied in Python after a wider fetch
WIDE_FETCH = 5  # how many times more rows that wider fetch asks for
COMMON_SHARE = 0.10     # a stem in more than this share of documents adds cost, not ranking signal...
COMMON_MAX_DOCS = 5_000  # ...nor one in more documents than this, on big forums
COMMON_MIN_DOCS = 200   # small forums: never prune
SAFE_TERM = re.compile(r"^[0-9a-z]+$")


def query_terms(query: str) -> list[str]:
    """The stems (plus synonym/acronym expansions) OR-ed together in a lexical query."""
    return list(_query_terms(query, synonyms_version()))


@lru_cache(maxsize=2048)
def _query_terms(query: str, _synonyms: int) -> tuple[str, ...]:
    # Search and the composer ask for the same text in a row; expansion scans every synonym group.
    return tuple([t for t in lexical_terms(query) if SAFE_TERM.match(t)][:64])


def search_lexical(session: Session, query: str, *, limit: int = 100,
                   groups: set[int] | None = None) -> list[tuple[int, int, float]]:
    """Best documents for `query` as (doc_id, group_id, score), higher is better; optionally within `groups`."""
    terms = query_terms(query)
    if not terms or (groups is not None and not groups):
        return []
    in_sql = groups is not None and len(groups) <= SQL_FILTER_MAX
    fetch = limit if groups is None or in_sql else limit * WIDE_FETCH
    if session.get_bind().dialect.name == "postgresql":
        rows = _postgres(session, terms, fetch, groups if in_sql else None)
    else:
        rows = _sqlite(session, terms, fetch, groups if in_sql else None)
    if groups is not None and not in_sql:
        rows = [r for r in rows if r[1] in groups]
    return rows[:limit]


_DF: dict[tuple[str, str], tuple[int, float]] = {}  # (database, stem) -> (documents with it, capped; when counted)
DF_TTL_SECONDS = 600.0
# Pruning only asks "in more than `limit` documents?" and `limit` never exceeds this, so counting stops here.
DF_CAP = max(COMMON_MAX_DOCS, COMMON_MIN_DOCS) + 1
COUNT_CHUNK = 400


def _document_frequencies(session, terms: list[str]) -> dict[str, int]:
    """Documents per stem, capped at DF_CAP. Counting a stem's postings only up to the cap keeps a common
    stem as cheap as a rare one (fts5vocab walks the whole doclist: ~15 ms a stem at a million posts);
    counts are still kept for a while: they move slowly and only steer which stems are worth OR-ing."""
    now = time.monotonic()
    # Keyed by database too: one process may search several forums (tests, evaluation runs).
    where = str(session.get_bind().url)
    # A zero is asked again every time: an absent stem costs one index probe, and a post may have just added it
    # (a cached zero would hide a new thread's only rare word from lexical search for ten minutes).
    missing = [t for t in terms if (where, t) not in _DF or not _DF[(where, t)][0]
               or now - _DF[(where, t)][1] > DF_TTL_SECONDS]
    if missing:
        found = capped_counts(session, missing, DF_CAP)
        if len(_DF) > 100_000:
            _DF.clear()
        _DF.update({(where, t): (int(found.get(t, 0)), now) for t in missing})
    return {t: _DF[(where, t)][0] for t in terms}


def capped_counts(session, terms: list[str], cap: int) -> dict[str, int]:
    """Documents holding each stem, counted up to `cap` (uncached; 0 when none holds it)."""
    found: dict[str, int] = {}
    if session.get_bind().dialect.name == "postgresql":
        # The GIN index on the stored tsvector (migration 0003) answers each capped count.
        match = "SELECT 1 FROM search_documents WHERE stems_tsv @@ to_tsquery('indonesian', :m{i})"
        quote = str
    else:
        match = "SELECT 1 FROM search_fts WHERE search_fts MATCH :m{i}"
        quote = '"{}"'.format
    # SQLite refuses a compound SELECT of more than 500 parts.
    for start in range(0, len(terms), COUNT_CHUNK):
        chunk = terms[start:start + COUNT_CHUNK]
        counts = " UNION ALL ".join(
            f"SELECT {i}, (SELECT count(*) FROM ({match.format(i=i)} LIMIT :cap) AS m{i})" for i in range(len(chunk)))
        params = {f"m{i}": quote(t) for i, t in enumerate(chunk)}
        found.update({chunk[i]: int(n) for i, n in session.execute(text(counts), {**params, "cap": cap})})
    return found


def document_frequencies(session, terms: list[str]) -> dict[str, int]:
    """Documents holding each stem, capped at DF_CAP; 0 means no document holds it."""
    df = estimated_frequencies(session, terms, DF_CAP) if session.get_bind().dialect.name == "postgresql" else None
    if df is None:
        return _document_frequencies(session, terms)
    # The statistics list common stems only: a rarer one is RARE whether one document holds it or none. Whether
    # any does is one GIN probe each (counting them could read thousands of rows).
    rare = [t for t, n in df.items() if n == RARE]
    held = capped_counts(session, rare, 1) if rare else {}
    return {**df, **{t: RARE if held.get(t) else 0 for t in rare}}


def document_total(session) -> int:
    """About how many documents the lexical index holds (ids are never reused, so the largest id bounds it)."""
    return session.execute(text("SELECT max(doc_id) FROM search_documents")).scalar() or 0


def _prune_common(session, terms: list[str]) -> list[str]:
    """Drop stems too common to matter: OR-ing them makes FTS5 score most of the forum for every query."""
    counted = frequencies_and_limit(session, terms)
    if counted is None:  # no FTS5 table to count in: OR every stem
        return terms
    df, limit = counted
    # When every stem is that common the dense side carries the query alone.
    return [t for t in terms if 0 < df.get(t, 0) <= limit]


def frequencies_and_limit(session, terms: list[str]) -> tuple[dict[str, int], float] | None:
    """Documents holding each stem, and the count above which a stem is too common to rank (None: no index)."""
    try:
        df = None
        if session.get_bind().dialect.name == "postgresql":
            df = estimated_frequencies(session, terms, DF_CAP)
        if df is None:
            df = _document_frequencies(session, terms)
        total = document_total(session)
    except OperationalError:
        return None
    return df, max(min(COMMON_SHARE * total, COMMON_MAX_DOCS), COMMON_MIN_DOCS)


def _sqlite(session, terms, limit, groups):
    terms = _prune_common(session, terms)
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    # bm25() is lower-is-better; negate so every signal grows with relevance.
    if groups is None:
        # Rank inside FTS5 first and join only the top rows to their groups.
        stmt = text("""SELECT d.doc_id, d.group_id, -f.score FROM
                         (SELECT rowid, bm25(search_fts) AS score FROM search_fts WHERE search_fts MATCH :match
                          ORDER BY score LIMIT :limit) AS f
                       JOIN search_documents d ON d.doc_id = f.rowid ORDER BY f.score""")
    else:
        stmt = text("""SELECT d.doc_id, d.group_id, -bm25(search_fts) AS score
                       FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid
                       WHERE search_fts MATCH :match AND d.group_id IN :groups
                       ORDER BY bm25(search_fts) LIMIT :limit""")
    params = {"match": match, "limit": limit}
    if groups is not None:
        stmt = stmt.bindparams(bindparam("groups", expanding=True))
        params["groups"] = list(groups)
    return [(int(d), int(g), float(s)) for d, g, s in session.execute(stmt, params)]


def _postgres(session, terms, limit, groups):
    # ts_rank_cd reads every matching row's tsvector: a stem in 100k documents costs seconds.
    terms = _prune_common(session, terms)
    if not terms:
        return []
    # stems_tsv is to_tsvector('indonesian', stems), stored (migration 0003): ranking reads it, not recomputes it.
    if groups is None:
        stmt = text("""SELECT d.doc_id, d.group_id, ts_rank_cd(d.stems_tsv, q, 1) AS score
                       FROM search_documents d, to_tsquery('indonesian', :query) q
                       WHERE d.stems_tsv @@ q ORDER BY score DESC LIMIT :limit""")
    else:
        # Matches first, through the GIN index, then the group filter: given both conditions the planner
        # walked the group_id index and tested every document of the groups (an agency's 20,000: 0.3 s).
        # Pruning keeps the matches few: every stem left is in at most COMMON_MAX_DOCS documents.
        stmt = text("""WITH m AS MATERIALIZED (
                           SELECT doc_id, group_id, stems_tsv FROM search_documents
                           WHERE stems_tsv @@ to_tsquery('indonesian', :query))
                       SELECT m.doc_id, m.group_id, ts_rank_cd(m.stems_tsv, to_tsquery('indonesian', :query), 1) AS score
                       FROM m WHERE m.group_id = ANY(CAST(:groups AS BIGINT[])) ORDER BY score DESC LIMIT :limit""")
    params = {"query": " | ".join(terms), "limit": limit}
    if groups is not None:
        params["groups"] = pg_array_literal(groups)  # one string, not a list dumped id by id (models/id_list.py)
    return [(int(d), int(g), float(s)) for d, g, s in session.execute(stmt, params)]
