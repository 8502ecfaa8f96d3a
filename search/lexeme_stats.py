"""PostgreSQL's own lexeme statistics: which stems are common, without counting their documents.

ANALYZE keeps, for a tsvector column, its most common lexemes with the share of rows holding each
(pg_stats.most_common_elems / most_common_elem_freqs). Counting a common stem's documents through the GIN
index instead reads its whole posting list and thousands of heap rows (10-60 ms a stem at a million
posts); these statistics answer "is it common?" for every stem in one cached catalog read.
"""
import time

from sqlalchemy import text

STATS_MIN_DOCS = 50_000  # below this, exact capped counts are cheap and preferred
STATS_TTL_SECONDS = 600.0
RARE = 1  # a stem outside the most-common list: present in few documents, or in none

_STATS: dict[str, tuple[float, dict[str, float], float]] = {}  # database -> (read at, lexeme -> share, rows)
_LEXEMES: dict[str, tuple[str, ...]] = {}  # stem -> its lexemes under the `indonesian` configuration

_READ_STATS = text("""
    SELECT e.elem, e.freq, c.reltuples
    FROM pg_stats s
    JOIN pg_class c ON c.relname = s.tablename
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
    CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(elem, freq)
    WHERE s.schemaname = current_schema() AND s.tablename = 'search_documents' AND s.attname = 'stems_tsv'
      AND e.elem IS NOT NULL""")
_LEXEMES_OF = text("""SELECT t.term, tsvector_to_array(to_tsvector('indonesian', t.term))
                      FROM unnest(CAST(:terms AS text[])) AS t(term)""")


def _statistics(session) -> tuple[dict[str, float], float]:
    """(lexeme -> share of documents, estimated document count) for this database, cached a while."""
    where = str(session.get_bind().url)
    now = time.monotonic()
    cached = _STATS.get(where)
    if cached is None or now - cached[0] > STATS_TTL_SECONDS:
        rows = session.execute(_READ_STATS).all()
        cached = (now, {elem: float(freq) for elem, freq, _ in rows}, float(rows[0][2]) if rows else 0.0)
        _STATS[where] = cached
    return cached[1], cached[2]


def _lexemes(session, terms: list[str]) -> dict[str, tuple[str, ...]]:
    missing = [t for t in terms if t not in _LEXEMES]
    if missing:
        if len(_LEXEMES) > 100_000:
            _LEXEMES.clear()
        _LEXEMES.update({term: tuple(lexemes or ()) for term, lexemes in
                         session.execute(_LEXEMES_OF, {"terms": missing})})
    return {t: _LEXEMES[t] for t in terms}


def estimated_frequencies(session, terms: list[str], cap: int) -> dict[str, int] | None:
    """Estimated documents per stem (capped at `cap`) from PostgreSQL's statistics, or None without them.

    None when the table has not been analyzed or is small (exact counts are cheap there). A stem that is
    not among the most common lexemes gets RARE; one with no lexeme at all (matches nothing) gets 0.
    """
    shares, rows = _statistics(session)
    if not shares or rows < STATS_MIN_DOCS:
        return None
    out = {}
    for term, lexemes in _lexemes(session, terms).items():
        if not lexemes:
            out[term] = 0
            continue
        # Terms are single words (one lexeme); max() only guards the shape of tsvector_to_array's answer.
        share = max((shares.get(lex, 0.0) for lex in lexemes), default=0.0)
        out[term] = min(cap, round(share * rows)) if share else RARE
    return out
