"""Questions the forum never discussed: their loose matches are held back instead of listed as results.

A civil-service forum has no thread about "resep rendang padang", yet e5 scores that query 0.82-0.85 against
dozens of threads and a shared word ("padang") matches a few more: the search page listed 66 "results" and
the composer offered five "Pertanyaan serupa" for any text. A query is held back when most of its telling
words (weighted by rarity) appear in no post *and* no thread is a close dense match. Measured on the demo
forum and the dev sets in docs/search-research.md (twenty-eighth session).
"""
from sqlalchemy.orm import Session

from search.familiarity import familiarity

FAMILIAR_SHARE = 0.5  # held back below this share of the query's word weight held by some post...
SURE_MARGIN = 0.06    # ...unless a thread scores this far above the noise floor (0.87 for e5)


def unfamiliar_words(session: Session, engine, text: str, hits: list) -> tuple[str, ...]:
    """The words the forum never used, when they make `text` a question it never discussed; else ()."""
    if not hits:
        return ()  # nothing to hold back: the empty result already says so
    top = max(h.signals.get("dense_max", 0.0) for h in hits)
    if top >= engine.noise_floor + SURE_MARGIN:
        return ()
    found = familiarity(session, text)
    return found.unknown if found.share < FAMILIAR_SHARE else ()
