"""One contract every vector index kind must honour (exact and approximate alike)."""
import numpy as np
import pytest

from search.vector_index import KINDS, VectorIndex


def _unit(rows):
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("kind", KINDS)
def test_every_index_kind_adds_removes_filters_saves_and_refuses_other_models(kind, tmp_path):
    rng = np.random.default_rng(7)
    vectors = _unit(rng.normal(size=(2000, 64)))
    ids = np.arange(1000, 3000, dtype=np.int64)
    index = VectorIndex(64, "model-a", kind)
    index.add(ids, vectors, model_id="model-a")
    assert index.count == 2000
    # Its own vector is the best hit (approximate kinds too, at this size).
    scores, found = index.search(vectors[:20], 5)
    assert (found[:, 0] == ids[:20]).mean() >= 0.95
    # Filtered search returns only allowed ids, best first.
    allowed = ids[[5, 50, 500, 1500]]
    _, found = index.search(vectors[50], 3, ids=allowed)
    assert found[0, 0] == ids[50] and set(found[0]) <= set(allowed)
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
