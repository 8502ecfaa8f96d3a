"""Questions the forum may never have discussed: their results are marked as loose matches, not hidden.

A civil-service forum has no thread about "resep rendang padang", yet e5 scores that query 0.82-0.85 against
dozens of threads: the search page listed 66 "results" as if they answered it. When most of a query's
telling words (weighted by rarity) are in no post *and* no thread is a close dense match, the page and the
composer say which words no post holds, so the member reads the list as loose matches (or spots a typo).

The results are never hidden: a QA pass typing 241 phone-style searches for threads that exist ("srikandy",
"pensuin dini", "ptt sertif pbj") met this rule 39 times (23 once its abbreviations joined the dictionary), while
it marked 36 of 48 off-topic searches; hiding would have lost those members their answer
(docs/search-research.md, twenty-eighth session).
"""
from sqlalchemy.orm import Session

from search.familiarity import familiarity
from search.text import stems

FAMILIAR_SHARE = 0.5  # marked below this share of the query's word weight held by some post...
SURE_MARGIN = 0.06    # ...unless a thread scores this far above the noise floor (0.87 for e5)


def unfamiliar_words(session: Session, engine, text: str, hits: list) -> tuple[str, ...]:
    """The words no post holds, when they make every hit for `text` a loose match; else ()."""
    if not hits:
        return ()  # nothing to mark: the empty result already says so
    top = max(h.signals.get("dense_max", 0.0) for h in hits)
    if top >= engine.noise_floor + SURE_MARGIN:
        return ()
    found = familiarity(session, text)
    return found.unknown if found.share < FAMILIAR_SHARE else ()


def is_vague(engine, text: str, hits: list) -> bool:
    """Letters but not one content word ("aaaaaaa", "yang itu ya"), and no close dense match: loose hits only."""
    if not hits or not any(c.isalpha() for c in text) or any(not s.isdigit() for s in stems(text)):
        return False
    return max(h.signals.get("dense_max", 0.0) for h in hits) < engine.noise_floor + SURE_MARGIN
