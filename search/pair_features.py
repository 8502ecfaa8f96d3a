"""Hand-made features of a question pair for the duplicate judge.

Every feature is symmetric in (a, b), so the judge gives the same score either way round.
Look-alikes ("kapan X didirikan" / "kapan X dibubarkan") share most words; true duplicates in a
forum are often worded differently. So besides overlap, the features look at *what differs*:
numbers, names, negations, question words and word order.

The forum judges one new question against many candidates, so everything that depends on one
text only is computed once per text (analyse(), cached) and a pair costs only set operations.
"""
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from search.text import concepts, normalize, stem_tokens, stopwords

NEGATIONS = frozenset({"tidak", "bukan", "belum", "tanpa", "jangan", "tak", "non"})
QUESTION_WORDS = {
    "apa": "apa", "apakah": "apa", "siapa": "siapa", "siapakah": "siapa", "kapan": "kapan",
    "kapankah": "kapan", "berapa": "berapa", "berapakah": "berapa", "mengapa": "mengapa",
    "kenapa": "mengapa", "bagaimana": "bagaimana", "bagaimanakah": "bagaimana", "mana": "mana",
    "manakah": "mana", "dimana": "mana", "dimanakah": "mana", "bilamana": "kapan",
}
_CAPITALIZED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w\-]*")
_NUMBER = re.compile(r"\d+")

NAMES = [
    "stem_jaccard", "stem_containment", "token_jaccard", "bigram_jaccard", "char3_jaccard",
    "order_agreement", "stem_order_agreement", "stem_discordant", "stem_displacement",
    "trigram_jaccard", "stem_bigram_jaccard", "lcs_ratio", "number_mismatch", "number_only_one", "name_mismatch",
    "name_jaccard", "negation_mismatch", "question_mismatch", "length_ratio", "extra_words_min",
    "extra_words_max", "len_log_mean", "concept_jaccard", "concepts_only_one",
]


@dataclass(frozen=True, slots=True)
class _Words:
    """One word sequence (tokens or stems) prepared for the order features."""

    count: int
    position: dict[str, int]      # word -> index, only words that occur once

    @classmethod
    def of(cls, words: list[str]) -> "_Words":
        position, repeated = {}, set()
        for i, w in enumerate(words):
            if w in position:
                repeated.add(w)
            position[w] = i  # a repeated word keeps its first slot in the dict, so the order stays the text's
        return cls(len(words), {w: i for w, i in position.items() if w not in repeated})


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """Everything the pair features need from one text on its own."""

    length: int                    # number of tokens, at least 1
    tokens: tuple[str, ...]
    token_set: frozenset[str]
    content: frozenset[str]        # tokens that are not stopwords
    bigrams: frozenset[tuple[str, str]]
    trigrams: frozenset[tuple[str, str, str]]
    stem_set: frozenset[str]
    stem_bigrams: frozenset[tuple[str, str]]
    char3: frozenset[str]
    numbers: frozenset[str]
    names: frozenset[str]
    negated: bool
    questions: frozenset[str]
    concepts: frozenset[int]
    token_order: _Words
    stem_order: _Words
    token_masks: dict[str, int]    # word -> bit mask of its token positions, for the bit-parallel LCS


def _jaccard(x: frozenset, y: frozenset) -> float:
    if not x and not y:
        return 1.0
    shared = len(x & y)
    return shared / (len(x) + len(y) - shared)


def _order(a: _Words, b: _Words, shift: bool = True) -> tuple[float, float, float]:
    """Word order of the words both texts use once: concordant share, discordant pairs, mean shift.

    PAWS-style look-alikes swap two names or clauses ("dari A ke B" / "dari B ke A"): same words,
    other order. Back-translated paraphrases reorder too, but less.
    """
    pos_a, pos_b = a.position, b.position
    shared = [w for w in pos_a if w in pos_b]  # in a's word order: the dict keeps insertion order
    n = len(shared)
    if n < 2:
        return 1.0, 0.0, 0.0
    # Discordant pairs = inversions of b's positions; counted with a sorted list, O(n log n) comparisons.
    seen: list[int] = []
    discordant = 0
    for p in (pos_b[w] for w in shared):
        k = bisect_right(seen, p)
        discordant += len(seen) - k
        seen.insert(k, p)
    pairs = n * (n - 1) // 2
    mean_shift = 0.0
    if shift:
        shifts = np.array([abs(pos_a[w] / a.count - pos_b[w] / b.count) for w in shared])
        # np.mean's own sum and division (numpy sums pairwise, sum() does not: the model saw numpy's
        # rounding), without np.mean's dispatch, which cost more than the rest of the pair's features.
        mean_shift = float(np.add.reduce(shifts)) / n
    return 1.0 - discordant / pairs, float(discordant), mean_shift


def _lcs(words: tuple[str, ...], masks: dict[str, int], length: int) -> int:
    """Length of the longest common subsequence of `words` and the text whose token masks are given.

    Bit-parallel (Hyyrö 2004): one big-int step per word of `words` instead of a len x len table, so
    300-word posts stay cheap; the result is the same integer as the dynamic programme.
    """
    full = (1 << length) - 1
    v = full
    for w in words:
        u = v & masks.get(w, 0)
        v = ((v + u) | (v - u)) & full
    return length - v.bit_count()


def _names(raw: str) -> frozenset[str]:
    """Capitalized words not at a sentence start, lowercased (names, places, acronyms)."""
    return frozenset(m.lower() for m in _CAPITALIZED.findall(raw.strip()))


def _char3(text: str) -> frozenset[str]:
    padded = f" {text} "
    # zip and map loop in C; a generator of slices is a quarter slower, and this runs on every new text.
    return frozenset(map("".join, zip(padded, padded[1:], padded[2:])))


# An analysis of a forum question (~300 characters) holds ~30 KiB of small sets, a 2,000-character post
# ~220 KiB; 256 keeps a new question and its candidates, and recurring candidates, at a few MiB.
@lru_cache(maxsize=256)
def analyse(text: str) -> TextAnalysis:
    """The per-text part of the pair features (cached: a new question is compared with many candidates)."""
    normalized = normalize(text)
    words = normalized.split()
    stems = stem_tokens(words)
    masks: dict[str, int] = {}
    for i, w in enumerate(words):
        masks[w] = masks.get(w, 0) | (1 << i)
    return TextAnalysis(
        length=max(len(words), 1),
        tokens=tuple(words),
        token_set=frozenset(words),
        content=frozenset(words).difference(stopwords()),
        bigrams=frozenset(zip(words, words[1:])),
        trigrams=frozenset(zip(words, words[1:], words[2:])),
        stem_set=frozenset(stems),
        stem_bigrams=frozenset(zip(stems, stems[1:])),
        char3=_char3(normalized),
        numbers=frozenset(_NUMBER.findall(normalized)),
        names=_names(text),
        negated=not NEGATIONS.isdisjoint(words),
        questions=frozenset(QUESTION_WORDS[w] for w in words if w in QUESTION_WORDS),
        # Civil-service concepts via the synonym groups: "cuti besar" and "cuti panjang" agree,
        # "PNS" and "PPPK" do not, however similar the rest of the wording.
        concepts=concepts(text),
        token_order=_Words.of(words),
        stem_order=_Words.of(stems),
        token_masks=masks,
    )


def clear_cache() -> None:
    """Forget every analysed text (benchmarks measure cold texts this way)."""
    analyse.cache_clear()


def hand_features(a: str, b: str) -> np.ndarray:
    """The NAMES features of the pair, as float32."""
    return hand_features_of(analyse(a), analyse(b))


def hand_features_of(x: TextAnalysis, y: TextAnalysis) -> np.ndarray:
    """The NAMES features of two analysed texts, as float32."""
    shared_stems = len(x.stem_set & y.stem_set)
    shared_content = len(x.content & y.content)
    extra = sorted([len(x.content) - shared_content, len(y.content) - shared_content])
    la, lb = x.length, y.length
    longer = max(la, lb)
    return np.array([
        _jaccard(x.stem_set, y.stem_set),
        shared_stems / max(min(len(x.stem_set), len(y.stem_set)), 1),
        _jaccard(x.token_set, y.token_set),
        _jaccard(x.bigrams, y.bigrams),
        _jaccard(x.char3, y.char3),
        _order(x.token_order, y.token_order, shift=False)[0],
        *_order(x.stem_order, y.stem_order),
        _jaccard(x.trigrams, y.trigrams),
        _jaccard(x.stem_bigrams, y.stem_bigrams),
        _lcs(x.tokens, y.token_masks, len(y.tokens)) / longer,
        float(bool(x.numbers) and bool(y.numbers) and x.numbers != y.numbers),
        float(bool(x.numbers) != bool(y.numbers)),
        float(len(x.names ^ y.names) > 0),
        _jaccard(x.names, y.names),
        float(x.negated != y.negated),
        float(bool(x.questions) and bool(y.questions) and x.questions != y.questions),
        min(la, lb) / longer,
        extra[0],
        extra[1],
        np.log1p((la + lb) / 2),
        _jaccard(x.concepts, y.concepts),
        float(len(x.concepts ^ y.concepts)),
    ], dtype=np.float32)
