"""Hybrid ranking: fuse lexical (BM25) and dense (e5) signals of one query's candidates.

Candidates are the union of the dense top ~100 and the lexical top ~100. Each candidate id maps
to its signals, e.g. {"bm25": 7.3, "dense_max": 0.86, "dense_mean": 0.84}; a missing key means
that side did not retrieve it. Methods (chosen in data/fusion.json, numbers in BENCHMARKS.md):
"linear" (per-query normalized weighted sum), "rrf" (weighted reciprocal rank fusion) and
"learned" (a logistic model over per-query features, weights shipped in the JSON file).
"""
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

PARAMS_FILE = Path(__file__).parent / "data" / "fusion.json"


@lru_cache(maxsize=1)
def _load(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_params(path: Path | None = None) -> dict:
    """The shipped fusion parameters (data/fusion.json)."""
    return _load(str(path or PARAMS_FILE))


def _matrix(candidates: dict[int, dict[str, float]], signals: list[str]):
    """Candidate ids, an (n, s) float array with NaN for missing, in a stable order."""
    ids = list(candidates)
    values = np.array(
        [[candidates[i].get(s, np.nan) for s in signals] for i in ids], dtype=np.float64
    ).reshape(len(ids), len(signals))
    return ids, values


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based descending rank per column; missing values rank after every present one."""
    filled = np.where(np.isnan(values), -np.inf, values)
    order = np.argsort(-filled, axis=0, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(len(values))[:, None]
    ranks[order, np.arange(values.shape[1])] = rows + 1
    return ranks.astype(np.float64)


def _normalize(values: np.ndarray, how: str) -> np.ndarray:
    """Per-column min-max or z-score over present values; missing becomes the column's floor."""
    out = np.zeros_like(values)
    for j in range(values.shape[1]):
        col = values[:, j]
        present = ~np.isnan(col)
        if not present.any():
            continue
        x = col[present]
        if how == "zscore":
            scaled = (col - x.mean()) / (x.std() + 1e-9)
            floor = (x.min() - x.mean()) / (x.std() + 1e-9)
        else:
            span = x.max() - x.min()
            scaled = (col - x.min()) / span if span > 0 else np.ones_like(col)
            floor = 0.0
        out[:, j] = np.where(present, scaled, floor)
    return out


def features(candidates: dict[int, dict[str, float]], signals: list[str], rrf_k: float = 60.0):
    """Per-query features for the learned ranker: ids, (n, f) array, feature names."""
    ids, values = _matrix(candidates, signals)
    ranks = _ranks(values)
    zs = _normalize(values, "zscore")
    mm = _normalize(values, "minmax")
    top = np.nanmax(np.where(np.isnan(values), -np.inf, values), axis=0)
    # Raw score minus the query's best keeps the scale of the signal (a cosine gap of 0.02 means
    # the same thing for every query) while removing how "easy" the query is.
    filled = np.where(np.isnan(values), np.nanmin(values, axis=0, initial=np.inf), values)
    gap = np.nan_to_num(filled - top, nan=-1.0, neginf=-1.0, posinf=-1.0)
    cols = [zs, mm, gap, 1.0 / (rrf_k + ranks), np.log(ranks), (~np.isnan(values)).astype(float)]
    names = [f"{kind}:{s}" for kind in ("z", "mm", "gap", "rrf", "logrank", "has") for s in signals]
    return ids, np.hstack(cols), names


def _score(candidates: dict[int, dict[str, float]], params: dict) -> tuple[list[int], np.ndarray]:
    method = params["method"]
    signals = params["signals"]
    if method == "rrf":
        ids, values = _matrix(candidates, signals)
        ranks = _ranks(values)
        weights = np.array([params["weights"].get(s, 0.0) for s in signals])
        contrib = np.where(np.isnan(values), 0.0, 1.0 / (params["k"] + ranks))
        return ids, contrib @ weights
    if method == "linear":
        ids, values = _matrix(candidates, signals)
        normed = _normalize(values, params.get("normalize", "minmax"))
        weights = np.array([params["weights"].get(s, 0.0) for s in signals])
        return ids, normed @ weights
    if method == "learned":
        ids, feats, names = features(candidates, signals, params.get("rrf_k", 60.0))
        model = params["model"]
        coef = dict(zip(model["names"], model["coef"]))
        mean = dict(zip(model["names"], model["mean"]))
        scale = dict(zip(model["names"], model["scale"]))
        w = np.array([coef.get(n, 0.0) / scale.get(n, 1.0) for n in names])
        b = model["intercept"] - sum(coef.get(n, 0.0) * mean.get(n, 0.0) / scale.get(n, 1.0) for n in names)
        return ids, feats @ w + b
    raise ValueError(f"unknown fusion method {method!r}")


def fuse(candidates: dict[int, dict[str, float]], params: dict | None = None) -> list[tuple[int, float]]:
    """Rank one query's candidates best first as (id, score) using `params` (default: fusion.json)."""
    if not candidates:
        return []
    ids, scores = _score(candidates, params or load_params())
    order = np.argsort(-scores, kind="stable")
    return [(ids[i], float(scores[i])) for i in order]
