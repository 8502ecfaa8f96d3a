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
from search.pair_features import QUESTION_WORDS
from search.text import expand_query, stem_tokens, tokens


@dataclass(frozen=True)
class Familiarity:
    share: float                # rarity-weighted share of the typed content words that some document holds
    unknown: tuple[str, ...]    # the typed words (normalized spelling) that no document holds


FAMILIAR = Familiarity(1.0, ())
# Members mix English in ("how to apply cuti besar"); its function words are in no post, and say nothing of the
# topic. Not "it", "as", "no": in Indonesian posts those are "IT", "AS" (the country) and "no." (nomor).
ENGLISH_FUNCTION_WORDS = frozenset(
    "how to the an of for is are was were after before with in on and or what when where who why which can could "
    "do does did my your our their from at about this that these those be been by should would will".split())


def familiarity(session: Session, text: str) -> Familiarity:
    """Which of the query's content words the forum holds, weighted by how rare each is (IDF)."""
    words: dict[str, list[str]] = {}  # stem -> the typed words giving it
    for word in tokens(text):
        if word in ENGLISH_FUNCTION_WORDS or _misspelt_question_word(word):
            continue  # "sipakah": a typo of "siapakah" says which kind of question, not what it is about
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


def _misspelt_question_word(word: str) -> bool:
    """A typo one letter away from a question word ("sipakah", "bagaimna").

    The question words themselves stay: the forum holds them, so they count as familiar, and dropping them
    held back 4 TyDiQA-id dev questions instead of 1 (ones naming something no passage spells that way)."""
    # Only long ones: "kapal" and "siap" are one letter from "kapan" and "siapa", and are content words.
    return len(word) >= 6 and word not in QUESTION_WORDS and any(
        _one_edit(word, q) for q in QUESTION_WORDS if len(q) >= 6)


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one deleted, inserted or changed letter, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]
