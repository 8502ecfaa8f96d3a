"""Pair features of the duplicate judge: the cached, fast path gives exactly what a plain recomputation gives."""
import random
import re

import numpy as np
import pytest

from search import pair_features as pf
from search.text import _synonym_groups, concepts, normalize, stem_tokens, stopwords

POST_SENTENCES = [
    "Saya PNS golongan III/b di Dinas Pendidikan Kabupaten Sleman dan sudah bekerja 6 tahun.",
    "Tahun lalu saya mengajukan cuti besar tetapi ditolak oleh atasan karena beban kerja.",
    "Apakah benar cuti besar hanya bisa diambil setelah masa kerja 5 tahun secara terus-menerus?",
    "Teman saya di BKD bilang TPP tidak dibayar selama cuti besar, tapi di aturan BKN tidak ada.",
    "Bagaimana kalau cutinya dipecah jadi dua kali, misalnya 1 bulan di bulan Maret dan 2 bulan di Juli?",
    "Gaji ke-13 dan THR tetap cair atau tidak ya kalau sedang cuti?",
    "Mohon penjelasan dari rekan-rekan yang pernah mengalami hal yang sama, terima kasih banyak.",
    "Berkas yang saya siapkan: SK terakhir, SKP dua tahun, surat permohonan dan persetujuan atasan langsung.",
]
LONG_A = " ".join(POST_SENTENCES * 3)[:2000]
LONG_B = " ".join(reversed(POST_SENTENCES * 3))[:2000]

PAIRS = [
    ("Bagaimana cara mengajukan cuti besar bagi PNS?",
     "Prosedur pengajuan cuti panjang untuk pegawai negeri sipil seperti apa ya?"),
    ("Kapan TPP bulan ini cair?", "Berapa besar TPP bulan ini?"),
    ("Apakah PPPK mendapat THR dan gaji ke-13?", "Apakah PNS mendapat THR dan gaji ke-13?"),
    ("Gak bisa ngajuin cuti yg kmrn, gimana?", "tidak bisa mengajukan cuti yang kemarin bagaimana"),
    ("Penerbangan dari Jakarta ke Surabaya tahun 2019", "Penerbangan dari Surabaya ke Jakarta tahun 2020"),
    ("Pegawai tidak boleh cuti bersama bersama-sama", "Pegawai boleh cuti cuti bersama"),
    ("", "Apa itu PNS?"),
    ("", ""),
    (LONG_A, LONG_B),
    (LONG_A, POST_SENTENCES[2]),
]


# The features as they were first written, one pair at a time with no caching: the reference.
def _plain_order(ta, tb):
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


def _plain_lcs(ta, tb):
    prev = [0] * (len(tb) + 1)
    for x in ta:
        cur = [0]
        for j, y in enumerate(tb):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def _plain_concepts(text):
    padded = f" {normalize(text)} "
    return frozenset(i for i, group in enumerate(_synonym_groups()) if any(f" {t} " in padded for t in group))


def _plain_features(a, b):
    def jaccard(x, y):
        return len(x & y) / len(x | y) if x or y else 1.0

    def names(raw):
        return {m.lower() for m in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w\-]*", raw.strip())}

    def char3(text):
        padded = f" {text} "
        return {padded[i : i + 3] for i in range(len(padded) - 2)}

    na, nb = normalize(a), normalize(b)
    ta, tb = na.split(), nb.split()
    sta, stb = stem_tokens(ta), stem_tokens(tb)
    sa, sb = set(sta), set(stb)
    stop = stopwords()
    ca, cb = {w for w in ta if w not in stop}, {w for w in tb if w not in stop}
    nums_a, nums_b = set(re.findall(r"\d+", na)), set(re.findall(r"\d+", nb))
    names_a, names_b = names(a), names(b)
    neg_a, neg_b = sum(w in pf.NEGATIONS for w in ta), sum(w in pf.NEGATIONS for w in tb)
    qa = {pf.QUESTION_WORDS[w] for w in ta if w in pf.QUESTION_WORDS}
    qb = {pf.QUESTION_WORDS[w] for w in tb if w in pf.QUESTION_WORDS}
    la, lb = max(len(ta), 1), max(len(tb), 1)
    extra = sorted([len(ca - cb), len(cb - ca)])
    ka, kb = _plain_concepts(a), _plain_concepts(b)
    return np.array([
        jaccard(sa, sb), len(sa & sb) / max(min(len(sa), len(sb)), 1), jaccard(set(ta), set(tb)),
        jaccard(set(zip(ta, ta[1:])), set(zip(tb, tb[1:]))), jaccard(char3(na), char3(nb)),
        _plain_order(ta, tb)[0], *_plain_order(sta, stb),
        jaccard(set(zip(ta, ta[1:], ta[2:])), set(zip(tb, tb[1:], tb[2:]))),
        jaccard(set(zip(sta, sta[1:])), set(zip(stb, stb[1:]))), _plain_lcs(ta, tb) / max(la, lb),
        float(bool(nums_a) and bool(nums_b) and nums_a != nums_b), float(bool(nums_a) != bool(nums_b)),
        float(len(names_a ^ names_b) > 0), jaccard(names_a, names_b), float((neg_a > 0) != (neg_b > 0)),
        float(bool(qa) and bool(qb) and qa != qb), min(la, lb) / max(la, lb), extra[0], extra[1],
        np.log1p((la + lb) / 2), jaccard(ka, kb), float(len(ka ^ kb)),
    ], dtype=np.float32)


@pytest.mark.parametrize("a, b", PAIRS, ids=range(len(PAIRS)))
def test_the_features_equal_a_plain_recomputation_of_the_pair_cold_and_warm(a, b):
    expected = _plain_features(a, b)
    pf.clear_cache()
    cold = pf.hand_features(a, b)
    warm = pf.hand_features(a, b)
    assert cold.dtype == np.float32 and cold.shape == (len(pf.NAMES),)
    np.testing.assert_array_equal(cold, expected)
    np.testing.assert_array_equal(warm, expected)


@pytest.mark.parametrize("a, b", PAIRS, ids=range(len(PAIRS)))
def test_the_features_are_the_same_either_way_round(a, b):
    np.testing.assert_array_equal(pf.hand_features(a, b), pf.hand_features(b, a))


def test_the_long_posts_really_are_forum_post_sized():
    assert len(LONG_A) == 2000 and len(normalize(LONG_A).split()) > 250


def test_the_bit_parallel_lcs_equals_the_dynamic_programme():
    rng = random.Random(3)
    for _ in range(300):
        ta = [rng.choice("abcde") for _ in range(rng.randint(0, 40))]
        tb = [rng.choice("abcdef") for _ in range(rng.randint(0, 70))]  # wider than a 64-bit word
        analysed = pf.analyse(" ".join(tb))
        assert pf._lcs(tuple(ta), analysed.token_masks, len(analysed.tokens)) == _plain_lcs(ta, tb)


def test_concepts_found_by_the_term_index_equal_a_scan_of_every_synonym_group():
    terms = [t for group in _synonym_groups() for t in group]
    rng = random.Random(5)
    filler = "bagaimana cara mengajukan untuk bagi yang sudah belum tahun gaji pegawai negeri".split()
    texts = [p for pair in PAIRS for p in pair] + terms + [f"({t.upper()})," for t in terms]
    texts += [" ".join(rng.choice(terms + filler) for _ in range(rng.randint(1, 10))) for _ in range(2000)]
    found = 0
    for text in texts:
        assert concepts(text) == _plain_concepts(text), text
        found += bool(concepts(text))
    assert found > len(texts) // 2  # the check would be empty if hardly any text named a concept


def test_a_multi_word_concept_needs_all_its_words_in_a_row():
    cuti_besar = concepts("cuti besar")
    assert cuti_besar and concepts("pengajuan cuti besar bagi PNS") >= cuti_besar
    assert not cuti_besar & concepts("cuti yang besar")


def test_a_text_is_analysed_once_and_then_served_from_the_cache():
    pf.clear_cache()
    pf.hand_features(PAIRS[0][0], PAIRS[0][1])
    pf.hand_features(PAIRS[0][0], PAIRS[1][1])
    info = pf.analyse.cache_info()
    assert info.currsize == 3 and info.hits == 1
