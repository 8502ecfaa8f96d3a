"""Hand-made features of a question pair for the duplicate judge.

Every feature is symmetric in (a, b), so the judge gives the same score either way round.
Look-alikes ("kapan X didirikan" / "kapan X dibubarkan") share most words; true duplicates in a
forum are often worded differently. So besides overlap, the features look at *what differs*:
numbers, names, negations, question words and word order.
"""
import re

import numpy as np

from search.text import normalize, stems, stopwords

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
    "order_agreement", "lcs_ratio", "number_mismatch", "number_only_one", "name_mismatch",
    "name_jaccard", "negation_mismatch", "question_mismatch", "length_ratio", "extra_words_min",
    "extra_words_max", "len_log_mean",
]


def _jaccard(x: set, y: set) -> float:
    return len(x & y) / len(x | y) if x or y else 1.0


def _order_agreement(ta: list[str], tb: list[str]) -> float:
    """Share of concordant pairs among words both texts use once (1 = same order)."""
    pos_b = {w: i for i, w in enumerate(tb) if tb.count(w) == 1}
    seq = [pos_b[w] for w in ta if w in pos_b and ta.count(w) == 1]
    n = len(seq)
    if n < 2:
        return 1.0
    arr = np.array(seq)
    concordant = (np.sign(arr[None, :] - arr[:, None])[np.triu_indices(n, 1)] > 0).sum()
    return float(concordant / (n * (n - 1) / 2))


def _lcs(ta: list[str], tb: list[str]) -> int:
    prev = [0] * (len(tb) + 1)
    for x in ta:
        cur = [0]
        for j, y in enumerate(tb):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def _names(raw: str) -> set[str]:
    """Capitalized words not at a sentence start, lowercased (names, places, acronyms)."""
    return {m.lower() for m in _CAPITALIZED.findall(raw.strip())}


def _char3(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def hand_features(a: str, b: str) -> np.ndarray:
    """The NAMES features of the pair, as float32."""
    na, nb = normalize(a), normalize(b)
    ta, tb = na.split(), nb.split()
    sa, sb = set(stems(a)), set(stems(b))
    stop = stopwords()
    ca = {w for w in ta if w not in stop}
    cb = {w for w in tb if w not in stop}
    bia = set(zip(ta, ta[1:]))
    bib = set(zip(tb, tb[1:]))
    nums_a, nums_b = set(_NUMBER.findall(na)), set(_NUMBER.findall(nb))
    names_a, names_b = _names(a), _names(b)
    neg_a, neg_b = sum(w in NEGATIONS for w in ta), sum(w in NEGATIONS for w in tb)
    qa = {QUESTION_WORDS[w] for w in ta if w in QUESTION_WORDS}
    qb = {QUESTION_WORDS[w] for w in tb if w in QUESTION_WORDS}
    la, lb = max(len(ta), 1), max(len(tb), 1)
    extra = sorted([len(ca - cb), len(cb - ca)])
    return np.array([
        _jaccard(sa, sb),
        len(sa & sb) / max(min(len(sa), len(sb)), 1),
        _jaccard(set(ta), set(tb)),
        _jaccard(bia, bib),
        _jaccard(_char3(na), _char3(nb)),
        _order_agreement(ta, tb),
        _lcs(ta, tb) / max(la, lb),
        float(bool(nums_a) and bool(nums_b) and nums_a != nums_b),
        float(bool(nums_a) != bool(nums_b)),
        float(len(names_a ^ names_b) > 0),
        _jaccard(names_a, names_b),
        float((neg_a > 0) != (neg_b > 0)),
        float(bool(qa) and bool(qb) and qa != qb),
        min(la, lb) / max(la, lb),
        extra[0],
        extra[1],
        np.log1p((la + lb) / 2),
    ], dtype=np.float32)
