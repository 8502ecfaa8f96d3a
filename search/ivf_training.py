"""Training an inverted-file index in the memory of its sample: FAISS's own steps, without its copies.

A worker rebuilding a 1M-post index reads a 160k-vector sample (245 MB) to learn the clusters from. FAISS's
IndexIVF.train then held the residuals, an encoder subsample and a transposed copy next to it (+614 MB, the
worker's peak). The sample is not needed afterwards, so these steps write over it instead.

An int8 index can also learn from a sample kept as half-precision codes (117 MB at 1M posts): k-means reads
them a block at a time, and the int8 ranges (each dimension's residual minimum and maximum) are taken block by
block. While an old index serves, the sample is a rebuild's peak, and a worker that had served requests went
over 1 GB with a float32 one (docs/search-research.md, twenty-first session).
"""
import faiss
import numpy as np


DECODE_BLOCK = 8192  # half-precision rows decoded at once during k-means: 12.6 MB at 384 dimensions


def train_ivf(index, quantizer, x: np.ndarray, codec=None) -> None:
    """FAISS's IndexIVF.train step for step, its working copies written over `x`; the clusters, int8 ranges and
    product codebooks come out identical (tests/search/test_vector_index.py).

    With `codec` (an int8 index only), `x` holds the sample's codes, and the index learns exactly what FAISS's
    own training learns from the decoded sample."""
    n = len(x)
    if codec is None:
        index.train_q1(n, faiss.swig_ptr(x), False, index.metric_type)
    else:
        clustering = faiss.Clustering(index.d, index.nlist, index.cp)
        clustering.decode_block_size = DECODE_BLOCK
        quantizer.reset()
        clustering.train_encoded(x, codec, quantizer)
        quantizer.is_trained = True
    subset = index.train_encoder_num_vectors()
    if 0 < subset < n:  # the codes are learned from FAISS's own random subset, gathered to the front
        order = np.empty(n, dtype=np.int32)
        faiss.rand_perm(faiss.swig_ptr(order), n, 1234)  # the seed fvecs_maybe_subsample uses
        gather_rows(x, order.tolist())
        n = subset
    if codec is not None:
        _train_int8_ranges(index, quantizer, x[:n], codec)
        index.is_trained = True
        return
    lists = np.zeros(n, dtype=np.int64)
    if index.by_residual:
        centroids = quantizer.reconstruct_n(0, quantizer.ntotal)
        for start in range(0, n, 10_000):  # residuals a block at a time: the assignment's scores stay small
            block = x[start:min(start + 10_000, n)]
            lists[start:start + len(block)] = quantizer.assign(block, 1).ravel()
            block -= centroids[lists[start:start + len(block)]]
    index.train_encoder(n, faiss.swig_ptr(x), faiss.swig_ptr(lists) if index.by_residual else None)
    index.is_trained = True


def _train_int8_ranges(index, quantizer, codes: np.ndarray, codec) -> None:
    """The int8 ranges FAISS learns from these codes' decoded residuals (min and max per dimension), a block at a time."""
    sq = index.sq
    if not (sq.qtype == faiss.ScalarQuantizer.QT_8bit and sq.rangestat == faiss.ScalarQuantizer.RS_minmax
            and sq.rangestat_arg == 0 and index.by_residual):
        raise ValueError("half-precision training samples are for residual int8 indexes with min-max ranges")
    centroids = quantizer.reconstruct_n(0, quantizer.ntotal)
    low = np.full(index.d, np.inf, dtype=np.float32)
    high = np.full(index.d, -np.inf, dtype=np.float32)
    for start in range(0, len(codes), 10_000):
        block = codec.sa_decode(codes[start:start + 10_000])
        block -= centroids[quantizer.assign(block, 1).ravel()]
        np.minimum(low, block.min(axis=0), out=low)
        np.maximum(high, block.max(axis=0), out=high)
    # FAISS stores each dimension's minimum, then its span (max - min, in float32 as here).
    faiss.copy_array_to_vector(np.concatenate([low, high - low]), sq.trained)


def gather_rows(x: np.ndarray, order: list[int]) -> None:
    """x[i] = old x[order[i]] for every row, in place: each cycle of the permutation moves through one spare row."""
    moved = bytearray(len(order))
    for start in range(len(order)):
        if moved[start]:
            continue
        spare, i = x[start].copy(), start
        while True:
            moved[i] = 1
            source = order[i]
            if source == start:
                x[i] = spare
                break
            x[i] = x[source]
            i = source
