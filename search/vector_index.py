"""FAISS vector index: inner product over normalized vectors, ids are database ids, saved with its metadata.

Kinds: "flat" (exact, default), "ivf_sq8" (inverted lists over int8 scalar-quantized vectors: 4x smaller,
approximate), "ivf_pq" (product-quantized: ~16x smaller, more approximate). All support add, remove,
filtered search and reconstruct, so they share one test (tests/search/test_vector_index.py).

An approximate kind stays exact while the table is small (clusters learned from a handful of posts would be
kept forever, and PQ cannot learn its codebooks from fewer than 256 vectors); `outgrown()` tells the owner
when the table has grown enough that the clusters should be learned again.
"""
import json
import os
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from search.ivf_training import train_ivf

KINDS = ("flat", "ivf_sq8", "ivf_pq")
EXACT_FILTER_MAX = 5000  # filtered approximate searches over fewer ids are scored exactly
MIN_TRAIN = 10_000  # below this many vectors an approximate kind keeps an exact index (~15 MB, ~1 ms a search)
MAX_TRAIN = 160_000  # training sample cap: 40 vectors per cluster for FAISS's 4,096 clusters at most
REGROW = 4  # learn the clusters again once the table holds this many times the vectors they came from


@dataclass
class IndexMeta:
    model_id: str
    dim: int
    kind: str
    count: int
    last_event: int
    nlist: int | None = None  # clusters of an approximate index (0: exact); None in files saved before it was kept

    @classmethod
    def read(cls, directory: Path) -> "IndexMeta | None":
        """The saved index's metadata alone, or None when missing or unreadable (the index itself is not read)."""
        try:
            return cls(**json.loads((Path(directory) / "vectors.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None


class VectorIndex:
    """A FAISS index keyed by database ids that refuses vectors of another model or width."""

    def __init__(self, dim: int, model_id: str, kind: str = "flat", nprobe: int = 64, min_train: int = MIN_TRAIN):
        if kind not in KINDS:
            raise ValueError(f"FORUM_INDEX_KIND={kind!r}: pilih salah satu dari {', '.join(KINDS)}.")
        self.dim, self.model_id, self.kind, self.nprobe, self.min_train = dim, model_id, kind, nprobe, min_train
        self.index = _exact(dim) if kind == "flat" else None

    @property
    def count(self) -> int:
        return 0 if self.index is None else int(self.index.ntotal)

    @property
    def probes(self) -> int:
        """Clusters searched per query: at least `nprobe`, and ~5% of them, so recall holds as the list grows.

        At 1M synthetic vectors with 4,000 clusters: 64 probes recall@10 0.80, 200 probes 0.94 (4.7 ms)."""
        return max(self.nprobe, faiss.extract_index_ivf(self.index).nlist // 20)

    @property
    def approximate(self) -> bool:
        """Whether the FAISS index in use is an inverted-list one (an approximate kind that has grown)."""
        return self.index is not None and not isinstance(self.index, faiss.IndexIDMap2)

    @property
    def nlist(self) -> int:
        return faiss.extract_index_ivf(self.index).nlist if self.approximate else 0

    @property
    def ivf(self):
        """The FAISS inverted-file index itself (an approximate kind once it has learned its clusters)."""
        return faiss.extract_index_ivf(self.index)

    @property
    def train_floor(self) -> int:
        """Fewest vectors this kind learns clusters from; below it an exact index stands in."""
        # PQ learns 256 centroids per sub-vector: it cannot train on fewer vectors than that.
        return max(self.min_train, 256 if self.kind == "ivf_pq" else 1)

    def outgrown(self) -> bool:
        """An approximate kind whose clusters (or exact stand-in) no longer fit the number of vectors held."""
        if self.kind == "flat" or self.index is None:
            return False
        if not self.approximate:
            return self.count >= self.train_floor
        return _nlist_for(min(self.count, MAX_TRAIN)) >= REGROW * self.nlist

    def sample_codec(self):
        """How a training sample is best kept: `ivf_sq8` learns as well from half-precision codes (half the
        memory), the others need float32 (None)."""
        if self.kind != "ivf_sq8":
            return None
        return faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)

    def train(self, sample: np.ndarray, overwrite: bool = False, codec=None) -> None:
        """Approximate kinds learn their coarse clusters (and codebooks) from a sample of the vectors.

        With `overwrite` the sample's own memory is reused for the training's residuals (the caller is done
        with it); otherwise they go to a copy. With `codec` (from `sample_codec`) the sample holds its codes."""
        if self.index is not None:
            return
        sample = _rows(sample, self.dim) if codec is None else np.ascontiguousarray(sample, dtype=np.uint8)
        if len(sample) < self.train_floor:
            self.index = _exact(self.dim)  # exact while small; outgrown() says when to train for real
            return
        nlist = _nlist_for(len(sample))
        quantizer = faiss.IndexFlatIP(self.dim)
        if self.kind == "ivf_sq8":
            index = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                                  faiss.METRIC_INNER_PRODUCT)
        else:
            m = max(d for d in range(1, self.dim // 8 + 1) if self.dim % d == 0)  # 384 -> 48 bytes/vector
            index = faiss.IndexIVFPQ(quantizer, self.dim, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
        train_ivf(index, quantizer, sample if overwrite else sample.copy(), codec)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct() and remove by id
        index.quantizer_trains_alone = 0
        self._quantizer = quantizer  # keep the Python wrapper alive as long as the index
        self.index = index

    def add(self, ids, vectors, model_id: str | None = None) -> None:
        """Add vectors under their database ids (re-adding an id replaces it)."""
        if model_id is not None and model_id != self.model_id:
            raise ValueError(f"index holds {self.model_id!r} vectors, refused {model_id!r}")
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        vectors = _rows(vectors, self.dim)
        if self.index is None:
            self.train(vectors)
        self.remove(ids)
        self.index.add_with_ids(vectors, ids)

    def remove(self, ids) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(ids) and self.count:
            # IVF's id hashtable only removes through an explicit id array.
            self.index.remove_ids(faiss.IDSelectorArray(ids) if self.approximate else faiss.IDSelectorBatch(ids))

    def search(self, queries, k: int, ids=None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row (id -1 = none); with `ids` (an array of ids, or a boolean mask
        whose True positions are the ids), only those ids are considered."""
        queries = _rows(queries, self.dim)
        if self.count == 0 or k <= 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        selector = None
        if ids is not None:
            ids = np.asarray(ids)
            mask = ids if ids.dtype == bool else None
            allowed = int(np.count_nonzero(mask)) if mask is not None else len(ids)
            if allowed == 0:
                return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
            if self.approximate and allowed <= EXACT_FILTER_MAX:
                return self._exact_among(queries, k, np.flatnonzero(mask) if mask is not None else ids.astype(np.int64))
            if mask is not None:
                # A bitmap selector is built in 0.1 ms and read per id; a batch selector hashes every id
                # first (50,000 ids: 2.5 ms, as long as the search itself).
                bitmap = np.packbits(mask, bitorder="little")  # referenced until the search returns
                selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
            else:
                selector = faiss.IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64))
        if not self.approximate:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        else:
            probes = self.probes
            params = faiss.SearchParametersIVF(sel=selector, nprobe=probes) if selector is not None \
                else faiss.SearchParametersIVF(nprobe=probes)
        scores, found = self.index.search(queries, min(k, self.count), params=params)
        return scores, found

    def _exact_among(self, queries, k, ids):
        # A small allowed set may sit outside the probed clusters: score its (decoded) vectors directly.
        try:
            present, mats = ids, self.index.reconstruct_batch(ids)  # usually every id is there: one call
        except RuntimeError:
            present = ids[[self._has(i) for i in ids]]
            mats = self.reconstruct(present) if len(present) else None
        if len(present) == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        scores = queries @ mats.T
        order = np.argsort(-scores, axis=1)[:, :k]
        return np.take_along_axis(scores, order, 1), present[order]

    def _has(self, i) -> bool:
        try:
            self.index.reconstruct(int(i))
            return True
        except RuntimeError:
            return False

    def reconstruct(self, ids) -> np.ndarray:
        """The stored (possibly quantized) vectors of these ids."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros((0, self.dim), np.float32)
        try:
            return self.index.reconstruct_batch(ids)  # one call instead of one per id
        except RuntimeError:
            pass  # an id the index does not hold: let the per-id loop raise for it
        out = np.zeros((len(ids), self.dim), np.float32)
        for row, i in enumerate(ids):
            out[row] = self.index.reconstruct(int(i))
        return out

    def save(self, directory: Path, last_event: int) -> None:
        """Write the index and its metadata atomically (a crash leaves the old pair or the new one)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = IndexMeta(self.model_id, self.dim, self.kind, self.count, int(last_event), self.nlist)
        if self.index is not None:
            faiss.write_index(self.index, str(directory / "vectors.faiss.tmp"))
            os.replace(directory / "vectors.faiss.tmp", directory / "vectors.faiss")
        (directory / "vectors.json.tmp").write_text(json.dumps(meta.__dict__))
        os.replace(directory / "vectors.json.tmp", directory / "vectors.json")

    @classmethod
    def load(cls, directory: Path) -> tuple["VectorIndex", IndexMeta] | None:
        """The saved index and metadata, or None when missing or unreadable."""
        directory = Path(directory)
        meta = IndexMeta.read(directory)
        if meta is None:
            return None
        try:
            index = cls(meta.dim, meta.model_id, meta.kind)
            if meta.count or (directory / "vectors.faiss").exists():
                index.index = faiss.read_index(str(directory / "vectors.faiss"))
        except (OSError, ValueError, TypeError, RuntimeError):
            return None
        if index.count != meta.count:
            return None
        return index, meta


def _exact(dim: int):
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def _nlist_for(vectors: int) -> int:
    return int(max(1, min(4096, vectors // 40)))


def _rows(arr, dim: int) -> np.ndarray:
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.shape[1] != dim:
        raise ValueError(f"vector width {arr.shape[1]} does not match the index ({dim})")
    return arr
