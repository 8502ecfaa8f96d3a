"""Training an inverted-file index in the memory of its sample: FAISS's own steps, without its copies.

A worker rebuilding a 1M-post index reads a 160k-vector sample (245 MB) to learn the clusters from. FAISS's
IndexIVF.train then held the residuals, an encoder subsample and a transposed copy next to it (+614 MB, the
worker's peak). The sample is not needed afterwards, so these steps write over it instead.
"""
import faiss
import numpy as np


def train_ivf(index, quantizer, x: np.ndarray) -> None:
    """FAISS's IndexIVF.train step for step, its working copies written over `x`; the clusters, int8 ranges and
    product codebooks come out identical (tests/search/test_vector_index.py)."""
    n = len(x)
    index.train_q1(n, faiss.swig_ptr(x), False, index.metric_type)
    subset = index.train_encoder_num_vectors()
    if 0 < subset < n:  # the codes are learned from FAISS's own random subset, gathered to the front
        order = np.empty(n, dtype=np.int32)
        faiss.rand_perm(faiss.swig_ptr(order), n, 1234)  # the seed fvecs_maybe_subsample uses
        gather_rows(x, order.tolist())
        n = subset
    lists = np.zeros(n, dtype=np.int64)
    if index.by_residual:
        centroids = quantizer.reconstruct_n(0, quantizer.ntotal)
        for start in range(0, n, 10_000):  # residuals a block at a time: the assignment's scores stay small
            block = x[start:min(start + 10_000, n)]
            lists[start:start + len(block)] = quantizer.assign(block, 1).ravel()
            block -= centroids[lists[start:start + len(block)]]
    index.train_encoder(n, faiss.swig_ptr(x), faiss.swig_ptr(lists) if index.by_residual else None)
    index.is_trained = True


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
