"""Hand-made features of a question pair for the duplicate judge.

Every feature is symmetric in (a, b), so the judge gives the same score either way round.
Look-alikes ("kapan X didirikan" / "kapan X dibubarkan") share most words; true duplicates in a
forum are often worded differently. So besides overlap, the features look at *what differs*:
numbers, names, negations, question words and word order.
"""
import re

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


def _jaccard(x: set, y: set) -> float:
    return len(x & y) / len(x | y) if x or y else 1.0


def _order(ta: list[str], tb: list[str]) -> tuple[float, float, float]:
    """Word order of the words both texts use once: concordant share, discordant pairs, mean shift.

    PAWS-style look-alikes swap two names or clauses ("dari A ke B" / "dari B ke A"): same words,
    other order. Back-translated paraphrases reorder too, but less.
    """
    pos_a = {w: i for i, w in enumerate(ta) if ta.count(w) == 1}
    pos_b = {w: i for i, w in enumerate(tb) if tb.count(w) == 1}
    shared = [w for w in ta if w in pos_a and w in pos_b]
    n = len(shared)
    if n < 2:
        return 1.0, 0.0, 0.0
    seq = np.array([pos_b[w] for w in shared])
    diffs = (seq[None, :] - seq[:, None])[np.triu_indices(n, 1)]
    discordant = float((diffs < 0).sum())
    shift = np.mean([abs(pos_a[w] / len(ta) - pos_b[w] / len(tb)) for w in shared])
    return 1.0 - discordant / len(diffs), discordant, float(shift)


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
    sta, stb = stem_tokens(ta), stem_tokens(tb)
    sa, sb = set(sta), set(stb)
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
    # Civil-service concepts via the synonym groups: "cuti besar" and "cuti panjang" agree,
    # "PNS" and "PPPK" do not, however similar the rest of the wording.
    ka, kb = concepts(a), concepts(b)
    return np.array([
        _jaccard(sa, sb),
        len(sa & sb) / max(min(len(sa), len(sb)), 1),
        _jaccard(set(ta), set(tb)),
        _jaccard(bia, bib),
        _jaccard(_char3(na), _char3(nb)),
        _order(ta, tb)[0],
        *_order(sta, stb),
        _jaccard(set(zip(ta, ta[1:], ta[2:])), set(zip(tb, tb[1:], tb[2:]))),
        _jaccard(set(zip(sta, sta[1:])), set(zip(stb, stb[1:]))),
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
        _jaccard(ka, kb),
        float(len(ka ^ kb)),
    ], dtype=np.float32)
