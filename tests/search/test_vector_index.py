"""One contract every vector index kind must honour (exact and approximate alike)."""
import numpy as np
import pytest

from search import vector_index
from search.spilled_codes import SpilledCodes, fill
from search.vector_index import KINDS, VectorIndex


def _unit(rows):
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("kind", KINDS)
def test_every_index_kind_adds_removes_filters_saves_and_refuses_other_models(kind, tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    vectors = _unit(rng.normal(size=(2000, 64)))
    ids = np.arange(1000, 3000, dtype=np.int64)
    index = VectorIndex(64, "model-a", kind, min_train=0)  # approximate kinds train on these 2,000 at once
    index.add(ids, vectors, model_id="model-a")
    assert index.count == 2000 and index.approximate == (kind != "flat")
    # Its own vector is the best hit (approximate kinds too, at this size).
    scores, found = index.search(vectors[:20], 5)
    assert (found[:, 0] == ids[:20]).mean() >= 0.95
    # Filtered search returns only allowed ids, best first.
    allowed = ids[[5, 50, 500, 1500]]
    _, found = index.search(vectors[50], 3, ids=allowed)
    assert found[0, 0] == ids[50] and set(found[0]) <= set(allowed)
    # The same filter as a boolean mask over ids (what the engine passes), through the exact scorer for small
    # filters and through FAISS's own selector alike: the same hits as the id list, and only allowed ones.
    allowed = ids[::3]
    mask = np.zeros(int(ids.max()) + 1, dtype=bool)
    mask[allowed] = True
    for exact_max in (vector_index.EXACT_FILTER_MAX, 0):
        monkeypatch.setattr(vector_index, "EXACT_FILTER_MAX", exact_max)
        by_list, by_mask = index.search(vectors[:20], 10, ids=allowed), index.search(vectors[:20], 10, ids=mask)
        assert np.array_equal(by_list[1], by_mask[1]) and np.allclose(by_list[0], by_mask[0])
        assert set(by_mask[1].ravel()) <= set(allowed) and (by_mask[1][::3, 0] == ids[:20:3]).all()
    assert index.search(vectors[:1], 5, ids=np.zeros(10, dtype=bool))[1].shape == (1, 0)
    # Removal and re-adding an id replace its vector.
    index.remove(ids[:10])
    assert index.count == 1990 and ids[0] not in index.search(vectors[0], 5)[1][0]
    index.add(ids[10:11], vectors[0:1])
    assert index.count == 1990 and index.search(vectors[0], 1)[1][0, 0] == ids[10]
    # Saved with its metadata and loaded back identical.
    index.save(tmp_path, last_event=42)
    loaded, meta = VectorIndex.load(tmp_path)
    assert (meta.model_id, meta.dim, meta.kind, meta.count, meta.last_event) == ("model-a", 64, kind, 1990, 42)
    assert loaded.search(vectors[20], 1)[1][0, 0] == ids[20]
    with pytest.raises(ValueError):
        loaded.add(ids[:1], vectors[:1], model_id="model-b")
    with pytest.raises(ValueError):
        loaded.add(ids[:1], np.ones((1, 32), np.float32))


def test_a_missing_or_torn_index_file_reads_as_absent(tmp_path):
    assert VectorIndex.load(tmp_path) is None
    (tmp_path / "vectors.json").write_text('{"model_id": "m", "dim": 4, "kind": "flat", "count": 3, "last_event": 1}')
    assert VectorIndex.load(tmp_path) is None


@pytest.mark.parametrize("kind", ["ivf_sq8", "ivf_pq"])
def test_an_approximate_kind_stays_exact_while_small_and_asks_to_be_retrained_as_it_grows(kind):
    rng = np.random.default_rng(11)
    vectors = _unit(rng.normal(size=(3000, 32)))
    small = VectorIndex(32, "m", kind, min_train=1000)
    small.add(np.arange(999), vectors[:999])
    assert not small.approximate and not small.outgrown()
    scores, found = small.search(vectors[:5], 1)
    assert list(found[:, 0]) == [0, 1, 2, 3, 4]  # exact: every vector finds itself
    small.add([999], vectors[999:1000])
    assert small.outgrown()  # the floor is reached: time to learn clusters

    grown = VectorIndex(32, "m", kind, min_train=0)
    grown.train(vectors[:400])  # 10 clusters learned from 400 vectors
    grown.add(np.arange(1599), vectors[:1599])
    assert grown.approximate and grown.nlist == 10 and not grown.outgrown()
    grown.add([1599], vectors[1599:1600])
    assert grown.outgrown()  # four times the vectors the clusters came from


def test_pq_never_trains_on_fewer_vectors_than_its_codebooks_need():
    vectors = _unit(np.random.default_rng(5).normal(size=(20, 32)))
    index = VectorIndex(32, "m", "ivf_pq", min_train=0)
    index.add(np.arange(20), vectors)  # the first post of a new forum must not fail to index
    assert not index.approximate and index.search(vectors[3], 1)[1][0, 0] == 3


def _plain_and_spilled(kind, tmp_path, fail_writes_after=None):
    """The same 3,000 vectors added to one index, and spilled then filled into another."""
    rng = np.random.default_rng(11)
    vectors = _unit(rng.normal(size=(3000, 64)))
    ids = np.arange(5000, 8000, dtype=np.int64)
    plain, filled = VectorIndex(64, "m", kind, min_train=0), VectorIndex(64, "m", kind, min_train=0)
    plain.train(vectors)
    filled.train(vectors)
    plain.add(ids, vectors)
    with SpilledCodes(tmp_path, filled.ivf.code_size) as spilled:
        if fail_writes_after is not None:
            spilled._file = _FailingFile(spilled._file, fail_writes_after)
        for start in range(0, 3000, 700):  # in chunks, as a rebuild streams its rows
            spilled.add(filled.ivf, ids[start:start + 700], vectors[start:start + 700])
        assert filled.count == 0 and spilled.count == 3000
        fill(filled.ivf, spilled)
    return plain, filled, ids, vectors


class _FailingFile:
    """A file whose writes fail (disk full) after the first few."""

    def __init__(self, inner, good_writes):
        self.inner, self.left = inner, good_writes

    def write(self, data):
        if self.left == 0:
            self.inner.write(bytes(data)[:100])  # part of the chunk reaches the disk before the error
            raise OSError(28, "No space left on device")
        self.left -= 1
        return self.inner.write(data)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.parametrize("kind", ["ivf_sq8", "ivf_pq"])
def test_an_index_filled_from_spilled_codes_finds_exactly_what_plain_adds_find(kind, tmp_path, monkeypatch):
    from search import spilled_codes
    monkeypatch.setattr(spilled_codes, "FILL_CHUNK", 1000)  # read back in several steps
    plain, filled, ids, vectors = _plain_and_spilled(kind, tmp_path)
    assert filled.count == plain.count == 3000
    assert [filled.ivf.invlists.list_size(i) for i in range(filled.nlist)] == \
        [plain.ivf.invlists.list_size(i) for i in range(plain.nlist)]
    assert np.array_equal(filled.reconstruct(ids[::97]), plain.reconstruct(ids[::97]))
    for a, b in zip(filled.search(vectors[:30], 10), plain.search(vectors[:30], 10)):
        assert np.array_equal(a, b)
    # It stays an ordinary index afterwards: replacing and removing ids work as before.
    for index in (filled, plain):
        index.add(ids[:1], vectors[1:2])
        index.remove(ids[1:3])
    assert filled.count == plain.count == 2998
    for a, b in zip(filled.search(vectors[:30], 10), plain.search(vectors[:30], 10)):
        assert np.array_equal(a, b)


def test_codes_that_no_longer_fit_on_disk_are_kept_in_memory_and_fill_the_same_index(tmp_path):
    plain, filled, ids, vectors = _plain_and_spilled("ivf_sq8", tmp_path, fail_writes_after=2)
    assert filled.count == plain.count == 3000
    assert np.array_equal(filled.reconstruct(ids), plain.reconstruct(ids))


def test_without_a_writable_directory_the_codes_stay_in_memory(tmp_path, monkeypatch):
    import tempfile
    def refuse(**_kw):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    plain, filled, ids, vectors = _plain_and_spilled("ivf_sq8", tmp_path)
    assert np.array_equal(filled.reconstruct(ids), plain.reconstruct(ids))


@pytest.mark.parametrize("kind", ["ivf_sq8", "ivf_pq"])
def test_training_over_a_spare_sample_learns_the_same_index_and_a_kept_sample_is_left_alone(kind):
    rng = np.random.default_rng(5)
    sample = _unit(rng.normal(size=(4000, 64)))
    kept, spare = sample.copy(), sample.copy()
    copied, overwritten = VectorIndex(64, "m", kind, min_train=0), VectorIndex(64, "m", kind, min_train=0)
    copied.train(kept)
    overwritten.train(spare, overwrite=True)
    assert np.array_equal(kept, sample) and not np.array_equal(spare, sample)  # residuals went over the spare one
    ids = np.arange(4000, dtype=np.int64)
    for index in (copied, overwritten):
        index.add(ids, sample)
    for a, b in zip(copied.search(sample[:40], 10), overwritten.search(sample[:40], 10)):
        assert np.array_equal(a, b)
    # Trained for real: most vectors find themselves first.
    assert (overwritten.search(sample[:200], 1)[1][:, 0] == ids[:200]).mean() >= 0.9


@pytest.mark.parametrize("kind", ["ivf_sq8", "ivf_pq"])
def test_training_over_the_sample_learns_exactly_what_faiss_own_training_learns(kind, monkeypatch):
    import faiss
    monkeypatch.setattr(vector_index, "_nlist_for", lambda vectors: 8)  # few clusters: a quick k-means
    rng = np.random.default_rng(9)
    sample = _unit(rng.normal(size=(110_000, 16)))  # more than FAISS's encoder subsets (100,000 and 65,536)
    ours = VectorIndex(16, "m", kind, min_train=0)
    ours.train(sample)
    if kind == "ivf_sq8":
        reference = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(16), 16, 8, faiss.ScalarQuantizer.QT_8bit,
                                                  faiss.METRIC_INNER_PRODUCT)
    else:
        reference = faiss.IndexIVFPQ(faiss.IndexFlatIP(16), 16, 8, ours.index.pq.M, 8, faiss.METRIC_INNER_PRODUCT)
    reference.train(sample)
    assert np.array_equal(ours.index.quantizer.reconstruct_n(0, 8), reference.quantizer.reconstruct_n(0, 8))
    codes = (lambda index: index.sq.trained) if kind == "ivf_sq8" else (lambda index: index.pq.centroids)
    assert np.array_equal(faiss.vector_to_array(codes(ours.index)), faiss.vector_to_array(codes(reference)))


def test_an_int8_index_trained_over_half_precision_codes_learns_what_faiss_learns_from_them_decoded(monkeypatch):
    import faiss
    monkeypatch.setattr(vector_index, "_nlist_for", lambda vectors: 8)
    rng = np.random.default_rng(9)
    sample = _unit(rng.normal(size=(110_000, 16)))  # more than FAISS's int8 encoder subset (100,000)
    ours = VectorIndex(16, "m", "ivf_sq8", min_train=0)
    codec = ours.sample_codec()
    codes = codec.sa_encode(sample)
    assert codes.nbytes * 2 == sample.nbytes
    ours.train(codes, codec=codec)
    reference = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(16), 16, 8, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
    reference.train(codec.sa_decode(codes))
    assert np.array_equal(ours.index.quantizer.reconstruct_n(0, 8), reference.quantizer.reconstruct_n(0, 8))
    assert np.array_equal(faiss.vector_to_array(ours.index.sq.trained), faiss.vector_to_array(reference.sq.trained))
    ids = np.arange(len(sample), dtype=np.int64)[:5000]
    ours.add(ids, sample[:5000])
    reference.add_with_ids(sample[:5000], ids)
    reference.nprobe = 8  # every list, as ours probes at this size
    assert np.array_equal(ours.search(sample[:50], 10)[1], reference.search(sample[:50], 10)[1])
    assert VectorIndex(16, "m", "ivf_pq").sample_codec() is None  # product codebooks learn from float32 only
