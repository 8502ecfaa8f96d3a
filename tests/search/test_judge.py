"""The duplicate judge, with the real e5 model and the shipped weights."""
import time
from pathlib import Path

import numpy as np
import pytest

from search.judge import DuplicateJudge
from search.metrics import roc_auc

EVAL_DIRS = [Path(__file__).resolve().parents[3] / "shared" / "eval", Path("/work/shared/eval")]


@pytest.fixture(scope="module")
def judge():
    return DuplicateJudge.load()


@pytest.fixture(scope="module")
def e5():
    from search.embedders import load_embedder
    return load_embedder()


PARAPHRASES = [
    ("Bagaimana cara mengajukan cuti besar bagi PNS?",
     "Prosedur pengajuan cuti panjang untuk pegawai negeri sipil seperti apa ya?"),
    ("Kapan TPP bulan ini cair?", "TPP bulan ini kira-kira kapan dibayarkan?"),
    ("Apakah PPPK mendapat THR dan gaji ke-13?", "PPPK dapat THR sama gaji 13 gak sih?"),
]
LOOKALIKES = [
    ("Bagaimana cara mengajukan cuti besar bagi PNS?", "Bagaimana cara membatalkan cuti besar bagi PNS?"),
    ("Kapan TPP bulan ini cair?", "Berapa besar TPP bulan ini?"),
    ("Apakah PPPK mendapat THR dan gaji ke-13?", "Apakah PNS mendapat THR dan gaji ke-13?"),
]


def test_the_shipped_judge_loads_quickly_with_a_threshold_in_range():
    started = time.perf_counter()
    loaded = DuplicateJudge.load()
    assert time.perf_counter() - started < 1.0
    assert 0.0 < loaded.threshold < 1.0


CASES = [
    pytest.param(*PARAPHRASES[0], LOOKALIKES[0][1], marks=pytest.mark.xfail(
        reason="known weakness: a paraphrase sharing almost no words loses to a one-word look-alike", strict=False)),
    (*PARAPHRASES[1], LOOKALIKES[1][1]),
    (*PARAPHRASES[2], LOOKALIKES[2][1]),
]


@pytest.mark.parametrize("question, paraphrase, lookalike", CASES)
def test_a_paraphrase_scores_above_its_look_alike(judge, e5, question, paraphrase, lookalike):
    u, v, w = e5.embed_documents([question, paraphrase, lookalike])
    assert judge.score(question, paraphrase, vec_a=u, vec_b=v) > judge.score(question, lookalike, vec_a=u, vec_b=w)


def test_the_score_is_a_probability_and_symmetric(judge, e5):
    a, b = LOOKALIKES[0]
    u, v = e5.embed_documents([a, b])
    s = judge.score(a, b, vec_a=u, vec_b=v)
    assert 0.0 <= s <= 1.0
    assert judge.score(b, a, vec_a=v, vec_b=u) == pytest.approx(s, abs=1e-5)


def test_the_judge_embeds_the_texts_itself_when_no_vectors_are_given(judge, e5):
    a, b = PARAPHRASES[1]
    u, v = e5.embed_documents([a, b])
    assert judge.score(a, b) == pytest.approx(judge.score(a, b, vec_a=u, vec_b=v), abs=1e-4)


def test_scoring_a_pair_with_its_vectors_takes_a_few_milliseconds_at_most(judge, e5):
    a, b = PARAPHRASES[0]
    u, v = e5.embed_documents([a, b])
    judge.score(a, b, vec_a=u, vec_b=v)
    started = time.perf_counter()
    for _ in range(200):
        judge.score(a, b, vec_a=u, vec_b=v)
    # Target is under 1 ms on an idle core; the bound leaves room for a loaded CI machine.
    assert (time.perf_counter() - started) / 200 < 5e-3


def _dev_pairs(name: str, count: int) -> list[tuple[str, str, int]]:
    for directory in EVAL_DIRS:
        path = directory / "pairs" / f"{name}.tsv"
        if path.exists():
            rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
            rng = np.random.default_rng(7)
            keep = rng.choice(len(rows), min(count, len(rows)), replace=False)
            return [(rows[i][1], rows[i][2], int(float(rows[i][3]))) for i in keep]
    pytest.fail("evaluation pairs not found: ../shared/eval must sit beside the repository")


@pytest.mark.parametrize("name, floor", [("nearmiss-id", 0.68), ("paws-id", 0.75)])
def test_the_judge_separates_duplicates_from_look_alikes_on_dev_pairs(judge, e5, name, floor):
    # 100 fixed pairs: a floor a broken feature or stale weights would fall through.
    rows = _dev_pairs(name, 100)
    vecs = e5.embed_documents([t for a, b, _ in rows for t in (a, b)])
    scores = [judge.score(a, b, vec_a=vecs[2 * i], vec_b=vecs[2 * i + 1]) for i, (a, b, _) in enumerate(rows)]
    assert roc_auc([y for _, _, y in rows], scores) > floor


def _rows_with_random_vectors(judge, count: int = 40) -> np.ndarray:
    """Full feature rows of distinct real question pairs, with random vectors at cosines spread over [0, 1]."""
    texts = [t for pair in PARAPHRASES + LOOKALIKES for t in pair]
    pairs = [(a, b) for i, a in enumerate(texts) for b in texts[i + 1:] if a != b][:count]
    rng = np.random.default_rng(11)
    rows = []
    for a, b in pairs:
        u, noise = rng.normal(size=(2, 384)).astype(np.float32)
        mix = rng.uniform()
        rows.append(judge.features(a, b, vec_a=u, vec_b=mix * u + (1 - mix) * noise))
    return np.array(rows)


def test_scoring_a_batch_of_rows_equals_scoring_them_one_by_one(judge):
    rows = _rows_with_random_vectors(judge)
    rows[0, 0] = rows[1, 24] = np.nan  # a NaN feature or cosine must take the same branch on both paths
    batch = judge.score_rows(rows)
    one_by_one = np.array([judge.score_rows(row)[0] for row in rows])
    np.testing.assert_allclose(one_by_one, batch, rtol=0, atol=1e-12)
    assert len(set(np.round(batch, 6))) > len(rows) // 2  # the rows really differ


def test_scoring_a_pair_equals_scoring_its_full_feature_row(judge):
    rng = np.random.default_rng(12)
    for a, b in PARAPHRASES + LOOKALIKES:
        u, v = rng.normal(size=(2, 384)).astype(np.float32)
        row = judge.features(a, b, vec_a=u, vec_b=v)
        assert judge.score(a, b, vec_a=u, vec_b=v) == pytest.approx(float(judge.score_rows(row[None])[0]), abs=1e-12)


def test_a_word_for_word_copy_is_a_duplicate_and_one_changed_word_is_left_to_the_model(judge, e5):
    question = "Syarat dan prosedur pengajuan cuti besar PNS?"
    copy = "syarat dan prosedur pengajuan CUTI BESAR PNS ??"
    vectors = e5.embed_documents([question, copy, question.replace("pengajuan", "pembatalan")])
    assert judge.score(question, copy, vec_a=vectors[0], vec_b=vectors[1]) == 1.0
    assert judge.is_duplicate(question, copy, vec_a=vectors[0], vec_b=vectors[1])
    assert judge.score(question, question.replace("pengajuan", "pembatalan"), vec_a=vectors[0], vec_b=vectors[2]) < 1.0
    assert judge.score("gimana cara cuti besar?", "bagaimana cara cuti besar") == 1.0  # slang spelling aside
    from search.judge import same_wording
    assert not same_wording("", "") and not same_wording("?!", "...")  # nothing typed is no copy
