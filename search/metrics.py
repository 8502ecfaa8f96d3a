"""Retrieval and pair-classification metrics, pure numpy.

Retrieval metrics take one query's ranked ids (best first) and its relevant ids (a set, or a
mapping id -> graded gain); average them over queries yourself. Pair metrics take parallel
arrays of 0/1 labels and scores (higher = more likely positive).
"""
from collections.abc import Collection, Mapping, Sequence

import numpy as np


def _gains(relevant: Collection | Mapping) -> Mapping:
    if isinstance(relevant, Mapping):
        return {k: float(v) for k, v in relevant.items() if v > 0}
    return {k: 1.0 for k in relevant}


def ndcg_at_k(ranked: Sequence, relevant: Collection | Mapping, k: int = 10) -> float:
    """nDCG@k with linear gains (binary relevance when `relevant` is a set)."""
    gains = _gains(relevant)
    if not gains:
        return 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = sum(gains.get(doc, 0.0) * discounts[i] for i, doc in enumerate(list(ranked)[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = float(np.dot(ideal, discounts[: len(ideal)]))
    return float(dcg / idcg)


def recall_at_k(ranked: Sequence, relevant: Collection | Mapping, k: int = 10) -> float:
    """Share of the relevant ids found in the top k."""
    gains = _gains(relevant)
    if not gains:
        return 0.0
    return len(set(list(ranked)[:k]) & gains.keys()) / len(gains)


def mrr_at_k(ranked: Sequence, relevant: Collection | Mapping, k: int = 10) -> float:
    """Reciprocal rank of the first relevant id within the top k (0 if none)."""
    gains = _gains(relevant)
    for i, doc in enumerate(list(ranked)[:k]):
        if doc in gains:
            return 1.0 / (i + 1)
    return 0.0


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties sharing their mean rank."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="mergesort")
    sorted_vals = values[order]
    ranks = np.empty(len(values), dtype=float)
    # Start index of each run of equal values.
    starts = np.flatnonzero(np.r_[True, sorted_vals[1:] != sorted_vals[:-1]])
    ends = np.r_[starts[1:], len(values)]
    for s, e in zip(starts, ends):
        ranks[order[s:e]] = (s + e + 1) / 2.0
    return ranks


def roc_auc(labels: Sequence, scores: Sequence) -> float:
    """Area under the ROC curve (Mann-Whitney U; ties count half)."""
    y = np.asarray(labels).astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _average_ranks(np.asarray(scores, dtype=float))
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _curve(labels: Sequence, scores: Sequence):
    """Thresholds (distinct scores, descending) with true/false positives at `score >= threshold`."""
    y = np.asarray(labels).astype(bool)
    s = np.asarray(scores, dtype=float)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[s[1:] != s[:-1], True]  # last index of each run of equal scores
    tp = np.cumsum(y)[last]
    fp = np.cumsum(~y)[last]
    return s[last], tp, fp, int(y.sum())


def average_precision(labels: Sequence, scores: Sequence) -> float:
    """Average precision: sum over thresholds of precision times the recall gained."""
    _, tp, fp, n_pos = _curve(labels, scores)
    if n_pos == 0:
        return float("nan")
    precision = tp / (tp + fp)
    recall_gain = np.diff(np.r_[0, tp]) / n_pos
    return float(np.sum(precision * recall_gain))


def best_f1(labels: Sequence, scores: Sequence) -> tuple[float, float]:
    """Best F1 over thresholds `score >= t`, and that threshold."""
    thresholds, tp, fp, n_pos = _curve(labels, scores)
    if n_pos == 0:
        return 0.0, float("inf")
    f1 = 2 * tp / (tp + fp + n_pos)
    i = int(np.argmax(f1))
    return float(f1[i]), float(thresholds[i])


def precision_recall_at(labels: Sequence, scores: Sequence, threshold: float) -> tuple[float, float]:
    """Precision and recall of the rule `score >= threshold` (precision 1.0 when nothing is flagged)."""
    y = np.asarray(labels).astype(bool)
    flagged = np.asarray(scores, dtype=float) >= threshold
    tp = int((flagged & y).sum())
    precision = tp / int(flagged.sum()) if flagged.any() else 1.0
    recall = tp / int(y.sum()) if y.any() else 0.0
    return float(precision), float(recall)


def threshold_for_precision(labels: Sequence, scores: Sequence, target: float = 0.9) -> float:
    """Lowest threshold (most recall) at which precision is still at least `target`."""
    thresholds, tp, fp, _ = _curve(labels, scores)
    ok = np.flatnonzero(tp / (tp + fp) >= target)
    if len(ok) == 0:
        return float(thresholds[0]) + 1e-6  # nothing reaches the target: flag nothing
    return float(thresholds[ok[-1]])


def spearman(x: Sequence, y: Sequence) -> float:
    """Spearman rank correlation (Pearson on average ranks)."""
    rx, ry = _average_ranks(np.asarray(x, float)), _average_ranks(np.asarray(y, float))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = np.sqrt((rx**2).sum() * (ry**2).sum())
    return float((rx * ry).sum() / denom) if denom else float("nan")
