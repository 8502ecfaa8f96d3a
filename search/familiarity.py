"""How much of a query the forum has ever written about: the share of its telling words that some post holds.

e5 scores any Indonesian text 0.80-0.86 against a civil-service thread, so a cosine alone cannot tell a
question the forum never discussed ("resep rendang padang", "qwertyuiop") from an informal one it did
(docs/search-research.md, twenty-eighth session). Whether the forum's posts hold the query's rare words can:
the questions of the demo's duplicate groups have a median share of 1.0, while questions taken from other
collections (Wikipedia trivia, Quora, telecom chat) have 0.33-0.51.
"""
import math
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from search.lexical import SAFE_TERM, document_frequencies, document_total
from search.text import expand_query, stem_tokens, tokens


@dataclass(frozen=True)
class Familiarity:
    share: float                # rarity-weighted share of the typed content words that some document holds
    unknown: tuple[str, ...]    # the typed words (normalized spelling) that no document holds


FAMILIAR = Familiarity(1.0, ())


def familiarity(session: Session, text: str) -> Familiarity:
    """Which of the query's content words the forum holds, weighted by how rare each is (IDF)."""
    words: dict[str, list[str]] = {}  # stem -> the typed words giving it
    for word in tokens(text):
        for stem in stem_tokens([word]):
            # "gol 3", "20 JP": a number says which, not what about. Stems the lexical index cannot hold
            # (another script) are left out like stopwords.
            if not stem.isdigit() and SAFE_TERM.match(stem):
                words.setdefault(stem, []).append(word)
    if not words:
        return FAMILIAR
    try:
        df = document_frequencies(session, list(words))
        total = document_total(session)
        df.update(_held_through_synonyms(session, {s: w for s, w in words.items() if not df.get(s, 0)}))
    except OperationalError:  # no lexical index to ask (a database before its search migration)
        return FAMILIAR
    if not total:
        return FAMILIAR  # an empty forum knows no word, and has nothing to hide either
    # A word no document holds weighs most: it is what the question is about, and the forum never said it.
    weight = {s: math.log((total + 1) / (df.get(s, 0) + 0.5)) for s in words}
    whole = sum(weight.values())
    held = sum(w for s, w in weight.items() if df.get(s, 0))
    unknown = tuple(dict.fromkeys(w for s in words if not df.get(s, 0) for w in words[s]))
    return Familiarity(held / whole if whole > 0 else 1.0, unknown)


def _held_through_synonyms(session: Session, unheld: dict[str, list[str]]) -> dict[str, int]:
    """Unheld stems whose typed word has a dictionary synonym some post spells out ("perjadin": "perjalanan
    dinas"), with the documents holding that synonym's rarest word."""
    out = {}
    for stem, typed in unheld.items():
        for phrase in {p for word in typed for p in expand_query(word)}:
            parts = [s for s in stem_tokens(tokens(phrase)) if not s.isdigit() and SAFE_TERM.match(s)]
            counts = document_frequencies(session, parts) if parts else {}
            if parts and all(counts.get(s, 0) for s in parts):
                out[stem] = min(counts.values())
                break
    return out
