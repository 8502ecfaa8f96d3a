"""The duplicate judge: second stage on a candidate question pair, duplicate vs look-alike.

Input is the two texts and (ideally) their e5 passage vectors u, v, which the index already has.
The model sees hand features (pair_features.py), the cosine, and the vector interactions |u-v|
and u*v, which tell a paraphrase from a same-words-other-meaning pair far better than cosine
alone. Weights are plain arrays in data/judge.npz (trained by scripts/train_judge.py); the banner
threshold, chosen on held-aside pairs for precision >= 0.9, is in data/judge.json.
"""
import json
from pathlib import Path

import numpy as np

from search.pair_features import NAMES, hand_features
from search.text import tokens

DATA = Path(__file__).parent / "data"
HAND_AND_COSINE = len(NAMES) + 1  # leading columns of pair_vector that need no vector interactions


def same_wording(a: str, b: str) -> bool:
    """The same words in the same order, case, punctuation and slang spellings aside ("gimana" = "bagaimana")."""
    words = tokens(a)
    return bool(words) and words == tokens(b)


def _cosine(u: np.ndarray, v: np.ndarray) -> float:
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-12))


def pair_vector(a: str, b: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The judge's full input row: hand features, cosine, |u-v| and u*v."""
    u = np.asarray(u, dtype=np.float32)
    v = np.asarray(v, dtype=np.float32)
    return np.concatenate([hand_features(a, b), [_cosine(u, v)], np.abs(u - v), u * v]).astype(np.float32)


def _hand_and_cosine(a: str, b: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The first HAND_AND_COSINE columns of pair_vector, without building the vector interactions."""
    row = np.empty(HAND_AND_COSINE, dtype=np.float32)
    row[:-1] = hand_features(a, b)
    row[-1] = _cosine(np.asarray(u, dtype=np.float32), np.asarray(v, dtype=np.float32))
    return row


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def tree_scores(arrays: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Raw score of a flattened tree ensemble (LightGBM export: go left when x <= threshold)."""
    feature, threshold = arrays["feature"], arrays["threshold"]
    left, right, value = arrays["left"], arrays["right"], arrays["value"]
    node = np.broadcast_to(arrays["roots"], (len(x), len(arrays["roots"]))).copy()
    rows = np.arange(len(x))[:, None]
    # All trees of all rows step down one level at a time; leaves point to themselves.
    for _ in range(int(arrays["depth"])):
        go_left = x[rows, feature[node]] <= threshold[node]
        node = np.where(go_left, left[node], right[node])
    return value[node].sum(axis=1)


def _row_walker(arrays: dict[str, np.ndarray]) -> dict:
    """The tree arrays as _tree_score_row reads them: native-width indices, so no gather converts them per call."""
    walker = {k: arrays[k].astype(np.intp) for k in ("feature", "left", "right", "roots")}
    return walker | {"threshold": arrays["threshold"], "value": arrays["value"], "depth": int(arrays["depth"])}


def _tree_score_row(walker: dict, x: np.ndarray) -> float:
    """tree_scores for one row: every split is decided up front, then the walk is one gather per level."""
    # float32 -> float64 is exact, and tree_scores compares in float64 too; NaN goes right in both.
    decided = x.astype(np.float64)[walker["feature"]] <= walker["threshold"]
    step = np.where(decided, walker["left"], walker["right"])
    node = walker["roots"]
    for _ in range(walker["depth"]):
        node = step[node]
    return walker["value"][node].sum()


class DuplicateJudge:
    """Scores how likely two questions ask the same thing, in [0, 1]."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict, embedder=None):
        self.meta = meta
        self.threshold = float(meta["threshold"])
        self.kind = meta.get("kind", "mlp")
        self.columns = int(meta.get("columns", 0)) or None  # leading columns of pair_vector the model reads
        self._arrays = arrays
        if self.kind == "trees":
            self._walker = _row_walker(arrays)
        else:
            self._mean = arrays["mean"]
            self._scale = arrays["scale"]
            self._layers = [(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(meta["layers"])]
        self._embedder = embedder

    @classmethod
    def load(cls, directory: Path | None = None, embedder=None) -> "DuplicateJudge":
        """The shipped judge (data/judge.npz + data/judge.json); `embedder` is used only when vectors are missing."""
        directory = Path(directory or DATA)
        meta = json.loads((directory / "judge.json").read_text(encoding="utf-8"))
        with np.load(directory / "judge.npz") as npz:
            arrays = {k: npz[k] for k in npz.files}
        return cls(arrays, meta, embedder)

    def _vectors(self, a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
        if self._embedder is None:
            from search.embedders import load_embedder  # the forum's model, loaded only when a caller has no vectors

            self._embedder = load_embedder()
        u, v = self._embedder.embed_documents([a, b])
        return u, v

    def features(self, a: str, b: str, cos: float | None = None, vec_a=None, vec_b=None) -> np.ndarray:
        """The model's input row for the pair (embeds the texts when vectors are not given)."""
        if vec_a is None or vec_b is None:
            vec_a, vec_b = self._vectors(a, b)
        return pair_vector(a, b, vec_a, vec_b)

    def score_rows(self, rows: np.ndarray) -> np.ndarray:
        """Probabilities for a batch of feature rows from features()."""
        rows = np.atleast_2d(rows)[:, : self.columns]
        if self.kind == "trees":
            if len(rows) == 1:
                return _sigmoid(np.array([_tree_score_row(self._walker, rows[0])]))
            return _sigmoid(tree_scores(self._arrays, rows))
        x = (rows - self._mean) / self._scale
        for i, (w, b) in enumerate(self._layers):
            x = x @ w + b
            if i < len(self._layers) - 1:
                x = np.maximum(x, 0.0)
        return _sigmoid(x[:, 0])

    def score(self, a: str, b: str, cos: float | None = None, vec_a=None, vec_b=None) -> float:
        """Probability in [0, 1] that a and b are duplicates; `cos` is ignored when vectors are given."""
        if same_wording(a, b):
            # The model scored word-for-word copies of forum questions 0.91-0.93, under the banner threshold:
            # it learned that near-identical pairs are look-alikes (one word changed). An exact copy is not.
            return 1.0
        if vec_a is None or vec_b is None:
            vec_a, vec_b = self._vectors(a, b)
        if self.columns is not None and self.columns <= HAND_AND_COSINE:
            row = _hand_and_cosine(a, b, vec_a, vec_b)  # the model never reads |u-v| or u*v
        else:
            row = pair_vector(a, b, vec_a, vec_b)
        return float(self.score_rows(row)[0])

    def is_duplicate(self, a: str, b: str, vec_a=None, vec_b=None) -> bool:
        """Whether the pair clears the shipped banner threshold."""
        return self.score(a, b, vec_a=vec_a, vec_b=vec_b) >= self.threshold
